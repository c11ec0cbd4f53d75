//! The pure domain: working-time calendar, regulation profiles and the incident state machine.
//! Nothing here knows of Telegram, SQL or HTTP.

pub mod calendar;
pub mod duration;
pub mod incident;
pub mod plan;
pub mod problems;
pub mod production_calendar;
pub mod regulation;
pub mod schedule;

pub use calendar::{CalendarError, Pause, Progress, WorkCalendar};
pub use production_calendar::{DayKind, ProductionCalendar};
pub use regulation::Regulation;
pub use schedule::WeeklySchedule;
