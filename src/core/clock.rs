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
/// evenings, weekends and holidays).
#[derive(Debug)]
pub struct ManualClock {
    at: watch::Sender<DateTime<Utc>>,
}

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Arc<ManualClock> {
        Arc::new(ManualClock {
            at: watch::Sender::new(at),
        })
    }

    pub fn set(&self, at: DateTime<Utc>) {
        self.at.send_replace(at);
    }

    pub fn advance(&self, by: Duration) {
        self.set(self.now() + by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.at.borrow()
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
