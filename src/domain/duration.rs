//! Durations as administrators write them in profiles: `30m`, `2h`, `1h30m`, `0m`.

use chrono::Duration;

/// Parses `NhMm`, `Nh` or `Nm` (hours and minutes, non-negative).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bad = || format!("{text:?} is not a duration like 30m, 2h or 1h30m");
    if t.is_empty() {
        return Err(bad());
    }
    let mut minutes: i64 = 0;
    let mut number = String::new();
    let mut seen_h = false;
    let mut seen_m = false;
    for c in t.chars() {
        match c {
            '0'..='9' => number.push(c),
            'h' if !seen_h && !seen_m && !number.is_empty() => {
                minutes += number.parse::<i64>().map_err(|_| bad())? * 60;
                number.clear();
                seen_h = true;
            }
            'm' if !seen_m && !number.is_empty() => {
                minutes += number.parse::<i64>().map_err(|_| bad())?;
                number.clear();
                seen_m = true;
            }
            _ => return Err(bad()),
        }
    }
    if !number.is_empty() {
        return Err(bad());
    }
    Ok(Duration::minutes(minutes))
}

/// Writes a duration back as `1h30m` / `2h` / `30m`.
pub fn format_duration(d: Duration) -> String {
    let m = d.num_minutes();
    match (m / 60, m % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(parse_duration("30m").unwrap(), Duration::minutes(30));
        assert_eq!(parse_duration("2h").unwrap(), Duration::hours(2));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::minutes(90));
        assert_eq!(parse_duration("0m").unwrap(), Duration::zero());
        for bad in ["", "h", "30", "2d", "-1h", "1m2h", "30mm"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(Duration::minutes(90)), "1h30m");
        assert_eq!(format_duration(Duration::hours(24)), "24h");
    }
}
