//! Ending without an ordinary answer: no answer, explanations, an appeal and its number,
//! closing, handing back to the source.

use super::change::*;
use crate::domain::incident::*;
use crate::domain::regulation::*;

pub(super) fn mark_no_answer(
    c: &mut Change<'_>,
    reason: &NoAnswerReason,
) -> Result<(), TransitionError> {
    let next = &mut c.next;
    let events = &mut c.events;
    next.state = IncidentState::NoAnswer;
    next.no_answer = Some(*reason);
    events.push(Event::NoAnswer { reason: *reason });
    Ok(())
}

pub(super) fn send_explanation(
    c: &mut Change<'_>,
    kind: &ExplanationKind,
    text: &str,
) -> Result<(), TransitionError> {
    let reg = c.rules.regulation;
    let next = &mut c.next;
    let events = &mut c.events;
    explanation_provided(reg, *kind)?;
    let text = non_empty(text, "the explanation")?;
    next.state = IncidentState::ExplanationSent;
    next.explanation = Some((*kind, text));
    next.prepared_explanation = None;
    events.push(Event::ExplanationSent { kind: *kind });
    Ok(())
}

pub(super) fn return_prepared_explanation(
    c: &mut Change<'_>,
    comment: &str,
) -> Result<(), TransitionError> {
    let next = &mut c.next;
    let events = &mut c.events;
    let comment = non_empty(comment, "the comment")?;
    let Some(prepared) = next.prepared_explanation.take() else {
        return Err(TransitionError::Invalid(
            "no explanation is prepared".into(),
        ));
    };
    events.push(Event::PreparedExplanationReturned {
        part: prepared.part,
        comment,
    });
    Ok(())
}

pub(super) fn convert_to_appeal(
    c: &mut Change<'_>,
    contact: &AppealContact,
) -> Result<(), TransitionError> {
    let next = &mut c.next;
    let events = &mut c.events;
    if contact.consent.is_none() {
        return Err(TransitionError::Invalid(
            "an appeal needs the author's recorded consent".into(),
        ));
    }
    let contact = AppealContact {
        full_name: non_empty(&contact.full_name, "the author's full name")?,
        address: non_empty(&contact.address, "the postal or e-mail address")?,
        phone: contact.phone.trim().to_string(),
        consent: contact.consent,
    };
    next.state = IncidentState::ConvertedToAppeal;
    next.appeal = Some(contact);
    events.push(Event::ConvertedToAppeal);
    Ok(())
}

pub(super) fn close(c: &mut Change<'_>) -> Result<(), TransitionError> {
    let next = &mut c.next;
    let events = &mut c.events;
    next.state = IncidentState::Closed;
    events.push(Event::Closed);
    Ok(())
}

pub(super) fn return_to_source(c: &mut Change<'_>, comment: &str) -> Result<(), TransitionError> {
    let next = &mut c.next;
    let events = &mut c.events;
    let comment = non_empty(comment, "the reason")?;
    next.state = IncidentState::Closed;
    next.returned_to_source = Some(comment.clone());
    events.push(Event::ReturnedToSource { comment });
    Ok(())
}

pub(super) fn record_appeal_registration(
    c: &mut Change<'_>,
    number: &str,
) -> Result<(), TransitionError> {
    let next = &mut c.next;
    let events = &mut c.events;
    let number = non_empty(number, "the registration number")?;
    next.appeal_registration = Some(number.clone());
    events.push(Event::AppealRegistered { number });
    Ok(())
}
