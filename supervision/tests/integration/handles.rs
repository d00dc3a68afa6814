//! Handles taken before the tree starts: an application creates the tree's [`TreeHandles`],
//! takes the handle of a path, builds the specs of the children that will send there holding
//! it, then starts the root with it. The handle is the child's own: it reaches the child once
//! it runs, follows it across its restarts and its supervisor's, and refuses while nothing runs.

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use supervision::{
    ChildHandle, ChildSpec, SendError, Strategy, SupervisorRef, SupervisorSpec, TreeHandles,
};

use super::util::{worker, ExitKind, Probe, WorkerMsg};

/// A worker that asks another, through a handle it was built with, for its incarnation.
struct Relay;

enum RelayMsg {
    /// Asks the target its incarnation number; `None` when the target refused the message.
    Ask(RpcReplyPort<Option<u64>>),
}

impl Actor for Relay {
    type Msg = RelayMsg;
    type State = ChildHandle;
    type Arguments = ChildHandle;

    async fn pre_start(
        &self,
        _myself: ActorRef<RelayMsg>,
        target: ChildHandle,
    ) -> Result<ChildHandle, ActorProcessingErr> {
        Ok(target)
    }

    async fn handle(
        &self,
        _myself: ActorRef<RelayMsg>,
        RelayMsg::Ask(reply): RelayMsg,
        target: &mut ChildHandle,
    ) -> Result<(), ActorProcessingErr> {
        let (tx, rx) = ractor::concurrency::oneshot();
        let answer = match target.send(WorkerMsg::Ping(tx.into())) {
            Ok(()) => rx.await.ok(),
            Err(_) => None,
        };
        let _ = reply.send(answer);
        Ok(())
    }
}

/// The incarnation of the worker `handle` reaches, asked through it.
async fn ping(handle: &ChildHandle) -> u64 {
    let (tx, rx) = ractor::concurrency::oneshot();
    assert!(handle.send(WorkerMsg::Ping(tx.into())).is_ok());
    rx.await.unwrap()
}

#[tokio::test]
async fn a_handle_taken_before_the_tree_starts_reaches_its_child_across_restarts() {
    let probe = Probe::new();
    let handles = TreeHandles::new();
    let early = handles.handle("root/group/w");
    assert_eq!(early.path(), "root/group/w");
    assert!(early.current().is_none());
    match early.send(WorkerMsg::Exit(ExitKind::Normal)) {
        Err(SendError::Unavailable { message, .. }) => assert!(message.is_some()),
        other => panic!("expected a refusal, got {:?}", other.is_ok()),
    }

    // The relay starts first, holding the handle of a worker that does not exist yet.
    let relay = {
        let target = early.clone();
        ChildSpec::worker("relay", move |ctx| {
            let target = target.clone();
            async move { ctx.spawn(Relay, target).await }
        })
    };
    let group = SupervisorSpec::new(Strategy::OneForOne).child(worker("w", &probe));
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .child(relay)
        .child(ChildSpec::supervisor("group", group));
    let root = SupervisorRef::start_root_with("root", spec, handles.clone())
        .await
        .unwrap();

    // The early handle is the child's: the same incarnation as a lookup finds.
    let looked_up = root.lookup("root/group/w").await.unwrap();
    assert_eq!(
        early.current().map(|c| c.get_id()),
        looked_up.current().map(|c| c.get_id())
    );
    assert_eq!(ping(&early).await, 1);
    let relay = root.lookup("root/relay").await.unwrap();
    let ask = |relay: ChildHandle| async move {
        let (tx, rx) = ractor::concurrency::oneshot();
        assert!(relay.send(RelayMsg::Ask(tx.into())).is_ok());
        rx.await.unwrap()
    };
    assert_eq!(ask(relay.clone()).await, Some(1));

    // Across the child's own restart and its supervisor's.
    root.restart("root/group/w").await.unwrap();
    assert_eq!(ping(&early).await, 2);
    root.restart("root/group").await.unwrap();
    assert_eq!(ping(&early).await, 3);
    assert_eq!(ask(relay.clone()).await, Some(3));
    // The root's directory gives out the same handle.
    assert_eq!(
        root.handles()
            .handle("root/group/w")
            .current()
            .map(|c| c.get_id()),
        early.current().map(|c| c.get_id())
    );

    // Stopped: refused, through the early handle and through the relay.
    root.stop("root/group/w").await.unwrap();
    assert!(early.current().is_none());
    assert_eq!(ask(relay.clone()).await, None);
    root.start("root/group/w").await.unwrap();
    assert_eq!(ask(relay).await, Some(4));

    root.shutdown().await;
    assert!(early.current().is_none());
}

#[tokio::test]
async fn a_handle_for_a_path_of_another_tree_never_reaches_anything() {
    let probe = Probe::new();
    let handles = TreeHandles::new();
    let elsewhere = handles.handle("other/w");
    let spec = SupervisorSpec::new(Strategy::OneForOne).child(worker("w", &probe));
    let root = SupervisorRef::start_root_with("root", spec, handles)
        .await
        .unwrap();
    assert!(root.lookup("root/w").await.unwrap().current().is_some());
    assert!(elsewhere.current().is_none());
    root.shutdown().await;
}
