//! `bettafish db …`: the data tools of MindSpider's `db_manager`, run directly against the
//! configured database (the same configuration layers as the service): tables, stats, recent
//! days, cleanup (a dry run unless `--execute`), MediaCrawler import with a progress bar, the
//! sample corpus, migrations, and rebuilding the full-text index.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use storage::Database;

use crate::cli::{DbArgs, DbCommand};
use crate::config::{mask_url, Config, Inputs};

/// `println!` that ends the process quietly when stdout is gone (`bettafish db stats | head`).
macro_rules! out {
    ($($arg:tt)*) => {
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    };
}

/// Runs one `db` command, printing its result.
///
/// # Errors
/// Invalid configuration, an unreachable database, an import that failed.
pub fn run(args: DbArgs) -> anyhow::Result<()> {
    let config = Config::load(&Inputs::from_process()).context("invalid configuration")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let db = Database::open(&config.database_url, &config.pool)
            .await
            .with_context(|| format!("opening the database ({})", config.database_key))?;
        let target = mask_url(&config.database_url);
        db.migrate()
            .await
            .with_context(|| format!("preparing the database at {target}"))?;
        let result = command(&db, args).await;
        db.close().await;
        result
    })
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    out!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn day(ms: Option<i64>) -> String {
    ms.and_then(storage::clock::day_of_ms)
        .unwrap_or_else(|| "-".into())
}

async fn command(db: &Database, args: DbArgs) -> anyhow::Result<()> {
    let json = args.json;
    match args.command {
        DbCommand::Migrate => {
            let (known, applied) = db.migration_status().await?;
            if json {
                print_json(
                    &serde_json::json!({"backend": db.backend().name(), "migrations": known, "applied": applied}),
                )?;
            } else {
                out!(
                    "{}: {applied} of {known} migrations applied",
                    db.backend().name()
                );
            }
        }
        DbCommand::Tables => {
            let tables = db.table_counts().await?;
            if json {
                return print_json(&tables);
            }
            out!("{:<22} {:<11} {:>10}", "TABLE", "GROUP", "ROWS");
            for t in tables {
                out!("{:<22} {:<11} {:>10}", t.table, t.group, t.rows);
            }
        }
        DbCommand::Stats => {
            let stats = db.stats().await?;
            if json {
                return print_json(&stats);
            }
            out!("database: {}", stats.backend);
            out!(
                "news:     {} items over {} days from {} sources",
                stats.news.total,
                stats.news.days,
                stats.news.platforms
            );
            out!(
                "topics:   {} over {} days",
                stats.topics.total,
                stats.topics.days
            );
            let tasks: Vec<String> = stats
                .tasks_by_status
                .iter()
                .map(|(s, n)| format!("{s} {n}"))
                .collect();
            out!(
                "tasks:    {}",
                if tasks.is_empty() {
                    "none".into()
                } else {
                    tasks.join(", ")
                }
            );
            out!(
                "posts:    {} contents, {} comments, published {} .. {}",
                stats.posts.contents,
                stats.posts.comments,
                day(stats.posts.first_published),
                day(stats.posts.last_published)
            );
            if !stats.posts.by_platform.is_empty() {
                out!("  {:<8} {:>9} {:>9}", "PLATFORM", "CONTENTS", "COMMENTS");
                for p in &stats.posts.by_platform {
                    out!("  {:<8} {:>9} {:>9}", p.platform, p.contents, p.comments);
                }
            }
        }
        DbCommand::Recent { days } => {
            let recent = db.recent(days).await?;
            if json {
                return print_json(&recent);
            }
            out!("since {}", recent.since);
            for (what, rows) in [
                ("news", &recent.news),
                ("topics", &recent.topics),
                ("posts", &recent.posts),
            ] {
                if rows.is_empty() {
                    out!("{what}: none");
                    continue;
                }
                out!("{what}:");
                for d in rows {
                    out!("  {}  {:>7}", d.day, d.count);
                }
            }
        }
        DbCommand::Cleanup { days, execute } => {
            let cleanup = db.cleanup(days, execute).await?;
            if json {
                return print_json(&cleanup);
            }
            let verb = if cleanup.executed {
                "deleted"
            } else {
                "would delete"
            };
            out!("older than {} ({} days):", cleanup.before, days);
            for t in &cleanup.tables {
                out!("  {:<22} {verb} {:>8}", t.table, t.rows);
            }
            if !cleanup.executed {
                out!(
                    "dry run: nothing was deleted; add --execute to delete {} rows",
                    cleanup.total()
                );
            }
        }
        DbCommand::Import {
            files,
            platform,
            topic,
            jobs,
        } => import(db, &files, platform, topic, jobs, json).await?,
        DbCommand::Reindex => {
            let done = db.reindex().await?;
            if json {
                return print_json(&done);
            }
            out!(
                "full-text index rebuilt: {} posts, {} news items",
                done.posts,
                done.news
            );
        }
        DbCommand::SeedSample => {
            let report = db.seed_sample().await?;
            if json {
                return print_json(&report);
            }
            out!(
                "sample corpus loaded (fictional data written for BettaFish-rs): {} topics, {} news items, {} posts, {} comments",
                report.topics, report.news, report.posts, report.comments
            );
        }
    }
    Ok(())
}

/// The files under `paths` that an import takes, in a stable order.
fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    fn walk(path: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("reading {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for entry in entries {
                let wanted = entry.is_dir()
                    || entry.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                        ["json", "jsonl", "csv"].contains(&e.to_ascii_lowercase().as_str())
                    });
                if wanted {
                    walk(&entry, out)?;
                }
            }
        } else {
            out.push(path.to_path_buf());
        }
        Ok(())
    }
    let mut out = Vec::new();
    for path in paths {
        walk(path, &mut out)?;
    }
    Ok(out)
}

async fn import(
    db: &Database,
    paths: &[PathBuf],
    platform: Option<String>,
    topic: Option<String>,
    jobs: usize,
    json: bool,
) -> anyhow::Result<()> {
    use futures_util::StreamExt;
    let options = storage::import::ImportOptions {
        platform,
        topic_id: topic,
    };
    let files = expand(paths)?;
    let bar = std::io::stderr().is_terminal() && !json;
    let mut reports = Vec::new();
    let mut failed = Vec::new();
    // On PostgreSQL files go in parallel, each in its own transaction, so the server works on
    // several cores. SQLite has one writer at a time: a second import would only wait (and
    // give up after the busy timeout), so there they go one by one.
    let jobs = match db.backend() {
        storage::Backend::Sqlite => 1,
        storage::Backend::Postgres => jobs.max(1),
    };
    let options = &options;
    let mut running = futures_util::stream::iter(files.iter().map(|file| async move {
        let mut progress = |p: storage::import::Progress<'_>| {
            if bar {
                let pct = (p.bytes * 100).checked_div(p.total).unwrap_or(100);
                let filled = (pct / 5) as usize;
                eprint!(
                    "\r{:<40} [{}{}] {:>3}% {} rows",
                    shorten(p.file, 40),
                    "#".repeat(filled),
                    " ".repeat(20 - filled.min(20)),
                    pct,
                    p.rows
                );
                let _ = std::io::stderr().flush();
            }
        };
        let result = storage::import::import_file(db, file, options, &mut progress).await;
        (file, result)
    }))
    .buffer_unordered(jobs);
    while let Some((file, result)) = running.next().await {
        if bar {
            eprintln!();
        }
        match result {
            Ok(report) => {
                if !json {
                    out!(
                        "{}: {} rows, {} written ({} contents, {} comments), {} skipped",
                        report.file,
                        report.rows,
                        report.written,
                        report.contents,
                        report.comments,
                        report.skipped
                    );
                    for problem in &report.problems {
                        out!("  {problem}");
                    }
                    if report.skipped as usize > report.problems.len() {
                        out!(
                            "  … and {} more",
                            report.skipped as usize - report.problems.len()
                        );
                    }
                }
                reports.push(report);
            }
            Err(err) => {
                // Nothing of this file was written; go on with the others.
                eprintln!("{}: not imported: {err}", file.display());
                failed.push(serde_json::json!({"file": file.display().to_string(), "error": err.to_string()}));
            }
        }
    }
    if json {
        print_json(&serde_json::json!({"files": reports, "failed": failed}))?;
    }
    if !failed.is_empty() {
        anyhow::bail!(
            "{} of {} files were not imported",
            failed.len(),
            files.len()
        );
    }
    Ok(())
}

fn shorten(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        return text.to_owned();
    }
    let tail: String = text.chars().skip(count - (width - 1)).collect();
    format!("…{tail}")
}
