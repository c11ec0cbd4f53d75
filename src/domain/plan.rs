//! The deadline plan of an incident: every stage's due instant under a regulation and calendar,
//! given what has happened so far.
//!
//! A stage that counts from an event which has not happened yet is planned as if that event
//! happens at the latest moment its own deadline allows, and is marked `assumed`: this is what
//! `otklik deadlines` shows an administrator for a new incident.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::calendar::{CalendarError, Pause, Progress, WorkCalendar};
use super::regulation::{
    Anchor, Clock, DeadlineRule, Importance, Publisher, Regulation, Stage, Term,
};

/// What is known of an incident's history, for deadline purposes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Timeline {
    pub detected_at: Option<DateTime<Utc>>,
    pub routed_at: Option<DateTime<Utc>>,
    pub approval_step_started_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub rework_requested_at: Option<DateTime<Utc>>,
    pub interim_published_at: Option<DateTime<Utc>>,
    /// When the department handed the part back (the curator's explanation term may run).
    #[serde(default)]
    pub returned_at: Option<DateTime<Utc>>,
}

impl Timeline {
    pub fn detected(at: DateTime<Utc>) -> Self {
        Self {
            detected_at: Some(at),
            ..Self::default()
        }
    }

    fn get(&self, anchor: Anchor) -> Option<DateTime<Utc>> {
        match anchor {
            Anchor::Detection => self.detected_at,
            Anchor::Routed => self.routed_at,
            Anchor::ApprovalStepStarted => self.approval_step_started_at,
            Anchor::Approved => self.approved_at,
            Anchor::ReworkRequested => self.rework_requested_at,
            Anchor::InterimPublished => self.interim_published_at,
        }
    }
}

/// When one stage is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Due {
    /// Due at this instant.
    At {
        at: DateTime<Utc>,
        /// Counted from an event that has not happened yet, taken at its own deadline.
        assumed: bool,
    },
    /// The clock is paused (a clarification awaits the author) with this much working time left.
    Paused {
        #[serde(rename = "remaining_seconds", with = "duration_seconds")]
        remaining: Duration,
    },
    /// The monitoring system gives no deadline for this incident.
    AwaitingExternal,
    /// The curator has not set this deadline.
    AwaitingCurator,
    /// Counted from an event that may never happen (an interim answer).
    AfterEvent { anchor: Anchor },
}

mod duration_seconds {
    use chrono::Duration;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.num_seconds())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::seconds(i64::deserialize(d)?))
    }
}

impl Due {
    pub fn instant(&self) -> Option<DateTime<Utc>> {
        match self {
            Due::At { at, .. } => Some(*at),
            _ => None,
        }
    }
}

/// The calendar a stage counts on: the curator's own stages on the curator's hours where the
/// profile gives them (Borovichi §5), everything else on the organisation's.
pub fn calendar_for<'a>(
    regulation: &Regulation,
    calendar: &'a WorkCalendar,
    stage: Stage,
) -> &'a WorkCalendar {
    let curators = match stage {
        Stage::Routing | Stage::CuratorReview | Stage::Explanation => true,
        Stage::Publication => regulation.workflow.publisher == Publisher::Curator,
        _ => false,
    };
    if curators {
        calendar.curators()
    } else {
        calendar
    }
}

/// When a term counted from `start` ends (a clarification's follow-up: from its posting).
pub fn term_end(
    calendar: &WorkCalendar,
    start: DateTime<Utc>,
    term: Term,
) -> Result<DateTime<Utc>, CalendarError> {
    match term {
        Term::Within {
            duration,
            clock: Clock::Working,
        } => calendar.add(start, duration),
        Term::Within {
            duration,
            clock: Clock::Calendar,
        } => Ok(start + duration),
        Term::Within {
            duration,
            clock: Clock::CalendarSkippingNonWorkingDays,
        } => calendar.add_skipping_non_working_days(start, duration),
        Term::WorkingDays { days } => calendar.add_working_days(start, days),
    }
}

/// The inputs a plan depends on besides the regulation and calendar.
#[derive(Debug, Clone, Default)]
pub struct PlanInput<'a> {
    pub importance: Option<Importance>,
    pub timeline: Timeline,
    pub pauses: &'a [Pause],
    pub external_deadline: Option<DateTime<Utc>>,
    pub curator_set: BTreeMap<Stage, DateTime<Utc>>,
}

/// Every stage the regulation has at this importance, with its due instant, in workflow order.
pub fn plan(
    regulation: &Regulation,
    calendar: &WorkCalendar,
    input: &PlanInput<'_>,
) -> Result<Vec<(Stage, Due)>, CalendarError> {
    let importance = input.importance.unwrap_or(Importance::Normal);
    let mut planner = Planner {
        regulation,
        calendar,
        input,
        importance,
        done: BTreeMap::new(),
    };
    let mut out = Vec::new();
    for (stage, _) in regulation.stages(importance) {
        out.push((stage, planner.due(stage)?));
    }
    Ok(out)
}

struct Planner<'a, 'b> {
    regulation: &'a Regulation,
    calendar: &'a WorkCalendar,
    input: &'a PlanInput<'b>,
    importance: Importance,
    done: BTreeMap<Stage, Due>,
}

impl Planner<'_, '_> {
    fn due(&mut self, stage: Stage) -> Result<Due, CalendarError> {
        if let Some(d) = self.done.get(&stage) {
            return Ok(*d);
        }
        let due = match self.regulation.rule(stage, self.importance).cloned() {
            None => Due::AfterEvent {
                anchor: stage.default_anchor(),
            },
            Some(rule) => {
                let due = self.compute(stage, &rule)?;
                self.capped(stage, due)?
            }
        };
        self.done.insert(stage, due);
        Ok(due)
    }

    /// A stage of the answer is never due after the regulation's overall limits: a department
    /// stage not after the department's total (Vorsino 2.2.3, Sakhalin 3.2 ¶5), no stage after
    /// the final deadline (unless an interim answer moved the final one on). Without the cap a
    /// rework on time by its own working-hour clock could end after both totals (Sakhalin's
    /// mixed clocks).
    fn capped(&mut self, stage: Stage, due: Due) -> Result<Due, CalendarError> {
        let Due::At {
            at: mut due_at,
            mut assumed,
        } = due
        else {
            return Ok(due);
        };
        let department_stage = matches!(
            stage,
            Stage::CompetenceCheck
                | Stage::Draft
                | Stage::DepartmentHeadApproval
                | Stage::DeputyApproval
                | Stage::Rework
        );
        let answer_stage =
            department_stage || matches!(stage, Stage::CuratorReview | Stage::Publication);
        let mut caps = Vec::new();
        if department_stage {
            caps.push(Stage::DepartmentTotal);
        }
        if answer_stage && self.input.timeline.interim_published_at.is_none() {
            caps.push(Stage::Final);
        }
        for cap in caps {
            if self.regulation.rule(cap, self.importance).is_none() {
                continue;
            }
            if let Due::At { at, assumed: a } = self.due(cap)? {
                if at < due_at {
                    due_at = at;
                    assumed = a;
                }
            }
        }
        Ok(Due::At {
            at: due_at,
            assumed,
        })
    }

    /// When an anchor event happened, or when it is assumed to happen.
    fn anchor(&mut self, anchor: Anchor) -> Result<Option<(DateTime<Utc>, bool)>, CalendarError> {
        if let Some(t) = self.input.timeline.get(anchor) {
            return Ok(Some((t, false)));
        }
        // The stage whose deadline bounds the event.
        let bounding = match anchor {
            Anchor::Detection | Anchor::InterimPublished => return Ok(None),
            Anchor::Routed => vec![Stage::Routing],
            Anchor::ApprovalStepStarted => vec![Stage::Draft],
            Anchor::Approved | Anchor::ReworkRequested => {
                vec![Stage::CuratorReview, Stage::DeputyApproval, Stage::Draft]
            }
        };
        for stage in bounding {
            if self.regulation.rule(stage, self.importance).is_none() {
                continue;
            }
            if let Due::At { at, .. } = self.due(stage)? {
                return Ok(Some((at, true)));
            }
            return Ok(None);
        }
        // No stage bounds the event: assume it happens at detection.
        Ok(self.input.timeline.detected_at.map(|t| (t, true)))
    }

    fn compute(&mut self, stage: Stage, rule: &DeadlineRule) -> Result<Due, CalendarError> {
        let calendar = calendar_for(self.regulation, self.calendar, stage);
        let pauses: &[Pause] = if self.regulation.workflow.clarification_pauses_clock {
            self.input.pauses
        } else {
            &[]
        };
        match rule {
            DeadlineRule::External => Ok(match self.input.external_deadline {
                Some(at) => Due::At { at, assumed: false },
                None => Due::AwaitingExternal,
            }),
            DeadlineRule::SetByCurator => Ok(match self.input.curator_set.get(&stage) {
                Some(at) => Due::At {
                    at: *at,
                    assumed: false,
                },
                None => Due::AwaitingCurator,
            }),
            DeadlineRule::WorkingDays { days, from } => {
                let Some((t, assumed)) = self.anchor(*from)? else {
                    return Ok(Due::AfterEvent { anchor: *from });
                };
                let at = calendar.add_working_days(t, *days)?;
                Ok(Due::At { at, assumed })
            }
            DeadlineRule::SameAs { stage: other } => self.due(*other),
            DeadlineRule::BeforeFinal { duration } => {
                let routed = self.anchor(Anchor::Routed)?;
                match self.due(Stage::Final)? {
                    Due::At { at, assumed } => {
                        let mut t = calendar.subtract(at, *duration)?;
                        // Never due before the executor could have it.
                        if let Some((r, _)) = routed {
                            t = t.max(r);
                        }
                        Ok(Due::At { at: t, assumed })
                    }
                    Due::Paused { remaining } => Ok(Due::Paused {
                        remaining: (remaining - *duration).max(Duration::zero()),
                    }),
                    other => Ok(other),
                }
            }
            DeadlineRule::Within {
                duration,
                clock,
                from,
                min_working,
            } => {
                let Some((t, assumed)) = self.anchor(*from)? else {
                    return Ok(Due::AfterEvent { anchor: *from });
                };
                let due = match clock {
                    // "At once" (0m) on working time is the start of the next working minute:
                    // a message found at night is due when the office opens, not at night.
                    Clock::Working if duration.is_zero() => calendar.next_working_instant(t)?,
                    Clock::Working => match calendar.add_with_pauses(t, *duration, pauses)? {
                        Progress::Due(at) => at,
                        Progress::Paused { remaining, .. } => return Ok(Due::Paused { remaining }),
                    },
                    Clock::Calendar => t + *duration,
                    Clock::CalendarSkippingNonWorkingDays => {
                        calendar.add_skipping_non_working_days(t, *duration)?
                    }
                };
                let due = match min_working {
                    Some(m) => due.max(calendar.add(t, *m)?),
                    None => due,
                };
                Ok(Due::At { at: due, assumed })
            }
        }
    }
}
