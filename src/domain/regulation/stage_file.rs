//! The `[stages.*]` sections of a profile file: one stage's rule as written, and its validation
//! into a `DeadlineRule` (with the departure it declares).

use std::collections::BTreeMap;

use chrono::Duration;
use serde::Deserialize;

use super::{Anchor, Clock, DeadlineRule, Departure, Importance, Stage, Subject, Term, Wording};
use crate::domain::duration::parse_duration;
use crate::domain::problems::Problems;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StageSpec {
    within: Option<String>,
    within_working_days: Option<u32>,
    before_final: Option<String>,
    #[serde(default)]
    external: bool,
    #[serde(default)]
    set_by_curator: bool,
    /// Within another stage's term.
    same_as: Option<Stage>,
    clock: Option<Clock>,
    from: Option<Anchor>,
    min_working: Option<String>,
    /// Where and why this rule departs from the regulation's own words (a plain hour read as a
    /// working hour, a number changed); shown on `/settings` so nobody takes it for the text.
    departure: Option<String>,
    /// The regulation's own words for this term, quoted («в течение 30 минут»): what a reader
    /// checks the rule against, and how a plain hour read as a working one is found.
    wording: Option<String>,
}

impl StageSpec {
    fn to_rule(&self, stage: Stage, path: &str, problems: &mut Problems) -> Option<DeadlineRule> {
        let kinds = [
            self.within.is_some(),
            self.within_working_days.is_some(),
            self.before_final.is_some(),
            self.external,
            self.set_by_curator,
            self.same_as.is_some(),
        ];
        let count = kinds.iter().filter(|k| **k).count();
        if count != 1 {
            problems.push(
                path,
                "give exactly one of within, within_working_days, before_final, external = true, set_by_curator = true, same_as"
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
        if let Some(other) = self.same_as {
            if other == stage {
                problems.push(
                    &format!("{path}.same_as"),
                    "a stage cannot take its own term".to_string(),
                );
                return None;
            }
            return Some(DeadlineRule::SameAs { stage: other });
        }
        Some(DeadlineRule::SetByCurator)
    }
}

/// The section of the clarification follow-up (`[stages.clarification_follow_up]`): not a stage
/// with a deadline, but when the executor and the curators are reminded that the author has not
/// answered a posted clarification request.
pub(super) const FOLLOW_UP: &str = "clarification_follow_up";

impl StageSpec {
    /// The follow-up's term: `within` (on any clock) or `within_working_days`, counted from the
    /// request's posting.
    fn to_term(&self, path: &str, problems: &mut Problems) -> Option<Term> {
        let others = [
            ("before_final", self.before_final.is_some()),
            ("external", self.external),
            ("set_by_curator", self.set_by_curator),
            ("same_as", self.same_as.is_some()),
            ("from", self.from.is_some()),
            ("min_working", self.min_working.is_some()),
        ];
        for (field, present) in others {
            if present {
                problems.push(
                    &format!("{path}.{field}"),
                    "the follow-up counts from the request's posting: give only within (and clock) or within_working_days".to_string(),
                );
            }
        }
        match (&self.within, self.within_working_days) {
            (Some(text), None) => match parse_duration(text) {
                Ok(d) if d > Duration::zero() => Some(Term::Within {
                    duration: d,
                    clock: self.clock.unwrap_or(Clock::Working),
                }),
                Ok(_) => {
                    problems.push(&format!("{path}.within"), "must be more than zero".into());
                    None
                }
                Err(e) => {
                    problems.push(&format!("{path}.within"), e);
                    None
                }
            },
            (None, Some(days)) if days >= 1 && self.clock.is_none() => {
                Some(Term::WorkingDays { days })
            }
            (None, Some(_)) if self.clock.is_some() => {
                problems.push(
                    &format!("{path}.clock"),
                    "only allowed together with `within`".to_string(),
                );
                None
            }
            (None, Some(_)) => {
                problems.push(
                    &format!("{path}.within_working_days"),
                    "must be at least 1".to_string(),
                );
                None
            }
            _ => {
                problems.push(
                    path,
                    "give exactly one of within, within_working_days".to_string(),
                );
                None
            }
        }
    }
}

/// What the `[stages.*]` (or `[high.stages.*]`) sections give.
#[derive(Default)]
pub(super) struct StageRules {
    pub rules: BTreeMap<Stage, DeadlineRule>,
    /// `[stages.clarification_follow_up]`.
    pub follow_up: Option<Term>,
}

pub(super) fn stage_rules(
    specs: &BTreeMap<String, StageSpec>,
    prefix: &str,
    importance: Importance,
    departures: &mut Vec<Departure>,
    wordings: &mut Vec<Wording>,
    problems: &mut Problems,
) -> StageRules {
    let mut out = StageRules::default();
    for (key, spec) in specs {
        let path = format!("{prefix}.{key}");
        let subject = if key == FOLLOW_UP {
            if importance == Importance::High {
                problems.push(
                    &path,
                    "the follow-up does not depend on importance: set it under [stages]"
                        .to_string(),
                );
                continue;
            }
            out.follow_up = spec.to_term(&path, problems);
            Subject::ClarificationFollowUp
        } else {
            match key.parse::<Stage>() {
                Ok(stage) => {
                    if let Some(rule) = spec.to_rule(stage, &path, problems) {
                        out.rules.insert(stage, rule);
                    }
                    Subject::Stage(stage)
                }
                Err(_) => {
                    problems.push(
                        &path,
                        format!(
                            "unknown stage; stages: {}, and {FOLLOW_UP}",
                            Stage::ALL.map(Stage::key).join(", ")
                        ),
                    );
                    continue;
                }
            }
        };
        match spec.departure.as_deref().map(str::trim) {
            Some("") => problems.push(
                &format!("{path}.departure"),
                "must say why, or be left out".to_string(),
            ),
            Some(why) => departures.push(Departure {
                subject,
                importance,
                why: why.to_string(),
            }),
            None => {}
        }
        match (spec.wording.as_deref().map(str::trim), subject) {
            (Some(""), _) => problems.push(
                &format!("{path}.wording"),
                "must quote the regulation, or be left out".to_string(),
            ),
            (Some(words), Subject::Stage(stage)) => wordings.push(Wording {
                stage,
                importance,
                words: words.to_string(),
            }),
            (Some(_), _) => problems.push(
                &format!("{path}.wording"),
                "only a stage's term is quoted".to_string(),
            ),
            (None, _) => {}
        }
    }
    out
}
