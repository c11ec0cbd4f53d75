//! The way back to the monitoring system an incident came from (Barnaul §4–§9 through
//! «Инцидент Менеджмент», Sakhalin 3.2–3.3 to the regional department, Krymsk §7): what became of
//! it — the answer approved or published, no answer given, returned, cannot be published — is
//! posted to the organisation's webhook, signed, and retried from the outbox until the system
//! acknowledges it; each acknowledgement is in the audit log.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::core::delivery::{Outcome, SendError};
pub use crate::core::integrations::webhook::{MonitoringEvent, WebhookPort};
use crate::core::notices::{Audience, Notice};
use crate::core::org::OrgRules;
use crate::core::{Core, CoreError};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{DraftKind, Event, Incident};
use crate::storage::OutboxMessage;

pub use crate::storage::MONITORING_KIND;

/// The header carrying `sha256=<hex HMAC-SHA256 of the body>`.
pub const SIGNATURE_HEADER: &str = "X-Otklik-Signature";
/// The header naming the event.
pub const EVENT_HEADER: &str = "X-Otklik-Event";
/// The header carrying an id unique to this report: the same id again is a retry.
pub const DELIVERY_HEADER: &str = "X-Otklik-Delivery";

/// The reports a transition calls for: only for organisations with a monitoring webhook, and
/// only for incidents the monitoring system sent (they carry its `external_id`) — or for every
/// incident where the regulation forwards every answer (Sakhalin 3.2 ¶3: messages from the
/// city's own pages too; the report then has no `external_id`, only the message's link).
pub fn reports_for(
    events: &[Event],
    incident: &Incident,
    record: &IncidentRecord,
    rules: &OrgRules,
    at: DateTime<Utc>,
) -> Vec<(Audience, Notice)> {
    let sent_by_the_system = record.content.external_id.is_some();
    if rules.org.monitoring.is_none()
        || !(sent_by_the_system || rules.regulation().workflow.forward_every_answer)
    {
        return Vec::new();
    }
    let draft = |part: Option<usize>| match part {
        Some(i) => incident.parts.get(i).and_then(|p| p.current_draft()),
        None => incident.consolidated.as_ref(),
    };
    let answer = |part: Option<usize>| draft(part).map(|d| d.text.clone()).unwrap_or_default();
    let files = |part: Option<usize>| {
        draft(part)
            .map(|d| d.attachments.clone())
            .unwrap_or_default()
    };
    events
        .iter()
        .filter_map(|e| match e {
            Event::PublicationRequested { part, kind, .. } if *kind != DraftKind::Clarification => {
                Some(MonitoringEvent::AnswerApproved {
                    part: *part,
                    interim: *kind == DraftKind::Interim,
                    text: answer(*part),
                    files: files(*part),
                })
            }
            Event::Published {
                part,
                link,
                interim,
            } => Some(MonitoringEvent::Published {
                part: *part,
                interim: *interim,
                link: link.clone(),
                text: answer(*part),
                handed_over: match part {
                    Some(i) => incident.parts.get(*i).and_then(|p| p.publication.as_ref()),
                    None => incident.publication.as_ref(),
                }
                .is_some_and(|p| p.handed_over),
                files: files(*part),
            }),
            Event::NoAnswer { reason } => Some(MonitoringEvent::NoAnswer { reason: *reason }),
            Event::ReturnedToSource { comment } => Some(MonitoringEvent::Returned {
                comment: comment.clone(),
            }),
            Event::PublicationImpossible { part, reason } => Some(MonitoringEvent::CannotPublish {
                part: *part,
                reason: reason.clone(),
            }),
            _ => None,
        })
        .map(|event| (Audience::Worker, Notice::ToMonitoring { event, at }))
        .collect()
}

/// The JSON body of a report (documented in `docs/intake-api.md`, "Reports to the monitoring
/// system"); `files` are the links to the answer's files (`integrations::files`).
pub fn payload(
    organisation: &str,
    record: &IncidentRecord,
    event: &MonitoringEvent,
    at: DateTime<Utc>,
    files: Vec<serde_json::Value>,
) -> serde_json::Value {
    let mut body = json!({
        "event": event.key(),
        "at": at.to_rfc3339(),
        "organisation": organisation,
        "incident": {
            "number": record.number,
            "external_id": record.content.external_id,
            "url": record.content.url,
        },
    });
    let extra = match event {
        MonitoringEvent::AnswerApproved {
            part,
            interim,
            text,
            ..
        } => json!({
            "part": part,
            "answer": { "text": text, "interim": interim, "files": files },
        }),
        MonitoringEvent::Published {
            part,
            interim,
            link,
            text,
            handed_over,
            ..
        } => json!({
            "part": part,
            "answer": { "text": text, "interim": interim, "link": link, "handed_over": handed_over, "files": files },
        }),
        MonitoringEvent::NoAnswer { reason } => json!({ "reason": reason }),
        MonitoringEvent::Returned { comment } => json!({ "reason": comment }),
        MonitoringEvent::CannotPublish { part, reason } => {
            json!({ "part": part, "reason": reason })
        }
    };
    if let (Some(body), serde_json::Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    body
}

/// `sha256=<hex>` of the body under the organisation's secret.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length; this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl Core {
    /// Posts one report; the acknowledgement and its audit record are one transaction.
    pub(crate) async fn tell_monitoring(
        &self,
        m: &OutboxMessage,
        record: &IncidentRecord,
        event: &MonitoringEvent,
        at: DateTime<Utc>,
        ports: &[std::sync::Arc<dyn crate::core::delivery::MessengerPort>],
    ) -> Result<Outcome, CoreError> {
        let rules = self.org(m.org).await?;
        let Some(link) = &rules.org.monitoring else {
            tracing::info!(
                id = m.id,
                "the monitoring webhook was removed; report dropped"
            );
            return Ok(Outcome::Delivered);
        };
        let Some(port) = &self.config.webhook else {
            tracing::warn!(id = m.id, "no webhook client runs; the report waits");
            return Ok(Outcome::RetryIn(chrono::Duration::minutes(5)));
        };
        // The answer's files are copied first: the links must answer when the system follows them.
        let kept = match self.keep_files(record, event.files(), ports).await? {
            Ok(kept) => kept,
            Err(wait) => return Ok(Outcome::RetryIn(wait)),
        };
        let files = self.file_links(&rules, &kept, self.now());
        let body = payload(&rules.org.name, record, event, at, files);
        let bytes = body.to_string().into_bytes();
        let headers = [
            ("Content-Type", "application/json".to_string()),
            (SIGNATURE_HEADER, signature(&link.secret, &bytes)),
            (EVENT_HEADER, event.key().to_string()),
            (DELIVERY_HEADER, m.id.to_string()),
        ];
        match port.post(link.url.trim(), &headers, bytes).await {
            Ok(()) => {
                self.store
                    .acknowledge_outbox(m, "monitoring_notified", &body, self.now())
                    .await?;
                tracing::info!(
                    id = m.id,
                    incident = record.number,
                    event = event.key(),
                    "the monitoring system acknowledged a report"
                );
                Ok(Outcome::Recorded)
            }
            Err(e) => {
                tracing::warn!(id = m.id, incident = record.number, event = event.key(), error = %e, "the monitoring system did not take a report; it will be retried");
                Ok(Outcome::RetryIn(match e {
                    SendError::RetryAfter(d) => {
                        chrono::Duration::from_std(d).unwrap_or(chrono::Duration::minutes(1))
                    }
                    _ => chrono::Duration::seconds(30),
                }))
            }
        }
    }
}
