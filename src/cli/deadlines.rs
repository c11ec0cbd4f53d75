//! `otklik deadlines`: a regulation's deadline plan for a message detected at a moment, as
//! text or JSON.

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::domain::duration::format_duration;
use crate::domain::plan::Due;
use crate::domain::regulation::{Importance, Regulation, Stage};
use crate::domain::WorkCalendar;

fn local(cal: &WorkCalendar, t: DateTime<Utc>) -> String {
    cal.local(t).format("%a %Y-%m-%d %H:%M").to_string()
}

fn describe(due: &Due, cal: &WorkCalendar) -> String {
    match due {
        Due::At { at, assumed } => {
            let mark = if *assumed { " *" } else { "" };
            format!("{}{mark}", local(cal, *at))
        }
        Due::Paused { remaining } => format!(
            "paused, {} of working time left",
            format_duration(*remaining)
        ),
        Due::AwaitingExternal => "set by the monitoring system (none given)".to_string(),
        Due::AwaitingCurator => "set by the curator when routing".to_string(),
        Due::AfterEvent { anchor } => {
            use crate::domain::regulation::Anchor;
            let from = match anchor {
                Anchor::Detection => "detection",
                Anchor::Routed => "routing",
                Anchor::ApprovalStepStarted => "the draft reaching this step",
                Anchor::Approved => "approval",
                Anchor::ReworkRequested => "the request for rework",
                Anchor::InterimPublished => "the interim answer's publication",
            };
            format!("counted from {from}")
        }
    }
}

pub(super) fn text(
    reg: &Regulation,
    cal: &WorkCalendar,
    detected: DateTime<Utc>,
    importance: Importance,
    stages: &[(Stage, Due)],
) -> String {
    let mut out = format!(
        "{} — {} ({})\ndetected          {} · importance {}\n",
        reg.id,
        reg.name,
        reg.time_zone,
        local(cal, detected),
        match importance {
            Importance::Normal => "normal",
            Importance::High => "high",
        }
    );
    for (stage, due) in stages {
        out.push_str(&format!("{:<17} {}\n", stage.key(), describe(due, cal)));
    }
    if stages
        .iter()
        .any(|(_, d)| matches!(d, Due::At { assumed: true, .. }))
    {
        out.push_str("* counted from an earlier step taken at its own deadline\n");
    }
    out.pop();
    out
}

pub(super) fn json(
    reg: &Regulation,
    cal: &WorkCalendar,
    detected: DateTime<Utc>,
    importance: Importance,
    stages: &[(Stage, Due)],
) -> Result<String> {
    let items: Vec<serde_json::Value> = stages
        .iter()
        .map(|(stage, due)| {
            let mut v = serde_json::to_value(due).unwrap_or(serde_json::Value::Null);
            if let (Some(obj), Some(at)) = (v.as_object_mut(), due.instant()) {
                obj.insert("at".into(), cal.local(at).to_rfc3339().into());
            }
            if let Some(obj) = v.as_object_mut() {
                obj.insert("stage".into(), stage.key().into());
            }
            v
        })
        .collect();
    let doc = serde_json::json!({
        "regulation": reg.id,
        "time_zone": reg.time_zone.name(),
        "detected_at": cal.local(detected).to_rfc3339(),
        "importance": importance,
        "stages": items,
    });
    Ok(serde_json::to_string_pretty(&doc)?)
}
