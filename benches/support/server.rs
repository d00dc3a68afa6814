//! The release binary started for a benchmark: a fresh directory, a free port, the bench
//! token, quiet logs; killed when dropped. Included by path by each bench that needs it.
//! [`Launch`] adds what the abuse harness needs: more settings, a file-descriptor limit (set
//! with util-linux `prlimit`, which execs the binary, so the child's pid is the server's),
//! files put in the data directory before start, and the log kept in a file.

#![allow(dead_code)] // each bench uses part of it

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_bettafish");

/// The binary to run: `BETTAFISH_BENCH_BIN` when set (to measure another build, e.g. the one
/// before a change), else the one cargo built with the bench.
pub fn bin() -> String {
    std::env::var("BETTAFISH_BENCH_BIN").unwrap_or_else(|_| BIN.to_owned())
}
pub const TOKEN: &str = "bench-token";

/// The sample corpus's four topics, as the analysis and report benchmarks ask about them.
pub const SAMPLE_TOPICS: [&str; 4] = [
    "极澜汽车S7电池召回",
    "江北大学食堂涨价",
    "滨海马拉松",
    "AI song imitating singer Su Nian's voice",
];

pub struct Server {
    pub child: Child,
    pub port: u16,
    /// The working directory; the data directory is `data/` in it.
    pub dir: tempfile::TempDir,
}

/// How to start the server.
#[derive(Default)]
pub struct Launch<'a> {
    /// Settings on top of the bench defaults.
    pub env: Vec<(&'a str, String)>,
    /// The soft and hard RLIMIT_NOFILE.
    pub nofile: Option<u64>,
    /// Files written under the data directory before start: (relative path, bytes).
    pub data_files: Vec<(&'a str, Vec<u8>)>,
    /// Keep the log (at `info`) in `server.log` in the working directory.
    pub keep_log: bool,
}

impl Server {
    /// Starts it and waits until it accepts connections.
    pub fn start() -> Self {
        Self::launch(Launch::default())
    }

    /// Starts it as `launch` says and waits until it accepts connections.
    pub fn launch(launch: Launch<'_>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (path, bytes) in &launch.data_files {
            let path = dir.path().join("data").join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = match launch.nofile {
            Some(n) => {
                let mut c = Command::new("prlimit");
                c.arg(format!("--nofile={n}:{n}")).arg("--").arg(bin());
                c
            }
            None => Command::new(bin()),
        };
        command
            .current_dir(dir.path())
            .env("PORT", port.to_string())
            .env(
                "BETTAFISH_LOG",
                if launch.keep_log { "info" } else { "warn" },
            )
            .env("BETTAFISH_OPERATOR_TOKEN", TOKEN)
            .stdout(Stdio::null());
        for (key, value) in &launch.env {
            command.env(key, value);
        }
        if launch.keep_log {
            let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
            command.stderr(log);
        } else {
            command.stderr(Stdio::null());
        }
        let child = command.spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the server did not start");
            std::thread::sleep(Duration::from_millis(10));
        }
        Self { child, port, dir }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts it with the defaults and waits until the sample corpus is searchable (it is
    /// loaded after start).
    pub fn start_with_sample() -> Self {
        let server = Self::start();
        let agent = agent();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let found = agent
                .get(format!(
                    "{}/api/db/search?q=marathon&limit=1",
                    server.base()
                ))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_json::<serde_json::Value>().ok());
            if found.is_some_and(|v| v["posts"].as_array().is_some_and(|p| !p.is_empty())) {
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "the sample corpus was not loaded"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The kept log (empty unless started with `keep_log`).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP agent that answers every status rather than failing on 4xx/5xx.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}
