//! Timers: what the scheduler must do when. An incident's timers are replaced with each of its
//! transitions (in the same transaction), so a stage that ends leaves nothing behind and a
//! deadline that moves moves them; a timer that fired stays fired (its key is never written
//! again). Due timers are claimed with a lease, so one process fires each, and a process that
//! dies mid-way has its timers taken over when the lease runs out.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::outbox::{insert_outbox, OutboxRow};
use super::Writer;
use super::{on_pool, ts, BeginWrite, Pool, StorageError, Store};
use crate::domain::{IncidentId, OrgId};

/// A timer to write.
#[derive(Debug, Clone, PartialEq)]
pub struct TimerRow {
    /// The incident it is about; `None` for an organisation's own timers (digests).
    pub incident: Option<IncidentId>,
    /// Unique among the incident's timers (or the organisation's own).
    pub key: String,
    /// What it does (for people reading the table; the payload says it all).
    pub kind: String,
    pub payload: serde_json::Value,
    pub due_at: DateTime<Utc>,
}

/// A timer claimed to fire.
#[derive(Debug, Clone, PartialEq)]
pub struct DueTimer {
    pub id: i64,
    pub org: OrgId,
    pub incident: Option<IncidentId>,
    pub key: String,
    pub kind: String,
    pub payload: serde_json::Value,
    pub due_at: DateTime<Utc>,
}

/// The stored key: an incident's timers carry its id, so keys of different incidents never
/// meet.
pub(crate) fn stored_key(incident: Option<IncidentId>, key: &str) -> String {
    match incident {
        Some(i) => format!("i{}:{key}", i.0),
        None => key.to_string(),
    }
}

/// Replaces an incident's timers that have not fired on an open transaction (either backend);
/// timers that fired are kept and not written again.
macro_rules! replace_timers {
    ($tx:expr, $org:expr, $incident:expr, $rows:expr, $at:expr) => {{
        let incident: $crate::domain::IncidentId = $incident;
        sqlx::query("DELETE FROM timers WHERE incident_id = $1 AND fired_at IS NULL")
            .bind(incident.0)
            .execute(&mut *$tx)
            .await?;
        $crate::storage::timers::add_timers!($tx, $org, Some(incident), $rows, $at);
    }};
}
pub(crate) use replace_timers;

/// Adds timers that do not exist yet on an open transaction (either backend).
macro_rules! add_timers {
    ($tx:expr, $org:expr, $incident:expr, $rows:expr, $at:expr) => {
        // One statement per batch of rows: a transition writes several timers at once.
        for batch in $rows.chunks($crate::storage::ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO timers (org_id, incident_id, key, kind, payload, due_at, created_at) ",
            );
            insert.push_values(batch.iter(), |mut row, r| {
                let incident: Option<$crate::domain::IncidentId> = r.incident.or($incident);
                row.push_bind($org.0)
                    .push_bind(incident.map(|i| i.0))
                    .push_bind($crate::storage::timers::stored_key(incident, &r.key))
                    .push_bind(r.kind.clone())
                    .push_bind(r.payload.to_string())
                    .push_bind($crate::storage::ts(r.due_at))
                    .push_bind($crate::storage::ts($at));
            });
            insert.push(" ON CONFLICT (org_id, key) DO NOTHING");
            insert.build().execute(&mut *$tx).await?;
        }
    };
}
pub(crate) use add_timers;

const COLUMNS: &str = "id, org_id, incident_id, key, kind, payload, due_at";

type TimerTuple = (i64, i64, Option<i64>, String, String, String, DateTime<Utc>);

macro_rules! timer_tuple {
    ($r:expr) => {
        (
            $r.try_get::<i64, _>("id")?,
            $r.try_get::<i64, _>("org_id")?,
            $r.try_get::<Option<i64>, _>("incident_id")?,
            $r.try_get::<String, _>("key")?,
            $r.try_get::<String, _>("kind")?,
            $r.try_get::<String, _>("payload")?,
            $r.try_get::<DateTime<Utc>, _>("due_at")?,
        )
    };
}

fn timer_from(t: TimerTuple) -> Result<DueTimer, StorageError> {
    let (id, org, incident, key, kind, payload, due_at) = t;
    Ok(DueTimer {
        id,
        org: OrgId(org),
        incident: incident.map(IncidentId),
        key,
        kind,
        payload: serde_json::from_str(&payload)?,
        due_at,
    })
}

impl Store {
    /// Extends the lease of claimed timers not yet fired, so a short lease does not run out under
    /// a live scheduler.
    pub async fn renew_timer_lease(
        &self,
        ids: &[i64],
        until: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.renew_lease("timers", "fired_at", ids, until).await
    }

    /// Claims up to `limit` timers due at `now`, earliest first, for `lease`, in `owner`'s name.
    pub async fn claim_timers(
        &self,
        now: DateTime<Utc>,
        limit: i64,
        lease: Duration,
        owner: &str,
    ) -> Result<Vec<DueTimer>, StorageError> {
        let until = ts(now + lease);
        let now = ts(now);
        let select = "SELECT id FROM timers WHERE fired_at IS NULL AND due_at <= $2
                      AND (locked_until IS NULL OR locked_until <= $2) ORDER BY due_at, id LIMIT $3";
        let rows: Vec<TimerTuple> = match &self.pool {
            Pool::Sqlite(pool) => {
                let sql = format!(
                    "UPDATE timers SET locked_until = $1, locked_by = $4 WHERE id IN ({select}) RETURNING {COLUMNS}"
                );
                let mut tx = pool.writer(self).begin_write().await?;
                let rows = sqlx::query(&sql)
                    .bind(until)
                    .bind(now)
                    .bind(limit)
                    .bind(owner)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|r| -> Result<TimerTuple, sqlx::Error> { Ok(timer_tuple!(r)) })
                    .collect::<Result<Vec<_>, _>>()?;
                tx.commit().await?;
                rows
            }
            Pool::Postgres(pool) => {
                // Several processes claim at once: SKIP LOCKED hands each timer to one of them.
                let sql = format!(
                    "UPDATE timers SET locked_until = $1, locked_by = $4 WHERE id IN ({select} FOR UPDATE SKIP LOCKED)
                     RETURNING {COLUMNS}"
                );
                sqlx::query(&sql)
                    .bind(until)
                    .bind(now)
                    .bind(limit)
                    .bind(owner)
                    .fetch_all(pool)
                    .await?
                    .iter()
                    .map(|r| -> Result<TimerTuple, sqlx::Error> { Ok(timer_tuple!(r)) })
                    .collect::<Result<Vec<_>, _>>()?
            }
        };
        let mut out = rows
            .into_iter()
            .map(timer_from)
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_by_key(|t| (t.due_at, t.id));
        Ok(out)
    }

    /// Fires a timer: marks it fired and writes its messages and follow-up timers, in one
    /// transaction. `false` (nothing written) when it had already fired.
    pub async fn fire_timer(
        &self,
        timer: &DueTimer,
        outbox: &[OutboxRow],
        follow_ups: &[TimerRow],
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let org = timer.org;
        let fired = on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let n = sqlx::query("UPDATE timers SET fired_at = $1, locked_until = NULL WHERE id = $2 AND fired_at IS NULL")
                .bind(ts(at))
                .bind(timer.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                tx.rollback().await?;
                false
            } else {
                insert_outbox!(tx, org, timer.incident, outbox, at);
                add_timers!(tx, org, None, follow_ups, at);
                tx.commit().await?;
                true
            }
        });
        Ok(fired)
    }

    /// Adds an organisation's own timers (those that exist already are kept).
    pub async fn add_org_timers(
        &self,
        org: OrgId,
        rows: &[TimerRow],
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            add_timers!(tx, org, None, rows, at);
            tx.commit().await?;
        });
        Ok(())
    }

    /// When the earliest timer not fired yet is due.
    pub async fn next_timer_at(&self) -> Result<Option<DateTime<Utc>>, StorageError> {
        let at = on_pool!(self, pool => {
            sqlx::query("SELECT MIN(due_at) AS due FROM timers WHERE fired_at IS NULL")
                .fetch_one(pool)
                .await?
                .try_get::<Option<DateTime<Utc>>, _>("due")?
        });
        Ok(at)
    }

    /// The timers of an incident that have not fired, earliest first (tests, the overview).
    pub async fn pending_timers(
        &self,
        incident: IncidentId,
    ) -> Result<Vec<DueTimer>, StorageError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM timers WHERE incident_id = $1 AND fired_at IS NULL ORDER BY due_at, id"
        );
        let rows = on_pool!(self, pool => {
            sqlx::query(&sql)
                .bind(incident.0)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<TimerTuple, sqlx::Error> { Ok(timer_tuple!(r)) })
                .collect::<Result<Vec<_>, _>>()?
        });
        rows.into_iter().map(timer_from).collect()
    }

    /// How many timers have fired (tests and monitoring).
    pub async fn fired_timer_count(&self) -> Result<i64, StorageError> {
        let n = on_pool!(self, pool => {
            sqlx::query("SELECT COUNT(*) AS n FROM timers WHERE fired_at IS NOT NULL")
                .fetch_one(pool)
                .await?
                .try_get::<i64, _>("n")?
        });
        Ok(n)
    }
}
