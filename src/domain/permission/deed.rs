//! What a person can do to an incident, as the permission rule names it.

use crate::domain::incident::DraftKind;

/// Something a person can do to an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deed {
    /// Route the incident to departments (and tick departments on the triage card).
    Route,
    SetImportance,
    /// Set the topic or the location.
    Classify,
    Accept {
        part: usize,
    },
    Return {
        part: usize,
    },
    /// Propose to the department head that the part is not the department's (Barnaul §5 ¶1).
    ProposeReturn {
        part: usize,
    },
    Reroute {
        part: usize,
    },
    /// Submit a draft of this kind on the part (the prompt for its text included).
    Draft {
        part: usize,
        kind: DraftKind,
    },
    /// Approve the part's current draft at its current step (`None`: the consolidated answer).
    Approve {
        part: Option<usize>,
    },
    /// Send the part's current draft back for rework.
    Rework {
        part: usize,
    },
    /// Record that the approved clarification request is posted to the author.
    PostClarification {
        part: usize,
    },
    RecordAuthorReply {
        part: usize,
    },
    WriteConsolidated,
    /// Record the publication of a part's answer (`None`: the consolidated answer).
    Publish {
        part: Option<usize>,
    },
    /// Record the approved answer as handed to the body that publishes it (Sakhalin 3.3).
    HandOver {
        part: Option<usize>,
    },
    MarkNoAnswer,
    Explain,
    /// Mark or unmark the answer as of general interest (Vorsino 2.5, Sakhalin 3.5).
    MarkGeneralInterest,
    /// Send a department's prepared explanation back to it.
    ReturnPreparedExplanation,
    /// Record the links where a general-interest answer was posted besides the reply.
    RecordCrossPosts,
    /// Prepare an explanation for the curator to send (the part's department, Sakhalin 3.7 ¶2).
    PrepareExplanation {
        part: usize,
    },
    ConvertToAppeal,
    Close,
    /// Answer a weekend emergency alert («Беру», «Передал в ЕДДС»).
    AnswerDutyAlert,
    /// Answer an emergency on days off oneself, as its curator (Vorsino 2.10, Sakhalin 3.9).
    AnswerAsCurator,
    /// Hand the incident back to the monitoring system as not the organisation's competence.
    ReturnToSource,
    /// Record the appeals office's registration number of a converted appeal.
    RecordAppealRegistration,
    /// Report that an approved answer cannot be published.
    ReportCannotPublish {
        part: Option<usize>,
    },
    /// Read the citizen's whole message.
    ReadFullText,
}

impl Deed {
    /// The command name used in refusals.
    pub fn key(self) -> &'static str {
        match self {
            Deed::Route => "route",
            Deed::SetImportance => "set_importance",
            Deed::Classify => "classify",
            Deed::Accept { .. } => "accept",
            Deed::Return { .. } => "return",
            Deed::ProposeReturn { .. } => "propose_return",
            Deed::Reroute { .. } => "reroute",
            Deed::Draft { .. } => "submit_draft",
            Deed::Approve { .. } => "approve",
            Deed::Rework { .. } => "request_rework",
            Deed::PostClarification { .. } => "record_clarification_posted",
            Deed::RecordAuthorReply { .. } => "record_author_reply",
            Deed::WriteConsolidated => "submit_consolidated",
            Deed::Publish { .. } => "mark_published",
            Deed::HandOver { .. } => "hand_over",
            Deed::MarkNoAnswer => "mark_no_answer",
            Deed::Explain => "send_explanation",
            Deed::PrepareExplanation { .. } => "prepare_explanation",
            Deed::MarkGeneralInterest => "set_general_interest",
            Deed::ReturnPreparedExplanation => "return_prepared_explanation",
            Deed::RecordCrossPosts => "record_cross_posts",
            Deed::ConvertToAppeal => "convert_to_appeal",
            Deed::Close => "close",
            Deed::AnswerDutyAlert => "answer_duty_alert",
            Deed::AnswerAsCurator => "answer_as_curator",
            Deed::ReturnToSource => "return_to_source",
            Deed::RecordAppealRegistration => "record_appeal_registration",
            Deed::ReportCannotPublish { .. } => "report_cannot_publish",
            Deed::ReadFullText => "read_full_text",
        }
    }
}
