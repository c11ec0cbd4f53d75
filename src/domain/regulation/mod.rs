//! Regulation profiles: everything an administration's regulation says, as data.
//!
//! A profile is a TOML file (`regulations/*.toml` holds the five shipped presets). It says, per
//! stage, how long the stage may take, on which clock and from which event; per-importance
//! overrides; which optional steps are on; who publishes; the weekend rule, reports and
//! escalation. Parsing validates everything and reports every problem with its field path.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{Duration, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::schedule::WeeklySchedule;

mod file;
mod load;
mod stage_file;

pub use load::{RegulationError, PRESETS};

/// The stages of answering an incident that a regulation may put a deadline on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The curator checks the message and routes it to the department/executor.
    Routing,
    /// The department (head) confirms the message is within its competence.
    CompetenceCheck,
    /// The executor sends a draft answer for approval.
    Draft,
    /// The department head approves the draft (optional step).
    DepartmentHeadApproval,
    /// The supervising deputy approves the draft (optional step).
    DeputyApproval,
    /// The curator approves the draft or sends it back.
    CuratorReview,
    /// The executor reworks a draft sent back.
    Rework,
    /// The approved answer is published.
    Publication,
    /// The whole department processing, drafts and rework included.
    DepartmentTotal,
    /// The answer is published: the overall deadline.
    Final,
    /// An explanation (not our competence, abuse of right, already answered) is sent.
    Explanation,
    /// After an interim answer, the final answer is published.
    InterimToFinal,
}

impl Stage {
    pub const ALL: [Stage; 12] = [
        Stage::Routing,
        Stage::CompetenceCheck,
        Stage::Draft,
        Stage::DepartmentHeadApproval,
        Stage::DeputyApproval,
        Stage::CuratorReview,
        Stage::Rework,
        Stage::Publication,
        Stage::DepartmentTotal,
        Stage::Final,
        Stage::Explanation,
        Stage::InterimToFinal,
    ];

    /// The name used in profile files and JSON.
    pub fn key(self) -> &'static str {
        match self {
            Stage::Routing => "routing",
            Stage::CompetenceCheck => "competence_check",
            Stage::Draft => "draft",
            Stage::DepartmentHeadApproval => "department_head_approval",
            Stage::DeputyApproval => "deputy_approval",
            Stage::CuratorReview => "curator_review",
            Stage::Rework => "rework",
            Stage::Publication => "publication",
            Stage::DepartmentTotal => "department_total",
            Stage::Final => "final",
            Stage::Explanation => "explanation",
            Stage::InterimToFinal => "interim_to_final",
        }
    }

    /// The event a stage's time counts from unless the profile says otherwise.
    pub fn default_anchor(self) -> Anchor {
        match self {
            Stage::Routing | Stage::Final | Stage::Explanation | Stage::DepartmentTotal => {
                Anchor::Detection
            }
            Stage::CompetenceCheck | Stage::Draft => Anchor::Routed,
            Stage::DepartmentHeadApproval | Stage::DeputyApproval | Stage::CuratorReview => {
                Anchor::ApprovalStepStarted
            }
            Stage::Rework => Anchor::ReworkRequested,
            Stage::Publication => Anchor::Approved,
            Stage::InterimToFinal => Anchor::InterimPublished,
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Stage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL
            .into_iter()
            .find(|st| st.key() == s)
            .ok_or_else(|| format!("unknown stage {s:?}"))
    }
}

/// How time is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Working time on the organisation's calendar.
    Working,
    /// Plain calendar time.
    Calendar,
    /// Calendar time in which whole non-working days do not count.
    CalendarSkippingNonWorkingDays,
}

/// The event a deadline counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The message was detected (or posted, when the monitoring system gives that time).
    Detection,
    /// The incident reached the department/executor.
    Routed,
    /// The current approval step received the draft.
    ApprovalStepStarted,
    /// The curator approved the answer.
    Approved,
    /// A draft was sent back for rework.
    ReworkRequested,
    /// An interim answer was published.
    InterimPublished,
}

/// When a stage is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadlineRule {
    /// `duration` on `clock` after `from`; with `min_working`, never earlier than that much
    /// working time after `from` (Yuzhno-Sakhalinsk 3.3).
    Within {
        duration: Duration,
        clock: Clock,
        from: Anchor,
        min_working: Option<Duration>,
    },
    /// The end of the N-th working day after `from`.
    WorkingDays { days: u32, from: Anchor },
    /// `duration` of working time before the final deadline.
    BeforeFinal { duration: Duration },
    /// Given with the incident by the monitoring system.
    External,
    /// Set by the curator when routing.
    SetByCurator,
    /// Within another stage's term (Barnaul §5: the deputy agrees the answer within the term the
    /// Controller set for it).
    SameAs { stage: Stage },
}

/// A term counted from an event the deadline plan does not know of (a clarification request
/// posted to the author).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    /// `duration` on `clock`.
    Within { duration: Duration, clock: Clock },
    /// The end of the N-th working day after the event.
    WorkingDays { days: u32 },
}

/// Who publishes an approved answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Publisher {
    Curator,
    Executor,
}

/// Who prepares explanations (not our competence, abuse of right, court acts, already answered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExplanationAuthor {
    /// The curator writes and sends it (Vorsino 2.7).
    Curator,
    /// The department the message was routed to prepares it; the curator sends it (Sakhalin
    /// 3.7 ¶2).
    Department,
}

/// What happens to a message touching several departments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitMode {
    /// Each department's part is answered and published on its own (Borovichi §17).
    EachAnswers,
    /// The curator merges the approved parts into one answer (Barnaul §5).
    Consolidated,
}

/// Who handles high-importance messages arriving on non-working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeekendRule {
    /// Everything waits for the next working day.
    NextWorkingDay,
    /// The curator handles emergencies at once.
    Curator,
    /// The duty officer on the roster is woken for emergencies.
    DutyOfficer,
}

/// Importance category of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Importance {
    Normal,
    High,
}

impl FromStr for Importance {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "normal" => Ok(Importance::Normal),
            "high" => Ok(Importance::High),
            _ => Err(format!("unknown importance {s:?} (normal or high)")),
        }
    }
}

/// The workflow switches of a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    pub publisher: Publisher,
    pub competence_check: bool,
    pub department_head_approval: bool,
    pub deputy_approval: bool,
    pub split: SplitMode,
    pub clarification_pauses_clock: bool,
    /// Who posts an approved clarification request and records the author's reply.
    pub clarification_publisher: Publisher,
    /// When, after a clarification request is posted, the executor and the curators are
    /// reminded that the author has not replied (`None`: never).
    pub clarification_follow_up: Option<Term>,
    /// Who prepares an explanation (Sakhalin 3.7 ¶2: the responsible department; the curator
    /// sends it).
    pub explanations_by: ExplanationAuthor,
    /// Answers of general interest are also posted on the organisation's official pages and
    /// site (Vorsino 2.5, Sakhalin 3.5).
    pub cross_posting: bool,
    pub interim_answers: bool,
    pub weekend_rule: WeekendRule,
    /// The explanations the regulation provides instead of an answer (Vorsino 2.7, Sakhalin
    /// 3.7); none where it provides none.
    pub explanations: Vec<ExplanationKind>,
    /// Whether a message may be converted to an official appeal under 59-FZ (Vorsino 2.9,
    /// Sakhalin 3.8); not where the regulation excludes 59-FZ (Borovichi §2, Krymsk §3).
    pub appeals: bool,
    /// Every answer goes to the monitoring system, also for messages it did not send (from the
    /// organisation's own pages: Sakhalin 3.2 ¶3, the answer to the regional Department).
    pub forward_every_answer: bool,
    /// The publisher may hand the approved answer to the body that publishes it instead, within
    /// the same term (Sakhalin 3.3: to the regional Department of information policy).
    pub hand_over: bool,
    /// The curator (Sakhalin's operator; the duty officer who took the alert) answers an
    /// emergency on days off themselves (Vorsino 2.10, Sakhalin 3.9).
    pub curator_answers_emergencies: bool,
}

/// The kinds of standard explanation (instead of an answer) a regulation provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExplanationKind {
    NotOurCompetence,
    AbuseOfRight,
    CourtActs,
    /// Answered on the substance repeatedly, nothing new (Vorsino 2.7, Sakhalin 3.7).
    AlreadyAnswered,
    /// The answer is published on the official site: its address is given (Sakhalin 3.6 ¶2,
    /// 59-FZ art. 10 p. 4).
    AnswerOnSite,
}

impl ExplanationKind {
    pub const ALL: [ExplanationKind; 5] = [
        ExplanationKind::NotOurCompetence,
        ExplanationKind::AbuseOfRight,
        ExplanationKind::CourtActs,
        ExplanationKind::AlreadyAnswered,
        ExplanationKind::AnswerOnSite,
    ];
}

/// Reports the regulation asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reports {
    pub weekly: Option<Weekday>,
    /// The local time of day the weekly report goes out (16:00 unless set).
    pub weekly_at: NaiveTime,
    /// The monthly report goes out on the first working day of the month, at this local time.
    pub monthly: bool,
    pub monthly_at: NaiveTime,
}

/// How long citizens' personal data is kept (152-FZ): after `keep_days` from detection a
/// finished incident is anonymised — author, text, links, drafts and attachments go; counts and
/// stage times stay for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Privacy {
    pub keep_days: u32,
    /// The local time of day the daily anonymisation runs.
    pub run_at: NaiveTime,
}

/// What the organisation asks of an answer's text (ЦУР returns answers that pile up legal
/// references).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRules {
    /// Laws and regulations an answer may cite by number before the draft is flagged.
    pub law_references: usize,
}

impl AnswerRules {
    pub const DEFAULT_LAW_REFERENCES: usize = 2;
}

/// Escalations to the head the regulation asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub high_importance_to_head: bool,
    /// The head's alert about a significant message goes at once, outside working hours too
    /// (Barnaul §12 «незамедлительно»); otherwise quiet hours hold it for the morning.
    pub at_once: bool,
    pub bursts_to_head: bool,
}

/// When the scheduler reminds, tells and escalates (the `[reminders]` section of a profile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminders {
    /// Remind when this share (percent) of a stage's working time is gone.
    pub at_shares: Vec<u8>,
    /// Remind when this much working time is left.
    pub before: Vec<Duration>,
    /// At the deadline, tell the stage's owner and the curators.
    pub at_deadline: bool,
    /// Working time after a deadline when the department head is told (`None`: never).
    pub escalate_to_department_head: Option<Duration>,
    /// Working time after a deadline when the head of the organisation is told.
    pub escalate_to_head: Option<Duration>,
    /// A weekend alert nobody answers within this (calendar) time goes to the rest of the duty
    /// roster, and after as long again to the curators and the head.
    pub duty_unanswered: Duration,
}

impl Default for Reminders {
    fn default() -> Self {
        Reminders {
            at_shares: vec![50],
            before: vec![Duration::hours(1), Duration::minutes(15)],
            at_deadline: true,
            escalate_to_department_head: Some(Duration::hours(1)),
            escalate_to_head: Some(Duration::hours(4)),
            duty_unanswered: Duration::minutes(15),
        }
    }
}

/// A validated regulation profile.
#[derive(Debug, Clone)]
pub struct Regulation {
    pub id: String,
    pub name: String,
    pub basis: String,
    pub time_zone: Tz,
    pub regions: Vec<String>,
    pub schedule: WeeklySchedule,
    /// The curator's own working hours, when they differ from the organisation's (Borovichi §5):
    /// the curator's stages (routing, review, their publication, explanations) count on them.
    pub curator_schedule: Option<WeeklySchedule>,
    pub extra_days_off: Vec<NaiveDate>,
    pub extra_working_days: Vec<NaiveDate>,
    pub workflow: Workflow,
    pub reports: Reports,
    pub answers: AnswerRules,
    pub privacy: Privacy,
    pub escalation: Escalation,
    pub reminders: Reminders,
    /// Rules that depart from the regulation's words, with the reason.
    pub departures: Vec<Departure>,
    /// The regulation's own words for each term the profile quotes.
    pub wordings: Vec<Wording>,
    stages: BTreeMap<Stage, DeadlineRule>,
    high_stages: BTreeMap<Stage, DeadlineRule>,
}

/// A rule that reads the regulation's text otherwise than literally, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Departure {
    pub subject: Subject,
    pub importance: Importance,
    pub why: String,
}

/// The regulation's own words for a stage's term, as the profile quotes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    pub stage: Stage,
    pub importance: Importance,
    pub words: String,
}

/// What a profile's rule is about: a stage's term, or the follow-up of a clarification the
/// author has not answered (a setting the seeds do not give).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Stage(Stage),
    ClarificationFollowUp,
}

impl Subject {
    /// The text naming it (`dialogues/ru.ftl`).
    pub fn text_key(self) -> String {
        match self {
            Subject::Stage(stage) => format!("stage-{}", stage.key()),
            Subject::ClarificationFollowUp => "stage-clarification_follow_up".to_string(),
        }
    }
}

impl Regulation {
    /// The rule for a stage at an importance (high falls back to the normal rule).
    pub fn rule(&self, stage: Stage, importance: Importance) -> Option<&DeadlineRule> {
        if importance == Importance::High {
            if let Some(r) = self.high_stages.get(&stage) {
                return Some(r);
            }
        }
        self.stages.get(&stage)
    }

    /// Stages with a rule at this importance, in workflow order.
    pub fn stages(&self, importance: Importance) -> Vec<(Stage, &DeadlineRule)> {
        Stage::ALL
            .into_iter()
            .filter_map(|s| self.rule(s, importance).map(|r| (s, r)))
            .collect()
    }
}
