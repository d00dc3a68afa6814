//! One attack's result, and the table they make: what was done, what `/healthz` saw, the
//! server's memory, how long the attack's connections stayed open, what the server answered,
//! and whether each goal held.

use std::time::Duration;

use super::measure::{HeldSummary, Latencies};

/// The goals every attack is held to (issue 12).
pub const HEALTHZ_P99: Duration = Duration::from_millis(100);
pub const PEAK_RSS_MB: f64 = 256.0;

/// A check of what the server answered or did.
pub struct Check {
    pub what: String,
    pub ok: bool,
}

pub fn check(what: impl Into<String>, ok: bool) -> Check {
    Check {
        what: what.into(),
        ok,
    }
}

/// One attack's measurements.
pub struct Row {
    pub name: &'static str,
    pub load: String,
    pub healthz: Option<Latencies>,
    /// Memory at the start and the peak, MB (`None` where the attack is on another process).
    pub rss: Option<(f64, f64)>,
    /// How long connections stayed open, the limit they are held to, and how long the
    /// harness waited.
    pub held: Option<(HeldSummary, Duration, Duration)>,
    pub checks: Vec<Check>,
}

impl Row {
    pub fn new(name: &'static str, load: impl Into<String>) -> Self {
        Self {
            name,
            load: load.into(),
            healthz: None,
            rss: None,
            held: None,
            checks: Vec::new(),
        }
    }

    /// Every goal of this row: `/healthz` p99, peak memory, connections closed in time, checks.
    pub fn goals_met(&self) -> bool {
        self.healthz
            .as_ref()
            .is_none_or(|h| h.p99_within(HEALTHZ_P99))
            && self.rss.is_none_or(|(_, peak)| peak <= PEAK_RSS_MB)
            && self.held.is_none_or(|(held, limit, _)| held.within(limit))
            && self.checks.iter().all(|c| c.ok)
    }

    fn cells(&self) -> Vec<String> {
        let healthz = self.healthz.as_ref().map_or("—".into(), Latencies::summary);
        let rss = self.rss.map_or("—".into(), |(start, peak)| {
            format!("{start:.0} → {peak:.0}")
        });
        let held = self.held.map_or("—".into(), |(held, limit, bound)| {
            format!("{} (limit {:.1} s)", held.text(bound), limit.as_secs_f64())
        });
        let checks = self
            .checks
            .iter()
            .map(|c| format!("{} {}", if c.ok { "✓" } else { "✗" }, c.what))
            .collect::<Vec<_>>()
            .join("; ");
        vec![
            self.name.to_owned(),
            self.load.clone(),
            healthz,
            rss,
            held,
            checks,
            if self.goals_met() { "yes" } else { "**no**" }.to_owned(),
        ]
    }
}

pub fn print_table(rows: &[Row]) {
    println!(
        "| attack | load | `/healthz` p50 / p99 / max | RSS MB start → peak | connections closed | what the server did | goals met |"
    );
    println!("|---|---|---|---|---|---|---|");
    for row in rows {
        println!("| {} |", row.cells().join(" | "));
    }
}
