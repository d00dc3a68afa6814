//! The bus's guarantees: numbering, exactly-once resume, resync, lag handling, filters, the log
//! layer's routing, and cursor parsing by property; in a cluster (`cluster`) and at its bounds
//! (`limits`).

use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::json;

mod cluster;
mod limits;

use super::{Cursor, EventBus, HubConfig, Next, Page, Start, Topic, TopicFilter, TopicKind};

pub(super) fn bus(history: usize, queue: usize) -> EventBus {
    EventBus::new(HubConfig {
        history_max_events: history,
        history_max_age: Duration::from_secs(3_600),
        client_queue: queue,
        ..HubConfig::default()
    })
}

pub(super) fn offsets(events: &[Arc<super::Event>]) -> Vec<u64> {
    events.iter().map(|e| e.cursor.offset).collect()
}

/// The whole replay a subscription starts with, read page by page as the feed does; `None`
/// when it does not start with a replay.
pub(super) fn replayed(sub: &super::Subscription) -> Option<Vec<u64>> {
    let Start::Replay { mut after, until } = sub.start else {
        return None;
    };
    let mut out = Vec::new();
    while after < until {
        match sub.page(after, until) {
            Page::Events { events, through } => {
                assert!(through > after, "a page makes progress");
                out.extend(offsets(&events));
                after = through;
            }
            Page::Trimmed => panic!("trimmed mid-replay"),
        }
    }
    Some(out)
}

pub(super) fn drain(sub: &super::Subscription) -> Vec<u64> {
    let mut out = Vec::new();
    while let Some(Next::Event(e)) = sub.queue.try_next() {
        out.push(e.cursor.offset);
    }
    out
}

#[test]
fn offsets_count_up_and_frames_carry_everything() {
    let bus = bus(100, 100);
    let all = bus.subscribe(TopicFilter::parse("*").unwrap(), None);
    for i in 0..3 {
        bus.publish("actors", "started", &json!({"n": i}))
            .unwrap()
            .unwrap();
    }
    assert_eq!(drain(&all), [1, 2, 3]);
    let cursor = bus
        .publish("report/7", "stage", &json!({"stage": "draft"}))
        .unwrap()
        .unwrap();
    let Some(Next::Event(e)) = all.queue.try_next() else {
        panic!()
    };
    let frame: serde_json::Value = serde_json::from_slice(e.frame()).unwrap();
    assert_eq!(frame["event"], "stage");
    assert_eq!(frame["topic"], "report/7");
    assert_eq!(frame["id"], cursor.to_string());
    assert_eq!(frame["data"]["stage"], "draft");
    assert!(frame["ts"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn resuming_gets_exactly_the_missed_events_of_its_topics() {
    let bus = bus(100, 100);
    let first = bus.subscribe(TopicFilter::parse("a,b/*").unwrap(), None);
    bus.publish("a", "x", &1).unwrap().unwrap();
    bus.publish("c", "x", &2).unwrap().unwrap();
    bus.publish("b/1", "x", &3).unwrap().unwrap();
    let seen = drain(&first);
    assert_eq!(seen, [1, 3]);
    // The client processed event 1 only, then lost its connection.
    let last = Cursor {
        epoch: bus.position().epoch,
        offset: 1,
    };
    drop(first);
    bus.publish("a", "x", &4).unwrap().unwrap();
    bus.publish("c", "x", &5).unwrap().unwrap();
    let again = bus.subscribe(TopicFilter::parse("a,b/*").unwrap(), Some(last));
    assert_eq!(replayed(&again).unwrap(), [3, 4]);
    bus.publish("a", "x", &6).unwrap().unwrap();
    assert_eq!(
        drain(&again),
        [6],
        "live events follow the replay without overlap"
    );
}

#[test]
fn stale_and_foreign_cursors_get_resync() {
    let bus = bus(3, 100);
    for i in 0..10 {
        bus.publish("a", "x", &i).unwrap().unwrap();
    }
    let epoch = bus.position().epoch;
    let filter = || TopicFilter::parse("a").unwrap();
    let old = bus.subscribe(filter(), Some(Cursor { epoch, offset: 2 }));
    assert!(matches!(old.start, Start::Resync { position, .. } if position.offset == 10));
    let edge = bus.subscribe(filter(), Some(Cursor { epoch, offset: 7 }));
    assert_eq!(replayed(&edge).unwrap(), [8, 9, 10]);
    let foreign = bus.subscribe(
        filter(),
        Some(Cursor {
            epoch: epoch ^ 1,
            offset: 9,
        }),
    );
    assert!(matches!(foreign.start, Start::Resync { .. }));
    let future = bus.subscribe(filter(), Some(Cursor { epoch, offset: 11 }));
    assert!(matches!(future.start, Start::Resync { .. }));
    let current = bus.subscribe(filter(), Some(Cursor { epoch, offset: 10 }));
    assert_eq!(replayed(&current).unwrap(), Vec::<u64>::new());
}

#[test]
fn a_full_queue_lags_after_delivering_what_it_holds() {
    let bus = bus(100, 4);
    let slow = bus.subscribe(TopicFilter::parse("a").unwrap(), None);
    let fast = bus.subscribe(TopicFilter::parse("a").unwrap(), None);
    for i in 0..10 {
        bus.publish("a", "x", &i).unwrap().unwrap();
        // The fast one keeps up.
        assert!(matches!(fast.queue.try_next(), Some(Next::Event(_))));
    }
    assert_eq!(drain(&slow), [1, 2, 3, 4]);
    assert!(matches!(
        slow.queue.try_next(),
        Some(Next::Lagged { dropped: 6 })
    ));
    // It resumes from its last event and gets the rest from the history.
    let last = Cursor {
        epoch: bus.position().epoch,
        offset: 4,
    };
    let resumed = bus.subscribe(TopicFilter::parse("a").unwrap(), Some(last));
    assert_eq!(replayed(&resumed).unwrap(), [5, 6, 7, 8, 9, 10]);
}

#[test]
fn a_new_epoch_closes_subscribers_who_then_resync() {
    let bus = bus(100, 100);
    let sub = bus.subscribe(TopicFilter::parse("a").unwrap(), None);
    let cursor = bus.publish("a", "x", &1).unwrap().unwrap();
    bus.new_epoch();
    assert!(matches!(sub.queue.try_next(), Some(Next::Event(_))));
    assert!(matches!(sub.queue.try_next(), Some(Next::Closed(_))));
    let again = bus.subscribe(TopicFilter::parse("a").unwrap(), Some(cursor));
    assert!(matches!(again.start, Start::Resync { .. }));
}

#[test]
fn filters_and_names_are_validated() {
    assert!(TopicFilter::parse("").is_err());
    assert!(TopicFilter::parse("a,,b").is_ok());
    assert!(TopicFilter::parse("a b").is_err());
    assert!(TopicFilter::parse("report/*/x").is_err());
    assert!(TopicFilter::parse("/x").is_err());
    let f = TopicFilter::parse("report/*,actors").unwrap();
    assert!(
        f.matches("report/1")
            && f.matches("actors")
            && !f.matches("report")
            && !f.matches("reports/1")
    );
    // A filter grown pattern by pattern is capped as one parsed at once.
    let mut grown = TopicFilter::parse("a0").unwrap();
    for n in 1..super::topic::MAX_PATTERNS {
        grown = grown
            .union(&TopicFilter::parse(&format!("a{n}")).unwrap())
            .unwrap();
    }
    assert_eq!(grown.len(), super::topic::MAX_PATTERNS);
    assert!(
        grown.union(&TopicFilter::parse("a0").unwrap()).is_ok(),
        "already held"
    );
    assert!(matches!(
        grown.union(&TopicFilter::parse("one-more").unwrap()),
        Err(super::TopicError::TooMany(_))
    ));
    let bus = bus(10, 10);
    assert!(bus.publish("bad topic", "x", &1).is_err());
    assert!(bus.publish("ok", "Bad Type", &1).is_err());
}

#[test]
fn each_kind_of_topic_has_one_constructor_and_is_reserved() {
    let made = [
        (Topic::system(), "system", TopicKind::System),
        (Topic::actors(), "actors", TopicKind::Actors),
        (Topic::config(), "config", TopicKind::Config),
        (Topic::forum(), "forum", TopicKind::Forum),
        (Topic::engine("query"), "engine/query", TopicKind::Engine),
        (Topic::report(42), "report/42", TopicKind::Report),
        (
            Topic::analysis("0123456789ab"),
            "analysis/0123456789ab",
            TopicKind::Analysis,
        ),
        (Topic::crawler("weibo"), "crawler/weibo", TopicKind::Crawler),
    ];
    for (topic, name, kind) in &made {
        assert_eq!(topic.as_str(), *name);
        assert_eq!(topic.kind(), *kind);
        assert_eq!(TopicKind::of(name), Some(*kind), "{name}");
        assert!(Topic::is_reserved(name), "{name}");
        let filter = topic.filter().unwrap();
        assert!(filter.matches(name) && !filter.matches("elsewhere"));
    }
    assert_eq!(made.len(), TopicKind::ALL.len(), "a constructor per kind");
    // Topics from outside: anything that is not of a kind above.
    for free in [
        "systems",
        "engine",
        "reports/1",
        "news",
        "forum/x",
        "my/analysis/1",
    ] {
        assert!(!Topic::is_reserved(free), "{free}");
        assert_eq!(TopicKind::of(free), None, "{free}");
    }
    assert_eq!(TopicKind::Engine.member("engine/query"), Some("query"));
    assert_eq!(TopicKind::Engine.member("report/1"), None);
    assert_eq!(
        TopicKind::System.member("system"),
        None,
        "a single has no members"
    );
    // What a topic is made of is checked when it is used.
    assert!(Topic::crawler("a b").filter().is_err());
}

#[tokio::test]
async fn log_lines_go_to_their_own_actors_topic() {
    use tracing::Instrument;
    use tracing_subscriber::layer::SubscriberExt;
    let bus = bus(1_000, 1_000);
    let sub = bus.subscribe(TopicFilter::parse("engine/*,report/*").unwrap(), None);
    let subscriber =
        tracing_subscriber::registry().with(super::log_layer::EventLogLayer::new(bus.clone()));
    let _guard = tracing::subscriber::set_default(subscriber);
    let work = |name: &'static str, topic: &'static str| {
        async move {
            for i in 0..50 {
                tracing::info!(step = i, "{name} working");
                tokio::task::yield_now().await;
            }
        }
        .instrument(tracing::info_span!("actor", topic = topic))
    };
    tokio::join!(
        work("query", "engine/query"),
        work("media", "engine/media"),
        work("report", "report/9")
    );
    tracing::info!("outside any actor");
    let mut counts = std::collections::HashMap::new();
    while let Some(Next::Event(e)) = sub.queue.try_next() {
        let data: serde_json::Value = serde_json::from_str(e.payload.get()).unwrap();
        match &*e.topic {
            "engine/query" => assert!(
                data["line"].as_str().unwrap().contains("query working"),
                "{data}"
            ),
            "engine/media" => assert!(
                data["line"].as_str().unwrap().contains("media working"),
                "{data}"
            ),
            "report/9" => assert_eq!(
                data["message"].as_str().unwrap().split(' ').next(),
                Some("report")
            ),
            other => panic!("line on {other}"),
        }
        *counts.entry(e.topic.to_string()).or_insert(0) += 1;
        let expected_kind = if e.topic.starts_with("engine/") {
            "console_output"
        } else {
            "log"
        };
        assert_eq!(&*e.kind, expected_kind);
    }
    assert_eq!(counts.values().copied().collect::<Vec<_>>(), [50, 50, 50]);
}

proptest! {
    #[test]
    fn cursors_round_trip(epoch in 1u64.., offset in any::<u64>()) {
        let c = Cursor { epoch, offset };
        prop_assert_eq!(c.to_string().parse::<Cursor>(), Ok(c));
    }

    #[test]
    fn cursor_parser_never_panics(text in "\\PC{0,64}") {
        let _ = text.parse::<Cursor>();
    }

    #[test]
    fn topic_parser_never_panics(text in "\\PC{0,200}") {
        let _ = TopicFilter::parse(&text);
    }
}

#[test]
fn recent_gives_the_last_events_of_a_topic_oldest_first() {
    let bus = bus(100, 100);
    for i in 0..10 {
        bus.publish(
            if i % 2 == 0 {
                "engine/query"
            } else {
                "engine/media"
            },
            "console_output",
            &i,
        )
        .unwrap();
    }
    let filter = TopicFilter::parse("engine/query").unwrap();
    assert_eq!(offsets(&bus.hub().recent(&filter, 3)), [5, 7, 9]);
    assert_eq!(bus.hub().recent(&filter, 100).len(), 5);
}

#[test]
fn a_payload_with_line_breaks_is_one_line_in_every_frame() {
    let bus = bus(10, 10);
    let sub = bus.subscribe(TopicFilter::parse("a").unwrap(), None);
    let raw =
        serde_json::value::RawValue::from_string("{\"a\":\n\n1,\r\n\"s\":\"x\\n\\ny\"}".to_owned())
            .unwrap();
    bus.publish_raw("a", "x", raw, None).unwrap();
    let Some(Next::Event(event)) = sub.queue.try_next() else {
        panic!("the event is delivered")
    };
    assert!(
        !event.frame_str().contains(['\n', '\r']),
        "{}",
        event.frame_str()
    );
    let sse = std::str::from_utf8(event.sse()).unwrap();
    assert_eq!(
        sse.matches("\n\n").count(),
        1,
        "one blank line, at the end: {sse}"
    );
    assert!(sse.ends_with("\n\n"));
    // The same value; escaped line breaks inside strings are untouched.
    let data: serde_json::Value = serde_json::from_str(event.payload.get()).unwrap();
    assert_eq!(data, json!({"a": 1, "s": "x\n\ny"}));
}
