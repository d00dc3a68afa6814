//! The sessions' facade on a real tree and a SQLite database, with no engines running: what
//! the HTTP tests do not show — an ending with no session in the tree is recorded and
//! announced once, overdue analyses are announced, a session whose engines are unreachable
//! ends `failed` and leaves the tree — and the typed result's stored form.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use supervision::{NoopObserver, SupervisorRef, TreeHandles};

use super::*;
use crate::engines::EngineKind;
use crate::tree::{analysis_path, service_tree, BranchSettings, Branches, ROOT};
use events::{EventBus, Next, TopicFilter};

struct Fixture {
    sessions: AnalysisSessions,
    records: SessionRecords,
    bus: EventBus,
    root: SupervisorRef,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    fixture_running(4).await
}

/// A fixture taking at most `max_running` analyses at once.
async fn fixture_running(max_running: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let db = storage::Database::open(&url, &storage::PoolSettings::default())
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let bus = EventBus::new(Default::default());
    let spec = service_tree(
        Branches::default(),
        Arc::new(|_: &str| BranchSettings::default()),
        Arc::new(NoopObserver),
    );
    let root = SupervisorRef::start_root_with(ROOT, spec, TreeHandles::new())
        .await
        .unwrap();
    let records = SessionRecords::new(db, bus.clone());
    let settings: SessionSettingsSource = Arc::new(|| SessionSettings {
        engine_timeout: Duration::from_secs(5),
    });
    Fixture {
        sessions: AnalysisSessions::new(records.clone(), root.clone(), settings, max_running),
        records,
        bus,
        root,
        _dir: dir,
    }
}

/// The events of `analysis/<id>` published so far: (type, payload).
fn events_of(bus: &EventBus, id: &AnalysisId) -> Vec<(String, Value)> {
    let filter = Topic::analysis(id).filter().unwrap();
    bus.hub()
        .recent(&filter, 1000)
        .iter()
        .map(|e| {
            (
                e.kind.to_string(),
                serde_json::from_str(e.payload.get()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn ids_from_outside_are_ours_or_not_found() {
    let made = AnalysisId::random();
    assert_eq!(made.as_str().len(), 12);
    assert_eq!(AnalysisId::parse(made.as_str()).unwrap(), made);
    for bad in ["", "../etc", "a b", "0123456789abcdef0123456789abcdef0"] {
        assert!(
            matches!(AnalysisId::parse(bad), Err(SessionError::NotFound(_))),
            "{bad}"
        );
    }
}

#[test]
fn the_deadline_is_gathering_the_engine_timeout_and_a_minute() {
    let settings = SessionSettings {
        engine_timeout: Duration::from_secs(600),
    };
    assert_eq!(settings.deadline_ms(1_000), 1_000 + 30_000 + 660_000);
    let forever = SessionSettings {
        engine_timeout: Duration::MAX,
    };
    assert_eq!(forever.deadline_ms(1), i64::MAX);
}

#[test]
fn a_result_is_stored_in_the_shape_the_api_and_the_events_show() {
    let mut result = AnalysisResult::default();
    result.engines.insert(
        EngineKind::Query,
        EnginePart::no_report(NoReport::Timeout(Duration::from_secs(3))),
    );
    result.engines.insert(
        EngineKind::Media,
        EnginePart::unanswered(PartStatus::Cancelled, None),
    );
    let text = result.to_json().unwrap();
    let stored: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        stored,
        json!({
            "engines": {
                "media": {"status": "cancelled", "error": null, "output_id": null,
                          "paragraphs": null, "mode": null, "fallbacks": []},
                "query": {"status": "timeout", "error": "no report within 3s; the job was cancelled",
                          "output_id": null, "paragraphs": null, "mode": null, "fallbacks": []},
            },
            "evidence": null,
            "report": null,
        })
    );
    assert_eq!(AnalysisResult::from_json(&text), Some(result));
    assert_eq!(AnalysisResult::from_json("{\"engines\": 3}"), None);
    assert_eq!(
        AnalysisResult::from_json("{\"engines\": {}, \"report\": {\"x\": 1}}"),
        None,
        "a report link has a task id"
    );
}

#[tokio::test]
async fn queries_are_checked_before_anything_is_recorded() {
    let f = fixture().await;
    assert!(matches!(
        f.sessions.start("  \n ").await,
        Err(SessionError::EmptyQuery)
    ));
    let long = "长".repeat(MAX_QUERY_CHARS + 1);
    assert!(matches!(
        f.sessions.start(&long).await,
        Err(SessionError::QueryTooLong {
            max: MAX_QUERY_CHARS
        })
    ));
    assert!(f.sessions.list(10).await.unwrap().is_empty());
    f.root.shutdown().await;
}

#[tokio::test]
async fn a_refused_analysis_never_has_a_row_and_an_ended_one_gives_its_place_back() {
    let none = fixture_running(0).await;
    assert!(matches!(
        none.sessions.start("食堂涨价").await,
        Err(SessionError::Tree(SupervisorError::MaxChildren {
            max: 0,
            ..
        }))
    ));
    assert!(none.sessions.list(10).await.unwrap().is_empty());
    none.root.shutdown().await;

    // One place: a session whose engines do not run ends soon and gives it back; until then
    // the next is refused, with no row, and then it starts.
    let one = fixture_running(1).await;
    one.sessions.start("第一").await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match one.sessions.start("第二").await {
                Ok(_) => break,
                Err(SessionError::Tree(SupervisorError::MaxChildren { max: 1, .. })) => {
                    tokio::task::yield_now().await;
                }
                Err(err) => panic!("{err:?}"),
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(one.sessions.list(10).await.unwrap().len(), 2);
    one.root.shutdown().await;
}

#[tokio::test]
async fn an_unconfirmed_start_keeps_its_row_recorded_failed() {
    let f = fixture().await;
    f.root.shutdown().await;
    let err = f.sessions.start("没有树").await.unwrap_err();
    assert!(
        matches!(err, SessionError::Tree(SupervisorError::Unavailable(_))),
        "{err:?}"
    );
    let listed = f.sessions.list(10).await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].status, AnalysisStatus::Failed);
}

#[tokio::test]
async fn a_session_whose_engines_do_not_run_ends_failed_and_leaves_the_tree() {
    let f = fixture().await;
    let started = f.sessions.start(" 滨海马拉松 ").await.unwrap();
    assert_eq!(started.query, "滨海马拉松");
    assert_eq!(started.status, AnalysisStatus::Running);
    assert_eq!(started.topic, Topic::analysis(&started.id));
    let id = started.id;

    // Awaited on the bus: the session ends on its own.
    let sub = f
        .bus
        .subscribe(Topic::analysis(&id).filter().unwrap(), None);
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if events_of(&f.bus, &id).iter().any(|(k, _)| k == "finished") {
                return;
            }
            if let Next::Closed(_) = sub.queue.next().await {
                return;
            }
        }
    });
    ended.await.unwrap();
    let events = events_of(&f.bus, &id);
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "started",
            "engine_done",
            "engine_done",
            "engine_done",
            "finished"
        ]
    );
    assert_eq!(events[0].1["engines"], json!(["query", "media", "insight"]));
    let finished = &events[4].1;
    assert_eq!(finished["status"], "failed");
    assert_eq!(finished["id"], id.as_str());
    for engine in ["query", "media", "insight"] {
        let part = &finished["engines"][engine];
        assert_eq!(part["status"], "failed", "{finished:#}");
        assert!(
            part["error"]
                .as_str()
                .unwrap()
                .contains("has no running incarnation"),
            "{part}"
        );
    }

    let view = f.sessions.get(&id).await.unwrap();
    assert_eq!(view.status, AnalysisStatus::Failed);
    assert!(view.error.unwrap().contains("query:"));
    let result = view.result.unwrap();
    assert_eq!(result.engines.len(), 3);
    assert!(result.report.is_none());
    assert!(matches!(
        f.sessions.cancel(&id).await,
        Err(SessionError::AlreadyEnded {
            status: AnalysisStatus::Failed,
            ..
        })
    ));
    // Gone from the tree (temporary); the registry's handle reaches nothing.
    tokio::time::timeout(Duration::from_secs(10), async {
        while f.root.lookup(&analysis_path(id.as_str())).await.is_ok() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .unwrap();
    let listed = f.sessions.list(10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].id.as_str(), listed[0].status),
        (id.as_str(), AnalysisStatus::Failed)
    );
    f.root.shutdown().await;
}

#[tokio::test]
async fn a_running_analysis_without_a_session_is_cancelled_and_announced_once() {
    let f = fixture().await;
    let id = AnalysisId::random();
    let now = storage::clock::now_ms();
    f.records
        .create(&id, "食堂涨价", now, now + 60_000)
        .await
        .unwrap();
    assert_eq!(
        f.sessions.cancel(&id).await.unwrap(),
        Cancellation::Recorded
    );
    let view = f.sessions.get(&id).await.unwrap();
    assert_eq!(view.status, AnalysisStatus::Cancelled);
    assert!(view.error.unwrap().contains("no longer running"));
    assert!(matches!(
        f.sessions.cancel(&id).await,
        Err(SessionError::AlreadyEnded {
            status: AnalysisStatus::Cancelled,
            ..
        })
    ));
    let events = events_of(&f.bus, &id);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].0, "cancelled");
    assert_eq!(events[0].1["status"], "cancelled");
    assert_eq!(events[0].1["engines"], json!({}));

    let unknown = AnalysisId::random();
    assert!(matches!(
        f.sessions.cancel(&unknown).await,
        Err(SessionError::NotFound(_))
    ));
    assert!(matches!(
        f.sessions.get(&unknown).await,
        Err(SessionError::NotFound(_))
    ));
    f.root.shutdown().await;
}

#[tokio::test]
async fn overdue_analyses_are_recorded_failed_and_announced_once() {
    let f = fixture().await;
    let now = storage::clock::now_ms();
    let (overdue, live) = (AnalysisId::random(), AnalysisId::random());
    f.records
        .create(&overdue, "q", now - 120_000, now - 1)
        .await
        .unwrap();
    f.records
        .create(&live, "q", now, now + 60_000)
        .await
        .unwrap();
    assert_eq!(
        f.sessions.abandon_overdue(now).await.unwrap(),
        vec![overdue.clone()]
    );
    assert!(f.sessions.abandon_overdue(now).await.unwrap().is_empty());
    let events = events_of(&f.bus, &overdue);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].0, "finished");
    assert_eq!(
        events[0].1,
        json!({"id": overdue.as_str(), "status": "failed", "error": records::ABANDONED, "engines": {}})
    );
    assert!(events_of(&f.bus, &live).is_empty());
    assert_eq!(
        f.sessions.get(&live).await.unwrap().status,
        AnalysisStatus::Running
    );
    f.root.shutdown().await;
}

#[test]
fn session_events_are_named_as_the_stream_documents_them() {
    let id = AnalysisId::parse("0123456789ab").unwrap();
    let end = SessionEnd {
        id: id.clone(),
        status: AnalysisStatus::Done,
        error: None,
        engines: Default::default(),
    };
    let bus = EventBus::new(Default::default());
    let events = [
        SessionEvent::Started {
            id: id.clone(),
            query: "q".into(),
            engines: EngineKind::ALL,
        },
        SessionEvent::EngineDone {
            engine: EngineKind::Insight,
            part: EnginePart::unanswered(PartStatus::Failed, Some("x".into())),
        },
        SessionEvent::Finished(end.clone()),
        SessionEvent::Cancelled(end),
    ];
    for event in &events {
        event.publish(&bus, &id);
    }
    let published = events_of(&bus, &id);
    let kinds: Vec<&str> = published.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["started", "engine_done", "finished", "cancelled"]);
    let ending: Vec<&str> = events
        .iter()
        .map(SessionEvent::kind)
        .filter(|k| SessionEvent::ends_session(k))
        .collect();
    assert_eq!(ending, ["finished", "cancelled"]);
    assert_eq!(SessionEvent::ENDINGS, ["finished", "cancelled"]);
    // engine_done carries the part's fields beside the engine's name.
    assert_eq!(published[1].1["engine"], "insight");
    assert_eq!(published[1].1["status"], "failed");
    assert_eq!(published[1].1["error"], "x");
    assert!(TopicFilter::parse("analysis/*")
        .unwrap()
        .matches(Topic::analysis(&id).as_str()));
}
