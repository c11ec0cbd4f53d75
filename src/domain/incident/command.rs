//! What can be done to an incident (`Command`), what happened (`Event`), why a command was
//! refused (`TransitionError`) and the result of one that was not (`Transition`).

use super::*;
use crate::domain::permission::Deed;

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
    /// The executor's "not our competence", for the department head to decide (Barnaul §5 ¶1).
    ProposeReturn {
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
    /// The approved clarification request is posted to the author (by its publisher, or by
    /// Otklik under a channel comment): the clock stops from now (Borovichi §10).
    RecordClarificationPosted {
        part: usize,
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
    /// The approved answer is handed to the body that publishes it (Sakhalin 3.3).
    HandOver {
        part: Option<usize>,
    },
    MarkNoAnswer {
        reason: NoAnswerReason,
    },
    SendExplanation {
        kind: ExplanationKind,
        text: String,
    },
    /// The curator sends a prepared explanation back to its department, saying why.
    ReturnPreparedExplanation {
        comment: String,
    },
    /// Mark (or unmark) the answer as of general interest (Vorsino 2.5, Sakhalin 3.5).
    SetGeneralInterest {
        on: bool,
    },
    /// Record where a general-interest answer was posted besides the reply.
    RecordCrossPosts {
        links: Vec<String>,
    },
    /// The department prepares an explanation for the curator to send (Sakhalin 3.7 ¶2).
    PrepareExplanation {
        part: usize,
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
    /// The curator (or the duty officer who took the alert) answers an emergency on days off
    /// themselves (Vorsino 2.10, Sakhalin 3.9): the answer is approved as it is written and
    /// awaits publication.
    AnswerAsCurator {
        text: String,
        attachments: Vec<String>,
    },
    /// Not the organisation's competence: handed back to the monitoring system's curator
    /// (Barnaul §4 ¶2).
    ReturnToSource {
        comment: String,
    },
    /// The appeals office registered the appeal under this number (Sakhalin 3.8: in its
    /// document system).
    RecordAppealRegistration {
        number: String,
    },
    /// The approved answer cannot be published (Barnaul §8): the curators and the monitoring
    /// system are told why.
    ReportCannotPublish {
        part: Option<usize>,
        reason: String,
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
            Command::ProposeReturn { .. } => "propose_return",
            Command::Reroute { .. } => "reroute",
            Command::SubmitDraft { .. } => "submit_draft",
            Command::Approve { .. } => "approve",
            Command::RequestRework { .. } => "request_rework",
            Command::RecordClarificationPosted { .. } => "record_clarification_posted",
            Command::RecordAuthorReply { .. } => "record_author_reply",
            Command::SubmitConsolidated { .. } => "submit_consolidated",
            Command::MarkPublished { .. } => "mark_published",
            Command::HandOver { .. } => "hand_over",
            Command::MarkNoAnswer { .. } => "mark_no_answer",
            Command::SendExplanation { .. } => "send_explanation",
            Command::PrepareExplanation { .. } => "prepare_explanation",
            Command::SetGeneralInterest { .. } => "set_general_interest",
            Command::ReturnPreparedExplanation { .. } => "return_prepared_explanation",
            Command::RecordCrossPosts { .. } => "record_cross_posts",
            Command::ConvertToAppeal { .. } => "convert_to_appeal",
            Command::Close => "close",
            Command::AnswerDutyAlert { .. } => "answer_duty_alert",
            Command::AnswerAsCurator { .. } => "answer_as_curator",
            Command::ReturnToSource { .. } => "return_to_source",
            Command::RecordAppealRegistration { .. } => "record_appeal_registration",
            Command::ReportCannotPublish { .. } => "report_cannot_publish",
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
            Command::ProposeReturn { part, .. } => Deed::ProposeReturn { part: *part },
            Command::Reroute { part, .. } => Deed::Reroute { part: *part },
            Command::SubmitDraft { part, kind, .. } => Deed::Draft {
                part: *part,
                kind: *kind,
            },
            Command::Approve { part, .. } => Deed::Approve { part: *part },
            Command::RequestRework { part: Some(p), .. } => Deed::Rework { part: *p },
            // Refused in `apply`: the curator edits the consolidated answer directly.
            Command::RequestRework { part: None, .. } => Deed::Approve { part: None },
            Command::RecordClarificationPosted { part } => Deed::PostClarification { part: *part },
            Command::RecordAuthorReply { part, .. } => Deed::RecordAuthorReply { part: *part },
            Command::SubmitConsolidated { .. } => Deed::WriteConsolidated,
            Command::MarkPublished { part, .. } => Deed::Publish { part: *part },
            Command::HandOver { part } => Deed::HandOver { part: *part },
            Command::MarkNoAnswer { .. } => Deed::MarkNoAnswer,
            Command::SendExplanation { .. } => Deed::Explain,
            Command::PrepareExplanation { part, .. } => Deed::PrepareExplanation { part: *part },
            Command::SetGeneralInterest { .. } => Deed::MarkGeneralInterest,
            Command::ReturnPreparedExplanation { .. } => Deed::ReturnPreparedExplanation,
            Command::RecordCrossPosts { .. } => Deed::RecordCrossPosts,
            Command::ConvertToAppeal { .. } => Deed::ConvertToAppeal,
            Command::Close => Deed::Close,
            Command::AnswerDutyAlert { .. } => Deed::AnswerDutyAlert,
            Command::AnswerAsCurator { .. } => Deed::AnswerAsCurator,
            Command::ReturnToSource { .. } => Deed::ReturnToSource,
            Command::RecordAppealRegistration { .. } => Deed::RecordAppealRegistration,
            Command::ReportCannotPublish { part, .. } => Deed::ReportCannotPublish { part: *part },
        }
    }
}

/// What happened, for the audit log and for notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Registered,
    /// High importance on a non-working day, or after the last working hours before one, under a
    /// duty-officer or curator weekend rule.
    WeekendEmergency {
        rule: crate::domain::regulation::WeekendRule,
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
    ReturnProposed {
        part: usize,
        reason: ReturnReason,
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
    /// A clarification request is approved: its publisher is asked to post it.
    ClarificationApproved {
        part: usize,
    },
    /// The request is posted: the part waits for the author (the clock stops where the
    /// regulation says so). Before the posting step existed this was recorded at approval.
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
    ExplanationPrepared {
        part: usize,
        kind: ExplanationKind,
    },
    GeneralInterestSet {
        on: bool,
    },
    PreparedExplanationReturned {
        part: usize,
        comment: String,
    },
    CrossPosted {
        links: Vec<String>,
    },
    ConvertedToAppeal,
    Closed,
    DutyAlertAnswered {
        answer: DutyAnswerKind,
    },
    /// The curator wrote the answer to an emergency on days off themselves.
    AnsweredByCurator,
    ReturnedToSource {
        comment: String,
    },
    AppealRegistered {
        number: String,
    },
    PublicationImpossible {
        part: Option<usize>,
        reason: String,
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
