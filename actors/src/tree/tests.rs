//! The service tree starts with its five branches under their documented strategies, and the
//! paths spelled out in `tree.rs` are the paths the tree has.

use std::sync::Arc;

use supervision::{NodeState, NoopObserver, Strategy, SupervisorRef};

use super::{
    analysis_path, engine_path, infra, service_tree, Branch, BranchSettings, Branches, BRANCHES,
    FORUM, FORUM_PATH, ROOT,
};
use crate::engines::EngineKind;

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
    assert_eq!(ids, Branch::ALL.map(Branch::id));
    for branch in Branch::ALL {
        assert!(snap.find(branch.path()).is_some(), "{}", branch.path());
    }
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

#[test]
fn the_spelled_out_paths_are_made_of_the_ids() {
    for branch in Branch::ALL {
        assert_eq!(branch.path(), format!("{ROOT}/{}", branch.id()));
        assert_eq!(branch.child_id(&branch.child("x")), Some("x"));
        assert_eq!(branch.child_id(&format!("{}/x/y", branch.path())), None);
        assert_eq!(branch.child_id(branch.path()), None);
    }
    assert_eq!(BRANCHES, Branch::ALL.map(Branch::id));
    assert_eq!(FORUM_PATH, Branch::Engines.child(FORUM));
    assert_eq!(infra::CONFIG_PATH, Branch::Infra.child(infra::CONFIG));
    assert_eq!(engine_path(EngineKind::Media), "root/engines/media");
    assert_eq!(analysis_path("0123456789ab"), "root/analyses/0123456789ab");
    assert_eq!(
        Branch::dynamic_parent_of(&analysis_path("0123456789ab")),
        Some(Branch::Analyses)
    );
    assert_eq!(
        Branch::dynamic_parent_of(Branch::Analyses.path()),
        None,
        "the branch itself is no child of itself"
    );
    assert_eq!(Branch::dynamic_parent_of("root/analysesx/1"), None);
    assert_eq!(
        Branch::dynamic_parent_of(&engine_path(EngineKind::Query)),
        None
    );
}
