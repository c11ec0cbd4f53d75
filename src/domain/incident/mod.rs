//! The incident state machine.
//!
//! `apply` is the one pure function every adapter calls: a command by an actor at an instant,
//! under a regulation and calendar, gives the new incident (with recomputed deadlines) and the
//! events to record and notify, or a typed refusal. Pressing the same button twice gives
//! `TransitionError::AlreadyDone`, which adapters treat as harmless.
//!
//! An incident is split into parts, one per department it was routed to; a part carries the
//! executor's work (accept, drafts, approvals, clarification pauses). Most incidents have one
//! part. With several, the regulation says whether each part is published on its own or the
//! curator merges a consolidated answer.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::{CalendarError, Pause, WorkCalendar};
use super::plan::{plan, Due, PlanInput, Timeline};
use super::regulation::{Importance, Publisher, Regulation, Stage};
use super::stage_log::StageLog;

pub use super::ids::{DepartmentId, PersonId};

mod apply;
mod command;
mod lifecycle;
mod publication;
mod stage_record;

pub use apply::apply;
pub use command::{Command, Event, Transition, TransitionError};

/// What a person may do in the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Executor,
    DepartmentHead,
    Deputy,
    Curator,
    Head,
    DutyOfficer,
    Administrator,
    /// Otklik itself (intake, scheduler), acting on data from outside.
    System,
}

/// Who is acting, as the directory knows them at the moment of the command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub person: PersonId,
    pub roles: Vec<Role>,
    /// Departments this person heads (or heads for an absent head).
    pub heads_departments: Vec<DepartmentId>,
    /// Departments whose answers this deputy agrees (Barnaul §5: the supervising deputy).
    pub supervises_departments: Vec<DepartmentId>,
    /// People whose incidents this person handles as their substitute right now.
    pub substitutes_for: Vec<PersonId>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Otklik itself.
    pub fn system() -> Self {
        Actor {
            person: PersonId::SYSTEM,
            roles: vec![Role::System],
            ..Actor::default()
        }
    }

    /// The executor themselves, or their substitute right now.
    pub fn handles(&self, executor: PersonId) -> bool {
        self.person == executor || self.substitutes_for.contains(&executor)
    }
}

/// The state of the incident as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentState {
    /// Awaiting triage and routing by the curator.
    New,
    /// Routed; the parts are being worked on.
    InWork,
    /// Every part is approved; the curator merges a consolidated answer.
    Consolidating,
    /// The consolidated answer is approved and awaits publication.
    AwaitingPublication,
    /// Interim answers are published; the final ones are due.
    AwaitingFinal,
    /// The answer is published.
    Published,
    /// No answer is given (threats, obscenity, insults, unreadable).
    NoAnswer,
    /// An explanation was sent instead of an answer.
    ExplanationSent,
    /// Converted to an official appeal under 59-FZ.
    ConvertedToAppeal,
    /// Closed by the curator.
    Closed,
}

impl IncidentState {
    pub fn key(self) -> &'static str {
        match self {
            IncidentState::New => "new",
            IncidentState::InWork => "in_work",
            IncidentState::Consolidating => "consolidating",
            IncidentState::AwaitingPublication => "awaiting_publication",
            IncidentState::AwaitingFinal => "awaiting_final",
            IncidentState::Published => "published",
            IncidentState::NoAnswer => "no_answer",
            IncidentState::ExplanationSent => "explanation_sent",
            IncidentState::ConvertedToAppeal => "converted_to_appeal",
            IncidentState::Closed => "closed",
        }
    }

    /// No more work is expected (closing is still possible).
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            IncidentState::Published
                | IncidentState::NoAnswer
                | IncidentState::ExplanationSent
                | IncidentState::ConvertedToAppeal
                | IncidentState::Closed
        )
    }
}

/// An approval step a draft passes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStep {
    DepartmentHead,
    Deputy,
    Curator,
}

impl ApprovalStep {
    fn stage(self) -> Stage {
        match self {
            ApprovalStep::DepartmentHead => Stage::DepartmentHeadApproval,
            ApprovalStep::Deputy => Stage::DeputyApproval,
            ApprovalStep::Curator => Stage::CuratorReview,
        }
    }
}

/// What a draft is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftKind {
    Answer,
    Interim,
    Clarification,
}

/// The state of one department's part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PartState {
    /// Routed; awaiting acceptance (or the competence check).
    Routed,
    /// Accepted; the executor prepares a draft.
    Accepted,
    /// A draft awaits an approval step.
    DraftSubmitted { kind: DraftKind, step: ApprovalStep },
    /// A draft was sent back for rework.
    ReworkRequested { kind: DraftKind },
    /// A clarification request is approved and waits to be posted to the author; the clock
    /// still runs (Borovichi §10: it stops when the request is posted).
    ClarificationApproved,
    /// A clarification was posted; the clock is paused until the author replies.
    AwaitingAuthor,
    /// The draft is approved and awaits publication.
    Approved { kind: DraftKind },
    /// An interim answer is published; the final answer is due.
    AwaitingFinal,
    /// This part's answer is published (or merged into the consolidated answer).
    Done,
    /// Returned by the department as not its competence.
    Returned,
}

impl PartState {
    pub fn key(self) -> &'static str {
        match self {
            PartState::Routed => "routed",
            PartState::Accepted => "accepted",
            PartState::DraftSubmitted { .. } => "draft_submitted",
            PartState::ReworkRequested { .. } => "rework_requested",
            PartState::ClarificationApproved => "clarification_approved",
            PartState::AwaitingAuthor => "awaiting_author",
            PartState::Approved { .. } => "approved",
            PartState::AwaitingFinal => "awaiting_final",
            PartState::Done => "done",
            PartState::Returned => "returned",
        }
    }
}

/// Why a department returned its part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnReason {
    NotOurCompetence,
    AnotherDepartment,
    Duplicate,
}

/// Why a message gets no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoAnswerReason {
    Threats,
    Obscenity,
    Insults,
    Unreadable,
}

pub use crate::domain::regulation::ExplanationKind;

/// An explanation a department prepared, waiting for the curator to send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreparedExplanation {
    pub part: usize,
    pub kind: ExplanationKind,
    pub text: String,
    pub by: PersonId,
    pub at: DateTime<Utc>,
}

/// A review decision on a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub by: PersonId,
    pub at: DateTime<Utc>,
    pub step: ApprovalStep,
    /// `None` when approved; the comment when sent back for rework.
    pub rework_comment: Option<String>,
}

/// One version of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub version: u32,
    pub kind: DraftKind,
    pub text: String,
    pub attachments: Vec<String>,
    pub author: PersonId,
    pub submitted_at: DateTime<Utc>,
    pub reviews: Vec<Review>,
}

/// One department's share of the incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub department: DepartmentId,
    pub executor: PersonId,
    pub state: PartState,
    pub timeline: Timeline,
    pub pauses: Vec<Pause>,
    pub drafts: Vec<Draft>,
    pub returned: Option<(ReturnReason, String)>,
    pub publication: Option<Publication>,
    pub deadlines: Vec<(Stage, Due)>,
    /// A returned part the curator has already sent to another department.
    #[serde(default)]
    pub rerouted: bool,
    /// The executor finds the message is not the department's competence and the department
    /// head decides (Barnaul §5 ¶1): waiting for the head's return or confirmation.
    #[serde(default)]
    pub proposed_return: Option<ProposedReturn>,
}

/// An executor's finding that a part is not the department's to answer, for the head to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedReturn {
    pub reason: ReturnReason,
    pub comment: String,
    pub by: PersonId,
    pub at: DateTime<Utc>,
}

impl Part {
    /// The latest draft version.
    pub fn current_draft(&self) -> Option<&Draft> {
        self.drafts.last()
    }

    fn active(&self) -> bool {
        self.state != PartState::Returned
    }

    /// The stage now running on this part, if any.
    pub fn current_stage(&self, regulation: &Regulation) -> Option<Stage> {
        match self.state {
            PartState::Routed if regulation.workflow.competence_check => {
                Some(Stage::CompetenceCheck)
            }
            PartState::Routed
            | PartState::Accepted
            | PartState::ClarificationApproved
            | PartState::AwaitingAuthor => {
                if self.timeline.interim_published_at.is_some() {
                    Some(Stage::InterimToFinal)
                } else {
                    Some(Stage::Draft)
                }
            }
            PartState::DraftSubmitted { step, .. } => Some(step.stage()),
            PartState::ReworkRequested { .. } => Some(Stage::Rework),
            PartState::Approved { .. } => Some(Stage::Publication),
            PartState::AwaitingFinal => Some(Stage::InterimToFinal),
            PartState::Done | PartState::Returned => None,
        }
    }

    /// Since when a posted clarification request awaits the author's reply.
    pub fn awaiting_author_since(&self) -> Option<DateTime<Utc>> {
        if self.state != PartState::AwaitingAuthor {
            return None;
        }
        self.pauses
            .iter()
            .find(|x| x.end.is_none())
            .map(|x| x.start)
    }

    /// The deadline of the stage now running.
    pub fn current_deadline(&self, regulation: &Regulation) -> Option<(Stage, Due)> {
        let stage = self.current_stage(regulation)?;
        self.deadlines.iter().find(|(s, _)| *s == stage).copied()
    }
}

/// A published answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// Where it was published (empty when it was handed over).
    pub link: String,
    pub at: DateTime<Utc>,
    pub by: PersonId,
    pub interim: bool,
    /// Handed to the body that publishes it instead of being published here (Sakhalin 3.3: to
    /// the regional Department of information policy) — the term is met all the same.
    #[serde(default)]
    pub handed_over: bool,
}

/// Contact data the author gave for an official appeal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppealContact {
    pub full_name: String,
    pub address: String,
    /// Optional (Vorsino 2.9, Sakhalin 3.8: "with the user's consent"); empty when not given.
    pub phone: String,
    /// When the author's consent to the conversion was recorded, and by whom.
    #[serde(default)]
    pub consent: Option<(DateTime<Utc>, PersonId)>,
}

/// How a duty officer answered a weekend emergency alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyAnswerKind {
    /// «Беру»: the duty officer handles it.
    Taken,
    /// «Передал в ЕДДС»: handed to the unified duty dispatch service.
    HandedToDispatch,
}

/// An answer to a weekend emergency alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyAnswer {
    pub kind: DutyAnswerKind,
    pub by: PersonId,
    pub at: DateTime<Utc>,
}

/// A weekend emergency alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyAlert {
    pub raised_at: DateTime<Utc>,
    pub answer: Option<DutyAnswer>,
}

/// The workflow side of an incident (its content — text, author, link — lives with the adapters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub state: IncidentState,
    pub importance: Importance,
    pub detected_at: DateTime<Utc>,
    pub external_deadline: Option<DateTime<Utc>>,
    pub topic: Option<String>,
    pub location: Option<String>,
    pub parts: Vec<Part>,
    /// Deadlines the curator set when routing (profiles with `set_by_curator`).
    pub curator_set: BTreeMap<Stage, DateTime<Utc>>,
    /// The consolidated answer of a split incident, or the curator's own answer (`own_answer`).
    pub consolidated: Option<Draft>,
    pub consolidated_approved_at: Option<DateTime<Utc>>,
    pub publication: Option<Publication>,
    pub appeal: Option<AppealContact>,
    pub no_answer: Option<NoAnswerReason>,
    pub explanation: Option<(ExplanationKind, String)>,
    /// The answer is of general interest: it goes to the official pages and site too (Vorsino
    /// 2.5, Sakhalin 3.5).
    #[serde(default)]
    pub general_interest: bool,
    /// Where the general-interest answer was posted besides the reply (links).
    #[serde(default)]
    pub cross_posts: Vec<String>,
    /// An explanation the department prepared for the curator to send (Sakhalin 3.7 ¶2).
    #[serde(default)]
    pub prepared_explanation: Option<PreparedExplanation>,
    /// Incident-level deadlines (routing, final, explanation, ...).
    pub deadlines: Vec<(Stage, Due)>,
    /// The weekend emergency alert sent to the duty officers, and how it was answered.
    #[serde(default)]
    pub duty_alert: Option<DutyAlert>,
    /// The curator answered this emergency on days off themselves (Vorsino 2.10, Sakhalin 3.9);
    /// the answer is `consolidated`, published as the whole incident's.
    #[serde(default)]
    pub own_answer: bool,
    /// Why it was handed back to the monitoring system as not the organisation's competence.
    #[serde(default)]
    pub returned_to_source: Option<String>,
    /// The appeals office's registration number of the 59-FZ appeal.
    #[serde(default)]
    pub appeal_registration: Option<String>,
    /// Why an approved answer could not be published (which part, the reason).
    #[serde(default)]
    pub publication_impossible: Option<(Option<usize>, String)>,
    /// Every stage run so far and when the answer came (for reports).
    #[serde(default)]
    pub log: StageLog,
    /// Bumped by every transition; storage uses it for optimistic locking.
    pub version: i64,
}

/// One department and executor to route to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub department: DepartmentId,
    pub executor: PersonId,
}

/// The regulation and calendar an incident runs under.
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    pub regulation: &'a Regulation,
    pub calendar: &'a WorkCalendar,
}

/// A new incident as intake gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub detected_at: DateTime<Utc>,
    /// When Otklik took it in: whether it is a weekend emergency is decided then (a message
    /// found on Saturday and posted on Wednesday is Wednesday's ordinary work).
    pub received_at: DateTime<Utc>,
    pub importance: Importance,
    pub external_deadline: Option<DateTime<Utc>>,
    pub topic: Option<String>,
    pub location: Option<String>,
}
