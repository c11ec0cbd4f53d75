//! What a button does, as the core knows it. An adapter encodes an action into its messenger's
//! button payload and decodes it back; the presser is always re-checked here, since a payload
//! only says what was pressed.

use serde::{Deserialize, Serialize};

use crate::domain::incident::{
    DraftKind, DutyAnswerKind, ExplanationKind, NoAnswerReason, ReturnReason,
};
use crate::domain::{DepartmentId, IncidentId, TemplateId};

/// Which overview of open incidents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Overview {
    /// Every open incident, most urgent first.
    Open,
    /// Only the late ones, by department.
    Overdue,
}

/// Which report a button asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportSpan {
    ThisWeek,
    LastWeek,
    ThisMonth,
    LastMonth,
}

/// A button press. Serialised (as its variant and fields) when a view waits in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    Accept {
        inc: IncidentId,
        part: usize,
    },
    /// Accept if needed, then ask for the text of a draft of this kind.
    StartDraft {
        inc: IncidentId,
        part: usize,
        kind: DraftKind,
    },
    /// «📋 Взять за основу №N»: start the answer from a published answer to a similar message.
    DraftFrom {
        inc: IncidentId,
        part: usize,
        source: IncidentId,
    },
    /// «🗂 Шаблоны»: the templates for the incident's topic, each a button.
    Templates {
        inc: IncidentId,
        part: usize,
    },
    /// A template picked: start the answer from its text.
    DraftFromTemplate {
        inc: IncidentId,
        part: usize,
        template: TemplateId,
    },
    /// Ask why the part is returned.
    Return {
        inc: IncidentId,
        part: usize,
    },
    ReturnWith {
        inc: IncidentId,
        part: usize,
        reason: ReturnReason,
    },
    AttachmentsDone {
        inc: IncidentId,
    },
    SendDraft {
        inc: IncidentId,
    },
    EditDraft {
        inc: IncidentId,
    },
    CancelDraft {
        inc: IncidentId,
    },
    Approve {
        inc: IncidentId,
        part: Option<usize>,
        version: u32,
    },
    Rework {
        inc: IncidentId,
        part: usize,
        version: u32,
    },
    Published {
        inc: IncidentId,
        part: Option<usize>,
    },
    /// The approved answer is handed to the body that publishes it (Sakhalin 3.3).
    HandedOver {
        inc: IncidentId,
        part: Option<usize>,
    },
    AuthorReplied {
        inc: IncidentId,
        part: usize,
    },
    /// The approved clarification request is posted to the author.
    ClarificationPosted {
        inc: IncidentId,
        part: usize,
    },
    ShowAll {
        inc: IncidentId,
    },
    Importance {
        inc: IncidentId,
        high: bool,
    },
    ToggleDepartment {
        inc: IncidentId,
        dept: DepartmentId,
    },
    Route {
        inc: IncidentId,
    },
    NoAnswer {
        inc: IncidentId,
    },
    NoAnswerWith {
        inc: IncidentId,
        reason: NoAnswerReason,
    },
    /// Send a department's prepared explanation back to it (a comment is asked).
    ExplanationBack {
        inc: IncidentId,
    },
    /// Mark or unmark the answer as of general interest (Vorsino 2.5, Sakhalin 3.5).
    GeneralInterest {
        inc: IncidentId,
    },
    /// Record where a general-interest answer was posted besides the reply.
    CrossPostLinks {
        inc: IncidentId,
    },
    /// Choose an explanation's kind: the curator's (`part: None`), or one the part's department
    /// prepares for the curator (Sakhalin 3.7 ¶2).
    Explanation {
        inc: IncidentId,
        part: Option<usize>,
    },
    ExplanationWith {
        inc: IncidentId,
        part: Option<usize>,
        kind: ExplanationKind,
    },
    Reroute {
        inc: IncidentId,
        part: usize,
        dept: DepartmentId,
    },
    WriteConsolidated {
        inc: IncidentId,
    },
    SetTopic {
        inc: IncidentId,
    },
    SetLocation {
        inc: IncidentId,
    },
    Appeal {
        inc: IncidentId,
    },
    DutyAnswer {
        inc: IncidentId,
        answer: DutyAnswerKind,
    },
    /// «Ответить самому»: the curator answers an emergency on days off (Vorsino 2.10); also
    /// «Изменить» on its preview.
    AnswerMyself {
        inc: IncidentId,
    },
    /// «Ответить» on the own answer's preview.
    SendOwnAnswer {
        inc: IncidentId,
    },
    /// Show the card the presser would act on now (from an overview or a digest).
    OpenCard {
        inc: IncidentId,
    },
    /// Record the appeals office's registration number (asks for it).
    AppealNumber {
        inc: IncidentId,
    },
    /// Mark or unmark the incident as a repeat (asks for the earlier number).
    Repeat {
        inc: IncidentId,
    },
    /// Hand the incident back to the monitoring system (asks why).
    ReturnToSource {
        inc: IncidentId,
    },
    /// Report that the approved answer cannot be published (asks why).
    CannotPublish {
        inc: IncidentId,
        part: Option<usize>,
    },
    /// Another page of an overview.
    Page {
        list: Overview,
        page: u16,
    },
    /// A report on a period.
    Report {
        span: ReportSpan,
    },
}

impl Action {
    /// The incident the button is about (`None` for an overview's page or a report).
    pub fn incident(&self) -> Option<IncidentId> {
        Some(match *self {
            Action::Accept { inc, .. }
            | Action::StartDraft { inc, .. }
            | Action::DraftFrom { inc, .. }
            | Action::Templates { inc, .. }
            | Action::DraftFromTemplate { inc, .. }
            | Action::Return { inc, .. }
            | Action::ReturnWith { inc, .. }
            | Action::AttachmentsDone { inc }
            | Action::SendDraft { inc }
            | Action::EditDraft { inc }
            | Action::CancelDraft { inc }
            | Action::Approve { inc, .. }
            | Action::Rework { inc, .. }
            | Action::Published { inc, .. }
            | Action::HandedOver { inc, .. }
            | Action::AuthorReplied { inc, .. }
            | Action::ClarificationPosted { inc, .. }
            | Action::ShowAll { inc }
            | Action::Importance { inc, .. }
            | Action::ToggleDepartment { inc, .. }
            | Action::Route { inc }
            | Action::NoAnswer { inc }
            | Action::NoAnswerWith { inc, .. }
            | Action::Explanation { inc, .. }
            | Action::GeneralInterest { inc }
            | Action::ExplanationBack { inc }
            | Action::CrossPostLinks { inc }
            | Action::ExplanationWith { inc, .. }
            | Action::Reroute { inc, .. }
            | Action::WriteConsolidated { inc }
            | Action::SetTopic { inc }
            | Action::SetLocation { inc }
            | Action::Appeal { inc }
            | Action::DutyAnswer { inc, .. }
            | Action::OpenCard { inc }
            | Action::ReturnToSource { inc }
            | Action::Repeat { inc }
            | Action::AppealNumber { inc }
            | Action::CannotPublish { inc, .. }
            | Action::AnswerMyself { inc }
            | Action::SendOwnAnswer { inc } => inc,
            Action::Page { .. } | Action::Report { .. } => return None,
        })
    }
}
