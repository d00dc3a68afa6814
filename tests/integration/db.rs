//! The database through the binary: `bettafish db …` on a fresh directory (SQLite) and on
//! PostgreSQL (ignored without `DATABASE_URL`); `/api/db/*` and `/readyz`; pool metrics; and a
//! PostgreSQL that goes away behind a proxy and comes back.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::eventually::eventually;
use super::proxy::Proxy;
use super::util::Server;

const BIN: &str = env!("CARGO_BIN_EXE_bettafish");

fn db(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().copied())
        .arg("db")
        .args(args)
        .output()
        .unwrap()
}

fn ok(output: &Output) -> String {
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "failed: {text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    text
}

/// A PostgreSQL schema of its own for one test, dropped at the end.
pub(super) struct Schema {
    admin: String,
    name: String,
    pub url: String,
}

impl Schema {
    pub(super) fn create() -> Self {
        let admin = super::backend_urls::database_url();
        let name = format!("bf_bin_{}_{}", std::process::id(), fastrand_id());
        run_sql(&admin, &format!("CREATE SCHEMA {name}"));
        let sep = if admin.contains('?') { '&' } else { '?' };
        let url = format!("{admin}{sep}options[search_path]={name}");
        Self { admin, name, url }
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        run_sql(
            &self.admin,
            &format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name),
        );
    }
}

fn fastrand_id() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}

fn run_sql(url: &str, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query(sql).execute(&pool).await.unwrap();
        pool.close().await;
    });
}

/// The `db` flow of a fresh machine: seed the sample, see it in stats, tables and recent.
fn seed_and_inspect(env: &[(&str, &str)], backend: &str) {
    let dir = tempfile::tempdir().unwrap();
    let seeded = ok(&db(dir.path(), env, &["seed-sample"]));
    assert!(seeded.contains("300 posts, 600 comments"), "{seeded}");
    ok(&db(dir.path(), env, &["seed-sample"])); // idempotent
    let stats = ok(&db(dir.path(), env, &["stats"]));
    assert!(stats.contains(&format!("database: {backend}")), "{stats}");
    assert!(stats.contains("300 contents, 600 comments"), "{stats}");
    let json: Value =
        serde_json::from_str(&ok(&db(dir.path(), env, &["stats", "--json"]))).unwrap();
    assert_eq!(json["posts"]["contents"], 300);
    assert_eq!(json["news"]["total"], 40);
    assert_eq!(json["topics"]["total"], 4);
    let platforms = json["posts"]["by_platform"].as_array().unwrap();
    assert!(platforms.len() >= 5, "{platforms:?}");
    let tables = ok(&db(dir.path(), env, &["tables"]));
    assert!(
        tables
            .lines()
            .any(|l| l.starts_with("posts ") && l.trim_end().ends_with(" 900")),
        "{tables}"
    );
    let recent: Value = serde_json::from_str(&ok(&db(
        dir.path(),
        env,
        &["recent", "--days", "3650", "--json"],
    )))
    .unwrap();
    let total: i64 = recent["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["count"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 900);

    let migrated = ok(&db(dir.path(), env, &["migrate"]));
    let steps = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .count();
    assert!(
        migrated.contains(&format!("{steps} of {steps} migrations applied")),
        "{migrated}"
    );
    let reindexed = ok(&db(dir.path(), env, &["reindex"]));
    assert!(
        reindexed.contains("900 posts, 40 news items"),
        "{reindexed}"
    );

    // Cleanup: a dry run by default, then one transaction. Everything in the sample was
    // crawled (seeded) just now, and its news days lie in the past.
    let plan = ok(&db(dir.path(), env, &["cleanup", "--days", "1"]));
    assert!(plan.contains("dry run: nothing was deleted"), "{plan}");
    assert!(
        plan.contains("daily_news             would delete       40"),
        "{plan}"
    );
    let stats: Value =
        serde_json::from_str(&ok(&db(dir.path(), env, &["stats", "--json"]))).unwrap();
    assert_eq!(stats["news"]["total"], 40, "the dry run deleted nothing");
    let done = ok(&db(
        dir.path(),
        env,
        &["cleanup", "--days", "1", "--execute"],
    ));
    assert!(
        done.contains("daily_news             deleted       40"),
        "{done}"
    );
    let stats: Value =
        serde_json::from_str(&ok(&db(dir.path(), env, &["stats", "--json"]))).unwrap();
    assert_eq!(
        (
            stats["news"]["total"].as_i64(),
            stats["posts"]["contents"].as_i64()
        ),
        (Some(0), Some(300))
    );
}

#[test]
fn seed_stats_and_cleanup_on_a_fresh_machine() {
    seed_and_inspect(&[], "sqlite");
}

#[needs::postgres]
#[test]
fn seed_stats_and_cleanup_on_postgres() {
    let schema = Schema::create();
    seed_and_inspect(&[("DATABASE_URL", &schema.url)], "postgresql");
}

#[test]
fn import_reports_bad_rows_and_refuses_broken_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data/weibo/jsonl");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("search_contents_2025-11-19.jsonl"),
        concat!(
            r#"{"note_id": "1", "content": "滨海马拉松 is on", "liked_count": "12", "create_date_time": "2025-11-19 10:00:00"}"#, "\n",
            "{broken\n",
            r#"{"note_id": "2", "content": "second", "liked_count": "many"}"#, "\n",
        ),
    )
    .unwrap();
    std::fs::write(
        data.join("search_comments_2025-11-19.json"),
        "[{\"comment_id\": 1,",
    )
    .unwrap();
    let output = db(dir.path(), &[], &["import", "data"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "a broken file fails the command: {stdout}{stderr}"
    );
    assert!(
        stdout.contains("3 rows, 1 written (1 contents, 0 comments), 2 skipped"),
        "{stdout}"
    );
    assert!(
        stdout.contains("search_contents_2025-11-19.jsonl:2: malformed JSON"),
        "{stdout}"
    );
    assert!(
        stdout.contains("search_contents_2025-11-19.jsonl:3: liked_count"),
        "{stdout}"
    );
    assert!(
        stderr.contains("search_comments_2025-11-19.json: not imported"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 of 2 files were not imported"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(['\r', '\x1b']),
        "no progress bar into a pipe: {stderr:?}"
    );
    let stats: Value =
        serde_json::from_str(&ok(&db(dir.path(), &[], &["stats", "--json"]))).unwrap();
    assert_eq!(
        (
            stats["posts"]["contents"].as_i64(),
            stats["posts"]["comments"].as_i64()
        ),
        (Some(1), Some(0))
    );
    // Again: nothing new.
    let _ = db(dir.path(), &[], &["import", "data"]);
    let stats: Value =
        serde_json::from_str(&ok(&db(dir.path(), &[], &["stats", "--json"]))).unwrap();
    assert_eq!(stats["posts"]["contents"].as_i64(), Some(1));
}

#[test]
fn configuration_names_the_bad_database_key() {
    let dir = tempfile::tempdir().unwrap();
    for (env, key) in [
        (vec![("DB_DIALECT", "mysql")], "DB_DIALECT"),
        (
            vec![("DATABASE_URL", "mysql://root@localhost/test")],
            "DATABASE_URL",
        ),
        (vec![("DB_DIALECT", "postgresql")], "DB_HOST"),
        (vec![("CACHE_TYPE", "redis")], "CACHE_TYPE"),
    ] {
        let output = db(dir.path(), &env, &["stats"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success());
        assert!(stderr.contains(key), "{env:?}: {stderr}");
    }
}

#[test]
fn the_service_serves_stats_search_and_pool_metrics() {
    let server = Server::start(&[]);
    ok(&db(server.path(), &[], &["seed-sample"]));
    let stats = server.get("/api/db/stats");
    assert_eq!(stats.status, 200, "{}", stats.body);
    assert_eq!(stats.json()["stats"]["posts"]["comments"], 600);
    let found = server.get("/api/db/search?q=%E9%A9%AC%E6%8B%89%E6%9D%BE&limit=5");
    assert_eq!(found.status, 200, "{}", found.body);
    let posts = found.json()["posts"].as_array().unwrap().clone();
    assert_eq!(posts.len(), 5);
    assert!(
        posts
            .iter()
            .all(|p| p["body"].as_str().unwrap().contains("马拉松")
                || p["title"].as_str().unwrap_or_default().contains("马拉松")),
        "{posts:?}"
    );
    assert!(!found.json()["news"].as_array().unwrap().is_empty());
    assert_eq!(server.get("/api/db/search").status, 400);
    assert_eq!(server.get("/api/db/search?q=x&limit=0").status, 400);
    let metrics = server.get("/metrics").body;
    for series in [
        "bettafish_db_pool_connections{state=\"idle\"}",
        "bettafish_db_pool_connections{state=\"in_use\"}",
        "bettafish_db_pool_max_connections 10",
        "bettafish_db_acquire_duration_seconds_bucket",
        "bettafish_db_up 1",
    ] {
        assert!(metrics.contains(series), "no {series} in /metrics");
    }
    let ready = server.get("/readyz");
    assert_eq!(
        (ready.status, ready.json()["checks"]["database"].as_str()),
        (200, Some("available"))
    );
}

#[needs::postgres]
#[test]
fn postgres_going_away_fails_fast_and_recovers_by_itself() {
    let schema = Schema::create();
    // The server reaches PostgreSQL through a proxy that the test cuts and restores.
    let admin: url_parts::Parts = url_parts::parse(&schema.url);
    let proxy = Proxy::start(&format!("{}:{}", admin.host, admin.port));
    let through = url_parts::with_address(&schema.url, "127.0.0.1", proxy.port);
    let server = Server::start(&[("DATABASE_URL", &through), ("DB_ACQUIRE_TIMEOUT_SECS", "2")]);
    eventually("ready", Duration::from_secs(20), || {
        server.get("/readyz").status == 200
    });
    assert_eq!(server.get("/api/db/stats").status, 200);

    proxy.cut();
    eventually("not ready", Duration::from_secs(20), || {
        server.get("/readyz").status == 503
    });
    let began = Instant::now();
    let stats = server.get("/api/db/stats");
    assert_eq!(
        (stats.status, stats.code().as_str()),
        (503, "database_unavailable"),
        "{}",
        stats.body
    );
    assert!(
        began.elapsed() < Duration::from_millis(500),
        "503 at once, took {:?}",
        began.elapsed()
    );
    assert_eq!(server.get("/healthz").status, 200, "the process lives on");
    assert!(server.get("/metrics").body.contains("bettafish_db_up 0"));

    proxy.resume();
    eventually("ready again", Duration::from_secs(30), || {
        server.get("/readyz").status == 200
    });
    assert_eq!(server.get("/api/db/stats").status, 200);
}

/// Host and port of a URL, and the same URL pointed elsewhere.
mod url_parts {
    pub struct Parts {
        pub host: String,
        pub port: u16,
    }

    fn split(url: &str) -> (&str, &str, &str) {
        let (scheme, rest) = url.split_once("://").unwrap();
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let _ = scheme;
        (&url[..url.len() - rest.len()], authority, tail)
    }

    pub fn parse(url: &str) -> Parts {
        let (_, authority, _) = split(url);
        let hostport = authority.rsplit('@').next().unwrap();
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), p.parse().unwrap()),
            None => (hostport.to_owned(), 5432),
        };
        Parts {
            host: if host.is_empty() {
                "127.0.0.1".into()
            } else {
                host
            },
            port,
        }
    }

    pub fn with_address(url: &str, host: &str, port: u16) -> String {
        let (prefix, authority, tail) = split(url);
        let user = authority
            .rsplit_once('@')
            .map(|(u, _)| format!("{u}@"))
            .unwrap_or_default();
        format!("{prefix}{user}{host}:{port}{tail}")
    }
}

#[test]
fn a_fresh_embedded_service_comes_with_the_sample_corpus_and_can_do_without() {
    let server = Server::start(&[]);
    eventually("the sample corpus", Duration::from_secs(30), || {
        let stats = server.get("/api/db/stats");
        stats.status == 200 && stats.json()["stats"]["posts"]["contents"] == 300
    });
    // The log line follows the commit the stats already see.
    eventually("the log line", Duration::from_secs(10), || {
        server.log().contains("sample corpus loaded")
    });
    let off = Server::start(&[("BETTAFISH_SAMPLE_DATA", "off")]);
    eventually("ready", Duration::from_secs(20), || {
        off.get("/readyz").status == 200
    });
    assert_eq!(
        off.get("/api/db/stats").json()["stats"]["posts"]["contents"],
        0
    );
}

#[test]
fn status_says_which_llm_endpoints_and_search_providers_are_on() {
    let server = Server::start(&[
        ("QUERY_ENGINE_BASE_URL", "https://llm.example/v1"),
        ("QUERY_ENGINE_MODEL_NAME", "deepseek-chat"),
        ("QUERY_ENGINE_API_KEY", "sk-secret-value"),
        ("SEARXNG_URL", "http://127.0.0.1:9/searx"),
    ]);
    let status = server.get("/api/system/status");
    assert_eq!(status.status, 200);
    assert!(
        !status.body.contains("sk-secret-value"),
        "keys are never shown"
    );
    let json = status.json();
    assert_eq!(json["llm"]["query"]["configured"], true);
    assert_eq!(json["llm"]["query"]["model"], "deepseek-chat");
    assert_eq!(json["llm"]["query"]["key"], true);
    assert_eq!(json["llm"]["insight"]["configured"], false);
    assert!(json["llm"]["insight"]["reason"]
        .as_str()
        .unwrap()
        .contains("built-in analysis"));
    assert_eq!(json["search"]["searxng"]["on"], true);
    assert_eq!(json["search"]["tavily"]["on"], false);
    assert_eq!(
        json["search"]["tavily"]["reason"],
        "TAVILY_API_KEY is not set"
    );
    eventually("the local store", Duration::from_secs(20), || {
        server.get("/api/system/status").json()["search"]["local"]["on"] == true
    });
}
