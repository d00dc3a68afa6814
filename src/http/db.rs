//! The database over HTTP: `GET /api/db/stats` (what `bettafish db stats` shows) and
//! `GET /api/db/search` (full-text search over posts and news; a search with a control
//! character, or beyond `SEARCH_QUERY_MAX_CHARS`/`SEARCH_QUERY_MAX_TERMS`, is 400). While the
//! `storage` actor finds the database down these answer 503 at once rather than each waiting
//! for a connection.

use serde::Deserialize;
use serde_json::json;
use warp::http::StatusCode;

use super::query::{self, Whole};
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

/// What `GET /api/db/search` reads from its query string.
#[derive(Debug, Deserialize)]
struct SearchQuery {
    /// The words to search for.
    #[serde(default)]
    q: String,
    /// How many posts (and how many news items) at most.
    limit: Option<Whole<u32>>,
    /// Only posts of this platform (`wb`, `xhs`…).
    platform: Option<String>,
}

/// `GET /api/db/search?q=…&limit=20&platform=wb`: posts and news matching every term.
pub async fn search(app: &App, query: &str) -> ApiResult {
    let SearchQuery {
        q: text,
        limit,
        platform,
    } = query::parse(query)?;
    if text.trim().is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "missing_query",
            "give the words to search for as ?q=",
        ));
    }
    let limit = query::checked_limit(limit.map(|Whole(n)| n), 20, 200)?;
    for (name, value) in [("q", Some(&text)), ("platform", platform.as_ref())] {
        if let Some(Err(refused)) = value.map(|v| storage::text::check(v)) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "control_character",
                format!("{name}: {refused}"),
            ));
        }
    }
    // Refused rather than cut: the person searching can say less, and should know that the
    // rest of what they typed was not searched for.
    if let Err(refused) = storage::terms::Query::parse_within(&text, app.db.query_limits()) {
        let code = match refused {
            storage::terms::QueryRefused::TooLong { .. } => "query_too_long",
            storage::terms::QueryRefused::TooManyTerms { .. } => "too_many_terms",
        };
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            code,
            refused.to_string(),
        ));
    }
    available(app)?;
    let mut search = storage::PostSearch::new(text.clone(), limit);
    search.platform = platform;
    let posts = app.db.search_posts(&search).await?;
    let news = app.db.search_news(&text, limit).await?;
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "query": text, "posts": posts, "news": news}),
    ))
}
