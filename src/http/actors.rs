//! The supervision tree over HTTP: `GET /api/actors` and operator commands by path.

use serde_json::json;
use warp::http::StatusCode;

use super::reply::{self, ApiError, ApiResult};
use crate::service::App;

pub async fn tree(app: &App) -> ApiResult {
    let tree = app.root.snapshot().await?;
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "tree": tree}),
    ))
}

pub async fn command(app: &App, path: &str, command: &str) -> ApiResult {
    let result = match command {
        "restart" => app.root.restart(path).await,
        "stop" => app.root.stop(path).await,
        "start" => app.root.start(path).await,
        other => return Err(ApiError::not_found(format!("no command `{other}`"))),
    };
    result?;
    let node = app.root.snapshot_of(path).await?;
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "path": path, "command": command, "node": node}),
    ))
}
