//! What a report is: its kind and period (`ReportRequest`), its three pieces, the files made,
//! and the few reports kept made lately.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::core::view::{Upload, UploadKind, View};
use crate::domain::report::Period;
use crate::domain::OrgId;

/// Which report it is (its title).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Weekly,
    Monthly,
    /// Asked for in chat or on the command line.
    Period,
}

impl ReportKind {
    pub(crate) fn key(self) -> &'static str {
        match self {
            ReportKind::Weekly => "weekly",
            ReportKind::Monthly => "monthly",
            ReportKind::Period => "period",
        }
    }
}

/// A report on a period, compared with the period before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReportRequest {
    pub kind: ReportKind,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub previous_from: DateTime<Utc>,
}

impl ReportRequest {
    pub fn period(&self) -> Period {
        Period {
            from: self.from,
            to: self.to,
        }
    }

    pub fn previous(&self) -> Period {
        Period {
            from: self.previous_from,
            to: self.from,
        }
    }
}

/// The three pieces a report is sent as, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportPiece {
    Summary,
    Chart,
    Workbook,
}

impl ReportPiece {
    pub const ALL: [ReportPiece; 3] = [
        ReportPiece::Summary,
        ReportPiece::Chart,
        ReportPiece::Workbook,
    ];
}

/// A report made: the text, and the two files (each as a view with its caption).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFiles {
    pub summary: View,
    pub chart: View,
    pub workbook: View,
}

impl ReportFiles {
    pub fn piece(&self, piece: ReportPiece) -> &View {
        match piece {
            ReportPiece::Summary => &self.summary,
            ReportPiece::Chart => &self.chart,
            ReportPiece::Workbook => &self.workbook,
        }
    }

    pub fn into_views(self) -> Vec<View> {
        vec![self.summary, self.chart, self.workbook]
    }

    /// The chart's PNG bytes and the workbook's XLSX bytes with their file names.
    pub fn files(&self) -> Vec<&Upload> {
        [&self.chart, &self.workbook]
            .into_iter()
            .filter_map(|v| v.file.as_ref())
            .collect()
    }
}

/// The reports made lately, kept a few minutes: a report's three pieces go out as three
/// messages to each recipient, and every organisation's monthly report comes due at once, so
/// each is drawn once.
#[derive(Default)]
pub(crate) struct ReportCache {
    recent: Mutex<Vec<CachedReport>>,
}

/// A report made for an organisation and request at an instant.
type CachedReport = (OrgId, ReportRequest, DateTime<Utc>, Arc<ReportFiles>);

const CACHE_MINUTES: i64 = 10;
/// How many reports are kept.
const CACHE_SIZE: usize = 16;

impl ReportCache {
    /// The report made for this request within the last few minutes, if any.
    pub(crate) fn fresh(
        &self,
        org: OrgId,
        request: ReportRequest,
        now: DateTime<Utc>,
    ) -> Option<Arc<ReportFiles>> {
        let recent = self.recent.lock().ok()?;
        let fresh = |made: DateTime<Utc>| {
            (Duration::zero()..Duration::minutes(CACHE_MINUTES)).contains(&(now - made))
        };
        recent
            .iter()
            .find(|(o, r, made, _)| *o == org && *r == request && fresh(*made))
            .map(|(_, _, _, files)| files.clone())
    }

    /// Keeps a report just made (the oldest goes when the cache is full).
    pub(crate) fn keep(
        &self,
        org: OrgId,
        request: ReportRequest,
        now: DateTime<Utc>,
        files: Arc<ReportFiles>,
    ) {
        if let Ok(mut recent) = self.recent.lock() {
            recent.retain(|(o, r, _, _)| !(*o == org && *r == request));
            if recent.len() >= CACHE_SIZE {
                recent.remove(0);
            }
            recent.push((org, request, now, files));
        }
    }
}

/// A file view: the file with its caption.
pub(crate) fn file_view(caption: String, name: String, kind: UploadKind, bytes: Vec<u8>) -> View {
    View {
        file: Some(Upload { name, kind, bytes }),
        ..View::text(caption)
    }
}
