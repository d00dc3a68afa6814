//! Jittered exponential backoff between restarts of one child: Akka's idea, which OTP lacks.
//!
//! [`BackoffPolicy`] is configuration; [`Backoff`] is the per-child state (how many restarts in a
//! row) that the supervisor keeps. Both are pure: the random source is passed in, so tests can
//! check the bounds without a clock.

use std::time::Duration;

use serde::Serialize;

/// How long to wait before restarting a child, growing with each restart in a row.
///
/// The `n`-th restart in a row (from 0) waits a base of `min · 2ⁿ`, capped at `max`, minus a
/// random part of up to `jitter` of it: the delay is always within `[base · (1 − jitter), base]`,
/// so it never exceeds `max` and several children failing together spread their restarts. A child
/// that ran for at least `reset_after` before failing starts again from `n = 0`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BackoffPolicy {
    /// Base delay of the first restart in a row; zero means restart at once, as OTP does.
    #[serde(serialize_with = "crate::tree::serialize_duration_ms")]
    pub min: Duration,
    /// Upper bound of any delay.
    #[serde(serialize_with = "crate::tree::serialize_duration_ms")]
    pub max: Duration,
    /// Fraction of the base delay that may be taken off at random, in `[0, 1]`.
    pub jitter: f64,
    /// A run at least this long counts as healthy and resets the sequence.
    #[serde(serialize_with = "crate::tree::serialize_duration_ms")]
    pub reset_after: Duration,
}

impl BackoffPolicy {
    /// No delay at all: every restart happens at once (OTP's behaviour).
    pub const NONE: Self = Self {
        min: Duration::ZERO,
        max: Duration::ZERO,
        jitter: 0.0,
        reset_after: Duration::ZERO,
    };

    /// Exponential backoff from `min` to `max`, 20 % jitter, reset after a run of 30 s or of
    /// `max`, whichever is longer.
    pub fn exponential(min: Duration, max: Duration) -> Self {
        Self {
            min,
            max,
            jitter: 0.2,
            reset_after: max.max(Duration::from_secs(30)),
        }
    }

    /// Sets the jitter fraction.
    #[must_use]
    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets how long a run must last to reset the sequence.
    #[must_use]
    pub fn with_reset_after(mut self, reset_after: Duration) -> Self {
        self.reset_after = reset_after;
        self
    }

    /// Checks that `min ≤ max ≤ 1 day` and that the jitter is a fraction.
    ///
    /// # Errors
    /// A sentence saying which bound is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.min > self.max {
            return Err(format!(
                "min ({:?}) is greater than max ({:?})",
                self.min, self.max
            ));
        }
        if self.max > Duration::from_secs(86_400) {
            return Err(format!("max ({:?}) is longer than a day", self.max));
        }
        if !(0.0..=1.0).contains(&self.jitter) {
            return Err(format!("jitter ({}) is not within [0, 1]", self.jitter));
        }
        Ok(())
    }

    /// The base delay of the `attempt`-th restart in a row, before jitter.
    pub fn base_delay(&self, attempt: u32) -> Duration {
        // 2^attempt overflows quickly; once past 2^31 the cap has long been reached.
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.min.saturating_mul(factor).min(self.max)
    }
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        Self::NONE
    }
}

/// One child's place in its backoff sequence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backoff {
    attempt: u32,
}

impl Backoff {
    /// Restarts in a row so far.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Tells the sequence how long the child ran before failing; a healthy run resets it.
    pub fn note_run(&mut self, policy: &BackoffPolicy, ran_for: Duration) {
        if ran_for >= policy.reset_after {
            self.attempt = 0;
        }
    }

    /// Starts the sequence over (after an operator's restart, say).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The delay before the next restart, advancing the sequence. `rng` supplies the jitter.
    pub fn next_delay(&mut self, policy: &BackoffPolicy, rng: &mut fastrand::Rng) -> Duration {
        let base = policy.base_delay(self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        if base.is_zero() || policy.jitter <= 0.0 {
            return base;
        }
        let cut = base.mul_f64(policy.jitter * rng.f64());
        base.saturating_sub(cut)
    }
}

#[cfg(test)]
mod tests;
