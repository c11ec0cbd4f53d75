//! Who must hear about what. A transition's events become notices for audiences (the part's
//! executor, the curators, the head, ...), audiences become recipients as the directory stands,
//! and each becomes an outbox row in the same transaction as the state change. The delivery
//! worker draws each notice as a view (`cards::draw`) — one match over this enum, so a notice
//! kind without a drawing does not compile.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use crate::core::delivery::lane::Lane;
use crate::core::org::OrgRules;
use crate::core::view::View;
use crate::domain::content::ChatRef;
use crate::domain::incident::{ApprovalStep, Event, Incident, PartState, Role};
use crate::domain::regulation::{Publisher, Regulation, Stage, WeekendRule};
use crate::domain::PersonId;
use crate::storage::{OutboxRow, Recipient};

pub(crate) mod outbox;
mod rows;
pub use rows::{digest_timer, outbox_rows, Planned, Quiet};

/// The kinds of notice a long queue for one chat may be summed up into «ещё N»: cards that the
/// overview reaches, never a prompt, an answer to a press or an emergency.
pub const COLLAPSIBLE_KINDS: &[&str] = &[
    "triage",
    "curator_card",
    "incident_card",
    "reminder",
    "overdue",
    "late",
    "importance_raised",
];

/// A card the press was made on, redrawn first (the presser is looking at it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PressedCard {
    pub chat: ChatRef,
    pub message: i64,
}

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
    /// The department head confirmed competence: the executor's card, now to work on.
    CompetenceConfirmed { part: usize },
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
    /// The converted 59-FZ appeal, to e-mail to the appeals office.
    AppealEmail,
    /// The approved answer cannot be published; the reason is on the incident.
    CannotPublish { part: Option<usize> },
    /// A report to the monitoring system the incident came from.
    ToMonitoring {
        event: crate::core::integrations::monitoring::MonitoringEvent,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// Otklik published the answer itself, with this link.
    AutoPublished { part: Option<usize>, link: String },
    /// An automatic reply may or may not have been posted: people check.
    PublishInDoubt { part: Option<usize> },
    /// A clarification question to publish (and to record as posted).
    ClarificationToPublish { part: usize },
    /// Otklik posts the approved clarification request itself (a reply to a channel comment).
    AutoPostClarification { part: usize },
    /// Otklik posts the explanation sent instead of an answer itself (a channel comment).
    AutoPostExplanation,
    /// An explanation Otklik could not post under the comment: the curators post it by hand.
    ExplanationToPost,
    /// An explanation Otklik may or may not have posted under the comment: the curators check.
    ExplanationInDoubt,
    /// A clarification request Otklik may or may not have posted: its publisher checks.
    ClarificationInDoubt { part: usize },
    /// The author has not answered the clarification request posted at `since` within the
    /// regulation's follow-up term.
    ClarificationUnanswered { part: usize, since: DateTime<Utc> },
    /// Every part is approved: the curator writes the consolidated answer.
    Consolidate,
    /// A department returned its part.
    Returned { part: usize },
    /// A general-interest answer is published: post it on the official pages and site too, and
    /// record the links (Vorsino 2.5, Sakhalin 3.5).
    CrossPost,
    /// The curator sent the department's explanation back, with a comment.
    ExplanationReturned { part: usize, comment: String },
    /// A department prepared an explanation for the curators to send (Sakhalin 3.7 ¶2).
    ExplanationPrepared { part: usize },
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
    /// The messenger refused a message for good (not retried): the curators are told which
    /// incident could not be shown to whom. `person: None`: a group chat.
    Undeliverable {
        person: Option<PersonId>,
        number: i64,
    },
    /// Draw every card of the incident again (after any change); the card pressed, if any,
    /// first.
    RefreshCards {
        #[serde(default)]
        pressed: Option<PressedCard>,
    },
    /// Redraw one card (the message `message` in the row's chat) as the incident is now.
    Redraw { message: i64 },
    /// An answer to a person's press or message, drawn when it was made: sent into the row's
    /// chat, or shown in place of message `edit` there. `person`: whose answer it is (who cannot
    /// be reached when it fails).
    Show {
        view: View,
        #[serde(default)]
        edit: Option<i64>,
        #[serde(default)]
        person: Option<PersonId>,
    },
    /// The group's «Ещё N новых сообщений»: its triage cards beyond what the chat's next minute
    /// carries, listed with a button each (`storage::BacklogSummary`).
    Backlog,
    /// A reminder before a stage's deadline.
    Reminder {
        part: Option<usize>,
        stage: Stage,
        deadline: DateTime<Utc>,
    },
    /// A stage's deadline has come.
    Overdue {
        part: Option<usize>,
        stage: Stage,
        deadline: DateTime<Utc>,
    },
    /// A deadline passed a while ago: the department head or the head is told.
    Late {
        part: Option<usize>,
        stage: Stage,
        deadline: DateTime<Utc>,
    },
    /// Nobody has answered the weekend alert: it goes further.
    DutyUnanswered,
    /// The morning digest: what is due, what is late, what arrived since `since`.
    Digest { since: DateTime<Utc> },
    /// More messages waited for a chat than it can take: they are summed up in one.
    Collapsed { count: i64 },
    /// Nobody is on duty on these coming non-working days.
    NoDutyOfficer { dates: Vec<NaiveDate> },
    /// One piece of a report (its text, its chart or its workbook) on a period.
    Report {
        report: crate::core::reports::ReportRequest,
        piece: crate::core::reports::ReportPiece,
    },
}

impl Notice {
    /// The kind, as the outbox's `message` column shows it.
    pub fn kind(&self) -> &'static str {
        match self {
            Notice::Triage => "triage",
            Notice::CuratorCard => "curator_card",
            Notice::IncidentCard { .. } => "incident_card",
            Notice::CompetenceCheck { .. } => "competence_check",
            Notice::CompetenceConfirmed { .. } => "competence_confirmed",
            Notice::ImportanceRaised => "importance_raised",
            Notice::Approval { .. } => "approval",
            Notice::Rework { .. } => "rework",
            Notice::AuthorReplied { .. } => "author_replied",
            Notice::PublishRequest { .. } => "publish_request",
            Notice::AutoPublish { .. } => "auto_publish",
            Notice::AutoPublished { .. } => "auto_published",
            Notice::PublishInDoubt { .. } => "publish_in_doubt",
            Notice::ClarificationToPublish { .. } => "clarification_to_publish",
            Notice::AutoPostClarification { .. } => "auto_post_clarification",
            Notice::AutoPostExplanation => "auto_post_explanation",
            Notice::ExplanationToPost => "explanation_to_post",
            Notice::ExplanationInDoubt => "explanation_in_doubt",
            Notice::ClarificationInDoubt { .. } => "clarification_in_doubt",
            Notice::ClarificationUnanswered { .. } => "clarification_unanswered",
            Notice::Consolidate => "consolidate",
            Notice::Returned { .. } => "returned",
            Notice::ExplanationPrepared { .. } => "explanation_prepared",
            Notice::CrossPost => "cross_post",
            Notice::ExplanationReturned { .. } => "explanation_returned",
            Notice::Escalation => "escalation",
            Notice::WeekendEmergency => "weekend_emergency",
            Notice::DutyAnswered => "duty_answered",
            Notice::Burst { .. } => "burst",
            Notice::Unreachable { .. } => "unreachable",
            Notice::Undeliverable { .. } => "undeliverable",
            Notice::RefreshCards { .. } => "refresh_cards",
            Notice::Redraw { .. } => "redraw",
            Notice::Show { .. } => "show",
            Notice::Backlog => "backlog",
            Notice::Reminder { .. } => "reminder",
            Notice::Overdue { .. } => "overdue",
            Notice::Late { .. } => "late",
            Notice::DutyUnanswered => "duty_unanswered",
            Notice::Digest { .. } => "digest",
            Notice::Collapsed { .. } => "collapsed",
            Notice::NoDutyOfficer { .. } => "no_duty_officer",
            Notice::Report { .. } => "report",
            Notice::ToMonitoring { .. } => crate::core::integrations::monitoring::MONITORING_KIND,
            Notice::CannotPublish { .. } => "cannot_publish",
            Notice::AppealEmail => crate::storage::APPEAL_EMAIL_KIND,
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
            | Notice::CompetenceConfirmed { .. }
            | Notice::Approval { .. }
            | Notice::Rework { .. }
            | Notice::AuthorReplied { .. }
            | Notice::PublishRequest { .. }
            | Notice::PublishInDoubt { .. }
            | Notice::ClarificationToPublish { .. }
            | Notice::ClarificationInDoubt { .. }
            | Notice::ClarificationUnanswered { .. }
            | Notice::Consolidate
            | Notice::Returned { .. }
            | Notice::ExplanationPrepared { .. }
            | Notice::CrossPost
            | Notice::ExplanationReturned { .. }
            | Notice::CannotPublish { .. }
            | Notice::Escalation
            | Notice::WeekendEmergency
            | Notice::DutyUnanswered
            | Notice::Reminder { .. }
            | Notice::Overdue { .. }
            | Notice::Late { .. } => true,
            Notice::ImportanceRaised
            | Notice::AutoPublish { .. }
            | Notice::AutoPostClarification { .. }
            | Notice::AutoPostExplanation
            | Notice::ExplanationToPost
            | Notice::ExplanationInDoubt
            | Notice::ToMonitoring { .. }
            | Notice::AppealEmail
            | Notice::AutoPublished { .. }
            | Notice::DutyAnswered
            | Notice::Burst { .. }
            | Notice::Unreachable { .. }
            | Notice::Undeliverable { .. }
            | Notice::RefreshCards { .. }
            | Notice::Redraw { .. }
            | Notice::Show { .. }
            | Notice::Backlog
            | Notice::Digest { .. }
            | Notice::Collapsed { .. }
            | Notice::NoDutyOfficer { .. }
            | Notice::Report { .. } => false,
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
    /// The head and whoever the organisation file names to learn of significant messages with
    /// them (Barnaul §12: the deputy head, the chief of staff).
    Significant,
    /// The head of the part's department.
    DepartmentHead(usize),
    /// The deputy supervising a part's department, or every deputy when nobody supervises it
    /// (Barnaul §5).
    Deputies(Option<usize>),
    /// The first of today's duty officers (the curators and the head when nobody is on the
    /// roster).
    FirstOnDuty,
    /// The rest of today's duty officers (the curators and the head when there are none).
    RestOnDuty,
    /// Whoever a stage is waiting for (the executor, a department head, the deputies, the
    /// curators), by the stage and the regulation.
    Owner { part: Option<usize>, stage: Stage },
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
                // The curators (Sakhalin's operator) have the new incident's card already.
                WeekendRule::DutyOfficer => {
                    out.push((Audience::FirstOnDuty, Notice::WeekendEmergency))
                }
                WeekendRule::Curator => out.push((Audience::Curators, Notice::WeekendEmergency)),
                WeekendRule::NextWorkingDay => {}
            },
            Event::EscalatedToHead => out.push((Audience::Significant, Notice::Escalation)),
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
            // Barnaul §5 ¶1: the head decides; the card says what the executor found. A
            // department without a head (import warns) leaves it to the curators to sort out.
            Event::ReturnProposed { part, .. } => {
                let headless = incident
                    .parts
                    .get(*part)
                    .is_some_and(|p| rules.department_head(p.department).is_none());
                let audience = if headless {
                    Audience::Curators
                } else {
                    Audience::DepartmentHead(*part)
                };
                out.push((audience, Notice::CompetenceCheck { part: *part }))
            }
            // Vorsino 2.5, Sakhalin 3.5: the publisher posts a general-interest answer on the
            // official pages and site too.
            Event::Published {
                part,
                interim: false,
                ..
            } if incident.general_interest && incident.cross_posts.is_empty() => {
                out.push((cross_poster(*part, incident, regulation), Notice::CrossPost))
            }
            Event::GeneralInterestSet { on: true }
                if incident.answer_published() && incident.cross_posts.is_empty() =>
            {
                out.push((cross_poster(None, incident, regulation), Notice::CrossPost))
            }
            Event::PreparedExplanationReturned { part, comment } => out.push((
                Audience::Executor(*part),
                Notice::ExplanationReturned {
                    part: *part,
                    comment: comment.clone(),
                },
            )),
            Event::ExplanationPrepared { part, .. } => out.push((
                Audience::Curators,
                Notice::ExplanationPrepared { part: *part },
            )),
            Event::ApprovalRequested {
                part,
                step,
                version,
                ..
            } => {
                let audience = match (part, step) {
                    (Some(p), ApprovalStep::DepartmentHead) => Audience::DepartmentHead(*p),
                    (Some(p), ApprovalStep::Deputy) => Audience::Deputies(Some(*p)),
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
            // Otklik posts the request itself where it replies under the message; elsewhere
            // Borovichi §10: the executor posts it; other regulations: the curators.
            Event::ClarificationApproved { part } if has_reply_target => out.push((
                Audience::Worker,
                Notice::AutoPostClarification { part: *part },
            )),
            Event::ClarificationApproved { part } => out.push((
                clarification_publisher(*part, regulation),
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
            // The executor publishes: the curators learn it cannot be done (Barnaul §8).
            Event::PublicationImpossible { part, .. }
                if regulation.workflow.publisher == Publisher::Executor =>
            {
                out.push((Audience::Curators, Notice::CannotPublish { part: *part }))
            }
            // Barnaul §5: the head's confirmation is what lets the executor start.
            Event::Accepted { part } if regulation.workflow.competence_check => out.push((
                Audience::Executor(*part),
                Notice::CompetenceConfirmed { part: *part },
            )),
            // Where Otklik answers under the comment itself, it posts the explanation there too.
            Event::ExplanationSent { .. } if has_reply_target => {
                out.push((Audience::Worker, Notice::AutoPostExplanation))
            }
            // Everything else shows on the cards, which every change redraws.
            Event::Accepted { .. }
            | Event::Classified { .. }
            | Event::ApprovedStep { .. }
            | Event::ReworkRequested { part: None, .. }
            | Event::ClarificationAwaitingAuthor { .. }
            | Event::Published { .. }
            | Event::GeneralInterestSet { .. }
            | Event::CrossPosted { .. }
            | Event::NoAnswer { .. }
            | Event::ExplanationSent { .. }
            | Event::ReturnedToSource { .. }
            | Event::AppealRegistered { .. }
            | Event::PublicationImpossible { .. }
            | Event::ConvertedToAppeal
            | Event::AnsweredByCurator
            | Event::Closed => {}
        }
    }
    if !events.is_empty() {
        out.push((Audience::Worker, Notice::RefreshCards { pressed: None }));
    }
    out
}

/// The row that has the delivery worker redraw an incident's cards (after a change made outside
/// a transition: a repeat marked, an incident anonymised).
pub fn refresh_row(key: String) -> OutboxRow {
    let notice = Notice::RefreshCards { pressed: None };
    OutboxRow {
        incident: None,
        recipient: Recipient::Worker,
        kind: notice.kind().to_string(),
        payload: notice.to_json(),
        key,
        lane: notice.lane().number(),
    }
}

/// Who posts an approved clarification request and records the author's reply.
pub fn clarification_publisher(part: usize, regulation: &Regulation) -> Audience {
    match regulation.workflow.clarification_publisher {
        Publisher::Executor => Audience::Executor(part),
        Publisher::Curator => Audience::Curators,
    }
}

/// Who posts a general-interest answer on the pages and site: its publisher (the executor of the
/// published part, or of the first one, where executors publish).
fn cross_poster(part: Option<usize>, incident: &Incident, regulation: &Regulation) -> Audience {
    if regulation.workflow.publisher == Publisher::Curator {
        return Audience::Curators;
    }
    part.or_else(|| incident.parts.iter().position(|p| p.publication.is_some()))
        .map_or(Audience::Curators, Audience::Executor)
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
        Audience::Significant => {
            let mut out = recipients(Audience::Head, incident, d);
            for name in &org.significant_to {
                let person = d
                    .rules
                    .directory
                    .people
                    .iter()
                    .find(|p| p.active && p.full_name.trim() == name.trim());
                if let Some(p) = person {
                    let r = Recipient::Person(d.rules.handler_for(p.id, d.absences));
                    if !out.contains(&r) {
                        out.push(r);
                    }
                }
            }
            out
        }
        Audience::DepartmentHead(i) => incident
            .and_then(|inc| inc.parts.get(i))
            .and_then(|p| d.rules.department_head(p.department))
            .map(|h| vec![Recipient::Person(d.rules.handler_for(h, d.absences))])
            .unwrap_or_default(),
        Audience::Deputies(part) => {
            let supervising = part
                .and_then(|i| incident.and_then(|inc| inc.parts.get(i)))
                .and_then(|p| d.rules.supervising_deputy(p.department));
            match supervising {
                Some(s) => vec![Recipient::Person(d.rules.handler_for(s, d.absences))],
                None => each(d.rules.people_with(Role::Deputy)),
            }
        }
        Audience::FirstOnDuty => match d.on_duty.first() {
            Some(p) => vec![Recipient::Person(*p)],
            None => [curators(), recipients(Audience::Head, incident, d)].concat(),
        },
        Audience::RestOnDuty => {
            if d.on_duty.len() > 1 {
                each(d.on_duty[1..].to_vec())
            } else {
                [curators(), recipients(Audience::Head, incident, d)].concat()
            }
        }
        Audience::Owner { part, stage } => recipients(owner(part, stage, d.rules), incident, d),
        Audience::Worker => vec![Recipient::Worker],
    }
}

/// Whom a stage waits for.
pub fn owner(part: Option<usize>, stage: Stage, rules: &OrgRules) -> Audience {
    let part_or_curators = |a: fn(usize) -> Audience| part.map_or(Audience::Curators, a);
    match stage {
        Stage::Routing | Stage::CuratorReview | Stage::Final | Stage::Explanation => {
            Audience::Curators
        }
        Stage::CompetenceCheck | Stage::DepartmentHeadApproval => {
            part_or_curators(Audience::DepartmentHead)
        }
        Stage::DeputyApproval => Audience::Deputies(part),
        Stage::Publication => match rules.regulation().workflow.publisher {
            Publisher::Executor => part_or_curators(Audience::Executor),
            Publisher::Curator => Audience::Curators,
        },
        Stage::Draft | Stage::Rework | Stage::InterimToFinal | Stage::DepartmentTotal => {
            part_or_curators(Audience::Executor)
        }
    }
}
