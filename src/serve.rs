//! `bettafish serve`: runs the service until SIGINT, SIGTERM or `POST /api/system/shutdown`,
//! then shuts it down in reverse start order within the configured deadline. Its log escapes
//! control characters in every field ([`escaped_fields`]), so no client text forges a line.

pub mod escaped_fields;

use std::sync::Arc;

use anyhow::Context;
use events::log_layer::EventLogLayer;
use events::EventBus;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::config::{Config, Inputs};
use crate::{http, internal_events, service};

pub fn install_recorder() -> anyhow::Result<PrometheusHandle> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("bettafish_http_request_duration_seconds".into()),
            internal_events::HTTP_DURATION_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full("bettafish_event_delivery_latency_seconds".into()),
            internal_events::DELIVERY_LATENCY_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full("bettafish_actor_restart_duration_seconds".into()),
            internal_events::RESTART_DURATION_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full("bettafish_llm_request_duration_seconds".into()),
            llm::internal_events::LLM_DURATION_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full("bettafish_engine_job_duration_seconds".into()),
            actors::internal_events::JOB_DURATION_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full("bettafish_report_generation_duration_seconds".into()),
            actors::internal_events::JOB_DURATION_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full("bettafish_db_acquire_duration_seconds".into()),
            storage::telemetry::ACQUIRE_BUCKETS,
        )?
        .install_recorder()
        .context("installing the Prometheus recorder")
        .inspect(|_| {
            internal_events::describe();
            actors::internal_events::describe();
            events::internal_events::describe();
            llm::internal_events::describe();
            storage::telemetry::describe();
        })
}

/// The log writer: lines are formatted on the caller's thread and handed to a writer thread,
/// which writes them through a buffer flushed after each batch, so a busy server makes few
/// write calls and a slow terminal never stalls a request. If more than 128k lines wait, new
/// ones are dropped rather than blocking a request. Keep the guard until exit:
/// dropping it flushes.
pub fn log_writer<W: std::io::Write + Send + 'static>(target: W) -> (NonBlocking, WorkerGuard) {
    NonBlockingBuilder::default()
        .lossy(true)
        .thread_name("bettafish-log")
        .finish(std::io::BufWriter::with_capacity(64 * 1024, target))
}

/// Loads the configuration, sets up logging and runs the service to the end.
///
/// # Errors
/// Invalid configuration, a port that cannot be bound, a tree that does not start.
pub fn serve() -> anyhow::Result<()> {
    let inputs = Inputs::from_process();
    let config = Config::load(&inputs).context("invalid configuration")?;
    let bus = EventBus::new(config.events);
    let (writer, _flush_on_exit) = log_writer(std::io::stderr());
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(escaped_fields::EscapedFields::default())
                .with_writer(writer)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())),
        )
        .with(EventLogLayer::new(bus.clone()))
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run(config, inputs, bus))
}

/// Runs the service on the current runtime until a signal or a shutdown request.
///
/// # Errors
/// A port that cannot be bound, a tree that does not start.
pub async fn run(config: Config, inputs: Inputs, bus: EventBus) -> anyhow::Result<()> {
    let prometheus = install_recorder()?;
    let address = format!("{}:{}", config.host, config.port);
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let deadline = config.shutdown_deadline;
    let app = Arc::new(service::start(config, inputs, prometheus, bus).await?);
    tracing::info!(address = %listener.local_addr()?, "serving");

    let mut requested = app.shutdown.subscribe();
    let (stop_http, http_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(http::serve(
        listener,
        Arc::clone(&app),
        http::Middleware::default(),
        async {
            let _ = http_stopped.await;
        },
    ));
    let reason = wait_for_signal(&mut requested).await?;
    tracing::info!(reason, deadline_secs = deadline.as_secs(), "shutting down");
    let _ = app.bus.publish(
        events::Topic::system().as_str(),
        "stopping",
        &serde_json::json!({"reason": reason}),
    );
    let graceful = async {
        // Streams first: SSE and WebSocket connections send a last frame and close, so the
        // server's graceful stop does not wait on them.
        app.closing.send_replace(true);
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
