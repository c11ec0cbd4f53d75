//! Incidents: inserting a new one and committing a transition — the new workflow state, its
//! audit records, the draft rows and the outbox rows — in one transaction, conditional on the
//! version the core read (so two curators pressing "approve" at once make one transition).

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::directory::chat_ref;
use super::outbox::{insert_outbox, OutboxRow};
use super::timers::{add_timers, TimerRow};
use super::Writer;
use super::{from_key, key, on_pool, ts, BeginWrite, StorageError, Store};
use crate::domain::content::{IncidentContent, IncidentRecord, ReplyTarget};
use crate::domain::incident::Incident;
use crate::domain::{IncidentId, OrgId, PersonId};

/// One audit record to write: who did what, when, and what changed.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub actor: PersonId,
    pub at: DateTime<Utc>,
    pub command: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub payload: serde_json::Value,
    pub events: serde_json::Value,
}

/// One audit record as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor: PersonId,
    pub at: DateTime<Utc>,
    pub command: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub payload: serde_json::Value,
    pub events: serde_json::Value,
}

/// A new incident to insert, with what its registration wrote.
#[derive(Debug, Clone)]
pub struct NewRecord<'a> {
    pub org: OrgId,
    pub content: &'a IncidentContent,
    pub reply_to: Option<&'a ReplyTarget>,
    pub workflow: &'a Incident,
    /// The earliest deadline now running, and each part's (for the scheduler and `/my`).
    pub next_deadline: Option<DateTime<Utc>>,
    pub part_due: Vec<Option<DateTime<Utc>>>,
    pub audit: Vec<AuditRecord>,
    pub outbox: Vec<OutboxRow>,
    /// The incident's timers.
    pub timers: Vec<TimerRow>,
    /// The organisation's own timers this calls for (morning digests), added if absent.
    pub org_timers: Vec<TimerRow>,
}

/// A transition to commit.
#[derive(Debug, Clone)]
pub struct Commit<'a> {
    pub org: OrgId,
    pub incident: IncidentId,
    /// The version the transition was computed from; another version means someone else was
    /// first, and nothing is written.
    pub expected_version: i64,
    pub workflow: &'a Incident,
    pub next_deadline: Option<DateTime<Utc>>,
    pub part_due: Vec<Option<DateTime<Utc>>>,
    pub audit: Vec<AuditRecord>,
    pub outbox: Vec<OutboxRow>,
    /// The incident's timers as they are now: those not fired yet are replaced.
    pub timers: Vec<TimerRow>,
    /// The organisation's own timers this calls for (morning digests), added if absent.
    pub org_timers: Vec<TimerRow>,
}

/// A draft version as stored (`part` is `None` for the consolidated answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDraft {
    pub part: Option<usize>,
    pub version: u32,
    pub kind: String,
    pub text: String,
    pub author: PersonId,
    pub reviews: serde_json::Value,
}

/// An open part of an incident assigned to an executor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenAssignment {
    pub incident: IncidentId,
    pub part: usize,
}

/// Writes the audit records, the assignment rows and the draft rows of an incident on an open
/// transaction (either backend).
macro_rules! write_details {
    ($tx:expr, $org:expr, $id:expr, $workflow:expr, $part_due:expr, $audit:expr) => {
        for a in $audit.iter() {
            sqlx::query(
                "INSERT INTO audit_log (org_id, incident_id, actor_id, at, command, from_state, to_state, payload, events)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind($org.0)
            .bind($id)
            .bind(a.actor.0)
            .bind($crate::storage::ts(a.at))
            .bind(&a.command)
            .bind(&a.from_state)
            .bind(&a.to_state)
            .bind(a.payload.to_string())
            .bind(a.events.to_string())
            .execute(&mut *$tx)
            .await?;
        }
        for (i, part) in $workflow.parts.iter().enumerate() {
            let due: Option<chrono::DateTime<chrono::Utc>> = $part_due.get(i).copied().flatten();
            sqlx::query(
                "INSERT INTO assignments (incident_id, part_no, department_id, executor_id, state, due_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (incident_id, part_no) DO UPDATE SET state = excluded.state, due_at = excluded.due_at",
            )
            .bind($id)
            .bind(i as i64)
            .bind(part.department.0)
            .bind(part.executor.0)
            .bind(part.state.key())
            .bind(due.map($crate::storage::ts))
            .execute(&mut *$tx)
            .await?;
        }
        let mut drafts: Vec<(i64, &$crate::domain::incident::Draft)> = Vec::new();
        for (i, p) in $workflow.parts.iter().enumerate() {
            for d in &p.drafts {
                drafts.push((i as i64, d));
            }
        }
        if let Some(d) = &$workflow.consolidated {
            drafts.push((-1, d));
        }
        for (part_no, d) in drafts {
            sqlx::query(
                "INSERT INTO drafts (incident_id, part_no, version, kind, body, attachments, author_id, submitted_at, reviews)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (incident_id, part_no, version) DO UPDATE SET reviews = excluded.reviews",
            )
            .bind($id)
            .bind(part_no)
            .bind(i64::from(d.version))
            .bind($crate::storage::key(&d.kind)?)
            .bind(&d.text)
            .bind(serde_json::to_string(&d.attachments)?)
            .bind(d.author.0)
            .bind($crate::storage::ts(d.submitted_at))
            .bind(serde_json::to_string(&d.reviews)?)
            .execute(&mut *$tx)
            .await?;
        }
        $crate::storage::reports::write_report_facts!($tx, $id, $workflow);
    };
}

/// Writes a transition on an open transaction (either backend), conditional on the expected
/// version; evaluates to whether it was written.
macro_rules! commit_in_tx {
    ($tx:expr, $c:expr, $at:expr) => {{
        let c: &$crate::storage::Commit<'_> = $c;
        let w = c.workflow;
        let changed = sqlx::query(
            "UPDATE incidents SET state = $1, importance = $2, topic = $3, location = $4,
                next_deadline_at = $5, workflow = $6, version = $7, updated_at = $8
             WHERE id = $9 AND version = $10",
        )
        .bind(w.state.key())
        .bind($crate::storage::key(&w.importance)?)
        .bind(&w.topic)
        .bind(&w.location)
        .bind(c.next_deadline.map($crate::storage::ts))
        .bind(serde_json::to_string(w)?)
        .bind(w.version)
        .bind($crate::storage::ts($at))
        .bind(c.incident.0)
        .bind(c.expected_version)
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        if changed > 0 {
            write_details!($tx, c.org, c.incident.0, w, c.part_due, c.audit);
            $crate::storage::answer_memory::remember_answer!($tx, c.incident.0, w);
            insert_outbox!($tx, c.org, Some(c.incident), c.outbox, $at);
            $crate::storage::timers::replace_timers!($tx, c.org, c.incident, c.timers, $at);
            $crate::storage::timers::add_timers!($tx, c.org, None, c.org_timers, $at);
        }
        changed > 0
    }};
}
pub(crate) use commit_in_tx;
pub(crate) use write_details;

/// How an insert ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inserted {
    pub id: IncidentId,
    pub number: i64,
    /// `false`: an incident with the same external id existed and nothing was written.
    pub created: bool,
}

const RECORD_COLUMNS: &str = "i.id, i.org_id, i.number, i.source, i.kind, i.url, i.external_id, i.author, i.body,
    i.attachments, i.repeat_of, i.workflow, i.reply_messenger, i.reply_chat_id, i.reply_message_id, o.version AS org_version";

type RecordTuple = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<i64>,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    i64,
);

macro_rules! record_tuple {
    ($r:expr) => {
        (
            $r.try_get::<i64, _>("id")?,
            $r.try_get::<i64, _>("org_id")?,
            $r.try_get::<i64, _>("number")?,
            $r.try_get::<String, _>("source")?,
            $r.try_get::<String, _>("kind")?,
            $r.try_get::<String, _>("url")?,
            $r.try_get::<Option<String>, _>("external_id")?,
            $r.try_get::<String, _>("author")?,
            $r.try_get::<String, _>("body")?,
            $r.try_get::<String, _>("attachments")?,
            $r.try_get::<Option<i64>, _>("repeat_of")?,
            $r.try_get::<String, _>("workflow")?,
            $r.try_get::<Option<String>, _>("reply_messenger")?,
            $r.try_get::<Option<i64>, _>("reply_chat_id")?,
            $r.try_get::<Option<i64>, _>("reply_message_id")?,
            $r.try_get::<i64, _>("org_version")?,
        )
    };
}

fn record_from(t: RecordTuple) -> Result<(IncidentRecord, i64), StorageError> {
    let (
        id,
        org,
        number,
        source,
        kind,
        url,
        external_id,
        author,
        body,
        attachments,
        repeat_of,
        workflow,
        reply_messenger,
        reply_chat,
        reply_message,
        org_version,
    ) = t;
    let reply_to = match (chat_ref(reply_messenger, reply_chat)?, reply_message) {
        (Some(chat), Some(message)) => Some(ReplyTarget { chat, message }),
        _ => None,
    };
    Ok((
        IncidentRecord {
            id: IncidentId(id),
            org: OrgId(org),
            number,
            content: IncidentContent {
                source: from_key(&source)?,
                kind: from_key(&kind)?,
                url,
                external_id,
                author,
                text: body,
                attachments: serde_json::from_str(&attachments)?,
                repeat_of: repeat_of.map(IncidentId),
            },
            reply_to,
            workflow: serde_json::from_str(&workflow)?,
        },
        org_version,
    ))
}

impl Store {
    /// Inserts a new incident with its audit records, assignment and draft rows and outbox rows,
    /// in one transaction. The same external id again returns the existing incident and writes
    /// nothing.
    pub async fn insert_incident(
        &self,
        new: &NewRecord<'_>,
        at: DateTime<Utc>,
    ) -> Result<Inserted, StorageError> {
        // The same external id again fails the table's unique key and is read back below: a
        // look-up first would cost every new incident one more query.
        let w = new.workflow;
        let c = new.content;
        let workflow = serde_json::to_string(w)?;
        let attachments = serde_json::to_string(&c.attachments)?;
        let outcome: Result<Inserted, StorageError> = on_pool!(self, pool => {
            async {
                let mut tx = pool.writer(self).begin_write().await?;
                let number: i64 = sqlx::query(
                    "UPDATE organisations SET next_number = next_number + 1 WHERE id = $1 RETURNING next_number - 1 AS number",
                )
                .bind(new.org.0)
                .fetch_one(&mut *tx)
                .await?
                .try_get("number")?;
                let id: i64 = sqlx::query(
                    "INSERT INTO incidents (org_id, number, source, kind, url, external_id, author, body, attachments,
                        repeat_of, state, importance, topic, location, detected_at, external_deadline, next_deadline_at,
                        workflow, version, created_at, updated_at, reply_messenger, reply_chat_id, reply_message_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20, $21, $22, $23)
                     RETURNING id",
                )
                .bind(new.org.0)
                .bind(number)
                .bind(c.source.key())
                .bind(c.kind.key())
                .bind(&c.url)
                .bind(&c.external_id)
                .bind(&c.author)
                .bind(&c.text)
                .bind(&attachments)
                .bind(c.repeat_of.map(|r| r.0))
                .bind(w.state.key())
                .bind(key(&w.importance)?)
                .bind(&w.topic)
                .bind(&w.location)
                .bind(ts(w.detected_at))
                .bind(w.external_deadline.map(ts))
                .bind(new.next_deadline.map(ts))
                .bind(&workflow)
                .bind(w.version)
                .bind(ts(at))
                .bind(new.reply_to.map(|r| r.chat.messenger.key()))
                .bind(new.reply_to.map(|r| r.chat.id))
                .bind(new.reply_to.map(|r| r.message))
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
                write_details!(tx, new.org, id, w, new.part_due, new.audit);
                insert_outbox!(tx, new.org, Some(IncidentId(id)), new.outbox, at);
                // A new incident has no timers to replace.
                add_timers!(tx, new.org, Some(IncidentId(id)), new.timers, at);
                add_timers!(tx, new.org, None, new.org_timers, at);
                tx.commit().await?;
                Ok(Inserted { id: IncidentId(id), number, created: true })
            }
            .await
        });
        match outcome {
            // Two deliveries of one external id raced: the loser reads the winner's incident.
            Err(StorageError::Database(sqlx::Error::Database(e))) if e.is_unique_violation() => {
                match &c.external_id {
                    Some(ext) => self
                        .find_by_external_id(new.org, ext)
                        .await?
                        .ok_or_else(|| StorageError::Corrupt("an external id vanished".into())),
                    None => Err(StorageError::Database(sqlx::Error::Database(e))),
                }
            }
            other => other,
        }
    }

    /// Commits a transition: `Ok(false)` (and nothing written) when the incident is no longer at
    /// the expected version.
    pub async fn commit(&self, c: &Commit<'_>, at: DateTime<Utc>) -> Result<bool, StorageError> {
        let outcome: Result<bool, StorageError> = on_pool!(self, pool => {
            async {
                let mut tx = pool.writer(self).begin_write().await?;
                if !commit_in_tx!(tx, c, at) {
                    tx.rollback().await?;
                    return Ok(false);
                }
                tx.commit().await?;
                Ok(true)
            }
            .await
        });
        outcome
    }

    /// Loads an incident.
    pub async fn incident(&self, id: IncidentId) -> Result<IncidentRecord, StorageError> {
        Ok(self.incident_with_org_version(id).await?.0)
    }

    /// Loads an incident with its organisation's directory version, in one read.
    pub async fn incident_with_org_version(
        &self,
        id: IncidentId,
    ) -> Result<(IncidentRecord, i64), StorageError> {
        self.count_incident_read();
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM incidents i JOIN organisations o ON o.id = i.org_id WHERE i.id = $1"
        );
        let row = on_pool!(self, pool => {
            sqlx::query(&sql)
                .bind(id.0)
                .fetch_optional(pool)
                .await?
                .map(|r| -> Result<RecordTuple, sqlx::Error> { Ok(record_tuple!(r)) })
                .transpose()?
        });
        let row = row.ok_or_else(|| StorageError::NotFound(format!("incident {id}")))?;
        record_from(row)
    }

    /// The incident of an organisation with this external id.
    pub async fn find_by_external_id(
        &self,
        org: OrgId,
        external_id: &str,
    ) -> Result<Option<Inserted>, StorageError> {
        let row = on_pool!(self, pool => {
            sqlx::query("SELECT id, number FROM incidents WHERE org_id = $1 AND external_id = $2")
                .bind(org.0)
                .bind(external_id)
                .fetch_optional(pool)
                .await?
                .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get::<i64, _>("id")?, r.try_get::<i64, _>("number")?)) })
                .transpose()?
        });
        Ok(row.map(|(id, number)| Inserted {
            id: IncidentId(id),
            number,
            created: false,
        }))
    }

    /// Open parts assigned to any of these executors, most urgent first.
    pub async fn open_assignments(
        &self,
        executors: &[PersonId],
    ) -> Result<Vec<OpenAssignment>, StorageError> {
        let mut out = Vec::new();
        for executor in executors {
            let rows = on_pool!(self, pool => {
                sqlx::query(
                    "SELECT incident_id, part_no, due_at FROM assignments
                     WHERE executor_id = $1 AND state NOT IN ('done', 'returned')",
                )
                .bind(executor.0)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<_, sqlx::Error> {
                    Ok((r.try_get::<i64, _>("incident_id")?, r.try_get::<i64, _>("part_no")?, r.try_get::<Option<DateTime<Utc>>, _>("due_at")?))
                })
                .collect::<Result<Vec<_>, _>>()?
            });
            out.extend(rows);
        }
        out.sort_by_key(|(i, p, due)| (due.is_none(), *due, *i, *p));
        out.dedup_by_key(|(i, p, _)| (*i, *p));
        Ok(out
            .into_iter()
            .map(|(i, p, _)| OpenAssignment {
                incident: IncidentId(i),
                part: usize::try_from(p).unwrap_or(0),
            })
            .collect())
    }
}

/// The states of an incident still being worked on.
const OPEN_STATES: &str =
    "('new', 'in_work', 'consolidating', 'awaiting_publication', 'awaiting_final')";

impl Store {
    /// A page of an organisation's open incidents, most urgent first (by the earliest deadline
    /// now running); with `late_at`, only those whose deadline passed before it. Also the total.
    pub async fn open_incidents(
        &self,
        org: OrgId,
        late_at: Option<DateTime<Utc>>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<IncidentId>, i64), StorageError> {
        let late = if late_at.is_some() {
            "AND next_deadline_at < $2"
        } else {
            "AND ($2 IS NULL OR TRUE)"
        };
        let page_sql = format!(
            "SELECT id FROM incidents WHERE org_id = $1 AND state IN {OPEN_STATES} {late}
             ORDER BY next_deadline_at IS NULL, next_deadline_at, id LIMIT $3 OFFSET $4"
        );
        let count_sql = format!(
            "SELECT COUNT(*) AS n FROM incidents WHERE org_id = $1 AND state IN {OPEN_STATES} {late}"
        );
        let late_at = late_at.map(ts);
        let (ids, total) = on_pool!(self, pool => {
            let ids = sqlx::query(&page_sql)
                .bind(org.0)
                .bind(late_at)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("id"))
                .collect::<Result<Vec<_>, _>>()?;
            let total = sqlx::query(&count_sql)
                .bind(org.0)
                .bind(late_at)
                .fetch_one(pool)
                .await?
                .try_get::<i64, _>("n")?;
            (ids, total)
        });
        Ok((ids.into_iter().map(IncidentId).collect(), total))
    }
}
