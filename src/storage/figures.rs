//! What `/metrics` reports of the stored state: incidents by organisation and state, the
//! overdue ones, the outbox queue and the timers due. Each figure is one indexed or grouped
//! query, read when Prometheus scrapes.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{on_pool, ts, StorageError, Store};

/// The stored state, counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// (organisation, state, how many).
    pub incidents: Vec<(String, String, i64)>,
    /// (organisation, how many open incidents have a stage past its deadline).
    pub overdue: Vec<(String, i64)>,
    /// Messages not yet delivered (nor given up on).
    pub outbox_pending: i64,
    /// When the oldest of them was queued.
    pub outbox_oldest: Option<DateTime<Utc>>,
    /// Timers whose time has come and that have not fired.
    pub timers_due: i64,
}

impl Store {
    /// The figures `/metrics` reports, as of `now`.
    pub async fn figures(&self, now: DateTime<Utc>) -> Result<Figures, StorageError> {
        let figures = on_pool!(self, pool => {
            let incidents = sqlx::query(
                "SELECT o.name, i.state, COUNT(*) AS n FROM incidents i
                 JOIN organisations o ON o.id = i.org_id
                 GROUP BY o.name, i.state ORDER BY o.name, i.state",
            )
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> {
                Ok((r.try_get("name")?, r.try_get("state")?, r.try_get("n")?))
            })
            .collect::<Result<Vec<_>, _>>()?;
            let overdue = sqlx::query(
                "SELECT o.name, COUNT(*) AS n FROM incidents i
                 JOIN organisations o ON o.id = i.org_id
                 WHERE i.next_deadline_at IS NOT NULL AND i.next_deadline_at < $1
                 GROUP BY o.name ORDER BY o.name",
            )
            .bind(ts(now))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get("name")?, r.try_get("n")?)) })
            .collect::<Result<Vec<_>, _>>()?;
            let outbox = sqlx::query(
                "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox
                 WHERE delivered_at IS NULL AND failed_at IS NULL",
            )
            .fetch_one(pool)
            .await?;
            let timers_due = sqlx::query(
                "SELECT COUNT(*) AS n FROM timers WHERE fired_at IS NULL AND due_at <= $1",
            )
            .bind(ts(now))
            .fetch_one(pool)
            .await?
            .try_get::<i64, _>("n")?;
            Figures {
                incidents,
                overdue,
                outbox_pending: outbox.try_get("n")?,
                outbox_oldest: outbox.try_get("oldest")?,
                timers_due,
            }
        });
        Ok(figures)
    }
}
