//! Reports: the weekly and monthly summaries a regulation asks for, and any period on demand —
//! a few lines of text, a chart and a workbook. Scheduled reports are the scheduler's timers
//! (one per organisation and period, fired once across restarts and replicas) that write one
//! outbox row per piece and recipient; each piece is drawn when it is sent. `/report` answers
//! in the chat it was asked in; `otklik report` writes the files.
//!
//! `request.rs` says what a report is, `schedule.rs` when one is due, `make.rs` makes it and
//! answers `/report`, `book.rs` writes the text and the sheets. It reads incidents' facts and
//! changes no incident; its pieces go out through the outbox like any notice.

mod book;
mod make;
mod request;
mod schedule;

pub(crate) use request::file_view;
pub(crate) use request::ReportCache;
pub use request::{ReportFiles, ReportKind, ReportPiece, ReportRequest};
pub use schedule::{dates_request, parse_date, span_request};
