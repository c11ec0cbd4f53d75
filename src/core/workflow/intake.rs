//! Intake: a new incident from any way in (the HTTP API, a curator's `/new` or forward, a comment
//! in the organisation's channel) goes through one path — repeat linking, registration
//! (idempotent by external id), routing at once when the department is known (in the same
//! transaction, so the curators get a status card, not a triage card), and the burst alert.

use crate::core::reply::Reply;
use crate::core::view::View;
use crate::core::workflow::parse::{is_link, source_from_link, source_from_word};
use crate::core::workflow::pending::Pending;
use crate::core::Who;

use chrono::{DateTime, Duration, Utc};

use crate::core::notices::{self, Audience, Notice};
use crate::core::org::OrgRules;
use crate::core::workflow::commit::{audit_record, deadlines, state_summary};
use crate::core::{Account, Core, CoreError};
use crate::domain::content::{
    ChatRef, IncidentContent, IncidentRecord, MessageKind, NewIncident, ReplyTarget, Source,
};
use crate::domain::incident::{
    apply, Actor, Assignment, Command, Incident, PartState, Registration, Role, TransitionError,
};
use crate::domain::regulation::Importance;
use crate::domain::{DepartmentId, IncidentId, OrgId, PersonId};
use crate::storage::{AuditRecord, GroupChat, NewRecord, OutboxRow, Recipient};

/// A burst: at least this many incidents on one topic within an hour…
pub const BURST_MIN: i64 = 5;
/// …and at least this many times the topic's usual hourly rate over the previous week.
pub const BURST_FACTOR: i64 = 3;

/// Otklik itself acting as the curator who routes what a monitoring system already routed.
pub fn intake_actor() -> Actor {
    Actor {
        person: PersonId::SYSTEM,
        roles: vec![Role::System, Role::Curator],
        ..Actor::default()
    }
}

/// What intake did.
#[derive(Debug, Clone)]
pub struct Intake {
    pub record: IncidentRecord,
    /// `false`: the same external id was taken in before; nothing changed.
    pub created: bool,
    /// The message completed a burst on its topic (reported to the curators).
    pub burst: bool,
}

/// An incident from the HTTP API, with its organisation and department by name.
#[derive(Debug, Clone)]
pub struct IntakeRequest {
    /// The organisation whose own token the request came with (`None`: the installation's
    /// token, which names the organisation when there are several).
    pub token_of: Option<OrgId>,
    pub organisation: Option<String>,
    pub department: Option<String>,
    pub incident: NewIncident,
}

/// Why an incident was not taken in.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("no organisation is set up yet; run otklik import")]
    NoOrganisation,
    #[error("organisation is required: this installation serves several")]
    OrganisationRequired,
    #[error("no organisation named {0:?}")]
    UnknownOrganisation(String),
    #[error("this token is for another organisation than {0:?}")]
    OtherOrganisation(String),
    #[error("no department named {0:?}")]
    UnknownDepartment(String),
    #[error("detected_at is outside the production calendar; add that year to the calendar file")]
    OutsideCalendar,
    #[error(
        "external_deadline is outside the production calendar; add that year to the calendar file"
    )]
    DeadlineOutsideCalendar,
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl From<crate::storage::StorageError> for IntakeError {
    fn from(e: crate::storage::StorageError) -> Self {
        IntakeError::Core(e.into())
    }
}

/// An incident a curator entered by hand (`/new` or a forwarded message).
#[derive(Debug, Clone)]
pub struct NewIncidentFromChat {
    pub link: String,
    pub source: Source,
    pub author: String,
    pub text: String,
    pub detected_at: DateTime<Utc>,
}

/// A comment in an organisation's channel, as the messenger adapter read it.
#[derive(Debug, Clone)]
pub struct ChannelComment {
    /// The group it was posted in (the channel's discussion group).
    pub chat: ChatRef,
    pub message: i64,
    /// The commenter's account, to tell the administration's own people from citizens.
    pub from: Account,
    /// "Имя Фамилия (@username)".
    pub author: String,
    pub text: String,
    pub attachments: Vec<String>,
    /// The link to the comment.
    pub url: String,
    pub posted_at: DateTime<Utc>,
}

/// Why the author's reply was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum AuthorReplyError {
    #[error("no such incident")]
    NotFound,
    #[error("no clarification of this incident awaits the author")]
    NoneAwaiting,
    #[error("no such part")]
    NoSuchPart,
    #[error("{0}")]
    Refused(TransitionError),
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl Core {
    /// Takes in an incident from the HTTP API.
    pub async fn take_in_api(&self, req: IntakeRequest) -> Result<Intake, IntakeError> {
        let org = match (&req.organisation, req.token_of) {
            // An organisation's own token posts into it alone.
            (Some(name), Some(own)) => {
                if self.store.organisation_id(name).await? != Some(own) {
                    return Err(IntakeError::OtherOrganisation(name.clone()));
                }
                own
            }
            (None, Some(own)) => own,
            (Some(name), None) => self
                .store
                .organisation_id(name)
                .await?
                .ok_or_else(|| IntakeError::UnknownOrganisation(name.clone()))?,
            (None, None) => match self.store.organisation_ids().await?.as_slice() {
                [one] => *one,
                [] => return Err(IntakeError::NoOrganisation),
                _ => return Err(IntakeError::OrganisationRequired),
            },
        };
        let rules = self.org(org).await?;
        let department = match &req.department {
            None => None,
            Some(name) => Some(
                rules
                    .department_named(name)
                    .map(|d| d.id)
                    .ok_or_else(|| IntakeError::UnknownDepartment(name.clone()))?,
            ),
        };
        // The calendar must cover the time, or no deadline can be given.
        if rules.calendar.is_working(req.incident.detected_at).is_err() {
            return Err(IntakeError::OutsideCalendar);
        }
        if let Some(deadline) = req.incident.external_deadline {
            if rules.calendar.is_working(deadline).is_err() {
                return Err(IntakeError::DeadlineOutsideCalendar);
            }
        }
        Ok(self
            .take_in(&rules, req.incident, department, PersonId::SYSTEM)
            .await?)
    }

    /// Takes in an incident a curator entered by hand.
    pub(crate) async fn take_in_from_chat(
        &self,
        rules: &OrgRules,
        by: PersonId,
        new: NewIncidentFromChat,
    ) -> Result<Intake, CoreError> {
        let incident = NewIncident {
            content: IncidentContent {
                source: new.source,
                kind: MessageKind::Comment,
                url: new.link,
                external_id: None,
                author: new.author,
                text: new.text,
                attachments: Vec::new(),
                repeat_of: None,
            },
            reply_to: None,
            detected_at: new.detected_at,
            importance: Importance::Normal,
            external_deadline: None,
            topic: None,
            location: None,
        };
        self.take_in(rules, incident, None, by).await
    }

    /// A comment in a group: when the group is an organisation's channel discussion and the
    /// commenter is not one of its people, the comment becomes an incident Otklik answers itself.
    pub async fn channel_comment(
        &self,
        mut comment: ChannelComment,
    ) -> Result<Option<IncidentId>, CoreError> {
        use crate::domain::content::storable;
        comment.author = storable(&comment.author);
        comment.text = storable(&comment.text);
        comment.url = storable(&comment.url);
        let groups = self.store.group_chat(comment.chat).await?;
        let Some(org) = groups.iter().find_map(|g| match g {
            GroupChat::Discussion { org, .. } => Some(*org),
            _ => None,
        }) else {
            return Ok(None);
        };
        if let Some(holder) = self
            .store
            .account_holder(comment.from.messenger, comment.from.id)
            .await?
        {
            if holder.org == org {
                return Ok(None);
            }
        }
        if comment.text.trim().is_empty() && comment.attachments.is_empty() {
            return Ok(None);
        }
        let rules = self.org(org).await?;
        let incident = NewIncident {
            content: IncidentContent {
                source: match comment.chat.messenger {
                    crate::domain::content::Messenger::Telegram => Source::Telegram,
                    crate::domain::content::Messenger::Max => Source::Max,
                },
                kind: MessageKind::Comment,
                url: comment.url,
                external_id: Some(format!(
                    "{}:{}:{}",
                    comment.chat.messenger.key(),
                    comment.chat.id,
                    comment.message
                )),
                author: comment.author,
                text: comment.text.trim().to_string(),
                attachments: comment.attachments,
                repeat_of: None,
            },
            reply_to: Some(ReplyTarget {
                chat: comment.chat,
                message: comment.message,
            }),
            detected_at: comment.posted_at.min(self.now()),
            importance: Importance::Normal,
            external_deadline: None,
            topic: None,
            location: None,
        };
        let intake = self
            .take_in(&rules, incident, None, PersonId::SYSTEM)
            .await?;
        Ok(Some(intake.record.id))
    }

    /// Takes in one incident for an organisation: links a repeat, registers it (and routes it
    /// to `department` at once), in one transaction with its audit and notices.
    pub async fn take_in(
        &self,
        rules: &OrgRules,
        mut new: NewIncident,
        department: Option<DepartmentId>,
        by: PersonId,
    ) -> Result<Intake, CoreError> {
        let org = rules.org.id;
        let now = self.now();
        // The same external id again is found by `insert_incident`, which then writes nothing.
        if new.content.repeat_of.is_none() {
            let since = new.detected_at - self.config.repeat_window;
            new.content.repeat_of = self
                .store
                .find_repeat(
                    org,
                    &new.content.author,
                    &new.content.url,
                    new.topic.as_deref(),
                    since,
                    None,
                )
                .await?;
        }
        let registration = Incident::register(
            Registration {
                detected_at: crate::storage::ts_public(new.detected_at),
                received_at: now,
                importance: new.importance,
                external_deadline: new.external_deadline.map(crate::storage::ts_public),
                topic: new.topic.clone(),
                location: new.location.clone(),
            },
            rules.rules(),
        )?;
        let registered = registration.incident.clone();
        let mut audit = vec![AuditRecord {
            actor: by,
            at: now,
            command: "register".into(),
            from_state: None,
            to_state: Some(state_summary(&registered)),
            payload: serde_json::json!({
                "source": new.content.source,
                "kind": new.content.kind,
                "url": new.content.url,
                "external_id": new.content.external_id,
                "importance": new.importance,
            }),
            events: serde_json::to_value(&registration.events)?,
        }];
        let mut workflow = registered.clone();
        let mut events = registration.events.clone();
        // A department known at intake: routed at once, when the regulation needs no deadline
        // from the curator (otherwise the incident waits for triage).
        if let Some(executor) = department.and_then(|d| rules.executor_of(d)) {
            let route = Command::Route {
                assignments: vec![Assignment {
                    department: department.unwrap_or_default(),
                    executor,
                }],
                importance: None,
                topic: None,
                location: None,
                deadlines: Default::default(),
            };
            if let Ok(t) = apply(&registered, &route, &intake_actor(), now, rules.rules()) {
                audit.push(audit_record(
                    PersonId::SYSTEM,
                    now,
                    &route,
                    &registered,
                    &t,
                )?);
                workflow = t.incident;
                events.extend(t.events);
            }
        }
        let notices = notices::notices_for(&events, &workflow, rules, new.reply_to.is_some());
        let planned = self.rows_for(rules, &workflow, &notices, "new").await?;
        let (next_deadline, part_due) = deadlines(&workflow, rules.regulation());
        let inserted = self
            .store
            .insert_incident(
                &NewRecord {
                    org,
                    content: &new.content,
                    reply_to: new.reply_to.as_ref(),
                    workflow: &workflow,
                    next_deadline,
                    part_due,
                    audit,
                    outbox: planned.rows,
                    timers: crate::core::time::scheduler::timer_rows(&workflow, rules)?,
                    org_timers: planned.digests,
                },
                now,
            )
            .await?;
        let mut burst = false;
        if inserted.created {
            if let Some(topic) = &new.topic {
                burst = self
                    .alert_burst(rules, topic, new.detected_at, inserted.number)
                    .await?;
            }
        }
        self.wake_delivery();
        self.timers_written();
        let record = if inserted.created {
            // Just written: the record is what was stored.
            IncidentRecord {
                id: inserted.id,
                org,
                number: inserted.number,
                content: new.content,
                reply_to: new.reply_to,
                workflow,
            }
        } else {
            self.store.incident(inserted.id).await?
        };
        Ok(Intake {
            record,
            created: inserted.created,
            burst,
        })
    }

    /// Reports a burst on a topic to the curators (and the head, where the regulation says so),
    /// once an hour per topic.
    pub(crate) async fn alert_burst(
        &self,
        rules: &OrgRules,
        topic: &str,
        at: DateTime<Utc>,
        number: i64,
    ) -> Result<bool, CoreError> {
        let org = rules.org.id;
        let last_hour = self
            .store
            .count_on_topic(
                org,
                topic,
                at - Duration::hours(1),
                at + Duration::seconds(1),
            )
            .await?;
        let week = self
            .store
            .count_on_topic(
                org,
                topic,
                at - Duration::hours(169),
                at - Duration::hours(1),
            )
            .await?;
        // The usual hourly rate, rounded up, so a topic never seen before needs BURST_MIN at once.
        let usual = (week + 167) / 168;
        if last_hour < BURST_MIN || last_hour < BURST_FACTOR * usual.max(1) {
            return Ok(false);
        }
        let hour = at.format("%Y%m%d%H");
        let notice = Notice::Burst {
            topic: topic.to_string(),
            count: last_hour,
            number,
        };
        let mut audiences = vec![Audience::Curators];
        if rules.regulation().escalation.bursts_to_head {
            audiences.push(Audience::Significant);
        }
        let dir = notices::Directory {
            rules,
            absences: &[],
            on_duty: &[],
        };
        let mut rows: Vec<OutboxRow> = Vec::new();
        for audience in audiences {
            for r in notices::recipients(audience, None, &dir) {
                let who = match r {
                    Recipient::Person(p) => format!("p{p}"),
                    Recipient::Chat(c) => format!("c{}", c.id),
                    Recipient::Worker => "w".into(),
                };
                rows.push(OutboxRow {
                    incident: None,
                    recipient: r,
                    kind: notice.kind().to_string(),
                    payload: notice.to_json(),
                    lane: notice.lane().number(),
                    key: format!("burst:{org}:{topic}:{hour}:{who}"),
                });
            }
        }
        self.store.enqueue(org, None, &rows, self.now()).await?;
        Ok(true)
    }

    /// The author's answer to a clarification (from the monitoring system): the clock resumes
    /// and the executor gets the reply. `part: None` takes the part awaiting the author.
    pub async fn author_reply(
        &self,
        id: IncidentId,
        only: Option<OrgId>,
        part: Option<usize>,
        text: &str,
    ) -> Result<IncidentRecord, AuthorReplyError> {
        let record = match self.store.incident(id).await {
            // Another organisation's incident is as good as unknown to its token.
            Ok(r) if only.is_some_and(|o| o != r.org) => return Err(AuthorReplyError::NotFound),
            Ok(r) => r,
            Err(crate::storage::StorageError::NotFound(_)) => {
                return Err(AuthorReplyError::NotFound)
            }
            Err(e) => return Err(CoreError::from(e).into()),
        };
        let part = match part {
            Some(p) if p < record.workflow.parts.len() => p,
            Some(_) => return Err(AuthorReplyError::NoSuchPart),
            None => record
                .workflow
                .parts
                .iter()
                .position(|p| p.state == PartState::AwaitingAuthor)
                .ok_or(AuthorReplyError::NoneAwaiting)?,
        };
        let rules = self.org(record.org).await?;
        let command = Command::RecordAuthorReply {
            part,
            text: text.to_string(),
        };
        match self
            .transition(&rules, &intake_actor(), record, &command)
            .await?
        {
            Ok(done) => Ok(done.record),
            Err(e) => Err(AuthorReplyError::Refused(e)),
        }
    }

    /// An organisation's id by name (the HTTP API and the command line name organisations).
    pub async fn organisation_named(&self, name: &str) -> Result<Option<OrgId>, CoreError> {
        Ok(self.store.organisation_id(name).await?)
    }

    /// The organisation whose own intake token this is.
    pub async fn organisation_by_token(&self, token: &str) -> Result<Option<OrgId>, CoreError> {
        Ok(self.store.organisation_by_token(token).await?)
    }
}

impl Core {
    /// One step of a curator's `/new`: the link, the network, the author, the text, in turn.
    pub(crate) async fn new_incident_step(
        &self,
        who: &Who,
        text: &str,
        step: Pending,
    ) -> Result<Reply, CoreError> {
        let Pending::NewIncident {
            mut link,
            mut source,
            mut author,
            text: mut body,
            detected_at,
        } = step
        else {
            return Ok(self.outdated());
        };
        let prompt = |key: &str| Ok(Reply::say(View::prompt(self.t(key))));
        let answer = text.trim();
        if link.is_none() {
            if answer == "-" {
                link = Some(String::new());
            } else if is_link(answer) {
                source = source.or_else(|| source_from_link(answer));
                link = Some(answer.to_string());
            } else {
                return prompt("bad-link");
            }
        } else if source.is_none() {
            match source_from_word(answer) {
                Some(s) => source = Some(s),
                None => return prompt("new-bad-network"),
            }
        } else if author.is_none() {
            author = Some(if answer == "-" || answer.is_empty() {
                self.t("new-author-unknown")
            } else {
                answer.to_string()
            });
        } else if body.is_none() {
            if answer.is_empty() {
                return prompt("new-ask-text");
            }
            body = Some(answer.to_string());
        }
        let (rules, _) = self.actor_of(who).await?;
        let next = Pending::NewIncident {
            link,
            source,
            author,
            text: body,
            detected_at,
        };
        self.ask_new_incident(who, &rules, next).await
    }
}
