//! Reading an incident's full text.

use super::check::*;
use crate::domain::incident::*;

pub(super) fn read_full_text(c: &Asked<'_>) -> Result<(), TransitionError> {
    let actor = c.actor;
    let incident = c.incident;
    let curator = c.curator;
    let involved = incident.parts.iter().any(|p| works_on(actor, p));
    require(
        involved
            || curator
            || actor.has(Role::Head)
            || actor.has(Role::Deputy)
            || actor.has(Role::DutyOfficer),
        "only people working on the incident read it",
    )
}
