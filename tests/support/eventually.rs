//! `eventually`: the one way tests wait for something the code under test brings about on its
//! own time (a restart, a reconnection, a row, a metric). It asks again until the condition
//! holds or the deadline passes, then fails naming what it waited for and the last answer,
//! instead of each test writing its own loop with a guessed sleep.
//!
//! Included by path by every crate's tests (`#[path = ".../tests/support/eventually.rs"]`), as
//! `private_redis.rs` is. The condition returns `bool`, `Option<T>` or `Result<T, E>`; a value
//! it holds is returned, so a test can wait for a record and then read it. Blocking tests call
//! [`eventually`]; async tests call [`eventually_async`], which sleeps on tokio's clock (so a
//! paused clock advances instead of the test hanging). A sleep that is itself the behaviour
//! under test (waiting out a timeout) is not a wait for a condition and stays a sleep.

#![allow(dead_code)] // each includer uses part of it

use std::fmt::Debug;
use std::future::Future;
use std::time::Duration;

/// What a condition answered: ready with a value, or not yet (and what it saw instead).
pub trait Outcome {
    type Value;
    fn ready(self) -> Result<Self::Value, String>;
}

impl Outcome for bool {
    type Value = ();
    fn ready(self) -> Result<(), String> {
        if self {
            Ok(())
        } else {
            Err("false".into())
        }
    }
}

impl<T> Outcome for Option<T> {
    type Value = T;
    fn ready(self) -> Result<T, String> {
        self.ok_or_else(|| "None".into())
    }
}

impl<T, E: Debug> Outcome for Result<T, E> {
    type Value = T;
    fn ready(self) -> Result<T, String> {
        self.map_err(|e| format!("{e:?}"))
    }
}

/// The pause between two asks: short at first (most conditions hold within milliseconds),
/// doubling up to a tenth of a second so a slow one does not busy the machine.
struct Pacing {
    pause: Duration,
}

impl Pacing {
    const FIRST: Duration = Duration::from_millis(2);
    const MOST: Duration = Duration::from_millis(100);

    fn new() -> Self {
        Self { pause: Self::FIRST }
    }

    /// The next pause, never past `left`.
    fn next(&mut self, left: Duration) -> Duration {
        let pause = self.pause.min(left);
        self.pause = (self.pause * 2).min(Self::MOST);
        pause
    }
}

fn gave_up(what: &str, within: Duration, last: &str) -> ! {
    panic!("waited {within:?} for {what}; the last answer was: {last}")
}

/// Asks `condition` until it is ready, for at most `within`; its value. Fails the test with
/// `what` and the last answer when the time is up.
pub fn eventually<O: Outcome>(
    what: &str,
    within: Duration,
    mut condition: impl FnMut() -> O,
) -> O::Value {
    let deadline = std::time::Instant::now() + within;
    let mut pacing = Pacing::new();
    loop {
        match condition().ready() {
            Ok(value) => return value,
            Err(last) => {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                if left.is_zero() {
                    gave_up(what, within, &last);
                }
                std::thread::sleep(pacing.next(left));
            }
        }
    }
}

/// [`eventually`] for a condition that must be awaited; the deadline and pauses follow
/// tokio's clock.
pub async fn eventually_async<O: Outcome, F: Future<Output = O>>(
    what: &str,
    within: Duration,
    mut condition: impl FnMut() -> F,
) -> O::Value {
    let deadline = tokio::time::Instant::now() + within;
    let mut pacing = Pacing::new();
    loop {
        match condition().await.ready() {
            Ok(value) => return value,
            Err(last) => {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                if left.is_zero() {
                    gave_up(what, within, &last);
                }
                tokio::time::sleep(pacing.next(left)).await;
            }
        }
    }
}
