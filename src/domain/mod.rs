//! The pure domain: working-time calendar, regulation profiles and the incident state machine.
//! Nothing here knows of Telegram, SQL or HTTP.

pub mod answer_memory;
pub mod calendar;
pub mod content;
pub mod days_off;
pub mod duration;
pub mod ids;
pub mod incident;
pub mod permission;
pub mod plan;
pub mod problems;
pub mod production_calendar;
pub mod regulation;
pub mod report;
pub mod retention;
pub mod schedule;
pub mod stage_log;
pub mod templates;
pub mod timers;
pub mod warnings;

pub use calendar::{CalendarError, Pause, Progress, WorkCalendar};
pub use ids::{DepartmentId, IncidentId, OrgId, PersonId, TemplateId};
pub use production_calendar::{DayKind, ProductionCalendar};
pub use regulation::Regulation;
pub use schedule::WeeklySchedule;
