//! `db import` speed and memory per format: N generated MediaCrawler Weibo notes (default
//! 100,000; `IMPORT_ROWS=N`) written as a JSON array, JSONL and CSV, each imported through
//! `import_file` into a fresh SQLite database; prints rows per second and the process's peak
//! resident memory after each (`VmHWM`, which only grows: run one format at a time with
//! `IMPORT_FORMATS=csv` to see one's own). Run: `cargo bench -p storage --bench import`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark aborts on setup failure

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use storage::{Database, PoolSettings};

fn note(i: usize) -> serde_json::Value {
    serde_json::json!({
        "note_id": format!("n{i}"),
        "content": format!("滨海马拉松第{i}条评论：志愿者服务获好评，交通管制引发部分居民不满 #{i}"),
        "liked_count": (i % 5000).to_string(),
        "comments_count": (i % 300).to_string(),
        "shared_count": (i % 70).to_string(),
        "create_time": 1_763_520_000 + i as i64,
        "user_id": format!("u{}", i % 10_000),
        "nickname": format!("用户{}", i % 10_000),
        "note_url": format!("https://m.weibo.cn/detail/{i}"),
        "source_keyword": "马拉松",
    })
}

const FIELDS: [&str; 10] = [
    "note_id",
    "content",
    "liked_count",
    "comments_count",
    "shared_count",
    "create_time",
    "user_id",
    "nickname",
    "note_url",
    "source_keyword",
];

fn write_file(dir: &Path, format: &str, n: usize) -> std::path::PathBuf {
    let path = dir.join(format!(
        "data/weibo/{format}/search_contents_bench.{format}"
    ));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    match format {
        "json" => {
            out.write_all(b"[\n").unwrap();
            for i in 0..n {
                let sep = if i + 1 < n { ",\n" } else { "\n" };
                write!(out, "  {}{sep}", note(i)).unwrap();
            }
            out.write_all(b"]\n").unwrap();
        }
        "jsonl" => {
            for i in 0..n {
                writeln!(out, "{}", note(i)).unwrap();
            }
        }
        _ => {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record(FIELDS).unwrap();
            for i in 0..n {
                let v = note(i);
                let row: Vec<String> = FIELDS
                    .iter()
                    .map(|f| match &v[*f] {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect();
                csv.write_record(&row).unwrap();
            }
            csv.flush().unwrap();
            return path;
        }
    }
    out.flush().unwrap();
    path
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let n: usize = std::env::var("IMPORT_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let formats = std::env::var("IMPORT_FORMATS").unwrap_or_else(|_| "json,jsonl,csv".into());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    println!("| format | rows | file MB | seconds | rows/s | peak RSS MB |");
    println!("|---|---|---|---|---|---|");
    for format in formats.split(',') {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(dir.path(), format, n);
        let size = std::fs::metadata(&path).unwrap().len() as f64 / 1e6;
        rt.block_on(async {
            let url = format!("sqlite://{}", dir.path().join("bench.db").display());
            let db = Database::open(&url, &PoolSettings::default())
                .await
                .unwrap();
            db.migrate().await.unwrap();
            let began = Instant::now();
            let report = storage::import::import_file(&db, &path, &Default::default(), &mut |_| {})
                .await
                .unwrap();
            let took = began.elapsed().as_secs_f64();
            assert_eq!(report.written as usize, n, "{format}: {report:?}");
            println!(
                "| {format} | {n} | {size:.1} | {took:.2} | {:.0} | {:.0} |",
                n as f64 / took,
                peak_rss_mb()
            );
            db.close().await;
        });
    }
}
