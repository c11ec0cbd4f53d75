//! What the HTTP intake API shows of an incident: plain data, drawn as JSON by the HTTP adapter.

use chrono_tz::Tz;

use crate::core::{Core, CoreError};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::DraftKind;
use crate::domain::plan::Due;
use crate::domain::regulation::Stage;
use crate::domain::{IncidentId, OrgId};
use crate::storage::StorageError;

/// One department's share, for the API.
#[derive(Debug, Clone)]
pub struct PartDetails {
    pub department: String,
    pub state: &'static str,
    pub current_deadline: Option<(Stage, Due)>,
}

/// An incident as the API shows it.
#[derive(Debug, Clone)]
pub struct IncidentDetails {
    pub record: IncidentRecord,
    /// The organisation's time zone, for local times.
    pub zone: Tz,
    pub parts: Vec<PartDetails>,
    /// The published answer (the consolidated one, or the last part's).
    pub answer: Option<String>,
}

impl Core {
    /// An incident for the API; `None` for an unknown id.
    pub async fn incident_details(
        &self,
        id: IncidentId,
        only: Option<OrgId>,
    ) -> Result<Option<IncidentDetails>, CoreError> {
        let record = match self.store.incident(id).await {
            // Another organisation's incident is as good as unknown to its token.
            Ok(r) if only.is_some_and(|o| o != r.org) => return Ok(None),
            Ok(r) => r,
            Err(StorageError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(Some(self.details_of(record).await?))
    }

    /// The API view of a record just read or written.
    pub async fn details_of(&self, record: IncidentRecord) -> Result<IncidentDetails, CoreError> {
        let rules = self.org(record.org).await?;
        let w = &record.workflow;
        let parts = w
            .parts
            .iter()
            .map(|p| PartDetails {
                department: rules.department_name(p.department),
                state: p.state.key(),
                current_deadline: p.current_deadline(rules.regulation()),
            })
            .collect();
        let answer = match &w.consolidated {
            Some(d) if w.publication.is_some() => Some(d.text.clone()),
            _ => w
                .parts
                .iter()
                .rev()
                .filter(|p| p.publication.is_some())
                .filter_map(|p| {
                    p.drafts
                        .iter()
                        .rev()
                        .find(|d| d.kind != DraftKind::Clarification)
                })
                .map(|d| d.text.clone())
                .next(),
        };
        Ok(IncidentDetails {
            zone: rules.calendar.zone(),
            parts,
            answer,
            record,
        })
    }
}
