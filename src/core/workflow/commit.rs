//! A command applied to an incident and committed in one transaction: the new state, its audit
//! record, its notices as outbox rows and its timers — decided again on a conflict.

use chrono::{DateTime, Utc};

use crate::core::notices::{Audience, Notice};

use crate::core::notices;
use crate::core::org::OrgRules;
use crate::core::{Core, CoreError};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{apply, Actor, Command, Event, Incident, TransitionError};
use crate::domain::plan::Due;
use crate::domain::{PersonId, Regulation};
use crate::storage::{AuditRecord, Commit};

/// What a commit carries besides what its transition's events call for.
#[derive(Debug, Default)]
pub(crate) struct Besides {
    /// More notices (the publication's own).
    pub notices: Vec<(Audience, Notice)>,
    /// The card the press was made on: redrawn before the others.
    pub pressed: Option<notices::PressedCard>,
}

/// A transition that was committed: the incident as it is now.
#[derive(Debug, Clone)]
pub(crate) struct Committed {
    pub record: IncidentRecord,
}

impl Core {
    /// What a transition writes, as a commit: its notices (with `extra` ones) as outbox rows (or
    /// digests, in quiet hours), its audit record, the incident's timers now, and its deadlines.
    pub(crate) async fn prepare_commit<'t>(
        &self,
        rules: &OrgRules,
        actor: PersonId,
        record: &IncidentRecord,
        command: &Command,
        t: &'t crate::domain::incident::Transition,
        besides: Besides,
    ) -> Result<Commit<'t>, CoreError> {
        let Besides {
            notices: extra,
            pressed,
        } = besides;
        let mut notices =
            notices::notices_for(&t.events, &t.incident, rules, record.reply_to.is_some());
        // The card pressed is redrawn before the others.
        for (_, n) in notices.iter_mut() {
            if let Notice::RefreshCards { pressed: first } = n {
                *first = pressed;
            }
        }
        notices.extend(crate::core::integrations::monitoring::reports_for(
            &t.events,
            &t.incident,
            record,
            rules,
            self.now(),
        ));
        // Vorsino 2.9, Sakhalin 3.8: a converted appeal goes to the appeals office by e-mail.
        if rules.org.appeals.is_some() && t.events.contains(&Event::ConvertedToAppeal) {
            notices.push((Audience::Worker, Notice::AppealEmail));
        }
        notices.extend(extra);
        let planned = self
            .rows_for(
                rules,
                &t.incident,
                &notices,
                &format!("v{}", t.incident.version),
            )
            .await?;
        let (next_deadline, part_due) = deadlines(&t.incident, rules.regulation());
        Ok(Commit {
            org: record.org,
            incident: record.id,
            expected_version: record.workflow.version,
            workflow: &t.incident,
            next_deadline,
            part_due,
            audit: vec![audit_record(
                actor,
                self.now(),
                command,
                &record.workflow,
                t,
            )?],
            outbox: planned.rows,
            timers: crate::core::time::scheduler::timer_rows(&t.incident, rules)?,
            org_timers: planned.digests,
        })
    }

    /// Applies a command to an incident and commits it with its audit record and notices, in
    /// one transaction conditional on the version read; on a conflict reads again and decides
    /// again. `Ok(Err(_))` is a refusal (nothing written).
    pub(crate) async fn transition(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        command: &Command,
    ) -> Result<Result<Committed, TransitionError>, CoreError> {
        self.transition_pressed(rules, actor, record, command, None)
            .await
    }

    /// The same, for a press on `pressed`: that card is redrawn first.
    pub(crate) async fn transition_pressed(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        mut record: IncidentRecord,
        command: &Command,
        pressed: Option<notices::PressedCard>,
    ) -> Result<Result<Committed, TransitionError>, CoreError> {
        for _ in 0..5 {
            let now = self.now();
            let t = match apply(&record.workflow, command, actor, now, rules.rules()) {
                Ok(t) => t,
                Err(e) => return Ok(Err(e)),
            };
            let commit = self
                .prepare_commit(
                    rules,
                    actor.person,
                    &record,
                    command,
                    &t,
                    Besides {
                        pressed,
                        ..Besides::default()
                    },
                )
                .await?;
            if self.store.commit(&commit, now).await? {
                self.wake_delivery();
                self.timers_written();
                record.workflow = t.incident;
                // A topic set after intake: repeats and bursts are looked for again.
                for e in &t.events {
                    if let Event::Classified {
                        topic: Some(topic), ..
                    } = e
                    {
                        // The topic is recorded; a failure here must not undo that answer.
                        if let Err(e) = self.topic_set(rules, &record, topic).await {
                            tracing::error!(incident = record.number, error = %e, "cannot look for a repeat or a burst after the topic was set");
                        }
                    }
                }
                return Ok(Ok(Committed { record }));
            }
            // Someone else changed the incident first: read it again and decide again.
            record = self.store.incident(record.id).await?;
        }
        Err(CoreError::Conflict)
    }
}

/// The audit's from/to state: the incident state and each part's state.
pub(crate) fn state_summary(i: &Incident) -> String {
    let mut s = i.state.key().to_string();
    if !i.parts.is_empty() {
        let parts: Vec<&str> = i.parts.iter().map(|p| p.state.key()).collect();
        s.push_str(&format!(" [{}]", parts.join(", ")));
    }
    s
}

/// The audit record of a transition.
pub(crate) fn audit_record(
    actor: PersonId,
    at: DateTime<Utc>,
    command: &Command,
    before: &Incident,
    t: &crate::domain::incident::Transition,
) -> Result<AuditRecord, CoreError> {
    Ok(AuditRecord {
        actor,
        at,
        command: command.key().to_string(),
        from_state: Some(state_summary(before)),
        to_state: Some(state_summary(&t.incident)),
        payload: serde_json::to_value(command)?,
        events: serde_json::to_value(&t.events)?,
    })
}

/// The earliest deadline of the stages now running, and each part's current deadline (kept for
/// the scheduler and for `/my`).
pub(crate) fn deadlines(
    incident: &Incident,
    regulation: &Regulation,
) -> (Option<DateTime<Utc>>, Vec<Option<DateTime<Utc>>>) {
    let finished = incident.state.is_finished();
    let part_due: Vec<Option<DateTime<Utc>>> = incident
        .parts
        .iter()
        .map(|p| {
            if finished {
                return None;
            }
            p.current_deadline(regulation)
                .and_then(|(_, d)| d.instant())
        })
        .collect();
    let mut all: Vec<Due> = Vec::new();
    if let Some((_, d)) = incident.current_deadline() {
        all.push(d);
    }
    let next = all
        .iter()
        .filter_map(Due::instant)
        .chain(part_due.iter().flatten().copied())
        .min();
    (next, part_due)
}
