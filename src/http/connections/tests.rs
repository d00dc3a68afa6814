//! The cap's choices and the phases' deadlines, on the real clock with short timeouts.

use std::time::Duration;

use super::*;

fn settings() -> ConnectionSettings {
    ConnectionSettings {
        max_connections: 3,
        fd_reserve: 16,
        first_byte_timeout: Duration::from_millis(100),
        head_timeout: Duration::from_millis(200),
        keepalive_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(50),
        max_head_bytes: 8192,
    }
}

#[test]
fn at_the_cap_the_longest_waiting_goes_and_busy_ones_stay() {
    let table = Connections::new(3, settings());
    let a = table.admit().unwrap();
    let b = table.admit().unwrap();
    let c = table.admit().unwrap();
    a.tracker().set(Phase::Busy);
    c.tracker().set(Phase::Head);
    // b waits for bytes: it makes room, before c (which is sending its head).
    let d = table.admit().unwrap();
    assert!(b.shared.evicted.load(Ordering::Acquire));
    assert!(!c.shared.evicted.load(Ordering::Acquire));
    d.tracker().set(Phase::Busy);
    // Only c is not busy now.
    let e = table.admit().unwrap();
    assert!(c.shared.evicted.load(Ordering::Acquire));
    e.tracker().hold();
    // All busy: refused.
    assert!(table.admit().is_none());
    // A slot given back makes room again; evicted slots were already out of the count.
    drop(b);
    drop(c);
    assert!(table.admit().is_none());
    drop(a);
    assert!(table.admit().is_some());
}

#[test]
fn an_upgraded_connection_stays_busy() {
    let table = Connections::new(1, settings());
    let slot = table.admit().unwrap();
    let tracker = slot.tracker();
    tracker.hold();
    tracker.response_done();
    assert_eq!(tracker.phase(), Phase::Busy);
    assert!(table.admit().is_none());
}

/// Within a margin of `expected`: never before it, and not much after on a busy machine.
fn about(took: Duration, expected: Duration) {
    assert!(took >= expected, "{took:?} < {expected:?}");
    assert!(
        took < expected + Duration::from_secs(1),
        "{took:?} ≫ {expected:?}"
    );
}

#[tokio::test]
async fn each_phase_has_its_deadline() {
    let ms = Duration::from_millis;
    let table = Connections::new(4, settings());
    let silent = table.admit().unwrap();
    let began = Instant::now();
    assert_eq!(silent.expired().await, CloseReason::FirstByteTimeout);
    about(began.elapsed(), ms(100));

    let slow = table.admit().unwrap();
    slow.tracker().bytes_arrived();
    let began = Instant::now();
    assert_eq!(slow.expired().await, CloseReason::HeadTimeout);
    about(began.elapsed(), ms(200));

    let kept = table.admit().unwrap();
    let tracker = kept.tracker();
    tracker.bytes_arrived();
    tracker.set(Phase::Busy);
    // Busy: no deadline while the response is written (longer than every timeout here),
    // then the idle one from when it ended.
    let waiting = tokio::spawn(async move { kept.expired().await });
    tokio::time::sleep(ms(500)).await;
    assert!(!waiting.is_finished(), "a busy connection has no deadline");
    let done = Instant::now();
    tracker.response_done();
    assert_eq!(waiting.await.unwrap(), CloseReason::IdleTimeout);
    about(done.elapsed(), ms(300));
}

#[test]
fn bodies_give_way_after_idle_connections_and_heads() {
    let table = Connections::new(3, settings());
    let body = table.admit().unwrap();
    body.tracker().request_began(true);
    let head = table.admit().unwrap();
    head.tracker().bytes_arrived();
    let waiting = table.admit().unwrap();
    let d = table.admit().unwrap();
    assert!(waiting.shared.evicted.load(Ordering::Acquire));
    d.tracker().request_began(false);
    let e = table.admit().unwrap();
    assert!(head.shared.evicted.load(Ordering::Acquire));
    assert!(!body.shared.evicted.load(Ordering::Acquire));
    e.tracker().request_began(false);
    // A body still arriving is the last to go before a refusal.
    let f = table.admit().unwrap();
    assert!(body.shared.evicted.load(Ordering::Acquire));
    // Once its body is read a request is busy, and out of reach.
    f.tracker().request_began(true);
    f.tracker().body_done();
    assert_eq!(f.tracker().phase(), Phase::Busy);
    assert!(table.admit().is_none());
}

#[test]
fn the_order_follows_phase_changes_and_closes() {
    let table = Connections::new(2, settings());
    let a = table.admit().unwrap();
    let b = table.admit().unwrap();
    // a was waiting longer, but it served a request and waits again now: b is the oldest.
    std::thread::sleep(Duration::from_millis(5));
    a.tracker().request_began(false);
    a.tracker().response_done();
    let c = table.admit().unwrap();
    assert!(b.shared.evicted.load(Ordering::Acquire));
    assert!(!a.shared.evicted.load(Ordering::Acquire));
    // An evicted connection's later phase changes do not bring it back into the order.
    b.tracker().bytes_arrived();
    drop(b);
    // A closed connection leaves the order: the next eviction picks a live one.
    drop(a);
    let d = table.admit().unwrap();
    assert!(!c.shared.evicted.load(Ordering::Acquire));
    let _e = table.admit().unwrap();
    assert!(c.shared.evicted.load(Ordering::Acquire));
    assert!(!d.shared.evicted.load(Ordering::Acquire));
    let table = table.lock();
    assert_eq!(table.slots.len(), 2);
    assert_eq!(table.order.iter().map(BTreeSet::len).sum::<usize>(), 2);
}

#[test]
fn a_response_counts_as_sent_once_flushed() {
    let table = Connections::new(2, settings());
    let slot = table.admit().unwrap();
    let tracker = slot.tracker();
    tracker.bytes_arrived();
    tracker.request_began(false);
    tracker.response_queued();
    // Handed over but not yet taken by the socket: still busy, not idle.
    assert_eq!(tracker.phase(), Phase::Busy);
    tracker.flushed();
    assert_eq!(tracker.phase(), Phase::Waiting);
    // A flush with no response pending changes nothing.
    tracker.bytes_arrived();
    tracker.flushed();
    assert_eq!(tracker.phase(), Phase::Head);
}

#[tokio::test]
async fn a_body_that_does_not_end_is_closed_after_its_grace() {
    let table = Connections::new(1, settings());
    let slot = table.admit().unwrap();
    slot.tracker().request_began(true);
    let began = Instant::now();
    assert_eq!(slot.expired().await, CloseReason::BodyTimeout);
    about(
        began.elapsed(),
        Duration::from_millis(50) + BODY_ANSWER_GRACE,
    );
}
