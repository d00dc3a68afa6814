//! The `bettafish` binary: wires the supervision tree of the `actors` crate into a process.
//!
//! For now it runs the tree until SIGINT or SIGTERM and shuts it down in reverse start order;
//! configuration, storage and the HTTP API are wired in here as they land.

use std::sync::Arc;

use actors::tree::{service_tree, Branches, ROOT};
use anyhow::Context;
use supervision::{NoopObserver, SupervisorRef};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let root = SupervisorRef::start_root(
        ROOT,
        service_tree(Branches::default(), Arc::new(NoopObserver)),
    )
    .await
    .context("starting the supervision tree")?;
    let tree = root.snapshot().await?;
    println!(
        "bettafish: supervision tree running with {} branches",
        tree.children.len()
    );
    wait_for_signal().await?;
    let exit = root.shutdown().await;
    println!("bettafish: {exit}");
    Ok(())
}

async fn wait_for_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("waiting for SIGINT")?,
        _ = term.recv() => {}
    }
    Ok(())
}
