//! Triage deeds: routing, importance and topic, rerouting a part — the curator's.

use super::check::*;
use crate::domain::incident::*;

pub(super) fn route(c: &Asked<'_>) -> Result<(), TransitionError> {
    let deed = c.deed;
    let curator = c.curator;
    let state = c.state;
    require(curator, "only a curator routes incidents")?;
    match state {
        IncidentState::New => Ok(()),
        IncidentState::InWork => Err(TransitionError::AlreadyDone("routed")),
        s => Err(wrong(deed, s.key())),
    }
}

pub(super) fn set_importance_or_classify(c: &Asked<'_>) -> Result<(), TransitionError> {
    let deed = c.deed;
    let curator = c.curator;
    let state = c.state;
    require(
        curator,
        "only a curator sets importance, topic and location",
    )?;
    if state.is_finished() {
        return Err(wrong(deed, state.key()));
    }
    Ok(())
}

pub(super) fn reroute(c: &Asked<'_>, i: usize) -> Result<(), TransitionError> {
    let deed = c.deed;
    let incident = c.incident;
    let curator = c.curator;
    let state = c.state;
    require(curator, "only a curator re-routes")?;
    let p = part(incident, i)?;
    if p.state != PartState::Returned || state.is_finished() {
        return Err(wrong(deed, p.state.key()));
    }
    if p.rerouted {
        return Err(TransitionError::AlreadyDone("re-routed"));
    }
    Ok(())
}
