//! The step a person's next message answers, kept per (messenger, chat, person) so curators
//! sharing a group never mix their inputs, and expiring after a while (the person is told,
//! rather than a late message landing in an old step).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::core::{Core, CoreError, Who};
use crate::domain::content::Source;
use crate::domain::incident::{Assignment, DraftKind, ExplanationKind, ReturnReason};
use crate::domain::regulation::Stage;
use crate::domain::IncidentId;

/// Multi-step input waiting for a person's next message in a chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Pending {
    DraftText {
        inc: IncidentId,
        part: usize,
        kind: DraftKind,
    },
    DraftAttachments {
        inc: IncidentId,
        part: usize,
        kind: DraftKind,
        text: String,
        files: Vec<String>,
    },
    DraftPreview {
        inc: IncidentId,
        part: usize,
        kind: DraftKind,
        text: String,
        files: Vec<String>,
    },
    ReworkComment {
        inc: IncidentId,
        part: usize,
        version: u32,
    },
    ReworkDeadline {
        inc: IncidentId,
        part: usize,
        version: u32,
        comment: String,
    },
    ReturnComment {
        inc: IncidentId,
        part: usize,
        reason: ReturnReason,
    },
    PublishLink {
        inc: IncidentId,
        part: Option<usize>,
    },
    /// The explanation's text, edited from its template.
    ExplanationText {
        inc: IncidentId,
        kind: ExplanationKind,
        /// The part whose department prepares it for the curator (Sakhalin 3.7 ¶2).
        #[serde(default)]
        part: Option<usize>,
    },
    /// Why the curator sends a prepared explanation back to its department.
    ExplanationBackComment {
        inc: IncidentId,
    },
    /// Where a general-interest answer was posted besides the reply.
    CrossPostLinks {
        inc: IncidentId,
    },
    /// The curator's own answer to an emergency on days off (Vorsino 2.10), then its preview.
    OwnAnswerText {
        inc: IncidentId,
    },
    OwnAnswerPreview {
        inc: IncidentId,
        text: String,
        files: Vec<String>,
    },
    /// The appeals office's registration number.
    AppealRegistration {
        inc: IncidentId,
    },
    /// The number of the earlier message this one repeats (or «-»).
    RepeatOf {
        inc: IncidentId,
    },
    /// Why the incident goes back to the monitoring system.
    ReturnToSourceReason {
        inc: IncidentId,
    },
    /// Why the approved answer cannot be published.
    CannotPublishReason {
        inc: IncidentId,
        part: Option<usize>,
    },
    AuthorReply {
        inc: IncidentId,
        part: usize,
    },
    Consolidated {
        inc: IncidentId,
    },
    RouteDeadlines {
        inc: IncidentId,
        assignments: Vec<Assignment>,
        stages: Vec<Stage>,
        collected: BTreeMap<Stage, DateTime<Utc>>,
    },
    Topic {
        inc: IncidentId,
    },
    Location {
        inc: IncidentId,
    },
    NewIncident {
        link: Option<String>,
        source: Option<Source>,
        author: Option<String>,
        text: Option<String>,
        detected_at: Option<DateTime<Utc>>,
    },
    /// The author's consent comes first (Vorsino 2.9, Sakhalin 3.8).
    AppealConsent {
        inc: IncidentId,
    },
    AppealName {
        inc: IncidentId,
        #[serde(default)]
        consent_at: Option<DateTime<Utc>>,
    },
    AppealAddress {
        inc: IncidentId,
        name: String,
        #[serde(default)]
        consent_at: Option<DateTime<Utc>>,
    },
    AppealPhone {
        inc: IncidentId,
        name: String,
        address: String,
        #[serde(default)]
        consent_at: Option<DateTime<Utc>>,
    },
}

/// What is pending for a person in a chat.
pub(crate) enum PendingState {
    None,
    /// A step that waited too long; it is dropped.
    Expired,
    Waiting(Pending),
}

impl Core {
    pub(crate) async fn set_pending(&self, who: &Who, p: &Pending) -> Result<(), CoreError> {
        let v = serde_json::to_value(p)?;
        self.store
            .set_conversation(who.chat(), who.person(), &v, self.now())
            .await?;
        Ok(())
    }

    pub(crate) async fn clear_pending(&self, who: &Who) -> Result<(), CoreError> {
        self.store
            .clear_conversation(who.chat(), who.person())
            .await?;
        Ok(())
    }

    pub(crate) async fn pending_state(&self, who: &Who) -> Result<PendingState, CoreError> {
        let Some(stored) = self.store.conversation(who.chat(), who.person()).await? else {
            return Ok(PendingState::None);
        };
        if stored.updated_at + self.config.conversation_ttl < self.now() {
            self.clear_pending(who).await?;
            return Ok(PendingState::Expired);
        }
        // A step written by an older version that no longer parses is dropped.
        Ok(match serde_json::from_value(stored.state) {
            Ok(p) => PendingState::Waiting(p),
            Err(_) => PendingState::None,
        })
    }

    /// The pending step, if it has not expired.
    pub(crate) async fn pending(&self, who: &Who) -> Result<Option<Pending>, CoreError> {
        Ok(match self.pending_state(who).await? {
            PendingState::Waiting(p) => Some(p),
            _ => None,
        })
    }
}
