//! What arrived since an instant, for the morning digest: how many incidents, and which of them
//! were significant (high importance, Barnaul §12) so the digest can mark them.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{on_pool, ts, StorageError, Store};
use crate::domain::{IncidentId, OrgId};

impl Store {
    /// How many incidents of an organisation were taken in since an instant.
    pub async fn incidents_since(
        &self,
        org: OrgId,
        since: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        let n = on_pool!(self, pool => {
            sqlx::query("SELECT COUNT(*) AS n FROM incidents WHERE org_id = $1 AND created_at >= $2")
                .bind(org.0)
                .bind(ts(since))
                .fetch_one(pool)
                .await?
                .try_get::<i64, _>("n")?
        });
        Ok(n)
    }

    /// The incidents of an organisation taken in since an instant that are of high importance
    /// now, oldest first: (id, number).
    pub async fn significant_since(
        &self,
        org: OrgId,
        since: DateTime<Utc>,
    ) -> Result<Vec<(IncidentId, i64)>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT id, number FROM incidents
                 WHERE org_id = $1 AND created_at >= $2 AND importance = 'high'
                 ORDER BY number",
            )
            .bind(org.0)
            .bind(ts(since))
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| Ok((IncidentId(r.try_get("id")?), r.try_get("number")?)))
            .collect::<Result<Vec<(IncidentId, i64)>, sqlx::Error>>()?
        });
        Ok(rows)
    }
}
