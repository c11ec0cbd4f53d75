//! Loading a profile: the shipped presets, parsing and validating a file, and the working
//! calendar a profile makes. The types themselves are in `mod.rs`; the file's shape in `file.rs`.

use super::file;
use super::Regulation;
use crate::domain::calendar::WorkCalendar;
use crate::domain::problems::Problems;
use crate::domain::production_calendar::{CalendarFileError, ProductionCalendar};

/// A profile that cannot be used, with every problem found.
#[derive(Debug, thiserror::Error)]
pub enum RegulationError {
    #[error("regulation profile is invalid:\n{0}")]
    Invalid(Problems),
    #[error("unknown regulation preset {name:?}; presets: {known}")]
    UnknownPreset { name: String, known: String },
    #[error(transparent)]
    Calendar(#[from] CalendarFileError),
}

/// The five shipped presets: (name, file text).
pub const PRESETS: [(&str, &str); 5] = [
    ("vorsino", include_str!("../../../regulations/vorsino.toml")),
    (
        "borovichi",
        include_str!("../../../regulations/borovichi.toml"),
    ),
    ("krymsk", include_str!("../../../regulations/krymsk.toml")),
    (
        "yuzhno-sakhalinsk",
        include_str!("../../../regulations/yuzhno-sakhalinsk.toml"),
    ),
    (
        "barnaul-leninsky",
        include_str!("../../../regulations/barnaul-leninsky.toml"),
    ),
];

impl Regulation {
    /// A shipped preset by its place name.
    pub fn preset(name: &str) -> Result<Self, RegulationError> {
        let text = PRESETS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| RegulationError::UnknownPreset {
                name: name.to_string(),
                known: PRESETS.map(|(n, _)| n).join(", "),
            })?;
        Self::from_toml(text)
    }

    /// Parses and validates a profile.
    pub fn from_toml(text: &str) -> Result<Self, RegulationError> {
        let file: file::ProfileFile = toml::from_str(text).map_err(|e| {
            let mut p = Problems::default();
            p.push("", e.to_string().trim().replace('\n', "\n  "));
            RegulationError::Invalid(p)
        })?;
        file.validate().map_err(RegulationError::Invalid)
    }

    /// The organisation's working calendar from a production calendar file's text.
    pub fn calendar_from(&self, production_text: &str) -> Result<WorkCalendar, RegulationError> {
        let production = ProductionCalendar::parse(production_text, &self.regions)?
            .with_overrides(&self.extra_days_off, &self.extra_working_days);
        let calendar = WorkCalendar::new(self.time_zone, &self.schedule, &production);
        Ok(match &self.curator_schedule {
            Some(hours) => calendar.with_curator_schedule(hours, &production),
            None => calendar,
        })
    }

    /// The organisation's working calendar on the shipped production calendar.
    pub fn calendar(&self) -> Result<WorkCalendar, RegulationError> {
        self.calendar_from(crate::domain::production_calendar::SHIPPED_RU_CALENDAR)
    }
}
