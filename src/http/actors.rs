//! The supervision tree over HTTP: `GET /api/actors` and operator commands by path.

use serde_json::json;
use warp::http::StatusCode;

use supervision::Operation;

use super::reply::{self, ApiResult};
use crate::service::App;

pub async fn tree(app: &App) -> ApiResult {
    let tree = app.root.snapshot().await?;
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "tree": tree}),
    ))
}

pub async fn command(app: &App, path: &str, operation: Operation) -> ApiResult {
    app.root.operate(path, operation).await?;
    let node = app.root.snapshot_of(path).await?;
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "path": path, "command": operation.name(), "node": node}),
    ))
}
