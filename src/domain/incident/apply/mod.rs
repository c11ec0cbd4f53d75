//! `apply`: a command by an actor at an instant gives the new incident and its events, or a
//! typed refusal (see the module documentation of `incident`).
//!
//! Each command family has its file: `triage` (routing, importance, topic, rerouting), `work`
//! (the executor's part: accept, return, drafts, clarification), `approval` (the approval chain
//! and the consolidated answer), `answer` (publication and where it was posted), `closing` (no
//! answer, explanations, appeals, handing back) and `duty` (the weekend emergency).

mod answer;
mod approval;
mod change;
mod closing;
mod duty;
mod triage;
mod work;

use chrono::{DateTime, Utc};

use super::stage_record;
use super::{Actor, Command, Incident, Rules, Transition, TransitionError};
use crate::domain::permission::permitted;
use change::Change;

/// Applies a command by an actor at an instant; see the module documentation.
///
/// Who may do it, and whether it can be done now, is the permission rule's answer
/// (`permission::permitted`); the command family's function checks the input and makes the
/// change; then the incident settles (deadlines, stage log, escalation).
pub fn apply(
    incident: &Incident,
    command: &Command,
    actor: &Actor,
    at: DateTime<Utc>,
    rules: Rules<'_>,
) -> Result<Transition, TransitionError> {
    permitted(actor, command.deed(), incident, rules.regulation)?;
    let mut change = Change {
        before: incident,
        next: incident.clone(),
        events: Vec::new(),
        actor,
        at,
        rules,
    };
    match command {
        Command::Route {
            assignments,
            importance,
            topic,
            location,
            deadlines,
        } => triage::route(
            &mut change,
            assignments,
            importance,
            topic,
            location,
            deadlines,
        )?,
        Command::SetImportance { importance } => triage::set_importance(&mut change, importance)?,
        Command::Classify { topic, location } => triage::classify(&mut change, topic, location)?,
        Command::Accept { part } => work::accept(&mut change, part)?,
        Command::Return {
            part,
            reason,
            comment,
        } => work::return_part(&mut change, part, reason, comment)?,
        Command::ProposeReturn {
            part,
            reason,
            comment,
        } => work::propose_return(&mut change, part, reason, comment)?,
        Command::Reroute { part, assignment } => triage::reroute(&mut change, part, assignment)?,
        Command::SubmitDraft {
            part,
            kind,
            text,
            attachments,
        } => work::submit_draft(&mut change, part, kind, text, attachments)?,
        Command::Approve {
            part: Some(part),
            version,
        } => approval::approve_part(&mut change, part, version)?,
        Command::Approve {
            part: None,
            version,
        } => approval::approve_consolidated(&mut change, version)?,
        Command::RequestRework {
            part,
            version,
            comment,
            deadline,
        } => approval::request_rework(&mut change, part, version, comment, deadline)?,
        Command::RecordClarificationPosted { part } => {
            work::record_clarification_posted(&mut change, part)?
        }
        Command::RecordAuthorReply { part, text } => {
            work::record_author_reply(&mut change, part, text)?
        }
        Command::SubmitConsolidated { text, attachments } => {
            approval::submit_consolidated(&mut change, text, attachments)?
        }
        Command::MarkPublished { part, link } => answer::mark_published(&mut change, part, link)?,
        Command::HandOver { part } => answer::hand_over(&mut change, part)?,
        Command::MarkNoAnswer { reason } => closing::mark_no_answer(&mut change, reason)?,
        Command::SendExplanation { kind, text } => {
            closing::send_explanation(&mut change, kind, text)?
        }
        Command::ReturnPreparedExplanation { comment } => {
            closing::return_prepared_explanation(&mut change, comment)?
        }
        Command::SetGeneralInterest { on } => answer::set_general_interest(&mut change, on)?,
        Command::RecordCrossPosts { links } => answer::record_cross_posts(&mut change, links)?,
        Command::PrepareExplanation { part, kind, text } => {
            work::prepare_explanation(&mut change, part, kind, text)?
        }
        Command::ConvertToAppeal { contact } => closing::convert_to_appeal(&mut change, contact)?,
        Command::Close => closing::close(&mut change)?,
        Command::ReturnToSource { comment } => closing::return_to_source(&mut change, comment)?,
        Command::RecordAppealRegistration { number } => {
            closing::record_appeal_registration(&mut change, number)?
        }
        Command::ReportCannotPublish { part, reason } => {
            answer::report_cannot_publish(&mut change, part, reason)?
        }
        Command::AnswerAsCurator { text, attachments } => {
            duty::answer_as_curator(&mut change, text, attachments)?
        }
        Command::AnswerDutyAlert { answer } => duty::answer_duty_alert(&mut change, answer)?,
    }
    let Change {
        mut next,
        mut events,
        ..
    } = change;
    events.extend(next.settle(rules));
    next.recompute(rules)?;
    stage_record::record(&mut next, rules, at)?;
    next.version = incident.version + 1;
    Ok(Transition {
        incident: next,
        events,
    })
}
