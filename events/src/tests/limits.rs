//! What bounds the bus's memory, whatever publishers and clients do: the history by bytes,
//! each client's queue by bytes, the size of one event (refused on publish; log lines cut to
//! fit), a replay read in pages; and a cursor that cannot be read answered with `resync`.

use std::time::Duration;

use serde_json::json;

use super::super::{
    Cursor, EventBus, EventError, HubConfig, Next, Page, Since, Start, TopicFilter,
};
use super::replayed;

fn bus_with(config: HubConfig) -> EventBus {
    EventBus::new(config)
}

fn blob(bytes: usize) -> serde_json::Value {
    json!({ "blob": "x".repeat(bytes) })
}

#[test]
fn the_history_keeps_at_most_its_bytes_and_a_resume_behind_them_resyncs() {
    let bus = bus_with(HubConfig {
        history_max_bytes: 100_000,
        ..HubConfig::default()
    });
    let first = bus.publish("a", "x", &blob(10_000)).unwrap().unwrap();
    let stored = bus.hub().history_bytes();
    assert!(stored > 10_000, "payload and both frames count: {stored}");
    for _ in 0..49 {
        bus.publish("a", "x", &blob(10_000)).unwrap();
    }
    let kept = bus.hub().history_bytes();
    assert!(kept <= 100_000, "{kept} bytes kept");
    assert!(kept > 100_000 - 2 * stored, "only the excess goes: {kept}");
    let filter = TopicFilter::parse("a").unwrap();
    let stale = bus.subscribe(filter.clone(), Some(first));
    assert!(matches!(stale.start, Start::Resync { .. }));
    // What is kept is the newest, contiguous up to the position.
    let oldest = bus.hub().before_first(&filter).unwrap();
    let resumed = bus.subscribe(filter, Some(oldest));
    let offsets = replayed(&resumed).unwrap();
    assert_eq!(offsets.last().copied(), Some(50));
    assert_eq!(offsets.len(), (50 - oldest.offset) as usize);
}

#[test]
fn a_queue_full_of_bytes_lags_though_it_holds_few_events() {
    let bus = bus_with(HubConfig {
        client_queue: 1_000,
        client_queue_bytes: 50_000,
        ..HubConfig::default()
    });
    let slow = bus.subscribe(TopicFilter::parse("a").unwrap(), None);
    // One event bigger than the whole bound still fits in an empty queue.
    bus.publish("a", "x", &blob(60_000)).unwrap();
    assert_eq!(slow.queue.len(), 1);
    bus.publish("a", "x", &blob(10)).unwrap();
    assert_eq!(slow.queue.len(), 1, "over the bytes: dropped");
    assert!(matches!(slow.queue.try_next(), Some(Next::Event(_))));
    assert!(matches!(
        slow.queue.try_next(),
        Some(Next::Lagged { dropped: 1 })
    ));
    let other = bus.subscribe(TopicFilter::parse("a").unwrap(), None);
    for _ in 0..10 {
        bus.publish("a", "x", &blob(10_000)).unwrap();
    }
    assert!(other.queue.bytes() <= 50_000, "{}", other.queue.bytes());
    assert!(other.queue.len() < 10);
}

#[test]
fn an_event_over_the_size_limit_is_refused_and_nothing_is_published() {
    let bus = bus_with(HubConfig {
        max_event_bytes: 1_000,
        ..HubConfig::default()
    });
    let sub = bus.subscribe(TopicFilter::parse("a").unwrap(), None);
    let refused = bus.publish("a", "x", &blob(2_000));
    assert!(
        matches!(refused, Err(EventError::TooLarge { max: 1_000, bytes }) if bytes > 2_000),
        "{refused:?}"
    );
    assert_eq!(bus.position().offset, 0, "not numbered");
    assert!(sub.queue.is_empty());
    assert!(bus.publish("a", "x", &blob(900)).unwrap().is_some());
}

#[tokio::test]
async fn a_log_line_too_long_for_an_event_is_cut_to_fit_with_a_marker() {
    use tracing::Instrument;
    use tracing_subscriber::layer::SubscriberExt;
    let bus = bus_with(HubConfig {
        max_event_bytes: 4_096,
        ..HubConfig::default()
    });
    let sub = bus.subscribe(TopicFilter::parse("engine/query").unwrap(), None);
    let subscriber = tracing_subscriber::registry()
        .with(super::super::log_layer::EventLogLayer::new(bus.clone()));
    let _guard = tracing::subscriber::set_default(subscriber);
    // Quotes are escaped by JSON: the worst case for the size of a payload.
    let long = "\"".repeat(50_000);
    async { tracing::info!("{long}") }
        .instrument(tracing::info_span!("actor", topic = "engine/query"))
        .await;
    let Some(Next::Event(event)) = sub.queue.try_next() else {
        panic!("the line was not forwarded")
    };
    assert!(event.payload.get().len() <= 4_096);
    let data: serde_json::Value = serde_json::from_str(event.payload.get()).unwrap();
    let line = data["line"].as_str().unwrap();
    assert!(line.starts_with("[INFO] \"\""), "{line}");
    assert!(line.ends_with("more bytes not shown]"), "{line}");
}

#[test]
fn a_cursor_that_cannot_be_read_is_answered_with_resync_at_the_position() {
    let bus = bus_with(HubConfig::default());
    let at = bus.publish("a", "x", &1).unwrap().unwrap();
    let sub = bus.subscribe(TopicFilter::parse("a").unwrap(), Since::Unreadable);
    let Start::Resync { position, reason } = sub.start else {
        panic!("{:?}", sub.start)
    };
    assert_eq!(position, at);
    assert!(reason.contains("could not be read"), "{reason}");
    // And the text of a bad cursor is escaped wherever it is shown.
    let bad = "x\n\u{0}y".parse::<Cursor>().unwrap_err();
    assert!(!bad.to_string().contains('\n'), "{bad}");
    assert!(!bad.to_string().contains('\u{0}'), "{bad}");
}

#[test]
fn a_replay_is_read_in_bounded_pages_of_the_filter_s_events() {
    let bus = bus_with(HubConfig {
        replay_page_events: 3,
        ..HubConfig::default()
    });
    let start = bus.position();
    for n in 0..20 {
        bus.publish(if n % 2 == 0 { "a" } else { "b" }, "x", &n)
            .unwrap();
    }
    let sub = bus.subscribe(TopicFilter::parse("a").unwrap(), Some(start));
    let Start::Replay { after, until } = sub.start else {
        panic!("{:?}", sub.start)
    };
    assert_eq!((after, until), (0, 20));
    let Page::Events { events, through } = sub.page(after, until) else {
        panic!("trimmed")
    };
    assert_eq!(
        events.iter().map(|e| e.cursor.offset).collect::<Vec<_>>(),
        [1, 3, 5]
    );
    assert_eq!(
        through, 5,
        "the next page starts after the last event given"
    );
    assert_eq!(
        replayed(&sub).unwrap(),
        (1..=20).step_by(2).collect::<Vec<u64>>()
    );
    // A page holds `replay_page_bytes` at most, and always one event.
    let big = bus_with(HubConfig {
        replay_page_bytes: 65_536,
        ..HubConfig::default()
    });
    let start = big.position();
    for _ in 0..10 {
        big.publish("a", "x", &blob(10_000)).unwrap();
    }
    big.publish("a", "x", &blob(100_000)).unwrap();
    let sub = big.subscribe(TopicFilter::parse("a").unwrap(), Some(start));
    let Page::Events { events, through } = sub.page(0, 11) else {
        panic!("trimmed")
    };
    let bytes: usize = events.iter().map(|e| e.stored_bytes()).sum();
    assert!(
        bytes <= 65_536 && events.len() >= 2,
        "{} events, {bytes} bytes",
        events.len()
    );
    assert_eq!(through, events.len() as u64);
    let Page::Events { events, .. } = sub.page(10, 11) else {
        panic!("trimmed")
    };
    assert_eq!(
        events.len(),
        1,
        "an event bigger than a page is a page of its own"
    );
}

#[test]
fn a_history_trimmed_past_a_replay_s_cursor_says_so() {
    let bus = bus_with(HubConfig {
        history_max_events: 5,
        history_max_age: Duration::from_secs(3_600),
        ..HubConfig::default()
    });
    for n in 0..5 {
        bus.publish("a", "x", &n).unwrap();
    }
    let sub = bus.subscribe(
        TopicFilter::parse("a").unwrap(),
        Some(Cursor {
            epoch: bus.position().epoch,
            offset: 1,
        }),
    );
    let Start::Replay { after, until } = sub.start else {
        panic!("{:?}", sub.start)
    };
    for n in 0..3 {
        bus.publish("a", "x", &n).unwrap();
    }
    assert!(matches!(sub.page(after, until), Page::Trimmed));
}

#[test]
fn an_event_costs_at_most_three_payloads_and_the_overhead() {
    let bus = bus_with(HubConfig::default());
    let topic = format!("a{}", "b".repeat(127));
    let kind = "k".repeat(64);
    let sub = bus.subscribe(TopicFilter::parse(&topic).unwrap(), None);
    for data in [json!(0), blob(10_000)] {
        bus.publish(&topic, &kind, &data).unwrap();
        let Some(Next::Event(event)) = sub.queue.try_next() else {
            panic!("delivered")
        };
        let payload = event.payload.get().len();
        assert!(
            event.stored_bytes() <= super::super::Event::stored_bytes_at_most(payload),
            "{} > 3 × {payload} + overhead",
            event.stored_bytes()
        );
        assert!(event.stored_bytes() >= 3 * payload);
    }
}
