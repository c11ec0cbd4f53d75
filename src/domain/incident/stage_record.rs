//! Keeping an incident's stage log up to date: after every change, runs that no longer go on
//! end, new runs begin, and the answer's time is noted. The log's types are `domain::stage_log`;
//! which stages run is `domain::timers`.

use chrono::{DateTime, Utc};

use super::{Incident, IncidentState, PartState, Rules};
use crate::domain::calendar::{CalendarError, Pause};
use crate::domain::stage_log::StageRun;
use crate::domain::timers::{running_stages, RunningStage};

/// Brings the incident's stage log up to date after a change at `at`: runs that no longer go
/// on end, new runs begin, running ones take their current deadline.
pub fn record(
    incident: &mut Incident,
    rules: Rules<'_>,
    at: DateTime<Utc>,
) -> Result<(), CalendarError> {
    let running = running_stages(incident, rules.regulation);
    let same = |run: &StageRun, r: &RunningStage| {
        run.part == r.part && run.stage == r.stage && run.started_at == r.start
    };
    for run in incident
        .log
        .runs
        .iter_mut()
        .filter(|r| r.ended_at.is_none())
    {
        if running.iter().any(|r| same(run, r)) {
            continue;
        }
        run.ended_at = Some(at);
        run.late_seconds = Some(match run.deadline {
            Some(d) if at > d => rules.calendar.working_time_between(d, at)?.num_seconds(),
            _ => 0,
        });
    }
    for r in &running {
        let deadline = r.due.instant();
        let escalation_at = match deadline {
            Some(d) => escalation(rules, r.part.is_some(), d)?,
            None => None,
        };
        let open = incident
            .log
            .runs
            .iter_mut()
            .find(|run| run.ended_at.is_none() && same(run, r));
        match open {
            Some(run) => {
                run.deadline = deadline;
                run.escalation_at = escalation_at;
            }
            None => {
                let executor = r
                    .part
                    .and_then(|p| incident.parts.get(p))
                    .map(|p| p.executor);
                incident.log.runs.push(StageRun {
                    part: r.part,
                    stage: r.stage,
                    executor,
                    started_at: r.start,
                    deadline,
                    escalation_at,
                    ended_at: None,
                    late_seconds: None,
                });
            }
        }
    }
    record_answers(incident, rules, at)
}

/// The first escalation a late run gets under the regulation's reminders.
fn escalation(
    rules: Rules<'_>,
    part: bool,
    deadline: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, CalendarError> {
    let reminders = &rules.regulation.reminders;
    let after = [
        reminders.escalate_to_department_head.filter(|_| part),
        reminders.escalate_to_head,
    ]
    .into_iter()
    .flatten()
    .min();
    after.map(|a| rules.calendar.add(deadline, a)).transpose()
}

/// Notes when the incident and each part were answered.
fn record_answers(
    incident: &mut Incident,
    rules: Rules<'_>,
    at: DateTime<Utc>,
) -> Result<(), CalendarError> {
    let pauses_count = rules.regulation.workflow.clarification_pauses_clock;
    let detected = incident.detected_at;
    let took = |pauses: &[Pause]| -> Result<i64, CalendarError> {
        let end = at.max(detected);
        let d = if pauses_count {
            rules
                .calendar
                .working_time_between_with_pauses(detected, end, pauses)?
        } else {
            rules.calendar.working_time_between(detected, end)?
        };
        Ok(d.num_seconds())
    };
    let n = incident.parts.len();
    incident.log.parts_answered_in.resize(n, None);
    for i in 0..n {
        let part = &incident.parts[i];
        if part.state == PartState::Done && incident.log.parts_answered_in[i].is_none() {
            let seconds = took(&part.pauses)?;
            incident.log.parts_answered_in[i] = Some(seconds);
        }
    }
    if incident.state == IncidentState::Published && incident.log.answered_at.is_none() {
        // The clock of the whole incident stood still only while its one part waited.
        let active: Vec<_> = incident
            .parts
            .iter()
            .filter(|p| p.state != PartState::Returned)
            .collect();
        let pauses: &[Pause] = match active.as_slice() {
            [only] => &only.pauses,
            _ => &[],
        };
        incident.log.answered_in = Some(took(pauses)?);
        incident.log.answered_at = Some(at);
    }
    Ok(())
}
