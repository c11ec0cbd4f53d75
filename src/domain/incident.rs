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
use super::regulation::{DeadlineRule, Importance, Publisher, Regulation, Stage};
use super::stage_log::StageLog;

pub use super::ids::{DepartmentId, PersonId};
use super::permission::{consolidates, permitted, Deed};

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
    /// Departments this person heads.
    pub heads_departments: Vec<DepartmentId>,
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
    /// A clarification was published; the clock is paused until the author replies.
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

/// The kinds of standard explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExplanationKind {
    NotOurCompetence,
    AbuseOfRight,
    CourtActs,
    AlreadyAnswered,
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
            PartState::Routed | PartState::Accepted | PartState::AwaitingAuthor => {
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

    /// The deadline of the stage now running.
    pub fn current_deadline(&self, regulation: &Regulation) -> Option<(Stage, Due)> {
        let stage = self.current_stage(regulation)?;
        self.deadlines.iter().find(|(s, _)| *s == stage).copied()
    }
}

/// A published answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub link: String,
    pub at: DateTime<Utc>,
    pub by: PersonId,
    pub interim: bool,
}

/// Contact data the author gave for an official appeal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppealContact {
    pub full_name: String,
    pub address: String,
    pub phone: String,
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
    /// The consolidated answer of a split incident.
    pub consolidated: Option<Draft>,
    pub consolidated_approved_at: Option<DateTime<Utc>>,
    pub publication: Option<Publication>,
    pub appeal: Option<AppealContact>,
    pub no_answer: Option<NoAnswerReason>,
    pub explanation: Option<(ExplanationKind, String)>,
    /// Incident-level deadlines (routing, final, explanation, ...).
    pub deadlines: Vec<(Stage, Due)>,
    /// The weekend emergency alert sent to the duty officers, and how it was answered.
    #[serde(default)]
    pub duty_alert: Option<DutyAlert>,
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

/// Everything that can be done to an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    Route {
        assignments: Vec<Assignment>,
        importance: Option<Importance>,
        topic: Option<String>,
        location: Option<String>,
        /// Deadlines for `set_by_curator` stages.
        deadlines: BTreeMap<Stage, DateTime<Utc>>,
    },
    SetImportance {
        importance: Importance,
    },
    /// The curator sets the topic and/or the location at triage (or later).
    Classify {
        topic: Option<String>,
        location: Option<String>,
    },
    Accept {
        part: usize,
    },
    Return {
        part: usize,
        reason: ReturnReason,
        comment: String,
    },
    Reroute {
        part: usize,
        assignment: Assignment,
    },
    SubmitDraft {
        part: usize,
        kind: DraftKind,
        text: String,
        attachments: Vec<String>,
    },
    /// Approve the draft of a part (or, with `part: None`, the consolidated answer).
    Approve {
        part: Option<usize>,
        /// The draft version the approver saw; a newer one makes the press stale.
        version: Option<u32>,
    },
    RequestRework {
        part: Option<usize>,
        version: Option<u32>,
        comment: String,
        /// The rework deadline, where the curator sets it.
        deadline: Option<DateTime<Utc>>,
    },
    RecordAuthorReply {
        part: usize,
        text: String,
    },
    SubmitConsolidated {
        text: String,
        attachments: Vec<String>,
    },
    MarkPublished {
        part: Option<usize>,
        link: String,
    },
    MarkNoAnswer {
        reason: NoAnswerReason,
    },
    SendExplanation {
        kind: ExplanationKind,
        text: String,
    },
    ConvertToAppeal {
        contact: AppealContact,
    },
    Close,
    AnswerDutyAlert {
        answer: DutyAnswerKind,
    },
}

impl Command {
    pub fn key(&self) -> &'static str {
        match self {
            Command::Route { .. } => "route",
            Command::SetImportance { .. } => "set_importance",
            Command::Classify { .. } => "classify",
            Command::Accept { .. } => "accept",
            Command::Return { .. } => "return",
            Command::Reroute { .. } => "reroute",
            Command::SubmitDraft { .. } => "submit_draft",
            Command::Approve { .. } => "approve",
            Command::RequestRework { .. } => "request_rework",
            Command::RecordAuthorReply { .. } => "record_author_reply",
            Command::SubmitConsolidated { .. } => "submit_consolidated",
            Command::MarkPublished { .. } => "mark_published",
            Command::MarkNoAnswer { .. } => "mark_no_answer",
            Command::SendExplanation { .. } => "send_explanation",
            Command::ConvertToAppeal { .. } => "convert_to_appeal",
            Command::Close => "close",
            Command::AnswerDutyAlert { .. } => "answer_duty_alert",
        }
    }

    /// What the command does, for the permission rule.
    pub fn deed(&self) -> Deed {
        match self {
            Command::Route { .. } => Deed::Route,
            Command::SetImportance { .. } => Deed::SetImportance,
            Command::Classify { .. } => Deed::Classify,
            Command::Accept { part } => Deed::Accept { part: *part },
            Command::Return { part, .. } => Deed::Return { part: *part },
            Command::Reroute { part, .. } => Deed::Reroute { part: *part },
            Command::SubmitDraft { part, kind, .. } => Deed::Draft {
                part: *part,
                kind: *kind,
            },
            Command::Approve { part, .. } => Deed::Approve { part: *part },
            Command::RequestRework { part: Some(p), .. } => Deed::Rework { part: *p },
            // Refused in `apply`: the curator edits the consolidated answer directly.
            Command::RequestRework { part: None, .. } => Deed::Approve { part: None },
            Command::RecordAuthorReply { part, .. } => Deed::RecordAuthorReply { part: *part },
            Command::SubmitConsolidated { .. } => Deed::WriteConsolidated,
            Command::MarkPublished { part, .. } => Deed::Publish { part: *part },
            Command::MarkNoAnswer { .. } => Deed::MarkNoAnswer,
            Command::SendExplanation { .. } => Deed::Explain,
            Command::ConvertToAppeal { .. } => Deed::ConvertToAppeal,
            Command::Close => Deed::Close,
            Command::AnswerDutyAlert { .. } => Deed::AnswerDutyAlert,
        }
    }
}

/// What happened, for the audit log and for notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Registered,
    /// High importance on a non-working day under a duty-officer or curator weekend rule.
    WeekendEmergency {
        rule: super::regulation::WeekendRule,
    },
    EscalatedToHead,
    Routed {
        part: usize,
        department: DepartmentId,
        executor: PersonId,
    },
    ImportanceChanged {
        importance: Importance,
    },
    Classified {
        topic: Option<String>,
        location: Option<String>,
    },
    Accepted {
        part: usize,
    },
    Returned {
        part: usize,
        reason: ReturnReason,
        comment: String,
    },
    ApprovalRequested {
        part: Option<usize>,
        step: ApprovalStep,
        kind: DraftKind,
        version: u32,
    },
    ApprovedStep {
        part: Option<usize>,
        step: ApprovalStep,
        version: u32,
    },
    ReworkRequested {
        part: Option<usize>,
        version: u32,
        comment: String,
    },
    ClarificationAwaitingAuthor {
        part: usize,
    },
    AuthorReplied {
        part: usize,
        text: String,
    },
    ConsolidationRequested,
    PublicationRequested {
        part: Option<usize>,
        publisher: Publisher,
        kind: DraftKind,
    },
    Published {
        part: Option<usize>,
        link: String,
        interim: bool,
    },
    NoAnswer {
        reason: NoAnswerReason,
    },
    ExplanationSent {
        kind: ExplanationKind,
    },
    ConvertedToAppeal,
    Closed,
    DutyAlertAnswered {
        answer: DutyAnswerKind,
    },
}

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("already done: {0}")]
    AlreadyDone(&'static str),
    #[error("not possible in state {state}: {command}")]
    WrongState {
        command: &'static str,
        state: &'static str,
    },
    #[error("not allowed for this person: {0}")]
    NotAllowed(&'static str),
    #[error("the regulation does not provide for this: {0}")]
    NotInRegulation(&'static str),
    #[error("no part {0} in this incident")]
    NoSuchPart(usize),
    #[error("the draft changed since it was shown (version {seen}, now {current})")]
    StaleDraft { seen: u32, current: u32 },
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("the curator must set the {0} deadline")]
    MissingCuratorDeadline(Stage),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// The result of a successful command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub incident: Incident,
    pub events: Vec<Event>,
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

impl Incident {
    /// Registers a new incident awaiting triage.
    pub fn register(reg: Registration, rules: Rules<'_>) -> Result<Transition, TransitionError> {
        let mut incident = Incident {
            state: IncidentState::New,
            importance: reg.importance,
            detected_at: reg.detected_at,
            external_deadline: reg.external_deadline,
            topic: reg.topic,
            location: reg.location,
            parts: Vec::new(),
            curator_set: BTreeMap::new(),
            consolidated: None,
            consolidated_approved_at: None,
            publication: None,
            appeal: None,
            no_answer: None,
            explanation: None,
            deadlines: Vec::new(),
            duty_alert: None,
            log: StageLog::default(),
            version: 1,
        };
        incident.recompute(rules)?;
        super::stage_log::record(&mut incident, rules, reg.received_at)?;
        let mut events = vec![Event::Registered];
        if reg.importance == Importance::High {
            events.extend(incident.raise_high_importance(rules, reg.received_at)?);
        }
        Ok(Transition { incident, events })
    }

    /// An emergency: high importance under a regulation that handles emergencies on non-working
    /// days too (it is not held back outside working hours).
    pub fn is_emergency(&self, regulation: &Regulation) -> bool {
        self.importance == Importance::High
            && regulation.workflow.weekend_rule != super::regulation::WeekendRule::NextWorkingDay
    }

    /// The deadline of the incident-level stage now running (routing while new, otherwise the
    /// final deadline).
    pub fn current_deadline(&self) -> Option<(Stage, Due)> {
        let stage = match self.state {
            IncidentState::New => Stage::Routing,
            s if s.is_finished() => return None,
            _ => Stage::Final,
        };
        self.deadlines.iter().find(|(s, _)| *s == stage).copied()
    }

    fn active_parts(&self) -> impl Iterator<Item = &Part> {
        self.parts.iter().filter(|p| p.active())
    }

    /// Recomputes every deadline from what has happened.
    fn recompute(&mut self, rules: Rules<'_>) -> Result<(), CalendarError> {
        let detected = Timeline::detected(self.detected_at);
        let routed_at = self.parts.iter().filter_map(|p| p.timeline.routed_at).min();
        let incident_timeline = Timeline {
            routed_at,
            approved_at: self.consolidated_approved_at,
            ..detected.clone()
        };
        let input = PlanInput {
            importance: Some(self.importance),
            timeline: incident_timeline,
            pauses: &[],
            external_deadline: self.external_deadline,
            curator_set: self.curator_set.clone(),
        };
        self.deadlines = plan(rules.regulation, rules.calendar, &input)?;
        for part in &mut self.parts {
            let mut timeline = part.timeline.clone();
            timeline.detected_at = Some(self.detected_at);
            let input = PlanInput {
                importance: Some(self.importance),
                timeline,
                pauses: &part.pauses,
                external_deadline: self.external_deadline,
                curator_set: self.curator_set.clone(),
            };
            part.deadlines = plan(rules.regulation, rules.calendar, &input)?;
        }
        Ok(())
    }

    /// Derives the incident state from its parts after a part-level change.
    fn settle(&mut self, rules: Rules<'_>) -> Vec<Event> {
        if self.state.is_finished() || self.state == IncidentState::New {
            return Vec::new();
        }
        let active: Vec<&Part> = self.active_parts().collect();
        if active.is_empty() {
            self.state = IncidentState::New;
            return Vec::new();
        }
        if consolidates(self, rules.regulation) {
            if self.publication.is_some() {
                self.state = IncidentState::Published;
            } else if self.consolidated_approved_at.is_some() {
                self.state = IncidentState::AwaitingPublication;
            } else if active
                .iter()
                .all(|p| matches!(p.state, PartState::Approved { .. }))
            {
                if self.state != IncidentState::Consolidating {
                    self.state = IncidentState::Consolidating;
                    return vec![Event::ConsolidationRequested];
                }
            } else {
                self.state = IncidentState::InWork;
            }
            return Vec::new();
        }
        self.state = if active.iter().all(|p| p.state == PartState::Done) {
            IncidentState::Published
        } else if active
            .iter()
            .all(|p| matches!(p.state, PartState::Done | PartState::AwaitingFinal))
        {
            IncidentState::AwaitingFinal
        } else {
            IncidentState::InWork
        };
        Vec::new()
    }

    /// The escalation and the weekend alert a high-importance incident calls for at `at` (when
    /// it was taken in, or made high); a weekend alert is remembered so the duty officer can
    /// answer it.
    fn raise_high_importance(
        &mut self,
        rules: Rules<'_>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Event>, CalendarError> {
        let mut events = Vec::new();
        if rules.regulation.escalation.high_importance_to_head {
            events.push(Event::EscalatedToHead);
        }
        let rule = rules.regulation.workflow.weekend_rule;
        if rule != super::regulation::WeekendRule::NextWorkingDay {
            let day = rules.calendar.local_date(at);
            if !rules.calendar.is_working_day(day)? {
                events.push(Event::WeekendEmergency { rule });
                if self.duty_alert.is_none() {
                    self.duty_alert = Some(DutyAlert {
                        raised_at: at,
                        answer: None,
                    });
                }
            }
        }
        Ok(events)
    }
}

fn non_empty(text: &str, field: &str) -> Result<String, TransitionError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(TransitionError::Invalid(format!(
            "{field} must not be empty"
        )));
    }
    Ok(t.to_string())
}

/// The approval steps a draft of this kind passes, in order.
fn approval_steps(regulation: &Regulation, kind: DraftKind) -> Vec<ApprovalStep> {
    let mut steps = Vec::new();
    if kind != DraftKind::Clarification {
        if regulation.workflow.department_head_approval {
            steps.push(ApprovalStep::DepartmentHead);
        }
        if regulation.workflow.deputy_approval {
            steps.push(ApprovalStep::Deputy);
        }
    }
    steps.push(ApprovalStep::Curator);
    steps
}

/// Applies a command by an actor at an instant; see the module documentation.
///
/// Who may do it, and whether it can be done now, is the permission rule's answer
/// (`permission::permitted`); this function checks the input and makes the change.
pub fn apply(
    incident: &Incident,
    command: &Command,
    actor: &Actor,
    at: DateTime<Utc>,
    rules: Rules<'_>,
) -> Result<Transition, TransitionError> {
    let reg = rules.regulation;
    permitted(actor, command.deed(), incident, reg)?;
    let mut next = incident.clone();
    let mut events = Vec::new();
    match command {
        Command::Route {
            assignments,
            importance,
            topic,
            location,
            deadlines,
        } => {
            if assignments.is_empty() {
                return Err(TransitionError::Invalid(
                    "choose at least one department".into(),
                ));
            }
            for (i, a) in assignments.iter().enumerate() {
                if assignments[..i]
                    .iter()
                    .any(|b| b.department == a.department)
                {
                    return Err(TransitionError::Invalid(format!(
                        "department {} is chosen twice",
                        a.department
                    )));
                }
            }
            for (stage, t) in deadlines {
                if reg.rule(*stage, incident.importance) != Some(&DeadlineRule::SetByCurator) {
                    return Err(TransitionError::Invalid(format!(
                        "the regulation does not let the curator set the {stage} deadline"
                    )));
                }
                if *t <= at {
                    return Err(TransitionError::Invalid(format!(
                        "the {stage} deadline must be in the future"
                    )));
                }
            }
            if let Some(i) = importance {
                next.importance = *i;
            }
            for (stage, rule) in reg.stages(next.importance) {
                if rule == &DeadlineRule::SetByCurator
                    && stage != Stage::Rework
                    && !deadlines.contains_key(&stage)
                {
                    return Err(TransitionError::MissingCuratorDeadline(stage));
                }
            }
            next.curator_set
                .extend(deadlines.iter().map(|(s, t)| (*s, *t)));
            if topic.is_some() {
                next.topic.clone_from(topic);
            }
            if location.is_some() {
                next.location.clone_from(location);
            }
            for a in assignments {
                next.parts.push(new_part(*a, at));
                events.push(Event::Routed {
                    part: next.parts.len() - 1,
                    department: a.department,
                    executor: a.executor,
                });
            }
            next.state = IncidentState::InWork;
            if next.importance == Importance::High && incident.importance != Importance::High {
                events.push(Event::ImportanceChanged {
                    importance: Importance::High,
                });
                events.extend(next.raise_high_importance(rules, at)?);
            }
        }
        Command::SetImportance { importance } => {
            if incident.importance == *importance {
                return Err(TransitionError::AlreadyDone("importance already set"));
            }
            next.importance = *importance;
            events.push(Event::ImportanceChanged {
                importance: *importance,
            });
            if *importance == Importance::High {
                events.extend(next.raise_high_importance(rules, at)?);
            }
        }
        Command::Classify { topic, location } => {
            let clean = |v: &Option<String>| {
                v.as_ref()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
            };
            let (topic, location) = (clean(topic), clean(location));
            if topic.is_none() && location.is_none() {
                return Err(TransitionError::Invalid(
                    "give a topic or a location".into(),
                ));
            }
            if topic.is_some() {
                next.topic.clone_from(&topic);
            }
            if location.is_some() {
                next.location.clone_from(&location);
            }
            if next.topic == incident.topic && next.location == incident.location {
                return Err(TransitionError::AlreadyDone("already set"));
            }
            events.push(Event::Classified { topic, location });
        }
        Command::Accept { part } => {
            next.parts[*part].state = PartState::Accepted;
            events.push(Event::Accepted { part: *part });
        }
        Command::Return {
            part,
            reason,
            comment,
        } => {
            let comment = comment.trim().to_string();
            let np = &mut next.parts[*part];
            np.state = PartState::Returned;
            np.returned = Some((*reason, comment.clone()));
            events.push(Event::Returned {
                part: *part,
                reason: *reason,
                comment,
            });
        }
        Command::Reroute { part, assignment } => {
            if incident
                .active_parts()
                .any(|q| q.department == assignment.department)
            {
                return Err(TransitionError::Invalid(format!(
                    "department {} already has a part of this incident",
                    assignment.department
                )));
            }
            next.parts[*part].rerouted = true;
            next.parts.push(new_part(*assignment, at));
            if next.state == IncidentState::New {
                next.state = IncidentState::InWork;
            }
            events.push(Event::Routed {
                part: next.parts.len() - 1,
                department: assignment.department,
                executor: assignment.executor,
            });
        }
        Command::SubmitDraft {
            part,
            kind,
            text,
            attachments,
        } => {
            let text = non_empty(text, "the draft text")?;
            let steps = approval_steps(reg, *kind);
            let step = steps[0];
            let np = &mut next.parts[*part];
            let version = np.drafts.len() as u32 + 1;
            np.drafts.push(Draft {
                version,
                kind: *kind,
                text,
                attachments: attachments.clone(),
                author: actor.person,
                submitted_at: at,
                reviews: Vec::new(),
            });
            np.state = PartState::DraftSubmitted { kind: *kind, step };
            np.timeline.approval_step_started_at = Some(at);
            events.push(Event::ApprovalRequested {
                part: Some(*part),
                step,
                kind: *kind,
                version,
            });
        }
        Command::Approve {
            part: Some(part),
            version,
        } => {
            let p = &incident.parts[*part];
            let PartState::DraftSubmitted { kind, step } = p.state else {
                return Err(TransitionError::NoSuchPart(*part));
            };
            let current = p.current_draft().map(|d| d.version).unwrap_or(0);
            check_version(*version, current)?;
            let steps = approval_steps(reg, kind);
            let np = &mut next.parts[*part];
            if let Some(d) = np.drafts.last_mut() {
                d.reviews.push(Review {
                    by: actor.person,
                    at,
                    step,
                    rework_comment: None,
                });
            }
            events.push(Event::ApprovedStep {
                part: Some(*part),
                step,
                version: current,
            });
            let pos = steps.iter().position(|s| *s == step).unwrap_or(steps.len());
            if let Some(next_step) = steps.get(pos + 1) {
                np.state = PartState::DraftSubmitted {
                    kind,
                    step: *next_step,
                };
                np.timeline.approval_step_started_at = Some(at);
                events.push(Event::ApprovalRequested {
                    part: Some(*part),
                    step: *next_step,
                    kind,
                    version: current,
                });
            } else if kind == DraftKind::Clarification {
                np.state = PartState::AwaitingAuthor;
                np.pauses.push(Pause {
                    start: at,
                    end: None,
                });
                events.push(Event::ClarificationAwaitingAuthor { part: *part });
            } else {
                np.state = PartState::Approved { kind };
                np.timeline.approved_at = Some(at);
                if !consolidates(incident, reg) {
                    events.push(Event::PublicationRequested {
                        part: Some(*part),
                        publisher: reg.workflow.publisher,
                        kind,
                    });
                }
            }
        }
        Command::Approve {
            part: None,
            version,
        } => {
            let Some(draft) = incident.consolidated.as_ref() else {
                return Err(TransitionError::Invalid(
                    "write the consolidated answer first".into(),
                ));
            };
            check_version(*version, draft.version)?;
            let v = draft.version;
            if let Some(d) = next.consolidated.as_mut() {
                d.reviews.push(Review {
                    by: actor.person,
                    at,
                    step: ApprovalStep::Curator,
                    rework_comment: None,
                });
            }
            next.consolidated_approved_at = Some(at);
            next.state = IncidentState::AwaitingPublication;
            events.push(Event::ApprovedStep {
                part: None,
                step: ApprovalStep::Curator,
                version: v,
            });
            events.push(Event::PublicationRequested {
                part: None,
                publisher: Publisher::Curator,
                kind: DraftKind::Answer,
            });
        }
        Command::RequestRework {
            part,
            version,
            comment,
            deadline,
        } => {
            let Some(part) = part else {
                return Err(TransitionError::Invalid(
                    "the curator edits the consolidated answer directly; send a part back instead"
                        .into(),
                ));
            };
            let comment = non_empty(comment, "the rework comment")?;
            let p = &incident.parts[*part];
            let PartState::DraftSubmitted { kind, step } = p.state else {
                return Err(TransitionError::NoSuchPart(*part));
            };
            let current = p.current_draft().map(|d| d.version).unwrap_or(0);
            check_version(*version, current)?;
            if reg.rule(Stage::Rework, incident.importance) == Some(&DeadlineRule::SetByCurator) {
                match deadline {
                    Some(t) if *t > at => {
                        next.curator_set.insert(Stage::Rework, *t);
                    }
                    Some(_) => {
                        return Err(TransitionError::Invalid(
                            "the rework deadline must be in the future".into(),
                        ))
                    }
                    None => return Err(TransitionError::MissingCuratorDeadline(Stage::Rework)),
                }
            }
            let np = &mut next.parts[*part];
            if let Some(d) = np.drafts.last_mut() {
                d.reviews.push(Review {
                    by: actor.person,
                    at,
                    step,
                    rework_comment: Some(comment.clone()),
                });
            }
            np.state = PartState::ReworkRequested { kind };
            np.timeline.rework_requested_at = Some(at);
            events.push(Event::ReworkRequested {
                part: Some(*part),
                version: current,
                comment,
            });
        }
        Command::RecordAuthorReply { part, text } => {
            let text = non_empty(text, "the author's reply")?;
            let np = &mut next.parts[*part];
            if let Some(pause) = np.pauses.iter_mut().find(|x| x.end.is_none()) {
                pause.end = Some(at.max(pause.start));
            }
            np.state = if np.timeline.interim_published_at.is_some() {
                PartState::AwaitingFinal
            } else {
                PartState::Accepted
            };
            events.push(Event::AuthorReplied { part: *part, text });
        }
        Command::SubmitConsolidated { text, attachments } => {
            let text = non_empty(text, "the consolidated answer")?;
            let version = incident.consolidated.as_ref().map_or(1, |d| d.version + 1);
            next.consolidated = Some(Draft {
                version,
                kind: DraftKind::Answer,
                text,
                attachments: attachments.clone(),
                author: actor.person,
                submitted_at: at,
                reviews: Vec::new(),
            });
            events.push(Event::ApprovalRequested {
                part: None,
                step: ApprovalStep::Curator,
                kind: DraftKind::Answer,
                version,
            });
        }
        Command::MarkPublished { part, link } => {
            let link = non_empty(link, "the publication link")?;
            match part {
                None => {
                    next.publication = Some(Publication {
                        link: link.clone(),
                        at,
                        by: actor.person,
                        interim: false,
                    });
                    for p in next.parts.iter_mut().filter(|p| p.active()) {
                        p.state = PartState::Done;
                    }
                    events.push(Event::Published {
                        part: None,
                        link,
                        interim: false,
                    });
                }
                Some(i) => {
                    let PartState::Approved { kind } = incident.parts[*i].state else {
                        return Err(TransitionError::NoSuchPart(*i));
                    };
                    let interim = kind == DraftKind::Interim;
                    let np = &mut next.parts[*i];
                    np.publication = Some(Publication {
                        link: link.clone(),
                        at,
                        by: actor.person,
                        interim,
                    });
                    if interim {
                        np.state = PartState::AwaitingFinal;
                        np.timeline.interim_published_at = Some(at);
                        np.timeline.approved_at = None;
                    } else {
                        np.state = PartState::Done;
                    }
                    if next.publication.is_none() || !interim {
                        next.publication = Some(Publication {
                            link: link.clone(),
                            at,
                            by: actor.person,
                            interim,
                        });
                    }
                    events.push(Event::Published {
                        part: Some(*i),
                        link,
                        interim,
                    });
                }
            }
        }
        Command::MarkNoAnswer { reason } => {
            next.state = IncidentState::NoAnswer;
            next.no_answer = Some(*reason);
            events.push(Event::NoAnswer { reason: *reason });
        }
        Command::SendExplanation { kind, text } => {
            let text = non_empty(text, "the explanation")?;
            next.state = IncidentState::ExplanationSent;
            next.explanation = Some((*kind, text));
            events.push(Event::ExplanationSent { kind: *kind });
        }
        Command::ConvertToAppeal { contact } => {
            let contact = AppealContact {
                full_name: non_empty(&contact.full_name, "the author's full name")?,
                address: non_empty(&contact.address, "the postal or e-mail address")?,
                phone: non_empty(&contact.phone, "the phone number")?,
            };
            next.state = IncidentState::ConvertedToAppeal;
            next.appeal = Some(contact);
            events.push(Event::ConvertedToAppeal);
        }
        Command::Close => {
            next.state = IncidentState::Closed;
            events.push(Event::Closed);
        }
        Command::AnswerDutyAlert { answer } => {
            if let Some(alert) = next.duty_alert.as_mut() {
                alert.answer = Some(DutyAnswer {
                    kind: *answer,
                    by: actor.person,
                    at,
                });
            }
            events.push(Event::DutyAlertAnswered { answer: *answer });
        }
    }
    events.extend(next.settle(rules));
    next.recompute(rules)?;
    super::stage_log::record(&mut next, rules, at)?;
    next.version = incident.version + 1;
    Ok(Transition {
        incident: next,
        events,
    })
}

fn check_version(seen: Option<u32>, current: u32) -> Result<(), TransitionError> {
    match seen {
        Some(seen) if seen != current => Err(TransitionError::StaleDraft { seen, current }),
        _ => Ok(()),
    }
}

fn new_part(a: Assignment, at: DateTime<Utc>) -> Part {
    Part {
        department: a.department,
        executor: a.executor,
        state: PartState::Routed,
        timeline: Timeline {
            routed_at: Some(at),
            ..Timeline::default()
        },
        pauses: Vec::new(),
        drafts: Vec::new(),
        returned: None,
        publication: None,
        deadlines: Vec::new(),
        rerouted: false,
    }
}
