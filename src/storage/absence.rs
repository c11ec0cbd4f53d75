//! Absences as the directory keeps them: who is away, until when, why, and who stands in.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::PersonId;

/// Why someone is away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbsenceReason {
    Illness,
    Vacation,
    BusinessTrip,
    Study,
    /// Any other reason, in the administrator's words (Krymsk §5 "иные причины").
    Other(String),
}

impl AbsenceReason {
    pub fn key(&self) -> &'static str {
        match self {
            AbsenceReason::Illness => "illness",
            AbsenceReason::Vacation => "vacation",
            AbsenceReason::BusinessTrip => "business_trip",
            AbsenceReason::Study => "study",
            AbsenceReason::Other(_) => "other",
        }
    }

    /// As the `absences.reason` column keeps it: the key, and another reason's words.
    pub fn stored(&self) -> String {
        match self {
            AbsenceReason::Other(why) => format!("other: {why}"),
            r => r.key().to_string(),
        }
    }
}

/// An absence: [from, until) with the substitute who receives the person's incidents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    pub person: PersonId,
    pub substitute: PersonId,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub reason: AbsenceReason,
}
