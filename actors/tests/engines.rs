//! An engine under a real supervisor: a panic inside a job fails that job with its reason
//! (stored and announced), takes the engine's other running job down with it, the engine
//! restarts, and the next job runs normally. A search provider that is down falls back to the
//! next, and the record says which failed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use actors::engines::gather::Searcher;
use actors::engines::{EngineActor, EngineArgs, EngineKind, EngineMsg, Job, JobOutcome, JobStatus};
use events::{EventBus, TopicFilter};
use futures_util::future::BoxFuture;
use search::{LocalStore, Provider, Search, SearchError, SearchHit, Searxng};
use supervision::{ChildSpec, Strategy, SupervisorRef, SupervisorSpec};
use support::eventually::eventually_async;
use support::sample_db;
use tokio::sync::oneshot;

/// Finds the sample corpus, except that `boom` panics and `slow` never answers.
struct Trap {
    local: Provider,
}

impl Search for Trap {
    fn name(&self) -> &'static str {
        "trap"
    }

    fn search<'a>(
        &'a self,
        query: &'a str,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<SearchHit>, SearchError>> {
        Box::pin(async move {
            if query.contains("boom") {
                panic!("the provider blew up on {query}");
            }
            if query.contains("slow") {
                std::future::pending::<()>().await;
            }
            self.local.search(query, limit).await
        })
    }
}

fn run(id: &str, query: &str) -> (EngineMsg, oneshot::Receiver<JobOutcome>) {
    let (reply, answer) = oneshot::channel();
    let job = Job {
        id: id.to_owned(),
        query: query.to_owned(),
        analysis_id: None,
        evidence: None,
        reply: Some(reply),
    };
    (EngineMsg::Run(job), answer)
}

#[tokio::test]
async fn a_panic_fails_its_job_restarts_the_engine_and_the_next_job_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir).await;
    let bus = EventBus::new(Default::default());
    let searcher = Arc::new(Searcher::new(vec![Provider::On(Arc::new(Trap {
        local: LocalStore::provider(db.clone()),
    }))]));
    let spec = {
        let (bus, db) = (bus.clone(), db.clone());
        SupervisorSpec::new(Strategy::OneForOne).child(ChildSpec::worker("insight", move |ctx| {
            let args = EngineArgs {
                kind: EngineKind::Insight,
                path: ctx.path().to_owned(),
                bus: bus.clone(),
                db: Some(db.clone()),
                searcher: Arc::clone(&searcher),
                llm: None,
                forum: None,
                reflections: 1,
                max_paragraphs: 2,
            };
            async move { ctx.spawn(EngineActor, args).await }
        }))
    };
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    let engine = root.lookup("root/insight").await.unwrap();

    // A job that never ends, then one that panics.
    let (slow, slow_answer) = run("slow-1", "slow 马拉松");
    assert!(engine.send(slow).is_ok());
    let (boom, boom_answer) = run("boom-1", "boom 马拉松");
    assert!(engine.send(boom).is_ok());

    let failed = boom_answer.await.unwrap();
    assert_eq!(failed.status, JobStatus::Failed);
    let reason = failed.error.clone().unwrap();
    assert!(
        reason.contains("job panicked") && reason.contains("the provider blew up on boom"),
        "{reason}"
    );
    let stored = db
        .engine_output(failed.output_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.status.as_str(), stored.error.as_deref()),
        ("failed", Some(reason.as_str()))
    );

    let other = slow_answer.await.unwrap();
    assert_eq!(other.status, JobStatus::Failed);
    assert!(other.error.unwrap().contains("restarted after job boom-1"));

    // Announced on the engine's topic.
    let events = bus
        .hub()
        .recent(&TopicFilter::parse("engine/insight").unwrap(), 1000);
    let failed_events: Vec<_> = events.iter().filter(|e| &*e.kind == "job_failed").collect();
    assert_eq!(failed_events.len(), 2, "{events:?}");
    assert!(failed_events[0]
        .payload
        .get()
        .contains("the provider blew up"));

    // The engine restarts by its policy (backoff included), then takes the next job.
    let (root, engine) = (&root, &engine);
    let next_answer = eventually_async(
        "the restarted engine to take a job",
        Duration::from_secs(10),
        move || async move {
            let restarts = root.snapshot_of("root/insight").await.unwrap().restarts;
            if restarts != 1 {
                return Err(format!("{restarts} restarts"));
            }
            let (job, answer) = run("fine-1", "马拉松");
            match engine.send(job) {
                Ok(()) => Ok(answer),
                Err(err @ supervision::SendError::Unavailable { .. }) => Err(err.to_string()),
                Err(err) => panic!("{err}"),
            }
        },
    )
    .await;
    let fine = next_answer.await.unwrap();
    assert_eq!(fine.status, JobStatus::Done, "{:?}", fine.error);
    let report = fine.report.unwrap();
    assert_eq!(report.paragraphs.len(), 2);
    assert!(report.markdown().contains("马拉松"));
    assert_eq!(root.snapshot_of("root/insight").await.unwrap().restarts, 1);
    root.shutdown().await;
}

#[tokio::test]
async fn a_provider_that_is_down_falls_back_to_the_local_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir).await;
    // Nothing listens on port 1: connections are refused.
    let dead = "http://127.0.0.1:1".to_owned();
    let searcher = Searcher::new(vec![
        Provider::Off {
            name: "tavily",
            reason: "TAVILY_API_KEY is not set".into(),
        },
        Searxng::provider(Some(&dead), Duration::from_secs(5)),
        LocalStore::provider(db),
    ]);
    let found = searcher.search("滨海马拉松 志愿者", 10).await;
    assert_eq!(found.record.provider, "local");
    assert!(!found.hits.is_empty());
    assert_eq!(
        found.record.failed.len(),
        1,
        "an off provider is skipped, not failed"
    );
    assert!(
        found.record.failed[0].starts_with("searxng"),
        "{:?}",
        found.record.failed
    );
    assert!(found
        .hits
        .iter()
        .all(|h| h.content.contains("马拉松") || h.content.contains("志愿者")));
}

#[tokio::test]
async fn a_sentence_query_finds_posts_by_its_words() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir).await;
    let searcher = Searcher::new(vec![LocalStore::provider(db)]);
    // No post holds the whole sentence; its words find the topic, and only it.
    let found = searcher.search("极澜汽车的电池召回怎么样了", 20).await;
    assert!(found.hits.len() >= 10, "{}", found.hits.len());
    assert!(
        found
            .hits
            .iter()
            .all(|h| h.content.contains("极澜") || h.content.contains("召回")),
        "{:?}",
        found.hits
    );
    assert!(!found.hits.iter().any(|h| h.content.contains("马拉松")));
}
