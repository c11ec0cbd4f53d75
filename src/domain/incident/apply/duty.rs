//! The weekend emergency: the duty officer's answer to the alert, the curator's own answer.

use super::change::*;
use crate::domain::incident::*;
use crate::domain::regulation::*;

pub(super) fn answer_as_curator(
    c: &mut Change<'_>,
    text: &str,
    attachments: &[String],
) -> Result<(), TransitionError> {
    let actor = c.actor;
    let at = c.at;
    let next = &mut c.next;
    let events = &mut c.events;
    let text = non_empty(text, "the answer")?;
    // Written and approved by the same person: nobody else reviews it on days off.
    next.consolidated = Some(Draft {
        version: 1,
        kind: DraftKind::Answer,
        text,
        attachments: attachments.to_vec(),
        author: actor.person,
        submitted_at: at,
        reviews: vec![Review {
            by: actor.person,
            at,
            step: ApprovalStep::Curator,
            rework_comment: None,
        }],
    });
    next.consolidated_approved_at = Some(at);
    next.own_answer = true;
    next.state = IncidentState::AwaitingPublication;
    events.push(Event::AnsweredByCurator);
    events.push(Event::PublicationRequested {
        part: None,
        publisher: Publisher::Curator,
        kind: DraftKind::Answer,
    });
    Ok(())
}

pub(super) fn answer_duty_alert(
    c: &mut Change<'_>,
    answer: &DutyAnswerKind,
) -> Result<(), TransitionError> {
    let actor = c.actor;
    let at = c.at;
    let next = &mut c.next;
    let events = &mut c.events;
    if let Some(alert) = next.duty_alert.as_mut() {
        alert.answer = Some(DutyAnswer {
            kind: *answer,
            by: actor.person,
            at,
        });
    }
    events.push(Event::DutyAlertAnswered { answer: *answer });
    Ok(())
}
