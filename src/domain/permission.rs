//! The one permission rule: may this actor do this deed to this incident (or part) now?
//!
//! The state machine (`incident::apply`) asks it before every command, the application core asks
//! it before opening a prompt, and the views ask it to show only the buttons a person may press.
//! It answers both "who" (roles, the assigned executor, their substitute, the department head,
//! the publisher the regulation names) and "now" (the state of the incident and of the part).

use super::incident::{
    Actor, ApprovalStep, DraftKind, Incident, IncidentState, Part, PartState, Role, TransitionError,
};
use super::regulation::{ExplanationAuthor, Publisher, Regulation, SplitMode};

mod deed;
pub use deed::Deed;

fn require(ok: bool, what: &'static str) -> Result<(), TransitionError> {
    if ok {
        Ok(())
    } else {
        Err(TransitionError::NotAllowed(what))
    }
}

/// A deed the regulation does not provide is refused as such, whoever asks.
fn provided(on: bool, what: &'static str) -> Result<(), TransitionError> {
    if on {
        Ok(())
    } else {
        Err(TransitionError::NotInRegulation(what))
    }
}

fn wrong(deed: Deed, state: &'static str) -> TransitionError {
    TransitionError::WrongState {
        command: deed.key(),
        state,
    }
}

fn part(incident: &Incident, i: usize) -> Result<&Part, TransitionError> {
    incident.parts.get(i).ok_or(TransitionError::NoSuchPart(i))
}

/// The executor, their substitute, or the head of the part's department.
fn works_on(actor: &Actor, p: &Part) -> bool {
    actor.handles(p.executor) || heads(actor, p)
}

/// The head of the part's department.
fn heads(actor: &Actor, p: &Part) -> bool {
    actor.has(Role::DepartmentHead) && actor.heads_departments.contains(&p.department)
}

/// Whether an actor who may return a part decides this reason on their own: under the competence
/// check (Barnaul §5 ¶1) only the department head (or the absent head's substitute) decides the
/// department's competence; the executor proposes it to them. A duplicate is anyone's to return.
pub fn decides_return(
    actor: &Actor,
    p: &Part,
    reason: super::incident::ReturnReason,
    regulation: &Regulation,
) -> bool {
    !regulation.workflow.competence_check
        || reason == super::incident::ReturnReason::Duplicate
        || heads(actor, p)
}

/// Who approves at a step.
pub fn may_approve(actor: &Actor, step: ApprovalStep, p: &Part) -> bool {
    match step {
        ApprovalStep::DepartmentHead => heads(actor, p),
        ApprovalStep::Deputy => {
            actor.has(Role::Deputy) && actor.supervises_departments.contains(&p.department)
        }
        ApprovalStep::Curator => actor.has(Role::Curator),
    }
}

/// Whether the approved parts are merged into one answer by the curator.
pub fn consolidates(incident: &Incident, regulation: &Regulation) -> bool {
    regulation.workflow.split == SplitMode::Consolidated
        && incident
            .parts
            .iter()
            .filter(|p| p.state != PartState::Returned)
            .count()
            > 1
}

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
        Deed::Route => {
            require(curator, "only a curator routes incidents")?;
            match state {
                IncidentState::New => Ok(()),
                IncidentState::InWork => Err(TransitionError::AlreadyDone("routed")),
                s => Err(wrong(deed, s.key())),
            }
        }
        Deed::SetImportance | Deed::Classify => {
            require(
                curator,
                "only a curator sets importance, topic and location",
            )?;
            if state.is_finished() {
                return Err(wrong(deed, state.key()));
            }
            Ok(())
        }
        Deed::Accept { part: i } => {
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
        Deed::Return { part: i } => {
            let p = part(incident, i)?;
            require(
                works_on(actor, p),
                "only the assigned executor, their substitute or the department head returns",
            )?;
            // Barnaul §5 ¶1: proposed already; the department head decides now.
            if p.proposed_return.is_some()
                && regulation.workflow.competence_check
                && !heads(actor, p)
            {
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
        Deed::ProposeReturn { part: i } => {
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
        Deed::Reroute { part: i } => {
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
        Deed::Draft { part: i, kind } => {
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
                    if p.state == PartState::AwaitingFinal
                        || p.timeline.interim_published_at.is_some()
                    {
                        return Err(TransitionError::Invalid(
                            "an interim answer is already published; the final answer is due"
                                .into(),
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
        Deed::Approve { part: Some(i) } => {
            let p = part(incident, i)?;
            let step = match p.state {
                PartState::DraftSubmitted { step, .. } => step,
                PartState::Approved { .. }
                | PartState::ClarificationApproved
                | PartState::AwaitingAuthor
                | PartState::AwaitingFinal
                | PartState::Done => return Err(TransitionError::AlreadyDone("approved")),
                s => return Err(wrong(deed, s.key())),
            };
            require(
                may_approve(actor, step, p),
                "this approval step belongs to someone else",
            )
        }
        Deed::Approve { part: None } => {
            require(curator, "only a curator approves the consolidated answer")?;
            match state {
                IncidentState::Consolidating => {}
                IncidentState::AwaitingPublication | IncidentState::Published => {
                    return Err(TransitionError::AlreadyDone("approved"))
                }
                s => return Err(wrong(deed, s.key())),
            }
            if incident.consolidated.is_none() {
                return Err(TransitionError::Invalid(
                    "write the consolidated answer first".into(),
                ));
            }
            Ok(())
        }
        Deed::Rework { part: i } => {
            let p = part(incident, i)?;
            let step = match p.state {
                PartState::DraftSubmitted { step, .. } => step,
                PartState::ReworkRequested { .. } => {
                    return Err(TransitionError::AlreadyDone("sent back for rework"))
                }
                s => return Err(wrong(deed, s.key())),
            };
            require(
                may_approve(actor, step, p),
                "this approval step belongs to someone else",
            )
        }
        Deed::PostClarification { part: i } => {
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
        Deed::RecordAuthorReply { part: i } => {
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
        Deed::WriteConsolidated => {
            require(curator, "only a curator writes the consolidated answer")?;
            match state {
                IncidentState::Consolidating => Ok(()),
                IncidentState::AwaitingPublication | IncidentState::Published => {
                    Err(TransitionError::AlreadyDone("consolidated"))
                }
                s => Err(wrong(deed, s.key())),
            }
        }
        Deed::Publish { part: None } => {
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
        Deed::Publish { part: Some(i) } => {
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
        Deed::MarkNoAnswer => {
            require(
                curator,
                "only a curator marks a message as needing no answer",
            )?;
            match state {
                IncidentState::New | IncidentState::InWork => Ok(()),
                IncidentState::NoAnswer => Err(TransitionError::AlreadyDone("no answer")),
                s => Err(wrong(deed, s.key())),
            }
        }
        Deed::Explain => {
            provided(
                !regulation.workflow.explanations.is_empty(),
                "explanations instead of an answer",
            )?;
            require(curator, "only a curator sends explanations")?;
            // Before routing, or while the departments work and nothing is published yet (a
            // department may find the message is not ours, or already answered).
            match state {
                IncidentState::New | IncidentState::InWork => {}
                IncidentState::ExplanationSent => {
                    return Err(TransitionError::AlreadyDone("explanation sent"))
                }
                s => return Err(wrong(deed, s.key())),
            }
            // Sakhalin 3.7 ¶2: the curator sends what the department prepared.
            if regulation.workflow.explanations_by == ExplanationAuthor::Department
                && incident.prepared_explanation.is_none()
            {
                return Err(TransitionError::Invalid(
                    "the department prepares the explanation first".into(),
                ));
            }
            Ok(())
        }
        Deed::ReturnPreparedExplanation => {
            require(curator, "only a curator sends an explanation back")?;
            match (state, &incident.prepared_explanation) {
                (IncidentState::InWork, Some(_)) => Ok(()),
                (IncidentState::ExplanationSent, _) => {
                    Err(TransitionError::AlreadyDone("explanation sent"))
                }
                (s, _) => Err(wrong(deed, s.key())),
            }
        }
        Deed::MarkGeneralInterest => {
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
        Deed::RecordCrossPosts => {
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
        Deed::PrepareExplanation { part: i } => {
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
        Deed::ConvertToAppeal => {
            provided(regulation.workflow.appeals, "official appeals under 59-FZ")?;
            require(curator, "only a curator converts a message to an appeal")?;
            match state {
                IncidentState::ConvertedToAppeal => Err(TransitionError::AlreadyDone("converted")),
                s if s.is_finished() => Err(wrong(deed, s.key())),
                _ => Ok(()),
            }
        }
        Deed::ReturnToSource => {
            require(
                curator,
                "only a curator hands an incident back to the monitoring system",
            )?;
            // Before routing, or once every department has returned it.
            match state {
                IncidentState::New => Ok(()),
                s => Err(wrong(deed, s.key())),
            }
        }
        Deed::RecordAppealRegistration => {
            require(curator, "only a curator records the appeal's registration")?;
            match state {
                IncidentState::ConvertedToAppeal => Ok(()),
                s => Err(wrong(deed, s.key())),
            }
        }
        Deed::HandOver { part } => {
            provided(
                regulation.workflow.hand_over,
                "handing the answer over instead of publishing it",
            )?;
            permitted_as(actor, Deed::Publish { part }, incident, regulation)
        }
        Deed::ReportCannotPublish { part } => {
            if incident.publication_impossible.is_some() {
                return Err(TransitionError::AlreadyDone("reported"));
            }
            permitted_as(actor, Deed::Publish { part }, incident, regulation)
        }
        Deed::Close => {
            require(curator, "only a curator closes incidents")?;
            if state.is_finished() {
                Ok(())
            } else {
                Err(wrong(deed, state.key()))
            }
        }
        Deed::AnswerDutyAlert => {
            require(
                actor.has(Role::DutyOfficer) || curator,
                "only the duty officer or a curator answers a weekend alert",
            )?;
            let Some(alert) = &incident.duty_alert else {
                return Err(wrong(deed, state.key()));
            };
            if alert.answer.is_some() || incident.own_answer {
                return Err(TransitionError::AlreadyDone("the alert is answered"));
            }
            if state.is_finished() {
                return Err(wrong(deed, state.key()));
            }
            Ok(())
        }
        Deed::AnswerAsCurator => {
            // Where the profile gives days-off emergencies to the curator (or the operator), and
            // only for an emergency on days off: on working days the departments answer and
            // the curator approves (Vorsino 2.1–2.2, Sakhalin 3.1–3.3).
            provided(
                regulation.workflow.curator_answers_emergencies,
                "the curator's own answer to an emergency",
            )?;
            require(
                curator,
                "only a curator, or the duty officer who took the alert, answers it themselves",
            )?;
            match state {
                IncidentState::New if incident.duty_alert.is_some() => Ok(()),
                IncidentState::AwaitingPublication | IncidentState::Published
                    if incident.own_answer =>
                {
                    Err(TransitionError::AlreadyDone("answered by the curator"))
                }
                s => Err(wrong(deed, s.key())),
            }
        }
        Deed::ReadFullText => {
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
