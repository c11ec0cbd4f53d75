//! Who must hear about what: domain events turned into notices for audiences.
//!
//! Messenger-neutral: an audience (the part's executor, the curators, the head, ...) is resolved
//! to people and chats by storage inside the same transaction as the state change, and each
//! notice becomes an outbox row that a messenger adapter renders from `dialogues/`.

use crate::domain::incident::{ApprovalStep, Event, Incident};
use crate::domain::regulation::{Publisher, Regulation, WeekendRule};

/// Who a notice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The executor of a part (or their substitute while they are absent).
    Executor(usize),
    /// The curators' group chat (or each curator when no group is set).
    Curators,
    /// The head of the organisation.
    Head,
    /// The head of the part's department.
    DepartmentHead(usize),
    /// The supervising deputies.
    Deputies,
    /// Today's duty officers (the curators when nobody is on the roster).
    DutyOfficers,
}

/// One message to send: its kind (a key the messenger adapter renders) and the event behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub audience: Audience,
    pub message: &'static str,
    pub event: Event,
}

/// The notices a transition's events call for.
pub fn notices(events: &[Event], incident: &Incident, regulation: &Regulation) -> Vec<Notice> {
    let mut out = Vec::new();
    let mut push = |audience: Audience, message: &'static str, event: &Event| {
        out.push(Notice {
            audience,
            message,
            event: event.clone(),
        })
    };
    let active_parts: Vec<usize> = incident
        .parts
        .iter()
        .enumerate()
        .filter(|(_, p)| p.state != crate::domain::incident::PartState::Returned)
        .map(|(i, _)| i)
        .collect();
    for event in events {
        match event {
            Event::Registered => push(Audience::Curators, "triage", event),
            Event::WeekendEmergency { rule } => match rule {
                WeekendRule::DutyOfficer => {
                    push(Audience::DutyOfficers, "weekend_emergency", event)
                }
                WeekendRule::Curator => push(Audience::Curators, "weekend_emergency", event),
                WeekendRule::NextWorkingDay => {}
            },
            Event::EscalatedToHead => push(Audience::Head, "escalation", event),
            Event::Routed { part, .. } => {
                push(Audience::Executor(*part), "incident_card", event);
                if regulation.workflow.competence_check {
                    push(Audience::DepartmentHead(*part), "competence_check", event);
                }
            }
            Event::ImportanceChanged { .. } => {
                for p in &active_parts {
                    push(Audience::Executor(*p), "importance_changed", event);
                }
            }
            Event::Accepted { .. } => push(Audience::Curators, "status", event),
            // The curator who set them sees the card change; executors see it on their next card.
            Event::Classified { .. } => {}
            Event::Returned { .. } => push(Audience::Curators, "returned", event),
            Event::ApprovalRequested { part, step, .. } => match (part, step) {
                (None, _) => push(Audience::Curators, "consolidated_approval", event),
                (Some(_), ApprovalStep::Curator) => push(Audience::Curators, "approval", event),
                (Some(p), ApprovalStep::DepartmentHead) => {
                    push(Audience::DepartmentHead(*p), "approval", event)
                }
                (Some(_), ApprovalStep::Deputy) => push(Audience::Deputies, "approval", event),
            },
            Event::ApprovedStep { part: Some(p), .. } => {
                push(Audience::Executor(*p), "status", event)
            }
            Event::ApprovedStep { part: None, .. } => {}
            Event::ReworkRequested { part: Some(p), .. } => {
                push(Audience::Executor(*p), "rework", event)
            }
            Event::ReworkRequested { part: None, .. } => {}
            Event::ClarificationAwaitingAuthor { part } => {
                push(Audience::Curators, "publish_clarification", event);
                push(Audience::Executor(*part), "status", event);
            }
            Event::AuthorReplied { part, .. } => {
                push(Audience::Executor(*part), "author_reply", event)
            }
            Event::ConsolidationRequested => push(Audience::Curators, "consolidate", event),
            Event::PublicationRequested {
                part, publisher, ..
            } => match (part, publisher) {
                (Some(p), Publisher::Executor) => push(Audience::Executor(*p), "publish", event),
                _ => push(Audience::Curators, "publish", event),
            },
            Event::Published { part, .. } => {
                match part {
                    Some(p) => push(Audience::Executor(*p), "status", event),
                    None => {
                        for p in &active_parts {
                            push(Audience::Executor(*p), "status", event);
                        }
                    }
                }
                push(Audience::Curators, "status", event);
            }
            Event::NoAnswer { .. }
            | Event::ExplanationSent { .. }
            | Event::ConvertedToAppeal
            | Event::Closed => {
                for p in &active_parts {
                    push(Audience::Executor(*p), "status", event);
                }
                push(Audience::Curators, "status", event);
            }
        }
    }
    out
}
