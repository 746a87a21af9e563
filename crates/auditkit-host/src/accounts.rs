//! passwd(5) and group(5) as glibc's `files` backend reads them, so that
//! names match what `getpwuid`/`getpwnam`/`getgrgid`/`getgrnam` give
//! ausearch, auparse and auditctl on the same files.
//!
//! The rules, from glibc's `nss_files` (`nss_readline.c`, `files-parse.c`,
//! `fgetpwent_r.c`, `fgetgrent_r.c`, `files-pwd.c`, `files-grp.c`):
//!
//! * a line is what lies before `\n` (and before a NUL byte, C strings);
//!   leading white space is dropped, and an empty line or one starting
//!   with `#` is skipped. A `\r` is *not* white space at the end: it stays
//!   in the last field (`adm:x:4\r` is a malformed group line);
//! * fields are split at `:`; missing trailing text fields are empty;
//! * uid and gid are `strtoul` numbers (leading white space and a sign
//!   allowed), clamped to 4294967295 as glibc does on 64-bit machines, and
//!   followed by `:` or the end of the line; anything else (an empty or
//!   non-numeric id, `12ab`) makes the line malformed, and it is skipped;
//! * entries whose name starts with `+` or `-` (NIS compat lines) are
//!   never returned by the lookups;
//! * for duplicates the **first** entry wins, both by id and by name,
//!   since each lookup scans the file from the top.
//!
//! Names are kept as text; a name that is not UTF-8 (useradd refuses such
//! names) is kept with U+FFFD replacements rather than dropped, so that the
//! entry still shadows later duplicates as it does for glibc.

use std::collections::BTreeMap;

/// One passwd(5) entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Login name.
    pub name: String,
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// The comment (GECOS) field.
    pub gecos: String,
    /// Home directory.
    pub home: String,
    /// Login shell (the rest of the line).
    pub shell: String,
}

/// One group(5) entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Group name.
    pub name: String,
    /// Group id.
    pub gid: u32,
    /// Member names (the comma-separated list, empty items dropped).
    pub members: Vec<String>,
}

/// Users and groups of one host, looked up both ways (id -> name for
/// interpreting events, name -> id for `-ui NAME`, `-F uid=NAME`, ...).
///
/// Built from the texts of the files ([`Accounts::parse`]); reading them
/// is [`crate::load`]'s job. An empty value ([`Accounts::new`]) knows no
/// names, which is
/// what a caller that wants raw numbers passes.
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    users: Vec<User>,
    groups: Vec<Group>,
    by_uid: BTreeMap<u32, usize>,
    by_user: BTreeMap<String, usize>,
    by_gid: BTreeMap<u32, usize>,
    by_group: BTreeMap<String, usize>,
}

impl Accounts {
    /// Accounts that know no names, for callers that want raw numbers
    /// (`unknown(N)`) and need a reference that lives forever.
    pub fn empty() -> &'static Accounts {
        static EMPTY: Accounts = Accounts::new();
        &EMPTY
    }

    /// Accounts that know no names.
    pub const fn new() -> Accounts {
        Accounts {
            users: Vec::new(),
            groups: Vec::new(),
            by_uid: BTreeMap::new(),
            by_user: BTreeMap::new(),
            by_gid: BTreeMap::new(),
            by_group: BTreeMap::new(),
        }
    }

    /// Parse the texts of a passwd and a group file. Malformed lines are
    /// skipped (see the module doc for what glibc calls malformed).
    pub fn parse(passwd: &[u8], group: &[u8]) -> Accounts {
        let mut a = Accounts::new();
        for line in lines(passwd) {
            if let Some(u) = parse_user(line) {
                let i = a.users.len();
                a.by_uid.entry(u.uid).or_insert(i);
                a.by_user.entry(u.name.clone()).or_insert(i);
                a.users.push(u);
            }
        }
        for line in lines(group) {
            if let Some(g) = parse_group(line) {
                let i = a.groups.len();
                a.by_gid.entry(g.gid).or_insert(i);
                a.by_group.entry(g.name.clone()).or_insert(i);
                a.groups.push(g);
            }
        }
        a
    }

    /// The name of a uid (`getpwuid`).
    pub fn user_name(&self, uid: u32) -> Option<&str> {
        self.by_uid.get(&uid).map(|&i| self.users[i].name.as_str())
    }

    /// The name of a gid (`getgrgid`).
    pub fn group_name(&self, gid: u32) -> Option<&str> {
        self.by_gid.get(&gid).map(|&i| self.groups[i].name.as_str())
    }

    /// The uid of a user name (`getpwnam`).
    pub fn uid(&self, name: &str) -> Option<u32> {
        self.user(name).map(|u| u.uid)
    }

    /// The gid of a group name (`getgrnam`).
    pub fn gid(&self, name: &str) -> Option<u32> {
        self.by_group.get(name).map(|&i| self.groups[i].gid)
    }

    /// The uid of a name given as bytes (a field value of a log): only a
    /// UTF-8 name can match.
    pub fn uid_of_bytes(&self, name: &[u8]) -> Option<u32> {
        std::str::from_utf8(name).ok().and_then(|n| self.uid(n))
    }

    /// The whole entry of a user name (`getpwnam`).
    pub fn user(&self, name: &str) -> Option<&User> {
        self.by_user.get(name).map(|&i| &self.users[i])
    }

    /// Every well-formed user entry, in file order (duplicates included).
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// Every well-formed group entry, in file order (duplicates included).
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }
}

/// The lines glibc's `__nss_readline` returns: cut at `\n` and NUL,
/// leading white space dropped, blank lines and comments skipped.
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|&c| c == b'\n').filter_map(|l| {
        let l = l.split(|&c| c == 0).next().unwrap_or(l);
        let start = l.iter().position(|&c| !is_c_space(c)).unwrap_or(l.len());
        let l = &l[start..];
        (!l.is_empty() && l[0] != b'#').then_some(l)
    })
}

/// C's `isspace` in the C locale.
fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `STRING_FIELD`: the text up to the next `:` (all of it when none), and
/// the rest after that `:`.
fn string_field(line: &[u8]) -> (&[u8], &[u8]) {
    match line.iter().position(|&c| c == b':') {
        Some(i) => (&line[..i], &line[i + 1..]),
        None => (line, &line[line.len()..]),
    }
}

/// `INT_FIELD` with glibc's `strtou32`: `None` when the line is malformed.
fn int_field(line: &[u8]) -> Option<(u32, &[u8])> {
    let (v, used) = strtou32(line)?;
    let rest = &line[used..];
    match rest.first() {
        Some(b':') => Some((v, &rest[1..])),
        None => Some((v, rest)),
        Some(_) => None,
    }
}

/// `strtoul(s, &end, 10)` clamped to 32 bits: the value and how many bytes
/// were used, `None` when no digits were found.
fn strtou32(s: &[u8]) -> Option<(u32, usize)> {
    let mut i = s.iter().position(|&c| !is_c_space(c)).unwrap_or(s.len());
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let digits = s[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut v: u64 = 0;
    let mut overflow = false;
    for &c in &s[i..i + digits] {
        match v
            .checked_mul(10)
            .and_then(|x| x.checked_add(u64::from(c - b'0')))
        {
            Some(x) => v = x,
            None => overflow = true,
        }
    }
    // strtoul: overflow gives ULONG_MAX whatever the sign; otherwise a
    // minus sign negates in unsigned arithmetic.
    let v = if overflow {
        u64::MAX
    } else if neg {
        v.wrapping_neg()
    } else {
        v
    };
    Some((u32::try_from(v).unwrap_or(u32::MAX), i + digits))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn compat(name: &[u8]) -> bool {
    matches!(name.first(), Some(b'+' | b'-'))
}

fn parse_user(line: &[u8]) -> Option<User> {
    let (name, rest) = string_field(line);
    if compat(name) {
        return None;
    }
    let (_passwd, rest) = string_field(rest);
    let (uid, rest) = int_field(rest)?;
    let (gid, rest) = int_field(rest)?;
    let (gecos, rest) = string_field(rest);
    let (home, shell) = string_field(rest);
    Some(User {
        name: text(name),
        uid,
        gid,
        gecos: text(gecos),
        home: text(home),
        shell: text(shell),
    })
}

fn parse_group(line: &[u8]) -> Option<Group> {
    let (name, rest) = string_field(line);
    if compat(name) {
        return None;
    }
    let (_passwd, rest) = string_field(rest);
    let (gid, rest) = int_field(rest)?;
    let members = rest
        .split(|&c| c == b',')
        .map(|m| {
            let s = m.iter().position(|&c| !is_c_space(c)).unwrap_or(m.len());
            &m[s..]
        })
        .filter(|m| !m.is_empty())
        .map(text)
        .collect();
    Some(Group {
        name: text(name),
        gid,
        members,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/bash\n\
        # comment\n\
        \n\
        broken\n\
        nouid:x::5::/:/bin/sh\n\
        trailing:x:12ab:5::/:/bin/sh\n\
        \t  alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n\
        alice:x:7:7::/:/bin/sh\n\
        dup1000:x:1000:1000::/:/bin/sh\n\
        +nis:x:42:42::/:/bin/sh\n\
        +\n\
        neg:x:-1:-5::/:/bin/sh\n\
        big:x:99999999999:+3::/:/bin/sh\n\
        short:x:55:56\n\
        spaced:x: 60:61::/:/bin/sh\r\n\
        nul:x:70:70::/\0:x:71\n";

    #[test]
    fn passwd_like_glibc() {
        let a = Accounts::parse(PASSWD, b"");
        assert_eq!(a.uid("root"), Some(0));
        assert_eq!(a.uid("alice"), Some(1000), "first entry of a name wins");
        assert_eq!(
            a.user_name(1000),
            Some("alice"),
            "first entry of an id wins"
        );
        assert_eq!(a.user_name(7), Some("alice"));
        assert_eq!(a.uid("broken"), None);
        assert_eq!(a.uid("nouid"), None);
        assert_eq!(a.uid("trailing"), None);
        assert_eq!(a.uid("+nis"), None, "compat lines are never returned");
        assert_eq!(a.user_name(42), None);
        assert_eq!(a.uid("neg"), Some(u32::MAX));
        assert_eq!(a.user("neg").map(|u| u.gid), Some(u32::MAX));
        assert_eq!(a.uid("big"), Some(u32::MAX));
        assert_eq!(a.user("big").map(|u| u.gid), Some(3));
        assert_eq!(a.uid("short"), Some(55), "missing text fields are empty");
        assert_eq!(a.user("short").map(|u| u.home.as_str()), Some(""));
        assert_eq!(a.uid("spaced"), Some(60));
        assert_eq!(
            a.user("spaced").map(|u| u.shell.as_str()),
            Some("/bin/sh\r")
        );
        assert_eq!(a.user("nul").map(|u| u.home.as_str()), Some("/"));
        let alice = a.user("alice").unwrap();
        assert_eq!(
            (
                alice.gecos.as_str(),
                alice.home.as_str(),
                alice.shell.as_str()
            ),
            ("Alice,,,", "/home/alice", "/bin/bash")
        );
        assert_eq!(a.users().len(), 9);
    }

    #[test]
    fn group_like_glibc() {
        let a = Accounts::parse(
            b"",
            b"root:x:0:\nadm:x:4:syslog, alice,,\nadm:x:5:\nwheel:x:10\ncr:x:11\r\n+:::\nbad:x:\n",
        );
        assert_eq!(a.gid("adm"), Some(4));
        assert_eq!(a.group_name(4), Some("adm"));
        assert_eq!(a.group_name(5), Some("adm"));
        assert_eq!(a.gid("wheel"), Some(10));
        assert_eq!(a.gid("cr"), None, "a \\r after the gid is malformed");
        assert_eq!(a.gid("bad"), None);
        assert_eq!(a.groups()[1].members, ["syslog", "alice"]);
    }

    #[test]
    fn empty_knows_nothing() {
        assert_eq!(Accounts::empty().user_name(0), None);
        assert_eq!(Accounts::new().uid("root"), None);
        assert_eq!(
            Accounts::parse(b"a:x:1:1::/:/bin/sh", b"").uid_of_bytes(b"a"),
            Some(1)
        );
        assert_eq!(
            Accounts::parse(b"a:x:1:1::/:/bin/sh", b"").uid_of_bytes(b"\xff"),
            None
        );
    }

    /// The system's own files, compared with `getent` (glibc through NSS).
    #[test]
    fn matches_getent_on_this_host() {
        let (Ok(p), Ok(g)) = (std::fs::read("/etc/passwd"), std::fs::read("/etc/group")) else {
            eprintln!("SKIP: no /etc/passwd or /etc/group");
            return;
        };
        let a = Accounts::parse(&p, &g);
        let getent = |db: &str, key: &str| {
            std::process::Command::new("getent")
                .args([db, key])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        };
        let mut checked = 0;
        for u in a.users() {
            let Some(line) = getent("passwd", &u.uid.to_string()) else {
                continue;
            };
            let name = line.split(':').next().unwrap_or("");
            assert_eq!(a.user_name(u.uid), Some(name), "uid {}", u.uid);
            checked += 1;
        }
        for g in a.groups() {
            let Some(line) = getent("group", &g.name) else {
                continue;
            };
            let gid = line.split(':').nth(2).and_then(|s| s.parse().ok());
            assert_eq!(a.gid(&g.name), gid, "group {}", g.name);
            checked += 1;
        }
        assert!(checked > 0 || a.users().is_empty());
    }
}
