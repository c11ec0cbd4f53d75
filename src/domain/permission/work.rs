//! The executor's deeds on a part: accepting, returning or proposing a return, drafting, the
//! clarification request's posting and the author's reply, preparing an explanation.

use super::check::*;
use crate::domain::incident::*;
use crate::domain::regulation::*;

pub(super) fn accept(c: &Asked<'_>, i: usize) -> Result<(), TransitionError> {
    let actor = c.actor;
    let deed = c.deed;
    let incident = c.incident;
    let regulation = c.regulation;
    let p = part(incident, i)?;
    if regulation.workflow.competence_check {
        // Barnaul §5: the department head confirms competence before anyone works on it.
        require(
            heads(actor, p),
            "only the department head confirms the department's competence",
        )?;
    } else {
        require(
            works_on(actor, p),
            "only the assigned executor, their substitute or the department head accepts",
        )?;
    }
    match p.state {
        PartState::Routed => Ok(()),
        // The head keeps a part the executor proposed to return (Barnaul §5 ¶1).
        PartState::Accepted if p.proposed_return.is_some() => Ok(()),
        PartState::Returned => Err(wrong(deed, p.state.key())),
        _ => Err(TransitionError::AlreadyDone("accepted")),
    }
}

pub(super) fn return_part(c: &Asked<'_>, i: usize) -> Result<(), TransitionError> {
    let actor = c.actor;
    let deed = c.deed;
    let incident = c.incident;
    let regulation = c.regulation;
    let p = part(incident, i)?;
    require(
        works_on(actor, p),
        "only the assigned executor, their substitute or the department head returns",
    )?;
    // Barnaul §5 ¶1: proposed already; the department head decides now.
    if p.proposed_return.is_some() && regulation.workflow.competence_check && !heads(actor, p) {
        return Err(TransitionError::AlreadyDone(
            "proposed to the department head",
        ));
    }
    match p.state {
        PartState::Routed | PartState::Accepted => Ok(()),
        PartState::Returned => Err(TransitionError::AlreadyDone("returned")),
        _ => Err(wrong(deed, p.state.key())),
    }
}

pub(super) fn propose_return(c: &Asked<'_>, i: usize) -> Result<(), TransitionError> {
    let actor = c.actor;
    let deed = c.deed;
    let incident = c.incident;
    let regulation = c.regulation;
    provided(
        regulation.workflow.competence_check,
        "the department head's competence check",
    )?;
    let p = part(incident, i)?;
    require(
        works_on(actor, p) && !heads(actor, p),
        "only the assigned executor or their substitute proposes a return to the head",
    )?;
    if p.proposed_return.is_some() {
        return Err(TransitionError::AlreadyDone(
            "proposed to the department head",
        ));
    }
    match p.state {
        PartState::Routed | PartState::Accepted => Ok(()),
        PartState::Returned => Err(TransitionError::AlreadyDone("returned")),
        _ => Err(wrong(deed, p.state.key())),
    }
}

pub(super) fn draft(c: &Asked<'_>, i: usize, kind: DraftKind) -> Result<(), TransitionError> {
    let actor = c.actor;
    let deed = c.deed;
    let incident = c.incident;
    let regulation = c.regulation;
    let state = c.state;
    let p = part(incident, i)?;
    require(
        actor.handles(p.executor),
        "only the assigned executor or their substitute submits drafts",
    )?;
    match p.state {
        PartState::Accepted | PartState::AwaitingFinal => {}
        PartState::ReworkRequested { kind: k } if k != kind => {
            return Err(TransitionError::Invalid(
                "a reworked draft keeps its kind".into(),
            ))
        }
        PartState::ReworkRequested { .. } => {}
        PartState::DraftSubmitted { .. } => {
            return Err(TransitionError::AlreadyDone("draft already submitted"))
        }
        s => return Err(wrong(deed, s.key())),
    }
    if state.is_finished() {
        return Err(wrong(deed, state.key()));
    }
    match kind {
        DraftKind::Interim => {
            if !regulation.workflow.interim_answers {
                return Err(TransitionError::NotInRegulation("interim answers"));
            }
            if consolidates(incident, regulation) {
                return Err(TransitionError::NotInRegulation(
                    "interim answers in a consolidated answer",
                ));
            }
            if p.state == PartState::AwaitingFinal || p.timeline.interim_published_at.is_some() {
                return Err(TransitionError::Invalid(
                    "an interim answer is already published; the final answer is due".into(),
                ));
            }
        }
        DraftKind::Clarification if p.state == PartState::AwaitingFinal => {
            return Err(wrong(deed, p.state.key()));
        }
        _ => {}
    }
    Ok(())
}

pub(super) fn post_clarification(c: &Asked<'_>, i: usize) -> Result<(), TransitionError> {
    let actor = c.actor;
    let deed = c.deed;
    let incident = c.incident;
    let regulation = c.regulation;
    let curator = c.curator;
    let state = c.state;
    let p = part(incident, i)?;
    // Whoever the regulation says posts it (Borovichi §10: the executor), or Otklik
    // itself where it replies under the message (a channel comment).
    let publishes = match regulation.workflow.clarification_publisher {
        Publisher::Executor => actor.handles(p.executor),
        Publisher::Curator => curator,
    };
    require(
        publishes || actor.has(Role::System),
        "the regulation gives posting the clarification to someone else",
    )?;
    match p.state {
        PartState::ClarificationApproved if !state.is_finished() => Ok(()),
        PartState::AwaitingAuthor => {
            Err(TransitionError::AlreadyDone("the clarification is posted"))
        }
        s => Err(wrong(deed, s.key())),
    }
}

pub(super) fn record_author_reply(c: &Asked<'_>, i: usize) -> Result<(), TransitionError> {
    let actor = c.actor;
    let deed = c.deed;
    let incident = c.incident;
    let regulation = c.regulation;
    let curator = c.curator;
    // Whoever posted the request sees the reply (Borovichi §10: the executor).
    let posted_it = regulation.workflow.clarification_publisher == Publisher::Executor
        && incident
            .parts
            .get(i)
            .is_some_and(|p| actor.handles(p.executor));
    require(
        curator || actor.has(Role::System) || posted_it,
        "only whoever posted the clarification (or intake) records the author's reply",
    )?;
    let p = part(incident, i)?;
    // A reply to a request posted by hand without «Запрос опубликован» is not lost: the
    // posting is taken as that moment (no pause).
    if matches!(
        p.state,
        PartState::AwaitingAuthor | PartState::ClarificationApproved
    ) {
        Ok(())
    } else if p.pauses.iter().any(|x| x.end.is_some()) {
        Err(TransitionError::AlreadyDone(
            "the author's reply is recorded",
        ))
    } else {
        Err(wrong(deed, p.state.key()))
    }
}

pub(super) fn prepare_explanation(c: &Asked<'_>, i: usize) -> Result<(), TransitionError> {
    let actor = c.actor;
    let deed = c.deed;
    let incident = c.incident;
    let regulation = c.regulation;
    let state = c.state;
    if regulation.workflow.explanations_by != ExplanationAuthor::Department
        || regulation.workflow.explanations.is_empty()
    {
        return Err(TransitionError::NotInRegulation(
            "explanations prepared by the department",
        ));
    }
    let p = part(incident, i)?;
    require(
        works_on(actor, p),
        "only the assigned executor, their substitute or the department head prepares an explanation",
    )?;
    match state {
        IncidentState::InWork => {}
        IncidentState::ExplanationSent => {
            return Err(TransitionError::AlreadyDone("explanation sent"))
        }
        s => return Err(wrong(deed, s.key())),
    }
    // Instead of an answer: before a draft is in approval, or after handing it back.
    match p.state {
        PartState::Routed
        | PartState::Accepted
        | PartState::ReworkRequested { .. }
        | PartState::ClarificationApproved
        | PartState::AwaitingAuthor
        | PartState::Returned => Ok(()),
        s => Err(wrong(deed, s.key())),
    }
}
