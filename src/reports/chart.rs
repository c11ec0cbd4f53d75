//! The report's picture, sized for a phone held upright: incidents per day by importance
//! (stacked bars) over the on-time share of each department (horizontal bars). The font is
//! built into the binary, so a server without fonts draws Cyrillic labels too.

use std::sync::Once;

use plotters::prelude::*;
use plotters::style::FontStyle;

use super::ReportFileError;

/// DejaVu Sans (Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FAMILY: &str = "otklik-sans";

pub const WIDTH: u32 = 1080;
const DAYS_HEIGHT: u32 = 640;
const ROW_HEIGHT: u32 = 64;
const MAX_DEPARTMENTS: usize = 12;
const NORMAL: RGBColor = RGBColor(0x4a, 0x7e, 0xbb);
const HIGH: RGBColor = RGBColor(0xd9, 0x48, 0x3b);
const ON_TIME: RGBColor = RGBColor(0x3a, 0x9a, 0x5b);

/// What the chart shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartData {
    /// Each day of the period: its label ("03.11") and incidents of normal and high importance.
    pub days: Vec<(String, usize, usize)>,
    /// Each department with answered parts: its name and the share answered in time.
    pub departments: Vec<(String, f64)>,
}

/// The chart's words.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartLabels {
    pub per_day: String,
    pub normal: String,
    pub high: String,
    pub on_time: String,
    /// Shown instead of the departments' bars when nothing was answered.
    pub nothing_answered: String,
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            if plotters::style::register_font(FAMILY, style, FONT).is_err() {
                tracing::error!("the built-in font cannot be read");
            }
        }
    });
}

/// The chart's height for this many departments.
pub fn height(departments: usize) -> u32 {
    DAYS_HEIGHT + 140 + ROW_HEIGHT * departments.clamp(1, MAX_DEPARTMENTS) as u32
}

fn err(e: impl std::fmt::Display) -> ReportFileError {
    ReportFileError::Chart(e.to_string())
}

/// Draws the chart as a PNG file in memory.
pub fn chart_png(data: &ChartData, labels: &ChartLabels) -> Result<Vec<u8>, ReportFileError> {
    register_font();
    let mut departments = data.departments.clone();
    departments.truncate(MAX_DEPARTMENTS);
    let h = height(departments.len());
    let mut rgb = vec![0u8; (WIDTH * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (top, bottom) = root.split_vertically(DAYS_HEIGHT);
        draw_days(&top, data, labels)?;
        draw_departments(&bottom, &departments, labels)?;
        root.present().map_err(err)?;
    }
    encode(&rgb, WIDTH, h)
}

fn draw_days(
    area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    data: &ChartData,
    labels: &ChartLabels,
) -> Result<(), ReportFileError> {
    let n = data.days.len().max(1);
    let top = data
        .days
        .iter()
        .map(|(_, a, b)| a + b)
        .max()
        .unwrap_or(0)
        .max(1);
    let y_max = (top as f64 * 1.15).ceil().max(top as f64 + 1.0);
    let mut chart = ChartBuilder::on(area)
        .caption(&labels.per_day, (FAMILY, 40))
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..y_max)
        .map_err(err)?;
    let days = data.days.clone();
    // A label every few days so they stay readable on a month.
    let step = n.div_ceil(10).max(1);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() > 0.01 || i < 0.0 {
                return String::new();
            }
            let i = i as usize;
            if !i.is_multiple_of(step) {
                return String::new();
            }
            days.get(i).map(|d| d.0.clone()).unwrap_or_default()
        })
        .y_labels((y_max as usize).min(10) + 1)
        // Counts are whole: a tick between two of them has no label.
        .y_label_formatter(&|y| {
            if (y - y.round()).abs() < 0.01 {
                format!("{y:.0}")
            } else {
                String::new()
            }
        })
        .light_line_style(TRANSPARENT)
        .label_style((FAMILY, 26))
        .draw()
        .map_err(err)?;
    let width = 0.38;
    chart
        .draw_series(data.days.iter().enumerate().map(|(i, (_, normal, _))| {
            let x = i as f64;
            Rectangle::new(
                [(x - width, 0.0), (x + width, *normal as f64)],
                NORMAL.filled(),
            )
        }))
        .map_err(err)?
        .label(labels.normal.as_str())
        .legend(|(x, y)| Rectangle::new([(x, y - 10), (x + 24, y + 10)], NORMAL.filled()));
    chart
        .draw_series(data.days.iter().enumerate().map(|(i, (_, normal, high))| {
            let x = i as f64;
            let base = *normal as f64;
            Rectangle::new(
                [(x - width, base), (x + width, base + *high as f64)],
                HIGH.filled(),
            )
        }))
        .map_err(err)?
        .label(labels.high.as_str())
        .legend(|(x, y)| Rectangle::new([(x, y - 10), (x + 24, y + 10)], HIGH.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FAMILY, 26))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(err)?;
    Ok(())
}

fn draw_departments(
    area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    departments: &[(String, f64)],
    labels: &ChartLabels,
) -> Result<(), ReportFileError> {
    let title_style = TextStyle::from((FAMILY, 40).into_font()).color(&BLACK);
    let (w, _) = area.dim_in_pixel();
    area.draw(&Text::new(
        labels.on_time.clone(),
        (24, 16),
        title_style.clone(),
    ))
    .map_err(err)?;
    if departments.is_empty() {
        area.draw(&Text::new(
            labels.nothing_answered.clone(),
            (24, 90),
            TextStyle::from((FAMILY, 30).into_font()).color(&BLACK.mix(0.6)),
        ))
        .map_err(err)?;
        return Ok(());
    }
    let name_style = TextStyle::from((FAMILY, 28).into_font()).color(&BLACK);
    let value_style = TextStyle::from((FAMILY, 28).into_font()).color(&BLACK);
    let (left, right) = (24i32, w as i32 - 24);
    let bar_left = left;
    let bar_width = (right - bar_left - 110) as f64;
    for (i, (name, share)) in departments.iter().enumerate() {
        let y = 80 + i as i32 * ROW_HEIGHT as i32;
        area.draw(&Text::new(clip(name, 48), (left, y), name_style.clone()))
            .map_err(err)?;
        let bar_top = y + 32;
        let filled = (bar_width * share.clamp(0.0, 1.0)).round() as i32;
        area.draw(&Rectangle::new(
            [
                (bar_left, bar_top),
                (bar_left + bar_width as i32, bar_top + 22),
            ],
            BLACK.mix(0.08).filled(),
        ))
        .map_err(err)?;
        if filled > 0 {
            area.draw(&Rectangle::new(
                [(bar_left, bar_top), (bar_left + filled, bar_top + 22)],
                ON_TIME.filled(),
            ))
            .map_err(err)?;
        }
        area.draw(&Text::new(
            format!("{:.0}%", share * 100.0),
            (bar_left + bar_width as i32 + 16, bar_top - 4),
            value_style.clone(),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// At most `n` characters, with an ellipsis when cut.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let cut: String = s.chars().take(n.saturating_sub(1)).collect();
    format!("{cut}…")
}

fn encode(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, ReportFileError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(err)?;
        writer.write_image_data(rgb).map_err(err)?;
        writer.finish().map_err(err)?;
    }
    Ok(out)
}
