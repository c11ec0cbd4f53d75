//! Report figures: what happened to the incidents detected in a period — totals and breakdowns,
//! outcomes, time to the answer in working time, every broken deadline, quality — computed from
//! the facts storage keeps of each incident (`IncidentFacts`). Pure: names, layout and files are
//! the report renderers' business.
//!
//! Definitions (`docs/admin-guide.md`, "Reports", repeats them): an incident belongs to the period it was detected in;
//! it was answered *in time* when it was published and none of its stage deadlines was broken;
//! percentiles are nearest-rank; a run still going counts as late by the working time from its
//! deadline to the moment the report is made.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::calendar::CalendarError;
use super::content::Source;
use super::incident::{Incident, IncidentState, PartState, Rules};
use super::regulation::{Importance, Stage};
use super::stage_log::StageRun;
use super::{DepartmentId, PersonId};

/// A burst: at least this many incidents on one topic within an hour.
pub const BURST_MIN: usize = 5;

/// A half-open span of time `[from, to)` a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Period {
    /// The period of the same length just before this one.
    pub fn previous(&self) -> Period {
        Period {
            from: self.from - (self.to - self.from),
            to: self.from,
        }
    }
}

/// One department's part of an incident, as reports see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartFacts {
    pub department: DepartmentId,
    pub executor: PersonId,
    /// Returned by the department as not its competence.
    pub returned: bool,
    /// Drafts sent back for rework.
    pub reworks: u32,
    /// Approved without a rework (`None`: not approved yet).
    pub first_try: Option<bool>,
    /// Working seconds from detection to this part's answer.
    pub answered_in: Option<i64>,
}

/// What the workflow says of an incident, for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowFacts {
    pub state: IncidentState,
    pub importance: Importance,
    pub topic: Option<String>,
    pub location: Option<String>,
    pub detected_at: DateTime<Utc>,
    pub routed_at: Option<DateTime<Utc>>,
    pub first_draft_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_in: Option<i64>,
    pub parts: Vec<PartFacts>,
    pub runs: Vec<StageRun>,
}

impl WorkflowFacts {
    pub fn of(incident: &Incident) -> WorkflowFacts {
        let parts: Vec<PartFacts> = incident
            .parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let reworks = p
                    .drafts
                    .iter()
                    .flat_map(|d| &d.reviews)
                    .filter(|r| r.rework_comment.is_some())
                    .count() as u32;
                let approved = matches!(
                    p.state,
                    PartState::Approved { .. } | PartState::AwaitingFinal | PartState::Done
                );
                PartFacts {
                    department: p.department,
                    executor: p.executor,
                    returned: p.state == PartState::Returned,
                    reworks,
                    first_try: approved.then_some(reworks == 0),
                    answered_in: incident.log.parts_answered_in.get(i).copied().flatten(),
                }
            })
            .collect();
        let first = |f: &dyn Fn(&super::incident::Part) -> Option<DateTime<Utc>>| {
            incident.parts.iter().filter_map(f).min()
        };
        // The whole answer is approved when its last part is (or the consolidated answer).
        let approved_at = incident.consolidated_approved_at.or_else(|| {
            incident
                .parts
                .iter()
                .filter_map(|p| p.timeline.approved_at)
                .max()
        });
        WorkflowFacts {
            state: incident.state,
            importance: incident.importance,
            topic: incident.topic.clone(),
            location: incident.location.clone(),
            detected_at: incident.detected_at,
            routed_at: first(&|p| p.timeline.routed_at),
            first_draft_at: first(&|p| p.drafts.first().map(|d| d.submitted_at)),
            approved_at,
            answered_at: incident.log.answered_at,
            answered_in: incident.log.answered_in,
            parts,
            runs: incident.log.runs.clone(),
        }
    }
}

/// An incident as a report reads it back: its number, where it came from, and its workflow
/// facts (`runs` holds only the runs that broke their deadline, or may have).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFacts {
    pub number: i64,
    pub source: Source,
    pub url: String,
    pub repeat: bool,
    pub workflow: WorkflowFacts,
}

/// How an incident ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    InTime,
    Late,
    Open,
    NoAnswer,
    Explanation,
    Appeal,
    Closed,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::InTime,
        Outcome::Late,
        Outcome::Open,
        Outcome::NoAnswer,
        Outcome::Explanation,
        Outcome::Appeal,
        Outcome::Closed,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Outcome::InTime => "in_time",
            Outcome::Late => "late",
            Outcome::Open => "open",
            Outcome::NoAnswer => "no_answer",
            Outcome::Explanation => "explanation",
            Outcome::Appeal => "appeal",
            Outcome::Closed => "closed",
        }
    }
}

/// A broken deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub number: i64,
    pub url: String,
    pub part: Option<usize>,
    pub department: Option<DepartmentId>,
    pub stage: Stage,
    pub executor: Option<PersonId>,
    pub deadline: DateTime<Utc>,
    /// `None`: still going when the report was made.
    pub ended_at: Option<DateTime<Utc>>,
    pub late_by: Duration,
    pub escalated: bool,
}

/// Time to the answer: nearest-rank median and 90th percentile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnswerTime {
    pub answered: usize,
    pub median: Option<Duration>,
    pub p90: Option<Duration>,
}

impl AnswerTime {
    fn of(mut seconds: Vec<i64>) -> AnswerTime {
        seconds.sort_unstable();
        let rank = |q: usize| -> Option<Duration> {
            let n = seconds.len();
            if n == 0 {
                return None;
            }
            let i = (q * n).div_ceil(100).clamp(1, n) - 1;
            Some(Duration::seconds(seconds[i]))
        };
        AnswerTime {
            answered: seconds.len(),
            median: rank(50),
            p90: rank(90),
        }
    }
}

/// One department's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DepartmentFigures {
    /// Parts routed to it.
    pub parts: usize,
    /// Parts answered, and of them those with no broken deadline of the part's own.
    pub answered: usize,
    pub on_time: usize,
    pub answer_time: AnswerTime,
    pub reworks: u32,
    /// Parts approved, and of them approved without rework.
    pub approved: usize,
    pub first_try: usize,
    pub returned: usize,
    pub violations: usize,
}

impl DepartmentFigures {
    /// Share of answered parts answered in time (`None`: nothing answered).
    pub fn on_time_share(&self) -> Option<f64> {
        (self.answered > 0).then(|| self.on_time as f64 / self.answered as f64)
    }

    pub fn first_try_share(&self) -> Option<f64> {
        (self.approved > 0).then(|| self.first_try as f64 / self.approved as f64)
    }
}

/// A burst of incidents on one topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Burst {
    pub topic: String,
    pub started_at: DateTime<Utc>,
    pub count: usize,
}

/// Every figure of a report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub total: usize,
    pub by_source: BTreeMap<String, usize>,
    pub by_topic: BTreeMap<String, usize>,
    pub by_location: BTreeMap<String, usize>,
    pub by_importance: BTreeMap<&'static str, usize>,
    pub by_department: BTreeMap<DepartmentId, DepartmentFigures>,
    /// Parts per executor.
    pub by_executor: BTreeMap<PersonId, usize>,
    pub outcomes: BTreeMap<Outcome, usize>,
    /// Incidents with at least one part returned by its department.
    pub returned: usize,
    pub repeats: usize,
    pub bursts: Vec<Burst>,
    pub answer_time: AnswerTime,
    pub violations: Vec<Violation>,
    /// Incidents with a broken deadline that reached an escalation.
    pub escalated: usize,
    /// Incidents per local day: (normal, high).
    pub per_day: BTreeMap<NaiveDate, (usize, usize)>,
    pub approved: usize,
    pub first_try: usize,
    pub reworks: u32,
}

impl Figures {
    /// Share of answered incidents answered in time.
    pub fn on_time_share(&self) -> Option<f64> {
        let in_time = self.count(Outcome::InTime);
        let answered = in_time + self.count(Outcome::Late);
        (answered > 0).then(|| in_time as f64 / answered as f64)
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        self.outcomes.get(&outcome).copied().unwrap_or(0)
    }

    pub fn first_try_share(&self) -> Option<f64> {
        (self.approved > 0).then(|| self.first_try as f64 / self.approved as f64)
    }
}

/// The late runs of an incident as of `now`, with how late each is.
pub fn late_runs(
    facts: &IncidentFacts,
    now: DateTime<Utc>,
    rules: Rules<'_>,
) -> Result<Vec<(StageRun, Duration)>, CalendarError> {
    let mut out = Vec::new();
    for run in &facts.workflow.runs {
        let late = run.late_by(now, rules.calendar)?;
        if late > Duration::zero() {
            out.push((run.clone(), late));
        }
    }
    Ok(out)
}

/// How an incident ended up, given whether any of its deadlines was broken.
pub fn outcome(state: IncidentState, broken: bool) -> Outcome {
    match state {
        IncidentState::Published if broken => Outcome::Late,
        IncidentState::Published => Outcome::InTime,
        IncidentState::NoAnswer => Outcome::NoAnswer,
        IncidentState::ExplanationSent => Outcome::Explanation,
        IncidentState::ConvertedToAppeal => Outcome::Appeal,
        IncidentState::Closed => Outcome::Closed,
        _ => Outcome::Open,
    }
}

/// The figures of the incidents detected in a period, as of `now`.
pub fn figures(
    incidents: &[IncidentFacts],
    now: DateTime<Utc>,
    rules: Rules<'_>,
) -> Result<Figures, CalendarError> {
    let mut f = Figures::default();
    let mut answer_seconds = Vec::new();
    let mut department_seconds: BTreeMap<DepartmentId, Vec<i64>> = BTreeMap::new();
    let mut by_topic_times: BTreeMap<&str, Vec<DateTime<Utc>>> = BTreeMap::new();
    for i in incidents {
        let w = &i.workflow;
        f.total += 1;
        *f.by_source.entry(i.source.key().to_string()).or_default() += 1;
        if let Some(t) = &w.topic {
            *f.by_topic.entry(t.clone()).or_default() += 1;
            by_topic_times.entry(t).or_default().push(w.detected_at);
        }
        if let Some(l) = &w.location {
            *f.by_location.entry(l.clone()).or_default() += 1;
        }
        let high = w.importance == Importance::High;
        *f.by_importance
            .entry(if high { "high" } else { "normal" })
            .or_default() += 1;
        let day = rules.calendar.local_date(w.detected_at);
        let slot = f.per_day.entry(day).or_default();
        if high {
            slot.1 += 1;
        } else {
            slot.0 += 1;
        }
        if i.repeat {
            f.repeats += 1;
        }
        let late = late_runs(i, now, rules)?;
        *f.outcomes
            .entry(outcome(w.state, !late.is_empty()))
            .or_default() += 1;
        if late.iter().any(|(r, _)| r.escalated(now)) {
            f.escalated += 1;
        }
        if w.state == IncidentState::Published {
            if let Some(s) = w.answered_in {
                answer_seconds.push(s);
            }
        }
        if w.parts.iter().any(|p| p.returned) {
            f.returned += 1;
        }
        for (n, p) in w.parts.iter().enumerate() {
            *f.by_executor.entry(p.executor).or_default() += 1;
            let d = f.by_department.entry(p.department).or_default();
            d.parts += 1;
            d.reworks += p.reworks;
            f.reworks += p.reworks;
            if p.returned {
                d.returned += 1;
            }
            let part_late = late.iter().filter(|(r, _)| r.part == Some(n)).count();
            d.violations += part_late;
            if let Some(s) = p.answered_in {
                d.answered += 1;
                if part_late == 0 {
                    d.on_time += 1;
                }
                department_seconds.entry(p.department).or_default().push(s);
            }
            if let Some(first) = p.first_try {
                d.approved += 1;
                f.approved += 1;
                if first {
                    d.first_try += 1;
                    f.first_try += 1;
                }
            }
        }
        for (run, late_by) in late {
            let part = run.part.and_then(|p| w.parts.get(p));
            f.violations.push(Violation {
                number: i.number,
                url: i.url.clone(),
                part: run.part,
                department: part.map(|p| p.department),
                stage: run.stage,
                executor: run.executor,
                deadline: run.deadline.unwrap_or(run.started_at),
                ended_at: run.ended_at,
                late_by,
                escalated: run.escalated(now),
            });
        }
    }
    f.answer_time = AnswerTime::of(answer_seconds);
    for (d, seconds) in department_seconds {
        if let Some(figures) = f.by_department.get_mut(&d) {
            figures.answer_time = AnswerTime::of(seconds);
        }
    }
    f.violations.sort_by_key(|v| (v.number, v.deadline));
    f.bursts = bursts(by_topic_times);
    Ok(f)
}

/// Clusters of at least `BURST_MIN` incidents on one topic, each within an hour of the cluster's
/// first; one burst per cluster.
fn bursts(by_topic: BTreeMap<&str, Vec<DateTime<Utc>>>) -> Vec<Burst> {
    let mut out = Vec::new();
    for (topic, mut times) in by_topic {
        times.sort_unstable();
        let mut start = 0;
        while start < times.len() {
            let end = times[start..].partition_point(|t| *t < times[start] + Duration::hours(1));
            if end >= BURST_MIN {
                out.push(Burst {
                    topic: topic.to_string(),
                    started_at: times[start],
                    count: end,
                });
                start += end;
            } else {
                start += 1;
            }
        }
    }
    out.sort_by_key(|b| b.started_at);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let t = AnswerTime::of(vec![10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);
        assert_eq!(t.median, Some(Duration::seconds(5)));
        assert_eq!(t.p90, Some(Duration::seconds(9)));
        assert_eq!(AnswerTime::of(vec![42]).p90, Some(Duration::seconds(42)));
        assert_eq!(AnswerTime::of(Vec::new()).median, None);
    }

    #[test]
    fn a_burst_is_counted_once_per_cluster() {
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let mut times: Vec<DateTime<Utc>> = (0..7).map(|i| t0 + Duration::minutes(5 * i)).collect();
        // Four more a day later: not a burst.
        times.extend((0..4).map(|i| t0 + Duration::days(1) + Duration::minutes(i)));
        let found = bursts(BTreeMap::from([("Дороги", times)]));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].count, 7);
        assert_eq!(found[0].started_at, t0);
    }

    #[test]
    fn outcome_follows_state_and_broken_deadlines() {
        assert_eq!(outcome(IncidentState::Published, false), Outcome::InTime);
        assert_eq!(outcome(IncidentState::Published, true), Outcome::Late);
        assert_eq!(outcome(IncidentState::InWork, true), Outcome::Open);
        assert_eq!(
            outcome(IncidentState::ConvertedToAppeal, false),
            Outcome::Appeal
        );
    }
}
