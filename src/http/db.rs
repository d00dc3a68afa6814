//! The database over HTTP: `GET /api/db/stats` (what `bettafish db stats` shows) and
//! `GET /api/db/search` (full-text search over posts and news). While the `storage` actor
//! finds the database down these answer 503 at once rather than each waiting for a
//! connection.

use serde_json::json;
use warp::http::StatusCode;

use super::events::decode;
use super::query_param;
use super::reply::{self, ApiError, ApiResult};
use crate::service::App;

fn available(app: &App) -> Result<(), ApiError> {
    if app.storage.ready() {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "database_unavailable",
        format!(
            "the database is unavailable: {}",
            app.storage
                .last_error()
                .unwrap_or_else(|| "not checked yet".into())
        ),
    ))
}

/// `GET /api/db/stats`.
pub async fn stats(app: &App) -> ApiResult {
    available(app)?;
    let stats = app.db.stats().await?;
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "stats": stats}),
    ))
}

/// `GET /api/db/search?q=…&limit=20&platform=wb`: posts and news matching every term.
pub async fn search(app: &App, query: &str) -> ApiResult {
    let text = query_param(query, "q").map(decode).unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "missing_query",
            "give the words to search for as ?q=",
        ));
    }
    let limit = super::query_limit(query, 20, 200)?;
    available(app)?;
    let mut search = storage::PostSearch::new(text.clone(), limit);
    search.platform = query_param(query, "platform").map(decode);
    let posts = app.db.search_posts(&search).await?;
    let news = app.db.search_news(&text, limit).await?;
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "query": text, "posts": posts, "news": news}),
    ))
}
