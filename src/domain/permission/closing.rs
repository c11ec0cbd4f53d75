//! Ending without an ordinary answer: no answer, explanations, an appeal, handing back to the
//! source, closing.

use super::check::*;
use crate::domain::incident::*;
use crate::domain::regulation::*;

pub(super) fn mark_no_answer(c: &Asked<'_>) -> Result<(), TransitionError> {
    let deed = c.deed;
    let curator = c.curator;
    let state = c.state;
    require(
        curator,
        "only a curator marks a message as needing no answer",
    )?;
    match state {
        IncidentState::New | IncidentState::InWork => Ok(()),
        IncidentState::NoAnswer => Err(TransitionError::AlreadyDone("no answer")),
        s => Err(wrong(deed, s.key())),
    }
}

pub(super) fn explain(c: &Asked<'_>) -> Result<(), TransitionError> {
    let deed = c.deed;
    let incident = c.incident;
    let regulation = c.regulation;
    let curator = c.curator;
    let state = c.state;
    provided(
        !regulation.workflow.explanations.is_empty(),
        "explanations instead of an answer",
    )?;
    require(curator, "only a curator sends explanations")?;
    // Before routing, or while the departments work and nothing is published yet (a
    // department may find the message is not ours, or already answered).
    match state {
        IncidentState::New | IncidentState::InWork => {}
        IncidentState::ExplanationSent => {
            return Err(TransitionError::AlreadyDone("explanation sent"))
        }
        s => return Err(wrong(deed, s.key())),
    }
    // Sakhalin 3.7 ¶2: the curator sends what the department prepared.
    if regulation.workflow.explanations_by == ExplanationAuthor::Department
        && incident.prepared_explanation.is_none()
    {
        return Err(TransitionError::Invalid(
            "the department prepares the explanation first".into(),
        ));
    }
    Ok(())
}

pub(super) fn return_prepared_explanation(c: &Asked<'_>) -> Result<(), TransitionError> {
    let deed = c.deed;
    let incident = c.incident;
    let curator = c.curator;
    let state = c.state;
    require(curator, "only a curator sends an explanation back")?;
    match (state, &incident.prepared_explanation) {
        (IncidentState::InWork, Some(_)) => Ok(()),
        (IncidentState::ExplanationSent, _) => {
            Err(TransitionError::AlreadyDone("explanation sent"))
        }
        (s, _) => Err(wrong(deed, s.key())),
    }
}

pub(super) fn convert_to_appeal(c: &Asked<'_>) -> Result<(), TransitionError> {
    let deed = c.deed;
    let regulation = c.regulation;
    let curator = c.curator;
    let state = c.state;
    provided(regulation.workflow.appeals, "official appeals under 59-FZ")?;
    require(curator, "only a curator converts a message to an appeal")?;
    match state {
        IncidentState::ConvertedToAppeal => Err(TransitionError::AlreadyDone("converted")),
        s if s.is_finished() => Err(wrong(deed, s.key())),
        _ => Ok(()),
    }
}

pub(super) fn return_to_source(c: &Asked<'_>) -> Result<(), TransitionError> {
    let deed = c.deed;
    let curator = c.curator;
    let state = c.state;
    require(
        curator,
        "only a curator hands an incident back to the monitoring system",
    )?;
    // Before routing, or once every department has returned it.
    match state {
        IncidentState::New => Ok(()),
        s => Err(wrong(deed, s.key())),
    }
}

pub(super) fn record_appeal_registration(c: &Asked<'_>) -> Result<(), TransitionError> {
    let deed = c.deed;
    let curator = c.curator;
    let state = c.state;
    require(curator, "only a curator records the appeal's registration")?;
    match state {
        IncidentState::ConvertedToAppeal => Ok(()),
        s => Err(wrong(deed, s.key())),
    }
}

pub(super) fn close(c: &Asked<'_>) -> Result<(), TransitionError> {
    let deed = c.deed;
    let curator = c.curator;
    let state = c.state;
    require(curator, "only a curator closes incidents")?;
    if state.is_finished() {
        Ok(())
    } else {
        Err(wrong(deed, state.key()))
    }
}
