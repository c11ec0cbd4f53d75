//! The Russian production calendar (производственный календарь) as data.
//!
//! It says which dates are worked and which are shortened; it knows nothing of hours or time
//! zones. The shipped file is `calendars/ru.toml`; an administrator may point Otklik at an edited
//! copy to add a year or a regional day off without rebuilding.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

use super::problems::Problems;

/// The calendar shipped with Otklik (2024–2027 plus regional overlays).
pub const SHIPPED_RU_CALENDAR: &str = include_str!("../../calendars/ru.toml");

/// What kind of day a date is on the production calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// An ordinary working day.
    Working,
    /// A working day one `shortened_by_minutes` shorter (the day before a public holiday).
    Shortened,
    /// A weekend, public holiday or transferred day off.
    NonWorking,
}

/// The federal production calendar with any regional overlays already applied.
#[derive(Debug, Clone)]
pub struct ProductionCalendar {
    first_year: i32,
    last_year: i32,
    days_off: BTreeSet<NaiveDate>,
    /// Public holidays of art. 112 (weekend ones included) and regional or organisation days off
    /// that fall on a weekend: off even for an organisation that works weekends.
    holidays: BTreeSet<NaiveDate>,
    working_weekends: BTreeMap<NaiveDate, Weekday>,
    shortened: BTreeSet<NaiveDate>,
    shortened_by_minutes: u32,
    decrees: BTreeMap<i32, String>,
}

// Unknown keys are refused: a misspelt list (`days_of`) would otherwise be ignored and its
// holidays counted as working days.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    schema: u32,
    #[serde(default)]
    #[allow(dead_code)] // descriptive: the file's country
    country: Option<String>,
    #[serde(default)]
    #[allow(dead_code)] // descriptive: the week the lists are written for
    week: Option<String>,
    #[serde(default = "default_shortened_by")]
    shortened_by_minutes: u32,
    #[serde(default)]
    years: BTreeMap<String, YearFile>,
    #[serde(default)]
    regional: BTreeMap<String, RegionFile>,
}

fn default_shortened_by() -> u32 {
    60
}

// Every list is required (an empty list says "none" on purpose), so a year cannot silently lose
// its holidays to a typo.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    #[serde(default)]
    #[allow(dead_code)] // descriptive: official, past, projected
    status: Option<String>,
    #[serde(default)]
    decree: Option<DecreeFile>,
    holidays: Vec<NaiveDate>,
    days_off: Vec<NaiveDate>,
    working_weekends: Vec<NaiveDate>,
    shortened: Vec<NaiveDate>,
    #[serde(default)]
    transfers: Vec<TransferFile>,
    #[serde(default)]
    working_days: Option<u32>,
    #[serde(default)]
    #[allow(dead_code)] // descriptive: the official norm of hours
    norm_hours_40h: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // date and url are descriptive
struct DecreeFile {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    date: Option<NaiveDate>,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferFile {
    from: NaiveDate,
    to: NaiveDate,
    #[serde(default)]
    #[allow(dead_code)] // descriptive: decree or art112
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // zone, name, basis and status are descriptive
struct RegionFile {
    #[serde(default)]
    zone: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    basis: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    days_off: Vec<NaiveDate>,
    #[serde(default)]
    working_weekends: Vec<NaiveDate>,
    #[serde(default)]
    shortened: Vec<NaiveDate>,
}

/// The calendar file could not be used; every problem found is listed.
#[derive(Debug, thiserror::Error)]
#[error("production calendar is invalid:\n{0}")]
pub struct CalendarFileError(pub Problems);

impl ProductionCalendar {
    /// The shipped Russian calendar with the named regional overlays (e.g. `krasnodar_krai`).
    pub fn shipped(regions: &[String]) -> Result<Self, CalendarFileError> {
        Self::parse(SHIPPED_RU_CALENDAR, regions)
    }

    /// Parses a calendar file and applies the named regional overlays.
    pub fn parse(text: &str, regions: &[String]) -> Result<Self, CalendarFileError> {
        let mut problems = Problems::default();
        let file: CalendarFile = match toml::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                problems.push("", e.to_string().trim().to_string());
                return Err(CalendarFileError(problems));
            }
        };
        if file.schema != 1 {
            problems.push(
                "schema",
                format!("unsupported schema {}, expected 1", file.schema),
            );
        }
        if file.shortened_by_minutes >= 8 * 60 {
            problems.push(
                "shortened_by_minutes",
                "a shortened day cannot lose 8 hours or more".to_string(),
            );
        }
        let mut years = BTreeSet::new();
        let mut days_off = BTreeSet::new();
        let mut holidays = BTreeSet::new();
        let mut working_weekends = BTreeMap::new();
        let mut shortened = BTreeSet::new();
        let mut decrees = BTreeMap::new();
        for (key, year) in &file.years {
            let path = format!("years.{key}");
            let Ok(y) = key.parse::<i32>() else {
                problems.push(
                    &path,
                    "a year key must be a number such as 2027".to_string(),
                );
                continue;
            };
            years.insert(y);
            if let Some(d) = &year.decree {
                let text = d
                    .title
                    .clone()
                    .or_else(|| d.number.clone().map(|n| format!("decree № {n}")))
                    .unwrap_or_default();
                decrees.insert(y, text);
            }
            let in_year = |list: &[NaiveDate], field: &str, problems: &mut Problems| {
                for d in list {
                    if d.year() != y {
                        problems.push(
                            &format!("{path}.{field}"),
                            format!("{d} does not belong to year {y}"),
                        );
                    }
                }
            };
            in_year(&year.days_off, "days_off", &mut problems);
            in_year(&year.working_weekends, "working_weekends", &mut problems);
            in_year(&year.shortened, "shortened", &mut problems);
            in_year(&year.holidays, "holidays", &mut problems);
            holidays.extend(year.holidays.iter().copied());
            for d in &year.days_off {
                if is_weekend(*d) {
                    problems.push(
                        &format!("{path}.days_off"),
                        format!("{d} is a {}: weekends are off already", d.weekday()),
                    );
                }
                days_off.insert(*d);
            }
            for d in &year.working_weekends {
                if !is_weekend(*d) {
                    problems.push(
                        &format!("{path}.working_weekends"),
                        format!("{d} is a {}, not a Saturday or Sunday", d.weekday()),
                    );
                }
                // A working weekend is worked as the weekday its day off moved to.
                let as_weekday = year
                    .transfers
                    .iter()
                    .find(|t| t.from == *d)
                    .map(|t| t.to.weekday())
                    .filter(|w| !matches!(w, Weekday::Sat | Weekday::Sun))
                    .unwrap_or(Weekday::Mon);
                working_weekends.insert(*d, as_weekday);
            }
            for d in &year.shortened {
                shortened.insert(*d);
            }
            if let Some(expected) = year.working_days {
                let counted = count_working_days(y, &days_off, &working_weekends);
                if counted != expected {
                    problems.push(
                        &format!("{path}.working_days"),
                        format!("the lists give {counted} working days, the file says {expected}"),
                    );
                }
            }
        }
        for region in regions {
            let path = format!("regional.{region}");
            let Some(r) = file.regional.get(region) else {
                let known: Vec<&str> = file.regional.keys().map(String::as_str).collect();
                problems.push(
                    &path,
                    format!("no such region; known: {}", known.join(", ")),
                );
                continue;
            };
            for d in &r.days_off {
                // A regional day off on a weekend changes nothing for a five-day week; on a
                // weekday it is off. It is a holiday for an organisation that works weekends.
                if is_weekend(*d) {
                    holidays.insert(*d);
                } else {
                    days_off.insert(*d);
                }
                shortened.remove(d);
            }
            for d in &r.working_weekends {
                working_weekends.insert(*d, Weekday::Mon);
            }
            for d in &r.shortened {
                shortened.insert(*d);
            }
        }
        for d in &shortened {
            let worked =
                (!is_weekend(*d) && !days_off.contains(d)) || working_weekends.contains_key(d);
            if !worked {
                problems.push(
                    &format!("years.{}.shortened", d.year()),
                    format!("{d} is shortened but is not a working day"),
                );
            }
        }
        let (Some(&first_year), Some(&last_year)) = (years.first(), years.last()) else {
            problems.push("years", "the calendar lists no year".to_string());
            return Err(CalendarFileError(problems));
        };
        for y in first_year..=last_year {
            if !years.contains(&y) {
                problems.push(
                    &format!("years.{y}"),
                    format!(
                        "missing: the years must be contiguous from {first_year} to {last_year}"
                    ),
                );
            }
        }
        if !problems.is_empty() {
            return Err(CalendarFileError(problems));
        }
        Ok(Self {
            first_year,
            last_year,
            days_off,
            holidays,
            working_weekends,
            shortened,
            shortened_by_minutes: file.shortened_by_minutes,
            decrees,
        })
    }

    /// First year covered (inclusive).
    pub fn first_year(&self) -> i32 {
        self.first_year
    }

    /// Last year covered (inclusive).
    pub fn last_year(&self) -> i32 {
        self.last_year
    }

    /// Whether the date lies in a covered year.
    pub fn covers(&self, date: NaiveDate) -> bool {
        (self.first_year..=self.last_year).contains(&date.year())
    }

    /// How much shorter a pre-holiday day is.
    pub fn shortened_by_minutes(&self) -> u32 {
        self.shortened_by_minutes
    }

    /// The decree a year's transfers come from, if the file names it.
    pub fn decree(&self, year: i32) -> Option<&str> {
        self.decrees.get(&year).map(String::as_str)
    }

    /// The kind of a covered date; `None` outside the covered years.
    pub fn day_kind(&self, date: NaiveDate) -> Option<DayKind> {
        if !self.covers(date) {
            return None;
        }
        let worked = if is_weekend(date) {
            self.working_weekends.contains_key(&date)
        } else {
            !self.days_off.contains(&date)
        };
        Some(match (worked, self.shortened.contains(&date)) {
            (false, _) => DayKind::NonWorking,
            (true, true) => DayKind::Shortened,
            (true, false) => DayKind::Working,
        })
    }

    /// Whether a date is a holiday or a listed day off, so not worked even by an organisation
    /// whose own hours include weekends.
    pub fn is_day_off(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date) || self.days_off.contains(&date)
    }

    /// The weekday whose schedule applies on a worked date (a working Saturday is worked as the
    /// weekday its day off moved to).
    pub fn schedule_weekday(&self, date: NaiveDate) -> Weekday {
        self.working_weekends
            .get(&date)
            .copied()
            .unwrap_or_else(|| date.weekday())
    }

    /// Adds organisation-specific days off and working days on top of the file.
    pub fn with_overrides(mut self, days_off: &[NaiveDate], working_days: &[NaiveDate]) -> Self {
        for d in days_off {
            self.working_weekends.remove(d);
            self.days_off.insert(*d);
            self.holidays.insert(*d);
            self.shortened.remove(d);
        }
        for d in working_days {
            self.days_off.remove(d);
            self.holidays.remove(d);
            if is_weekend(*d) {
                self.working_weekends.insert(*d, Weekday::Mon);
            }
        }
        self
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn count_working_days(
    year: i32,
    days_off: &BTreeSet<NaiveDate>,
    working_weekends: &BTreeMap<NaiveDate, Weekday>,
) -> u32 {
    let (Some(start), Some(end)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return 0;
    };
    start
        .iter_days()
        .take_while(|d| *d <= end)
        .filter(|d| {
            if is_weekend(*d) {
                working_weekends.contains_key(d)
            } else {
                !days_off.contains(d)
            }
        })
        .count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn shipped_calendar_loads_and_counts_match_official_norms() {
        let cal = ProductionCalendar::shipped(&[]).unwrap();
        assert_eq!((cal.first_year(), cal.last_year()), (2024, 2027));
        assert_eq!(cal.day_kind(d("2026-01-09")), Some(DayKind::NonWorking));
        assert_eq!(cal.day_kind(d("2026-04-30")), Some(DayKind::Shortened));
        assert_eq!(cal.day_kind(d("2024-11-02")), Some(DayKind::Shortened));
        assert_eq!(cal.day_kind(d("2024-12-28")), Some(DayKind::Working));
        assert_eq!(cal.day_kind(d("2026-11-23")), Some(DayKind::Working));
        assert_eq!(cal.day_kind(d("2028-01-10")), None);
        assert!(cal.decree(2026).unwrap().contains("1466"));
    }

    #[test]
    fn working_saturday_uses_the_schedule_of_the_day_it_replaces() {
        let cal = ProductionCalendar::shipped(&[]).unwrap();
        // 2024-12-28 (Sat) is worked; its day off moved to Mon 2024-12-30.
        assert_eq!(cal.schedule_weekday(d("2024-12-28")), Weekday::Mon);
        // 2024-11-02 (Sat) is worked; its day off moved to Tue 2024-04-30.
        assert_eq!(cal.schedule_weekday(d("2024-11-02")), Weekday::Tue);
    }

    #[test]
    fn regional_overlay_adds_radonitsa_for_krasnodar_krai() {
        let federal = ProductionCalendar::shipped(&[]).unwrap();
        let kuban = ProductionCalendar::shipped(&["krasnodar_krai".into()]).unwrap();
        assert_eq!(federal.day_kind(d("2026-04-21")), Some(DayKind::Working));
        assert_eq!(kuban.day_kind(d("2026-04-21")), Some(DayKind::NonWorking));
    }

    #[test]
    fn unknown_region_and_bad_dates_are_all_reported() {
        let text = r#"
schema = 1
[years.2030]
holidays = []
days_off = ["2030-01-05", "2031-01-01"]
working_weekends = ["2030-01-07"]
shortened = ["2030-01-06"]
[years.2032]
holidays = []
days_off = []
working_weekends = []
shortened = []
"#;
        let err = ProductionCalendar::parse(text, &["atlantis".into()]).unwrap_err();
        let msg = err.to_string();
        for needle in [
            "years.2030.days_off: 2030-01-05 is a Sat",
            "years.2030.days_off: 2031-01-01 does not belong to year 2030",
            "years.2030.working_weekends: 2030-01-07 is a Mon",
            "years.2030.shortened: 2030-01-06 is shortened but is not a working day",
            "years.2031: missing",
            "regional.atlantis: no such region",
        ] {
            assert!(msg.contains(needle), "{needle:?} not in:\n{msg}");
        }
    }

    #[test]
    fn a_new_year_can_be_added_as_data() {
        let text = format!("{SHIPPED_RU_CALENDAR}\n[years.2028]\nholidays = []\ndays_off = [\"2028-01-03\"]\nworking_weekends = []\nshortened = []\n");
        let cal = ProductionCalendar::parse(&text, &[]).unwrap();
        assert_eq!(cal.last_year(), 2028);
        assert_eq!(cal.day_kind(d("2028-01-03")), Some(DayKind::NonWorking));
        assert_eq!(cal.day_kind(d("2028-01-04")), Some(DayKind::Working));
    }
}
