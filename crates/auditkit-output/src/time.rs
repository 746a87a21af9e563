//! Local time formatting exactly as the C library does it for ausearch
//! (`ctime`, `strftime("%x %T")` under the C locale), through `localtime_r`
//! so that the TZ variable and /etc/localtime are honoured the same way.
//!
//! Conversions are cached per second: events arrive in time order, so most
//! calls hit the cache.

use std::cell::Cell;

/// Broken-down local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tm {
    /// Full year.
    pub year: i32,
    /// 1..=12.
    pub month: u32,
    /// 1..=31.
    pub day: u32,
    /// 0..=23.
    pub hour: u32,
    /// 0..=59.
    pub min: u32,
    /// 0..=60.
    pub sec: u32,
    /// 0 = Sunday.
    pub wday: u32,
    /// Offset from UTC in seconds.
    pub gmtoff: i64,
}

thread_local! {
    static CACHE: Cell<Option<(i64, Option<Tm>)>> = const { Cell::new(None) };
}

/// Calls the C library once per process so that it reads TZ before threads
/// start (glibc's tzset is not cheap and takes a lock).
pub fn init() {
    extern "C" {
        fn tzset();
    }
    // SAFETY: tzset takes no arguments and has no preconditions.
    unsafe { tzset() };
}

/// Convert seconds since the epoch to local time (the epoch itself when
/// the C library cannot: a year past `INT_MAX`).
pub fn localtime(t: i64) -> Tm {
    try_localtime(t).unwrap_or(Tm {
        year: 1970,
        month: 1,
        day: 1,
        hour: 0,
        min: 0,
        sec: 0,
        wday: 4,
        gmtoff: 0,
    })
}

/// `localtime_r`, `None` where it fails (EOVERFLOW: a damaged timestamp
/// such as `msg=audit(165318038370299914):` is read as that many seconds).
pub fn try_localtime(t: i64) -> Option<Tm> {
    if let Some((k, tm)) = CACHE.with(Cell::get) {
        if k == t {
            return tm;
        }
    }
    // SAFETY: localtime_r writes into the zeroed struct we own; time_t is
    // i64 on every target we build for.
    let tm = unsafe {
        let mut out: libc::tm = std::mem::zeroed();
        let tt: libc::time_t = t as libc::time_t;
        if libc::localtime_r(&tt, &mut out).is_null() {
            None
        } else {
            Some(out)
        }
    };
    let tm = tm.map(|o| Tm {
        year: o.tm_year + 1900,
        month: (o.tm_mon + 1) as u32,
        day: o.tm_mday as u32,
        hour: o.tm_hour as u32,
        min: o.tm_min as u32,
        sec: o.tm_sec as u32,
        wday: o.tm_wday as u32,
        gmtoff: o.tm_gmtoff,
    });
    CACHE.with(|c| c.set(Some((t, tm))));
    tm
}

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `ctime()`: `Sun Jan 28 21:58:13 2007\n`. Where glibc's `ctime` returns
/// NULL (the year does not fit an `int`), ausearch's `printf("%s")` prints
/// `(null)`, with no newline: so do we.
pub fn ctime(out: &mut Vec<u8>, t: i64) {
    let Some(tm) = try_localtime(t) else {
        out.extend_from_slice(b"(null)");
        return;
    };
    use std::io::Write;
    let _ = writeln!(
        out,
        "{} {}{:3} {:02}:{:02}:{:02} {}",
        DAYS[tm.wday as usize % 7],
        MONTHS[(tm.month as usize + 11) % 12],
        tm.day,
        tm.hour,
        tm.min,
        tm.sec,
        tm.year
    );
}

/// `%x` in the C locale: `MM/DD/YY`.
pub fn date_x(out: &mut Vec<u8>, tm: &Tm) {
    push2(out, tm.month);
    out.push(b'/');
    push2(out, tm.day);
    out.push(b'/');
    push2(out, tm.year.rem_euclid(100) as u32);
}

/// `%T`: `HH:MM:SS`.
pub fn time_t(out: &mut Vec<u8>, tm: &Tm) {
    push2(out, tm.hour);
    out.push(b':');
    push2(out, tm.min);
    out.push(b':');
    push2(out, tm.sec);
}

fn push2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}
