//! The `[reminders]` section of a profile file and its validation.

use chrono::Duration;
use serde::Deserialize;

use super::super::Reminders;
use crate::domain::duration::parse_duration;
use crate::domain::problems::Problems;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RemindersSection {
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
    pub(super) fn to_reminders(&self, problems: &mut Problems) -> Reminders {
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
