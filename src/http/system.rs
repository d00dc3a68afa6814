//! Health, readiness, metrics, system-wide commands and the engines' status (the original's
//! `/api/status`, `/api/start/{app}`, `/api/stop/{app}`, `/api/output/{app}`).

use std::collections::BTreeMap;
use std::sync::PoisonError;

use actors::tree::Branch;
use events::Topic;
use serde_json::json;
use supervision::{NodeSnapshot, NodeState, Operation};
use warp::http::StatusCode;

use super::reply::{self, ApiError, ApiResult};
use crate::config::{LlmEndpoint, LlmSettings};
use crate::process_metrics;
use crate::service::App;

/// The branches that `/api/system/{start,stop,restart}` act on: the workload, not the
/// infrastructure serving this request.
const WORKLOAD: [&str; 2] = [Branch::Engines.path(), Branch::Crawlers.path()];

pub fn healthz() -> ApiResult {
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "status": "alive"}),
    ))
}

pub async fn readyz(app: &App) -> ApiResult {
    let tree = match app.root.snapshot().await {
        Ok(tree) => {
            if tree
                .find(Branch::Infra.path())
                .is_some_and(|infra| infra.walk().iter().all(|n| n.state == NodeState::Running))
            {
                Ok("running")
            } else {
                Err("infrastructure actors are not all running".to_owned())
            }
        }
        Err(_) => Err("the supervision tree does not answer".to_owned()),
    };
    let database = if app.storage.ready() {
        Ok("available")
    } else {
        Err(app
            .storage
            .last_error()
            .unwrap_or_else(|| "not checked yet".to_owned()))
    };
    let ready = tree.is_ok() && database.is_ok();
    let show = |r: &Result<&str, String>| match r {
        Ok(s) => (*s).to_owned(),
        Err(e) => e.clone(),
    };
    Ok(reply::json(
        if ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        &json!({
            "success": ready,
            "ready": ready,
            "checks": {"tree": show(&tree), "database": show(&database)},
        }),
    ))
}

pub fn metrics(app: &App) -> ApiResult {
    let mut text = app.prometheus.render();
    let sample = *app
        .latest_sample
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    text.push_str(&process_metrics::render(&sample));
    Ok(reply::with_type(
        StatusCode::OK,
        text,
        "text/plain; version=0.0.4; charset=utf-8",
    ))
}

fn count_states(tree: &NodeSnapshot) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for node in tree.walk().into_iter().skip(1) {
        let name = match node.state {
            NodeState::Starting => "starting",
            NodeState::Running => "running",
            NodeState::Restarting => "restarting",
            NodeState::BackingOff => "backing_off",
            NodeState::Stopped => "stopped",
            NodeState::Failed => "failed",
        };
        *counts.entry(name).or_insert(0) += 1;
    }
    counts
}

pub async fn status(app: &App) -> ApiResult {
    let tree = app.root.snapshot().await?;
    Ok(reply::json(
        StatusCode::OK,
        &json!({
            "success": true,
            "version": env!("CARGO_PKG_VERSION"),
            "uptime_secs": app.started_at.elapsed().as_secs(),
            "started_at_ms": app.started_wall.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0),
            "actors": count_states(&tree),
            "llm": llm_endpoints(app),
            "search": search_providers(app),
            "recent_events": app.telemetry.recent(),
        }),
    ))
}

/// Which LLM endpoints are configured (no keys shown): without one, an engine uses built-in
/// analysis.
fn llm_endpoints(app: &App) -> serde_json::Value {
    let config = app.config();
    let endpoints: serde_json::Map<String, serde_json::Value> = LlmEndpoint::ALL
        .into_iter()
        .map(|endpoint| {
            let view = match config.llm.endpoint(endpoint) {
                Some(c) => json!({
                    "configured": true,
                    "base_url": crate::config::mask_url(&c.base_url),
                    "model": c.model,
                    "key": c.api_key.is_some(),
                }),
                None => json!({
                    "configured": false,
                    "reason": format!("{}; built-in analysis is used", LlmSettings::why_not_configured(endpoint)),
                }),
            };
            (endpoint.label().to_owned(), view)
        })
        .collect();
    serde_json::Value::Object(endpoints)
}

/// Which search providers are on, and why the others are off.
fn search_providers(app: &App) -> serde_json::Value {
    use search::Provider;
    let search = &app.config().search;
    let providers = [search.tavily(), search.bocha(), search.searxng()];
    let mut out = serde_json::Map::new();
    for provider in providers {
        let view = match &provider {
            Provider::On(_) => json!({"on": true}),
            Provider::Off { reason, .. } => json!({"on": false, "reason": reason}),
        };
        out.insert(provider.name().to_owned(), view);
    }
    out.insert(
        "local".into(),
        json!({"on": app.storage.ready(), "reason": app.storage.last_error()}),
    );
    serde_json::Value::Object(out)
}

pub async fn system_command(app: &App, operation: Operation) -> ApiResult {
    for path in WORKLOAD {
        app.root.operate(path, operation).await?;
    }
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "command": operation.name(), "paths": WORKLOAD}),
    ))
}

pub fn shutdown(app: &App) -> ApiResult {
    app.shutdown.send_replace(true);
    Ok(reply::json(
        StatusCode::ACCEPTED,
        &json!({"success": true, "message": "shutting down"}),
    ))
}

fn engine_view(node: &NodeSnapshot) -> serde_json::Value {
    json!({
        "status": node.state,
        "restarts": node.restarts,
        "last_error": node.last_failure.as_ref().map(|f| f.reason.clone()),
        "uptime_secs": node.uptime.map(|u| u.as_secs()),
    })
}

/// `/api/status`: each engine under `root/engines`.
pub async fn engines_status(app: &App) -> ApiResult {
    let engines = app.root.snapshot_of(Branch::Engines.path()).await?;
    let map: BTreeMap<&str, serde_json::Value> = engines
        .children
        .iter()
        .map(|n| (n.id.as_str(), engine_view(n)))
        .collect();
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "engines": map}),
    ))
}

async fn engine_path(app: &App, name: &str) -> Result<String, ApiError> {
    let engines = app.root.snapshot_of(Branch::Engines.path()).await?;
    if engines.children.iter().any(|n| n.id == name) {
        Ok(Branch::Engines.child(name))
    } else {
        Err(ApiError::not_found(format!("no engine named `{name}`")))
    }
}

pub async fn engine_command(app: &App, name: &str, operation: Operation) -> ApiResult {
    let path = engine_path(app, name).await?;
    app.root.operate(&path, operation).await?;
    let node = app.root.snapshot_of(&path).await?;
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "app": name, "state": engine_view(&node)}),
    ))
}

/// How many console lines `/api/output/{app}` returns without `?tail=`.
const DEFAULT_TAIL: usize = 200;

/// `/api/output/{app}?tail=N`: the engine's last console lines, from the event history (the log
/// layer puts them on `engine/<name>` as `console_output`).
pub async fn engine_output(app: &App, name: &str, query: &str) -> ApiResult {
    #[derive(serde::Deserialize)]
    struct OutputQuery {
        /// How many of the last lines.
        tail: Option<super::query::Whole<usize>>,
    }
    let OutputQuery { tail } = super::query::parse(query)?;
    let tail = tail.map_or(DEFAULT_TAIL, |super::query::Whole(n)| n);
    engine_path(app, name).await?;
    let filter = Topic::engine(name)
        .filter()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_name", e.to_string()))?;
    let lines: Vec<serde_json::Value> = app
        .bus
        .hub()
        .recent(&filter, tail)
        .iter()
        .filter(|e| &*e.kind == "console_output")
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(e.payload.get()).ok())
        .filter_map(|p| p["line"].as_str().map(|l| json!(l)))
        .collect();
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "app": name, "output": lines}),
    ))
}
