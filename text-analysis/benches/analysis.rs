//! Built-in analysis speed: segmentation, sentiment, keywords, statistics and quotes of
//! 100,000 posts made from the sample corpus's sentences (Chinese and English). Target on
//! this machine: ≤ 5 s. Run: `cargo bench -p text-analysis --bench analysis` (`ANALYSIS_POSTS=N`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark aborts on setup failure

use std::time::Instant;

fn main() {
    let n: usize = std::env::var("ANALYSIS_POSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let corpus = storage::sample::corpus().unwrap();
    let sentences = storage::sample::sentences().unwrap();
    let mut rng = fastrand::Rng::with_seed(7);
    let posts: Vec<storage::model::Post> = (0..n)
        .map(|i| {
            let mut p = corpus.posts[i % corpus.posts.len()].clone();
            p.platform_id = format!("bench-{i}");
            p.body = (0..1 + rng.usize(0..3))
                .map(|_| sentences[rng.usize(0..sentences.len())].as_str())
                .collect::<Vec<_>>()
                .join("。");
            p.liked_count = (rng.f64().powi(4) * 50_000.0) as i64;
            p
        })
        .collect();
    let chars: usize = posts.iter().map(|p| p.body.chars().count()).sum();
    // The first call loads jieba's dictionary; count it, as a cold engine would.
    let began = Instant::now();
    let analysis = text_analysis::analyse(&posts, 20, 10);
    let took = began.elapsed();
    println!("| posts | characters | time | posts/s |");
    println!("|---|---|---|---|");
    println!(
        "| {} | {} | {:.2} s | {:.0} |",
        analysis.posts,
        chars,
        took.as_secs_f64(),
        analysis.posts as f64 / took.as_secs_f64()
    );
}
