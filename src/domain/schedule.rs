//! The organisation's weekly working hours: per weekday, zero or more windows (a lunch break is
//! the gap between two windows).

use std::fmt;

use chrono::Weekday;
use serde::{Deserialize, Serialize};

/// A working window inside one day, in minutes after local midnight: [start, end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: u32,
    pub end: u32,
}

impl Window {
    pub fn minutes(&self) -> u32 {
        self.end - self.start
    }
}

/// Working windows for each weekday, Monday first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklySchedule {
    days: [Vec<Window>; 7],
}

/// A schedule entry could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ScheduleError(pub String);

impl Default for WeeklySchedule {
    /// Mon–Fri 09:00–18:00 with lunch 13:00–14:00.
    fn default() -> Self {
        let full = vec![
            Window {
                start: 9 * 60,
                end: 13 * 60,
            },
            Window {
                start: 14 * 60,
                end: 18 * 60,
            },
        ];
        Self {
            days: [
                full.clone(),
                full.clone(),
                full.clone(),
                full.clone(),
                full,
                Vec::new(),
                Vec::new(),
            ],
        }
    }
}

impl WeeklySchedule {
    /// Windows of one weekday.
    pub fn windows(&self, day: Weekday) -> &[Window] {
        &self.days[day.num_days_from_monday() as usize]
    }

    /// Replaces one weekday's windows, parsed from text such as `09:00-13:00, 14:00-16:45`
    /// (an empty string or `off` means a day off).
    pub fn set_day(&mut self, day: Weekday, text: &str) -> Result<(), ScheduleError> {
        self.days[day.num_days_from_monday() as usize] = parse_windows(text)?;
        Ok(())
    }

    /// The windows of a day shortened by `by` minutes, cut from the end of the day.
    pub fn shortened(windows: &[Window], by: u32) -> Vec<Window> {
        let mut left = by;
        let mut out: Vec<Window> = windows.to_vec();
        while left > 0 {
            let Some(last) = out.last_mut() else { break };
            let len = last.minutes();
            if len > left {
                last.end -= left;
                left = 0;
            } else {
                left -= len;
                out.pop();
            }
        }
        out
    }
}

/// Parses `HH:MM-HH:MM[, HH:MM-HH:MM ...]`; windows must be increasing and not overlap.
pub fn parse_windows(text: &str) -> Result<Vec<Window>, ScheduleError> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("off") {
        return Ok(Vec::new());
    }
    let mut out: Vec<Window> = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let (a, b) = part
            .split_once('-')
            .ok_or_else(|| ScheduleError(format!("{part:?} is not a window like 09:00-13:00")))?;
        let start = parse_clock(a.trim())?;
        let end = parse_clock(b.trim())?;
        if end <= start {
            return Err(ScheduleError(format!("{part:?} ends before it starts")));
        }
        if let Some(prev) = out.last() {
            if start < prev.end {
                return Err(ScheduleError(format!(
                    "{part:?} overlaps or precedes the window before it"
                )));
            }
        }
        out.push(Window { start, end });
    }
    Ok(out)
}

fn parse_clock(s: &str) -> Result<u32, ScheduleError> {
    let bad = || ScheduleError(format!("{s:?} is not a time like 09:00"));
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

/// The schedule as written in a regulation profile: weekday → windows text. Missing days keep
/// the default (Mon–Fri 09:00–18:00, lunch 13:00–14:00; weekends off).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSpec {
    pub mon: Option<String>,
    pub tue: Option<String>,
    pub wed: Option<String>,
    pub thu: Option<String>,
    pub fri: Option<String>,
    pub sat: Option<String>,
    pub sun: Option<String>,
}

impl ScheduleSpec {
    /// Builds the weekly schedule; errors carry the weekday field name.
    pub fn build(&self) -> Result<WeeklySchedule, Vec<(String, ScheduleError)>> {
        let mut schedule = WeeklySchedule::default();
        let mut errors = Vec::new();
        let entries = [
            ("mon", Weekday::Mon, &self.mon),
            ("tue", Weekday::Tue, &self.tue),
            ("wed", Weekday::Wed, &self.wed),
            ("thu", Weekday::Thu, &self.thu),
            ("fri", Weekday::Fri, &self.fri),
            ("sat", Weekday::Sat, &self.sat),
            ("sun", Weekday::Sun, &self.sun),
        ];
        for (name, day, text) in entries {
            if let Some(text) = text {
                if let Err(e) = schedule.set_day(day, text) {
                    errors.push((name.to_string(), e));
                }
            }
        }
        if errors.is_empty() {
            Ok(schedule)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_windows_with_lunch() {
        let w = parse_windows("09:00-13:00, 14:00-16:45").unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!(w[1].to_string(), "14:00-16:45");
        assert_eq!(parse_windows("off").unwrap(), vec![]);
    }

    #[test]
    fn rejects_bad_windows() {
        assert!(parse_windows("9-13").is_err());
        assert!(parse_windows("13:00-09:00").is_err());
        assert!(parse_windows("09:00-13:00,12:00-14:00").is_err());
        assert!(parse_windows("09:60-10:00").is_err());
    }

    #[test]
    fn shortening_cuts_from_the_end_across_windows() {
        let w = parse_windows("09:00-13:00,14:00-14:30").unwrap();
        assert_eq!(
            WeeklySchedule::shortened(&w, 60),
            vec![Window {
                start: 540,
                end: 750
            }]
        );
    }
}
