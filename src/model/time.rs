//! Calendar time in UTC from Unix time (civil-from-days, proleptic Gregorian), for the few
//! places that show a date: pcapng file names of ring buffers, a frame's arrival time.

/// Year, month, day, hour, minute, second (UTC) of Unix time `secs`.
pub fn utc(secs: i64) -> [i64; 6] {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    [y, m, d, rem / 3600, rem / 60 % 60, rem % 60]
}

/// `2026-12-04 19:31:03.123456789 UTC` for `ns` nanoseconds since the epoch.
pub fn date_time(ns: i128) -> String {
    let secs = i64::try_from(ns.div_euclid(1_000_000_000)).unwrap_or(0);
    let frac = ns.rem_euclid(1_000_000_000);
    let [y, mo, d, h, mi, s] = utc(secs);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{frac:09} UTC")
}

/// `S.uuuuuu` (microseconds, sign kept) for a duration of `ns` nanoseconds.
pub fn secs_us(ns: i128) -> String {
    let a = ns.unsigned_abs();
    format!(
        "{}{}.{:06}",
        if ns < 0 { "-" } else { "" },
        a / 1_000_000_000,
        (a % 1_000_000_000) / 1000
    )
}

/// `HH:MM:SS.uuuuuu`, the time of day (UTC) of `ns` nanoseconds since the epoch.
pub fn time_of_day(ns: i128) -> String {
    let s = ns.div_euclid(1_000_000_000);
    let us = ns.rem_euclid(1_000_000_000) / 1000;
    let day = s.rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}.{:06}",
        day / 3600,
        (day / 60) % 60,
        day % 60,
        us
    )
}

/// `YYYY-MM-DD HH:MM:SS.uuuuuu` (UTC) of `ns` nanoseconds since the epoch.
pub fn date_time_us(ns: i128) -> String {
    let secs = i64::try_from(ns.div_euclid(1_000_000_000)).unwrap_or(0);
    let [y, mo, d, ..] = utc(secs);
    format!("{y:04}-{mo:02}-{d:02} {}", time_of_day(ns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc(0), [1970, 1, 1, 0, 0, 0]);
        assert_eq!(utc(951_782_400), [2000, 2, 29, 0, 0, 0]);
        assert_eq!(
            date_time(1_795_423_109_189_620_000),
            "2026-11-23 08:38:29.189620000 UTC"
        );
        assert_eq!(utc(-1), [1969, 12, 31, 23, 59, 59]);
        let t = 1_795_423_109_189_620_123;
        assert_eq!(time_of_day(t), "08:38:29.189620");
        assert_eq!(date_time_us(t), "2026-11-23 08:38:29.189620");
        assert_eq!(secs_us(-1_500_000), "-0.001500");
        assert_eq!(secs_us(t), "1795423109.189620");
    }
}
