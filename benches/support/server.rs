//! The release binary started for a benchmark: a fresh directory, a free port, the bench
//! token, quiet logs; killed when dropped. Included by path by each bench that needs it.

#![allow(dead_code)] // each bench uses part of it

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_bettafish");
pub const TOKEN: &str = "bench-token";

pub struct Server {
    pub child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts it and waits until it accepts connections.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(BIN)
            .current_dir(dir.path())
            .env("PORT", port.to_string())
            .env("BETTAFISH_LOG", "warn")
            .env("BETTAFISH_OPERATOR_TOKEN", TOKEN)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the server did not start");
            std::thread::sleep(Duration::from_millis(10));
        }
        Self {
            child,
            port,
            _dir: dir,
        }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
