//! Reading back the files Otklik makes: a workbook's sheets and rows, a picture's size.

use std::io::Cursor;

use calamine::{Data, DataType, Reader};

pub fn sheet(book: &[u8], name: &str) -> calamine::Range<Data> {
    let mut xlsx = calamine::Xlsx::new(Cursor::new(book.to_vec())).expect("an XLSX file");
    xlsx.worksheet_range(name).expect("the sheet")
}

/// The row whose first cell is `label`.
pub fn row<'a>(range: &'a calamine::Range<Data>, label: &str) -> &'a [Data] {
    range
        .rows()
        .find(|r| r.first().and_then(|c| c.get_string()) == Some(label))
        .unwrap_or_else(|| panic!("no row {label:?}"))
}

pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(Cursor::new(bytes));
    let reader = decoder.read_info().expect("a PNG file");
    let info = reader.info();
    (info.width, info.height)
}
