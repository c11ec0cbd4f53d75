//! The stage log of an incident: every run of a stage with a deadline — when it began and ended,
//! its deadline as last known, who held it, how late it ended in working time — and when the
//! answer was published, in working time from detection. It is kept with the incident and
//! brought up to date by every transition, so reports read the history without replaying it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::{CalendarError, WorkCalendar};
use super::regulation::Stage;
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
    pub fn late_by(
        &self,
        now: DateTime<Utc>,
        calendar: &WorkCalendar,
    ) -> Result<Duration, CalendarError> {
        if let Some(s) = self.late_seconds {
            return Ok(Duration::seconds(s));
        }
        match (self.deadline, self.ended_at) {
            (Some(d), None) if now > d => calendar.working_time_between(d, now),
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
