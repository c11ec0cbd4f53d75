//! Report files: a chart (PNG) and a workbook (XLSX), drawn from plain data the core prepares
//! (every label already in Russian from the dialogues). Nothing here decides what a report says.

mod chart;
mod sheet;

pub use chart::{chart_png, ChartData, ChartLabels};
pub use sheet::{workbook_xlsx, Cell, Sheet, Table};

/// A report file could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportFileError {
    #[error("cannot draw the chart: {0}")]
    Chart(String),
    #[error("cannot write the workbook: {0}")]
    Workbook(#[from] rust_xlsxwriter::XlsxError),
}
