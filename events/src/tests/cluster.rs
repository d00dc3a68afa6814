//! The bus in a cluster: publications go out and come back numbered, the cluster's epoch is
//! never numbered here, an outage is one local epoch whose ids are never issued again, and a
//! cursor still on its way is waited for rather than resynced.

use std::time::Duration;

use serde_json::value::RawValue;

use super::super::{Cursor, Next, Numbered, Numbering, Start, TopicFilter};
use super::{bus, drain, replayed};

/// An event the cluster numbered on topic `a`, type `x`.
fn numbered(cursor: Cursor, payload: Box<RawValue>) -> Numbered {
    Numbered {
        cursor,
        topic: "a".into(),
        kind: "x".into(),
        ts: std::time::SystemTime::now(),
        payload,
    }
}

#[tokio::test]
async fn attached_to_a_cluster_publications_go_out_and_come_back_numbered() {
    use super::super::Ingested;
    let bus = bus(100, 100);
    let (tx, mut outbox) = tokio::sync::mpsc::channel(4);
    // The cluster's epoch and past become this node's history, and its outbox the way out.
    let epoch = 0xabc;
    let at = |offset| Cursor { epoch, offset };
    let raw = |n: i32| super::super::event::payload(&n).unwrap();
    let now = std::time::SystemTime::now();
    bus.adopt(
        epoch,
        vec![numbered(at(41), raw(41)), numbered(at(42), raw(42))],
        tx,
    );
    assert_eq!(
        bus.publish("a", "x", &1).unwrap(),
        None,
        "numbered by the cluster"
    );
    let draft = outbox.recv().await.unwrap();
    assert_eq!((&*draft.topic, &*draft.kind), ("a", "x"));
    let sub = bus.subscribe(TopicFilter::parse("a").unwrap(), Some(at(40)));
    assert_eq!(replayed(&sub).unwrap(), [41, 42]);
    assert_eq!(
        bus.ingest(at(43), "a", "x", now, raw(43)),
        Ingested::Applied
    );
    assert_eq!(
        bus.ingest(at(43), "a", "x", now, raw(43)),
        Ingested::Duplicate
    );
    assert_eq!(
        bus.ingest(at(45), "a", "x", now, raw(45)),
        Ingested::Gap { expected: 44 }
    );
    assert_eq!(
        bus.ingest(
            Cursor {
                epoch: 1,
                offset: 44
            },
            "a",
            "x",
            now,
            raw(0)
        ),
        Ingested::OtherEpoch
    );
    assert_eq!(drain(&sub), [43]);
    let older = bus.subscribe(TopicFilter::parse("a").unwrap(), Some(at(39)));
    assert!(
        matches!(older.start, Start::Resync { .. }),
        "before the adopted history"
    );
    // The cluster's hub never numbers an event itself.
    assert_eq!(bus.hub().numbering(), Numbering::Cluster);
    assert!(bus.hub().publish("a".into(), "x".into(), raw(7)).is_err());
    // A closed outbox is an outage: the event is delivered here, in a new local epoch.
    drop(outbox);
    let local = bus.publish("a", "x", &2).unwrap().unwrap();
    assert_ne!(local.epoch, epoch);
    assert_eq!(local.offset, 1);
    assert!(matches!(sub.queue.try_next(), Some(Next::Closed(_))));
    bus.detach();
    assert_eq!(
        bus.publish("a", "x", &3).unwrap().unwrap(),
        Cursor {
            epoch: local.epoch,
            offset: 2
        },
        "detaching again keeps the outage's one local epoch"
    );
}

#[tokio::test]
async fn an_outage_is_one_local_epoch_and_never_reuses_an_id() {
    let bus = bus(100, 100);
    let first_local = bus.position().epoch;
    let (tx, _outbox) = tokio::sync::mpsc::channel(4);
    let cluster = 0x5eed;
    let now = std::time::SystemTime::now();
    let raw = |n: i32| super::super::event::payload(&n).unwrap();
    bus.adopt(
        cluster,
        vec![numbered(
            Cursor {
                epoch: cluster,
                offset: 7,
            },
            raw(7),
        )],
        tx.clone(),
    );
    let sub = bus.subscribe(TopicFilter::parse("a").unwrap(), None);
    // The link fails to number a draft: it is published locally, in a new epoch, at offset 1 —
    // never as the cluster's offset 8, which the cluster will give to its next event.
    let draft = super::super::Draft {
        topic: "a".into(),
        kind: "x".into(),
        ts: now,
        payload: raw(8),
        numbered: None,
    };
    let outage = bus.publish_local(draft);
    assert_ne!(outage.epoch, cluster);
    assert_ne!(outage.epoch, first_local, "never an epoch used before");
    assert_eq!(outage.offset, 1);
    // Every failed reconnection detaches again: the same epoch goes on.
    for n in 0..5 {
        bus.detach();
        let cursor = bus.publish("a", "x", &n).unwrap().unwrap();
        assert_eq!(cursor.epoch, outage.epoch);
    }
    assert!(matches!(sub.queue.try_next(), Some(Next::Closed(_))));
    // Back in the cluster, then out again: a third local epoch, unlike the two before.
    bus.adopt(cluster, Vec::new(), tx);
    bus.detach();
    let next = bus.position().epoch;
    assert!(![first_local, outage.epoch, cluster].contains(&next));
    // Drawing many epochs never repeats one.
    let mut seen = std::collections::HashSet::new();
    for _ in 0..1_000 {
        assert!(seen.insert(bus.fresh_epoch()));
    }
}

#[tokio::test(start_paused = true)]
async fn a_cursor_still_on_its_way_is_waited_for_not_resynced() {
    let bus = bus(100, 100);
    let (tx, _outbox) = tokio::sync::mpsc::channel(4);
    let epoch = 0xabc;
    let at = move |offset| Cursor { epoch, offset };
    let raw = |n: i32| super::super::event::payload(&n).unwrap();
    let now = std::time::SystemTime::now();
    bus.adopt(epoch, vec![numbered(at(1), raw(1))], tx);
    let a = TopicFilter::parse("a").unwrap();

    // The cluster numbered 2 and 3 (another node resumes from 2), but they are still on their
    // way here: the resume waits for them, then replays what follows its cursor.
    let waiting = tokio::spawn({
        let bus = bus.clone();
        async move {
            let began = tokio::time::Instant::now();
            bus.catch_up(Some(at(2)), Duration::from_secs(2)).await;
            began.elapsed()
        }
    });
    tokio::task::yield_now().await;
    tokio::time::advance(Duration::from_secs(1)).await;
    assert!(!waiting.is_finished(), "waiting for offset 2");
    bus.ingest(at(2), "a", "x", now, raw(2));
    bus.ingest(at(3), "a", "x", now, raw(3));
    assert_eq!(
        waiting.await.unwrap(),
        Duration::from_secs(1),
        "done when it arrived"
    );
    let sub = bus.subscribe(a.clone(), Some(at(2)));
    assert_eq!(replayed(&sub).unwrap(), [3]);

    // A cursor that never arrives is answered with resync once the wait is over.
    let began = tokio::time::Instant::now();
    bus.catch_up(Some(at(9)), Duration::from_secs(2)).await;
    assert_eq!(began.elapsed(), Duration::from_secs(2));
    let sub = bus.subscribe(a.clone(), Some(at(9)));
    assert!(matches!(sub.start, Start::Resync { .. }));

    // A new epoch ends the wait at once.
    let waiting = tokio::spawn({
        let bus = bus.clone();
        async move { bus.catch_up(Some(at(9)), Duration::from_secs(60)).await }
    });
    tokio::task::yield_now().await;
    tokio::time::advance(Duration::from_secs(1)).await;
    assert!(!waiting.is_finished(), "waiting for offset 9");
    bus.new_epoch();
    tokio::time::timeout(Duration::from_millis(1), waiting)
        .await
        .expect("the wait ended with the epoch")
        .unwrap();

    // Alone, a cursor ahead can never become valid: no wait.
    bus.detach();
    let began = tokio::time::Instant::now();
    let ahead = Cursor {
        epoch: bus.hub().epoch(),
        offset: 5,
    };
    bus.catch_up(Some(ahead), Duration::from_secs(2)).await;
    assert_eq!(began.elapsed(), Duration::ZERO);
}

#[tokio::test]
async fn a_full_outbox_is_an_outage_not_a_refusal() {
    let bus = bus(100, 100);
    let (tx, _outbox) = tokio::sync::mpsc::channel(2);
    let cluster = 0xfee1;
    bus.adopt(cluster, Vec::new(), tx.clone());
    let a = TopicFilter::parse("a").unwrap();
    let sub = bus.subscribe(a.clone(), None);
    assert!(bus.routes_to(&tx));
    assert_eq!(bus.publish("a", "x", &1).unwrap(), None);
    assert_eq!(bus.publish("a", "x", &2).unwrap(), None);
    // Full: the event is numbered here, in a new local epoch, not refused and not lost.
    let local = bus.publish("a", "x", &3).unwrap().unwrap();
    assert_ne!(local.epoch, cluster);
    assert_eq!(local.offset, 1);
    assert_eq!(bus.hub().numbering(), Numbering::Here);
    assert!(!bus.routes_to(&tx), "the link sees the bus left it");
    assert!(matches!(sub.queue.try_next(), Some(Next::Closed(_))));
    let live = bus.subscribe(
        a,
        Some(Cursor {
            epoch: local.epoch,
            offset: 0,
        }),
    );
    assert_eq!(replayed(&live).unwrap(), [1]);
    // Later publications stay in the outage's epoch.
    assert_eq!(
        bus.publish("a", "x", &4).unwrap().unwrap().epoch,
        local.epoch
    );
}

#[test]
fn proposing_an_epoch_records_nothing() {
    let bus = bus(100, 100);
    let before = bus.used_epochs();
    let proposed: std::collections::HashSet<u64> =
        (0..1_000).map(|_| bus.proposed_epoch()).collect();
    assert_eq!(bus.used_epochs(), before, "proposals do not grow the set");
    assert!(!proposed.contains(&bus.position().epoch));
    // Adopting one records it: it is never proposed or started again.
    let (tx, _outbox) = tokio::sync::mpsc::channel(1);
    bus.adopt(7, Vec::new(), tx);
    assert_eq!(bus.used_epochs(), before + 1);
}
