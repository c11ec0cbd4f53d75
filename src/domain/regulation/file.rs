//! The profile file format: the TOML sections as written, and their validation into a
//! `Regulation` with every problem and its field path.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

use super::stage_file::{stage_rules, StageSpec};
use super::{
    AnswerRules, Escalation, ExplanationAuthor, ExplanationKind, Importance, Privacy, Publisher,
    Regulation, Reports, SplitMode, Stage, WeekendRule, Workflow,
};
use crate::domain::problems::Problems;
use crate::domain::production_calendar::ProductionCalendar;
use crate::domain::schedule::{ScheduleSpec, WeeklySchedule};

mod reminders;
mod stage_checks;
use reminders::RemindersSection;
use stage_checks::Switches;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProfileFile {
    profile: ProfileSection,
    #[serde(default)]
    schedule: ScheduleSpec,
    /// The curator's own hours (Borovichi §5), in the `[schedule]` format.
    #[serde(default)]
    curator_schedule: Option<ScheduleSpec>,
    #[serde(default)]
    calendar: CalendarSection,
    #[serde(default)]
    workflow: WorkflowSection,
    #[serde(default)]
    reports: ReportsSection,
    #[serde(default)]
    answers: AnswersSection,
    #[serde(default)]
    privacy: PrivacySection,
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

/// Three years unless the profile says otherwise.
const DEFAULT_KEEP_DAYS: u32 = 3 * 365;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrivacySection {
    #[serde(default)]
    keep_days: Option<u32>,
    #[serde(default)]
    run_at: Option<String>,
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
    /// Who posts an approved clarification request (Borovichi §10: the executor).
    clarification_publisher: Publisher,
    /// Who prepares explanations (Sakhalin 3.7 ¶2: the department).
    explanations_by: ExplanationAuthor,
    /// General-interest answers also go to the official pages and site (Vorsino 2.5).
    cross_posting: bool,
    weekend_rule: WeekendRule,
    /// The explanations the regulation provides (all kinds unless listed).
    explanations: Vec<ExplanationKind>,
    /// Conversion to a 59-FZ appeal (on unless the regulation excludes 59-FZ).
    appeals: bool,
    /// Every answer to the monitoring system, not only for the messages it sent (Sakhalin 3.2).
    forward_every_answer: bool,
    /// The answer may be handed over instead of published (Sakhalin 3.3).
    hand_over: bool,
    /// The curator answers emergencies on days off themselves (Vorsino 2.10, Sakhalin 3.9); by
    /// default where `weekend_rule = "curator"`.
    curator_answers_emergencies: Option<bool>,
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
            clarification_publisher: Publisher::Curator,
            explanations_by: ExplanationAuthor::Curator,
            cross_posting: false,
            weekend_rule: WeekendRule::NextWorkingDay,
            explanations: ExplanationKind::ALL.to_vec(),
            appeals: true,
            forward_every_answer: false,
            hand_over: false,
            curator_answers_emergencies: None,
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

/// What makes a good answer, beyond the stages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswersSection {
    /// How many laws and regulations an answer may cite by number before the draft is flagged.
    #[serde(default = "default_law_references")]
    law_references: usize,
}

impl Default for AnswersSection {
    fn default() -> Self {
        AnswersSection {
            law_references: default_law_references(),
        }
    }
}

fn default_law_references() -> usize {
    AnswerRules::DEFAULT_LAW_REFERENCES
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
    at_once: bool,
    #[serde(default)]
    bursts_to_head: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HighSection {
    #[serde(default)]
    stages: BTreeMap<String, StageSpec>,
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

impl ProfileFile {
    pub(super) fn validate(self) -> Result<Regulation, Problems> {
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
        let curator_schedule = match self.curator_schedule.as_ref().map(ScheduleSpec::build) {
            None => None,
            Some(Ok(s)) => Some(s),
            Some(Err(errors)) => {
                for (day, e) in errors {
                    problems.push(&format!("curator_schedule.{day}"), e.0);
                }
                None
            }
        };
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
        let (mut departures, mut wordings) = (Vec::new(), Vec::new());
        let normal = stage_rules(
            &self.stages,
            "stages",
            Importance::Normal,
            &mut departures,
            &mut wordings,
            &mut problems,
        );
        let stages = normal.rules;
        let high_stages = stage_rules(
            &self.high.stages,
            "high.stages",
            Importance::High,
            &mut departures,
            &mut wordings,
            &mut problems,
        )
        .rules;
        let wf = &self.workflow;
        let curator_answers = wf
            .curator_answers_emergencies
            .unwrap_or(wf.weekend_rule == WeekendRule::Curator);
        if curator_answers && wf.weekend_rule == WeekendRule::NextWorkingDay {
            problems.push(
                "workflow.curator_answers_emergencies",
                "is on but weekend_rule = \"next_working_day\" raises no emergency on days off"
                    .into(),
            );
        }

        stage_checks::check(
            Switches {
                competence_check: wf.competence_check,
                department_head_approval: wf.department_head_approval,
                deputy_approval: wf.deputy_approval,
            },
            &stages,
            &high_stages,
            &mut problems,
        );
        let interim_answers = stages.contains_key(&Stage::InterimToFinal);
        let keep_days = self.privacy.keep_days.unwrap_or(DEFAULT_KEEP_DAYS);
        if !(30..=36_500).contains(&keep_days) {
            problems.push(
                "privacy.keep_days",
                format!(
                    "{keep_days} days: keep personal data at least 30 days and at most 100 years"
                ),
            );
        }
        let privacy_at = report_time(
            &self.privacy.run_at,
            "privacy.run_at",
            NaiveTime::from_hms_opt(3, 0, 0).unwrap_or_default(),
            &mut problems,
        );
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
            curator_schedule,
            extra_days_off: self.calendar.extra_days_off,
            extra_working_days: self.calendar.extra_working_days,
            workflow: Workflow {
                publisher: wf.publisher,
                competence_check: wf.competence_check,
                department_head_approval: wf.department_head_approval,
                deputy_approval: wf.deputy_approval,
                split: wf.split,
                clarification_pauses_clock: wf.clarification_pauses_clock,
                clarification_publisher: wf.clarification_publisher,
                clarification_follow_up: normal.follow_up,
                explanations_by: wf.explanations_by,
                cross_posting: wf.cross_posting,
                interim_answers,
                weekend_rule: wf.weekend_rule,
                explanations: ExplanationKind::ALL
                    .into_iter()
                    .filter(|k| wf.explanations.contains(k))
                    .collect(),
                appeals: wf.appeals,
                forward_every_answer: wf.forward_every_answer,
                hand_over: wf.hand_over,
                curator_answers_emergencies: curator_answers,
            },
            reports: Reports {
                weekly,
                weekly_at,
                monthly: self.reports.monthly,
                monthly_at,
            },
            answers: AnswerRules {
                law_references: self.answers.law_references,
            },
            privacy: Privacy {
                keep_days,
                run_at: privacy_at,
            },
            escalation: Escalation {
                high_importance_to_head: self.escalation.high_importance_to_head,
                at_once: self.escalation.at_once,
                bursts_to_head: self.escalation.bursts_to_head,
            },
            reminders,
            departures,
            wordings,
            stages,
            high_stages,
        })
    }
}
