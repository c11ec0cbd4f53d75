//! The stage log of an incident: every run of a stage with a deadline — when it began and ended,
//! its deadline as last known, who held it, how late it ended in working time — and when the
//! answer was published, in working time from detection. It is kept with the incident and
//! brought up to date by every transition, so reports read the history without replaying it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::{CalendarError, Pause};
use super::incident::{Incident, IncidentState, PartState, Rules};
use super::regulation::Stage;
use super::timers::{running_stages, RunningStage};
use super::PersonId;

/// One run of a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRun {
    /// The part it belongs to; `None` for the incident's own stages (routing, the final answer).
    pub part: Option<usize>,
    pub stage: Stage,
    /// The part's executor when the run began.
    pub executor: Option<PersonId>,
    pub started_at: DateTime<Utc>,
    /// The deadline as last known (`None` while the clock is paused or nobody set it).
    pub deadline: Option<DateTime<Utc>>,
    /// When the regulation's first escalation comes if the run is still going.
    pub escalation_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Working seconds past the deadline when it ended (0: in time).
    pub late_seconds: Option<i64>,
}

impl StageRun {
    /// Working time past the deadline: as it ended, or (still running) as of `now`.
    pub fn late_by(&self, now: DateTime<Utc>, rules: Rules<'_>) -> Result<Duration, CalendarError> {
        if let Some(s) = self.late_seconds {
            return Ok(Duration::seconds(s));
        }
        match (self.deadline, self.ended_at) {
            (Some(d), None) if now > d => rules.calendar.working_time_between(d, now),
            _ => Ok(Duration::zero()),
        }
    }

    /// Whether the run went on past its escalation (as it ended, or as of `now`).
    pub fn escalated(&self, now: DateTime<Utc>) -> bool {
        self.escalation_at
            .is_some_and(|e| self.ended_at.unwrap_or(now) >= e)
    }
}

/// The log itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageLog {
    pub runs: Vec<StageRun>,
    /// When the incident was first answered in full (the state became "published").
    pub answered_at: Option<DateTime<Utc>>,
    /// Working seconds from detection to that answer, clarification pauses taken out where the
    /// regulation stops the clock for them.
    pub answered_in: Option<i64>,
    /// The same per part (its own answer, or the consolidated one it went into).
    #[serde(default)]
    pub parts_answered_in: Vec<Option<i64>>,
}

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
