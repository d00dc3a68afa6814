//! An engine under a real supervisor: a panic inside a job fails that job with its reason
//! (stored and announced), takes the engine's other running job down with it, the engine
//! restarts, and the next job runs normally. A search provider that is down falls back to the
//! next, and the record says which failed. Given an analysis's evidence set, gathered from the
//! sample corpus, the three engines state its figures — the same total, a timeline that adds
//! up, one name per platform, each quote once and whole — and an LLM is handed the figures.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use actors::engines::gather::Searcher;
use actors::engines::{
    EngineActor, EngineArgs, EngineKind, EngineMsg, Job, JobOutcome, JobStatus, Report,
};
use actors::evidence::{Evidence, Gatherer};
use events::{EventBus, TopicFilter};
use futures_util::future::BoxFuture;
use search::{LocalStore, Provider, Search, SearchError, SearchHit, Searxng};
use supervision::{ChildSpec, Strategy, SupervisorRef, SupervisorSpec};
use support::eventually::eventually_async;
use support::sample_db;
use support::scripted_http::{server, Reply};
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
    run_with(id, query, None)
}

fn run_with(
    id: &str,
    query: &str,
    evidence: Option<Arc<Evidence>>,
) -> (EngineMsg, oneshot::Receiver<JobOutcome>) {
    let (reply, answer) = oneshot::channel();
    let job = Job {
        id: id.to_owned(),
        query: query.to_owned(),
        analysis_id: None,
        evidence,
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

/// The evidence of `query` in the sample corpus, days counted at +08:00.
async fn gathered(db: &storage::Database, query: &str) -> Arc<Evidence> {
    let gatherer = Gatherer {
        db: db.clone(),
        local: Arc::new(Searcher::new(vec![LocalStore::provider(db.clone())])),
        web: Arc::new(Vec::new()),
        max_items: 200,
        offset: text_analysis::time_zone::parse_offset("+08:00").unwrap(),
    };
    Arc::new(gatherer.gather(query).await.unwrap())
}

/// An engine of `kind` on its own (no supervisor: these jobs do not fail).
async fn engine(
    kind: EngineKind,
    db: &storage::Database,
    llm: Option<Arc<llm::LlmClient>>,
) -> ractor::ActorRef<EngineMsg> {
    let args = EngineArgs {
        kind,
        path: format!("test/{}", kind.name()),
        bus: EventBus::new(Default::default()),
        db: Some(db.clone()),
        searcher: Arc::new(Searcher::new(vec![LocalStore::provider(db.clone())])),
        llm,
        forum: None,
        reflections: 1,
        max_paragraphs: 10,
    };
    let (engine, _) = ractor::Actor::spawn(None, EngineActor, args).await.unwrap();
    engine
}

async fn report_of(
    engine: &ractor::ActorRef<EngineMsg>,
    query: &str,
    evidence: &Arc<Evidence>,
) -> Report {
    let (job, answer) = run_with("with-evidence", query, Some(Arc::clone(evidence)));
    engine.send_message(job).unwrap();
    let outcome = answer.await.unwrap();
    assert_eq!(outcome.status, JobStatus::Done, "{:?}", outcome.error);
    outcome.report.unwrap()
}

/// Every `YYYY-MM-DD: N` in `text`, as numbers.
fn per_day_numbers(text: &str) -> Vec<usize> {
    text.match_indices(": ")
        .filter(|(at, _)| {
            let day = text.get(at.saturating_sub(10)..*at).unwrap_or("");
            day.len() == 10 && day.as_bytes()[4] == b'-' && day.as_bytes()[7] == b'-'
        })
        .filter_map(|(at, _)| {
            let digits: String = text[at + 2..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect()
}

#[tokio::test]
async fn the_three_engines_state_the_figures_of_the_analysis_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir).await;
    let evidence = gathered(&db, "滨海马拉松").await;
    let stats = &evidence.stats;
    let n = stats.total;
    assert!(n >= 20, "{n}");
    assert!(
        stats.platforms.iter().any(|p| p.key == "weibo"),
        "{:?}",
        stats.platforms
    );

    let mut reports = Vec::new();
    for kind in EngineKind::ALL {
        let engine = engine(kind, &db, None).await;
        reports.push(report_of(&engine, "滨海马拉松", &evidence).await);
        engine.stop(None);
    }
    let [query, media, insight] = [&reports[0], &reports[1], &reports[2]];
    // The total, as each engine states it.
    assert!(
        query.paragraphs[0]
            .summary
            .contains(&format!("共 {n} 条内容")),
        "{}",
        query.markdown()
    );
    assert!(
        media.paragraphs[0]
            .summary
            .starts_with(&format!("{n} 条内容的平台分布")),
        "{}",
        media.markdown()
    );
    assert!(
        insight.paragraphs[0]
            .summary
            .starts_with(&format!("{n} 条内容中")),
        "{}",
        insight.markdown()
    );
    // Both timelines add up to the total with the undated.
    for timeline in [&query.paragraphs[1].summary, &insight.paragraphs[3].summary] {
        let dated: usize = per_day_numbers(timeline).iter().sum();
        assert_eq!(dated + stats.undated.len(), n, "{timeline}");
        assert!(timeline.contains(&format!("合计 {n} 条")), "{timeline}");
    }
    for report in &reports {
        let markdown = report.markdown();
        let mut quoted = std::collections::HashSet::new();
        for p in &report.paragraphs {
            // Platforms by one name: the corpus's `wb`, `xhs`, `dy` never reach the text.
            assert!(
                !p.summary.contains("wb") && !p.summary.contains("xhs"),
                "{}",
                p.summary
            );
            for source in &p.sources {
                assert!(
                    quoted.insert(source.text.clone()),
                    "quoted twice: {}\n{markdown}",
                    source.text
                );
                let item = &evidence.set.items[source.evidence.unwrap()];
                let whole = actors::engines::figures::one_line(&item.text);
                let kept = source
                    .text
                    .trim_end_matches(text_analysis::excerpt::ELLIPSIS);
                assert!(
                    whole.starts_with(kept),
                    "{} is not from {whole}",
                    source.text
                );
                // A quote cut short leaves no `#话题#` open (a whole text may end in `#tag`s).
                if kept != whole {
                    assert_eq!(
                        kept.matches('#').count() % 2,
                        0,
                        "cut in a hashtag: {}",
                        source.text
                    );
                }
                let code = source.platform.as_deref().unwrap();
                assert_eq!(code, text_analysis::platform::canonical(code));
            }
        }
        assert!(!markdown.contains("[wb]"), "{markdown}");
    }
    let all: String = reports.iter().map(Report::markdown).collect();
    assert!(all.contains("[微博]"), "{all}");
}

/// An OpenAI-style answer.
fn answer(text: &str) -> Reply {
    Reply::Json(
        200,
        vec![],
        serde_json::json!({"choices": [{"message": {"role": "assistant", "content": text}}]})
            .to_string(),
    )
}

#[tokio::test]
async fn an_llm_writes_with_the_evidence_figures_and_is_told_not_to_recount() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir).await;
    let evidence = gathered(&db, "滨海马拉松").await;
    let (base, seen) = server(vec![
        answer(r#"[{"title": "概况", "content": "事件与声量"}]"#),
        answer(r#"{"search_query": "滨海马拉松 交通管制"}"#),
        answer(r#"{"paragraph_latest_state": "概况段落"}"#),
        answer(r#"{"search_query": "滨海马拉松 志愿者"}"#),
        answer(r#"{"updated_paragraph_latest_state": "更新后的概况段落"}"#),
        answer("# 报告\n\n概况段落"),
    ])
    .await;
    let llm =
        llm::LlmClient::new(llm::LlmConfig::new("query", &base, Some("sk-test"), "m")).unwrap();
    let engine = engine(EngineKind::Query, &db, Some(Arc::new(llm))).await;
    let report = report_of(&engine, "滨海马拉松", &evidence).await;
    engine.stop(None);
    assert!(report.fallbacks.is_empty(), "{:?}", report.fallbacks);
    assert_eq!(report.paragraphs[0].summary, "更新后的概况段落");

    let seen = seen.0.lock().unwrap();
    assert_eq!(seen.len(), 6);
    // The summaries and the formatting get the figures; planning and searching do not need them.
    for (i, (_, _, body)) in seen.iter().enumerate() {
        let system = body["messages"][0]["content"].as_str().unwrap();
        let user: serde_json::Value =
            serde_json::from_str(body["messages"][1]["content"].as_str().unwrap())
                .unwrap_or_default();
        let given = matches!(i, 2 | 4 | 5);
        assert_eq!(
            system.contains("never count the search results"),
            given,
            "{i}: {system}"
        );
        assert_eq!(user.get("figures").is_some(), given, "{i}: {user}");
        if given {
            let figures = &user["figures"];
            assert_eq!(figures["total"], evidence.stats.total);
            assert_eq!(figures["platforms"][0]["platform"], "微博");
            assert_eq!(
                figures["sentiment"]["scale"],
                "情感得分范围 −1（最负面）到 +1（最正面）"
            );
        }
        if i == 2 {
            let platforms: Vec<&str> = user["search_results"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|h| h["platform"].as_str())
                .collect();
            assert!(
                !platforms.is_empty() && !platforms.contains(&"wb"),
                "{platforms:?}"
            );
        }
    }
}
