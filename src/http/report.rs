//! Report tasks over HTTP, on the original's paths under `/api/report`: `status`, `generate`,
//! `progress/{id}`, `stream/{id}` (SSE, [`stream`]), `result/{id}` (the HTML report),
//! `result/{id}/json`, `download/{id}`, `cancel/{id}`, `templates`, `log`, `log/clear`,
//! `export/md/{id}`, `export/pdf/{id}` ([`pdf`]); and `tasks`, the history in pages. Each
//! handler parses, calls [`actors::reports::ReportTasks`] and serialises.

pub mod pdf;
pub mod stream;

use actors::reports::output::Format;
use actors::reports::{Cancellation, GenerateRequest, ReportError, ReportId};
use serde::{Deserialize, Serialize};
use storage::reports::PageCursor;
use warp::http::{HeaderValue, StatusCode};

use super::query;
use super::reply::{self, success, ApiError, ApiResult};
use crate::service::App;

impl From<ReportError> for ApiError {
    fn from(err: ReportError) -> Self {
        let (status, code) = match err {
            ReportError::Storage(err) => return err.into(),
            ReportError::NothingToReport => (StatusCode::BAD_REQUEST, "bad_request"),
            ReportError::EmptyQuery => (StatusCode::BAD_REQUEST, "empty_query"),
            ReportError::QueryTooLong { .. } => (StatusCode::BAD_REQUEST, "query_too_long"),
            ReportError::ControlCharacter(_) => (StatusCode::BAD_REQUEST, "control_character"),
            ReportError::UnknownTemplate(_) => (StatusCode::BAD_REQUEST, "unknown_template"),
            ReportError::BadTemplate(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_template"),
            ReportError::NoAnalysis(_) => (StatusCode::NOT_FOUND, "no_analysis"),
            ReportError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ReportError::AlreadyEnded { .. } => (StatusCode::CONFLICT, "already_ended"),
            ReportError::NotReady { .. } => (StatusCode::CONFLICT, "not_ready"),
            ReportError::QueueFull { .. } => (StatusCode::SERVICE_UNAVAILABLE, "queue_full"),
        };
        ApiError::new(status, code, err.to_string())
    }
}

/// `GET /api/report/status`: the report engine's tasks by status, and this instance's room.
pub async fn status(app: &App) -> ApiResult {
    let counts = app.reports.counts().await?;
    #[derive(Serialize)]
    struct Answer {
        tasks: serde_json::Map<String, serde_json::Value>,
        max_running: usize,
        templates: usize,
    }
    Ok(success(
        StatusCode::OK,
        Answer {
            tasks: counts
                .into_iter()
                .map(|(s, n)| (s.as_str().to_owned(), n.into()))
                .collect(),
            max_running: app.config().reports.max_running,
            templates: app.reports.templates().all().len(),
        },
    ))
}

/// `POST /api/report/generate {query | analysis_id, template, custom_template}`: 202 with the
/// task, pending.
pub async fn generate(app: &App, body: &[u8]) -> ApiResult {
    let ask: GenerateRequest = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("expected {{\"query\": string}} or {{\"analysis_id\": string}}, with optional \"template\" and \"custom_template\": {e}"),
        )
    })?;
    let task = app.reports.generate(ask).await?;
    // `task_id` and `stream_url` as the original answers them, beside the task itself.
    #[derive(Serialize)]
    struct Answer {
        task_id: String,
        stream_url: String,
        #[serde(flatten)]
        task: actors::reports::TaskView,
    }
    Ok(success(
        StatusCode::ACCEPTED,
        Answer {
            task_id: task.task.id.clone(),
            stream_url: task.stream.clone(),
            task,
        },
    ))
}

/// `GET /api/report/progress/{id}`.
pub async fn progress(app: &App, id: &str) -> ApiResult {
    let id = ReportId::parse(id)?;
    Ok(success(StatusCode::OK, app.reports.get(&id).await?))
}

/// `GET /api/report/stream/{id}`: 404 for an unknown task, else the SSE stream.
pub async fn stream(
    app: &App,
    id: &str,
    headers: &warp::http::HeaderMap,
    query: &str,
) -> ApiResult {
    let id = ReportId::parse(id)?;
    let (status, _) = app.reports.status(&id).await?;
    let after = resume_seq(headers, query)?;
    if status.is_final() && app.reports.events_after(&id, after, 1).await?.is_empty() {
        // An ended task with nothing after the client's cursor: 204 tells an `EventSource` to
        // stop reconnecting.
        return Ok(reply::with_type(
            StatusCode::NO_CONTENT,
            "",
            "text/event-stream",
        ));
    }
    use warp::Reply as _;
    let mut response = warp::reply::stream(stream::body(app, id, after)).into_response();
    let h = response.headers_mut();
    h.insert(
        "content-type",
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert("cache-control", HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// The sequence number to resume after: `Last-Event-ID` or `?last_event_id=`; 0 (the whole
/// task) when there is none or it is not a number.
fn resume_seq(headers: &warp::http::HeaderMap, query: &str) -> Result<i64, ApiError> {
    let given = match headers.get("last-event-id") {
        Some(value) => value.to_str().ok().map(str::to_owned),
        None => query::parse::<Vec<(String, String)>>(query)?
            .into_iter()
            .find(|(k, _)| k == "last_event_id")
            .map(|(_, v)| v),
    };
    Ok(given
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|n| *n >= 0)
        .unwrap_or(0))
}

async fn output(app: &App, id: &str, format: Format, attachment: bool) -> ApiResult {
    let id = ReportId::parse(id)?;
    let text = app.reports.output(&id, format).await?;
    let mut response = reply::with_type(StatusCode::OK, text, format.content_type());
    if attachment {
        let name = format!(
            "attachment; filename=\"report-{}.{}\"",
            id.as_str(),
            match format {
                Format::Html => "html",
                Format::Markdown => "md",
                Format::Json => "json",
            }
        );
        if let Ok(value) = HeaderValue::from_str(&name) {
            response.headers_mut().insert("content-disposition", value);
        }
    }
    // The report is ours, but its text is the internet's: no script runs in it, whatever it
    // holds.
    response.headers_mut().insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src data:"),
    );
    Ok(response)
}

/// `GET /api/report/result/{id}`: the HTML report (409 until it is completed).
pub async fn result(app: &App, id: &str) -> ApiResult {
    output(app, id, Format::Html, false).await
}

/// `GET /api/report/result/{id}/json`: the report's document.
pub async fn result_json(app: &App, id: &str) -> ApiResult {
    output(app, id, Format::Json, false).await
}

/// `GET /api/report/download/{id}`: the HTML report as a file.
pub async fn download(app: &App, id: &str) -> ApiResult {
    output(app, id, Format::Html, true).await
}

/// `GET /api/report/export/md/{id}`: the Markdown report as a file.
pub async fn export_md(app: &App, id: &str) -> ApiResult {
    output(app, id, Format::Markdown, true).await
}

/// `POST /api/report/cancel/{id}`: 200 once recorded, 202 while its instance stops it, 409 when
/// it had ended.
pub async fn cancel(app: &App, id: &str) -> ApiResult {
    let id = ReportId::parse(id)?;
    let (status, said) = match app.reports.cancel(&id).await? {
        Cancellation::Recorded => (StatusCode::OK, "cancelled"),
        Cancellation::Pending => (StatusCode::ACCEPTED, "cancelling"),
    };
    Ok(success(
        status,
        serde_json::json!({"id": id.as_str(), "status": said}),
    ))
}

/// `GET /api/report/templates`: every built-in template, both languages.
pub fn templates(app: &App) -> ApiResult {
    Ok(success(
        StatusCode::OK,
        serde_json::json!({"templates": app.reports.template_list()}),
    ))
}

/// `GET /api/report/log?limit=N`: the report engine's log, last lines.
pub async fn log(app: &App, query: &str) -> ApiResult {
    let limit = query::query_limit(query, 200, 2_000)?;
    let log = app.reports.log().clone();
    let lines = tokio::task::spawn_blocking(move || log.tail(limit as usize))
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?
        .map_err(|e| ApiError::unavailable(format!("the report log could not be read: {e}")))?;
    Ok(success(
        StatusCode::OK,
        serde_json::json!({"log_lines": lines}),
    ))
}

/// `POST /api/report/log/clear`.
pub async fn log_clear(app: &App) -> ApiResult {
    let log = app.reports.log().clone();
    tokio::task::spawn_blocking(move || log.clear())
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?
        .map_err(|e| ApiError::unavailable(format!("the report log could not be cleared: {e}")))?;
    Ok(success(
        StatusCode::OK,
        serde_json::json!({"cleared": true}),
    ))
}

/// `?limit=&before=<created_at>:<id>`: a history page.
#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    before: Option<String>,
}

/// `GET /api/report/tasks?limit=N&before=CURSOR`: the history, newest first, a page at a time;
/// `next` is the cursor of the page after, absent on the last.
pub async fn tasks(app: &App, query_text: &str) -> ApiResult {
    let limit = query::query_limit(query_text, 50, 500)?;
    let page: PageQuery =
        serde_urlencoded::from_str(query_text).unwrap_or(PageQuery { before: None });
    let cursor = match page.before.as_deref() {
        None | Some("") => None,
        Some(text) => Some(parse_cursor(text).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_cursor",
                "`before` is the `next` of a page: <created_at>:<id>",
            )
        })?),
    };
    let tasks = app.reports.list(cursor.as_ref(), limit).await?;
    let next = (tasks.len() == limit as usize)
        .then(|| tasks.last().map(|t| format!("{}:{}", t.created_at, t.id)))
        .flatten();
    Ok(success(
        StatusCode::OK,
        serde_json::json!({"tasks": tasks, "next": next}),
    ))
}

fn parse_cursor(text: &str) -> Option<PageCursor> {
    let (at, id) = text.split_once(':')?;
    let id = ReportId::parse(id).ok()?;
    Some(PageCursor {
        created_at: at.parse().ok()?,
        id: id.as_str().to_owned(),
    })
}
