//! The small checks the permission rule is made of — who works on a part, who heads it, who
//! decides a return or approves a step, whether the incident consolidates — and what one
//! question to the rule carries (`Asked`).

use crate::domain::incident::{
    Actor, ApprovalStep, Incident, IncidentState, Part, PartState, Role, TransitionError,
};
use crate::domain::permission::deed::Deed;
use crate::domain::regulation::{Regulation, SplitMode};

/// One question to the rule: may `actor` do `deed` to `incident` now?
#[derive(Clone, Copy)]
pub(super) struct Asked<'a> {
    pub actor: &'a Actor,
    pub deed: Deed,
    pub incident: &'a Incident,
    pub regulation: &'a Regulation,
    /// The actor is a curator.
    pub curator: bool,
    pub state: IncidentState,
}

pub(super) fn require(ok: bool, what: &'static str) -> Result<(), TransitionError> {
    if ok {
        Ok(())
    } else {
        Err(TransitionError::NotAllowed(what))
    }
}

/// A deed the regulation does not provide is refused as such, whoever asks.
pub(super) fn provided(on: bool, what: &'static str) -> Result<(), TransitionError> {
    if on {
        Ok(())
    } else {
        Err(TransitionError::NotInRegulation(what))
    }
}

pub(super) fn wrong(deed: Deed, state: &'static str) -> TransitionError {
    TransitionError::WrongState {
        command: deed.key(),
        state,
    }
}

pub(super) fn part(incident: &Incident, i: usize) -> Result<&Part, TransitionError> {
    incident.parts.get(i).ok_or(TransitionError::NoSuchPart(i))
}

/// The executor, their substitute, or the head of the part's department.
pub(super) fn works_on(actor: &Actor, p: &Part) -> bool {
    actor.handles(p.executor) || heads(actor, p)
}

/// The head of the part's department.
pub(super) fn heads(actor: &Actor, p: &Part) -> bool {
    actor.has(Role::DepartmentHead) && actor.heads_departments.contains(&p.department)
}

/// Whether an actor who may return a part decides this reason on their own: under the competence
/// check (Barnaul §5 ¶1) only the department head (or the absent head's substitute) decides the
/// department's competence; the executor proposes it to them. A duplicate is anyone's to return.
pub fn decides_return(
    actor: &Actor,
    p: &Part,
    reason: crate::domain::incident::ReturnReason,
    regulation: &Regulation,
) -> bool {
    !regulation.workflow.competence_check
        || reason == crate::domain::incident::ReturnReason::Duplicate
        || heads(actor, p)
}

/// Who approves at a step.
pub fn may_approve(actor: &Actor, step: ApprovalStep, p: &Part) -> bool {
    match step {
        ApprovalStep::DepartmentHead => heads(actor, p),
        ApprovalStep::Deputy => {
            actor.has(Role::Deputy) && actor.supervises_departments.contains(&p.department)
        }
        ApprovalStep::Curator => actor.has(Role::Curator),
    }
}

/// Whether the approved parts are merged into one answer by the curator.
pub fn consolidates(incident: &Incident, regulation: &Regulation) -> bool {
    regulation.workflow.split == SplitMode::Consolidated
        && incident
            .parts
            .iter()
            .filter(|p| p.state != PartState::Returned)
            .count()
            > 1
}
