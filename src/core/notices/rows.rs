//! Notices as outbox rows: one per recipient as the directory stands, or — in quiet hours — a
//! morning digest in their place.

use chrono::{DateTime, NaiveDate, Utc};

use super::{recipients, Audience, Directory, Notice};
use crate::domain::incident::Incident;
use crate::storage::queue_key;
use crate::storage::{OutboxRow, Recipient, TimerRow};

/// The outbox rows for a list of notices, and the morning digests held notices turn into.
#[derive(Debug, Default)]
pub struct Planned {
    pub rows: Vec<OutboxRow>,
    pub digests: Vec<TimerRow>,
}

/// Quiet hours: outside working time a notice to a person or a group is held back — not sent,
/// but a morning digest is set for the recipient at the start of the next working time (one
/// per recipient and day; the digest says what is due, what is late and what arrived since).
pub struct Quiet {
    /// The start of the next working time.
    pub until: DateTime<Utc>,
    /// Its local date (the digest's key).
    pub day: NaiveDate,
    pub now: DateTime<Utc>,
}

/// The digest timer of a recipient.
pub fn digest_timer(recipient: Recipient, quiet: &Quiet) -> TimerRow {
    let (person, chat) = match recipient {
        Recipient::Person(p) => (Some(p), None),
        Recipient::Chat(c) => (None, Some(c)),
        Recipient::Worker => (None, None),
    };
    TimerRow {
        incident: None,
        key: format!("digest:{}:{}", queue_key(&recipient, None), quiet.day),
        kind: "digest".into(),
        payload: serde_json::json!({
            "timer": "digest", "person": person, "chat": chat, "since": quiet.now,
        }),
        due_at: quiet.until,
    }
}

/// The outbox rows for a list of notices; `tag` makes the keys unique for the transition (the
/// incident's new version). With `quiet`, notices to people and groups become digests.
pub fn outbox_rows(
    notices: &[(Audience, Notice)],
    incident: &Incident,
    d: &Directory<'_>,
    tag: &str,
    quiet: Option<&Quiet>,
) -> Planned {
    let mut planned = Planned::default();
    for (i, (audience, notice)) in notices.iter().enumerate() {
        for r in recipients(*audience, Some(incident), d) {
            // The same notice to the same recipient through two audiences (the stage's owner
            // and the curators, when the curators own it) goes once.
            let twice = notices[..i]
                .iter()
                .any(|(a, n)| n == notice && recipients(*a, Some(incident), d).contains(&r));
            if twice {
                continue;
            }
            // Barnaul §12 «незамедлительно»: a significant message reaches the head at once,
            // whatever the hour, where the profile says so.
            let at_once = *notice == Notice::Escalation && d.rules.regulation().escalation.at_once;
            if let (Some(q), false) = (quiet.filter(|_| !at_once), r == Recipient::Worker) {
                planned.digests.push(digest_timer(r, q));
                continue;
            }
            planned.rows.push(OutboxRow {
                incident: None,
                recipient: r,
                kind: notice.kind().to_string(),
                payload: notice.to_json(),
                lane: notice.lane().number(),
                key: format!("{tag}:{i}:{}:{}", notice.kind(), queue_key(&r, None)),
            });
        }
    }
    planned.digests.sort_by(|a, b| a.key.cmp(&b.key));
    planned.digests.dedup_by(|a, b| a.key == b.key);
    planned
}
