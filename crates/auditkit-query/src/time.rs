//! `-ts`/`-te` as ausearch 3.0.9 reads them (`src/ausearch-time.c`),
//! under the C locale: a date `MM/DD/YY` (`%x`), a time `HH:MM[:SS]`
//! (`%X`), or a keyword (`now recent boot today yesterday this-week
//! week-ago this-month this-year`), converted in the local time zone with
//! the C library's `mktime`, as ausearch does, so DST and `TZ` behave the
//! same.
//!
//! Two differences, both additions: a four-digit year (`MM/DD/YYYY`) is
//! accepted (ausearch under `LC_ALL=C` rejects it), and "now" comes from a
//! [`Clock`] so tests can pin it (`AUDITKIT_NOW=<epoch seconds>`).

use std::fmt;

/// The time keywords of ausearch.
pub const KEYWORDS: [&str; 9] = [
    "now",
    "recent",
    "boot",
    "today",
    "yesterday",
    "this-week",
    "week-ago",
    "this-month",
    "this-year",
];

const DAY: i64 = 24 * 60 * 60;

/// Whether `s` is one of [`KEYWORDS`].
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// Where "now" comes from.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    /// Seconds since the epoch.
    pub now: i64,
    /// Seconds since boot (for `boot`), if known.
    pub uptime: Option<f64>,
}

impl Clock {
    /// The real clock, unless `AUDITKIT_NOW` pins it; uptime from
    /// `/proc/uptime`.
    pub fn from_env() -> Clock {
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let now = std::env::var("AUDITKIT_NOW")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(real);
        let uptime = std::fs::read_to_string("/proc/uptime")
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse().ok());
        Clock { now, uptime }
    }
}

/// A time argument ausearch would refuse; the message is ausearch's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeError(pub String);

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TimeError {}

fn localtime(t: i64) -> libc::tm {
    // SAFETY: localtime_r writes into the tm we own; tzset is implied.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        let tt = t as libc::time_t;
        libc::localtime_r(&tt, &mut tm);
        tm
    }
}

fn mktime(tm: &mut libc::tm) -> i64 {
    // SAFETY: mktime reads and normalizes the tm we own.
    unsafe { libc::mktime(tm) as i64 }
}

fn zero_tm() -> libc::tm {
    // SAFETY: an all-zero tm is a valid value (tm_zone null).
    unsafe { std::mem::zeroed() }
}

fn replace_time(d: &mut libc::tm, s: &libc::tm) {
    d.tm_sec = s.tm_sec;
    d.tm_min = s.tm_min;
    d.tm_hour = s.tm_hour;
}

fn replace_date(d: &mut libc::tm, s: &libc::tm) {
    d.tm_mday = s.tm_mday;
    d.tm_mon = s.tm_mon;
    d.tm_year = s.tm_year;
    d.tm_isdst = s.tm_isdst;
    d.tm_wday = s.tm_wday;
    d.tm_yday = s.tm_yday;
}

fn midnight_of(d: &mut libc::tm, t: i64) {
    d.tm_sec = 0;
    d.tm_min = 0;
    d.tm_hour = 0;
    replace_date(d, &localtime(t));
}

/// Apply a keyword to `d`. `Err` only for `boot` without an uptime.
fn set_keyword(kw: &str, d: &mut libc::tm, clock: &Clock) -> Result<(), TimeError> {
    let now = clock.now;
    match kw {
        "now" => {
            let tv = localtime(now);
            replace_time(d, &tv);
            replace_date(d, &tv);
        }
        "recent" => {
            let tv = localtime(now - 600);
            replace_time(d, &tv);
            replace_date(d, &tv);
        }
        "boot" => {
            let up = clock
                .uptime
                .ok_or_else(|| TimeError("Can't read uptime".into()))?;
            let tv = localtime(now - (up + 0.5) as i64);
            replace_time(d, &tv);
            replace_date(d, &tv);
        }
        "today" => midnight_of(d, now),
        "yesterday" => midnight_of(d, now - DAY),
        "this-week" => {
            let wday = localtime(now).tm_wday as i64;
            midnight_of(d, now - wday * DAY);
        }
        "week-ago" => midnight_of(d, now - 7 * DAY),
        "this-month" => {
            midnight_of(d, now);
            d.tm_mday = 1;
        }
        "this-year" => {
            midnight_of(d, now);
            d.tm_mday = 1;
            d.tm_mon = 0;
            d.tm_isdst = 0;
        }
        _ => {}
    }
    Ok(())
}

/// Read up to `max` digits (after optional blanks) as glibc's strptime.
fn number(s: &[u8], i: &mut usize, max: usize, lo: i32, hi: i32) -> Option<i32> {
    while *i < s.len() && s[*i] == b' ' {
        *i += 1;
    }
    let start = *i;
    let mut v: i32 = 0;
    while *i < s.len() && *i - start < max && s[*i].is_ascii_digit() {
        v = v * 10 + (s[*i] - b'0') as i32;
        *i += 1;
    }
    (*i > start && (lo..=hi).contains(&v)).then_some(v)
}

/// `strptime(s, "%m/%d/%y")` into `d`; also a 4-digit year. `None` if it
/// does not parse, `Some(rest_is_empty)` otherwise.
fn parse_date(s: &str, d: &mut libc::tm) -> Option<bool> {
    let b = s.as_bytes();
    let mut i = 0;
    let mon = number(b, &mut i, 2, 1, 12)?;
    (b.get(i) == Some(&b'/')).then_some(())?;
    i += 1;
    let day = number(b, &mut i, 2, 1, 31)?;
    (b.get(i) == Some(&b'/')).then_some(())?;
    i += 1;
    let ystart = i;
    let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let year = if digits == 4 && i + 4 == b.len() {
        // Our addition: MM/DD/YYYY.
        i += 4;
        s[ystart..i].parse::<i32>().ok()? - 1900
    } else {
        let y = number(b, &mut i, 2, 0, 99)?;
        if y >= 69 {
            y
        } else {
            y + 100
        }
    };
    d.tm_mon = mon - 1;
    d.tm_mday = day;
    d.tm_year = year;
    Some(i == b.len())
}

/// `strptime(s, "%H:%M:%S")` into `d`.
fn parse_time(s: &str, d: &mut libc::tm) -> Option<bool> {
    let b = s.as_bytes();
    let mut i = 0;
    let h = number(b, &mut i, 2, 0, 23)?;
    (b.get(i) == Some(&b':')).then_some(())?;
    i += 1;
    let m = number(b, &mut i, 2, 0, 59)?;
    (b.get(i) == Some(&b':')).then_some(())?;
    i += 1;
    let sec = number(b, &mut i, 2, 0, 61)?;
    d.tm_hour = h;
    d.tm_min = m;
    d.tm_sec = sec;
    Some(i == b.len())
}

/// Which end of the range: they differ in defaults and messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// `-ts`.
    Start,
    /// `-te`.
    End,
}

/// ausearch's `ausearch_time_start`/`ausearch_time_end`: `date` (a date or
/// keyword) and `time` may each be absent. Returns epoch seconds.
pub fn resolve(
    bound: Bound,
    date: Option<&str>,
    time: Option<&str>,
    clock: &Clock,
) -> Result<i64, TimeError> {
    let which = if bound == Bound::Start {
        "start"
    } else {
        "end"
    };
    let mut d = zero_tm();
    match date {
        None => set_keyword("now", &mut d, clock)?,
        Some(da) if is_keyword(da) => {
            set_keyword(da, &mut d, clock)?;
            let plain_time = time.is_none_or(|t| t == "00:00:00");
            if matches!(da, "recent" | "now" | "boot") && plain_time {
                return Ok(mktime(&mut d));
            }
            if bound == Bound::End && da == "today" {
                set_keyword("now", &mut d, clock)?;
                if plain_time {
                    return Ok(mktime(&mut d));
                }
            }
        }
        Some(da) => match parse_date(da, &mut d) {
            None => {
                return Err(TimeError(format!(
                    "Invalid {which} date ({da}). Month, Day, and Year are required."
                )))
            }
            Some(false) => return Err(TimeError(format!("Error parsing {which} date ({da})"))),
            Some(true) => {}
        },
    }
    match time {
        Some(ti) => {
            let full = if ti.len() <= 5 {
                format!("{ti}:00")
            } else {
                ti.to_string()
            };
            let what = if bound == Bound::Start {
                "Invalid start time"
            } else {
                "Invalid end time"
            };
            match parse_time(&full, &mut d) {
                None => {
                    return Err(TimeError(format!(
                        "{what} ({ti}). Hour, Minute, and Second are required."
                    )))
                }
                Some(false) => return Err(TimeError(format!("Error parsing {which} time ({ti})"))),
                Some(true) => {}
            }
        }
        None if bound == Bound::Start => {
            // ausearch clears the whole tm here (date included): a start
            // with a date but no time never happens (it passes 00:00:00).
            d = zero_tm();
        }
        None => {
            let tv = localtime(clock.now);
            d.tm_hour = tv.tm_hour;
            d.tm_min = tv.tm_min;
            d.tm_sec = tv.tm_sec;
            d.tm_isdst = tv.tm_isdst;
        }
    }
    if d.tm_year < 104 {
        return Err(TimeError(format!("Error - year is {}", d.tm_year + 1900)));
    }
    let t = mktime(&mut d);
    if t == -1 {
        return Err(TimeError(format!("Error converting {which} time")));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc() {
        std::env::set_var("TZ", "UTC");
    }
    // 2024-03-14 15:09:26 UTC, a Thursday.
    const NOW: Clock = Clock {
        now: 1_710_428_966,
        uptime: Some(3600.2),
    };

    #[test]
    fn dates_times_keywords() {
        utc();
        let s = |d: Option<&str>, t: Option<&str>| resolve(Bound::Start, d, t, &NOW);
        let e = |d: Option<&str>, t: Option<&str>| resolve(Bound::End, d, t, &NOW);
        assert_eq!(s(Some("03/14/24"), Some("00:00:00")), Ok(1_710_374_400));
        assert_eq!(s(Some("03/14/2024"), Some("10:00")), Ok(1_710_410_400));
        assert_eq!(s(Some("today"), Some("00:00:00")), Ok(1_710_374_400));
        assert_eq!(s(Some("yesterday"), Some("00:00:00")), Ok(1_710_288_000));
        assert_eq!(s(Some("recent"), Some("00:00:00")), Ok(NOW.now - 600));
        assert_eq!(s(Some("now"), None), Ok(NOW.now));
        assert_eq!(s(Some("boot"), Some("00:00:00")), Ok(NOW.now - 3600));
        assert_eq!(
            s(Some("this-week"), Some("00:00:00")),
            Ok(1_710_374_400 - 4 * DAY)
        );
        assert_eq!(s(Some("this-month"), Some("00:00:00")), Ok(1_709_251_200));
        assert_eq!(s(Some("this-year"), Some("00:00:00")), Ok(1_704_067_200));
        assert_eq!(s(None, Some("10:00:00")), Ok(1_710_410_400));
        assert_eq!(e(Some("today"), None), Ok(NOW.now));
        assert_eq!(e(Some("03/13/24"), None), Ok(1_710_428_966 - DAY));
    }

    #[test]
    fn errors_say_what_ausearch_says() {
        utc();
        let s = |d: Option<&str>, t: Option<&str>| resolve(Bound::Start, d, t, &NOW);
        assert_eq!(
            s(Some("13/02/23"), Some("00:00:00")).unwrap_err().0,
            "Invalid start date (13/02/23). Month, Day, and Year are required."
        );
        assert_eq!(
            s(Some("01/02/23x"), Some("00:00:00")).unwrap_err().0,
            "Error parsing start date (01/02/23x)"
        );
        assert_eq!(
            s(Some("01/02/03"), Some("00:00:00")).unwrap_err().0,
            "Error - year is 2003"
        );
        assert!(s(Some("01/02/23"), Some("25:00")).is_err());
    }
}
