//! What supervision costs on the hot paths, with lifecycle hooks installed.
//!
//! A supervisor earns its keep by how fast it brings a crashed child back and by how little it
//! adds to starting and stopping children, so this measures:
//!
//! - **restart latency**: a one_for_one supervisor with no backoff and an intensity it never
//!   reaches; a worker whose handler returns `Err` on command. Measured from just before the crash
//!   message is sent (through the child's stable [`ChildHandle`]) to the moment the new
//!   incarnation's `pre_start` runs (it sends an `Instant` on a channel). Criterion reports the
//!   mean; a separate run of 10,000 restarts prints p50/p90/p99/p99.9/max, which a mean hides.
//! - **spawn cost per child**: `start_child` into a dynamic supervisor, one call per child (the
//!   request's round trip included); and a static supervisor of 100 children started by
//!   `start_root`, divided by 100.
//! - **a 10,000-child dynamic supervisor**: 10k `start_child` calls then `shutdown`, in total (and
//!   split in the printed summary).
//!
//! Every supervisor has an [`Observer`] that does what a metrics hook would do — an atomic counter
//! per kind of happening, and a sum of restart times — so its cost is included.
//!
//! Each case runs on a multi-thread tokio runtime with 2 workers, as a service would, and on a
//! current-thread runtime. The code that drives the supervisor runs in a task spawned on the
//! runtime, as a caller inside a service would, not on the thread blocked in `block_on`.
//!
//! Run with `cargo bench -p supervision`; the figures and
//! the machine they came from are in the crate's README. `benches/otp/restart_latency.escript`
//! measures the same restart loop on Erlang/OTP for comparison.

// A benchmark that cannot set itself up should stop at once, loudly: unwrap is the right tool.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode};
use ractor::{Actor, ActorProcessingErr, ActorRef};
use supervision::{
    ChildHandle, ChildSpec, Happening, LifecycleEvent, Observer, SendError, Strategy,
    SupervisorExit, SupervisorRef, SupervisorSpec,
};
use tokio::runtime::Runtime;
use tokio::sync::mpsc;

/// The root's name in every tree here.
const ROOT: &str = "bench";

/// Restarts sampled for the percentile summary, after [`WARMUP_RESTARTS`] unsampled ones.
const SAMPLED_RESTARTS: usize = 10_000;
const WARMUP_RESTARTS: usize = 1_000;

/// Children in the static supervisor started by `start_root`.
const STATIC_CHILDREN: usize = 100;

/// Children in the large dynamic supervisor.
const LARGE_TREE: usize = 10_000;

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/// An observer doing what a metrics hook does: count each kind of happening, sum restart times.
#[derive(Default)]
struct Counters {
    started: AtomicU64,
    restarted: AtomicU64,
    failed: AtomicU64,
    exited: AtomicU64,
    restarting: AtomicU64,
    stopped: AtomicU64,
    removed: AtomicU64,
    meltdowns: AtomicU64,
    commands: AtomicU64,
    /// Sum of `since_exit` over restarts, in nanoseconds.
    restart_nanos: AtomicU64,
}

impl Observer for Counters {
    fn on_event(&self, event: &LifecycleEvent<'_>) {
        match event.happening {
            Happening::Started {
                restart,
                since_exit,
            } => {
                if restart {
                    self.restarted.fetch_add(1, Ordering::Relaxed);
                }
                if let Some(since) = since_exit {
                    let nanos = u64::try_from(since.as_nanos()).unwrap_or(u64::MAX);
                    self.restart_nanos.fetch_add(nanos, Ordering::Relaxed);
                }
                // Last, and Release: a driver that sees the count sees the child running.
                self.started.fetch_add(1, Ordering::Release);
            }
            Happening::Failed { .. } => {
                self.failed.fetch_add(1, Ordering::Relaxed);
            }
            Happening::Exited => {
                self.exited.fetch_add(1, Ordering::Relaxed);
            }
            Happening::Restarting { .. } => {
                self.restarting.fetch_add(1, Ordering::Relaxed);
            }
            Happening::Stopped => {
                self.stopped.fetch_add(1, Ordering::Relaxed);
            }
            Happening::Removed => {
                self.removed.fetch_add(1, Ordering::Relaxed);
            }
            Happening::Meltdown { .. } => {
                self.meltdowns.fetch_add(1, Ordering::Relaxed);
            }
            Happening::Command { .. } => {
                self.commands.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

impl Counters {
    fn started(&self) -> u64 {
        self.started.load(Ordering::Acquire)
    }
}

/// What the bench worker takes.
enum WorkerMsg {
    /// Return `Err` from the handler: an abnormal exit.
    Crash,
}

/// A worker that announces each start and crashes on command.
struct Worker;

impl Actor for Worker {
    type Msg = WorkerMsg;
    type State = ();
    /// Where to announce starts, if anywhere.
    type Arguments = Option<mpsc::UnboundedSender<Instant>>;

    async fn pre_start(
        &self,
        _myself: ActorRef<WorkerMsg>,
        started: Self::Arguments,
    ) -> Result<(), ActorProcessingErr> {
        if let Some(started) = started {
            // The receiver outlives every worker of a run.
            let _ = started.send(Instant::now());
        }
        Ok(())
    }

    async fn handle(
        &self,
        _myself: ActorRef<WorkerMsg>,
        message: WorkerMsg,
        _state: &mut (),
    ) -> Result<(), ActorProcessingErr> {
        match message {
            WorkerMsg::Crash => Err("crashed on command".into()),
        }
    }
}

fn worker(id: &str, started: Option<mpsc::UnboundedSender<Instant>>) -> ChildSpec {
    ChildSpec::worker(id, move |ctx| {
        let started = started.clone();
        async move { ctx.spawn(Worker, started).await }
    })
}

fn multi_thread() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn current_thread() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Runs `fut` as a task on the current runtime, as a caller inside a service would.
async fn in_task<T: Send + 'static>(
    fut: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    tokio::spawn(fut).await.unwrap()
}

async fn shut_down(root: &SupervisorRef) {
    let exit = root.shutdown().await;
    assert!(
        matches!(exit, SupervisorExit::Shutdown(_)),
        "unexpected exit: {exit}"
    );
}

// ---------------------------------------------------------------------------------------------
// Restart latency
// ---------------------------------------------------------------------------------------------

/// Crashes one worker `restarts` times, waiting after each restart until the supervisor is idle
/// again, and returns each crash-to-`pre_start` latency.
async fn restart_latencies(restarts: usize) -> Vec<Duration> {
    let counters = Arc::new(Counters::default());
    let (tx, mut rx) = mpsc::unbounded_channel();
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(u32::MAX, Duration::from_secs(1))
        .observer(Arc::clone(&counters) as Arc<dyn Observer>)
        .child(worker("w", Some(tx)));
    let root = SupervisorRef::start_root(ROOT, spec).await.unwrap();
    let handle: ChildHandle = root.lookup(&format!("{ROOT}/w")).await.unwrap();
    rx.recv().await.unwrap();

    let mut samples = Vec::with_capacity(restarts);
    for i in 0..restarts {
        // The supervisor reports `Started` after it has made the new incarnation current.
        let expected = i as u64 + 1;
        while counters.started() < expected {
            tokio::task::yield_now().await;
        }
        let sent = Instant::now();
        match handle.send(WorkerMsg::Crash) {
            Ok(()) => {}
            Err(SendError::Unavailable { path, .. }) => panic!("{path} unavailable after start"),
            Err(err) => panic!("{err}"),
        }
        let started = rx.recv().await.unwrap();
        samples.push(started.saturating_duration_since(sent));
    }
    while counters.started() < restarts as u64 + 1 {
        tokio::task::yield_now().await;
    }
    shut_down(&root).await;
    assert_eq!(counters.restarted.load(Ordering::Relaxed), restarts as u64);
    assert_eq!(counters.failed.load(Ordering::Relaxed), restarts as u64);
    assert_eq!(counters.meltdowns.load(Ordering::Relaxed), 0);
    samples
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    // Nearest rank.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// Prints restart-latency percentiles over [`SAMPLED_RESTARTS`] restarts.
fn print_restart_percentiles(rt: &Runtime, label: &str, quick: bool) {
    let (warmup, sampled) = if quick {
        (10, 100)
    } else {
        (WARMUP_RESTARTS, SAMPLED_RESTARTS)
    };
    let mut samples = rt.block_on(in_task(restart_latencies(warmup + sampled)));
    let mut samples = samples.split_off(warmup);
    samples.sort_unstable();
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "restart latency [{label}], {} restarts: p50 {}  p90 {}  p99 {}  p99.9 {}  max {}  mean {}",
        samples.len(),
        micros(percentile(&samples, 50.0)),
        micros(percentile(&samples, 90.0)),
        micros(percentile(&samples, 99.0)),
        micros(percentile(&samples, 99.9)),
        micros(*samples.last().unwrap()),
        micros(mean),
    );
}

// ---------------------------------------------------------------------------------------------
// Spawn cost and the large tree
// ---------------------------------------------------------------------------------------------

async fn dynamic_root(max: usize, counters: &Arc<Counters>) -> SupervisorRef {
    let spec = SupervisorSpec::dynamic(max).observer(Arc::clone(counters) as Arc<dyn Observer>);
    SupervisorRef::start_root(ROOT, spec).await.unwrap()
}

fn numbered_workers(n: usize) -> Vec<ChildSpec> {
    (0..n).map(|i| worker(&format!("w{i}"), None)).collect()
}

/// Time for `n` `start_child` calls into a fresh dynamic supervisor (its start and shutdown not
/// counted).
async fn start_children(n: usize) -> Duration {
    let counters = Arc::new(Counters::default());
    let root = dynamic_root(n, &counters).await;
    let specs = numbered_workers(n);
    let began = Instant::now();
    for spec in specs {
        root.start_child(ROOT, spec).await.unwrap();
    }
    let took = began.elapsed();
    shut_down(&root).await;
    assert_eq!(counters.started(), n as u64);
    took
}

/// Time for `start_root` of a static supervisor of [`STATIC_CHILDREN`] children (its shutdown not
/// counted).
async fn start_static_root() -> Duration {
    let counters = Arc::new(Counters::default());
    let spec = numbered_workers(STATIC_CHILDREN).into_iter().fold(
        SupervisorSpec::new(Strategy::OneForOne)
            .observer(Arc::clone(&counters) as Arc<dyn Observer>),
        SupervisorSpec::child,
    );
    let began = Instant::now();
    let root = SupervisorRef::start_root(ROOT, spec).await.unwrap();
    let took = began.elapsed();
    shut_down(&root).await;
    assert_eq!(counters.started(), STATIC_CHILDREN as u64);
    took
}

/// A [`LARGE_TREE`]-child dynamic supervisor: start (root and children) and shutdown times.
async fn large_tree() -> (Duration, Duration) {
    let counters = Arc::new(Counters::default());
    let specs = numbered_workers(LARGE_TREE);
    let began = Instant::now();
    let root = dynamic_root(LARGE_TREE, &counters).await;
    for spec in specs {
        root.start_child(ROOT, spec).await.unwrap();
    }
    let started = began.elapsed();
    let stopping = Instant::now();
    shut_down(&root).await;
    let stopped = stopping.elapsed();
    assert_eq!(counters.started(), LARGE_TREE as u64);
    assert_eq!(counters.stopped.load(Ordering::Relaxed), LARGE_TREE as u64);
    (started, stopped)
}

fn print_large_tree(rt: &Runtime, label: &str) {
    let (start, stop) = rt.block_on(in_task(large_tree()));
    println!(
        "{LARGE_TREE}-child dynamic supervisor [{label}]: start {:.1} ms  shutdown {:.1} ms  total {:.1} ms",
        start.as_secs_f64() * 1e3,
        stop.as_secs_f64() * 1e3,
        (start + stop).as_secs_f64() * 1e3,
    );
}

// ---------------------------------------------------------------------------------------------
// Criterion
// ---------------------------------------------------------------------------------------------

fn bench_runtime(c: &mut Criterion, rt: &Runtime, label: &str) {
    let mut group = c.benchmark_group(format!("supervision/{label}"));
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    // Mean time per restart: only the crash-to-pre_start spans are summed.
    group.bench_function("restart_latency", |b| {
        b.to_async(rt).iter_custom(|iters| async move {
            let restarts = usize::try_from(iters).unwrap();
            in_task(restart_latencies(restarts)).await.into_iter().sum()
        });
    });

    // Time per child: one iteration is one start_child call.
    group.bench_function("spawn_per_child/dynamic_start_child", |b| {
        b.to_async(rt).iter_custom(|iters| async move {
            in_task(start_children(usize::try_from(iters).unwrap())).await
        });
    });

    group.finish();

    // Time per child: one iteration is a start_root of 100 children, divided by 100. Fewer
    // samples, as each iteration takes hundreds of microseconds.
    let mut group = c.benchmark_group(format!("supervision/{label}"));
    group
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function(
        format!("spawn_per_child/static_start_root_{STATIC_CHILDREN}"),
        |b| {
            b.to_async(rt).iter_custom(|iters| async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += in_task(start_static_root()).await;
                }
                total / u32::try_from(STATIC_CHILDREN).unwrap()
            });
        },
    );
    group.finish();

    // Whole-tree time: one iteration is 10k start_child calls and a shutdown.
    let mut group = c.benchmark_group(format!("supervision/{label}"));
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    group.bench_function(format!("dynamic_{LARGE_TREE}_start_and_shutdown"), |b| {
        b.to_async(rt).iter_custom(|iters| async move {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (start, stop) = in_task(large_tree()).await;
                total += start + stop;
            }
            total
        });
    });
    group.finish();
}

fn main() {
    // `cargo test --benches` and `cargo bench -- --test` run every bench once: keep that quick.
    let quick = std::env::args().any(|arg| arg == "--test");
    let mut criterion = Criterion::default().configure_from_args();

    let runtimes = [
        ("multi_thread_2_workers", multi_thread()),
        ("current_thread", current_thread()),
    ];

    println!("== restart latency percentiles and {LARGE_TREE}-child tree ==");
    for (label, rt) in &runtimes {
        print_restart_percentiles(rt, label, quick);
        if !quick {
            print_large_tree(rt, label);
        }
    }
    println!();

    for (label, rt) in &runtimes {
        bench_runtime(&mut criterion, rt, label);
    }
    criterion.final_summary();
}
