//! Triage: routing to departments, importance, topic and location, rerouting a part.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use super::change::*;
use crate::domain::incident::*;
use crate::domain::regulation::*;

pub(super) fn route(
    c: &mut Change<'_>,
    assignments: &[Assignment],
    importance: &Option<Importance>,
    topic: &Option<String>,
    location: &Option<String>,
    deadlines: &BTreeMap<Stage, DateTime<Utc>>,
) -> Result<(), TransitionError> {
    let incident = c.before;
    let at = c.at;
    let rules = c.rules;
    let reg = c.rules.regulation;
    let next = &mut c.next;
    let events = &mut c.events;
    if assignments.is_empty() {
        return Err(TransitionError::Invalid(
            "choose at least one department".into(),
        ));
    }
    for (i, a) in assignments.iter().enumerate() {
        if assignments[..i]
            .iter()
            .any(|b| b.department == a.department)
        {
            return Err(TransitionError::Invalid(format!(
                "department {} is chosen twice",
                a.department
            )));
        }
    }
    for (stage, t) in deadlines {
        if reg.rule(*stage, incident.importance) != Some(&DeadlineRule::SetByCurator) {
            return Err(TransitionError::Invalid(format!(
                "the regulation does not let the curator set the {stage} deadline"
            )));
        }
        if *t <= at {
            return Err(TransitionError::Invalid(format!(
                "the {stage} deadline must be in the future"
            )));
        }
    }
    if let Some(i) = importance {
        next.importance = *i;
    }
    for (stage, rule) in reg.stages(next.importance) {
        if rule == &DeadlineRule::SetByCurator
            && stage != Stage::Rework
            && !deadlines.contains_key(&stage)
        {
            return Err(TransitionError::MissingCuratorDeadline(stage));
        }
    }
    next.curator_set
        .extend(deadlines.iter().map(|(s, t)| (*s, *t)));
    if topic.is_some() {
        next.topic.clone_from(topic);
    }
    if location.is_some() {
        next.location.clone_from(location);
    }
    for a in assignments {
        next.parts.push(new_part(*a, at));
        events.push(Event::Routed {
            part: next.parts.len() - 1,
            department: a.department,
            executor: a.executor,
        });
    }
    next.state = IncidentState::InWork;
    if next.importance == Importance::High && incident.importance != Importance::High {
        events.push(Event::ImportanceChanged {
            importance: Importance::High,
        });
        events.extend(next.raise_high_importance(rules, at)?);
    }
    Ok(())
}

pub(super) fn set_importance(
    c: &mut Change<'_>,
    importance: &Importance,
) -> Result<(), TransitionError> {
    let incident = c.before;
    let at = c.at;
    let rules = c.rules;
    let next = &mut c.next;
    let events = &mut c.events;
    if incident.importance == *importance {
        return Err(TransitionError::AlreadyDone("importance already set"));
    }
    next.importance = *importance;
    events.push(Event::ImportanceChanged {
        importance: *importance,
    });
    if *importance == Importance::High {
        events.extend(next.raise_high_importance(rules, at)?);
    }
    Ok(())
}

pub(super) fn classify(
    c: &mut Change<'_>,
    topic: &Option<String>,
    location: &Option<String>,
) -> Result<(), TransitionError> {
    let incident = c.before;
    let next = &mut c.next;
    let events = &mut c.events;
    let clean = |v: &Option<String>| {
        v.as_ref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let (topic, location) = (clean(topic), clean(location));
    if topic.is_none() && location.is_none() {
        return Err(TransitionError::Invalid(
            "give a topic or a location".into(),
        ));
    }
    if topic.is_some() {
        next.topic.clone_from(&topic);
    }
    if location.is_some() {
        next.location.clone_from(&location);
    }
    if next.topic == incident.topic && next.location == incident.location {
        return Err(TransitionError::AlreadyDone("already set"));
    }
    events.push(Event::Classified { topic, location });
    Ok(())
}

pub(super) fn reroute(
    c: &mut Change<'_>,
    part: &usize,
    assignment: &Assignment,
) -> Result<(), TransitionError> {
    let incident = c.before;
    let at = c.at;
    let next = &mut c.next;
    let events = &mut c.events;
    if incident
        .active_parts()
        .any(|q| q.department == assignment.department)
    {
        return Err(TransitionError::Invalid(format!(
            "department {} already has a part of this incident",
            assignment.department
        )));
    }
    next.parts[*part].rerouted = true;
    next.parts.push(new_part(*assignment, at));
    if next.state == IncidentState::New {
        next.state = IncidentState::InWork;
    }
    events.push(Event::Routed {
        part: next.parts.len() - 1,
        department: assignment.department,
        executor: assignment.executor,
    });
    Ok(())
}
