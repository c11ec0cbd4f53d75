//! Short leases, renewed while the work is in hand. A claimed outbox message or timer is held
//! for a few seconds at a time: a live worker keeps extending it, and after a crash (SIGKILL)
//! the restarted process — or another replica — takes the work over within seconds instead of
//! waiting out a long lease.

use std::future::Future;
use std::time::Duration as StdDuration;

use chrono::Duration;

use crate::core::Core;

/// How long a claim holds without renewal.
const LEASE_SECONDS: i64 = 5;
/// How often a live worker renews its claims (well within the lease).
const RENEW_EVERY: StdDuration = StdDuration::from_millis(1500);

/// What a lease is on.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Leased {
    Outbox,
    Timers,
}

impl Core {
    /// The lease a claim is made for.
    pub(crate) fn lease(&self) -> Duration {
        Duration::seconds(LEASE_SECONDS)
    }

    /// Runs `work` while renewing the lease on `ids` every little while.
    pub(crate) async fn while_leased<T>(
        &self,
        what: Leased,
        ids: &[i64],
        work: impl Future<Output = T>,
    ) -> T {
        tokio::pin!(work);
        loop {
            tokio::select! {
                out = &mut work => return out,
                _ = tokio::time::sleep(RENEW_EVERY) => {
                    let until = self.now() + self.lease();
                    let renewed = match what {
                        Leased::Outbox => self.store.renew_outbox_lease(ids, until).await,
                        Leased::Timers => self.store.renew_timer_lease(ids, until).await,
                    };
                    if let Err(e) = renewed {
                        // The lease may run out and another worker take the work over: at worst a
                        // private notice twice, never a public reply (see publish.rs).
                        tracing::warn!(?what, error = %e, "cannot renew a lease");
                    }
                }
            }
        }
    }
}
