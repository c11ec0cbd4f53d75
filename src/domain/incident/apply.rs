//! `apply`: a command by an actor at an instant gives the new incident and its events, or a
//! typed refusal (see the module documentation of `incident`).

use super::publication::record_publication;
use super::*;

fn non_empty(text: &str, field: &str) -> Result<String, TransitionError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(TransitionError::Invalid(format!(
            "{field} must not be empty"
        )));
    }
    Ok(t.to_string())
}

/// The approval steps a draft of this kind passes, in order.
fn approval_steps(regulation: &Regulation, kind: DraftKind) -> Vec<ApprovalStep> {
    let mut steps = Vec::new();
    if kind != DraftKind::Clarification {
        if regulation.workflow.department_head_approval {
            steps.push(ApprovalStep::DepartmentHead);
        }
        if regulation.workflow.deputy_approval {
            steps.push(ApprovalStep::Deputy);
        }
    }
    steps.push(ApprovalStep::Curator);
    steps
}

/// Applies a command by an actor at an instant; see the module documentation.
///
/// Who may do it, and whether it can be done now, is the permission rule's answer
/// (`permission::permitted`); this function checks the input and makes the change.
pub fn apply(
    incident: &Incident,
    command: &Command,
    actor: &Actor,
    at: DateTime<Utc>,
    rules: Rules<'_>,
) -> Result<Transition, TransitionError> {
    let reg = rules.regulation;
    permitted(actor, command.deed(), incident, reg)?;
    let mut next = incident.clone();
    let mut events = Vec::new();
    match command {
        Command::Route {
            assignments,
            importance,
            topic,
            location,
            deadlines,
        } => {
            if assignments.is_empty() {
                return Err(TransitionError::Invalid(
                    "choose at least one department".into(),
                ));
            }
            for (i, a) in assignments.iter().enumerate() {
                if assignments[..i]
                    .iter()
                    .any(|b| b.department == a.department)
                {
                    return Err(TransitionError::Invalid(format!(
                        "department {} is chosen twice",
                        a.department
                    )));
                }
            }
            for (stage, t) in deadlines {
                if reg.rule(*stage, incident.importance) != Some(&DeadlineRule::SetByCurator) {
                    return Err(TransitionError::Invalid(format!(
                        "the regulation does not let the curator set the {stage} deadline"
                    )));
                }
                if *t <= at {
                    return Err(TransitionError::Invalid(format!(
                        "the {stage} deadline must be in the future"
                    )));
                }
            }
            if let Some(i) = importance {
                next.importance = *i;
            }
            for (stage, rule) in reg.stages(next.importance) {
                if rule == &DeadlineRule::SetByCurator
                    && stage != Stage::Rework
                    && !deadlines.contains_key(&stage)
                {
                    return Err(TransitionError::MissingCuratorDeadline(stage));
                }
            }
            next.curator_set
                .extend(deadlines.iter().map(|(s, t)| (*s, *t)));
            if topic.is_some() {
                next.topic.clone_from(topic);
            }
            if location.is_some() {
                next.location.clone_from(location);
            }
            for a in assignments {
                next.parts.push(new_part(*a, at));
                events.push(Event::Routed {
                    part: next.parts.len() - 1,
                    department: a.department,
                    executor: a.executor,
                });
            }
            next.state = IncidentState::InWork;
            if next.importance == Importance::High && incident.importance != Importance::High {
                events.push(Event::ImportanceChanged {
                    importance: Importance::High,
                });
                events.extend(next.raise_high_importance(rules, at)?);
            }
        }
        Command::SetImportance { importance } => {
            if incident.importance == *importance {
                return Err(TransitionError::AlreadyDone("importance already set"));
            }
            next.importance = *importance;
            events.push(Event::ImportanceChanged {
                importance: *importance,
            });
            if *importance == Importance::High {
                events.extend(next.raise_high_importance(rules, at)?);
            }
        }
        Command::Classify { topic, location } => {
            let clean = |v: &Option<String>| {
                v.as_ref()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
            };
            let (topic, location) = (clean(topic), clean(location));
            if topic.is_none() && location.is_none() {
                return Err(TransitionError::Invalid(
                    "give a topic or a location".into(),
                ));
            }
            if topic.is_some() {
                next.topic.clone_from(&topic);
            }
            if location.is_some() {
                next.location.clone_from(&location);
            }
            if next.topic == incident.topic && next.location == incident.location {
                return Err(TransitionError::AlreadyDone("already set"));
            }
            events.push(Event::Classified { topic, location });
        }
        Command::Accept { part } => {
            next.parts[*part].state = PartState::Accepted;
            next.parts[*part].proposed_return = None;
            events.push(Event::Accepted { part: *part });
        }
        Command::Return {
            part,
            reason,
            comment,
        } => {
            // Barnaul §5 ¶1: under the competence check the head decides what is the
            // department's to answer; the executor proposes (`ProposeReturn`).
            if !crate::domain::permission::decides_return(
                actor,
                &incident.parts[*part],
                *reason,
                reg,
            ) {
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
            if consolidates(incident, reg) && !consolidates(&next, reg) {
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
        }
        Command::ProposeReturn {
            part,
            reason,
            comment,
        } => {
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
        }
        Command::Reroute { part, assignment } => {
            if incident
                .active_parts()
                .any(|q| q.department == assignment.department)
            {
                return Err(TransitionError::Invalid(format!(
                    "department {} already has a part of this incident",
                    assignment.department
                )));
            }
            next.parts[*part].rerouted = true;
            next.parts.push(new_part(*assignment, at));
            if next.state == IncidentState::New {
                next.state = IncidentState::InWork;
            }
            events.push(Event::Routed {
                part: next.parts.len() - 1,
                department: assignment.department,
                executor: assignment.executor,
            });
        }
        Command::SubmitDraft {
            part,
            kind,
            text,
            attachments,
        } => {
            let text = non_empty(text, "the draft text")?;
            let steps = approval_steps(reg, *kind);
            let step = steps[0];
            let np = &mut next.parts[*part];
            let version = np.drafts.len() as u32 + 1;
            np.drafts.push(Draft {
                version,
                kind: *kind,
                text,
                attachments: attachments.clone(),
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
        }
        Command::Approve {
            part: Some(part),
            version,
        } => {
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
        }
        Command::Approve {
            part: None,
            version,
        } => {
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
        }
        Command::RequestRework {
            part,
            version,
            comment,
            deadline,
        } => {
            let Some(part) = part else {
                return Err(TransitionError::Invalid(
                    "the curator edits the consolidated answer directly; send a part back instead"
                        .into(),
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
        }
        Command::RecordClarificationPosted { part } => {
            let np = &mut next.parts[*part];
            np.state = PartState::AwaitingAuthor;
            np.pauses.push(Pause {
                start: at,
                end: None,
            });
            events.push(Event::ClarificationAwaitingAuthor { part: *part });
        }
        Command::RecordAuthorReply { part, text } => {
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
        }
        Command::SubmitConsolidated { text, attachments } => {
            let text = non_empty(text, "the consolidated answer")?;
            let version = incident.consolidated.as_ref().map_or(1, |d| d.version + 1);
            next.consolidated = Some(Draft {
                version,
                kind: DraftKind::Answer,
                text,
                attachments: attachments.clone(),
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
        }
        Command::MarkPublished { part, link } => {
            let link = non_empty(link, "the publication link")?;
            let publication = Publication {
                link,
                at,
                by: actor.person,
                interim: false,
                handed_over: false,
            };
            record_publication(incident, &mut next, &mut events, *part, publication)?;
        }
        Command::HandOver { part } => {
            let publication = Publication {
                link: String::new(),
                at,
                by: actor.person,
                interim: false,
                handed_over: true,
            };
            record_publication(incident, &mut next, &mut events, *part, publication)?;
        }
        Command::MarkNoAnswer { reason } => {
            next.state = IncidentState::NoAnswer;
            next.no_answer = Some(*reason);
            events.push(Event::NoAnswer { reason: *reason });
        }
        Command::SendExplanation { kind, text } => {
            explanation_provided(reg, *kind)?;
            let text = non_empty(text, "the explanation")?;
            next.state = IncidentState::ExplanationSent;
            next.explanation = Some((*kind, text));
            next.prepared_explanation = None;
            events.push(Event::ExplanationSent { kind: *kind });
        }
        Command::ReturnPreparedExplanation { comment } => {
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
        }
        Command::SetGeneralInterest { on } => {
            if incident.general_interest == *on {
                return Err(TransitionError::AlreadyDone(if *on {
                    "marked as of general interest"
                } else {
                    "not of general interest"
                }));
            }
            next.general_interest = *on;
            events.push(Event::GeneralInterestSet { on: *on });
        }
        Command::RecordCrossPosts { links } => {
            let links: Vec<String> = links
                .iter()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect();
            if links.is_empty() {
                return Err(TransitionError::Invalid("give at least one link".into()));
            }
            next.cross_posts.extend(links.iter().cloned());
            events.push(Event::CrossPosted { links });
        }
        Command::PrepareExplanation { part, kind, text } => {
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
        }
        Command::ConvertToAppeal { contact } => {
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
        }
        Command::Close => {
            next.state = IncidentState::Closed;
            events.push(Event::Closed);
        }
        Command::ReturnToSource { comment } => {
            let comment = non_empty(comment, "the reason")?;
            next.state = IncidentState::Closed;
            next.returned_to_source = Some(comment.clone());
            events.push(Event::ReturnedToSource { comment });
        }
        Command::RecordAppealRegistration { number } => {
            let number = non_empty(number, "the registration number")?;
            next.appeal_registration = Some(number.clone());
            events.push(Event::AppealRegistered { number });
        }
        Command::ReportCannotPublish { part, reason } => {
            let reason = non_empty(reason, "the reason")?;
            next.publication_impossible = Some((*part, reason.clone()));
            events.push(Event::PublicationImpossible {
                part: *part,
                reason,
            });
        }
        Command::AnswerAsCurator { text, attachments } => {
            let text = non_empty(text, "the answer")?;
            // Written and approved by the same person: nobody else reviews it on days off.
            next.consolidated = Some(Draft {
                version: 1,
                kind: DraftKind::Answer,
                text,
                attachments: attachments.clone(),
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
        }
        Command::AnswerDutyAlert { answer } => {
            if let Some(alert) = next.duty_alert.as_mut() {
                alert.answer = Some(DutyAnswer {
                    kind: *answer,
                    by: actor.person,
                    at,
                });
            }
            events.push(Event::DutyAlertAnswered { answer: *answer });
        }
    }
    events.extend(next.settle(rules));
    next.recompute(rules)?;
    crate::domain::stage_log::record(&mut next, rules, at)?;
    next.version = incident.version + 1;
    Ok(Transition {
        incident: next,
        events,
    })
}

fn check_version(seen: Option<u32>, current: u32) -> Result<(), TransitionError> {
    match seen {
        Some(seen) if seen != current => Err(TransitionError::StaleDraft { seen, current }),
        _ => Ok(()),
    }
}

fn new_part(a: Assignment, at: DateTime<Utc>) -> Part {
    Part {
        department: a.department,
        executor: a.executor,
        state: PartState::Routed,
        timeline: Timeline {
            routed_at: Some(at),
            ..Timeline::default()
        },
        pauses: Vec::new(),
        drafts: Vec::new(),
        returned: None,
        publication: None,
        deadlines: Vec::new(),
        rerouted: false,
        proposed_return: None,
    }
}

/// An explanation of a kind the regulation does not provide is refused (Vorsino 2.7 lists no
/// court acts).
fn explanation_provided(
    reg: &crate::domain::regulation::Regulation,
    kind: super::ExplanationKind,
) -> Result<(), TransitionError> {
    if reg.workflow.explanations.contains(&kind) {
        Ok(())
    } else {
        Err(TransitionError::NotInRegulation("this kind of explanation"))
    }
}
