//! `GET /`: a small self-contained dashboard that shows the supervision tree and refreshes it.

use warp::http::StatusCode;

use super::reply::{self, Reply};

const PAGE: &str = include_str!("dashboard.html");

pub fn page() -> Reply {
    reply::with_type(StatusCode::OK, PAGE, "text/html; charset=utf-8")
}
