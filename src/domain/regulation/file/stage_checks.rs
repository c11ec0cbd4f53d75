//! Checks across a profile's stages: the steps switched on need deadlines and a deadline needs
//! its step on, overrides need a normal rule, derived terms need something to derive from.

use std::collections::BTreeMap;

use crate::domain::duration::format_duration;
use crate::domain::problems::Problems;
use crate::domain::regulation::{Anchor, Clock, DeadlineRule, Stage};

/// The optional steps of the workflow, as the profile switches them.
pub(super) struct Switches {
    pub competence_check: bool,
    pub department_head_approval: bool,
    pub deputy_approval: bool,
}

/// Every problem across the stages, with its field path.
pub(super) fn check(
    switches: Switches,
    stages: &BTreeMap<Stage, DeadlineRule>,
    high_stages: &BTreeMap<Stage, DeadlineRule>,
    problems: &mut Problems,
) {
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
            switches.competence_check,
            "workflow.competence_check is on",
        ),
        (
            Stage::DepartmentHeadApproval,
            switches.department_head_approval,
            "workflow.department_head_approval is on",
        ),
        (
            Stage::DeputyApproval,
            switches.deputy_approval,
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
            switches.competence_check,
            "workflow.competence_check",
        ),
        (
            Stage::DepartmentHeadApproval,
            switches.department_head_approval,
            "workflow.department_head_approval",
        ),
        (
            Stage::DeputyApproval,
            switches.deputy_approval,
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
        if let DeadlineRule::Within { from, .. } | DeadlineRule::WorkingDays { from, .. } = rule {
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
    // A term borrowed from another stage needs that stage to have a term of its own.
    for (prefix, map) in [("stages", &stages), ("high.stages", &high_stages)] {
        for (stage, rule) in map.iter() {
            let DeadlineRule::SameAs { stage: other } = rule else {
                continue;
            };
            let target = map.get(other).or_else(|| stages.get(other));
            if matches!(target, None | Some(DeadlineRule::SameAs { .. })) {
                problems.push(
                    &format!("{prefix}.{}.same_as", stage.key()),
                    format!("{} has no term of its own to take", other.key()),
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
            "before_final deadlines need a final deadline that is computed or external".to_string(),
        );
    }
}
