//! `GET /`: a small self-contained dashboard: the supervision tree, refreshed and live, and a
//! form that runs an analysis and shows its progress, reports and forum discussion.

use warp::http::StatusCode;

use super::reply::{self, Reply};

const PAGE: &str = include_str!("dashboard.html");

pub fn page() -> Reply {
    reply::with_type(StatusCode::OK, PAGE, "text/html; charset=utf-8")
}
