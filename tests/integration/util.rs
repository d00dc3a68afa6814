//! The server fixture: runs the real binary in a temporary directory with `PORT=0`, learns its
//! address from the start-up log, and offers a small HTTP client; the process is killed when
//! the fixture is dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::eventually::eventually;

pub const BIN: &str = env!("CARGO_BIN_EXE_bettafish");

pub struct Server {
    pub dir: tempfile::TempDir,
    pub child: Child,
    pub base: String,
    pub token: String,
    log: Arc<Mutex<Vec<String>>>,
    agent: ureq::Agent,
}

pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The error code of a failure body.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

impl Server {
    /// Starts the binary with `env` (on top of `PORT=0` and a data dir in the temp dir).
    pub fn start(env: &[(&str, &str)]) -> Self {
        Self::start_in(tempfile::tempdir().unwrap(), env)
    }

    /// Starts it in `dir` (which may hold a `.env` or `bettafish.toml` already).
    pub fn start_in(dir: tempfile::TempDir, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(BIN);
        command
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("PORT", "0")
            .env("BETTAFISH_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (address_tx, address_rx) = mpsc::channel();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains(" serving ") {
                    if let Some(addr) = line.split("address=").nth(1) {
                        let _ = address_tx.send(addr.trim().to_owned());
                    }
                }
                lines.lock().unwrap().push(line);
            }
        });
        let address = match address_rx.recv_timeout(Duration::from_secs(20)) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "server did not start; log:\n{}",
                    log.lock().unwrap().join("\n")
                );
            }
        };
        let token = std::fs::read_to_string(dir.path().join("data/operator.token"))
            .map(|t| t.trim().to_owned())
            .unwrap_or_else(|_| {
                env.iter()
                    .find(|(k, _)| *k == "BETTAFISH_OPERATOR_TOKEN")
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_default()
            });
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Self {
            dir,
            child,
            base: format!("http://{address}"),
            token,
            log,
            agent,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    fn finish(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
        let response = response.unwrap();
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        let body = response.into_body().read_to_string().unwrap_or_default();
        Answer {
            status,
            headers,
            body,
        }
    }

    /// `method` (GET or POST) with the operator token and, for POST, `body`. The body of an
    /// event stream is not read (it would not end): its answer has the head and an empty body.
    pub fn call(&self, method: &str, path: &str, body: &str) -> Answer {
        let url = format!("{}{path}", self.base);
        let bearer = format!("Bearer {}", self.token);
        let response = match method {
            "GET" => self.agent.get(url).header("Authorization", bearer).call(),
            "POST" => self
                .agent
                .post(url)
                .header("Authorization", bearer)
                .header("Content-Type", "application/json")
                .send(body),
            other => panic!("no client for {other}"),
        };
        let streams = response.as_ref().is_ok_and(|r| {
            r.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/event-stream"))
        });
        if streams {
            let response = response.unwrap();
            return Answer {
                status: response.status().as_u16(),
                headers: Vec::new(),
                body: String::new(),
            };
        }
        Self::finish(response)
    }

    /// GET without a token.
    pub fn get(&self, path: &str) -> Answer {
        Self::finish(self.agent.get(format!("{}{path}", self.base)).call())
    }

    /// GET with `Authorization: Bearer token`.
    pub fn get_as(&self, path: &str, token: &str) -> Answer {
        Self::finish(
            self.agent
                .get(format!("{}{path}", self.base))
                .header("Authorization", format!("Bearer {token}"))
                .call(),
        )
    }

    /// POST with the operator token and a raw body.
    pub fn post_raw(&self, path: &str, token: Option<&str>, body: &str) -> Answer {
        let mut request = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Content-Type", "application/json");
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        Self::finish(request.send(body))
    }

    /// POST a JSON value with the operator token.
    pub fn post(&self, path: &str, body: &Value) -> Answer {
        self.post_raw(path, Some(&self.token.clone()), &body.to_string())
    }

    /// Publishes a `tick` event with `data` on `topic` from outside; its id.
    pub fn publish(&self, topic: &str, data: &Value) -> String {
        let answer = self.post(
            &format!("/api/events/{topic}"),
            &serde_json::json!({"type": "tick", "data": data}),
        );
        assert_eq!(answer.status, 202, "{}", answer.body);
        answer.json()["id"].as_str().unwrap().to_owned()
    }

    /// A node of `GET /api/actors`.
    pub fn node(&self, path: &str) -> Value {
        self.find_node(path)
            .unwrap_or_else(|| panic!("no node {path} in the tree"))
    }

    /// A node of `GET /api/actors`, if the tree has it.
    pub fn find_node(&self, path: &str) -> Option<Value> {
        let tree = self.get("/api/actors").json()["tree"].clone();
        fn find(node: &Value, path: &str) -> Option<Value> {
            if node["path"] == path {
                return Some(node.clone());
            }
            node["children"]
                .as_array()?
                .iter()
                .find_map(|c| find(c, path))
        }
        find(&tree, path)
    }

    /// The value of one sample in `/metrics`, e.g. `bettafish_actor_restarts_total{path="x"}`.
    pub fn metric(&self, series: &str) -> Option<f64> {
        self.get("/metrics")
            .body
            .lines()
            .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
    }

    /// Waits until `/metrics` shows `series` at `value`, for at most `within`.
    pub fn wait_for_metric(&self, series: &str, value: f64, within: Duration) {
        eventually(&format!("{series} to be {value}"), within, || {
            let now = self.metric(series);
            if now == Some(value) {
                Ok(())
            } else {
                Err(now)
            }
        });
    }

    /// Sends a signal to the process.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit, up to `limit` (failing the test after it); its exit
    /// code, None if a signal ended it.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let child = &mut self.child;
        let status = eventually("the server to exit", limit, || child.try_wait().unwrap());
        status.code()
    }

    /// Runs `bettafish ctl ARGS` from the server's directory, against this server.
    pub fn ctl(&self, args: &[&str]) -> std::process::Output {
        Command::new(BIN)
            .current_dir(self.dir.path())
            .env_clear()
            .env("BETTAFISH_URL", &self.base)
            .arg("ctl")
            .args(args)
            .output()
            .unwrap()
    }

    pub fn env_file(&self) -> PathBuf {
        self.dir.path().join(".env")
    }
}

impl Server {
    /// Kills the process (SIGKILL: nothing is recorded on the way out) and hands back its
    /// directory, for another server to start in.
    pub fn kill_for_restart(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // A failed test shows what the server said, and whether it was still alive.
            let exited = self.child.try_wait().ok().flatten();
            eprintln!(
                "server exit status: {exited:?}\nserver log:\n{}",
                self.log()
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
