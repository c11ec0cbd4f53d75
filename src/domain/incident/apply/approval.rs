//! The approval chain: approving a part's draft or the consolidated answer, sending it back
//! for rework, writing the consolidated answer.

use chrono::{DateTime, Utc};

use super::change::*;
use crate::domain::incident::*;
use crate::domain::permission::consolidates;
use crate::domain::regulation::*;

pub(super) fn approve_part(
    c: &mut Change<'_>,
    part: &usize,
    version: &Option<u32>,
) -> Result<(), TransitionError> {
    let incident = c.before;
    let actor = c.actor;
    let at = c.at;
    let reg = c.rules.regulation;
    let next = &mut c.next;
    let events = &mut c.events;
    let p = &incident.parts[*part];
    let PartState::DraftSubmitted { kind, step } = p.state else {
        return Err(TransitionError::NoSuchPart(*part));
    };
    let current = p.current_draft().map(|d| d.version).unwrap_or(0);
    check_version(*version, current)?;
    let steps = approval_steps(reg, kind);
    let np = &mut next.parts[*part];
    if let Some(d) = np.drafts.last_mut() {
        d.reviews.push(Review {
            by: actor.person,
            at,
            step,
            rework_comment: None,
        });
    }
    events.push(Event::ApprovedStep {
        part: Some(*part),
        step,
        version: current,
    });
    let pos = steps.iter().position(|s| *s == step).unwrap_or(steps.len());
    if let Some(next_step) = steps.get(pos + 1) {
        np.state = PartState::DraftSubmitted {
            kind,
            step: *next_step,
        };
        np.timeline.approval_step_started_at = Some(at);
        events.push(Event::ApprovalRequested {
            part: Some(*part),
            step: *next_step,
            kind,
            version: current,
        });
    } else if kind == DraftKind::Clarification {
        // The clock stops only when the request reaches the author (Borovichi §10).
        np.state = PartState::ClarificationApproved;
        events.push(Event::ClarificationApproved { part: *part });
    } else {
        np.state = PartState::Approved { kind };
        np.timeline.approved_at = Some(at);
        if !consolidates(incident, reg) {
            events.push(Event::PublicationRequested {
                part: Some(*part),
                publisher: reg.workflow.publisher,
                kind,
            });
        }
    }
    Ok(())
}

pub(super) fn approve_consolidated(
    c: &mut Change<'_>,
    version: &Option<u32>,
) -> Result<(), TransitionError> {
    let incident = c.before;
    let actor = c.actor;
    let at = c.at;
    let next = &mut c.next;
    let events = &mut c.events;
    let Some(draft) = incident.consolidated.as_ref() else {
        return Err(TransitionError::Invalid(
            "write the consolidated answer first".into(),
        ));
    };
    check_version(*version, draft.version)?;
    let v = draft.version;
    if let Some(d) = next.consolidated.as_mut() {
        d.reviews.push(Review {
            by: actor.person,
            at,
            step: ApprovalStep::Curator,
            rework_comment: None,
        });
    }
    next.consolidated_approved_at = Some(at);
    next.state = IncidentState::AwaitingPublication;
    events.push(Event::ApprovedStep {
        part: None,
        step: ApprovalStep::Curator,
        version: v,
    });
    events.push(Event::PublicationRequested {
        part: None,
        publisher: Publisher::Curator,
        kind: DraftKind::Answer,
    });
    Ok(())
}

pub(super) fn request_rework(
    c: &mut Change<'_>,
    part: &Option<usize>,
    version: &Option<u32>,
    comment: &str,
    deadline: &Option<DateTime<Utc>>,
) -> Result<(), TransitionError> {
    let incident = c.before;
    let actor = c.actor;
    let at = c.at;
    let reg = c.rules.regulation;
    let next = &mut c.next;
    let events = &mut c.events;
    let Some(part) = part else {
        return Err(TransitionError::Invalid(
            "the curator edits the consolidated answer directly; send a part back instead".into(),
        ));
    };
    let comment = non_empty(comment, "the rework comment")?;
    let p = &incident.parts[*part];
    let PartState::DraftSubmitted { kind, step } = p.state else {
        return Err(TransitionError::NoSuchPart(*part));
    };
    let current = p.current_draft().map(|d| d.version).unwrap_or(0);
    check_version(*version, current)?;
    if reg.rule(Stage::Rework, incident.importance) == Some(&DeadlineRule::SetByCurator) {
        match deadline {
            Some(t) if *t > at => {
                next.curator_set.insert(Stage::Rework, *t);
            }
            Some(_) => {
                return Err(TransitionError::Invalid(
                    "the rework deadline must be in the future".into(),
                ))
            }
            None => return Err(TransitionError::MissingCuratorDeadline(Stage::Rework)),
        }
    }
    let np = &mut next.parts[*part];
    if let Some(d) = np.drafts.last_mut() {
        d.reviews.push(Review {
            by: actor.person,
            at,
            step,
            rework_comment: Some(comment.clone()),
        });
    }
    np.state = PartState::ReworkRequested { kind };
    np.timeline.rework_requested_at = Some(at);
    events.push(Event::ReworkRequested {
        part: Some(*part),
        version: current,
        comment,
    });
    Ok(())
}

pub(super) fn submit_consolidated(
    c: &mut Change<'_>,
    text: &str,
    attachments: &[String],
) -> Result<(), TransitionError> {
    let incident = c.before;
    let actor = c.actor;
    let at = c.at;
    let next = &mut c.next;
    let events = &mut c.events;
    let text = non_empty(text, "the consolidated answer")?;
    let version = incident.consolidated.as_ref().map_or(1, |d| d.version + 1);
    next.consolidated = Some(Draft {
        version,
        kind: DraftKind::Answer,
        text,
        attachments: attachments.to_vec(),
        author: actor.person,
        submitted_at: at,
        reviews: Vec::new(),
    });
    events.push(Event::ApprovalRequested {
        part: None,
        step: ApprovalStep::Curator,
        kind: DraftKind::Answer,
        version,
    });
    Ok(())
}
