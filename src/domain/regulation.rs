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

use super::calendar::WorkCalendar;
use super::duration::{format_duration, parse_duration};
use super::problems::Problems;
use super::production_calendar::{CalendarFileError, ProductionCalendar};
use super::schedule::{ScheduleSpec, WeeklySchedule};

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
}

/// Who publishes an approved answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Publisher {
    Curator,
    Executor,
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
    pub interim_answers: bool,
    pub weekend_rule: WeekendRule,
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

/// Escalations to the head the regulation asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub high_importance_to_head: bool,
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
    pub extra_days_off: Vec<NaiveDate>,
    pub extra_working_days: Vec<NaiveDate>,
    pub workflow: Workflow,
    pub reports: Reports,
    pub escalation: Escalation,
    pub reminders: Reminders,
    stages: BTreeMap<Stage, DeadlineRule>,
    high_stages: BTreeMap<Stage, DeadlineRule>,
}

/// A profile that cannot be used, with every problem found.
#[derive(Debug, thiserror::Error)]
pub enum RegulationError {
    #[error("regulation profile is invalid:\n{0}")]
    Invalid(Problems),
    #[error("unknown regulation preset {name:?}; presets: {known}")]
    UnknownPreset { name: String, known: String },
    #[error(transparent)]
    Calendar(#[from] CalendarFileError),
}

/// The five shipped presets: (name, file text).
pub const PRESETS: [(&str, &str); 5] = [
    ("vorsino", include_str!("../../regulations/vorsino.toml")),
    (
        "borovichi",
        include_str!("../../regulations/borovichi.toml"),
    ),
    ("krymsk", include_str!("../../regulations/krymsk.toml")),
    (
        "yuzhno-sakhalinsk",
        include_str!("../../regulations/yuzhno-sakhalinsk.toml"),
    ),
    (
        "barnaul-leninsky",
        include_str!("../../regulations/barnaul-leninsky.toml"),
    ),
];

impl Regulation {
    /// A shipped preset by its place name.
    pub fn preset(name: &str) -> Result<Self, RegulationError> {
        let text = PRESETS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| RegulationError::UnknownPreset {
                name: name.to_string(),
                known: PRESETS.map(|(n, _)| n).join(", "),
            })?;
        Self::from_toml(text)
    }

    /// Parses and validates a profile.
    pub fn from_toml(text: &str) -> Result<Self, RegulationError> {
        let file: ProfileFile = toml::from_str(text).map_err(|e| {
            let mut p = Problems::default();
            p.push("", e.to_string().trim().replace('\n', "\n  "));
            RegulationError::Invalid(p)
        })?;
        file.validate().map_err(RegulationError::Invalid)
    }

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

    /// The organisation's working calendar from a production calendar file's text.
    pub fn calendar_from(&self, production_text: &str) -> Result<WorkCalendar, RegulationError> {
        let production = ProductionCalendar::parse(production_text, &self.regions)?
            .with_overrides(&self.extra_days_off, &self.extra_working_days);
        Ok(WorkCalendar::new(
            self.time_zone,
            &self.schedule,
            &production,
        ))
    }

    /// The organisation's working calendar on the shipped production calendar.
    pub fn calendar(&self) -> Result<WorkCalendar, RegulationError> {
        self.calendar_from(super::production_calendar::SHIPPED_RU_CALENDAR)
    }
}

// ---- the file format -------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    profile: ProfileSection,
    #[serde(default)]
    schedule: ScheduleSpec,
    #[serde(default)]
    calendar: CalendarSection,
    #[serde(default)]
    workflow: WorkflowSection,
    #[serde(default)]
    reports: ReportsSection,
    #[serde(default)]
    escalation: EscalationSection,
    #[serde(default)]
    reminders: RemindersSection,
    #[serde(default)]
    stages: BTreeMap<String, StageSpec>,
    #[serde(default)]
    high: HighSection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileSection {
    id: String,
    name: String,
    #[serde(default)]
    basis: String,
    time_zone: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarSection {
    #[serde(default)]
    regions: Vec<String>,
    #[serde(default)]
    extra_days_off: Vec<NaiveDate>,
    #[serde(default)]
    extra_working_days: Vec<NaiveDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct WorkflowSection {
    publisher: Publisher,
    competence_check: bool,
    department_head_approval: bool,
    deputy_approval: bool,
    split: SplitMode,
    clarification_pauses_clock: bool,
    weekend_rule: WeekendRule,
}

impl Default for WorkflowSection {
    fn default() -> Self {
        Self {
            publisher: Publisher::Curator,
            competence_check: false,
            department_head_approval: false,
            deputy_approval: false,
            split: SplitMode::Consolidated,
            clarification_pauses_clock: false,
            weekend_rule: WeekendRule::NextWorkingDay,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportsSection {
    #[serde(default)]
    weekly: Option<String>,
    /// "HH:MM", local time.
    #[serde(default)]
    weekly_at: Option<String>,
    #[serde(default)]
    monthly: bool,
    #[serde(default)]
    monthly_at: Option<String>,
}

/// A local time of day written "HH:MM".
fn report_time(
    value: &Option<String>,
    field: &str,
    default: NaiveTime,
    problems: &mut Problems,
) -> NaiveTime {
    match value.as_deref().map(str::trim) {
        None => default,
        Some(t) => match NaiveTime::parse_from_str(t, "%H:%M") {
            Ok(time) => time,
            Err(_) => {
                problems.push(field, format!("{t:?} is not a time of day (HH:MM)"));
                default
            }
        },
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EscalationSection {
    #[serde(default)]
    high_importance_to_head: bool,
    #[serde(default)]
    bursts_to_head: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemindersSection {
    /// Percent of a stage's working time gone, e.g. [50].
    at_shares: Option<Vec<i64>>,
    /// Working time left, e.g. ["1h", "15m"].
    before: Option<Vec<String>>,
    at_deadline: Option<bool>,
    /// Working time after the deadline, or "off".
    escalate_to_department_head: Option<String>,
    escalate_to_head: Option<String>,
    /// Calendar time, e.g. "15m".
    duty_unanswered: Option<String>,
}

impl RemindersSection {
    fn to_reminders(&self, problems: &mut Problems) -> Reminders {
        let defaults = Reminders::default();
        let duration = |field: &str, text: &str, problems: &mut Problems| match parse_duration(text)
        {
            Ok(d) if d > Duration::zero() => Some(d),
            Ok(_) => {
                problems.push(
                    &format!("reminders.{field}"),
                    "must be more than zero".into(),
                );
                None
            }
            Err(e) => {
                problems.push(&format!("reminders.{field}"), e);
                None
            }
        };
        let mut at_shares = defaults.at_shares.clone();
        if let Some(shares) = &self.at_shares {
            at_shares = Vec::new();
            for (i, v) in shares.iter().enumerate() {
                match u8::try_from(*v) {
                    Ok(p) if (1..=99).contains(&p) => at_shares.push(p),
                    _ => problems.push(
                        &format!("reminders.at_shares[{i}]"),
                        format!("{v} is not a percentage between 1 and 99"),
                    ),
                }
            }
        }
        let mut before = defaults.before.clone();
        if let Some(list) = &self.before {
            before = list
                .iter()
                .enumerate()
                .filter_map(|(i, t)| duration(&format!("before[{i}]"), t, problems))
                .collect();
        }
        let escalation = |field: &str,
                          value: &Option<String>,
                          default: Option<Duration>,
                          problems: &mut Problems| {
            match value.as_deref().map(str::trim) {
                None => default,
                Some("off") => None,
                Some(t) => duration(field, t, problems),
            }
        };
        Reminders {
            at_shares,
            before,
            at_deadline: self.at_deadline.unwrap_or(defaults.at_deadline),
            escalate_to_department_head: escalation(
                "escalate_to_department_head",
                &self.escalate_to_department_head,
                defaults.escalate_to_department_head,
                problems,
            ),
            escalate_to_head: escalation(
                "escalate_to_head",
                &self.escalate_to_head,
                defaults.escalate_to_head,
                problems,
            ),
            duty_unanswered: match &self.duty_unanswered {
                None => defaults.duty_unanswered,
                Some(t) => {
                    duration("duty_unanswered", t, problems).unwrap_or(defaults.duty_unanswered)
                }
            },
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HighSection {
    #[serde(default)]
    stages: BTreeMap<String, StageSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StageSpec {
    within: Option<String>,
    within_working_days: Option<u32>,
    before_final: Option<String>,
    #[serde(default)]
    external: bool,
    #[serde(default)]
    set_by_curator: bool,
    clock: Option<Clock>,
    from: Option<Anchor>,
    min_working: Option<String>,
}

impl StageSpec {
    fn to_rule(&self, stage: Stage, path: &str, problems: &mut Problems) -> Option<DeadlineRule> {
        let kinds = [
            self.within.is_some(),
            self.within_working_days.is_some(),
            self.before_final.is_some(),
            self.external,
            self.set_by_curator,
        ];
        let count = kinds.iter().filter(|k| **k).count();
        if count != 1 {
            problems.push(
                path,
                "give exactly one of within, within_working_days, before_final, external = true, set_by_curator = true"
                    .to_string(),
            );
            return None;
        }
        let from = self.from.unwrap_or(stage.default_anchor());
        let duration = |field: &str, text: &str, problems: &mut Problems| match parse_duration(text)
        {
            Ok(d) => Some(d),
            Err(e) => {
                problems.push(&format!("{path}.{field}"), e);
                None
            }
        };
        let only_with_within = |field: &str, present: bool, problems: &mut Problems| {
            if present {
                problems.push(
                    &format!("{path}.{field}"),
                    "only allowed together with `within`".to_string(),
                );
            }
        };
        if let Some(text) = &self.within {
            let d = duration("within", text, problems)?;
            let min_working = match &self.min_working {
                Some(t) => Some(duration("min_working", t, problems)?),
                None => None,
            };
            if d.is_zero() && stage != Stage::Routing {
                problems.push(
                    &format!("{path}.within"),
                    "a zero deadline only makes sense for routing (\"at once\")".to_string(),
                );
            }
            return Some(DeadlineRule::Within {
                duration: d,
                clock: self.clock.unwrap_or(Clock::Working),
                from,
                min_working,
            });
        }
        only_with_within("clock", self.clock.is_some(), problems);
        only_with_within("min_working", self.min_working.is_some(), problems);
        if let Some(days) = self.within_working_days {
            if days == 0 {
                problems.push(
                    &format!("{path}.within_working_days"),
                    "must be at least 1".to_string(),
                );
            }
            return Some(DeadlineRule::WorkingDays { days, from });
        }
        if self.from.is_some() {
            problems.push(
                &format!("{path}.from"),
                "only allowed with within or within_working_days".to_string(),
            );
        }
        if let Some(text) = &self.before_final {
            if stage == Stage::Final {
                problems.push(
                    &format!("{path}.before_final"),
                    "the final deadline cannot be derived from itself".to_string(),
                );
            }
            let d = duration("before_final", text, problems)?;
            return Some(DeadlineRule::BeforeFinal { duration: d });
        }
        if self.external {
            return Some(DeadlineRule::External);
        }
        Some(DeadlineRule::SetByCurator)
    }
}

fn parse_weekday(s: &str) -> Option<Weekday> {
    match s {
        "mon" => Some(Weekday::Mon),
        "tue" => Some(Weekday::Tue),
        "wed" => Some(Weekday::Wed),
        "thu" => Some(Weekday::Thu),
        "fri" => Some(Weekday::Fri),
        "sat" => Some(Weekday::Sat),
        "sun" => Some(Weekday::Sun),
        _ => None,
    }
}

fn stage_rules(
    specs: &BTreeMap<String, StageSpec>,
    prefix: &str,
    problems: &mut Problems,
) -> BTreeMap<Stage, DeadlineRule> {
    let mut out = BTreeMap::new();
    for (key, spec) in specs {
        let path = format!("{prefix}.{key}");
        match key.parse::<Stage>() {
            Ok(stage) => {
                if let Some(rule) = spec.to_rule(stage, &path, problems) {
                    out.insert(stage, rule);
                }
            }
            Err(_) => problems.push(
                &path,
                format!(
                    "unknown stage; stages: {}",
                    Stage::ALL.map(Stage::key).join(", ")
                ),
            ),
        }
    }
    out
}

impl ProfileFile {
    fn validate(self) -> Result<Regulation, Problems> {
        let mut problems = Problems::default();
        let time_zone = match self.profile.time_zone.parse::<Tz>() {
            Ok(tz) => Some(tz),
            Err(_) => {
                problems.push(
                    "profile.time_zone",
                    format!(
                        "{:?} is not an IANA time zone such as Europe/Moscow",
                        self.profile.time_zone
                    ),
                );
                None
            }
        };
        if self.profile.id.trim().is_empty() {
            problems.push("profile.id", "must not be empty".to_string());
        }
        if self.profile.name.trim().is_empty() {
            problems.push("profile.name", "must not be empty".to_string());
        }
        let schedule = match self.schedule.build() {
            Ok(s) => s,
            Err(errors) => {
                for (day, e) in errors {
                    problems.push(&format!("schedule.{day}"), e.0);
                }
                WeeklySchedule::default()
            }
        };
        if [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .iter()
        .all(|d| schedule.windows(*d).is_empty())
        {
            problems.push(
                "schedule",
                "the week has no working hours at all".to_string(),
            );
        }
        if let Err(e) = ProductionCalendar::shipped(&self.calendar.regions) {
            for p in e.0 .0 {
                problems.push(&format!("calendar.regions ({})", p.path), p.message);
            }
        }
        let weekly = match self.reports.weekly.as_deref() {
            None => None,
            Some(s) => match parse_weekday(s) {
                Some(d) => Some(d),
                None => {
                    problems.push(
                        "reports.weekly",
                        format!("{s:?} is not a weekday (mon, tue, wed, thu, fri, sat, sun)"),
                    );
                    None
                }
            },
        };
        let weekly_at = report_time(
            &self.reports.weekly_at,
            "reports.weekly_at",
            NaiveTime::from_hms_opt(16, 0, 0).unwrap_or_default(),
            &mut problems,
        );
        let monthly_at = report_time(
            &self.reports.monthly_at,
            "reports.monthly_at",
            NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default(),
            &mut problems,
        );
        let stages = stage_rules(&self.stages, "stages", &mut problems);
        let high_stages = stage_rules(&self.high.stages, "high.stages", &mut problems);
        let wf = &self.workflow;

        // Cross-field checks: the steps switched on need deadlines, and vice versa.
        let required = [
            (Stage::Routing, true, "every profile routes messages"),
            (Stage::Final, true, "every profile has an overall deadline"),
            (
                Stage::Draft,
                true,
                "every profile has a deadline for the executor's draft",
            ),
            (
                Stage::CompetenceCheck,
                wf.competence_check,
                "workflow.competence_check is on",
            ),
            (
                Stage::DepartmentHeadApproval,
                wf.department_head_approval,
                "workflow.department_head_approval is on",
            ),
            (
                Stage::DeputyApproval,
                wf.deputy_approval,
                "workflow.deputy_approval is on",
            ),
        ];
        for (stage, needed, why) in required {
            if needed && !stages.contains_key(&stage) {
                problems.push(
                    &format!("stages.{}", stage.key()),
                    format!("missing: {why}"),
                );
            }
        }
        let switched = [
            (
                Stage::CompetenceCheck,
                wf.competence_check,
                "workflow.competence_check",
            ),
            (
                Stage::DepartmentHeadApproval,
                wf.department_head_approval,
                "workflow.department_head_approval",
            ),
            (
                Stage::DeputyApproval,
                wf.deputy_approval,
                "workflow.deputy_approval",
            ),
        ];
        for (stage, on, switch) in switched {
            let has = stages.contains_key(&stage) || high_stages.contains_key(&stage);
            if has && !on {
                problems.push(
                    &format!("stages.{}", stage.key()),
                    format!("has a deadline but {switch} is off"),
                );
            }
        }
        for (stage, rule) in stages.iter().chain(high_stages.iter()) {
            let prefix = if high_stages.get(stage) == Some(rule) && !stages.contains_key(stage) {
                "high.stages"
            } else {
                "stages"
            };
            if let DeadlineRule::Within { from, .. } | DeadlineRule::WorkingDays { from, .. } = rule
            {
                if *from == Anchor::InterimPublished && *stage != Stage::InterimToFinal {
                    problems.push(
                        &format!("{prefix}.{}.from", stage.key()),
                        "only interim_to_final counts from the interim answer".to_string(),
                    );
                }
            }
        }
        for (stage, _) in high_stages.iter() {
            if !stages.contains_key(stage) {
                problems.push(
                    &format!("high.stages.{}", stage.key()),
                    "overrides a stage that has no normal-importance rule".to_string(),
                );
            }
        }
        // A derived deadline must leave time after the incident arrives.
        for (prefix, map) in [("stages", &stages), ("high.stages", &high_stages)] {
            let Some(DeadlineRule::BeforeFinal { duration }) = map.get(&Stage::Draft) else {
                continue;
            };
            let final_rule = map.get(&Stage::Final).or_else(|| stages.get(&Stage::Final));
            if let Some(DeadlineRule::Within {
                duration: total,
                clock: Clock::Working,
                ..
            }) = final_rule
            {
                if duration >= total {
                    problems.push(
                        &format!("{prefix}.draft.before_final"),
                        format!(
                            "{} before a final deadline of {} leaves no time for the draft",
                            format_duration(*duration),
                            format_duration(*total)
                        ),
                    );
                }
            }
        }
        let uses_before_final = stages
            .values()
            .chain(high_stages.values())
            .any(|r| matches!(r, DeadlineRule::BeforeFinal { .. }));
        if uses_before_final
            && matches!(
                stages.get(&Stage::Final),
                Some(DeadlineRule::SetByCurator) | None
            )
        {
            problems.push(
                "stages.final",
                "before_final deadlines need a final deadline that is computed or external"
                    .to_string(),
            );
        }
        let interim_answers = stages.contains_key(&Stage::InterimToFinal);
        let reminders = self.reminders.to_reminders(&mut problems);

        let (Some(time_zone), true) = (time_zone, problems.is_empty()) else {
            return Err(problems);
        };
        Ok(Regulation {
            id: self.profile.id,
            name: self.profile.name,
            basis: self.profile.basis,
            time_zone,
            regions: self.calendar.regions,
            schedule,
            extra_days_off: self.calendar.extra_days_off,
            extra_working_days: self.calendar.extra_working_days,
            workflow: Workflow {
                publisher: wf.publisher,
                competence_check: wf.competence_check,
                department_head_approval: wf.department_head_approval,
                deputy_approval: wf.deputy_approval,
                split: wf.split,
                clarification_pauses_clock: wf.clarification_pauses_clock,
                interim_answers,
                weekend_rule: wf.weekend_rule,
            },
            reports: Reports {
                weekly,
                weekly_at,
                monthly: self.reports.monthly,
                monthly_at,
            },
            escalation: Escalation {
                high_importance_to_head: self.escalation.high_importance_to_head,
                bursts_to_head: self.escalation.bursts_to_head,
            },
            reminders,
            stages,
            high_stages,
        })
    }
}
