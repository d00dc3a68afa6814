//! `GET /api/config` (secrets masked) and `POST /api/config` (allow-listed keys, validated,
//! written atomically to `.env`, reloaded; the actors whose settings changed are restarted
//! through the supervisor).

use std::collections::BTreeMap;
use std::time::Duration;

use ractor::rpc::CallResult;
use serde_json::json;
use warp::http::StatusCode;

use super::reply::{self, ApiError, ApiResult};
use crate::config::ConfigError;
use crate::service::config_actor::ConfigMsg;
use crate::service::App;

/// How long the config actor may take to write and reload.
const APPLY_TIMEOUT: Duration = Duration::from_secs(10);

pub fn get(app: &App) -> ApiResult {
    let config = app.config();
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "keys": config.describe()}),
    ))
}

/// Parses the body: a JSON object of string values (numbers and booleans are accepted and
/// written as text).
fn parse_changes(body: &[u8]) -> Result<BTreeMap<String, String>, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            format!("malformed JSON: {e}"),
        )
    })?;
    let object = value.as_object().ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_shape",
            "expected an object of KEY: value",
        )
    })?;
    if object.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_shape",
            "no keys given",
        ));
    }
    object
        .iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "bad_shape",
                        format!("{k}: values must be strings, numbers or booleans"),
                    ))
                }
            };
            Ok((k.clone(), text))
        })
        .collect()
}

pub async fn post(app: &App, body: &[u8]) -> ApiResult {
    let changes = parse_changes(body)?;
    let handle = app
        .root
        .lookup(actors::tree::infra::CONFIG_PATH)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    let cell = handle
        .current()
        .ok_or_else(|| ApiError::unavailable("the config actor is restarting"))?;
    let actor: ractor::ActorRef<ConfigMsg> = cell.into();
    let applied = match actor
        .call(
            |reply| ConfigMsg::Apply { changes, reply },
            Some(APPLY_TIMEOUT),
        )
        .await
    {
        Ok(CallResult::Success(result)) => result.map_err(|err| match err {
            ConfigError::NotSettable(_) => {
                ApiError::new(StatusCode::FORBIDDEN, "not_settable", err.to_string())
            }
            ConfigError::Invalid { .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_value",
                err.to_string(),
            ),
            ConfigError::Dotenv(crate::config::dotenv::DotenvError::Io { .. }) => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "write_failed",
                err.to_string(),
            ),
            other => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_config",
                other.to_string(),
            ),
        })?,
        _ => return Err(ApiError::unavailable("the config actor did not answer")),
    };
    // Restart exactly the actors whose settings changed, where they exist yet.
    let tree = app.root.snapshot().await?;
    let mut restarted = Vec::new();
    for path in applied.actors_to_restart() {
        if tree.find(path).is_some() {
            app.root.restart(path).await?;
            restarted.push(path);
        }
    }
    Ok(reply::json(
        StatusCode::OK,
        &json!({
            "success": true,
            "changed": applied.changed.iter().map(|k| k.name).collect::<Vec<_>>(),
            "restarted": restarted,
            "needs_process_restart": applied.needs_process_restart(),
            "overridden_by_environment": applied.overridden,
        }),
    ))
}
