//! `bettafish db …`: the data tools of MindSpider's `db_manager`, run directly against the
//! configured database (the same configuration layers as the service): tables, stats, recent
//! days, cleanup (a dry run unless `--execute`), MediaCrawler import with a progress bar per
//! file (indicatif), the sample corpus, migrations, and rebuilding the full-text index.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use storage::text::Escaped;
use storage::Database;

mod walk;

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
    // A SQLite database may be created here: private, as the service's files are.
    crate::private_files::private_umask();
    if config.data_dir.is_dir() {
        let skipped = crate::private_files::keep_private(&config.data_dir).with_context(|| {
            format!(
                "making the data directory {} private",
                config.data_dir.display()
            )
        })?;
        // No log here: the tool's warnings go to stderr.
        for not in skipped {
            eprintln!(
                "warning: {}: could not be made private: {}",
                not.path.display(),
                not.error
            );
        }
    }
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
        let result = command(&db, &config, args).await;
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

async fn command(db: &Database, config: &Config, args: DbArgs) -> anyhow::Result<()> {
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
        } => {
            import(
                db,
                config.input.import_max_record_bytes,
                &files,
                platform,
                topic,
                jobs,
                json,
            )
            .await?
        }
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

async fn import(
    db: &Database,
    max_record_bytes: usize,
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
        max_record_bytes,
    };
    let walk::Walked { files, passed_over } = walk::expand(paths)?;
    // File names and record values are a crawler's text: shown escaped, so none can drive
    // the terminal or forge a line (as in the service log).
    for passed in &passed_over {
        eprintln!(
            "{}: passed over: {}",
            walk::shown(&passed.path),
            Escaped(&passed.reason)
        );
    }
    let bars = ImportBars::new(std::io::stderr().is_terminal() && !json, &files);
    let mut reports = Vec::new();
    let mut failed = Vec::new();
    // On PostgreSQL files go in parallel, each in its own transaction, so the server works on
    // several cores. SQLite has one writer at a time: a second import would only wait (and
    // give up after the busy timeout), so there they go one by one.
    let jobs = match db.backend() {
        storage::Backend::Sqlite => 1,
        storage::Backend::Postgres => jobs.max(1),
    };
    let (options, bars_ref) = (&options, &bars);
    let mut running = futures_util::stream::iter(files.iter().map(|file| async move {
        // A bar of its own for each file being imported, added when its import starts.
        let bar = bars_ref.start(file);
        let mut progress = |p: storage::import::Progress<'_>| {
            bar.set_length(p.total);
            bar.set_position(p.bytes);
            bar.set_message(format!("{} rows", p.rows));
        };
        let result = storage::import::import_source(db, file, options, &mut progress).await;
        bar.finish_and_clear();
        (file, result)
    }))
    .buffer_unordered(jobs);
    while let Some((file, result)) = running.next().await {
        // Lines go out while the bars are off the screen, so neither overwrites the other.
        bars.suspend(|| match result {
            Ok(report) => {
                if !json {
                    out!(
                        "{}: {} rows, {} written ({} contents, {} comments), {} skipped",
                        Escaped(&report.file),
                        report.rows,
                        report.written,
                        report.contents,
                        report.comments,
                        report.skipped
                    );
                    for problem in &report.problems {
                        out!("  {}", Escaped(&problem.to_string()));
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
                eprintln!(
                    "{}: not imported: {}",
                    walk::shown(&file.path),
                    Escaped(&err.to_string())
                );
                failed.push(serde_json::json!({"file": file.path.display().to_string(), "error": err.to_string()}));
            }
        });
    }
    if json {
        let passed_over: Vec<_> = passed_over
            .iter()
            .map(|p| serde_json::json!({"path": p.path.display().to_string(), "reason": p.reason}))
            .collect();
        print_json(
            &serde_json::json!({"files": reports, "failed": failed, "passed_over": passed_over}),
        )?;
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

/// The import's progress on stderr: one bar per file being imported (several with `--jobs`),
/// drawn only on a terminal and never with `--json`, so a pipe or a log gets plain lines.
struct ImportBars {
    multi: MultiProgress,
    style: ProgressStyle,
    /// The widest file name shown, so that the bars line up.
    name_width: usize,
}

impl ImportBars {
    /// The longest file name shown in full; longer ones keep their end.
    const MAX_NAME: usize = 60;

    fn new(visible: bool, files: &[storage::import::SourceFile]) -> Self {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        // The bar takes the width the file name and the figures leave.
        let style = ProgressStyle::with_template("{prefix} [{wide_bar}] {percent:>3}% {msg}")
            .map(|style| style.progress_chars("#>-"))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        let name_width = files
            .iter()
            .map(|f| walk::shown(&f.path).chars().count())
            .max()
            .unwrap_or(0)
            .min(Self::MAX_NAME);
        Self {
            multi: MultiProgress::with_draw_target(target),
            style,
            name_width,
        }
    }

    /// A new bar for `file`, below the others: at 0 % while the file is read and mapped, then
    /// as far as its rows are written.
    fn start(&self, file: &storage::import::SourceFile) -> ProgressBar {
        let size = std::fs::metadata(&file.real_path)
            .map(|m| m.len())
            .unwrap_or(0);
        let bar = self
            .multi
            .add(ProgressBar::new(size).with_style(self.style.clone()));
        let name = shorten(&walk::shown(&file.path), Self::MAX_NAME);
        bar.set_prefix(format!("{name:<0$}", self.name_width));
        bar.set_message("reading");
        bar
    }

    /// Runs `print` with the bars cleared from the screen, then draws them again.
    fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        self.multi.suspend(print)
    }
}

fn shorten(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        return text.to_owned();
    }
    let tail: String = text.chars().skip(count - (width - 1)).collect();
    format!("…{tail}")
}
