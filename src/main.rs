//! The `bettafish` binary: wires configuration, telemetry, the supervision tree and the HTTP API
//! into one process, and offers `bettafish ctl` for operators.
//!
//! Start with [`serve`]; the pieces are `config` (layers and keys), `service` (the tree and its
//! infrastructure actors), `http` (routes), `ctl` (the operator CLI).

mod auth;
mod cli;
mod config;
mod ctl;
mod http;
mod internal_events;
mod process_metrics;
mod service;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use cli::{Cli, Command};
use config::{Config, Inputs};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None | Some(Command::Serve) => serve(),
        Some(Command::Ctl(args)) => ctl::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bettafish: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn install_recorder() -> anyhow::Result<PrometheusHandle> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("bettafish_http_request_duration_seconds".into()),
            internal_events::HTTP_DURATION_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full("bettafish_actor_restart_duration_seconds".into()),
            internal_events::RESTART_DURATION_BUCKETS,
        )?
        .install_recorder()
        .context("installing the Prometheus recorder")
        .inspect(|_| internal_events::describe())
}

/// Runs the service until SIGINT, SIGTERM or `POST /api/system/shutdown`, then shuts it down
/// in reverse start order within the configured deadline.
fn serve() -> anyhow::Result<()> {
    let inputs = Inputs::from_process();
    let config = Config::load(&inputs).context("invalid configuration")?;
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run(config, inputs))
}

async fn run(config: Config, inputs: Inputs) -> anyhow::Result<()> {
    let prometheus = install_recorder()?;
    let address = format!("{}:{}", config.host, config.port);
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let deadline = config.shutdown_deadline;
    let app = Arc::new(service::start(config, inputs, prometheus).await?);
    tracing::info!(address = %listener.local_addr()?, "serving");

    let mut requested = app.shutdown.subscribe();
    let (stop_http, http_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(http::serve(listener, Arc::clone(&app), async {
        let _ = http_stopped.await;
    }));
    let reason = wait_for_signal(&mut requested).await?;
    tracing::info!(reason, deadline_secs = deadline.as_secs(), "shutting down");
    let graceful = async {
        let _ = stop_http.send(());
        let exit = app.root.shutdown().await;
        let _ = server.await;
        exit
    };
    match tokio::time::timeout(deadline, graceful).await {
        Ok(exit) => tracing::info!(%exit, "stopped"),
        Err(_) => tracing::warn!("shutdown deadline passed; exiting with work unfinished"),
    }
    Ok(())
}

async fn wait_for_signal(
    requested: &mut tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<&'static str> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    Ok(tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
        _ = requested.wait_for(|&v| v) => "requested over HTTP",
    })
}
