//! Incidents: registration, applying commands (one transaction with the audit record and the
//! outbox rows), drafts, and the audit log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::outbox::insert_outbox;
use super::{on_pool, ts, StorageError, Store};
use crate::domain::incident::{
    apply, Actor, Command, Incident, PartState, Registration, Rules, TransitionError,
};
use crate::domain::plan::Due;
use crate::domain::regulation::Importance;
use crate::notify::notices;

/// Where a message was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Vk,
    Ok,
    Telegram,
    Max,
    Web,
    Other,
}

/// Public comment, private message, or a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Comment,
    Direct,
    Post,
}

fn key<T: Serialize>(v: &T) -> Result<String, StorageError> {
    match serde_json::to_value(v)? {
        serde_json::Value::String(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

fn from_key<T: for<'de> Deserialize<'de>>(s: &str) -> Result<T, StorageError> {
    Ok(serde_json::from_value(serde_json::Value::String(
        s.to_string(),
    ))?)
}

/// What the citizen wrote and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentContent {
    pub source: Source,
    pub kind: MessageKind,
    pub url: String,
    pub external_id: Option<String>,
    pub author: String,
    pub text: String,
    pub attachments: Vec<String>,
    pub repeat_of: Option<i64>,
}

/// A new incident from intake.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub content: IncidentContent,
    /// Where the message lives in the messenger, when Otklik can reply to it itself
    /// (a comment in the organisation's Telegram channel): (chat, message).
    pub reply_to: Option<(i64, i64)>,
    pub detected_at: DateTime<Utc>,
    pub importance: Importance,
    pub external_deadline: Option<DateTime<Utc>>,
    pub topic: Option<String>,
    pub location: Option<String>,
}

/// The outcome of registration: new, or the existing incident with the same external id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registered {
    pub id: i64,
    pub number: i64,
    pub created: bool,
}

/// An incident as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIncident {
    pub id: i64,
    pub org_id: i64,
    pub number: i64,
    pub content: IncidentContent,
    pub workflow: Incident,
}

/// A draft version as stored (`part` is `None` for the consolidated answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDraft {
    pub part: Option<usize>,
    pub version: u32,
    pub kind: String,
    pub text: String,
    pub author: i64,
    pub reviews: serde_json::Value,
}

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor: i64,
    pub at: DateTime<Utc>,
    pub command: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub payload: serde_json::Value,
    pub events: serde_json::Value,
}

/// A command that went through.
#[derive(Debug, Clone)]
pub struct Applied {
    pub incident: StoredIncident,
    pub events: Vec<crate::domain::incident::Event>,
}

/// Why a command did not go through.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Refused(#[from] TransitionError),
    #[error("update {0} was already processed")]
    AlreadyProcessed(i64),
    #[error("the incident kept changing under concurrent commands; try again")]
    Conflict,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for ApplyError {
    fn from(e: sqlx::Error) -> Self {
        ApplyError::Storage(StorageError::Database(e))
    }
}

impl From<serde_json::Error> for ApplyError {
    fn from(e: serde_json::Error) -> Self {
        ApplyError::Storage(e.into())
    }
}

/// The earliest upcoming deadline of the stages now running (for the reminder scheduler).
fn next_deadline(incident: &Incident, rules: Rules<'_>) -> Option<DateTime<Utc>> {
    let mut all: Vec<Due> = Vec::new();
    if let Some((_, d)) = incident.current_deadline() {
        all.push(d);
    }
    for p in &incident.parts {
        if let Some((_, d)) = p.current_deadline(rules.regulation) {
            all.push(d);
        }
    }
    all.iter().filter_map(Due::instant).min()
}

impl Store {
    /// Registers a new incident with its audit record and outbox rows, in one transaction.
    /// The same external id again returns the existing incident and writes nothing.
    pub async fn register_incident(
        &self,
        org: i64,
        new: &NewIncident,
        rules: Rules<'_>,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Registered, ApplyError> {
        if let Some(ext) = &new.content.external_id {
            if let Some(found) = self.find_by_external_id(org, ext).await? {
                return Ok(found);
            }
        }
        let transition = Incident::register(
            Registration {
                detected_at: ts(new.detected_at),
                importance: new.importance,
                external_deadline: new.external_deadline.map(ts),
                topic: new.topic.clone(),
                location: new.location.clone(),
            },
            rules,
        )?;
        let incident = transition.incident;
        let workflow = serde_json::to_string(&incident)?;
        let attachments = serde_json::to_string(&new.content.attachments)?;
        let notices = notices(&transition.events, &incident, rules.regulation);
        let events_json = serde_json::to_value(&transition.events)?;
        let payload = serde_json::json!({
            "source": new.content.source,
            "kind": new.content.kind,
            "url": new.content.url,
            "external_id": new.content.external_id,
            "importance": new.importance,
        });
        let next_due = next_deadline(&incident, rules);
        let resolved = self
            .resolve_notices(org, &incident, &notices, rules, at)
            .await?;
        let c = &new.content;
        let outcome: Result<Registered, sqlx::Error> = on_pool!(self, pool => {
            async {
                let mut tx = pool.begin().await?;
                let number: i64 = sqlx::query(
                    "UPDATE organisations SET next_number = next_number + 1 WHERE id = $1 RETURNING next_number - 1 AS number",
                )
                .bind(org)
                .fetch_one(&mut *tx)
                .await?
                .try_get("number")?;
                let id: i64 = sqlx::query(
                    "INSERT INTO incidents (org_id, number, source, kind, url, external_id, author, body, attachments,
                        repeat_of, state, importance, topic, location, detected_at, external_deadline,
                        next_deadline_at, workflow, version, created_at, updated_at, reply_chat_id, reply_message_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20, $21, $22)
                     RETURNING id",
                )
                .bind(org)
                .bind(number)
                .bind(key(&c.source).unwrap_or_default())
                .bind(key(&c.kind).unwrap_or_default())
                .bind(&c.url)
                .bind(&c.external_id)
                .bind(&c.author)
                .bind(&c.text)
                .bind(&attachments)
                .bind(c.repeat_of)
                .bind(incident.state.key())
                .bind(key(&incident.importance).unwrap_or_default())
                .bind(&incident.topic)
                .bind(&incident.location)
                .bind(incident.detected_at)
                .bind(incident.external_deadline)
                .bind(next_due)
                .bind(&workflow)
                .bind(incident.version)
                .bind(ts(at))
                .bind(new.reply_to.map(|r| r.0))
                .bind(new.reply_to.map(|r| r.1))
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
                sqlx::query(
                    "INSERT INTO audit_log (org_id, incident_id, actor_id, at, command, from_state, to_state, payload, events)
                     VALUES ($1, $2, $3, $4, 'register', NULL, $5, $6, $7)",
                )
                .bind(org)
                .bind(id)
                .bind(actor.person)
                .bind(ts(at))
                .bind(incident.state.key())
                .bind(payload.to_string())
                .bind(events_json.to_string())
                .execute(&mut *tx)
                .await?;
                insert_outbox!(tx, org, id, number, incident.version, resolved, at);
                tx.commit().await?;
                Ok(Registered { id, number, created: true })
            }
            .await
        });
        match outcome {
            Ok(r) => Ok(r),
            // Two intakes of the same external id at once: the loser returns the winner's row.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() && c.external_id.is_some() => {
                let ext = c.external_id.as_deref().unwrap_or_default();
                self.find_by_external_id(org, ext)
                    .await?
                    .ok_or(ApplyError::Conflict)
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn find_by_external_id(
        &self,
        org: i64,
        ext: &str,
    ) -> Result<Option<Registered>, StorageError> {
        let found = on_pool!(self, pool => {
            sqlx::query("SELECT id, number FROM incidents WHERE org_id = $1 AND external_id = $2")
                .bind(org)
                .bind(ext)
                .fetch_optional(pool)
                .await?
                .map(|r| -> Result<Registered, sqlx::Error> {
                    Ok(Registered { id: r.try_get("id")?, number: r.try_get("number")?, created: false })
                })
                .transpose()?
        });
        Ok(found)
    }

    /// Loads an incident.
    pub async fn incident(&self, id: i64) -> Result<StoredIncident, StorageError> {
        let row = on_pool!(self, pool => {
            let r = sqlx::query(
                "SELECT org_id, number, source, kind, url, external_id, author, body, attachments, repeat_of, workflow
                 FROM incidents WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| StorageError::NotFound(format!("incident {id}")))?;
            (
                r.try_get::<i64, _>("org_id")?,
                r.try_get::<i64, _>("number")?,
                r.try_get::<String, _>("source")?,
                r.try_get::<String, _>("kind")?,
                r.try_get::<String, _>("url")?,
                r.try_get::<Option<String>, _>("external_id")?,
                r.try_get::<String, _>("author")?,
                r.try_get::<String, _>("body")?,
                r.try_get::<String, _>("attachments")?,
                r.try_get::<Option<i64>, _>("repeat_of")?,
                r.try_get::<String, _>("workflow")?,
            )
        });
        let (
            org_id,
            number,
            source,
            kind,
            url,
            external_id,
            author,
            text,
            attachments,
            repeat_of,
            workflow,
        ) = row;
        Ok(StoredIncident {
            id,
            org_id,
            number,
            content: IncidentContent {
                source: from_key(&source)?,
                kind: from_key(&kind)?,
                url,
                external_id,
                author,
                text,
                attachments: serde_json::from_str(&attachments)?,
                repeat_of,
            },
            workflow: serde_json::from_str(&workflow)?,
        })
    }

    /// Applies a command to an incident: the transition, its audit record, the draft rows and
    /// the outbox rows are written in one transaction, conditional on the version read (so two
    /// curators pressing "approve" at once make exactly one transition; the other is told it is
    /// already done). With `update_id`, a redelivered messenger update changes nothing.
    pub async fn apply(
        &self,
        incident_id: i64,
        command: &Command,
        actor: &Actor,
        at: DateTime<Utc>,
        rules: Rules<'_>,
        update_id: Option<i64>,
    ) -> Result<Applied, ApplyError> {
        for _ in 0..5 {
            let stored = self.incident(incident_id).await?;
            let transition = match apply(&stored.workflow, command, actor, ts(at), rules) {
                Ok(t) => t,
                Err(e) => {
                    // A refused update is still handled: a redelivery must not be retried.
                    if let Some(u) = update_id {
                        self.record_update(u, at).await?;
                    }
                    return Err(e.into());
                }
            };
            let before = &stored.workflow;
            let after = &transition.incident;
            let notices = notices(&transition.events, after, rules.regulation);
            let workflow = serde_json::to_string(after)?;
            let payload = serde_json::to_value(command)?;
            let events_json = serde_json::to_value(&transition.events)?;
            let next_due = next_deadline(after, rules);
            let org = stored.org_id;
            let number = stored.number;
            let resolved = self
                .resolve_notices(org, after, &notices, rules, at)
                .await?;
            // Collected up front: an iterator with closures held across `.await` would make the
            // future not `Send` for the handler tree.
            let mut drafts: Vec<(i64, &crate::domain::incident::Draft)> = Vec::new();
            for (i, p) in after.parts.iter().enumerate() {
                for d in &p.drafts {
                    drafts.push((i as i64, d));
                }
            }
            if let Some(d) = &after.consolidated {
                drafts.push((-1, d));
            }
            let outcome: Result<bool, ApplyError> = on_pool!(self, pool => {
                async {
                    let mut tx = pool.begin().await?;
                    // The conditional update comes first: it takes SQLite's write lock at once.
                    let changed = sqlx::query(
                        "UPDATE incidents SET state = $1, importance = $2, topic = $3, location = $4,
                            next_deadline_at = $5, workflow = $6, version = $7, updated_at = $8
                         WHERE id = $9 AND version = $10",
                    )
                    .bind(after.state.key())
                    .bind(key(&after.importance)?)
                    .bind(&after.topic)
                    .bind(&after.location)
                    .bind(next_due)
                    .bind(&workflow)
                    .bind(after.version)
                    .bind(ts(at))
                    .bind(incident_id)
                    .bind(before.version)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if changed == 0 {
                        tx.rollback().await?;
                        return Ok(false);
                    }
                    if let Some(u) = update_id {
                        let fresh = sqlx::query(
                            "INSERT INTO processed_updates (update_id, processed_at) VALUES ($1, $2) ON CONFLICT (update_id) DO NOTHING",
                        )
                        .bind(u)
                        .bind(ts(at))
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        if fresh == 0 {
                            tx.rollback().await?;
                            return Err(ApplyError::AlreadyProcessed(u));
                        }
                    }
                    sqlx::query(
                        "INSERT INTO audit_log (org_id, incident_id, actor_id, at, command, from_state, to_state, payload, events)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(org)
                    .bind(incident_id)
                    .bind(actor.person)
                    .bind(ts(at))
                    .bind(command.key())
                    .bind(state_summary(before))
                    .bind(state_summary(after))
                    .bind(payload.to_string())
                    .bind(events_json.to_string())
                    .execute(&mut *tx)
                    .await?;
                    for (i, part) in after.parts.iter().enumerate() {
                        let due = part.current_deadline(rules.regulation).and_then(|(_, d)| d.instant());
                        sqlx::query(
                            "INSERT INTO assignments (incident_id, part_no, department_id, executor_id, state, due_at)
                             VALUES ($1, $2, $3, $4, $5, $6)
                             ON CONFLICT (incident_id, part_no) DO UPDATE SET state = excluded.state, due_at = excluded.due_at",
                        )
                        .bind(incident_id)
                        .bind(i as i64)
                        .bind(part.department)
                        .bind(part.executor)
                        .bind(part.state.key())
                        .bind(due)
                        .execute(&mut *tx)
                        .await?;
                    }
                    for (part_no, d) in &drafts {
                        let part_no = *part_no;
                        sqlx::query(
                            "INSERT INTO drafts (incident_id, part_no, version, kind, body, attachments, author_id, submitted_at, reviews)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                             ON CONFLICT (incident_id, part_no, version) DO UPDATE SET reviews = excluded.reviews",
                        )
                        .bind(incident_id)
                        .bind(part_no)
                        .bind(i64::from(d.version))
                        .bind(key(&d.kind)?)
                        .bind(&d.text)
                        .bind(serde_json::to_string(&d.attachments)?)
                        .bind(d.author)
                        .bind(d.submitted_at)
                        .bind(serde_json::to_string(&d.reviews)?)
                        .execute(&mut *tx)
                        .await?;
                    }
                    insert_outbox!(tx, org, incident_id, number, after.version, resolved, at);
                    tx.commit().await?;
                    Ok(true)
                }
                .await
            });
            if outcome? {
                let incident = self.incident(incident_id).await?;
                return Ok(Applied {
                    incident,
                    events: transition.events,
                });
            }
            // Someone else changed the incident first: re-read and re-decide.
        }
        Err(ApplyError::Conflict)
    }

    /// Every draft version of an incident, oldest first.
    pub async fn drafts(&self, incident_id: i64) -> Result<Vec<StoredDraft>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT part_no, version, kind, body, author_id, reviews FROM drafts WHERE incident_id = $1
                 ORDER BY part_no, version",
            )
            .bind(incident_id)
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
                    author,
                    reviews: serde_json::from_str(&reviews)?,
                })
            })
            .collect()
    }

    /// The audit log of an incident, in order.
    pub async fn audit_log(&self, incident_id: i64) -> Result<Vec<AuditEntry>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT actor_id, at, command, from_state, to_state, payload, events FROM audit_log
                 WHERE incident_id = $1 ORDER BY id",
            )
            .bind(incident_id)
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
                        actor,
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

    /// Open assignments of a person (their own, and those they substitute for are resolved by
    /// the caller), most urgent first.
    pub async fn open_assignments(&self, executor: i64) -> Result<Vec<(i64, usize)>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT incident_id, part_no FROM assignments
                 WHERE executor_id = $1 AND state NOT IN ('done', 'returned')
                 ORDER BY due_at IS NULL, due_at, incident_id",
            )
            .bind(executor)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> {
                Ok((r.try_get::<i64, _>("incident_id")?, r.try_get::<i64, _>("part_no")?))
            })
            .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows
            .into_iter()
            .map(|(i, p)| (i, usize::try_from(p).unwrap_or(0)))
            .collect())
    }
}

/// The audit's from/to state: the incident state and each part's state.
fn state_summary(i: &Incident) -> String {
    let mut s = i.state.key().to_string();
    if !i.parts.is_empty() {
        let parts: Vec<&str> = i
            .parts
            .iter()
            .map(|p| match p.state {
                PartState::DraftSubmitted { .. } => "draft_submitted",
                other => other.key(),
            })
            .collect();
        s.push_str(&format!(" [{}]", parts.join(", ")));
    }
    s
}

impl Store {
    /// The latest earlier incident from the same author or link on the same topic since `since`
    /// (a repeated message).
    pub async fn find_repeat(
        &self,
        org: i64,
        author: &str,
        url: &str,
        topic: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<Option<i64>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT id, author, url, topic FROM incidents WHERE org_id = $1 AND detected_at >= $2 ORDER BY id DESC",
            )
            .bind(org)
            .bind(ts(since))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> {
                Ok((
                    r.try_get::<i64, _>("id")?,
                    r.try_get::<String, _>("author")?,
                    r.try_get::<String, _>("url")?,
                    r.try_get::<Option<String>, _>("topic")?,
                ))
            })
            .collect::<Result<Vec<_>, _>>()?
        });
        let same = |a: &str, b: &str| {
            !a.trim().is_empty() && a.trim().to_lowercase() == b.trim().to_lowercase()
        };
        // Links are compared without their query: comments on one post are "the same link".
        let post = |u: &str| u.split('?').next().unwrap_or_default().to_string();
        Ok(rows
            .into_iter()
            .find(|(_, a, u, t)| {
                (same(a, author) || same(&post(u), &post(url)))
                    && t.as_deref().map(str::to_lowercase) == topic.map(str::to_lowercase)
            })
            .map(|(id, ..)| id))
    }

    /// How many incidents of an organisation on a topic were detected in [from, to).
    pub async fn count_on_topic(
        &self,
        org: i64,
        topic: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        let n = on_pool!(self, pool => {
            sqlx::query(
                "SELECT COUNT(*) AS n FROM incidents WHERE org_id = $1 AND topic = $2 AND detected_at >= $3 AND detected_at < $4",
            )
            .bind(org)
            .bind(topic)
            .bind(ts(from))
            .bind(ts(to))
            .fetch_one(pool)
            .await?
            .try_get::<i64, _>("n")?
        });
        Ok(n)
    }
}

impl Store {
    /// Where Otklik can reply to an incident's message itself, if it can.
    pub async fn reply_target(&self, incident: i64) -> Result<Option<(i64, i64)>, StorageError> {
        let target = on_pool!(self, pool => {
            sqlx::query("SELECT reply_chat_id, reply_message_id FROM incidents WHERE id = $1")
                .bind(incident)
                .fetch_optional(pool)
                .await?
                .map(|r| -> Result<_, sqlx::Error> {
                    Ok((r.try_get::<Option<i64>, _>("reply_chat_id")?, r.try_get::<Option<i64>, _>("reply_message_id")?))
                })
                .transpose()?
        });
        Ok(match target {
            Some((Some(chat), Some(message))) => Some((chat, message)),
            _ => None,
        })
    }
}
