//! The command line: `bettafish [serve]` runs the service; `bettafish ctl …` talks to a running
//! one. Flags fall back to the environment, as the service's own configuration does.

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "bettafish",
    version,
    about = "BettaFish-rs: a supervised public-opinion analysis service"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service (the default). Configuration: bettafish.toml, .env, environment.
    Serve,
    /// Operate a running service over its HTTP API.
    Ctl(CtlArgs),
    /// Manage the database directly (MindSpider's db_manager): tables, stats, recent,
    /// cleanup, import, seed-sample, migrate.
    Db(DbArgs),
}

#[derive(Debug, Args)]
pub struct DbArgs {
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply pending migrations (the service also does at start).
    Migrate,
    /// Every table with its row count.
    Tables,
    /// News, topics, crawling tasks and posts by platform.
    Stats,
    /// Volumes per day over the last N days.
    Recent {
        #[arg(long, default_value_t = 7)]
        days: u32,
    },
    /// What is older than N days: shown (a dry run), or deleted with --execute.
    Cleanup {
        #[arg(long)]
        days: u32,
        /// Delete, in one transaction (without it nothing is changed).
        #[arg(long)]
        execute: bool,
    },
    /// Import MediaCrawler files (JSON, JSONL, CSV; directories are searched).
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<std::path::PathBuf>,
        /// The platform, when the path does not say (xhs, dy, ks, bili, wb, tieba, zhihu).
        #[arg(long)]
        platform: Option<String>,
        /// File every imported row under this topic id.
        #[arg(long)]
        topic: Option<String>,
        /// Files imported at once on PostgreSQL, each in its own transaction (SQLite: one).
        #[arg(long, default_value_t = 2)]
        jobs: usize,
    },
    /// Load the built-in sample corpus (fictional data, labelled as such).
    SeedSample,
    /// Rebuild the full-text index from the rows (after other programs wrote to the tables).
    Reindex,
}

#[derive(Debug, Args)]
pub struct CtlArgs {
    /// The service's base URL (default: http://HOST:PORT from the configuration).
    #[arg(long, env = "BETTAFISH_URL", global = true)]
    pub url: Option<String>,
    /// The operator token (default: BETTAFISH_OPERATOR_TOKEN, else <data dir>/operator.token).
    #[arg(long, env = "BETTAFISH_TOKEN", global = true, hide_env_values = true)]
    pub token: Option<String>,
    /// Print the server's JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: CtlCommand,
}

#[derive(Debug, Subcommand)]
pub enum CtlCommand {
    /// Service status: version, uptime, actors by state.
    Status,
    /// The supervision tree.
    Actors,
    /// Restart the actor at PATH (e.g. root/engines/query).
    Restart { path: String },
    /// Stop the actor at PATH; it stays stopped until started.
    Stop { path: String },
    /// Start the actor at PATH.
    Start { path: String },
    /// Read or change the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Every key (secrets masked), or one key's value.
    Get { key: Option<String> },
    /// Set one or more KEY=VALUE pairs.
    Set {
        #[arg(required = true, value_name = "KEY=VALUE")]
        pairs: Vec<String>,
    },
}
