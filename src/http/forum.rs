//! The forum over HTTP, as the original serves it: `GET /api/forum/log` (the log, raw and
//! parsed), `POST /api/forum/log/history {position, max_lines}` (a window of it), and
//! `POST /api/forum/{start,stop}` (the `root/engines/forum` actor).

use actors::tree::FORUM_PATH as FORUM;
use serde_json::json;
use warp::http::StatusCode;

use super::reply::{self, ApiError, ApiResult};
use crate::service::App;

fn lines(app: &App) -> Result<Vec<String>, ApiError> {
    let path = app.config().forum.log_path.clone();
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text.lines().map(str::to_owned).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "forum_log_unreadable",
            format!("{}: {e}", path.display()),
        )),
    }
}

fn parsed(lines: &[String]) -> Vec<serde_json::Value> {
    lines
        .iter()
        .filter_map(|l| actors::forum::line::parse(l))
        .map(|l| json!({"timestamp": l.time, "source": l.source, "session": l.session, "content": l.content}))
        .collect()
}

/// `GET /api/forum/log`.
pub fn log(app: &App) -> ApiResult {
    let lines = lines(app)?;
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "log_lines": lines, "parsed_messages": parsed(&lines), "total_lines": lines.len()}),
    ))
}

/// `POST /api/forum/log/history {position, max_lines}`: lines from `position` (0-based).
pub fn history(app: &App, body: &[u8]) -> ApiResult {
    #[derive(serde::Deserialize)]
    struct Window {
        #[serde(default)]
        position: usize,
        #[serde(default = "default_max")]
        max_lines: usize,
    }
    fn default_max() -> usize {
        1000
    }
    let window: Window = if body.iter().all(u8::is_ascii_whitespace) {
        Window {
            position: 0,
            max_lines: default_max(),
        }
    } else {
        serde_json::from_slice(body).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_window",
                format!("expected {{\"position\": n, \"max_lines\": n}}: {e}"),
            )
        })?
    };
    let all = lines(app)?;
    let end = window
        .position
        .saturating_add(window.max_lines.min(10_000))
        .min(all.len());
    let slice = all
        .get(window.position.min(all.len())..end)
        .unwrap_or_default()
        .to_vec();
    Ok(reply::json(
        StatusCode::OK,
        &json!({
            "success": true,
            "log_lines": slice,
            "parsed_messages": parsed(&slice),
            "position": end,
            "total_lines": all.len(),
            "has_more": end < all.len(),
        }),
    ))
}

/// `POST /api/forum/start` and `/stop`.
pub async fn command(app: &App, start: bool) -> ApiResult {
    if start {
        app.root.start(FORUM).await?;
    } else {
        app.root.stop(FORUM).await?;
    }
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "forum": if start { "started" } else { "stopped" }}),
    ))
}
