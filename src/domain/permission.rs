//! The one permission rule: may this actor do this deed to this incident (or part) now?
//!
//! The state machine (`incident::apply`) asks it before every command, the application core asks
//! it before opening a prompt, and the views ask it to show only the buttons a person may press.
//! It answers both "who" (roles, the assigned executor, their substitute, the department head,
//! the publisher the regulation names) and "now" (the state of the incident and of the part).

use super::incident::{
    Actor, DraftKind, Incident, IncidentState, PartState, Role, TransitionError,
};
use super::regulation::Regulation;

mod answer;
mod approval;
mod check;
mod closing;
mod deed;
mod duty;
mod reading;
mod triage;
mod work;

pub use check::{consolidates, decides_return, may_approve};
use check::{require, wrong, Asked};
pub use deed::Deed;

/// The duty officer who took a weekend alert («Беру») owns the incident: on it, they act as a
/// curator would.
fn acting(actor: &Actor, incident: &Incident) -> Option<Actor> {
    let answer = incident.duty_alert.and_then(|a| a.answer)?;
    let owns = answer.kind == super::incident::DutyAnswerKind::Taken
        && answer.by == actor.person
        && !actor.roles.is_empty()
        && !actor.has(Role::Curator);
    owns.then(|| {
        let mut a = actor.clone();
        a.roles.push(Role::Curator);
        a
    })
}

/// May `actor` do `deed` to `incident` now? `Ok(())`, or the refusal the state machine gives.
pub fn permitted(
    actor: &Actor,
    deed: Deed,
    incident: &Incident,
    regulation: &Regulation,
) -> Result<(), TransitionError> {
    match acting(actor, incident) {
        Some(owner) => permitted_as(&owner, deed, incident, regulation),
        None => permitted_as(actor, deed, incident, regulation),
    }
}

fn permitted_as(
    actor: &Actor,
    deed: Deed,
    incident: &Incident,
    regulation: &Regulation,
) -> Result<(), TransitionError> {
    // A person without any role (deactivated, or never given one) can do nothing.
    require(
        !actor.roles.is_empty(),
        "this person has no role in the organisation",
    )?;
    let curator = actor.has(Role::Curator);
    let state = incident.state;
    let c = Asked {
        actor,
        deed,
        incident,
        regulation,
        curator,
        state,
    };
    if state == IncidentState::Closed {
        return match deed {
            Deed::Close => Err(TransitionError::AlreadyDone("closed")),
            Deed::ReturnToSource if incident.returned_to_source.is_some() => Err(
                TransitionError::AlreadyDone("returned to the monitoring system"),
            ),
            Deed::ReadFullText => Ok(()),
            _ => Err(wrong(deed, state.key())),
        };
    }
    match deed {
        Deed::Route => triage::route(&c),
        Deed::SetImportance | Deed::Classify => triage::set_importance_or_classify(&c),
        Deed::Accept { part: i } => work::accept(&c, i),
        Deed::Return { part: i } => work::return_part(&c, i),
        Deed::ProposeReturn { part: i } => work::propose_return(&c, i),
        Deed::Reroute { part: i } => triage::reroute(&c, i),
        Deed::Draft { part: i, kind } => work::draft(&c, i, kind),
        Deed::Approve { part: Some(i) } => approval::approve_part(&c, i),
        Deed::Approve { part: None } => approval::approve_consolidated(&c),
        Deed::Rework { part: i } => approval::rework(&c, i),
        Deed::PostClarification { part: i } => work::post_clarification(&c, i),
        Deed::RecordAuthorReply { part: i } => work::record_author_reply(&c, i),
        Deed::WriteConsolidated => approval::write_consolidated(&c),
        Deed::Publish { part: None } => answer::publish_consolidated(&c),
        Deed::Publish { part: Some(i) } => answer::publish_part(&c, i),
        Deed::MarkNoAnswer => closing::mark_no_answer(&c),
        Deed::Explain => closing::explain(&c),
        Deed::ReturnPreparedExplanation => closing::return_prepared_explanation(&c),
        Deed::MarkGeneralInterest => answer::mark_general_interest(&c),
        Deed::RecordCrossPosts => answer::record_cross_posts(&c),
        Deed::PrepareExplanation { part: i } => work::prepare_explanation(&c, i),
        Deed::ConvertToAppeal => closing::convert_to_appeal(&c),
        Deed::ReturnToSource => closing::return_to_source(&c),
        Deed::RecordAppealRegistration => closing::record_appeal_registration(&c),
        Deed::HandOver { part } => answer::hand_over(&c, part),
        Deed::ReportCannotPublish { part } => answer::report_cannot_publish(&c, part),
        Deed::Close => closing::close(&c),
        Deed::AnswerDutyAlert => duty::answer_duty_alert(&c),
        Deed::AnswerAsCurator => duty::answer_as_curator(&c),
        Deed::ReadFullText => reading::read_full_text(&c),
    }
}

/// May `actor` start a draft of this kind on the part — pressing the button accepts a part not
/// yet accepted first, so the answer is "may they accept, and then draft".
pub fn may_start_draft(
    actor: &Actor,
    part: usize,
    kind: DraftKind,
    incident: &Incident,
    regulation: &Regulation,
) -> bool {
    let deed = Deed::Draft { part, kind };
    if permitted(actor, deed, incident, regulation).is_ok() {
        return true;
    }
    let routed = incident
        .parts
        .get(part)
        .is_some_and(|p| p.state == PartState::Routed);
    if !routed || permitted(actor, Deed::Accept { part }, incident, regulation).is_err() {
        return false;
    }
    let mut accepted = incident.clone();
    accepted.parts[part].state = PartState::Accepted;
    permitted(actor, deed, &accepted, regulation).is_ok()
}

/// May `actor` see the overview of all the organisation's open incidents (`/open`, `/overdue`,
/// the morning digest of the whole organisation)? Those who answer for timeliness.
pub fn may_see_overview(actor: &Actor) -> bool {
    [Role::Curator, Role::Head, Role::Deputy, Role::Administrator]
        .iter()
        .any(|r| actor.has(*r))
}
