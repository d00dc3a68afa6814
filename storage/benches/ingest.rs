//! Ingest and search, measured on each backend (SQLite always, PostgreSQL when `DATABASE_URL`
//! is set, in a schema of its own):
//! - posts written per second through one import transaction (batches as `db import` makes
//!   them), full-text index kept current;
//! - the same through `import_file` on a MediaCrawler-shaped JSONL file (parsing included);
//! - full-text query latency over the first 100,000 posts, for common Chinese terms (matching
//!   a quarter of the posts), two terms, a rarer English word and a rare pair;
//! - updates of the same rows, two writers at once (as `db import --jobs 2` runs files).
//!
//! Posts are made from the sample corpus's sentences, recombined, so the text is realistic
//! Chinese and English. Run: `cargo bench -p storage --bench ingest` (`INGEST_POSTS=N`, default
//! 100,000).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark aborts on setup failure

use std::time::{Duration, Instant};

use storage::model::{Post, PostKind};
use storage::{Database, PoolSettings, PostSearch};

fn posts(n: usize, seed: u64) -> Vec<Post> {
    let sentences = storage::sample::sentences().unwrap();
    let mut rng = fastrand::Rng::with_seed(seed);
    let platforms = storage::model::PLATFORMS;
    let now = storage::clock::now_ms();
    (0..n)
        .map(|i| {
            let parts = 1 + rng.usize(0..3);
            let body: Vec<&str> = (0..parts)
                .map(|_| sentences[rng.usize(0..sentences.len())].as_str())
                .collect();
            let liked = (rng.f64().powi(4) * 50_000.0) as i64;
            Post {
                platform: platforms[i % platforms.len()].to_owned(),
                kind: if i % 3 == 0 {
                    PostKind::Comment
                } else {
                    PostKind::Content
                },
                platform_id: format!("bench-{seed}-{i}"),
                content_id: (i % 3 == 0).then(|| format!("bench-{seed}-{}", i - 1)),
                parent_id: None,
                author_id: Some(format!("u{}", rng.u32(0..50_000))),
                author_name: Some(format!("user{}", rng.u32(0..50_000))),
                title: None,
                body: format!("{} #{}", body.join("。"), rng.u32(0..1_000_000)),
                url: Some(format!("https://example.invalid/{i}")),
                liked_count: liked,
                comment_count: liked / 10,
                share_count: liked / 30,
                collected_count: liked / 20,
                published_at: Some(now - rng.i64(0..14 * 86_400_000)),
                crawled_at: now,
                source_keyword: Some("bench".into()),
                topic_id: None,
                raw: Some(serde_json::json!({"i": i, "note": "synthetic benchmark row"})),
            }
        })
        .collect()
}

fn rate(rows: usize, took: Duration) -> String {
    format!(
        "{:.0} posts/s ({rows} in {:.2} s)",
        rows as f64 / took.as_secs_f64(),
        took.as_secs_f64()
    )
}

async fn ingest(db: &Database, rows: &[Post]) -> Duration {
    let began = Instant::now();
    let mut writer = db.post_writer().await.unwrap();
    for batch in rows.chunks(2000) {
        writer.write(batch).await.unwrap();
    }
    writer.commit().await.unwrap();
    began.elapsed()
}

/// `writers` writers at once, each with its share of the rows (as `db import --jobs N` runs
/// files).
async fn ingest_parallel(db: &Database, rows: &[Post], writers: usize) -> Duration {
    let began = Instant::now();
    let share = rows.len().div_ceil(writers);
    futures_util::future::join_all(rows.chunks(share).map(|part| ingest(db, part))).await;
    began.elapsed()
}

async fn import_jsonl(db: &Database, rows: &[Post]) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("data/weibo/jsonl/search_contents_bench.jsonl");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut text = String::new();
    for (i, p) in rows.iter().enumerate() {
        let line = serde_json::json!({
            "note_id": format!("jsonl-{i}"), "content": p.body, "liked_count": p.liked_count.to_string(),
            "comments_count": p.comment_count.to_string(), "shared_count": p.share_count.to_string(),
            "create_time": p.published_at.unwrap_or(0) / 1000, "user_id": p.author_id,
            "nickname": p.author_name, "note_url": p.url, "source_keyword": "bench",
        });
        text.push_str(&line.to_string());
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    let began = Instant::now();
    let report = storage::import::import_file(db, &path, &Default::default(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.written as usize, rows.len());
    began.elapsed()
}

async fn query_latency(db: &Database, text: &str, runs: usize) -> (f64, f64, usize) {
    let search = PostSearch::new(text, 20);
    let mut hits = db.search_posts(&search).await.unwrap().len(); // warm
    let mut took: Vec<f64> = (0..runs).map(|_| 0.0).collect();
    for t in &mut took {
        let began = Instant::now();
        hits = db.search_posts(&search).await.unwrap().len();
        *t = began.elapsed().as_secs_f64() * 1000.0;
    }
    took.sort_by(f64::total_cmp);
    (took[runs / 2], took[runs * 99 / 100], hits)
}

async fn matching(db: &Database, text: &str) -> usize {
    db.search_posts(&PostSearch::new(text, 1000))
        .await
        .unwrap()
        .len()
}

async fn run(name: &str, db: Database, n: usize) {
    db.migrate().await.unwrap();
    let rows = posts(n, 1);
    let took = ingest(&db, &rows).await;
    println!(
        "| {name} | ingest, one transaction, index kept | {} |",
        rate(n, took)
    );
    let total = db.count_posts().await.unwrap();
    for query in [
        "马拉松",
        "食堂 涨价",
        "志愿者",
        "battery",
        "compensation recall",
    ] {
        let (p50, p99, hits) = query_latency(&db, query, 50).await;
        let all = matching(&db, query).await;
        println!(
            "| {name} | search `{query}` over {total} posts (top 20 of {}{}) | p50 {p50:.1} ms, p99 {p99:.1} ms ({hits} returned) |",
            all.min(1000),
            if all >= 1000 { "+" } else { "" }
        );
    }
    let again = ingest(&db, &rows).await;
    println!(
        "| {name} | the same rows again (all updates) | {} |",
        rate(n, again)
    );
    for (writers, seed) in [(2, 3), (4, 4)] {
        let more = posts(n, seed);
        let took = ingest_parallel(&db, &more, writers).await;
        println!(
            "| {name} | {writers} writers at once, one transaction each | {} |",
            rate(n, took)
        );
    }
    let jsonl = posts(n / 2, 2);
    let took = import_jsonl(&db, &jsonl).await;
    println!(
        "| {name} | `import_file`, JSONL (parse + map + write) | {} |",
        rate(jsonl.len(), took)
    );
}

fn main() {
    let n: usize = std::env::var("INGEST_POSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        println!("| backend | what | result |");
        println!("|---|---|---|");
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        run(
            "SQLite",
            Database::open(&url, &PoolSettings::default())
                .await
                .unwrap(),
            n,
        )
        .await;
        if let Ok(admin) = std::env::var("DATABASE_URL") {
            let schema = format!("bf_bench_{}", std::process::id());
            let pool = sqlx::PgPool::connect(&admin).await.unwrap();
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&pool)
                .await
                .unwrap();
            let sep = if admin.contains('?') { '&' } else { '?' };
            let url = format!("{admin}{sep}options[search_path]={schema}");
            let db = Database::open(&url, &PoolSettings::default())
                .await
                .unwrap();
            run("PostgreSQL", db.clone(), n).await;
            db.close().await;
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&pool)
                .await
                .unwrap();
        }
    });
}
