//! What typed input is read as: links, the network a link or a word names, a local date and
//! time.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::core::org::OrgRules;
use crate::domain::content::Source;

/// Whether a text is one http(s) link.
pub(crate) fn is_link(text: &str) -> bool {
    (text.starts_with("https://") || text.starts_with("http://"))
        && !text.contains(char::is_whitespace)
}

/// The network a link points to, when it is obvious.
pub(crate) fn source_from_link(link: &str) -> Option<Source> {
    let host = link.split("://").nth(1)?.split('/').next()?.to_lowercase();
    let host = host.trim_start_matches("www.").trim_start_matches("m.");
    match host {
        "vk.com" | "vk.ru" => Some(Source::Vk),
        "ok.ru" | "odnoklassniki.ru" => Some(Source::Ok),
        "t.me" | "telegram.me" => Some(Source::Telegram),
        "max.ru" => Some(Source::Max),
        _ => None,
    }
}

/// The network a curator named.
pub(crate) fn source_from_word(word: &str) -> Option<Source> {
    match word.trim().to_lowercase().as_str() {
        "вк" | "вконтакте" | "vk" => Some(Source::Vk),
        "ок" | "одноклассники" | "ok" => Some(Source::Ok),
        "telegram" | "телеграм" | "тг" | "tg" => Some(Source::Telegram),
        "max" | "макс" => Some(Source::Max),
        "сайт" | "web" => Some(Source::Web),
        "другое" | "другая" | "other" => Some(Source::Other),
        _ => None,
    }
}

/// "27.11 15:30" (or "27.11.2026 15:30") in the organisation's zone; a date without a year is
/// the next such date from now.
pub(crate) fn parse_local_datetime(
    rules: &OrgRules,
    text: &str,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let (date, time) = text.trim().split_once(' ')?;
    let time = NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    let today = rules.calendar.local(now).date_naive();
    let date = match NaiveDate::parse_from_str(date, "%d.%m.%Y") {
        Ok(d) => d,
        Err(_) => {
            let with_year = format!("{date}.{}", today.year());
            let d = NaiveDate::parse_from_str(&with_year, "%d.%m.%Y").ok()?;
            if d < today {
                d.with_year(today.year() + 1)?
            } else {
                d
            }
        }
    };
    rules
        .calendar
        .zone()
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}
