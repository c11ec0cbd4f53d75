//! The weekend emergency: answering the alert, the curator's own answer.

use super::check::*;
use crate::domain::incident::*;

pub(super) fn answer_duty_alert(c: &Asked<'_>) -> Result<(), TransitionError> {
    let actor = c.actor;
    let deed = c.deed;
    let incident = c.incident;
    let curator = c.curator;
    let state = c.state;
    require(
        actor.has(Role::DutyOfficer) || curator,
        "only the duty officer or a curator answers a weekend alert",
    )?;
    let Some(alert) = &incident.duty_alert else {
        return Err(wrong(deed, state.key()));
    };
    if alert.answer.is_some() || incident.own_answer {
        return Err(TransitionError::AlreadyDone("the alert is answered"));
    }
    if state.is_finished() {
        return Err(wrong(deed, state.key()));
    }
    Ok(())
}

pub(super) fn answer_as_curator(c: &Asked<'_>) -> Result<(), TransitionError> {
    let deed = c.deed;
    let incident = c.incident;
    let regulation = c.regulation;
    let curator = c.curator;
    let state = c.state;
    // Where the profile gives days-off emergencies to the curator (or the operator), and
    // only for an emergency on days off: on working days the departments answer and
    // the curator approves (Vorsino 2.1–2.2, Sakhalin 3.1–3.3).
    provided(
        regulation.workflow.curator_answers_emergencies,
        "the curator's own answer to an emergency",
    )?;
    require(
        curator,
        "only a curator, or the duty officer who took the alert, answers it themselves",
    )?;
    match state {
        IncidentState::New if incident.duty_alert.is_some() => Ok(()),
        IncidentState::AwaitingPublication | IncidentState::Published if incident.own_answer => {
            Err(TransitionError::AlreadyDone("answered by the curator"))
        }
        s => Err(wrong(deed, s.key())),
    }
}
