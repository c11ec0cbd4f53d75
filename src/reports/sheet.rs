//! The workbook: sheets of titled tables. Instants are written as spreadsheet dates (already in
//! the organisation's time zone), durations as numbers of hours, shares as percentages — all
//! values a spreadsheet can sum and sort.

use chrono::NaiveDateTime;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet};

use super::ReportFileError;

/// Excel refuses more hyperlinks than this on one sheet; the rest are written as text.
const MAX_LINKS: usize = 65_000;
/// Excel's longest hyperlink.
const MAX_LINK_CHARS: usize = 2_000;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Count(i64),
    /// A duration in hours.
    Hours(f64),
    /// A share between 0 and 1, shown as a percentage.
    Share(f64),
    /// A local date and time.
    Time(NaiveDateTime),
    /// A link (shown as itself).
    Link(String),
}

impl Cell {
    pub fn opt_hours(seconds: Option<i64>) -> Cell {
        seconds.map_or(Cell::Empty, |s| Cell::Hours(s as f64 / 3600.0))
    }

    pub fn opt_share(share: Option<f64>) -> Cell {
        share.map_or(Cell::Empty, Cell::Share)
    }

    pub fn opt_time(t: Option<NaiveDateTime>) -> Cell {
        t.map_or(Cell::Empty, Cell::Time)
    }
}

/// A table with a title and a header row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A sheet: tables one under another (a blank row between them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    pub name: String,
    /// Lines above the tables (the report's title and period).
    pub heading: Vec<String>,
    pub tables: Vec<Table>,
    /// Column widths in characters, first column first.
    pub widths: Vec<f64>,
}

struct Formats {
    bold: Format,
    header: Format,
    hours: Format,
    share: Format,
    time: Format,
}

/// Writes the sheets into an XLSX file in memory.
pub fn workbook_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, ReportFileError> {
    let f = Formats {
        bold: Format::new().set_bold(),
        header: Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_background_color(0xDDEBF7),
        hours: Format::new().set_num_format("0.0"),
        share: Format::new().set_num_format("0%"),
        time: Format::new().set_num_format("dd.mm.yyyy hh:mm"),
    };
    let mut book = Workbook::new();
    for sheet in sheets {
        // Long sheets go to the file row by row instead of being held as cells.
        let ws = if sheet.tables.iter().map(|t| t.rows.len()).sum::<usize>() > 1_000 {
            book.add_worksheet_with_constant_memory()
        } else {
            book.add_worksheet()
        };
        ws.set_name(&sheet.name)?;
        write_sheet(ws, sheet, &f)?;
    }
    Ok(book.save_to_buffer()?)
}

/// What a cell needs of a format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Hours,
    Share,
    Time,
}

fn style(cell: &Cell) -> Option<Style> {
    match cell {
        Cell::Hours(_) => Some(Style::Hours),
        Cell::Share(_) => Some(Style::Share),
        Cell::Time(_) => Some(Style::Time),
        _ => None,
    }
}

impl Formats {
    fn of(&self, style: Style) -> &Format {
        match style {
            Style::Hours => &self.hours,
            Style::Share => &self.share,
            Style::Time => &self.time,
        }
    }
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet, f: &Formats) -> Result<(), ReportFileError> {
    for (i, w) in sheet.widths.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    // A sheet of one long table formats its columns once, and its cells take the column's
    // format (a format per cell costs a lookup per cell).
    let mut column_styles: Vec<Option<Style>> = Vec::new();
    if let [table] = sheet.tables.as_slice() {
        for c in 0..table.header.len() {
            let found = table.rows.iter().find_map(|r| r.get(c).and_then(style));
            if let Some(s) = found {
                ws.set_column_format(c as u16, f.of(s))?;
            }
            column_styles.push(found);
        }
    }
    let mut row: u32 = 0;
    for (i, line) in sheet.heading.iter().enumerate() {
        if i == 0 {
            ws.write_string_with_format(row, 0, line, &f.bold)?;
        } else {
            ws.write_string(row, 0, line)?;
        }
        row += 1;
    }
    let mut links = 0usize;
    for table in &sheet.tables {
        if row > 0 {
            row += 1;
        }
        if !table.title.is_empty() {
            ws.write_string_with_format(row, 0, &table.title, &f.bold)?;
            row += 1;
        }
        for (c, h) in table.header.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, h, &f.header)?;
        }
        row += 1;
        for cells in &table.rows {
            for (c, cell) in cells.iter().enumerate() {
                let col = c as u16;
                let inherited =
                    style(cell).is_some() && column_styles.get(c).copied().flatten() == style(cell);
                match cell {
                    Cell::Empty => {}
                    Cell::Text(s) => {
                        ws.write_string(row, col, s)?;
                    }
                    Cell::Count(n) => {
                        ws.write_number(row, col, *n as f64)?;
                    }
                    Cell::Hours(h) if inherited => {
                        ws.write_number(row, col, *h)?;
                    }
                    Cell::Hours(h) => {
                        ws.write_number_with_format(row, col, *h, &f.hours)?;
                    }
                    Cell::Share(s) if inherited => {
                        ws.write_number(row, col, *s)?;
                    }
                    Cell::Share(s) => {
                        ws.write_number_with_format(row, col, *s, &f.share)?;
                    }
                    Cell::Time(t) if inherited => {
                        ws.write_datetime(row, col, t)?;
                    }
                    Cell::Time(t) => {
                        ws.write_datetime_with_format(row, col, t, &f.time)?;
                    }
                    Cell::Link(url) => {
                        let linkable = links < MAX_LINKS
                            && url.chars().count() <= MAX_LINK_CHARS
                            && (url.starts_with("http://") || url.starts_with("https://"));
                        if linkable && ws.write_url(row, col, url.as_str()).is_ok() {
                            links += 1;
                        } else {
                            ws.write_string(row, col, url)?;
                        }
                    }
                }
            }
            row += 1;
        }
    }
    Ok(())
}
