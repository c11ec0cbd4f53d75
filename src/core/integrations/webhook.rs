//! What a monitoring system is told (`MonitoringEvent`), and the port that posts a signed report
//! to it (implemented over HTTP by `http::outbound`).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::core::delivery::SendError;
use crate::domain::incident::NoAnswerReason;

/// What the monitoring system is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum MonitoringEvent {
    /// An answer (or an interim answer) passed its last approval.
    AnswerApproved {
        part: Option<usize>,
        interim: bool,
        text: String,
        /// The draft's files (messenger ids), given to the system as links.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<String>,
    },
    /// The answer is published, with its link — or handed to the body that publishes it
    /// (Sakhalin 3.3), without one.
    Published {
        part: Option<usize>,
        interim: bool,
        link: String,
        text: String,
        #[serde(default)]
        handed_over: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<String>,
    },
    /// No answer is given (threats, obscenity, insults, unreadable).
    NoAnswer { reason: NoAnswerReason },
    /// Not the organisation's competence: handed back (Barnaul §4 ¶2).
    Returned { comment: String },
    /// The approved answer cannot be published (Barnaul §8).
    CannotPublish { part: Option<usize>, reason: String },
}

impl MonitoringEvent {
    /// The files the report gives links to.
    pub fn files(&self) -> &[String] {
        match self {
            MonitoringEvent::AnswerApproved { files, .. }
            | MonitoringEvent::Published { files, .. } => files,
            _ => &[],
        }
    }

    pub fn key(&self) -> &'static str {
        match self {
            MonitoringEvent::AnswerApproved { .. } => "answer_approved",
            MonitoringEvent::Published { .. } => "published",
            MonitoringEvent::NoAnswer { .. } => "no_answer",
            MonitoringEvent::Returned { .. } => "returned",
            MonitoringEvent::CannotPublish { .. } => "cannot_publish",
        }
    }
}

/// Posts a signed report. Implemented over HTTP by the adapter in `http::outbound`.
#[async_trait]
pub trait WebhookPort: Send + Sync + std::fmt::Debug {
    /// Posts `body` to `url` with these headers; `Ok` only when the receiver acknowledged it
    /// (a 2xx answer).
    async fn post(
        &self,
        url: &str,
        headers: &[(&'static str, String)],
        body: Vec<u8>,
    ) -> Result<(), SendError>;
}
