//! uid/gid → name, through a resolver the caller provides.

use std::collections::HashMap;

use super::conv_err;
use crate::cnum::strtoul;

/// Names for numeric ids, as `getpwuid`/`getgrgid` would give them.
pub trait IdNames {
    fn user(&self, uid: u32) -> Option<&str>;
    fn group(&self, gid: u32) -> Option<&str>;
}

/// A resolver that knows no names (every id prints as `unknown(N)`,
/// except 0 which auparse always calls `root`).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoNames;

impl IdNames for NoNames {
    fn user(&self, _: u32) -> Option<&str> {
        None
    }
    fn group(&self, _: u32) -> Option<&str> {
        None
    }
}

/// Users and groups parsed from the bytes of `/etc/passwd` and
/// `/etc/group` (reading the files is the caller's job).
#[derive(Debug, Default, Clone)]
pub struct PasswdDb {
    users: HashMap<u32, String>,
    groups: HashMap<u32, String>,
}

impl PasswdDb {
    /// Parse passwd (`name:pw:uid:gid:...`) and group (`name:pw:gid:...`)
    /// contents. Like glibc's files backend, the first entry for an id wins;
    /// comments, blank and malformed lines are skipped.
    pub fn parse(passwd: &[u8], group: &[u8]) -> PasswdDb {
        PasswdDb {
            users: parse_db(passwd),
            groups: parse_db(group),
        }
    }
}

fn parse_db(data: &[u8]) -> HashMap<u32, String> {
    let mut map = HashMap::new();
    for line in data.split(|&c| c == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() || line[0] == b'#' {
            continue;
        }
        let mut f = line.split(|&c| c == b':');
        let (Some(name), Some(_), Some(id)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let Ok(name) = std::str::from_utf8(name) else {
            continue;
        };
        if name.is_empty() || id.is_empty() || !id.iter().all(u8::is_ascii_digit) {
            continue;
        }
        let Some(id) = std::str::from_utf8(id)
            .ok()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        map.entry(id).or_insert_with(|| name.to_string());
    }
    map
}

impl IdNames for PasswdDb {
    fn user(&self, uid: u32) -> Option<&str> {
        self.users.get(&uid).map(String::as_str)
    }
    fn group(&self, gid: u32) -> Option<&str> {
        self.groups.get(&gid).map(String::as_str)
    }
}

/// `aulookup_uid`/`aulookup_gid`: -1 is `unset`, 0 is always `root`,
/// unknown ids print as a signed C int.
fn lookup(id: i32, name: Option<&str>) -> Vec<u8> {
    match id {
        -1 => b"unset".to_vec(),
        0 => b"root".to_vec(),
        _ => match name {
            Some(n) => n.as_bytes().to_vec(),
            None => format!("unknown({id})").into_bytes(),
        },
    }
}

pub(crate) fn print_uid(val: &[u8], base: u32, names: &dyn IdNames) -> Vec<u8> {
    match strtoul(val, base) {
        Err(_) => conv_err(val),
        Ok(v) => {
            let id = v as u32;
            lookup(id as i32, names.user(id))
        }
    }
}

pub(crate) fn print_gid(val: &[u8], base: u32, names: &dyn IdNames) -> Vec<u8> {
    match strtoul(val, base) {
        Err(_) => conv_err(val),
        Ok(v) => {
            let id = v as u32;
            lookup(id as i32, names.group(id))
        }
    }
}
