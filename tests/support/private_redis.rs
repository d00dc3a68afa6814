//! A private `redis-server` on a port of the test's choosing, to kill and restart at will
//! (the shared one stays up for the other tests). Included by path by the binary's
//! integration tests and by the storage crate's, so the fixture is written once. Both
//! include `eventually.rs` as `crate::integration::eventually`, which this uses.

#![allow(dead_code)] // each includer uses part of it

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::integration::eventually::eventually;

pub struct PrivateRedis {
    child: Child,
    pub port: u16,
}

impl PrivateRedis {
    /// Starts it and waits until it takes connections.
    pub fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed where REDIS_URL is set");
        eventually(
            "the private redis to take connections",
            Duration::from_secs(10),
            || std::net::TcpStream::connect(("127.0.0.1", port)),
        );
        Self { child, port }
    }

    /// Freezes it (SIGSTOP): connections stay open and nothing answers, as in a network cut.
    pub fn pause(&self) {
        self.signal("STOP");
    }

    /// Thaws it (SIGCONT), with its data: the cut is over.
    pub fn resume(&self) {
        self.signal("CONT");
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill is installed");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Kills it (an outage).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
