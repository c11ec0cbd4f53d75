//! What happened to an incident, read back: its draft versions and its audit log (and the
//! organisation's directory changes, which are audited the same way).

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::incidents::{AuditEntry, StoredDraft};
use super::{on_pool, StorageError, Store};
use crate::domain::{IncidentId, OrgId, PersonId};

impl Store {
    /// Every draft version of an incident, oldest first.
    pub async fn drafts(&self, incident: IncidentId) -> Result<Vec<StoredDraft>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT part_no, version, kind, body, author_id, reviews FROM drafts WHERE incident_id = $1
                 ORDER BY part_no, version",
            )
            .bind(incident.0)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> {
                Ok((
                    r.try_get::<i64, _>("part_no")?,
                    r.try_get::<i64, _>("version")?,
                    r.try_get::<String, _>("kind")?,
                    r.try_get::<String, _>("body")?,
                    r.try_get::<i64, _>("author_id")?,
                    r.try_get::<String, _>("reviews")?,
                ))
            })
            .collect::<Result<Vec<_>, _>>()?
        });
        rows.into_iter()
            .map(|(part, version, kind, text, author, reviews)| {
                Ok(StoredDraft {
                    part: usize::try_from(part).ok(),
                    version: u32::try_from(version).unwrap_or(0),
                    kind,
                    text,
                    author: PersonId(author),
                    reviews: serde_json::from_str(&reviews)?,
                })
            })
            .collect()
    }

    /// The audit log of an incident, in order.
    pub async fn audit_log(&self, incident: IncidentId) -> Result<Vec<AuditEntry>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT actor_id, at, command, from_state, to_state, payload, events FROM audit_log
                 WHERE incident_id = $1 ORDER BY id",
            )
            .bind(incident.0)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> {
                Ok((
                    r.try_get::<i64, _>("actor_id")?,
                    r.try_get::<DateTime<Utc>, _>("at")?,
                    r.try_get::<String, _>("command")?,
                    r.try_get::<Option<String>, _>("from_state")?,
                    r.try_get::<Option<String>, _>("to_state")?,
                    r.try_get::<String, _>("payload")?,
                    r.try_get::<String, _>("events")?,
                ))
            })
            .collect::<Result<Vec<_>, _>>()?
        });
        rows.into_iter()
            .map(
                |(actor, at, command, from_state, to_state, payload, events)| {
                    Ok(AuditEntry {
                        actor: PersonId(actor),
                        at,
                        command,
                        from_state,
                        to_state,
                        payload: serde_json::from_str(&payload)?,
                        events: serde_json::from_str(&events)?,
                    })
                },
            )
            .collect()
    }

    /// The organisation-level audit records (directory changes), oldest first.
    pub async fn directory_audit(&self, org: OrgId) -> Result<Vec<AuditEntry>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT actor_id, at, command, payload FROM audit_log WHERE org_id = $1 AND incident_id IS NULL ORDER BY id",
            )
            .bind(org.0)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> {
                Ok((r.try_get::<i64, _>("actor_id")?, r.try_get::<DateTime<Utc>, _>("at")?, r.try_get::<String, _>("command")?, r.try_get::<String, _>("payload")?))
            })
            .collect::<Result<Vec<_>, _>>()?
        });
        rows.into_iter()
            .map(|(actor, at, command, payload)| {
                Ok(AuditEntry {
                    actor: PersonId(actor),
                    at,
                    command,
                    from_state: None,
                    to_state: None,
                    payload: serde_json::from_str(&payload)?,
                    events: serde_json::Value::Array(Vec::new()),
                })
            })
            .collect()
    }
}
