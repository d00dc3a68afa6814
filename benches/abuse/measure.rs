//! What the harness measures during an attack: the `/healthz` latency seen by a prober that
//! opens a fresh connection 20 times a second (as a load balancer does), the server's memory
//! (its resident set now, and its peak: `VmHWM`, so a short spike between samples still
//! counts — each attack gets a fresh server), and how long the attack's connections stay
//! open before the server closes them.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longest a probe may take before it counts as failed (a load balancer's timeout).
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);
/// Time between probes.
const PROBE_EVERY: Duration = Duration::from_millis(50);

/// `/healthz` latencies seen during an attack.
#[derive(Default, Clone)]
pub struct Latencies {
    pub ok: Vec<Duration>,
    pub failed: usize,
}

impl Latencies {
    /// The `q` quantile, counting failures as slower than anything.
    pub fn quantile(&self, q: f64) -> Option<Duration> {
        let total = self.ok.len() + self.failed;
        if total == 0 {
            return None;
        }
        let mut sorted = self.ok.clone();
        sorted.sort();
        let rank = ((total as f64 * q).ceil() as usize).clamp(1, total) - 1;
        sorted.get(rank).copied()
    }

    /// p99 within `limit`, failures counted.
    pub fn p99_within(&self, limit: Duration) -> bool {
        self.quantile(0.99).is_some_and(|p| p <= limit)
    }

    pub fn summary(&self) -> String {
        let ms = |d: Option<Duration>| match d {
            Some(d) => format!("{:.1}", d.as_secs_f64() * 1e3),
            None => "fail".into(),
        };
        let max = self.ok.iter().max().copied();
        let mut text = format!(
            "{} / {} / {} ms",
            ms(self.quantile(0.5)),
            ms(self.quantile(0.99)),
            ms(max)
        );
        if self.failed > 0 {
            text.push_str(&format!(
                ", {} of {} failed",
                self.failed,
                self.ok.len() + self.failed
            ));
        }
        text
    }
}

/// One probe: a new connection, `GET /healthz`, the whole answer.
async fn probe(port: u16) -> Option<Duration> {
    let began = Instant::now();
    let answer = tokio::time::timeout(PROBE_TIMEOUT, async {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .await
            .ok()?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.ok()?;
        answer.starts_with(b"HTTP/1.1 200").then_some(())
    })
    .await;
    matches!(answer, Ok(Some(()))).then(|| began.elapsed())
}

/// Probes `/healthz` until finished.
pub struct Prober {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<Latencies>,
}

impl Prober {
    pub fn start(port: u16) -> Self {
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            let mut seen = Latencies::default();
            let mut tick = tokio::time::interval(PROBE_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stopped.changed() => break,
                }
                match probe(port).await {
                    Some(took) => seen.ok.push(took),
                    None => seen.failed += 1,
                }
            }
            seen
        });
        Self { stop, task }
    }

    pub async fn finish(self) -> Latencies {
        let _ = self.stop.send(true);
        self.task.await.unwrap_or_default()
    }
}

fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Resident memory now, in MB.
pub fn rss_mb(pid: u32) -> f64 {
    status_kb(pid, "VmRSS:") as f64 / 1024.0
}

/// The peak resident memory so far, in MB.
pub fn peak_mb(pid: u32) -> f64 {
    status_kb(pid, "VmHWM:") as f64 / 1024.0
}

/// Open file descriptors of `pid`.
pub fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// How long attack connections stayed open: each one's time from its last byte sent (or its
/// connect) to the server closing it, or `None` if it was still open at the bound.
#[derive(Clone, Default)]
pub struct Held {
    times: Arc<Mutex<Vec<Option<Duration>>>>,
}

impl Held {
    pub fn record(&self, time: Option<Duration>) {
        self.times.lock().unwrap().push(time);
    }

    pub fn summary(&self) -> HeldSummary {
        let times = self.times.lock().unwrap();
        HeldSummary {
            count: times.len(),
            still_open: times.iter().filter(|t| t.is_none()).count(),
            longest: times.iter().flatten().max().copied(),
        }
    }
}

#[derive(Clone, Copy)]
pub struct HeldSummary {
    pub count: usize,
    pub still_open: usize,
    pub longest: Option<Duration>,
}

impl HeldSummary {
    pub fn text(&self, bound: Duration) -> String {
        if self.still_open > 0 {
            return format!(
                "{} of {} still open after {:.0} s",
                self.still_open,
                self.count,
                bound.as_secs_f64()
            );
        }
        match self.longest {
            Some(longest) => format!("all {} within {:.1} s", self.count, longest.as_secs_f64()),
            None => "none".into(),
        }
    }

    /// Every connection closed within `limit`.
    pub fn within(&self, limit: Duration) -> bool {
        self.still_open == 0 && self.longest.is_none_or(|l| l <= limit)
    }
}

/// Waits until the server closes `stream` (reading and discarding what it sends), up to
/// `bound`; the time it took from `since`.
pub async fn closed_after(
    stream: &mut TcpStream,
    since: Instant,
    bound: Duration,
) -> Option<Duration> {
    let mut sink = [0u8; 4096];
    let until = since + bound;
    loop {
        match tokio::time::timeout_at(until.into(), stream.read(&mut sink)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(since.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}
