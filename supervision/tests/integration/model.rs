//! A property test: random sequences of crashes, exits and operator commands, applied to the
//! real supervisor and to a small reference model of the OTP rules (as this crate states them),
//! must agree after every step — states, restart counts, incarnations, forgotten children and
//! the moment of meltdown.

use std::time::Duration;

use proptest::prelude::*;
use proptest::strategy::Strategy as PropStrategy;
use supervision::{NodeState, Restart, Strategy, SupervisorRef, SupervisorSpec};

use super::util::{worker, ExitKind, Probe, Recorder};

#[derive(Debug, Clone, Copy)]
enum Op {
    Crash(usize, ExitKind),
    Restart(usize),
    Stop(usize),
    Start(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ModelState {
    Running,
    Stopped,
}

#[derive(Debug, Clone)]
struct ModelChild {
    restart: Restart,
    state: ModelState,
    starts: u64,
    present: bool,
}

#[derive(Debug)]
struct Model {
    strategy: Strategy,
    max_restarts: u32,
    restarts_counted: u32,
    children: Vec<ModelChild>,
    melted: bool,
}

impl Model {
    fn start(&mut self, i: usize) {
        let child = &mut self.children[i];
        child.starts += 1;
        child.state = ModelState::Running;
    }

    /// Applies `op`; returns false when the op does not apply (child absent or not running).
    fn apply(&mut self, op: Op) -> bool {
        match op {
            Op::Crash(i, kind) => {
                let child = &self.children[i];
                if !child.present || child.state != ModelState::Running {
                    return false;
                }
                match (child.restart, kind.is_abnormal()) {
                    (Restart::Temporary, _) => {
                        self.children[i].present = false;
                        return true;
                    }
                    (Restart::Transient, false) => {
                        self.children[i].state = ModelState::Stopped;
                        return true;
                    }
                    _ => {}
                }
                self.restarts_counted += 1;
                if self.restarts_counted > self.max_restarts {
                    self.melted = true;
                    return true;
                }
                let group: Vec<usize> = match self.strategy {
                    Strategy::OneForOne => vec![i],
                    Strategy::OneForAll => (0..self.children.len()).collect(),
                    Strategy::RestForOne => (i..self.children.len()).collect(),
                };
                for s in group {
                    let sibling = &self.children[s];
                    if !sibling.present || (s != i && sibling.state == ModelState::Stopped) {
                        continue;
                    }
                    if s != i && sibling.restart == Restart::Temporary {
                        self.children[s].present = false;
                        continue;
                    }
                    self.start(s);
                }
                true
            }
            Op::Restart(i) => {
                if !self.children[i].present {
                    return false;
                }
                self.start(i);
                true
            }
            Op::Stop(i) => {
                if !self.children[i].present {
                    return false;
                }
                self.children[i].state = ModelState::Stopped;
                true
            }
            Op::Start(i) => {
                if !self.children[i].present {
                    return false;
                }
                if self.children[i].state == ModelState::Stopped {
                    self.start(i);
                }
                true
            }
        }
    }
}

fn restart_type() -> impl PropStrategy<Value = Restart> {
    prop_oneof![
        Just(Restart::Permanent),
        Just(Restart::Transient),
        Just(Restart::Temporary)
    ]
}

fn strategy() -> impl PropStrategy<Value = Strategy> {
    prop_oneof![
        Just(Strategy::OneForOne),
        Just(Strategy::OneForAll),
        Just(Strategy::RestForOne)
    ]
}

fn exit_kind() -> impl PropStrategy<Value = ExitKind> {
    prop_oneof![
        Just(ExitKind::Normal),
        Just(ExitKind::Shutdown),
        Just(ExitKind::Panic),
        Just(ExitKind::Error)
    ]
}

fn op(children: usize) -> impl PropStrategy<Value = Op> {
    prop_oneof![
        6 => (0..children, exit_kind()).prop_map(|(i, k)| Op::Crash(i, k)),
        1 => (0..children).prop_map(Op::Restart),
        1 => (0..children).prop_map(Op::Stop),
        2 => (0..children).prop_map(Op::Start),
    ]
}

fn id(i: usize) -> String {
    format!("c{i}")
}

async fn check(
    strategy: Strategy,
    max_restarts: u32,
    types: Vec<Restart>,
    ops: Vec<Op>,
) -> Result<(), TestCaseError> {
    let probe = Probe::new();
    let rec = Recorder::new();
    let mut spec = SupervisorSpec::new(strategy)
        .intensity(max_restarts, Duration::from_secs(3_600))
        .observer(rec.clone());
    for (i, restart) in types.iter().enumerate() {
        spec = spec.child(worker(&id(i), &probe).restart(*restart));
    }
    let root = SupervisorRef::start_root("m", spec).await.unwrap();
    let mut model = Model {
        strategy,
        max_restarts,
        restarts_counted: 0,
        children: types
            .iter()
            .map(|&restart| ModelChild {
                restart,
                state: ModelState::Running,
                starts: 1,
                present: true,
            })
            .collect(),
        melted: false,
    };
    for (step, op) in ops.into_iter().enumerate() {
        if !model.apply(op) {
            continue;
        }
        let path = |i: usize| format!("m/{}", id(i));
        match op {
            Op::Crash(i, kind) => {
                let what = if kind.is_abnormal() {
                    "failed"
                } else {
                    "exited"
                };
                let before = rec.count(&path(i), what);
                probe.exit(&id(i), kind);
                rec.until_count(&path(i), what, before + 1).await;
            }
            Op::Restart(i) => root.restart(&path(i)).await.unwrap(),
            Op::Stop(i) => root.stop(&path(i)).await.unwrap(),
            Op::Start(i) => root.start(&path(i)).await.unwrap(),
        }
        if model.melted {
            let exit = tokio::time::timeout(Duration::from_secs(10), root.wait())
                .await
                .unwrap();
            prop_assert!(
                matches!(exit, supervision::SupervisorExit::Meltdown { .. }),
                "step {step}: {exit:?}"
            );
            return Ok(());
        }
        let snap = root.snapshot().await.unwrap();
        for (i, child) in model.children.iter().enumerate() {
            let node = snap.find(&path(i));
            prop_assert_eq!(
                node.is_some(),
                child.present,
                "step {} {:?}: presence of c{}",
                step,
                op,
                i
            );
            prop_assert_eq!(
                probe.starts(&id(i)),
                child.starts,
                "step {} {:?}: starts of c{}",
                step,
                op,
                i
            );
            if let Some(node) = node {
                let expected = match child.state {
                    ModelState::Running => NodeState::Running,
                    ModelState::Stopped => NodeState::Stopped,
                };
                prop_assert_eq!(
                    node.state,
                    expected,
                    "step {} {:?}: state of c{}",
                    step,
                    op,
                    i
                );
                prop_assert_eq!(
                    node.restarts,
                    child.starts - 1,
                    "step {} {:?}: restarts of c{}",
                    step,
                    op,
                    i
                );
            }
        }
        prop_assert!(root.exit().is_none(), "step {step}: supervisor ended early");
    }
    root.shutdown().await;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn supervisor_agrees_with_the_model(
        strategy in strategy(),
        max_restarts in 0u32..8,
        types in proptest::collection::vec(restart_type(), 1..5),
        ops in proptest::collection::vec(op(4), 1..40),
    ) {
        let ops: Vec<Op> = ops
            .into_iter()
            .filter(|op| match op {
                Op::Crash(i, _) | Op::Restart(i) | Op::Stop(i) | Op::Start(i) => *i < types.len(),
            })
            .collect();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(check(strategy, max_restarts, types, ops))?;
    }
}
