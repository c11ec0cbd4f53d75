//! Intake: a new incident from any channel (the HTTP API today) goes through the same path —
//! repeat linking, registration (idempotent by external id), optional direct routing, and the
//! burst alert.

use chrono::{DateTime, Duration, Utc};

use crate::app::App;
use crate::domain::incident::{Actor, Assignment, Command, Role};
use crate::storage::{
    ApplyError, NewIncident, QueuedMessage, Registered, StorageError, StoredIncident,
};

/// A burst: at least this many incidents on one topic within an hour…
pub const BURST_MIN: i64 = 5;
/// …and at least this many times the topic's usual hourly rate over the previous week.
pub const BURST_FACTOR: i64 = 3;

/// Intake failed.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Apply(#[from] ApplyError),
    #[error("{0}")]
    Rules(String),
}

/// Otklik itself acting as the curator who routes what a monitoring system already routed.
pub fn intake_actor() -> Actor {
    Actor {
        person: 0,
        roles: vec![Role::System, Role::Curator],
        ..Actor::default()
    }
}

/// What intake did.
#[derive(Debug, Clone)]
pub struct Intake {
    pub registered: Registered,
    pub incident: StoredIncident,
    pub burst: bool,
}

/// Takes in one incident for an organisation.
pub async fn take_in(
    app: &App,
    org: i64,
    mut new: NewIncident,
    department: Option<i64>,
) -> Result<Intake, IntakeError> {
    let rules = app
        .org_rules(org)
        .await
        .map_err(|e| IntakeError::Rules(e.to_string()))?;
    let now = app.now();
    if new.content.repeat_of.is_none() {
        let since = new.detected_at - app.repeat_window();
        new.content.repeat_of = app
            .store
            .find_repeat(
                org,
                &new.content.author,
                &new.content.url,
                new.topic.as_deref(),
                since,
            )
            .await?;
    }
    let registered = app
        .store
        .register_incident(org, &new, rules.rules(), &Actor::system(), now)
        .await?;
    let mut burst = false;
    if registered.created {
        if let Some(dept) = department {
            if let Some(executor) = app.store.department_executor(dept).await? {
                let route = Command::Route {
                    assignments: vec![Assignment {
                        department: dept,
                        executor,
                    }],
                    importance: None,
                    topic: None,
                    location: None,
                    deadlines: Default::default(),
                };
                // A regulation that needs curator-set deadlines leaves the incident for triage.
                match app
                    .store
                    .apply(
                        registered.id,
                        &route,
                        &intake_actor(),
                        now,
                        rules.rules(),
                        None,
                    )
                    .await
                {
                    Ok(_) | Err(ApplyError::Refused(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        if let Some(topic) = &new.topic {
            burst = alert_burst(app, org, topic, new.detected_at, registered.number).await?;
        }
    }
    app.outbox_ready.notify_one();
    let incident = app.store.incident(registered.id).await?;
    Ok(Intake {
        registered,
        incident,
        burst,
    })
}

/// Reports a burst on a topic to the curators and the head, once an hour per topic.
async fn alert_burst(
    app: &App,
    org: i64,
    topic: &str,
    at: DateTime<Utc>,
    number: i64,
) -> Result<bool, StorageError> {
    let rules = app
        .org_rules(org)
        .await
        .map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let last_hour = app
        .store
        .count_on_topic(
            org,
            topic,
            at - Duration::hours(1),
            at + Duration::seconds(1),
        )
        .await?;
    let week = app
        .store
        .count_on_topic(
            org,
            topic,
            at - Duration::hours(169),
            at - Duration::hours(1),
        )
        .await?;
    // The usual hourly rate, rounded up, so a topic never seen before needs BURST_MIN at once.
    let usual = (week + 167) / 168;
    if last_hour < BURST_MIN || last_hour < BURST_FACTOR * usual.max(1) {
        return Ok(false);
    }
    let hour = at.format("%Y%m%d%H");
    let payload = serde_json::json!({ "topic": topic, "count": last_hour, "number": number });
    let mut recipients: Vec<(Option<i64>, Option<i64>)> = Vec::new();
    if let Some(chat) = rules.org.curator_chat_id {
        recipients.push((None, Some(chat)));
    }
    match rules.org.head_chat_id {
        Some(chat) if rules.org.regulation.escalation.bursts_to_head => {
            recipients.push((None, Some(chat)))
        }
        _ if rules.org.regulation.escalation.bursts_to_head => {
            for head in app.store.people_with_role(org, Role::Head).await? {
                recipients.push((Some(head), None));
            }
        }
        _ => {}
    }
    for (person, chat) in recipients {
        let key = format!(
            "burst:{org}:{topic}:{hour}:{}",
            person.or(chat).unwrap_or(0)
        );
        let message = QueuedMessage {
            org,
            incident: None,
            person,
            chat,
            message: "burst",
            payload: &payload,
            idempotency_key: &key,
        };
        app.store.enqueue_message(&message, app.now()).await?;
    }
    Ok(true)
}
