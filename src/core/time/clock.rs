//! The clock the core reads: injected, so tests move time instead of waiting for it.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::watch;

/// Where "now" comes from.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;

    /// Tells of jumps in time (a manual clock moved by a test), so sleepers wake; `None` for a
    /// clock that only flows.
    fn jumps(&self) -> Option<watch::Receiver<DateTime<Utc>>> {
        None
    }
}

/// The system's clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved (tests compare deadlines to the minute and walk across
/// evenings, weekends and holidays) — or, once told to flow, moves on with real time from where
/// it stands (tests of what takes real seconds: a message retried after a failure).
#[derive(Debug)]
pub struct ManualClock {
    at: watch::Sender<DateTime<Utc>>,
    /// Since when it flows (from `at`), and how many times faster than real time, if it does.
    flowing: std::sync::Mutex<Option<(std::time::Instant, u32)>>,
}

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Arc<ManualClock> {
        Arc::new(ManualClock {
            at: watch::Sender::new(at),
            flowing: std::sync::Mutex::new(None),
        })
    }

    fn flowing(&self) -> std::sync::MutexGuard<'_, Option<(std::time::Instant, u32)>> {
        self.flowing.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set(&self, at: DateTime<Utc>) {
        let mut flowing = self.flowing();
        if let Some((since, _)) = flowing.as_mut() {
            *since = std::time::Instant::now();
        }
        self.at.send_replace(at);
    }

    pub fn advance(&self, by: Duration) {
        self.set(self.now() + by);
    }

    /// From now on the clock moves with real time, `rate` times as fast (it can still be set and
    /// advanced): a test that runs a messenger's pace faster runs the bot's waits as fast.
    pub fn start_flowing(&self, rate: u32) {
        let now = self.now();
        *self.flowing() = Some((std::time::Instant::now(), rate.max(1)));
        self.at.send_replace(now);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        let at = *self.at.borrow();
        match *self.flowing() {
            Some((since, rate)) => {
                at + Duration::from_std(since.elapsed() * rate).unwrap_or_default()
            }
            None => at,
        }
    }

    fn jumps(&self) -> Option<watch::Receiver<DateTime<Utc>>> {
        Some(self.at.subscribe())
    }
}

/// Waits until the clock jumps (forever for a clock that only flows).
pub async fn jumped(rx: &mut Option<watch::Receiver<DateTime<Utc>>>) {
    match rx {
        Some(rx) => {
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await
            }
        }
        None => std::future::pending::<()>().await,
    }
}
