//! Who must hear about what. A transition's events become notices for audiences (the part's
//! executor, the curators, the head, ...), audiences become recipients as the directory stands,
//! and each becomes an outbox row in the same transaction as the state change. The delivery
//! worker draws each notice as a view (`cards::draw`) — one match over this enum, so a notice
//! kind without a drawing does not compile.

use serde::{Deserialize, Serialize};

use super::org::OrgRules;
use crate::domain::incident::{ApprovalStep, Event, Incident, PartState, Role};
use crate::domain::regulation::{Publisher, WeekendRule};
use crate::domain::PersonId;
use crate::storage::{OutboxRow, Recipient};

/// A message to deliver (or work for the delivery worker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "notice", rename_all = "snake_case")]
pub enum Notice {
    /// The curators' card of a new incident (triage while new, status after).
    Triage,
    /// The curators' card of an incident routed at intake.
    CuratorCard,
    /// The executor's card of a part.
    IncidentCard { part: usize },
    /// The department head's card of a part to confirm competence.
    CompetenceCheck { part: usize },
    /// Importance was raised to high: deadlines are shorter.
    ImportanceRaised,
    /// A draft (or, with `part: None`, the consolidated answer) to approve.
    Approval { part: Option<usize>, version: u32 },
    /// A draft came back for rework.
    Rework {
        part: usize,
        #[serde(default)]
        version: u32,
        comment: String,
    },
    /// The author answered the clarification.
    AuthorReplied { part: usize, text: String },
    /// An approved answer to publish and record.
    PublishRequest { part: Option<usize> },
    /// Otklik publishes the approved answer itself (a reply to a channel comment).
    AutoPublish { part: Option<usize> },
    /// Otklik published the answer itself, with this link.
    AutoPublished { part: Option<usize>, link: String },
    /// An automatic reply may or may not have been posted: people check.
    PublishInDoubt { part: Option<usize> },
    /// A clarification question to publish.
    ClarificationToPublish { part: usize },
    /// Every part is approved: the curator writes the consolidated answer.
    Consolidate,
    /// A department returned its part.
    Returned { part: usize },
    /// A high-importance message, for the head.
    Escalation,
    /// A high-importance message on a non-working day, for the duty officers.
    WeekendEmergency,
    /// A duty officer answered the weekend alert.
    DutyAnswered,
    /// Many messages on one topic within an hour.
    Burst {
        topic: String,
        count: i64,
        number: i64,
    },
    /// A person cannot be written to.
    Unreachable { person: PersonId, number: i64 },
    /// Draw every card of the incident again (after any change).
    RefreshCards,
}

impl Notice {
    /// The kind, as the outbox's `message` column shows it.
    pub fn kind(&self) -> &'static str {
        match self {
            Notice::Triage => "triage",
            Notice::CuratorCard => "curator_card",
            Notice::IncidentCard { .. } => "incident_card",
            Notice::CompetenceCheck { .. } => "competence_check",
            Notice::ImportanceRaised => "importance_raised",
            Notice::Approval { .. } => "approval",
            Notice::Rework { .. } => "rework",
            Notice::AuthorReplied { .. } => "author_replied",
            Notice::PublishRequest { .. } => "publish_request",
            Notice::AutoPublish { .. } => "auto_publish",
            Notice::AutoPublished { .. } => "auto_published",
            Notice::PublishInDoubt { .. } => "publish_in_doubt",
            Notice::ClarificationToPublish { .. } => "clarification_to_publish",
            Notice::Consolidate => "consolidate",
            Notice::Returned { .. } => "returned",
            Notice::Escalation => "escalation",
            Notice::WeekendEmergency => "weekend_emergency",
            Notice::DutyAnswered => "duty_answered",
            Notice::Burst { .. } => "burst",
            Notice::Unreachable { .. } => "unreachable",
            Notice::RefreshCards => "refresh_cards",
        }
    }

    /// Whether the message is a card that later changes redraw in place (its buttons come and go
    /// with what may be done).
    pub fn is_card(&self) -> bool {
        match self {
            Notice::Triage
            | Notice::CuratorCard
            | Notice::IncidentCard { .. }
            | Notice::CompetenceCheck { .. }
            | Notice::Approval { .. }
            | Notice::Rework { .. }
            | Notice::AuthorReplied { .. }
            | Notice::PublishRequest { .. }
            | Notice::PublishInDoubt { .. }
            | Notice::ClarificationToPublish { .. }
            | Notice::Consolidate
            | Notice::Returned { .. }
            | Notice::Escalation
            | Notice::WeekendEmergency => true,
            Notice::ImportanceRaised
            | Notice::AutoPublish { .. }
            | Notice::AutoPublished { .. }
            | Notice::DutyAnswered
            | Notice::Burst { .. }
            | Notice::Unreachable { .. }
            | Notice::RefreshCards => false,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// Who a notice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The executor of a part (or their substitute while they are absent).
    Executor(usize),
    /// The curators' group chat (or each curator when no group is set).
    Curators,
    /// The head of the organisation (their chat, or each person with the role).
    Head,
    /// The head of the part's department.
    DepartmentHead(usize),
    /// The supervising deputies.
    Deputies,
    /// Today's duty officers (the curators when nobody is on the roster).
    DutyOfficers,
    /// The delivery worker itself.
    Worker,
}

/// The notices a transition's events call for. `has_reply_target`: Otklik can publish the
/// answer itself (a channel comment).
pub fn notices_for(
    events: &[Event],
    incident: &Incident,
    rules: &OrgRules,
    has_reply_target: bool,
) -> Vec<(Audience, Notice)> {
    let regulation = rules.regulation();
    let mut out = Vec::new();
    let active_parts: Vec<usize> = incident
        .parts
        .iter()
        .enumerate()
        .filter(|(_, p)| p.state != PartState::Returned)
        .map(|(i, _)| i)
        .collect();
    for event in events {
        match event {
            // An incident routed at intake gets the status card, not the triage card.
            Event::Registered if incident.parts.is_empty() => {
                out.push((Audience::Curators, Notice::Triage))
            }
            Event::Registered => out.push((Audience::Curators, Notice::CuratorCard)),
            Event::WeekendEmergency { rule } => match rule {
                WeekendRule::DutyOfficer => {
                    out.push((Audience::DutyOfficers, Notice::WeekendEmergency))
                }
                WeekendRule::Curator => out.push((Audience::Curators, Notice::WeekendEmergency)),
                WeekendRule::NextWorkingDay => {}
            },
            Event::EscalatedToHead => out.push((Audience::Head, Notice::Escalation)),
            Event::Routed { part, .. } => {
                out.push((
                    Audience::Executor(*part),
                    Notice::IncidentCard { part: *part },
                ));
                if regulation.workflow.competence_check {
                    out.push((
                        Audience::DepartmentHead(*part),
                        Notice::CompetenceCheck { part: *part },
                    ));
                }
            }
            Event::ImportanceChanged { importance } => {
                if *importance == crate::domain::regulation::Importance::High {
                    for p in &active_parts {
                        out.push((Audience::Executor(*p), Notice::ImportanceRaised));
                    }
                }
            }
            Event::Returned { part, .. } => {
                out.push((Audience::Curators, Notice::Returned { part: *part }))
            }
            Event::ApprovalRequested {
                part,
                step,
                version,
                ..
            } => {
                let audience = match (part, step) {
                    (Some(p), ApprovalStep::DepartmentHead) => Audience::DepartmentHead(*p),
                    (Some(_), ApprovalStep::Deputy) => Audience::Deputies,
                    _ => Audience::Curators,
                };
                out.push((
                    audience,
                    Notice::Approval {
                        part: *part,
                        version: *version,
                    },
                ));
            }
            Event::ReworkRequested {
                part: Some(p),
                version,
                comment,
            } => out.push((
                Audience::Executor(*p),
                Notice::Rework {
                    part: *p,
                    version: *version,
                    comment: comment.clone(),
                },
            )),
            Event::ClarificationAwaitingAuthor { part } => out.push((
                Audience::Curators,
                Notice::ClarificationToPublish { part: *part },
            )),
            Event::AuthorReplied { part, text } => out.push((
                Audience::Executor(*part),
                Notice::AuthorReplied {
                    part: *part,
                    text: text.clone(),
                },
            )),
            Event::ConsolidationRequested => out.push((Audience::Curators, Notice::Consolidate)),
            Event::PublicationRequested {
                part, publisher, ..
            } => {
                if has_reply_target {
                    out.push((Audience::Worker, Notice::AutoPublish { part: *part }));
                } else {
                    let audience = match (part, publisher) {
                        (Some(p), Publisher::Executor) => Audience::Executor(*p),
                        _ => Audience::Curators,
                    };
                    out.push((audience, Notice::PublishRequest { part: *part }));
                }
            }
            Event::DutyAlertAnswered { .. } => out.push((Audience::Curators, Notice::DutyAnswered)),
            // Everything else shows on the cards, which every change redraws.
            Event::Accepted { .. }
            | Event::Classified { .. }
            | Event::ApprovedStep { .. }
            | Event::ReworkRequested { part: None, .. }
            | Event::Published { .. }
            | Event::NoAnswer { .. }
            | Event::ExplanationSent { .. }
            | Event::ConvertedToAppeal
            | Event::Closed => {}
        }
    }
    if !events.is_empty() {
        out.push((Audience::Worker, Notice::RefreshCards));
    }
    out
}

/// What a notice's recipients are resolved against.
pub struct Directory<'a> {
    pub rules: &'a OrgRules,
    /// The absences in force (absent person, substitute).
    pub absences: &'a [(PersonId, PersonId)],
    /// Today's duty officers.
    pub on_duty: &'a [PersonId],
}

/// The recipients of an audience.
/// `incident` is needed for the audiences of a part (its executor, its department's head).
pub fn recipients(
    audience: Audience,
    incident: Option<&Incident>,
    d: &Directory<'_>,
) -> Vec<Recipient> {
    let org = &d.rules.org;
    let each = |ids: Vec<PersonId>| -> Vec<Recipient> {
        let mut ids = ids;
        ids.sort();
        ids.dedup();
        ids.into_iter().map(Recipient::Person).collect()
    };
    let curators = || match org.curator_chat {
        Some(c) => vec![Recipient::Chat(c)],
        None => each(d.rules.people_with(Role::Curator)),
    };
    match audience {
        Audience::Executor(i) => incident
            .and_then(|inc| inc.parts.get(i))
            .map(|p| {
                vec![Recipient::Person(
                    d.rules.handler_for(p.executor, d.absences),
                )]
            })
            .unwrap_or_default(),
        Audience::Curators => curators(),
        Audience::Head => match org.head_chat {
            Some(c) => vec![Recipient::Chat(c)],
            None => each(d.rules.people_with(Role::Head)),
        },
        Audience::DepartmentHead(i) => incident
            .and_then(|inc| inc.parts.get(i))
            .and_then(|p| d.rules.department_head(p.department))
            .map(|h| vec![Recipient::Person(d.rules.handler_for(h, d.absences))])
            .unwrap_or_default(),
        Audience::Deputies => each(d.rules.people_with(Role::Deputy)),
        Audience::DutyOfficers => {
            if d.on_duty.is_empty() {
                curators()
            } else {
                each(d.on_duty.to_vec())
            }
        }
        Audience::Worker => vec![Recipient::Worker],
    }
}

/// The outbox rows for a list of notices; `tag` makes the keys unique for the transition (the
/// incident's new version).
pub fn outbox_rows(
    notices: &[(Audience, Notice)],
    incident: &Incident,
    d: &Directory<'_>,
    tag: &str,
) -> Vec<OutboxRow> {
    let mut rows = Vec::new();
    for (i, (audience, notice)) in notices.iter().enumerate() {
        for r in recipients(*audience, Some(incident), d) {
            let who = match r {
                Recipient::Person(p) => format!("p{p}"),
                Recipient::Chat(c) => format!("c{}:{}", c.messenger.key(), c.id),
                Recipient::Worker => "w".to_string(),
            };
            rows.push(OutboxRow {
                incident: None,
                recipient: r,
                kind: notice.kind().to_string(),
                payload: notice.to_json(),
                key: format!("{tag}:{i}:{}:{who}", notice.kind()),
            });
        }
    }
    rows
}
