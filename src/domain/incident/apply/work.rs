//! The executor's part: accepting, returning or proposing a return, drafts, the clarification
//! request's posting and the author's reply, an explanation prepared for the curator.

use super::change::*;
use crate::domain::incident::*;
use crate::domain::permission::consolidates;
use crate::domain::regulation::*;

pub(super) fn accept(c: &mut Change<'_>, part: &usize) -> Result<(), TransitionError> {
    let next = &mut c.next;
    let events = &mut c.events;
    next.parts[*part].state = PartState::Accepted;
    next.parts[*part].proposed_return = None;
    events.push(Event::Accepted { part: *part });
    Ok(())
}

pub(super) fn return_part(
    c: &mut Change<'_>,
    part: &usize,
    reason: &ReturnReason,
    comment: &str,
) -> Result<(), TransitionError> {
    let incident = c.before;
    let actor = c.actor;
    let at = c.at;
    let reg = c.rules.regulation;
    let next = &mut c.next;
    let events = &mut c.events;
    // Barnaul §5 ¶1: under the competence check the head decides what is the
    // department's to answer; the executor proposes (`ProposeReturn`).
    if !crate::domain::permission::decides_return(actor, &incident.parts[*part], *reason, reg) {
        return Err(TransitionError::NotAllowed(
            "under the competence check the department head decides the department's competence",
        ));
    }
    let comment = comment.trim().to_string();
    let np = &mut next.parts[*part];
    np.proposed_return = None;
    np.state = PartState::Returned;
    np.returned = Some((*reason, comment.clone()));
    np.timeline.returned_at = Some(at);
    events.push(Event::Returned {
        part: *part,
        reason: *reason,
        comment,
    });
    // One department is left of a consolidated answer: its approved answer, held for
    // the merge, is now the answer and goes to publication.
    if consolidates(incident, reg) && !consolidates(next, reg) {
        for (i, p) in next.parts.iter().enumerate() {
            if let PartState::Approved { kind } = p.state {
                events.push(Event::PublicationRequested {
                    part: Some(i),
                    publisher: reg.workflow.publisher,
                    kind,
                });
            }
        }
    }
    Ok(())
}

pub(super) fn propose_return(
    c: &mut Change<'_>,
    part: &usize,
    reason: &ReturnReason,
    comment: &str,
) -> Result<(), TransitionError> {
    let actor = c.actor;
    let at = c.at;
    let next = &mut c.next;
    let events = &mut c.events;
    next.parts[*part].proposed_return = Some(ProposedReturn {
        reason: *reason,
        comment: comment.trim().to_string(),
        by: actor.person,
        at,
    });
    events.push(Event::ReturnProposed {
        part: *part,
        reason: *reason,
    });
    Ok(())
}

pub(super) fn submit_draft(
    c: &mut Change<'_>,
    part: &usize,
    kind: &DraftKind,
    text: &str,
    attachments: &[String],
) -> Result<(), TransitionError> {
    let actor = c.actor;
    let at = c.at;
    let reg = c.rules.regulation;
    let next = &mut c.next;
    let events = &mut c.events;
    let text = non_empty(text, "the draft text")?;
    let steps = approval_steps(reg, *kind);
    let step = steps[0];
    let np = &mut next.parts[*part];
    let version = np.drafts.len() as u32 + 1;
    np.drafts.push(Draft {
        version,
        kind: *kind,
        text,
        attachments: attachments.to_vec(),
        author: actor.person,
        submitted_at: at,
        reviews: Vec::new(),
    });
    np.state = PartState::DraftSubmitted { kind: *kind, step };
    np.timeline.approval_step_started_at = Some(at);
    events.push(Event::ApprovalRequested {
        part: Some(*part),
        step,
        kind: *kind,
        version,
    });
    Ok(())
}

pub(super) fn record_clarification_posted(
    c: &mut Change<'_>,
    part: &usize,
) -> Result<(), TransitionError> {
    let at = c.at;
    let next = &mut c.next;
    let events = &mut c.events;
    let np = &mut next.parts[*part];
    np.state = PartState::AwaitingAuthor;
    np.pauses.push(Pause {
        start: at,
        end: None,
    });
    events.push(Event::ClarificationAwaitingAuthor { part: *part });
    Ok(())
}

pub(super) fn record_author_reply(
    c: &mut Change<'_>,
    part: &usize,
    text: &str,
) -> Result<(), TransitionError> {
    let at = c.at;
    let next = &mut c.next;
    let events = &mut c.events;
    let text = non_empty(text, "the author's reply")?;
    let np = &mut next.parts[*part];
    if let Some(pause) = np.pauses.iter_mut().find(|x| x.end.is_none()) {
        pause.end = Some(at.max(pause.start));
    }
    np.state = if np.timeline.interim_published_at.is_some() {
        PartState::AwaitingFinal
    } else {
        PartState::Accepted
    };
    events.push(Event::AuthorReplied { part: *part, text });
    Ok(())
}

pub(super) fn prepare_explanation(
    c: &mut Change<'_>,
    part: &usize,
    kind: &ExplanationKind,
    text: &str,
) -> Result<(), TransitionError> {
    let actor = c.actor;
    let at = c.at;
    let reg = c.rules.regulation;
    let next = &mut c.next;
    let events = &mut c.events;
    explanation_provided(reg, *kind)?;
    let text = non_empty(text, "the explanation")?;
    next.prepared_explanation = Some(PreparedExplanation {
        part: *part,
        kind: *kind,
        text,
        by: actor.person,
        at,
    });
    events.push(Event::ExplanationPrepared {
        part: *part,
        kind: *kind,
    });
    Ok(())
}
