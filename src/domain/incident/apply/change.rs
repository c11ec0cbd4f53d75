//! What one command is changing: the incident before and after, the events so far, and who
//! does it when under which rules — with the small checks several command families share.

use chrono::{DateTime, Utc};

use crate::domain::incident::{
    Actor, ApprovalStep, Assignment, DraftKind, Event, ExplanationKind, Incident, Part, PartState,
    Rules, TransitionError,
};
use crate::domain::plan::Timeline;
use crate::domain::regulation::Regulation;

/// A command being applied: `next` starts as a copy of `before` and takes the changes.
pub(super) struct Change<'a> {
    pub before: &'a Incident,
    pub next: Incident,
    pub events: Vec<Event>,
    pub actor: &'a Actor,
    pub at: DateTime<Utc>,
    pub rules: Rules<'a>,
}

pub(super) fn non_empty(text: &str, field: &str) -> Result<String, TransitionError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(TransitionError::Invalid(format!(
            "{field} must not be empty"
        )));
    }
    Ok(t.to_string())
}

/// The approval steps a draft of this kind passes, in order.
pub(super) fn approval_steps(regulation: &Regulation, kind: DraftKind) -> Vec<ApprovalStep> {
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

pub(super) fn check_version(seen: Option<u32>, current: u32) -> Result<(), TransitionError> {
    match seen {
        Some(seen) if seen != current => Err(TransitionError::StaleDraft { seen, current }),
        _ => Ok(()),
    }
}

pub(super) fn new_part(a: Assignment, at: DateTime<Utc>) -> Part {
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
        proposed_return: None,
    }
}

/// An explanation of a kind the regulation does not provide is refused (Vorsino 2.7 lists no
/// court acts).
pub(super) fn explanation_provided(
    reg: &crate::domain::regulation::Regulation,
    kind: ExplanationKind,
) -> Result<(), TransitionError> {
    if reg.workflow.explanations.contains(&kind) {
        Ok(())
    } else {
        Err(TransitionError::NotInRegulation("this kind of explanation"))
    }
}
