//! What can go wrong inside the core (as opposed to a refusal, which is an answer).

use crate::domain::regulation::RegulationError;
use crate::domain::CalendarError;
use crate::storage::StorageError;

/// A failure the person cannot fix: the database, a stored regulation that no longer parses.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Regulation(#[from] RegulationError),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// A registration the state machine refused (an instant outside the production calendar).
    #[error(transparent)]
    Registration(#[from] crate::domain::incident::TransitionError),
    #[error("the incident kept changing under concurrent commands")]
    Conflict,
    #[error("cannot encode stored state: {0}")]
    Encode(#[from] serde_json::Error),
    #[error(transparent)]
    ReportFile(#[from] crate::reports::ReportFileError),
    #[error("a background task stopped: {0}")]
    Interrupted(String),
    #[error("cannot write the metrics: {0}")]
    Metrics(#[from] prometheus::Error),
}
