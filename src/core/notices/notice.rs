//! What a notice is: every kind of message Otklik sends (or work for the delivery worker), as
//! data stored in the outbox and drawn when it is sent.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::core::view::View;
use crate::domain::content::ChatRef;
use crate::domain::regulation::Stage;
use crate::domain::PersonId;

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
