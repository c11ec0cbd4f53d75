//! Publishing the answer, handing it over, reporting it cannot be published, general interest
//! and cross-posts — by the publisher the regulation names.

use super::check::*;
use crate::domain::incident::*;
use crate::domain::permission::Deed;
use crate::domain::regulation::*;

pub(super) fn publish_consolidated(c: &Asked<'_>) -> Result<(), TransitionError> {
    let actor = c.actor;
    let deed = c.deed;
    let curator = c.curator;
    let state = c.state;
    require(
        curator || actor.has(Role::System),
        "only a curator publishes the consolidated answer",
    )?;
    match state {
        IncidentState::AwaitingPublication => Ok(()),
        IncidentState::Published => Err(TransitionError::AlreadyDone("published")),
        s => Err(wrong(deed, s.key())),
    }
}

pub(super) fn publish_part(c: &Asked<'_>, i: usize) -> Result<(), TransitionError> {
    let actor = c.actor;
    let deed = c.deed;
    let incident = c.incident;
    let regulation = c.regulation;
    let curator = c.curator;
    let p = part(incident, i)?;
    // Otklik itself publishes where it can reply to the message (a channel comment).
    let allowed = actor.has(Role::System)
        || match regulation.workflow.publisher {
            Publisher::Curator => curator,
            Publisher::Executor => actor.handles(p.executor),
        };
    require(allowed, "the regulation gives publication to someone else")?;
    match p.state {
        PartState::Approved { .. } => {}
        PartState::Done | PartState::AwaitingFinal => {
            return Err(TransitionError::AlreadyDone("published"))
        }
        s => return Err(wrong(deed, s.key())),
    }
    if consolidates(incident, regulation) {
        return Err(TransitionError::Invalid(
            "parts of a consolidated answer are published together".into(),
        ));
    }
    Ok(())
}

pub(super) fn mark_general_interest(c: &Asked<'_>) -> Result<(), TransitionError> {
    let deed = c.deed;
    let regulation = c.regulation;
    let curator = c.curator;
    let state = c.state;
    provided(
        regulation.workflow.cross_posting,
        "posting answers on the official pages and site",
    )?;
    require(
        curator,
        "only a curator marks an answer as of general interest",
    )?;
    // Only what will get (or got) an answer.
    match state {
        IncidentState::New
        | IncidentState::InWork
        | IncidentState::Consolidating
        | IncidentState::AwaitingPublication
        | IncidentState::Published => Ok(()),
        s => Err(wrong(deed, s.key())),
    }
}

pub(super) fn record_cross_posts(c: &Asked<'_>) -> Result<(), TransitionError> {
    let actor = c.actor;
    let deed = c.deed;
    let incident = c.incident;
    let regulation = c.regulation;
    let curator = c.curator;
    let state = c.state;
    if !incident.general_interest {
        return Err(TransitionError::Invalid(
            "the answer is not marked as of general interest".into(),
        ));
    }
    // Whoever publishes the answer posts it on the pages and site too.
    let publishes = match regulation.workflow.publisher {
        Publisher::Curator => curator,
        Publisher::Executor => incident.parts.iter().any(|p| actor.handles(p.executor)),
    };
    require(
        publishes,
        "the regulation gives publication to someone else",
    )?;
    if incident.answer_published() {
        Ok(())
    } else {
        Err(wrong(deed, state.key()))
    }
}

pub(super) fn hand_over(c: &Asked<'_>, part: Option<usize>) -> Result<(), TransitionError> {
    let regulation = c.regulation;
    provided(
        regulation.workflow.hand_over,
        "handing the answer over instead of publishing it",
    )?;
    publish(c, part)
}

pub(super) fn report_cannot_publish(
    c: &Asked<'_>,
    part: Option<usize>,
) -> Result<(), TransitionError> {
    let incident = c.incident;
    if incident.publication_impossible.is_some() {
        return Err(TransitionError::AlreadyDone("reported"));
    }
    publish(c, part)
}

/// Handing over and reporting that it cannot be published are the publisher's, as publishing is.
fn publish(c: &Asked<'_>, part: Option<usize>) -> Result<(), TransitionError> {
    let asked = Asked {
        deed: Deed::Publish { part },
        ..*c
    };
    match part {
        Some(i) => publish_part(&asked, i),
        None => publish_consolidated(&asked),
    }
}
