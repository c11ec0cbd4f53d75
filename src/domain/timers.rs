//! The timers of an incident: when the scheduler must remind, tell of a deadline, escalate, or
//! chase an unanswered weekend alert — a pure function of the incident as it is now, its
//! regulation, calendar and reminder settings. The core writes the result with every change, in
//! the same transaction; a stage that ends, or a clock that pauses, leaves no timers behind.
//!
//! Each timer has a key naming the stage run it belongs to (the stage and the instant it
//! started), so a timer that already fired is not written again when the incident changes, and a
//! deadline that moves moves the timers that have not fired yet.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::CalendarError;
use super::incident::{Incident, Part, PartState, ReturnReason, Rules};
use super::plan::{calendar_for, term_end, Due};
use super::regulation::{Regulation, Reminders, Stage};

/// What a timer does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "timer", rename_all = "snake_case")]
pub enum TimerKind {
    /// A reminder before the stage's deadline.
    Reminder,
    /// The stage's deadline has come.
    Deadline,
    /// The deadline passed a while ago: the department head is told.
    EscalateToDepartmentHead,
    /// The deadline passed long ago: the head of the organisation is told.
    EscalateToHead,
    /// Nobody answered the weekend alert: step 1 alerts the rest of the roster, step 2 the
    /// curators and the head.
    DutyUnanswered { step: u8 },
    /// The author has not answered a posted clarification request within the regulation's
    /// follow-up term: the executor and the curators are told.
    ClarificationFollowUp,
}

impl TimerKind {
    pub fn key(self) -> String {
        match self {
            TimerKind::Reminder => "reminder".into(),
            TimerKind::Deadline => "deadline".into(),
            TimerKind::EscalateToDepartmentHead => "escalate_department_head".into(),
            TimerKind::EscalateToHead => "escalate_head".into(),
            TimerKind::DutyUnanswered { step } => format!("duty_unanswered_{step}"),
            TimerKind::ClarificationFollowUp => "clarification_follow_up".into(),
        }
    }
}

/// One timer an incident needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTimer {
    /// The part whose stage it is about; `None` for the incident's own stages (routing, the
    /// final answer) and for the weekend alert.
    pub part: Option<usize>,
    pub stage: Option<Stage>,
    pub kind: TimerKind,
    /// When it fires.
    pub at: DateTime<Utc>,
    /// The deadline it is about (the alert's raising for duty timers, the request's posting for
    /// a clarification's follow-up).
    pub deadline: DateTime<Utc>,
    /// Unique among the incident's timers; the same for the same point of the same stage run.
    pub key: String,
}

/// When a part's stage now running started (its run), from the part's history.
fn part_stage_start(part: &Part, stage: Stage) -> Option<DateTime<Utc>> {
    let t = &part.timeline;
    match stage {
        Stage::CompetenceCheck | Stage::Draft => t.routed_at,
        Stage::DepartmentHeadApproval | Stage::DeputyApproval | Stage::CuratorReview => {
            t.approval_step_started_at
        }
        Stage::Rework => t.rework_requested_at,
        Stage::Publication => t.approved_at,
        Stage::InterimToFinal => t.interim_published_at,
        Stage::Routing | Stage::DepartmentTotal | Stage::Final | Stage::Explanation => None,
    }
}

/// Since when the curators owe an explanation (Vorsino 2.7, Sakhalin 3.7): a department has
/// prepared one for them to send, or every department handed the message back as not its
/// competence and nobody has been sent it since.
fn explanation_awaited(incident: &Incident) -> Option<DateTime<Utc>> {
    if let Some(prepared) = &incident.prepared_explanation {
        return Some(prepared.at);
    }
    let all_returned = !incident.parts.is_empty()
        && incident
            .parts
            .iter()
            .all(|p| p.state == PartState::Returned);
    let not_ours = incident
        .parts
        .iter()
        .any(|p| !p.rerouted && matches!(p.returned, Some((ReturnReason::NotOurCompetence, _))));
    if !(all_returned && not_ours) {
        return None;
    }
    incident
        .parts
        .iter()
        .filter_map(|p| p.timeline.returned_at)
        .max()
}

/// A stage now running: the incident's own (`part: None`) or a part's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunningStage {
    pub part: Option<usize>,
    pub stage: Stage,
    pub due: Due,
    /// When this run of the stage began (it names the run).
    pub start: DateTime<Utc>,
}

/// Every stage now running with a deadline, the incident's own first.
pub fn running_stages(incident: &Incident, regulation: &Regulation) -> Vec<RunningStage> {
    let mut running = Vec::new();
    if incident.state.is_finished() {
        return running;
    }
    if let Some((stage, due)) = incident.current_deadline() {
        running.push(RunningStage {
            part: None,
            stage,
            due,
            start: incident.detected_at,
        });
    }
    if let Some(start) = explanation_awaited(incident) {
        if let Some((stage, due)) = incident
            .deadlines
            .iter()
            .find(|(s, _)| *s == Stage::Explanation)
            .copied()
        {
            running.push(RunningStage {
                part: None,
                stage,
                due,
                start,
            });
        }
    }
    for (i, p) in incident.parts.iter().enumerate() {
        if matches!(p.state, PartState::Returned | PartState::Done) {
            continue;
        }
        // A department that prepared an explanation instead of an answer has done its share.
        if incident
            .prepared_explanation
            .as_ref()
            .is_some_and(|x| x.part == i)
        {
            continue;
        }
        let Some((stage, due)) = p.current_deadline(regulation) else {
            continue;
        };
        if let Some(start) = part_stage_start(p, stage) {
            running.push(RunningStage {
                part: Some(i),
                stage,
                due,
                start,
            });
        }
    }
    running
}

/// Every timer the incident needs now.
pub fn plan_timers(
    incident: &Incident,
    rules: Rules<'_>,
    reminders: &Reminders,
) -> Result<Vec<PlannedTimer>, CalendarError> {
    let mut out = Vec::new();
    if incident.state.is_finished() {
        return Ok(out);
    }
    for RunningStage {
        part,
        stage,
        due,
        start,
    } in running_stages(incident, rules.regulation)
    {
        // A paused clock, or a deadline nobody has set, has no timers.
        let Due::At { at: deadline, .. } = due else {
            continue;
        };
        // The curator's stages remind on the curator's hours (Borovichi §5).
        let calendar = calendar_for(rules.regulation, rules.calendar, stage);
        let who = part.map_or("i".to_string(), |p| p.to_string());
        let run = format!("{who}:{}:{}", stage.key(), start.timestamp());
        let mut push = |kind: TimerKind, at: DateTime<Utc>, tag: String| {
            out.push(PlannedTimer {
                part,
                stage: Some(stage),
                kind,
                at,
                deadline,
                key: format!("{run}:{}:{tag}", kind.key()),
            })
        };
        if start < deadline {
            let stage_time = calendar.working_time_between(start, deadline)?;
            let mut points: Vec<(DateTime<Utc>, String)> = Vec::new();
            for share in &reminders.at_shares {
                let gone = stage_time * i32::from(*share) / 100;
                points.push((calendar.add(start, gone)?, format!("at{share}")));
            }
            for left in &reminders.before {
                if *left < stage_time {
                    points.push((
                        calendar.subtract(deadline, *left)?,
                        format!("left{}", left.num_minutes()),
                    ));
                }
            }
            points.sort();
            points.dedup_by_key(|(t, _)| *t);
            for (at, tag) in points {
                if start < at && at < deadline {
                    push(TimerKind::Reminder, at, tag);
                }
            }
        }
        // A stage due "at once" (Barnaul §4: routing within 0 minutes) is due as it starts: the
        // card that starts it is the call to act, not a notice that its term is already gone.
        if reminders.at_deadline && start < deadline {
            push(TimerKind::Deadline, deadline, String::new());
        }
        if let (Some(after), Some(_)) = (reminders.escalate_to_department_head, part) {
            push(
                TimerKind::EscalateToDepartmentHead,
                calendar.add(deadline, after)?,
                String::new(),
            );
        }
        if let Some(after) = reminders.escalate_to_head {
            push(
                TimerKind::EscalateToHead,
                calendar.add(deadline, after)?,
                String::new(),
            );
        }
    }
    // A posted clarification the author has not answered is followed up once (Borovichi §10
    // stops the clock until the reply, and sets no term for it).
    if let Some(term) = rules.regulation.workflow.clarification_follow_up {
        for (i, p) in incident.parts.iter().enumerate() {
            let Some(posted) = p.awaiting_author_since() else {
                continue;
            };
            let kind = TimerKind::ClarificationFollowUp;
            out.push(PlannedTimer {
                part: Some(i),
                stage: None,
                kind,
                at: term_end(rules.calendar, posted, term)?,
                deadline: posted,
                key: format!("{i}:clarification:{}:{}", posted.timestamp(), kind.key()),
            });
        }
    }
    // The curator's own answer (Vorsino 2.10) handles the alert as well as «Беру» would.
    let chased = incident
        .duty_alert
        .filter(|a| a.answer.is_none() && !incident.own_answer);
    if let Some(alert) = chased {
        for step in [1u8, 2] {
            let kind = TimerKind::DutyUnanswered { step };
            out.push(PlannedTimer {
                part: None,
                stage: None,
                kind,
                at: alert.raised_at + reminders.duty_unanswered * i32::from(step),
                deadline: alert.raised_at,
                key: format!("duty:{}:{}", alert.raised_at.timestamp(), kind.key()),
            });
        }
    }
    Ok(out)
}
