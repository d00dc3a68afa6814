//! Analysis sessions over HTTP: `POST /api/analysis {query}` starts one under
//! `root/analyses`, `GET /api/analysis/{id}` reads its record with each engine's report and the
//! forum discussion, `GET /api/analysis/{id}/stream` follows it live (SSE on `analysis/<id>`),
//! and `POST /api/analysis/{id}/cancel` stops it.

use std::time::Duration;

use actors::analyses::{AnalysisActor, AnalysisArgs, AnalysisMsg};
use serde_json::{json, Value};
use supervision::{ChildSpec, Restart};
use warp::http::StatusCode;

use super::reply::{self, ApiError, ApiResult};
use crate::service::App;

const ANALYSES: &str = "root/analyses";
const ENGINES: &str = "root/engines";
const FORUM: &str = "root/engines/forum";
/// The longest query taken, in characters.
const MAX_QUERY: usize = 500;
/// How long past its engines' timeout a running analysis may go before a stopped process is
/// presumed to have left it (recorded failed by the storage actor's sweep).
const DEADLINE_MARGIN_MS: i64 = 60_000;

fn new_id() -> String {
    format!("{:012x}", fastrand::u64(..) & 0xffff_ffff_ffff)
}

/// Ids are what [`new_id`] makes; anything else is not one of ours.
fn checked(id: &str) -> Result<&str, ApiError> {
    if !id.is_empty() && id.len() <= 32 && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(id)
    } else {
        Err(ApiError::not_found(format!("no analysis `{id}`")))
    }
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
    let query = ask.query.trim().to_owned();
    if query.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "empty_query",
            "the query is empty",
        ));
    }
    if query.chars().count() > MAX_QUERY {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "query_too_long",
            format!("the query is longer than {MAX_QUERY} characters"),
        ));
    }
    let id = new_id();
    let timeout = app.config().analysis.engine_timeout.as_secs();
    let (bus, db, root) = (app.bus.clone(), app.db.clone(), app.root.clone());
    let (spec_id, spec_query) = (id.clone(), query.clone());
    let spec = ChildSpec::worker(id.clone(), move |ctx| {
        let args = AnalysisArgs {
            id: spec_id.clone(),
            query: spec_query.clone(),
            bus: bus.clone(),
            db: Some(db.clone()),
            root: root.clone(),
            engines_path: ENGINES.to_owned(),
            forum_path: FORUM.to_owned(),
            path: ctx.path().to_owned(),
            engine_timeout: Duration::from_secs(timeout),
        };
        async move { ctx.spawn(AnalysisActor, args).await }
    })
    .restart(Restart::Temporary);
    // Recorded and started in a task of its own: a request that times out or a client that
    // goes away must not leave a record without a session, or a session the client was told
    // had failed.
    let (db, root, task_id, task_query) =
        (app.db.clone(), app.root.clone(), id.clone(), query.clone());
    let started = tokio::spawn(async move {
        let now = storage::clock::now_ms();
        // The engines run in parallel, each within the timeout; the margin covers the rest.
        let deadline = now + (timeout as i64).saturating_mul(1000) + DEADLINE_MARGIN_MS;
        db.create_analysis(&task_id, &task_query, now, deadline)
            .await?;
        if let Err(err) = root.start_child(ANALYSES, spec).await {
            let why = err.to_string();
            let _ = db
                .finish_analysis(&task_id, "failed", Some(&why), None, now)
                .await;
            return Err(ApiError::from(err));
        }
        Ok::<_, ApiError>(())
    });
    match started.await {
        Ok(result) => result?,
        Err(err) => {
            return Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "start_failed",
                format!("starting the analysis failed: {err}"),
            ))
        }
    }
    Ok(reply::json(
        StatusCode::ACCEPTED,
        &json!({
            "success": true,
            "id": id,
            "query": query,
            "status": "running",
            "topic": format!("analysis/{id}"),
            "stream": format!("/api/analysis/{id}/stream"),
            "url": format!("/api/analysis/{id}"),
        }),
    ))
}

/// `GET /api/analysis?limit=N`: the latest analyses, newest first, without their reports.
pub async fn list(app: &App, query: &str) -> ApiResult {
    let limit = super::query_limit(query, 20, 1000)?;
    let analyses: Vec<Value> = app
        .db
        .recent_analyses(limit)
        .await?
        .into_iter()
        .map(|a| {
            json!({
                "id": a.id, "query": a.query, "status": a.status, "error": a.error,
                "created_at": a.created_at, "finished_at": a.finished_at,
                "url": format!("/api/analysis/{}", a.id),
            })
        })
        .collect();
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "analyses": analyses}),
    ))
}

fn parsed(text: Option<&str>) -> Value {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(Value::Null)
}

/// `GET /api/analysis/{id}/stream`: the session's events from its start (as far as the
/// history reaches), so a client that connects after `POST` misses nothing; resumable like
/// `/api/events` with `Last-Event-ID`.
pub async fn stream(
    app: &App,
    id: &str,
    headers: &warp::http::HeaderMap,
    query: &str,
) -> ApiResult {
    let id = checked(id)?;
    let filter = events::TopicFilter::parse(&format!("analysis/{id}"))
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_id", e.to_string()))?;
    let since = match super::events::resume_cursor(headers, query)? {
        Some(cursor) => {
            app.bus
                .catch_up(Some(cursor), super::events::catch_up_within(app))
                .await;
            Some(cursor)
        }
        None => app.bus.hub().before_first(&filter),
    };
    let ending = events::Ending::After(super::events::analysis_ended);
    Ok(super::events::sse_reply(app, filter, since, ending))
}

/// `GET /api/analysis/{id}`.
pub async fn get(app: &App, id: &str) -> ApiResult {
    let id = checked(id)?;
    let Some(record) = app.db.analysis(id).await? else {
        return Err(ApiError::not_found(format!("no analysis `{id}`")));
    };
    let engines: Vec<Value> = app
        .db
        .engine_outputs_of(id)
        .await?
        .into_iter()
        .map(|o| {
            json!({
                "engine": o.engine,
                "status": o.status,
                "error": o.error,
                "markdown": o.markdown,
                "report": parsed(o.document.as_deref()),
                "output_id": o.id,
                "created_at": o.created_at,
                "finished_at": o.finished_at,
            })
        })
        .collect();
    let forum = app.db.forum_messages_of(id).await?;
    Ok(reply::json(
        StatusCode::OK,
        &json!({
            "success": true,
            "id": record.id,
            "query": record.query,
            "status": record.status,
            "error": record.error,
            "created_at": record.created_at,
            "finished_at": record.finished_at,
            "result": parsed(record.result.as_deref()),
            "engines": engines,
            "forum": forum,
        }),
    ))
}

/// `POST /api/analysis/{id}/cancel`: 200 once the session has recorded its cancellation, 202
/// when it has not yet within 10 s; 409 when it had already ended.
pub async fn cancel(app: &App, id: &str) -> ApiResult {
    let id = checked(id)?;
    let Some(record) = app.db.analysis(id).await? else {
        return Err(ApiError::not_found(format!("no analysis `{id}`")));
    };
    let ended = |status: &str| {
        ApiError::new(
            StatusCode::CONFLICT,
            "already_ended",
            format!("analysis {id} has already ended ({status})"),
        )
    };
    if record.status != "running" {
        return Err(ended(&record.status));
    }
    let (done, recorded) = tokio::sync::oneshot::channel();
    let delivered = match app.root.lookup(&format!("{ANALYSES}/{id}")).await {
        Ok(handle) => handle
            .send(AnalysisMsg::Cancel { done: Some(done) })
            .is_ok(),
        Err(supervision::SupervisorError::NotFound(_)) => false,
        Err(other) => return Err(other.into()),
    };
    if delivered {
        let _ = tokio::time::timeout(Duration::from_secs(10), recorded).await;
    } else {
        // Running in the database but no session in the tree: it ended just now, or its
        // process stopped before it could (the update only touches a running record).
        let why = "cancelled by request; its session was no longer running";
        app.db
            .finish_analysis(id, "cancelled", Some(why), None, storage::clock::now_ms())
            .await?;
    }
    let status = app
        .db
        .analysis(id)
        .await?
        .map_or_else(|| "cancelled".to_owned(), |r| r.status);
    match status.as_str() {
        "cancelled" => Ok(reply::json(
            StatusCode::OK,
            &json!({"success": true, "id": id, "status": status}),
        )),
        "running" => Ok(reply::json(
            StatusCode::ACCEPTED,
            &json!({"success": true, "id": id, "status": "cancelling"}),
        )),
        other => Err(ended(other)),
    }
}
