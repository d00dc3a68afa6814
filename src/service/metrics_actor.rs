//! The `metrics` actor (under `root/infra`): on an interval from the configuration, runs the
//! Prometheus exporter's upkeep (draining histogram buffers) and samples the process's CPU,
//! memory and file descriptors for `/metrics`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use ractor::{Actor, ActorProcessingErr, ActorRef};
use tokio::task::JoinHandle;

use crate::process_metrics::{self, ProcessSample};

/// The latest process sample; a std Mutex because it is only copied in and out, never held
/// across an await.
pub type LatestSample = Arc<Mutex<ProcessSample>>;

pub enum MetricsMsg {
    Tick,
}

pub struct MetricsActor;

pub struct MetricsArgs {
    pub prometheus: PrometheusHandle,
    pub latest: LatestSample,
    pub interval: Duration,
}

pub struct MetricsState {
    prometheus: PrometheusHandle,
    latest: LatestSample,
    ticker: JoinHandle<()>,
}

impl MetricsState {
    fn tick(&self) {
        self.prometheus.run_upkeep();
        let sample = process_metrics::sample();
        *self.latest.lock().unwrap_or_else(PoisonError::into_inner) = sample;
    }
}

impl Actor for MetricsActor {
    type Msg = MetricsMsg;
    type State = MetricsState;
    type Arguments = MetricsArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<MetricsMsg>,
        args: MetricsArgs,
    ) -> Result<MetricsState, ActorProcessingErr> {
        let interval = args.interval;
        // ractor's interval task ends by itself once this actor stops taking messages.
        let ticker = myself.send_interval(interval, || MetricsMsg::Tick);
        let state = MetricsState {
            prometheus: args.prometheus,
            latest: args.latest,
            ticker,
        };
        state.tick();
        Ok(state)
    }

    async fn handle(
        &self,
        _myself: ActorRef<MetricsMsg>,
        message: MetricsMsg,
        state: &mut MetricsState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            MetricsMsg::Tick => state.tick(),
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<MetricsMsg>,
        state: &mut MetricsState,
    ) -> Result<(), ActorProcessingErr> {
        state.ticker.abort();
        Ok(())
    }
}
