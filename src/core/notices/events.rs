//! Which event notifies whom: a transition's events become notices for audiences, by the
//! regulation (who publishes, the competence check, the weekend rule).

use crate::core::notices::audience::{clarification_publisher, cross_poster, Audience};
use crate::core::notices::notice::Notice;
use crate::core::org::OrgRules;
use crate::domain::incident::{ApprovalStep, Event, Incident, PartState};
use crate::domain::regulation::{Importance, Publisher, WeekendRule};
use crate::storage::{OutboxRow, Recipient};

/// What `notices_for` reads besides the events: the incident as it is now, the organisation's
/// rules, and whether Otklik answers under the message itself (a channel comment).
struct Context<'a> {
    incident: &'a Incident,
    rules: &'a OrgRules,
    has_reply_target: bool,
}

/// The notices a transition's events call for, by family; every change ends with the cards
/// redrawn. `has_reply_target`: Otklik can publish the answer itself (a channel comment).
pub fn notices_for(
    events: &[Event],
    incident: &Incident,
    rules: &OrgRules,
    has_reply_target: bool,
) -> Vec<(Audience, Notice)> {
    let c = Context {
        incident,
        rules,
        has_reply_target,
    };
    let mut out = Vec::new();
    for event in events {
        match event {
            Event::Registered | Event::WeekendEmergency { .. } | Event::EscalatedToHead => {
                arrival(event, &c, &mut out)
            }
            Event::Routed { .. }
            | Event::ImportanceChanged { .. }
            | Event::Returned { .. }
            | Event::ReturnProposed { .. }
            | Event::Accepted { .. } => routing(event, &c, &mut out),
            Event::ApprovalRequested { .. }
            | Event::ReworkRequested { .. }
            | Event::ClarificationApproved { .. }
            | Event::AuthorReplied { .. }
            | Event::ConsolidationRequested => approval(event, &c, &mut out),
            Event::Published { .. }
            | Event::GeneralInterestSet { .. }
            | Event::PublicationRequested { .. }
            | Event::PublicationImpossible { .. } => publication(event, &c, &mut out),
            Event::PreparedExplanationReturned { .. }
            | Event::ExplanationPrepared { .. }
            | Event::ExplanationSent { .. } => explanations(event, &c, &mut out),
            Event::DutyAlertAnswered { .. } => out.push((Audience::Curators, Notice::DutyAnswered)),
            // Everything else shows on the cards, which every change redraws.
            Event::Classified { .. }
            | Event::ApprovedStep { .. }
            | Event::ClarificationAwaitingAuthor { .. }
            | Event::CrossPosted { .. }
            | Event::NoAnswer { .. }
            | Event::ReturnedToSource { .. }
            | Event::AppealRegistered { .. }
            | Event::ConvertedToAppeal
            | Event::AnsweredByCurator
            | Event::Closed => {}
        }
    }
    if !events.is_empty() {
        out.push((Audience::Worker, Notice::RefreshCards { pressed: None }));
    }
    out
}

/// A new incident, an emergency on days off, an escalation.
fn arrival(event: &Event, c: &Context<'_>, out: &mut Vec<(Audience, Notice)>) {
    match event {
        // An incident routed at intake gets the status card, not the triage card.
        Event::Registered if c.incident.parts.is_empty() => {
            out.push((Audience::Curators, Notice::Triage))
        }
        Event::Registered => out.push((Audience::Curators, Notice::CuratorCard)),
        Event::WeekendEmergency { rule } => match rule {
            // The curators (Sakhalin's operator) have the new incident's card already.
            WeekendRule::DutyOfficer => out.push((Audience::FirstOnDuty, Notice::WeekendEmergency)),
            WeekendRule::Curator => out.push((Audience::Curators, Notice::WeekendEmergency)),
            WeekendRule::NextWorkingDay => {}
        },
        Event::EscalatedToHead => out.push((Audience::Significant, Notice::Escalation)),
        _ => {}
    }
}

/// A part routed, raised in importance, returned or proposed for return, accepted.
fn routing(event: &Event, c: &Context<'_>, out: &mut Vec<(Audience, Notice)>) {
    let regulation = c.rules.regulation();
    match event {
        Event::Routed { part, .. } => {
            out.push((
                Audience::Executor(*part),
                Notice::IncidentCard { part: *part },
            ));
            if regulation.workflow.competence_check {
                out.push((
                    Audience::DepartmentHead(*part),
                    Notice::CompetenceCheck { part: *part },
                ));
            }
        }
        Event::ImportanceChanged { importance } if *importance == Importance::High => {
            let active = c
                .incident
                .parts
                .iter()
                .enumerate()
                .filter(|(_, p)| p.state != PartState::Returned);
            for (p, _) in active {
                out.push((Audience::Executor(p), Notice::ImportanceRaised));
            }
        }
        Event::Returned { part, .. } => {
            out.push((Audience::Curators, Notice::Returned { part: *part }))
        }
        // Barnaul §5 ¶1: the head decides; the card says what the executor found. A department
        // without a head (import warns) leaves it to the curators to sort out.
        Event::ReturnProposed { part, .. } => {
            let headless = c
                .incident
                .parts
                .get(*part)
                .is_some_and(|p| c.rules.department_head(p.department).is_none());
            let audience = if headless {
                Audience::Curators
            } else {
                Audience::DepartmentHead(*part)
            };
            out.push((audience, Notice::CompetenceCheck { part: *part }))
        }
        // Barnaul §5: the head's confirmation is what lets the executor start.
        Event::Accepted { part } if regulation.workflow.competence_check => out.push((
            Audience::Executor(*part),
            Notice::CompetenceConfirmed { part: *part },
        )),
        _ => {}
    }
}

/// The approval chain, rework, the clarification request and the author's reply, the
/// consolidated answer.
fn approval(event: &Event, c: &Context<'_>, out: &mut Vec<(Audience, Notice)>) {
    match event {
        Event::ApprovalRequested {
            part,
            step,
            version,
            ..
        } => {
            let audience = match (part, step) {
                (Some(p), ApprovalStep::DepartmentHead) => Audience::DepartmentHead(*p),
                (Some(p), ApprovalStep::Deputy) => Audience::Deputies(Some(*p)),
                _ => Audience::Curators,
            };
            out.push((
                audience,
                Notice::Approval {
                    part: *part,
                    version: *version,
                },
            ));
        }
        Event::ReworkRequested {
            part: Some(p),
            version,
            comment,
        } => out.push((
            Audience::Executor(*p),
            Notice::Rework {
                part: *p,
                version: *version,
                comment: comment.clone(),
            },
        )),
        // Otklik posts the request itself where it replies under the message; elsewhere
        // Borovichi §10: the executor posts it; other regulations: the curators.
        Event::ClarificationApproved { part } if c.has_reply_target => out.push((
            Audience::Worker,
            Notice::AutoPostClarification { part: *part },
        )),
        Event::ClarificationApproved { part } => out.push((
            clarification_publisher(*part, c.rules.regulation()),
            Notice::ClarificationToPublish { part: *part },
        )),
        Event::AuthorReplied { part, text } => out.push((
            Audience::Executor(*part),
            Notice::AuthorReplied {
                part: *part,
                text: text.clone(),
            },
        )),
        Event::ConsolidationRequested => out.push((Audience::Curators, Notice::Consolidate)),
        _ => {}
    }
}

/// Publishing the answer: who is asked to publish, cross-posts of a general-interest answer, an
/// answer that cannot be published.
fn publication(event: &Event, c: &Context<'_>, out: &mut Vec<(Audience, Notice)>) {
    let (incident, regulation) = (c.incident, c.rules.regulation());
    match event {
        // Vorsino 2.5, Sakhalin 3.5: the publisher posts a general-interest answer on the
        // official pages and site too.
        Event::Published {
            part,
            interim: false,
            ..
        } if incident.general_interest && incident.cross_posts.is_empty() => {
            out.push((cross_poster(*part, incident, regulation), Notice::CrossPost))
        }
        Event::GeneralInterestSet { on: true }
            if incident.answer_published() && incident.cross_posts.is_empty() =>
        {
            out.push((cross_poster(None, incident, regulation), Notice::CrossPost))
        }
        Event::PublicationRequested {
            part, publisher, ..
        } => {
            if c.has_reply_target {
                out.push((Audience::Worker, Notice::AutoPublish { part: *part }));
            } else {
                let audience = match (part, publisher) {
                    (Some(p), Publisher::Executor) => Audience::Executor(*p),
                    _ => Audience::Curators,
                };
                out.push((audience, Notice::PublishRequest { part: *part }));
            }
        }
        // The executor publishes: the curators learn it cannot be done (Barnaul §8).
        Event::PublicationImpossible { part, .. }
            if regulation.workflow.publisher == Publisher::Executor =>
        {
            out.push((Audience::Curators, Notice::CannotPublish { part: *part }))
        }
        _ => {}
    }
}

/// Explanations prepared by a department, sent back, or sent under the comment.
fn explanations(event: &Event, c: &Context<'_>, out: &mut Vec<(Audience, Notice)>) {
    match event {
        Event::PreparedExplanationReturned { part, comment } => out.push((
            Audience::Executor(*part),
            Notice::ExplanationReturned {
                part: *part,
                comment: comment.clone(),
            },
        )),
        Event::ExplanationPrepared { part, .. } => out.push((
            Audience::Curators,
            Notice::ExplanationPrepared { part: *part },
        )),
        // Where Otklik answers under the comment itself, it posts the explanation there too.
        Event::ExplanationSent { .. } if c.has_reply_target => {
            out.push((Audience::Worker, Notice::AutoPostExplanation))
        }
        _ => {}
    }
}

/// The row that has the delivery worker redraw an incident's cards (after a change made outside
/// a transition: a repeat marked, an incident anonymised).
pub fn refresh_row(key: String) -> OutboxRow {
    let notice = Notice::RefreshCards { pressed: None };
    OutboxRow {
        incident: None,
        recipient: Recipient::Worker,
        kind: notice.kind().to_string(),
        payload: notice.to_json(),
        key,
        lane: notice.lane().number(),
    }
}
