//! Times for people: "in 59 minutes", "3 minutes ago", "2026-11-29 12:00:00 UTC".

/// Describes a signed offset in seconds from now: positive is the future.
///
/// ```
/// use qencode_cdn::time::relative;
/// assert_eq!(relative(-180), "3 minutes ago");
/// assert_eq!(relative(3540), "in 59 minutes");
/// assert_eq!(relative(0), "now");
/// ```
pub fn relative(delta: i64) -> String {
    if delta == 0 {
        return "now".into();
    }
    let abs = delta.unsigned_abs();
    let (n, unit) = if abs < 120 {
        (abs, "second")
    } else if abs < 2 * 3600 {
        (abs / 60, "minute")
    } else if abs < 2 * 86400 {
        (abs / 3600, "hour")
    } else {
        (abs / 86400, "day")
    };
    let plural = if n == 1 { "" } else { "s" };
    if delta > 0 {
        format!("in {n} {unit}{plural}")
    } else {
        format!("{n} {unit}{plural} ago")
    }
}

/// Formats Unix seconds as `YYYY-MM-DD HH:MM:SS UTC`.
///
/// ```
/// assert_eq!(qencode_cdn::time::utc(0), "1970-01-01 00:00:00 UTC");
/// assert_eq!(qencode_cdn::time::utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
/// ```
pub fn utc(unix: i64) -> String {
    let days = unix.div_euclid(86400);
    let secs = unix.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn leap_days_and_negative_times_format() {
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(-1), "1969-12-31 23:59:59 UTC");
        assert_eq!(relative(1), "in 1 second");
        assert_eq!(relative(-86400 * 3), "3 days ago");
        assert_eq!(
            relative(i64::MIN),
            format!("{} days ago", i64::MIN.unsigned_abs() / 86400)
        );
    }
}
