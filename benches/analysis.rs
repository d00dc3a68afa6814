//! An offline analysis, measured against the release binary: the embedded defaults (SQLite,
//! the sample corpus, no LLM keys), `POST /api/analysis {query}` for each sample topic, and the
//! time until all three engines' reports are stored (`GET /api/analysis/{id}` no longer
//! `running`), polled every 10 ms. Also the four topics' analyses at once.
//!
//! Run: `cargo bench --bench analysis` (`ANALYSIS_RUNS=N` rounds over the topics, default 3).
//! Prints a Markdown table.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark aborts on setup failure

use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "support/server.rs"]
mod server;
use server::{agent, Server, TOKEN};

const TOPICS: [&str; 4] = server::SAMPLE_TOPICS;

fn get(agent: &ureq::Agent, url: &str) -> Value {
    let mut response = agent.get(url).call().unwrap();
    response.body_mut().read_json().unwrap_or_default()
}

/// Starts an analysis of `query`; its id.
fn ask(agent: &ureq::Agent, base: &str, query: &str) -> String {
    let mut response = agent
        .post(format!("{base}/api/analysis"))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .send_json(json!({ "query": query }))
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let body: Value = response.body_mut().read_json().unwrap();
    body["id"].as_str().unwrap().to_owned()
}

/// Waits for the analysis to end; its status and the engines that reported.
fn wait(agent: &ureq::Agent, base: &str, id: &str) -> (String, usize) {
    loop {
        let record = get(agent, &format!("{base}/api/analysis/{id}"));
        if record["status"] != "running" {
            let reports = record["engines"].as_array().map_or(0, |e| {
                e.iter().filter(|e| e["markdown"].is_string()).count()
            });
            return (record["status"].as_str().unwrap_or("").to_owned(), reports);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn main() {
    let runs: usize = std::env::var("ANALYSIS_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let server = Server::start_with_sample();
    let agent = agent();
    println!("| what | query | status | reports | time |");
    println!("|---|---|---|---|---|");
    let mut times = Vec::new();
    for _ in 0..runs {
        for query in TOPICS {
            let began = Instant::now();
            let id = ask(&agent, &server.base(), query);
            let (status, reports) = wait(&agent, &server.base(), &id);
            let took = began.elapsed();
            times.push(took);
            println!(
                "| one analysis | {query} | {status} | {reports} | {:.2} s |",
                took.as_secs_f64()
            );
        }
    }
    let began = Instant::now();
    let ids: Vec<String> = TOPICS
        .iter()
        .map(|q| ask(&agent, &server.base(), q))
        .collect();
    let ended: Vec<(String, usize)> = ids
        .iter()
        .map(|id| wait(&agent, &server.base(), id))
        .collect();
    println!(
        "| {} analyses at once | all topics | {} | {} | {:.2} s |",
        TOPICS.len(),
        ended
            .iter()
            .map(|(s, _)| s.as_str())
            .collect::<Vec<_>>()
            .join(","),
        ended.iter().map(|(_, r)| r).sum::<usize>(),
        began.elapsed().as_secs_f64()
    );
    times.sort();
    println!(
        "\none analysis, request to three reports: median {:.2} s, max {:.2} s over {} runs",
        times[times.len() / 2].as_secs_f64(),
        times.last().unwrap().as_secs_f64(),
        times.len()
    );
}
