//! The service tree starts with its five branches under their documented strategies.

use std::sync::Arc;

use supervision::{NodeState, NoopObserver, Strategy, SupervisorRef};

use super::{service_tree, BranchSettings, Branches, BRANCHES, ROOT};

#[tokio::test]
async fn the_tree_has_its_branches_in_order() {
    let root = SupervisorRef::start_root(
        ROOT,
        service_tree(
            Branches::default(),
            Arc::new(|_: &str| BranchSettings::default()),
            Arc::new(NoopObserver),
        ),
    )
    .await
    .unwrap();
    let snap = root.snapshot().await.unwrap();
    let ids: Vec<&str> = snap.children.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, BRANCHES);
    assert!(snap.children.iter().all(|c| c.state == NodeState::Running));
    assert_eq!(
        snap.find("root/infra").unwrap().strategy,
        Some(Strategy::RestForOne)
    );
    assert_eq!(
        snap.find("root/reports").unwrap().strategy,
        Some(Strategy::OneForOne)
    );
    root.shutdown().await;
}
