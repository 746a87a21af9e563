//! Text for the page: HTML escaping of anything from the log, readable
//! numbers and UTC times.
//!
//! Nothing from the log reaches the page raw. Bytes become text through
//! [`shown`] (invalid UTF-8 and control bytes as `\xNN`, as a terminal
//! would be shown them safely) and text through [`esc`] (`& < > "`), in
//! element content and attribute values alike. The page quotes every
//! attribute with `"`, so `'` needs no escape (and shell-quoted commands,
//! full of them, stay short).

use std::fmt::Write;

/// HTML-escape `s` for element content and `"`-quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            c => o.push(c),
        }
    }
    o
}

/// Bytes from the log as readable text: UTF-8 as it is, control bytes and
/// invalid sequences as `\xNN`. Not escaped for HTML yet (see [`esc`]).
pub fn shown(b: &[u8]) -> String {
    let mut o = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                let mut buf = [0u8; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(o, "\\x{byte:02x}");
                }
            } else {
                o.push(c);
            }
        }
        for byte in chunk.invalid() {
            let _ = write!(o, "\\x{byte:02x}");
        }
    }
    o
}

/// [`shown`], then [`esc`].
pub fn esc_bytes(b: &[u8]) -> String {
    esc(&shown(b))
}

/// `s` cut to `n` characters with an ellipsis.
pub fn ellipsis(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut o: String = s.chars().take(n.saturating_sub(1)).collect();
    o.push('…');
    o
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut o = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            o.push(',');
        }
        o.push(c);
    }
    o
}

/// A short count for an axis: `950`, `1.2k`, `34k`, `5.6M`.
pub fn short(n: u64) -> String {
    let f = n as f64;
    let (v, unit) = if n >= 1_000_000_000 {
        (f / 1e9, "G")
    } else if n >= 1_000_000 {
        (f / 1e6, "M")
    } else if n >= 1_000 {
        (f / 1e3, "k")
    } else {
        return n.to_string();
    };
    if v < 10.0 && (v * 10.0).round() % 10.0 != 0.0 {
        format!("{v:.1}{unit}")
    } else {
        format!("{v:.0}{unit}")
    }
}

/// Bytes as `12.3 MB` (powers of 1024, as `ls -h`).
pub fn bytes(n: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

/// A UTC civil time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Utc {
    /// Year.
    pub y: i64,
    /// Month, 1..=12.
    pub mo: u32,
    /// Day, 1..=31.
    pub d: u32,
    /// Hour.
    pub h: u32,
    /// Minute.
    pub mi: u32,
    /// Second.
    pub s: u32,
}

impl Utc {
    /// The civil time of `secs` since the epoch (days to dates after
    /// Howard Hinnant's `civil_from_days`).
    pub fn of(secs: u64) -> Utc {
        let days = (secs / 86_400) as i64;
        let rem = secs % 86_400;
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let mo = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i64::from(mo <= 2);
        Utc {
            y,
            mo,
            d,
            h: (rem / 3600) as u32,
            mi: (rem / 60 % 60) as u32,
            s: (rem % 60) as u32,
        }
    }

    /// `2026-12-01 10:00:00`.
    pub fn iso(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.y, self.mo, self.d, self.h, self.mi, self.s
        )
    }

    /// `2026-12-01`.
    pub fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.y, self.mo, self.d)
    }

    /// `10:00` or `10:00:05` when there are seconds.
    pub fn hm(&self) -> String {
        if self.s == 0 {
            format!("{:02}:{:02}", self.h, self.mi)
        } else {
            format!("{:02}:{:02}:{:02}", self.h, self.mi, self.s)
        }
    }

    /// ausearch's `-ts`/`-te` words under the C locale: `12/01/2026`
    /// and `10:00:00`.
    pub fn ausearch(&self) -> (String, String) {
        (
            format!("{:02}/{:02}/{:04}", self.mo, self.d, self.y),
            format!("{:02}:{:02}:{:02}", self.h, self.mi, self.s),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert('x')&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(esc_bytes(b"a\x1b[31m\xff<b>"), "a\\x1b[31m\\xff&lt;b&gt;");
        assert_eq!(shown("é\u{85}".as_bytes()), "é\\xc2\\x85");
    }

    #[test]
    fn numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(short(999), "999");
        assert_eq!(short(1200), "1.2k");
        assert_eq!(short(2000), "2k");
        assert_eq!(short(34_000), "34k");
        assert_eq!(short(5_600_000), "5.6M");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
    }

    #[test]
    fn utc_dates() {
        assert_eq!(Utc::of(0).iso(), "1970-01-01 00:00:00");
        assert_eq!(Utc::of(951_782_400).iso(), "2000-02-29 00:00:00");
        assert_eq!(Utc::of(1_700_000_000).iso(), "2023-11-14 22:13:20");
        assert_eq!(
            Utc::of(1_700_000_000).ausearch(),
            ("11/14/2023".to_string(), "22:13:20".to_string())
        );
        // Far times do not panic.
        let _ = Utc::of(u64::MAX).iso();
    }
}
