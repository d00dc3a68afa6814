//! The feed's state machine, transport-free: what a subscription starts with (live, replay,
//! resync), what a lagging client, a new epoch and a stopping server yield, ending after a
//! session's last event, changing topics without missing or repeating, and cancel-safety.

use std::time::Duration;

use serde_json::json;
use tokio::sync::watch;

use super::super::{Cursor, Event, EventBus, HubConfig, TopicFilter};
use super::{Ending, Feed, Item, Notice};

fn bus(history: usize, queue: usize) -> EventBus {
    EventBus::new(HubConfig {
        history_max_events: history,
        history_max_age: Duration::from_secs(3_600),
        client_queue: queue,
        ..HubConfig::default()
    })
}

fn filter(list: &str) -> TopicFilter {
    TopicFilter::parse(list).unwrap()
}

fn publish(bus: &EventBus, topic: &str, kind: &str) -> Cursor {
    bus.publish(topic, kind, &json!({})).unwrap().unwrap()
}

/// Everything ready now: events by offset, notices by kind.
fn ready(feed: &mut Feed) -> Vec<String> {
    std::iter::from_fn(|| feed.try_next())
        .map(describe)
        .collect()
}

fn describe(item: Item) -> String {
    match item {
        Item::Event(e) => e.cursor.offset.to_string(),
        Item::Notice(n) => n.kind().to_owned(),
    }
}

fn feed(bus: &EventBus) -> (Feed, watch::Sender<bool>) {
    let (stop, stopping) = watch::channel(false);
    (Feed::new(bus.clone(), stopping), stop)
}

#[tokio::test]
async fn live_events_of_its_topics_only() {
    let bus = bus(100, 100);
    let (mut feed, _stop) = feed(&bus);
    feed.subscribe(filter("a,b/*"), None);
    publish(&bus, "a", "x");
    publish(&bus, "c", "x");
    publish(&bus, "b/1", "x");
    assert_eq!(ready(&mut feed), ["1", "3"]);
    assert_eq!(feed.last().map(|c| c.offset), Some(3));
    let waited = tokio::time::timeout(Duration::from_millis(50), feed.next()).await;
    assert!(waited.is_err(), "nothing more: the feed waits");
}

#[tokio::test]
async fn a_cursor_replays_what_was_missed_or_resyncs() {
    let bus = bus(3, 100);
    let first = publish(&bus, "a", "x");
    let second = publish(&bus, "a", "x");
    publish(&bus, "a", "x");
    let (mut resumed, _stop) = feed(&bus);
    resumed.subscribe(filter("a"), Some(second));
    assert_eq!(ready(&mut resumed), ["3"]);

    // The history (3 events) no longer holds the one after `first`.
    publish(&bus, "a", "x");
    publish(&bus, "a", "x");
    let (mut stale, _stop) = feed(&bus);
    stale.subscribe(filter("a"), Some(first));
    let Some(Item::Notice(notice)) = stale.try_next() else {
        panic!("a resync first")
    };
    assert!(matches!(notice, Notice::Resync { .. }), "{notice:?}");
    assert_eq!(stale.last(), notice.id(), "the resync is where it stands");
    let frame: serde_json::Value = serde_json::from_str(&notice.frame()).unwrap();
    assert_eq!(
        (frame["event"].as_str(), frame["topic"].as_str()),
        (Some("resync"), Some("system"))
    );
    assert_eq!(frame["id"], notice.id().unwrap().to_string());
    assert_eq!(frame["data"]["position"], frame["id"]);
    let next = publish(&bus, "a", "x");
    assert_eq!(ready(&mut stale), [next.offset.to_string()]);
}

#[tokio::test]
async fn a_lagging_client_gets_its_queue_then_a_notice_then_the_end() {
    let bus = bus(100, 2);
    let (mut feed, _stop) = feed(&bus);
    feed.subscribe(filter("a"), None);
    for _ in 0..5 {
        publish(&bus, "a", "x");
    }
    assert_eq!(ready(&mut feed), ["1", "2", "lagged"]);
    assert!(feed.is_ended());
    assert!(feed.next().await.is_none(), "ended");
    // The notice names where to resume: the last event delivered.
    let (mut again, _stop2) = self::feed(&bus);
    again.subscribe(filter("a"), None);
    for _ in 0..3 {
        publish(&bus, "a", "x");
    }
    let notice = std::iter::from_fn(|| again.try_next()).last().unwrap();
    let Item::Notice(Notice::Lagged {
        dropped,
        resume_from,
    }) = notice
    else {
        panic!("{notice:?}")
    };
    assert_eq!((dropped, resume_from.map(|c| c.offset)), (1, Some(7)));
}

#[tokio::test]
async fn a_new_epoch_is_answered_with_resync_from_where_the_client_stands() {
    let bus = bus(100, 100);
    let (mut feed, _stop) = feed(&bus);
    feed.subscribe(filter("a"), None);
    publish(&bus, "a", "x");
    assert_eq!(ready(&mut feed), ["1"]);
    let epoch = bus.new_epoch();
    let item = tokio::time::timeout(Duration::from_secs(5), feed.next())
        .await
        .unwrap()
        .unwrap();
    let Item::Notice(Notice::Resync { position, .. }) = item else {
        panic!("{item:?}")
    };
    assert_eq!(position.epoch, epoch);
    let next = publish(&bus, "a", "x");
    assert_eq!(ready(&mut feed), [next.offset.to_string()]);
    assert_eq!(feed.last(), Some(next));
}

#[tokio::test]
async fn a_resumed_client_stands_at_its_cursor_until_something_is_yielded() {
    // Resumed with a cursor and nothing new yet: a new epoch must still be answered with
    // resync (not silently live), and a shutdown must name the client's own cursor.
    let bus = bus(100, 100);
    publish(&bus, "a", "x");
    let cursor = bus.position();
    let (mut feed, _stop) = feed(&bus);
    feed.subscribe(filter("a"), Some(cursor));
    assert!(ready(&mut feed).is_empty());
    assert_eq!(feed.last(), Some(cursor));
    bus.new_epoch();
    let item = tokio::time::timeout(Duration::from_secs(5), feed.next())
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(item, Item::Notice(Notice::Resync { .. })),
        "{item:?}"
    );
    let resumed = publish(&bus, "a", "x");
    let (mut stopped, stop) = self::feed(&bus);
    stopped.subscribe(filter("a"), Some(resumed));
    stop.send_replace(true);
    let Some(Item::Notice(notice)) = stopped.next().await else {
        panic!("a notice")
    };
    assert_eq!(
        notice,
        Notice::Shutdown {
            resume_from: Some(resumed)
        }
    );
}

#[tokio::test]
async fn a_feed_of_something_ended_ends_after_its_start() {
    let bus = bus(100, 100);
    let before = bus.position();
    publish(&bus, "s", "started");
    let after = publish(&bus, "s", "x");
    let (feed, _stop) = feed(&bus);
    let mut feed = feed.ending(Ending::AfterStart);
    feed.subscribe(filter("s"), Some(before));
    assert_eq!(ready(&mut feed), ["1", "2"]);
    assert!(feed.next().await.is_none(), "no waiting for a last event");
    // Resumed past everything: nothing to replay, and the end at once.
    let (resumed, _stop) = self::feed(&bus);
    let mut resumed = resumed.ending(Ending::AfterStart);
    resumed.subscribe(filter("s"), Some(after));
    assert!(resumed.next().await.is_none());
}

#[tokio::test]
async fn stopping_yields_a_shutdown_notice_before_queued_events_then_the_end() {
    let bus = bus(100, 100);
    let (mut feed, stop) = feed(&bus);
    feed.subscribe(filter("a"), None);
    let delivered = publish(&bus, "a", "x");
    assert_eq!(ready(&mut feed), ["1"]);
    publish(&bus, "a", "x");
    stop.send_replace(true);
    let Some(Item::Notice(notice)) = feed.next().await else {
        panic!("a notice")
    };
    assert_eq!(
        notice,
        Notice::Shutdown {
            resume_from: Some(delivered)
        }
    );
    assert!(feed.next().await.is_none());
    // Subscribed to nothing, a feed still hears the stop.
    let (mut idle, stop) = self::feed(&bus);
    stop.send_replace(true);
    assert!(matches!(
        idle.next().await,
        Some(Item::Notice(Notice::Shutdown { resume_from: None }))
    ));
}

fn ends_session(event: &Event) -> bool {
    &*event.kind == "finished"
}

#[tokio::test]
async fn a_session_feed_ends_after_its_last_event_live_or_replayed() {
    let bus = bus(100, 100);
    let (stop, stopping) = watch::channel(false);
    let mut live = Feed::new(bus.clone(), stopping.clone()).ending(Ending::After(ends_session));
    live.subscribe(filter("s"), None);
    let before = bus.position();
    publish(&bus, "s", "started");
    publish(&bus, "s", "finished");
    publish(&bus, "s", "late");
    assert_eq!(ready(&mut live), ["1", "2"]);
    assert!(live.is_ended());
    assert!(live.next().await.is_none());
    let mut replayed = Feed::new(bus.clone(), stopping).ending(Ending::After(ends_session));
    replayed.subscribe(filter("s"), Some(before));
    assert_eq!(ready(&mut replayed), ["1", "2"]);
    assert!(replayed.next().await.is_none());
    drop(stop);
}

#[tokio::test]
async fn changing_topics_resumes_from_the_last_event_yielded() {
    let bus = bus(100, 100);
    let (mut feed, _stop) = feed(&bus);
    feed.subscribe(filter("a"), None);
    publish(&bus, "a", "x");
    publish(&bus, "b", "x");
    assert_eq!(ready(&mut feed), ["1"]);
    // Adding `b` from where the client stands replays the `b` event it has not seen.
    feed.subscribe(feed.filter().union(&filter("b")).unwrap(), feed.last());
    assert_eq!(ready(&mut feed), ["2"]);
    // Nothing subscribed: nothing delivered, and the position is kept.
    feed.subscribe(TopicFilter::default(), feed.last());
    publish(&bus, "a", "x");
    assert!(ready(&mut feed).is_empty());
    assert_eq!(feed.last().map(|c| c.offset), Some(2));
}

#[tokio::test]
async fn next_is_cancel_safe() {
    let bus = bus(100, 100);
    let (mut feed, _stop) = feed(&bus);
    feed.subscribe(filter("a"), None);
    // Abandoned while waiting, as a transport's select does when its timer fires first.
    for _ in 0..3 {
        let waited = tokio::time::timeout(Duration::from_millis(1), feed.next()).await;
        assert!(waited.is_err());
    }
    publish(&bus, "a", "x");
    let item = tokio::time::timeout(Duration::from_secs(5), feed.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(describe(item), "1");
}

fn paged_bus(history: usize, page: usize) -> EventBus {
    EventBus::new(HubConfig {
        history_max_events: history,
        replay_page_events: page,
        ..HubConfig::default()
    })
}

#[tokio::test]
async fn a_replay_comes_page_by_page_exactly_once_before_live_events() {
    let bus = paged_bus(1_000, 2);
    let start = bus.position();
    for _ in 0..7 {
        publish(&bus, "a", "x");
        publish(&bus, "b", "x");
    }
    let (mut feed, _stop) = feed(&bus);
    feed.subscribe(filter("a"), Some(start));
    // Events published while the replay is being read come after it, once.
    let first_two: Vec<String> = (0..2).map(|_| describe(feed.try_next().unwrap())).collect();
    assert_eq!(first_two, ["1", "3"]);
    publish(&bus, "a", "x");
    let rest = ready(&mut feed);
    assert_eq!(rest, ["5", "7", "9", "11", "13", "15"]);
    // A session already over: the end comes after the whole replay, not its first page.
    let (ended, _stop) = self::feed(&bus);
    let mut ended = ended.ending(Ending::AfterStart);
    ended.subscribe(filter("a"), Some(start));
    let mut seen = Vec::new();
    while let Some(item) = ended.next().await {
        seen.push(describe(item));
    }
    assert_eq!(seen, ["1", "3", "5", "7", "9", "11", "13", "15"]);
}

#[tokio::test]
async fn a_history_trimmed_past_the_replay_is_a_resync_at_its_end_then_live_events() {
    let bus = paged_bus(6, 2);
    let start = bus.position();
    for _ in 0..6 {
        publish(&bus, "a", "x");
    }
    let (mut feed, _stop) = feed(&bus);
    feed.subscribe(filter("a"), Some(start));
    assert_eq!(describe(feed.try_next().unwrap()), "1");
    // The client reads slowly; the history turns over past its page cursor.
    let live: Vec<Cursor> = (0..4).map(|_| publish(&bus, "a", "x")).collect();
    let Some(Item::Event(second)) = feed.try_next() else {
        panic!("the page already read is still given")
    };
    assert_eq!(second.cursor.offset, 2);
    let Some(Item::Notice(notice)) = feed.try_next() else {
        panic!("a resync")
    };
    assert!(matches!(notice, Notice::Resync { .. }), "{notice:?}");
    assert_eq!(
        notice.id().map(|c| c.offset),
        Some(6),
        "at the replay's end"
    );
    assert_eq!(feed.last(), notice.id());
    // The queue goes on from there without a gap.
    let rest = ready(&mut feed);
    let expected: Vec<String> = live.iter().map(|c| c.offset.to_string()).collect();
    assert_eq!(rest, expected);
}

#[tokio::test]
async fn an_unreadable_cursor_starts_with_resync_then_live_events() {
    let bus = bus(100, 100);
    publish(&bus, "a", "x");
    let (mut feed, _stop) = feed(&bus);
    feed.subscribe(filter("a"), crate::Since::Unreadable);
    let next = publish(&bus, "a", "x");
    assert_eq!(ready(&mut feed), ["resync", &next.offset.to_string()]);
}

#[tokio::test]
async fn a_replay_yields_between_pages_and_stops_for_shutdown() {
    // More entries of another topic than one page looks at: the first pages hold nothing.
    let bus = paged_bus(20_000, 4);
    let start = bus.position();
    for _ in 0..10_000 {
        publish(&bus, "b", "x");
    }
    let wanted: Vec<Cursor> = (0..10).map(|_| publish(&bus, "a", "x")).collect();
    let (mut feed, stop) = feed(&bus);
    feed.subscribe(filter("a"), Some(start));
    // An empty page is not scanned through in one call: the caller gets to yield.
    assert!(feed.try_next().is_none(), "an empty page stops try_next");
    // next() lets the runtime's other tasks run between pages (a current-thread runtime:
    // the spawned task runs only when this one yields).
    let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    tokio::spawn({
        let ran = std::sync::Arc::clone(&ran);
        async move { ran.store(true, std::sync::atomic::Ordering::SeqCst) }
    });
    let Some(Item::Event(first)) = feed.next().await else {
        panic!("the first matching event")
    };
    assert_eq!(first.cursor, wanted[0]);
    assert!(
        ran.load(std::sync::atomic::Ordering::SeqCst),
        "next yielded"
    );
    // The server stops mid-replay: shutdown comes next, not the rest of the replay.
    stop.send_replace(true);
    let Some(Item::Notice(notice)) = feed.next().await else {
        panic!("a notice")
    };
    assert_eq!(
        notice,
        Notice::Shutdown {
            resume_from: Some(wanted[0])
        }
    );
    assert!(feed.next().await.is_none());
}

#[tokio::test]
async fn changing_topics_before_the_first_event_loses_nothing_queued() {
    let bus = bus(100, 100);
    publish(&bus, "a", "x");
    let (mut feed, _stop) = feed(&bus);
    feed.subscribe(filter("a"), None);
    assert_eq!(feed.last(), None);
    let queued = publish(&bus, "a", "x");
    publish(&bus, "b", "x");
    // The client adds `b` before reading anything: the queued `a` event is not dropped with
    // the old queue, nothing from before the subscription comes, and nothing comes twice.
    feed.subscribe(
        feed.filter().union(&filter("b")).unwrap(),
        feed.resume_point(),
    );
    assert_eq!(ready(&mut feed), [queued.offset.to_string(), "3".into()]);
    let next = publish(&bus, "a", "x");
    assert_eq!(ready(&mut feed), [next.offset.to_string()]);
}
