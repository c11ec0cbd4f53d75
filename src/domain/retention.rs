//! Personal data past its retention period (152-FZ): what anonymising an incident removes and
//! what it keeps. Removed: the author, the citizen's text, links, attachments, every draft's
//! text and attachments, rework and return comments, the 59-FZ contact, the explanation's text
//! (sent or prepared), the links of cross-posts, the curators' reasons.
//! Kept: numbers, states, topics and territories, who worked on it and every stage time — what
//! reports count.

use chrono::{DateTime, Duration, Utc};

use super::content::IncidentRecord;
use super::incident::{Draft, Incident};

/// The instant before which finished incidents are anonymised, `keep_days` before `now`.
pub fn retention_cutoff(now: DateTime<Utc>, keep_days: u32) -> DateTime<Utc> {
    now - Duration::days(i64::from(keep_days))
}

/// Whether an incident may be anonymised at `cutoff`: finished, and found before it.
pub fn due_for_anonymising(workflow: &Incident, cutoff: DateTime<Utc>) -> bool {
    workflow.state.is_finished() && workflow.detected_at < cutoff
}

fn clear_draft(draft: &mut Draft, placeholder: &str) {
    draft.text = placeholder.to_string();
    draft.attachments.clear();
    for review in &mut draft.reviews {
        if review.rework_comment.is_some() {
            review.rework_comment = Some(placeholder.to_string());
        }
    }
}

/// Removes the personal content of an incident; `placeholder` stands where a text was.
pub fn anonymise(record: &mut IncidentRecord, placeholder: &str) {
    let content = &mut record.content;
    content.url.clear();
    content.author.clear();
    content.text = placeholder.to_string();
    content.attachments.clear();
    let w = &mut record.workflow;
    for part in &mut w.parts {
        for draft in &mut part.drafts {
            clear_draft(draft, placeholder);
        }
        if let Some((_, comment)) = &mut part.returned {
            *comment = placeholder.to_string();
        }
        if let Some(p) = &mut part.publication {
            p.link.clear();
        }
    }
    if let Some(d) = &mut w.consolidated {
        clear_draft(d, placeholder);
    }
    if let Some(p) = &mut w.publication {
        p.link.clear();
    }
    w.appeal = None;
    if let Some((_, text)) = &mut w.explanation {
        *text = placeholder.to_string();
    }
    if let Some(prepared) = &mut w.prepared_explanation {
        prepared.text = placeholder.to_string();
    }
    w.cross_posts.clear();
    // The curators' words may name the author.
    if let Some(reason) = &mut w.returned_to_source {
        *reason = placeholder.to_string();
    }
    if let Some((_, reason)) = &mut w.publication_impossible {
        *reason = placeholder.to_string();
    }
}
