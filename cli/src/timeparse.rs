//! Times on the command line: durations (`10m`, `1h30m`, `3600`, `1d`) and
//! instants (RFC 3339 with an offset, or Unix seconds).

use crate::error::CliError;

/// Parses a duration into whole seconds: a bare number is seconds; otherwise
/// one or more `<number><unit>` with units `s`, `m`, `h`, `d`, `w`
/// (`90s`, `10m`, `1h30m`, `7d`).
pub fn parse_duration(input: &str) -> Result<i64, CliError> {
    let s = input.trim();
    let bad = || {
        CliError::invalid(format!(
            "`{}` is not a duration; use seconds (3600) or a number with a unit: 90s, 10m, 1h, 1h30m, 7d",
            input.escape_debug()
        ))
    };
    if s.is_empty() {
        return Err(bad());
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().map_err(|_| bad());
    }
    let mut total: i64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = rest[digits..].trim_start();
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &rest[..unit_len];
        rest = rest[unit_len..].trim_start();
        let mult = match unit {
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86_400,
            "w" | "week" | "weeks" => 7 * 86_400,
            _ => return Err(bad()),
        };
        total = n
            .checked_mul(mult)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| CliError::invalid(format!("duration `{}` is too large", input.escape_debug())))?;
    }
    Ok(total)
}

/// Parses a duration into seconds with fractions, for timeouts: a bare number
/// (`30`, `0.5`) is seconds; otherwise one or more `<number><unit>` with units
/// `ms`, `s`, `m`, `h` (`500ms`, `1.5s`, `1m30s`). Zero is returned as zero:
/// whether it is allowed is the caller's (the core's) decision.
pub fn parse_seconds(input: &str) -> Result<f64, CliError> {
    let s = input.trim();
    let bad = || {
        CliError::invalid(format!(
            "`{}` is not a duration; use seconds (30, 0.5) or a number with a unit: 500ms, 10s, 1m, 1m30s",
            input.escape_debug()
        ))
    };
    let number = |t: &str| -> Result<f64, CliError> {
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(bad());
        }
        t.parse::<f64>().map_err(|_| bad())
    };
    if s.is_empty() {
        return Err(bad());
    }
    if let Ok(v) = number(s) {
        return Ok(v);
    }
    let mut total = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
        let n = number(&rest[..digits])?;
        rest = rest[digits..].trim_start();
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let mult = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
            _ => return Err(bad()),
        };
        rest = rest[unit_len..].trim_start();
        total += n * mult;
    }
    if total.is_finite() { Ok(total) } else { Err(bad()) }
}

/// Parses an instant into Unix seconds: a bare integer (optionally negative:
/// whether a time before 1970 makes sense is the core's decision) is Unix
/// seconds; otherwise RFC 3339 with `Z` or an offset
/// (`2026-12-01T12:00:00Z`, `2026-12-01T13:00:00+01:00`, fractions dropped).
pub fn parse_instant(input: &str) -> Result<i64, CliError> {
    let s = input.trim();
    let digits = s.strip_prefix('-').unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return s
            .parse::<i64>()
            .map_err(|_| CliError::invalid(format!("Unix time `{s}` is too large")));
    }
    parse_rfc3339(s).ok_or_else(|| {
        CliError::invalid(format!(
            "`{}` is not a time; use RFC 3339 with an offset (2026-12-01T12:00:00Z) or Unix seconds (1795000000)",
            input.escape_debug()
        ))
    })
}

fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if frac == 0 {
            return None;
        }
        i += frac;
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let off = oh * 3600 + om * 60;
            if *sign == b'-' { -off } else { off }
        }
        _ => return None,
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's days-from-civil (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_every_accepted_spelling() {
        assert_eq!(parse_duration("3600").unwrap(), 3600);
        assert_eq!(parse_duration("10m").unwrap(), 600);
        assert_eq!(parse_duration("1h").unwrap(), 3600);
        assert_eq!(parse_duration("1h30m").unwrap(), 5400);
        assert_eq!(parse_duration("1d").unwrap(), 86_400);
        assert_eq!(parse_duration("2 hours").unwrap(), 7200);
        assert_eq!(parse_duration("0").unwrap(), 0);
    }

    #[test]
    fn bad_durations_are_invalid_input() {
        for bad in ["", "-5", "10x", "m", "1.5h", "99999999999999999999"] {
            assert_eq!(parse_duration(bad).unwrap_err().code(), "INVALID_ARGUMENT", "{bad}");
        }
    }

    #[test]
    fn instants_as_unix_or_rfc3339_with_offsets() {
        assert_eq!(parse_instant("1700000000").unwrap(), 1_700_000_000);
        assert_eq!(parse_instant("2023-11-14T22:13:20Z").unwrap(), 1_700_000_000);
        assert_eq!(parse_instant("2023-11-14T23:13:20.123+01:00").unwrap(), 1_700_000_000);
        assert_eq!(parse_instant("2023-11-14T20:13:20-02:00").unwrap(), 1_700_000_000);
        assert_eq!(parse_instant("2000-02-29T00:00:00Z").unwrap(), 951_782_400);
        assert_eq!(parse_instant("1970-01-01T00:00:00Z").unwrap(), 0);
        assert_eq!(
            parse_instant("-1").unwrap(),
            -1,
            "the core decides about times before 1970"
        );
    }

    #[test]
    fn timeouts_take_fractions_and_milliseconds() {
        assert_eq!(parse_seconds("30").unwrap(), 30.0);
        assert_eq!(parse_seconds("0.5").unwrap(), 0.5);
        assert_eq!(parse_seconds("500ms").unwrap(), 0.5);
        assert_eq!(parse_seconds("1.5s").unwrap(), 1.5);
        assert_eq!(parse_seconds("1m30s").unwrap(), 90.0);
        assert_eq!(parse_seconds("0").unwrap(), 0.0);
        for bad in ["", "-1", "1x", "ms", "1..5", "."] {
            assert_eq!(parse_seconds(bad).unwrap_err().code(), "INVALID_ARGUMENT", "{bad}");
        }
    }

    #[test]
    fn instants_without_offset_or_with_bad_fields_are_refused() {
        for bad in [
            "2023-11-14T22:13:20",
            "2023-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "tomorrow",
            "2023-11-14T22:13:20+1:00",
            "",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad}");
        }
    }
}
