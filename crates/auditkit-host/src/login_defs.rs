//! login.defs(5): the id ranges shadow's tools (useradd, groupadd) use,
//! which is how a host says where people's accounts start (`UID_MIN`).
//!
//! Read as shadow's `getdef.c` reads it: a line is `NAME VALUE`, split at
//! the first space or tab; leading blanks are skipped; a blank line, a
//! `#` comment and a line with one field are ignored; the value starts
//! after blanks and `"` and ends at the next `"` (trailing white space was
//! trimmed first). A later line for a name replaces an earlier one.
//! Numbers are `strtoul`/`strtol` with base 0 (`0x10`, `010` octal) over
//! the whole value; a value that is not a number gives the default, as
//! `getdef_ulong` does.

/// The parsed file: every `NAME VALUE` pair, the last one of a name wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoginDefs {
    values: Vec<(String, String)>,
}

/// shadow's defaults when login.defs says nothing (`find_new_uid.c`).
pub const DEFAULT_UID_MIN: u32 = 1000;
/// Default `UID_MAX`.
pub const DEFAULT_UID_MAX: u32 = 60000;
/// Default `SYS_UID_MIN`.
pub const DEFAULT_SYS_UID_MIN: u32 = 101;

impl LoginDefs {
    /// Parse the text of login.defs.
    pub fn parse(text: &str) -> LoginDefs {
        let mut values: Vec<(String, String)> = Vec::new();
        for line in text.lines() {
            let line = line.trim_end_matches(|c: char| c.is_ascii_whitespace() || c == '\x0b');
            let line = line.trim_start_matches([' ', '\t']);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some(cut) = line.find([' ', '\t']) else {
                continue;
            };
            let name = &line[..cut];
            let value = line[cut + 1..].trim_start_matches([' ', '\t', '"']);
            let value = value.split('"').next().unwrap_or("");
            match values.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => slot.1 = value.to_string(),
                None => values.push((name.to_string(), value.to_string())),
            }
        }
        LoginDefs { values }
    }

    /// The text value of a name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A numeric value (`getdef_ulong`): `None` when absent or not a
    /// number that fits 32 bits.
    pub fn number(&self, name: &str) -> Option<u32> {
        parse_c_number(self.get(name)?)
    }

    /// `UID_MIN`, else shadow's default 1000.
    pub fn uid_min(&self) -> u32 {
        self.number("UID_MIN").unwrap_or(DEFAULT_UID_MIN)
    }

    /// `UID_MAX`, else 60000.
    pub fn uid_max(&self) -> u32 {
        self.number("UID_MAX").unwrap_or(DEFAULT_UID_MAX)
    }

    /// `GID_MIN`, else 1000.
    pub fn gid_min(&self) -> u32 {
        self.number("GID_MIN").unwrap_or(DEFAULT_UID_MIN)
    }

    /// `GID_MAX`, else 60000.
    pub fn gid_max(&self) -> u32 {
        self.number("GID_MAX").unwrap_or(DEFAULT_UID_MAX)
    }

    /// `SYS_UID_MIN`, else 101.
    pub fn sys_uid_min(&self) -> u32 {
        self.number("SYS_UID_MIN").unwrap_or(DEFAULT_SYS_UID_MIN)
    }

    /// `SYS_UID_MAX`, else `UID_MIN - 1`.
    pub fn sys_uid_max(&self) -> u32 {
        self.number("SYS_UID_MAX")
            .unwrap_or_else(|| self.uid_min().saturating_sub(1))
    }

    /// `SYS_GID_MIN`, else 101.
    pub fn sys_gid_min(&self) -> u32 {
        self.number("SYS_GID_MIN").unwrap_or(DEFAULT_SYS_UID_MIN)
    }

    /// `SYS_GID_MAX`, else `GID_MIN - 1`.
    pub fn sys_gid_max(&self) -> u32 {
        self.number("SYS_GID_MAX")
            .unwrap_or_else(|| self.gid_min().saturating_sub(1))
    }
}

/// A whole C number with base 0: decimal, `0x` hex or `0` octal.
fn parse_c_number(s: &str) -> Option<u32> {
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    u32::from_str_radix(digits, radix).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shadow_rules() {
        let d = LoginDefs::parse(
            "# UID_MIN 5\n  UID_MIN\t\t500 \nUID_MIN 1000\nGID_MIN 0x100\nSYS_UID_MAX 0777\n\
             MAIL_DIR \"/var/mail\" x\nLONELY\nUID_MAX 6e4\n",
        );
        assert_eq!(d.uid_min(), 1000, "the last line of a name wins");
        assert_eq!(d.gid_min(), 256);
        assert_eq!(d.sys_uid_max(), 0o777);
        assert_eq!(d.get("MAIL_DIR"), Some("/var/mail"));
        assert_eq!(d.get("LONELY"), None);
        assert_eq!(d.uid_max(), DEFAULT_UID_MAX, "not a number: the default");
        assert_eq!(d.sys_gid_max(), 255);
        assert_eq!(LoginDefs::default().uid_min(), 1000);
        assert_eq!(LoginDefs::default().sys_uid_max(), 999);
    }

    #[test]
    fn this_host() {
        let Ok(t) = std::fs::read_to_string("/etc/login.defs") else {
            eprintln!("SKIP: no /etc/login.defs");
            return;
        };
        // The last `UID_MIN` line, read the plain way.
        let want = t
            .lines()
            .rev()
            .find_map(|l| {
                let mut w = l.split_whitespace();
                (w.next() == Some("UID_MIN")).then(|| w.next()).flatten()
            })
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_UID_MIN);
        assert_eq!(LoginDefs::parse(&t).uid_min(), want);
    }
}
