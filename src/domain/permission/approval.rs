//! The approval chain: approving a part's draft or the consolidated answer, rework, writing
//! the consolidated answer.

use super::check::*;
use crate::domain::incident::*;

pub(super) fn approve_part(c: &Asked<'_>, i: usize) -> Result<(), TransitionError> {
    let actor = c.actor;
    let deed = c.deed;
    let incident = c.incident;
    let p = part(incident, i)?;
    let step = match p.state {
        PartState::DraftSubmitted { step, .. } => step,
        PartState::Approved { .. }
        | PartState::ClarificationApproved
        | PartState::AwaitingAuthor
        | PartState::AwaitingFinal
        | PartState::Done => return Err(TransitionError::AlreadyDone("approved")),
        s => return Err(wrong(deed, s.key())),
    };
    require(
        may_approve(actor, step, p),
        "this approval step belongs to someone else",
    )
}

pub(super) fn approve_consolidated(c: &Asked<'_>) -> Result<(), TransitionError> {
    let deed = c.deed;
    let incident = c.incident;
    let curator = c.curator;
    let state = c.state;
    require(curator, "only a curator approves the consolidated answer")?;
    match state {
        IncidentState::Consolidating => {}
        IncidentState::AwaitingPublication | IncidentState::Published => {
            return Err(TransitionError::AlreadyDone("approved"))
        }
        s => return Err(wrong(deed, s.key())),
    }
    if incident.consolidated.is_none() {
        return Err(TransitionError::Invalid(
            "write the consolidated answer first".into(),
        ));
    }
    Ok(())
}

pub(super) fn rework(c: &Asked<'_>, i: usize) -> Result<(), TransitionError> {
    let actor = c.actor;
    let deed = c.deed;
    let incident = c.incident;
    let p = part(incident, i)?;
    let step = match p.state {
        PartState::DraftSubmitted { step, .. } => step,
        PartState::ReworkRequested { .. } => {
            return Err(TransitionError::AlreadyDone("sent back for rework"))
        }
        s => return Err(wrong(deed, s.key())),
    };
    require(
        may_approve(actor, step, p),
        "this approval step belongs to someone else",
    )
}

pub(super) fn write_consolidated(c: &Asked<'_>) -> Result<(), TransitionError> {
    let deed = c.deed;
    let curator = c.curator;
    let state = c.state;
    require(curator, "only a curator writes the consolidated answer")?;
    match state {
        IncidentState::Consolidating => Ok(()),
        IncidentState::AwaitingPublication | IncidentState::Published => {
            Err(TransitionError::AlreadyDone("consolidated"))
        }
        s => Err(wrong(deed, s.key())),
    }
}
