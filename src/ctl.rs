//! `bettafish ctl`: the operator's command line against a running server's HTTP API, with
//! readable tables by default, `--json` for scripts, and a non-zero exit carrying the server's
//! error message when a command fails.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use serde_json::Value;
use supervision::Operation;

use crate::cli::{ConfigCommand, CtlArgs, CtlCommand};
use crate::config::{Config, Inputs};

/// A failed command: what the server said, for the exit message.
#[derive(Debug, thiserror::Error)]
#[error("{message} ({code}, HTTP {status})")]
pub struct ServerError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

struct Client {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
}

impl Client {
    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> anyhow::Result<Value> {
        let url = format!("{}{}", self.base.trim_end_matches('/'), path);
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        let response = match (method, body) {
            ("GET", _) => {
                let mut req = self.agent.get(&url);
                if let Some(auth) = &auth {
                    req = req.header("Authorization", auth);
                }
                req.call()
            }
            (_, body) => {
                let mut req = self.agent.post(&url);
                if let Some(auth) = &auth {
                    req = req.header("Authorization", auth);
                }
                match body {
                    Some(body) => req.send_json(body),
                    None => req.send_empty(),
                }
            }
        }
        .with_context(|| format!("cannot reach the service at {}", self.base))?;
        let status = response.status().as_u16();
        let text = response
            .into_body()
            .read_to_string()
            .context("reading the service's answer")?;
        let value: Value = serde_json::from_str(&text).with_context(|| {
            format!("the service answered HTTP {status} with something that is not JSON")
        })?;
        if !(200..300).contains(&status) || value["success"] == Value::Bool(false) {
            return Err(ServerError {
                status,
                code: value["error"]["code"]
                    .as_str()
                    .unwrap_or("error")
                    .to_owned(),
                message: value["error"]["message"]
                    .as_str()
                    .unwrap_or("request failed")
                    .to_owned(),
            }
            .into());
        }
        Ok(value)
    }
}

fn defaults() -> (String, Option<String>) {
    let inputs = Inputs::from_process();
    match Config::load(&inputs) {
        Ok(config) => {
            let host = if config.host == "0.0.0.0" || config.host == "::" {
                "127.0.0.1".to_owned()
            } else {
                config.host.clone()
            };
            let token = config.operator_token.clone().or_else(|| {
                std::fs::read_to_string(config.data_dir.join("operator.token"))
                    .ok()
                    .map(|t| t.trim().to_owned())
            });
            (format!("http://{host}:{}", config.port), token)
        }
        Err(_) => ("http://127.0.0.1:5000".to_owned(), None),
    }
}

/// Runs one `ctl` command, printing its result.
///
/// # Errors
/// The service is unreachable or answered with an error ([`ServerError`]).
pub fn run(args: CtlArgs) -> anyhow::Result<()> {
    let (default_url, default_token) = defaults();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let client = Client {
        agent,
        base: args.url.unwrap_or(default_url),
        token: args.token.or(default_token),
    };
    let (value, table) = match args.command {
        CtlCommand::Status => {
            let v = client.request("GET", "/api/system/status", None)?;
            let t = status_table(&v);
            (v, t)
        }
        CtlCommand::Actors => {
            let v = client.request("GET", "/api/actors", None)?;
            let t = tree_table(&v["tree"]);
            (v, t)
        }
        CtlCommand::Restart { path } => command(&client, &path, Operation::Restart)?,
        CtlCommand::Stop { path } => command(&client, &path, Operation::Stop)?,
        CtlCommand::Start { path } => command(&client, &path, Operation::Start)?,
        CtlCommand::Config {
            command: ConfigCommand::Get { key },
        } => {
            let v = client.request("GET", "/api/config", None)?;
            let t = config_table(&v, key.as_deref())?;
            (v, t)
        }
        CtlCommand::Config {
            command: ConfigCommand::Set { pairs },
        } => {
            let mut changes = BTreeMap::new();
            for pair in pairs {
                let (k, v) = pair
                    .split_once('=')
                    .ok_or_else(|| anyhow!("`{pair}` is not KEY=VALUE"))?;
                changes.insert(k.trim().to_owned(), Value::String(v.to_owned()));
            }
            let v = client.request(
                "POST",
                "/api/config",
                Some(&Value::Object(changes.into_iter().collect())),
            )?;
            let t = set_summary(&v);
            (v, t)
        }
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print!("{table}");
    }
    Ok(())
}

fn command(client: &Client, path: &str, command: Operation) -> anyhow::Result<(Value, String)> {
    if path.is_empty() || path.contains("..") {
        bail!("`{path}` is not an actor path");
    }
    let v = client.request(
        "POST",
        &format!("/api/actors/{}/{command}", path.trim_matches('/')),
        None,
    )?;
    let node = &v["node"];
    let summary = format!(
        "{command}: {} is {} (restarts: {})\n",
        v["path"].as_str().unwrap_or(path),
        node["state"].as_str().unwrap_or("?"),
        node["restarts"]
    );
    Ok((v, summary))
}

fn status_table(v: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "version   {}", v["version"].as_str().unwrap_or("?"));
    let _ = writeln!(out, "uptime    {} s", v["uptime_secs"]);
    if let Some(actors) = v["actors"].as_object() {
        let states: Vec<String> = actors.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let _ = writeln!(out, "actors    {}", states.join(", "));
    }
    out
}

fn tree_table(tree: &Value) -> String {
    fn walk(node: &Value, depth: usize, rows: &mut Vec<[String; 5]>) {
        let uptime = node["uptime_ms"]
            .as_u64()
            .map(|ms| format!("{} s", ms / 1000))
            .unwrap_or_default();
        rows.push([
            format!(
                "{}{}",
                "  ".repeat(depth),
                node["path"].as_str().unwrap_or("?")
            ),
            node["state"].as_str().unwrap_or("?").to_owned(),
            node["restarts"].to_string(),
            uptime,
            node["last_failure"]["reason"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
        ]);
        if let Some(children) = node["children"].as_array() {
            for child in children {
                walk(child, depth + 1, rows);
            }
        }
    }
    let mut rows = vec![["PATH", "STATE", "RESTARTS", "UPTIME", "LAST FAILURE"].map(str::to_owned)];
    walk(tree, 0, &mut rows);
    render(&rows)
}

fn config_table(v: &Value, key: Option<&str>) -> anyhow::Result<String> {
    let keys = v["keys"].as_array().cloned().unwrap_or_default();
    if let Some(key) = key {
        let entry = keys
            .iter()
            .find(|k| k["key"] == key)
            .ok_or_else(|| anyhow!("no configuration key named `{key}`"))?;
        return Ok(format!("{}\n", entry["value"].as_str().unwrap_or("")));
    }
    let mut rows = vec![["KEY", "VALUE", "FROM"].map(str::to_owned)];
    for k in keys {
        rows.push([
            k["key"].as_str().unwrap_or("?").to_owned(),
            k["value"].as_str().unwrap_or("").to_owned(),
            k["source"].as_str().unwrap_or("").to_owned(),
        ]);
    }
    Ok(render(&rows))
}

fn set_summary(v: &Value) -> String {
    let list = |name: &str| {
        v[name]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let mut out = format!("changed: {}\n", or_none(list("changed")));
    let _ = writeln!(out, "restarted: {}", or_none(list("restarted")));
    let next = list("needs_process_restart");
    if !next.is_empty() {
        let _ = writeln!(out, "takes effect at next start: {next}");
    }
    let overridden = list("overridden_by_environment");
    if !overridden.is_empty() {
        let _ = writeln!(out, "overridden by the environment: {overridden}");
    }
    out
}

fn or_none(s: String) -> String {
    if s.is_empty() {
        "none".into()
    } else {
        s
    }
}

/// Aligned columns.
fn render<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    out
}
