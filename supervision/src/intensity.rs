//! Restart intensity: OTP's rule that more than `max_restarts` restarts within a sliding
//! `period` means something is wrong that restarting will not fix.
//!
//! Pure and clock-injected (the caller passes `now`), so the rule is tested without waiting. The
//! window keeps at most `max_restarts + 1` timestamps: the supervisor gives up on the one that
//! overflows it, so memory is bounded however long the supervisor lives.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use crate::spec::Intensity;

/// The restarts of one supervisor that still count.
#[derive(Debug, Clone)]
pub struct RestartWindow {
    intensity: Intensity,
    stamps: VecDeque<Instant>,
}

/// More restarts than the intensity allows: the supervisor must escalate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntensityExceeded {
    /// Restarts counted within the period, including the one refused.
    pub restarts: usize,
    /// The period they fell within.
    pub period: Duration,
}

impl RestartWindow {
    /// An empty window for `intensity`.
    pub fn new(intensity: Intensity) -> Self {
        Self {
            intensity,
            stamps: VecDeque::new(),
        }
    }

    /// Records a restart at `now`. Restarts more than `period` before `now` no longer count (one
    /// exactly `period` old still does, as in OTP).
    ///
    /// # Errors
    /// [`IntensityExceeded`] when this restart is one more than allowed.
    pub fn record(&mut self, now: Instant) -> Result<(), IntensityExceeded> {
        while let Some(&oldest) = self.stamps.front() {
            if now.saturating_duration_since(oldest) > self.intensity.period {
                self.stamps.pop_front();
            } else {
                break;
            }
        }
        self.stamps.push_back(now);
        if self.stamps.len() > self.intensity.max_restarts as usize {
            let restarts = self.stamps.len();
            // Keep the bound even if the caller carries on after the error.
            self.stamps.pop_front();
            return Err(IntensityExceeded {
                restarts,
                period: self.intensity.period,
            });
        }
        Ok(())
    }

    /// Restarts currently counted.
    pub fn len(&self) -> usize {
        self.stamps.len()
    }

    /// Whether no restart currently counts.
    pub fn is_empty(&self) -> bool {
        self.stamps.is_empty()
    }
}

#[cfg(test)]
mod tests;
