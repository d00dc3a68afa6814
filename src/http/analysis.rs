//! Analysis sessions over HTTP: `POST /api/analysis {query}` starts one, `GET /api/analysis`
//! lists them, `GET /api/analysis/{id}` reads one with each engine's report and the forum
//! discussion, `GET /api/analysis/{id}/stream` follows it live (SSE on `analysis/<id>`), and
//! `POST /api/analysis/{id}/cancel` stops it. Each handler parses, calls
//! [`actors::sessions::AnalysisSessions`] and serialises; the sessions decide the rest.

use actors::sessions::{AnalysisId, Cancellation, SessionError};
use events::Topic;
use serde::Serialize;
use warp::http::StatusCode;

use super::reply::{success, ApiError, ApiResult};
use crate::service::App;

impl From<SessionError> for ApiError {
    fn from(err: SessionError) -> Self {
        let (status, code) = match err {
            SessionError::Storage(err) => return err.into(),
            SessionError::Tree(err) => return err.into(),
            SessionError::EmptyQuery => (StatusCode::BAD_REQUEST, "empty_query"),
            SessionError::QueryTooLong { .. } => (StatusCode::BAD_REQUEST, "query_too_long"),
            SessionError::ControlCharacter(_) => (StatusCode::BAD_REQUEST, "control_character"),
            SessionError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            SessionError::AlreadyEnded { .. } => (StatusCode::CONFLICT, "already_ended"),
            SessionError::StartFailed(_) => (StatusCode::INTERNAL_SERVER_ERROR, "start_failed"),
        };
        ApiError::new(status, code, err.to_string())
    }
}

/// Where an analysis is read.
fn url(id: &str) -> String {
    format!("/api/analysis/{id}")
}

/// `POST /api/analysis {query}`: 202 with the id and where to follow it.
pub async fn start(app: &App, body: &[u8]) -> ApiResult {
    #[derive(serde::Deserialize)]
    struct Ask {
        query: String,
    }
    let ask: Ask = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("expected {{\"query\": \"what to analyse\"}}: {e}"),
        )
    })?;
    let started = app.sessions.start(&ask.query).await?;
    #[derive(Serialize)]
    struct Answer {
        #[serde(flatten)]
        started: actors::sessions::Started,
        stream: String,
        url: String,
    }
    let id = started.id.to_string();
    Ok(success(
        StatusCode::ACCEPTED,
        Answer {
            started,
            stream: format!("{}/stream", url(&id)),
            url: url(&id),
        },
    ))
}

/// `GET /api/analysis?limit=N`: the latest analyses, newest first, without their reports.
pub async fn list(app: &App, query: &str) -> ApiResult {
    let limit = super::query_limit(query, 20, 1000)?;
    #[derive(Serialize)]
    struct Listed {
        #[serde(flatten)]
        analysis: actors::sessions::AnalysisSummary,
        url: String,
    }
    #[derive(Serialize)]
    struct Answer {
        analyses: Vec<Listed>,
    }
    let analyses = app
        .sessions
        .list(limit)
        .await?
        .into_iter()
        .map(|analysis| Listed {
            url: url(&analysis.id),
            analysis,
        })
        .collect();
    Ok(success(StatusCode::OK, Answer { analyses }))
}

/// `GET /api/analysis/{id}/stream`: the session's events from its start (as far as the
/// history reaches), so a client that connects after `POST` misses nothing; resumable like
/// `/api/events` with `Last-Event-ID`. The stream ends after the session's last event; for an
/// analysis that had already ended, after what the history still holds (its last event may
/// have been trimmed, or be before the client's cursor). 404 for an unknown analysis.
pub async fn stream(
    app: &App,
    id: &str,
    headers: &warp::http::HeaderMap,
    query: &str,
) -> ApiResult {
    let id = AnalysisId::parse(id)?;
    let filter = Topic::analysis(&id)
        .filter()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_id", e.to_string()))?;
    let since = match super::events::resume_cursor(headers, query)? {
        events::Since::After(cursor) => {
            app.bus
                .catch_up(Some(cursor), super::events::catch_up_within(app))
                .await;
            events::Since::After(cursor)
        }
        events::Since::Now => app.bus.hub().before_first(&filter).into(),
        // Answered with `resync`, as on `/api/events`.
        events::Since::Unreadable => events::Since::Unreadable,
    };
    let ending = if app.sessions.status(&id).await?.is_final() {
        events::Ending::AfterStart
    } else {
        events::Ending::After(super::events::analysis_ended)
    };
    Ok(super::events::sse_reply(app, filter, since, ending))
}

/// `GET /api/analysis/{id}`.
pub async fn get(app: &App, id: &str) -> ApiResult {
    let id = AnalysisId::parse(id)?;
    Ok(success(StatusCode::OK, app.sessions.get(&id).await?))
}

/// `POST /api/analysis/{id}/cancel`: 200 once the session has recorded its cancellation, 202
/// when it has not yet within 10 s; 409 when it had already ended.
pub async fn cancel(app: &App, id: &str) -> ApiResult {
    let id = AnalysisId::parse(id)?;
    #[derive(Serialize)]
    struct Answer<'a> {
        id: &'a AnalysisId,
        status: &'static str,
    }
    let (status, said) = match app.sessions.cancel(&id).await? {
        Cancellation::Recorded => (StatusCode::OK, "cancelled"),
        Cancellation::Pending => (StatusCode::ACCEPTED, "cancelling"),
    };
    Ok(success(
        status,
        Answer {
            id: &id,
            status: said,
        },
    ))
}
