//! The search items of an event, extracted as ausearch 3.0.9 does it
//! (`extract_search_items` in `src/ausearch-parse.c`).
//!
//! ausearch does not tokenize records for searching. For each record type
//! it runs a small hand-written scanner that looks for the fields it cares
//! about with `strstr`, from a position that moves forward as fields are
//! found, and that *only* looks for what the current search asks for
//! ([`Wanted`]). When a field it requires is missing, or a value is
//! malformed, the scanner returns an error code and the whole event is
//! dropped from the output (`match()` returns 0), even when no search
//! criterion was given at all. So whether an event is printed depends on
//! the options, and some events are never printed (an AppArmor `AVC`
//! without `tclass=`, for instance).
//!
//! This module reproduces that behaviour: the same fields per record type,
//! the same search order, the same failure conditions, and the same value
//! conversions (`strtoul` wrap-around, C types). It is our own code over
//! byte positions; the comments say where ausearch's behaviour is odd
//! (those oddities are what parity needs).

use auditkit_event::Event;
use auditkit_host::Accounts;

use crate::cstr::{at, span, strchr, strtoll, strtoul, unescape, unescape_bytes};
use crate::types::*;
use auditkit_interp::RecordType;

/// `success_t` of ausearch: -1 unset, 0 failed, 1 success. Kept as a C
/// `int` because some records store `strtoul(res=...)` into it directly,
/// so `res=success` becomes 0 ("failed") there, exactly as in ausearch.
pub const S_UNSET: i32 = -1;
/// Failed.
pub const S_FAILED: i32 = 0;
/// Succeeded.
pub const S_SUCCESS: i32 = 1;

/// Where ausearch's parsers skip the record's header for PATH and CWD.
const NAME_OFFSET: usize = 28;
/// `PATH_MAX` for rebuilt relative paths (`snprintf` truncation).
const PATH_MAX: usize = 4096;

/// Which fields the current search needs, one flag per `event_*` test of
/// `ausearch-parse.c`. A parser only looks for (and can only fail on) the
/// fields whose flag is set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[allow(missing_docs)] // fields named as ausearch's `event_*`/`search_items`
pub struct Wanted {
    pub ppid: bool,
    pub pid: bool,
    pub uid: bool,
    pub euid: bool,
    pub loginuid: bool,
    pub gid: bool,
    pub egid: bool,
    pub session: bool,
    pub success: bool,
    pub exit: bool,
    /// `arch=` of SYSCALL records: wanted with `--arch`/`-sc NAME`, or when
    /// the output format is richer than the default (ausearch's
    /// `report_format > RPT_DEFAULT`).
    pub arch: bool,
    pub terminal: bool,
    pub comm: bool,
    pub exe: bool,
    pub subject: bool,
    pub object: bool,
    pub key: bool,
    pub filename: bool,
    pub hostname: bool,
    pub vmname: bool,
    pub uuid: bool,
}

/// One SELinux/AppArmor context pair ausearch keeps (`anode`), with what
/// an AVC record says of it (aureport's AVC report prints them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[allow(missing_docs)] // fields named as ausearch's `event_*`/`search_items`
pub struct Avc {
    pub scontext: Option<Vec<u8>>,
    pub tcontext: Option<Vec<u8>>,
    /// `tclass=`.
    pub class: Option<Vec<u8>>,
    /// The permissions between `{ }`.
    pub perm: Option<Vec<u8>>,
    /// `avc_t`: [`AVC_UNSET`], [`AVC_DENIED`] or [`AVC_GRANTED`].
    pub result: u8,
}

/// `avc_t`: no `avc: ... {` part was read.
pub const AVC_UNSET: u8 = 0;
/// `avc:  denied`.
pub const AVC_DENIED: u8 = 1;
/// `avc:  granted`.
pub const AVC_GRANTED: u8 = 2;

/// The search items of one event (`search_items`), with ausearch's C types
/// and "unset" values: -1 for pids, `u32::MAX` for unset uids/gids,
/// `u32::MAX - 1` (ausearch's -2) for an unset login uid and session.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // fields named as ausearch's `event_*`/`search_items`
pub struct SearchItems {
    pub ppid: i32,
    pub pid: i32,
    pub gid: u32,
    pub egid: u32,
    pub uid: u32,
    pub euid: u32,
    pub loginuid: u32,
    pub session_id: u32,
    pub success: i32,
    pub arch: i32,
    pub syscall: i32,
    pub exit: i64,
    pub exit_is_set: bool,
    pub hostname: Option<Vec<u8>>,
    pub filename: Option<Vec<Vec<u8>>>,
    pub terminal: Option<Vec<u8>>,
    pub cwd: Option<Vec<u8>>,
    pub exe: Option<Vec<u8>>,
    pub comm: Option<Vec<u8>>,
    pub key: Option<Vec<Vec<u8>>>,
    pub avc: Option<Vec<Avc>>,
    pub acct: Option<Vec<u8>>,
    pub uuid: Option<Vec<u8>>,
    pub vmname: Option<Vec<u8>>,
    /// The uid value a user name was looked up for (`s->tuid`), if any.
    pub tuid: Option<u32>,
    pub teuid: Option<u32>,
    pub tauid: Option<u32>,
}

impl Default for SearchItems {
    fn default() -> Self {
        SearchItems {
            ppid: -1,
            pid: -1,
            gid: u32::MAX,
            egid: u32::MAX,
            uid: u32::MAX,
            euid: u32::MAX,
            loginuid: u32::MAX - 1,
            session_id: u32::MAX - 1,
            success: S_UNSET,
            arch: 0,
            syscall: 0,
            exit: 0,
            exit_is_set: false,
            hostname: None,
            filename: None,
            terminal: None,
            cwd: None,
            exe: None,
            comm: None,
            key: None,
            avc: None,
            acct: None,
            uuid: None,
            vmname: None,
            tuid: None,
            teuid: None,
            tauid: None,
        }
    }
}

/// Why ausearch would not print an event: which record, and the return
/// code of its parser (the number `ausearch --debug` prints as `rc=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseFailure {
    /// Index of the record in the event.
    pub record: usize,
    /// ausearch's return code.
    pub code: u8,
}

/// The outcome of extraction: the items gathered so far, and the failure
/// if a record stopped it (ausearch stops at the first failing record).
#[derive(Clone, Debug)]
#[allow(missing_docs)] // fields named as ausearch's `event_*`/`search_items`
pub struct Extracted {
    pub items: SearchItems,
    pub failure: Option<ParseFailure>,
}

type R = Result<(), u8>;

/// Extract the search items of `ev` for the fields in `w`. `accounts`
/// maps the user and group names of ausearch `-i` output back to numbers
/// (see [`crate::uninterp`]); raw records do not use it.
pub fn extract(ev: &Event, w: &Wanted, accounts: &Accounts) -> Extracted {
    let mut s = SearchItems::default();
    for (i, r) in ev.records().enumerate() {
        let rebuilt;
        // ausearch's record text: the line up to the enrichment separator,
        // newline removed (a `\r` stays).
        // It is a C string there, so it ends at a NUL: cut once here, and
        // the searches below need not look for one again.
        let m = if r.is_interpreted() {
            // ausearch -i output: the record as it was logged.
            rebuilt = crate::uninterp::raw_line(&r, accounts);
            &rebuilt[..]
        } else {
            let end = r.header.enrich.map_or(r.line.len(), |e| e as usize);
            &r.line[..end]
        };
        let m = memchr::memchr(0, m).map_or(m, |n| &m[..n]);
        let mut p = P {
            m,
            s: &mut s,
            w,
            t: r.rtype(),
        };
        if let Err(code) = p.record() {
            return Extracted {
                items: s,
                failure: Some(ParseFailure { record: i, code }),
            };
        }
    }
    Extracted {
        items: s,
        failure: None,
    }
}

/// `strstr` for the short field names the record parser looks for: find
/// the first byte with memchr and compare the rest. Building a memmem
/// searcher per call costs more than the search on a 200-byte record.
fn find_short(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = match needle.split_first() {
        Some(x) => x,
        None => return Some(0),
    };
    let mut pos = 0;
    while let Some(i) = memchr::memchr(first, &hay[pos..]) {
        let at = pos + i;
        if hay[at + 1..].starts_with(rest) {
            return Some(at);
        }
        pos = at + 1;
    }
    None
}

/// One record being parsed.
struct P<'a, 'b> {
    m: &'a [u8],
    s: &'b mut SearchItems,
    w: &'b Wanted,
    t: RecordType,
}

/// Parse a decimal number at `at` as `strtoul` into a C integer type.
fn ul(m: &[u8], at: usize, code: u8) -> Result<u64, u8> {
    strtoul(m.get(at..).unwrap_or(&[]), 10).map_err(|_| code)
}

fn is_user_type(t: RecordType) -> bool {
    t == USER
        || (FIRST_USER_MSG..=USER_END).contains(&t)
        || (USER_CHAUTHTOK..=LAST_USER_MSG).contains(&t)
        || (FIRST_USER_MSG2..=LAST_USER_MSG2).contains(&t)
}

impl P<'_, '_> {
    fn record(&mut self) -> R {
        let t = self.t;
        match t {
            SYSCALL => self.syscall(),
            CWD => self.dir(),
            AVC_PATH => self.avc_path(),
            PATH => self.path(),
            _ if is_user_type(t) => self.user(None),
            SOCKADDR => self.sockaddr(),
            LOGIN => self.login(),
            IPC | OBJ_PID => self.obj(),
            DAEMON_START | DAEMON_END | DAEMON_ABORT | DAEMON_CONFIG | DAEMON_ROTATE
            | DAEMON_RESUME => self.daemon1(),
            DAEMON_ACCEPT | DAEMON_CLOSE => self.daemon2(),
            CONFIG_CHANGE => {
                let r = self.simple_message();
                // Older kernels have no path=: the result is ignored.
                let _ = self.avc_path();
                r
            }
            AVC | USER_AVC => self.avc(),
            NETFILTER_PKT => self.pkt(),
            FEATURE_CHANGE | ANOM_LINK => self.task_info(),
            SECCOMP | ANOM_PROMISCUOUS | ANOM_ABEND => self.kernel_anom(),
            _ if (MAC_POLICY_LOAD..=MAC_UNLBL_STCDEL).contains(&t) => self.simple_message(),
            _ if (INTEGRITY_DATA..=INTEGRITY_RULE).contains(&t) => self.integrity(),
            NETFILTER_CFG | EVENT_LISTENER => self.kernel(),
            TTY => self.tty(),
            _ => Ok(()),
        }
    }

    fn find(&self, from: usize, pat: &[u8]) -> Option<usize> {
        find_short(self.m.get(from..)?, pat).map(|p| from + p)
    }
    fn chr(&self, from: usize, c: u8) -> Option<usize> {
        memchr::memchr(c, self.m.get(from..)?).map(|p| from + p)
    }
    fn prev(&self, pos: usize) -> u8 {
        pos.checked_sub(1).map_or(0, |p| at(self.m, p))
    }

    /// A `"quoted"` or hex value at `str`; returns (value, new term).
    /// `code` is returned when the closing quote is missing.
    fn quoted_or_hex(&self, str: usize, code: u8) -> Result<(Option<Vec<u8>>, Option<usize>), u8> {
        if at(self.m, str) == b'"' {
            let e = self.chr(str + 1, b'"').ok_or(code)?;
            Ok((Some(self.m[str + 1..e].to_vec()), Some(e)))
        } else {
            Ok((unescape(self.m.get(str..).unwrap_or(&[])), None))
        }
    }

    /// [`Self::quoted_or_hex`] that also moves `term` past a closing quote,
    /// as ausearch does before looking for the next field.
    fn take_str(&self, str: usize, code: u8, term: &mut usize) -> Result<Option<Vec<u8>>, u8> {
        let (v, end) = self.quoted_or_hex(str, code)?;
        if let Some(e) = end {
            *term = e;
        }
        Ok(v)
    }

    /// `res=` as a word of letters: `failed...` is a failure, anything else
    /// a success; no letters at all is parse error `code`.
    fn res_word(&mut self, from: usize, code: u8) -> Result<(), u8> {
        let Some(str) = self.find(from, b"res=") else {
            return Ok(());
        };
        let ptr = str + 4;
        let mut t = ptr;
        while at(self.m, t).is_ascii_alphabetic() {
            t += 1;
        }
        if t == ptr {
            return Err(code);
        }
        self.s.success = if self.m[ptr..t].starts_with(b"failed") {
            S_FAILED
        } else {
            S_SUCCESS
        };
        Ok(())
    }

    /// User-space variant: a bare value is hex only if all of it is hex
    /// digits, else it is a legacy unquoted string.
    fn quoted_or_legacy(&self, str: usize, code: u8) -> Result<(Option<Vec<u8>>, usize), u8> {
        if at(self.m, str) == b'"' {
            let e = self.chr(str + 1, b'"').ok_or(code)?;
            return Ok((Some(self.m[str + 1..e].to_vec()), e));
        }
        let mut end = str;
        let mut legacy = false;
        while !matches!(at(self.m, end), b' ' | 0) {
            if !at(self.m, end).is_ascii_hexdigit() {
                legacy = true;
            }
            end += 1;
        }
        let v = if legacy {
            Some(self.m[str..end].to_vec())
        } else {
            unescape(&self.m[str..])
        };
        Ok((v, end))
    }

    fn push_subj(&mut self, v: Vec<u8>) {
        self.s.avc.get_or_insert_with(Vec::new).push(Avc {
            scontext: Some(v),
            ..Avc::default()
        });
    }
    fn push_obj(&mut self, v: Vec<u8>) {
        self.s.avc.get_or_insert_with(Vec::new).push(Avc {
            tcontext: Some(v),
            ..Avc::default()
        });
    }

    /// `key=` value(s): quoted, or hex with several keys joined by 0x01.
    fn keys(&mut self, str: usize, unq_code: u8, hex_code: u8) -> Result<Option<usize>, u8> {
        let list = self.s.key.get_or_insert_with(Vec::new);
        if at(self.m, str) == b'"' {
            let e = strchr(self.m, str + 1, b'"').ok_or(unq_code)?;
            list.push(self.m[str + 1..e].to_vec());
            Ok(Some(e))
        } else {
            let k = unescape(self.m.get(str..).unwrap_or(&[])).ok_or(hex_code)?;
            list.extend(
                k.split(|&c| c == 0x01)
                    .filter(|p| !p.is_empty())
                    .map(<[u8]>::to_vec),
            );
            Ok(None)
        }
    }

    fn task_info(&mut self) -> R {
        let m = self.m;
        let w = self.w;
        let mut term = 0usize;
        if w.ppid {
            if let Some(str) = self.find(term, b"ppid=") {
                let ptr = str + 5;
                term = self.chr(ptr, b' ').ok_or(14)?;
                self.s.ppid = ul(m, ptr, 15)? as i32;
            }
        }
        if w.pid {
            let ptr = self.find(term, b" pid=").ok_or(16)? + 5;
            term = self.chr(ptr, b' ').ok_or(17)?;
            self.s.pid = ul(m, ptr, 18)? as i32;
        }
        if w.loginuid {
            let ptr = match self.find(term, b"auid=") {
                Some(p) => p + 5,
                None => self.find(term, b"loginuid=").ok_or(19)? + 9,
            };
            term = self.chr(ptr, b' ').ok_or(20)?;
            self.s.loginuid = ul(m, ptr, 21)? as u32;
            self.s.tauid = Some(self.s.loginuid);
        }
        if w.uid {
            let mut str;
            loop {
                str = self.find(term, b"uid=").ok_or(22)?;
                if self.prev(str) == b'a' {
                    term = str + 1;
                    continue;
                }
                break;
            }
            let ptr = str + 4;
            term = self.chr(ptr, b' ').ok_or(23)?;
            self.s.uid = ul(m, ptr, 24)? as u32;
            self.s.tuid = Some(self.s.uid);
        }
        if w.gid {
            let ptr = self.find(term, b"gid=").ok_or(25)? + 4;
            term = self.chr(ptr, b' ').ok_or(26)?;
            self.s.gid = ul(m, ptr, 27)? as u32;
        }
        if w.euid {
            let ptr = self.find(term, b"euid=").ok_or(28)? + 5;
            term = self.chr(ptr, b' ').ok_or(29)?;
            self.s.euid = ul(m, ptr, 30)? as u32;
            self.s.teuid = Some(self.s.euid);
        }
        if w.egid {
            let ptr = self.find(term, b"egid=").ok_or(31)? + 5;
            term = self.chr(ptr, b' ').ok_or(32)?;
            self.s.egid = ul(m, ptr, 33)? as u32;
        }
        if w.terminal {
            if let Some(str) = self.find(term, b"tty=") {
                let str = str + 4;
                term = self.chr(str, b' ').ok_or(34)?;
                self.s.terminal = Some(m[str..term].to_vec());
            }
        }
        if w.session {
            if let Some(str) = self.find(term, b"ses=") {
                let ptr = str + 4;
                term = self.chr(ptr, b' ').ok_or(35)?;
                self.s.session_id = ul(m, ptr, 36)? as u32;
            }
        }
        if w.comm {
            let str = self.find(term, b"comm=").ok_or(38)? + 5;
            let (v, t) = self.quoted_or_hex(str, 37)?;
            self.s.comm = v;
            if let Some(t) = t {
                term = t;
            }
        }
        if w.exe {
            // From the start of the record, unlike the others.
            let str = self.find(0, b"exe=").ok_or(40)? + 4;
            let (v, t) = self.quoted_or_hex(str, 39)?;
            self.s.exe = v;
            if let Some(t) = t {
                term = t;
            }
        }
        if w.subject {
            if let Some(str) = self.find(term, b"subj=") {
                let str = str + 5;
                term = self.chr(str, b' ').ok_or(41)?;
                self.push_subj(m[str..term].to_vec());
            }
        }
        if w.success {
            if let Some(str) = self.find(term, b"res=") {
                self.s.success = ul(m, str + 4, 43)? as i32;
            }
        }
        Ok(())
    }

    fn syscall(&mut self) -> R {
        let m = self.m;
        let w = self.w;
        let mut term = 0usize;
        if w.arch {
            let ptr = self.find(term, b"arch=").ok_or(1)? + 5;
            term = self.chr(ptr, b' ').ok_or(2)?;
            self.s.arch = strtoul(&m[ptr..], 16).map_err(|_| 3)? as i32;
        }
        let ptr = self.find(term, b"syscall=").ok_or(4)? + 8;
        term = self.chr(ptr, b' ').ok_or(5)?;
        self.s.syscall = ul(m, ptr, 6)? as i32;
        if w.success {
            // exit_group has no success=
            if let Some(str) = self.find(term, b"success=") {
                let ptr = str + 8;
                term = self.chr(ptr, b' ').ok_or(7)?;
                self.s.success = if &m[ptr..term] == b"yes" {
                    S_SUCCESS
                } else {
                    S_FAILED
                };
            }
        }
        if w.exit {
            let ptr = self.find(term, b"exit=").ok_or(8)? + 5;
            term = self.chr(ptr, b' ').ok_or(9)?;
            self.s.exit = strtoll(&m[ptr..], 0).map_err(|_| 10)?;
            self.s.exit_is_set = true;
        }
        for a in [&b"a0="[..], b"a1="] {
            let ptr = self.find(term, a).ok_or(11)? + 3;
            term = self.chr(ptr, b' ').ok_or(12)?;
            strtoul(&m[ptr..], 16).map_err(|_| 13)?;
        }
        self.task_info()?;
        if w.key {
            if let Some(str) = self.find(term, b"key=") {
                self.keys(str + 4, 44, 45)?;
            }
        }
        Ok(())
    }

    fn dir(&mut self) -> R {
        if self.w.filename {
            if let Some(str) = self.find(NAME_OFFSET, b" cwd=") {
                let (v, _) = self.quoted_or_hex(str + 5, 1)?;
                if self.s.cwd.is_none() {
                    self.s.cwd = v;
                }
            }
        }
        Ok(())
    }

    /// Relative names (`./x`, `../x`) are joined to the event's cwd.
    fn rebuild(&self, name: Vec<u8>) -> Vec<u8> {
        match (&self.s.cwd, name.first(), name.get(1)) {
            (Some(cwd), Some(b'.'), Some(b'.' | b'/')) => {
                let mut p = cwd.clone();
                p.push(b'/');
                p.extend_from_slice(&name);
                p.truncate(PATH_MAX - 1);
                p
            }
            _ => name,
        }
    }

    fn common_path(&mut self, path: usize) -> R {
        let m = self.m;
        self.s.filename.get_or_insert_with(Vec::new);
        let name = if at(m, path) == b'"' {
            let e = self.chr(path + 1, b'"').ok_or(2)?;
            self.rebuild(m[path + 1..e].to_vec())
        } else if m[path.min(m.len())..].starts_with(b"(null)") {
            b"(null)".to_vec()
        } else {
            if !at(m, path).is_ascii_hexdigit() {
                return Err(4);
            }
            let v = if at(m, path) == b'0' && at(m, path + 1) == b'0' {
                unescape(&m[path + 2..]) // abstract socket name
            } else {
                self.chr(path, b' ').ok_or(5)?;
                unescape(&m[path..])
            };
            self.rebuild(v.ok_or(7)?)
        };
        if let Some(f) = self.s.filename.as_mut() {
            f.push(name);
        }
        Ok(())
    }

    fn avc_path(&mut self) -> R {
        if self.w.filename {
            let str = self.find(0, b" path=").ok_or(1)?;
            return self.common_path(str + 6);
        }
        Ok(())
    }

    fn path(&mut self) -> R {
        let mut term = NAME_OFFSET;
        if self.w.filename {
            if let Some(str) = self.find(term, b" name=") {
                self.common_path(str + 6)?;
                term = str + 6;
            }
        }
        if self.w.object {
            if let Some(str) = self.find(term, b"obj=") {
                let str = str + 4;
                let v = span(self.m, str, self.chr(str, b' '));
                self.push_obj(v);
            }
        }
        Ok(())
    }

    fn obj(&mut self) -> R {
        if self.w.object {
            if let Some(str) = self.find(0, b"obj=") {
                let str = str + 4;
                let v = span(self.m, str, self.chr(str, b' '));
                self.push_obj(v);
            }
        }
        Ok(())
    }
}

mod more;

#[cfg(test)]
mod tests {
    use super::find_short;

    #[test]
    fn find_short_is_strstr() {
        assert_eq!(find_short(b"auid=1 uid=2", b"uid="), Some(1));
        assert_eq!(find_short(b"auid=1 uid=2", b" uid="), Some(6));
        assert_eq!(find_short(b"abc", b""), Some(0));
        assert_eq!(find_short(b"ab", b"abc"), None);
        assert_eq!(find_short(b"aab", b"ab"), Some(1));
    }
}
