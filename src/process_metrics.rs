//! Process metrics (CPU, memory, file descriptors, threads) read from `/proc/self`, rendered in
//! the Prometheus text format next to the exporter's output.
//!
//! Rendered by hand rather than through the `metrics` facade because CPU time is a float
//! counter, which the facade's integer counters cannot carry.

use std::fmt::Write as _;

/// The names rendered here (what tests check `/metrics` against).
#[cfg(test)]
pub const METRIC_NAMES: &[&str] = &[
    "bettafish_process_cpu_seconds_total",
    "bettafish_process_resident_memory_bytes",
    "bettafish_process_virtual_memory_bytes",
    "bettafish_process_open_fds",
    "bettafish_process_max_fds",
    "bettafish_process_threads",
    "bettafish_process_start_time_seconds",
];

/// One reading.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct ProcessSample {
    pub cpu_seconds: f64,
    pub resident_bytes: u64,
    pub virtual_bytes: u64,
    pub open_fds: u64,
    pub max_fds: u64,
    pub threads: u64,
    pub start_time_seconds: f64,
}

/// Clock ticks per second and page size: fixed on Linux x86-64 and aarch64 for user space.
const TICKS_PER_SECOND: f64 = 100.0;
const PAGE_SIZE: u64 = 4096;

/// Reads `/proc/self`; fields that cannot be read stay zero.
pub fn sample() -> ProcessSample {
    let mut s = ProcessSample::default();
    if let Ok(stat) = std::fs::read_to_string("/proc/self/stat") {
        // Fields after the command name, which is in parentheses and may contain spaces.
        if let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) {
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let num = |i: usize| {
                fields
                    .get(i)
                    .and_then(|f| f.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            // Indices are (field number − 3): utime 14, stime 15, threads 20, starttime 22,
            // vsize 23, rss 24.
            s.cpu_seconds = (num(11) + num(12)) as f64 / TICKS_PER_SECOND;
            s.threads = num(17);
            s.virtual_bytes = num(20);
            s.resident_bytes = num(21) * PAGE_SIZE;
            if let Some(boot) = boot_time() {
                s.start_time_seconds = boot + num(19) as f64 / TICKS_PER_SECOND;
            }
        }
    }
    s.open_fds = std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count() as u64)
        .unwrap_or(0);
    if let Ok(limits) = std::fs::read_to_string("/proc/self/limits") {
        s.max_fds = limits
            .lines()
            .find(|l| l.starts_with("Max open files"))
            .and_then(|l| l.split_whitespace().nth(3))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
    }
    s
}

fn boot_time() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("btime "))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The exposition text for a sample.
pub fn render(s: &ProcessSample) -> String {
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: f64| {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
        );
    };
    metric(
        "bettafish_process_cpu_seconds_total",
        "counter",
        "User and system CPU time spent.",
        s.cpu_seconds,
    );
    metric(
        "bettafish_process_resident_memory_bytes",
        "gauge",
        "Resident memory size.",
        s.resident_bytes as f64,
    );
    metric(
        "bettafish_process_virtual_memory_bytes",
        "gauge",
        "Virtual memory size.",
        s.virtual_bytes as f64,
    );
    metric(
        "bettafish_process_open_fds",
        "gauge",
        "Open file descriptors.",
        s.open_fds as f64,
    );
    metric(
        "bettafish_process_max_fds",
        "gauge",
        "Limit of open file descriptors.",
        s.max_fds as f64,
    );
    metric(
        "bettafish_process_threads",
        "gauge",
        "OS threads.",
        s.threads as f64,
    );
    metric(
        "bettafish_process_start_time_seconds",
        "gauge",
        "Start time since the Unix epoch.",
        s.start_time_seconds,
    );
    out
}

#[cfg(test)]
mod tests {
    //! The sampler reads this very process.
    use super::*;

    #[test]
    fn samples_this_process() {
        let s = sample();
        assert!(s.resident_bytes > 1_000_000, "{s:?}");
        assert!(s.open_fds >= 3 && s.max_fds >= s.open_fds, "{s:?}");
        assert!(s.threads >= 1);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let age = now - s.start_time_seconds;
        assert!((0.0..3_600.0).contains(&age), "started {age} s ago?");
        let text = render(&s);
        for name in METRIC_NAMES {
            assert!(text.contains(&format!("# TYPE {name} ")), "{name}");
        }
    }
}
