//! Report tasks, measured against the release binary with the embedded defaults (SQLite, the
//! sample corpus, no LLM keys): `POST /api/report/generate {query}` to the `completed` event on
//! its stream, for each sample topic; then 20 reports queued at once, each followed on its own
//! SSE stream from the moment it is queued — how soon each stream hears its first event (a
//! queued task is not kept waiting for news), how long each task takes once running, and how
//! long the whole queue takes with `REPORT_MAX_RUNNING` places.
//!
//! Run: `cargo bench --bench report` (`REPORT_RUNS=N` rounds over the topics, default 3;
//! `REPORT_QUEUE=N` reports at once, default 20). Prints a Markdown table.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark aborts on setup failure

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "support/server.rs"]
mod server;
use server::{agent, Server, TOKEN};

const TOPICS: [&str; 4] = server::SAMPLE_TOPICS;

fn generate(agent: &ureq::Agent, base: &str, query: &str) -> String {
    let mut response = agent
        .post(format!("{base}/api/report/generate"))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .send_json(json!({ "query": query }))
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let body: Value = response.body_mut().read_json().unwrap();
    body["id"].as_str().unwrap().to_owned()
}

/// Each event of a task's stream as it arrives: its type and when, until the terminal one.
fn follow(base: &str, task: &str) -> Vec<(String, Instant)> {
    let response = agent()
        .get(format!("{base}/api/report/stream/{task}"))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .call()
        .unwrap();
    let reader = BufReader::new(response.into_body().into_reader());
    let mut seen = Vec::new();
    for line in reader.lines().map_while(Result::ok) {
        if let Some(kind) = line.strip_prefix("event: ") {
            seen.push((kind.to_owned(), Instant::now()));
            if matches!(kind, "completed" | "error" | "cancelled") {
                break;
            }
        }
    }
    seen
}

/// The `p`th percentile of a sorted, non-empty list (zero for an empty one).
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let runs: usize = std::env::var("REPORT_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let queue: usize = std::env::var("REPORT_QUEUE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
        .max(1);
    let server = Server::start_with_sample();
    let base = server.base();
    let agent = agent();
    println!("| what | query | outcome | time |");
    println!("|---|---|---|---|");
    let mut times = Vec::new();
    for _ in 0..runs {
        for query in TOPICS {
            let began = Instant::now();
            let task = generate(&agent, &base, query);
            let events = follow(&base, &task);
            let took = began.elapsed();
            times.push(took);
            let outcome = events.last().map_or("none", |e| e.0.as_str()).to_owned();
            println!("| one report | {query} | {outcome} | {} |", ms(took));
        }
    }
    times.sort();
    println!(
        "\none offline report, generate to `completed`: median {}, max {} over {} runs\n",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 1.0)),
        times.len()
    );

    // The queue: every task followed from the moment it is queued.
    let began = Instant::now();
    let handles: Vec<_> = (0..queue)
        .map(|i| {
            let task = generate(&agent, &base, TOPICS[i % TOPICS.len()]);
            let (base, queued) = (base.clone(), Instant::now());
            std::thread::spawn(move || (queued, follow(&base, &task)))
        })
        .collect();
    let mut first_event = Vec::new();
    let mut running = Vec::new();
    let mut completed = 0;
    for handle in handles {
        let (queued, events) = handle.join().unwrap();
        if let Some((_, at)) = events.first() {
            first_event.push(at.duration_since(queued));
        }
        let start = events.iter().find(|(k, _)| k == "stage").map(|e| e.1);
        let end = events.last().map(|e| e.1);
        if let (Some(start), Some(end)) = (start, end) {
            running.push(end.duration_since(start));
        }
        completed += usize::from(events.last().is_some_and(|e| e.0 == "completed"));
    }
    let makespan = began.elapsed();
    first_event.sort();
    running.sort();
    println!("| {queue} reports queued at once | p50 | p99 | max |");
    println!("|---|---|---|---|");
    println!(
        "| queued to the stream's first event | {} | {} | {} |",
        ms(percentile(&first_event, 0.5)),
        ms(percentile(&first_event, 0.99)),
        ms(percentile(&first_event, 1.0))
    );
    println!(
        "| one task, running to `completed` | {} | {} | {} |",
        ms(percentile(&running, 0.5)),
        ms(percentile(&running, 0.99)),
        ms(percentile(&running, 1.0))
    );
    println!(
        "\n{completed}/{queue} completed; the whole queue took {}",
        ms(makespan)
    );
}
