//! Answers Otklik publishes itself (a reply to a comment in the organisation's channel), at most
//! once each. The reply is recorded as "sending" before it is sent and as "sent" — together with
//! the publication — after; a reply found still "sending" (the process died between the two, or
//! the messenger's answer was lost) is "in doubt", and is never sent again: people check it.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::incidents::{commit_in_tx, write_details, Commit};
use super::outbox::insert_outbox;
use super::Writer;
use super::{on_pool, ts, BeginWrite, StorageError, Store};
use crate::domain::IncidentId;

/// What the record of an automatic publication says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicationClaim {
    /// Nobody has tried yet: this caller may send, once.
    Claimed,
    /// Already sent, with this link.
    Sent { message_id: i64, link: String },
    /// An earlier attempt may or may not have been sent. `first` is true for the caller who
    /// found it out (and tells people).
    InDoubt { first: bool },
}

/// Which answer: a part's draft version, or (`part: None`) the consolidated answer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerKey {
    pub incident: IncidentId,
    pub part: Option<usize>,
    pub version: u32,
}

impl AnswerKey {
    fn part_no(&self) -> i64 {
        self.part.map_or(-1, |p| p as i64)
    }
}

impl Store {
    /// Claims the right to send an answer (`part`'s draft `version`; `None`: the consolidated
    /// answer).
    pub async fn claim_publication(
        &self,
        key: AnswerKey,
        at: DateTime<Utc>,
    ) -> Result<PublicationClaim, StorageError> {
        let claim = on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let inserted = sqlx::query(
                "INSERT INTO auto_publications (incident_id, part_no, draft_version, state, started_at)
                 VALUES ($1, $2, $3, 'sending', $4) ON CONFLICT DO NOTHING",
            )
            .bind(key.incident.0)
            .bind(key.part_no())
            .bind(i64::from(key.version))
            .bind(ts(at))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let claim = if inserted == 1 {
                PublicationClaim::Claimed
            } else {
                let row = sqlx::query(
                    "SELECT state, message_id, link FROM auto_publications WHERE incident_id = $1 AND part_no = $2 AND draft_version = $3",
                )
                .bind(key.incident.0)
                .bind(key.part_no())
                .bind(i64::from(key.version))
                .fetch_one(&mut *tx)
                .await?;
                let state: String = row.try_get("state")?;
                match state.as_str() {
                    "sent" => PublicationClaim::Sent {
                        message_id: row.try_get::<Option<i64>, _>("message_id")?.unwrap_or_default(),
                        link: row.try_get::<Option<String>, _>("link")?.unwrap_or_default(),
                    },
                    "sending" => {
                        sqlx::query(
                            "UPDATE auto_publications SET state = 'in_doubt' WHERE incident_id = $1 AND part_no = $2 AND draft_version = $3",
                        )
                        .bind(key.incident.0)
                        .bind(key.part_no())
                        .bind(i64::from(key.version))
                        .execute(&mut *tx)
                        .await?;
                        PublicationClaim::InDoubt { first: true }
                    }
                    _ => PublicationClaim::InDoubt { first: false },
                }
            };
            tx.commit().await?;
            claim
        });
        Ok(claim)
    }

    /// The send failed for sure (the messenger refused it): the next attempt may claim again.
    pub async fn release_publication(&self, key: AnswerKey) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query(
                "DELETE FROM auto_publications WHERE incident_id = $1 AND part_no = $2 AND draft_version = $3 AND state = 'sending'",
            )
            .bind(key.incident.0)
            .bind(key.part_no())
            .bind(i64::from(key.version))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The send may or may not have happened (the messenger's answer was lost).
    pub async fn doubt_publication(&self, key: AnswerKey) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query(
                "UPDATE auto_publications SET state = 'in_doubt' WHERE incident_id = $1 AND part_no = $2 AND draft_version = $3 AND state = 'sending'",
            )
            .bind(key.incident.0)
            .bind(key.part_no())
            .bind(i64::from(key.version))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records the reply as sent and, in the same transaction, commits the publication (when
    /// `publication` is given). `Ok(false)`, with nothing written, when the incident changed
    /// under the publication's transition.
    pub async fn finish_publication(
        &self,
        key: AnswerKey,
        (message_id, link): (i64, &str),
        publication: Option<&Commit<'_>>,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let outcome: Result<bool, StorageError> = on_pool!(self, pool => {
            async {
                let mut tx = pool.writer(self).begin_write().await?;
                if let Some(c) = publication {
                    if !commit_in_tx!(tx, c, at) {
                        tx.rollback().await?;
                        return Ok(false);
                    }
                }
                sqlx::query(
                    "UPDATE auto_publications SET state = 'sent', message_id = $1, link = $2
                     WHERE incident_id = $3 AND part_no = $4 AND draft_version = $5",
                )
                .bind(message_id)
                .bind(link)
                .bind(key.incident.0)
                .bind(key.part_no())
                .bind(i64::from(key.version))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }
            .await
        });
        outcome
    }

    /// How many replies were recorded for an answer, and in which state (for tests and audits).
    pub async fn publication_state(&self, key: AnswerKey) -> Result<Option<String>, StorageError> {
        let state = on_pool!(self, pool => {
            sqlx::query("SELECT state FROM auto_publications WHERE incident_id = $1 AND part_no = $2 AND draft_version = $3")
                .bind(key.incident.0)
                .bind(key.part_no())
                .bind(i64::from(key.version))
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<String, _>("state"))
                .transpose()?
        });
        Ok(state)
    }
}
