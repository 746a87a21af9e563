//! ausearch's search criteria and its `match()` (`src/ausearch-match.c`):
//! every option given must match (AND), with the OR groups ausearch has
//! (`-ua`, `-ga`, `-se`, several `-n`, a `-m` list).
//!
//! Values keep ausearch's C types and "unset" sentinels so that odd inputs
//! behave the same (`-ul -2` is "unset", a pid is compared as a C `int`).

use auditkit_event::Event;
use auditkit_host::Accounts;
use auditkit_interp::{Machine, RecordType};

use crate::items::{extract, Extracted, ParseFailure, SearchItems, Wanted, S_UNSET};

/// The criteria of one search (ausearch's `event_*` globals).
#[derive(Clone, Debug)]
#[allow(missing_docs)] // fields named as ausearch's `event_*`/`search_items`
pub struct Criteria {
    /// `-ts`: events with `sec >= start` (0: no bound).
    pub start_time: i64,
    /// `-te`: events with `sec <= end` (0: no bound).
    pub end_time: i64,
    /// `-a`: the serial, as ausearch's `unsigned int` (`u32::MAX` = unset).
    pub event_id: u32,
    /// `-n`: node names (any of them).
    pub nodes: Vec<Vec<u8>>,
    /// `-ui`, `-ue`, `-ul` (`u32::MAX`, `u32::MAX`, `u32::MAX - 1` = unset).
    pub uid: u32,
    pub euid: u32,
    pub loginuid: u32,
    /// User names given instead of numbers (compared by name).
    pub tuid: Option<String>,
    pub teuid: Option<String>,
    pub tauid: Option<String>,
    /// `-ua`: uid, euid or login uid.
    pub ua: bool,
    /// `-gi`, `-ge` (`u32::MAX` = unset), `-ga`: either.
    pub gid: u32,
    pub egid: u32,
    pub ga: bool,
    /// `-p`, `-pp` (-1 = unset).
    pub pid: i32,
    pub ppid: i32,
    /// `--arch`, or the native machine when `-sc` was given a name.
    pub machine: Option<Machine>,
    /// `-sc` (-1 = unset).
    pub syscall: i32,
    /// `--session` (`u32::MAX - 1` = unset).
    pub session: u32,
    /// `-e`.
    pub exit: Option<i64>,
    /// `-sv`: -1 unset, 0 no, 1 yes.
    pub success: i32,
    /// `-m` (None: any type).
    pub types: Option<Vec<RecordType>>,
    pub filename: Option<Vec<u8>>,
    pub hostname: Option<Vec<u8>>,
    pub terminal: Option<Vec<u8>>,
    pub exe: Option<Vec<u8>>,
    pub comm: Option<Vec<u8>>,
    pub key: Option<Vec<u8>>,
    pub vmname: Option<Vec<u8>>,
    pub uuid: Option<Vec<u8>>,
    pub subject: Option<Vec<u8>>,
    pub object: Option<Vec<u8>>,
    /// `-se`: subject or object.
    pub se: bool,
    /// `-w`: whole-string instead of substring matches.
    pub exact: bool,
    /// The output format is richer than ausearch's default (`-i`, csv,
    /// text): ausearch then also needs `arch=` in SYSCALL records.
    pub rich_format: bool,
}

impl Default for Criteria {
    fn default() -> Self {
        Criteria {
            start_time: 0,
            end_time: 0,
            event_id: u32::MAX,
            nodes: Vec::new(),
            uid: u32::MAX,
            euid: u32::MAX,
            loginuid: u32::MAX - 1,
            tuid: None,
            teuid: None,
            tauid: None,
            ua: false,
            gid: u32::MAX,
            egid: u32::MAX,
            ga: false,
            pid: -1,
            ppid: -1,
            machine: None,
            syscall: -1,
            session: u32::MAX - 1,
            exit: None,
            success: S_UNSET,
            types: None,
            filename: None,
            hostname: None,
            terminal: None,
            exe: None,
            comm: None,
            key: None,
            vmname: None,
            uuid: None,
            subject: None,
            object: None,
            se: false,
            exact: false,
            rich_format: false,
        }
    }
}

/// What [`Criteria::evaluate`] found.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Whether the criteria hold (on the items gathered so far when
    /// extraction failed).
    pub matched: bool,
    /// Set when ausearch could not extract the items: it would not print
    /// the event, whatever `matched` says.
    pub failure: Option<ParseFailure>,
}

impl Outcome {
    /// What ausearch does: print only when matched and parsed.
    pub fn ausearch_prints(&self) -> bool {
        self.matched && self.failure.is_none()
    }
}

impl Criteria {
    /// The fields the record parsers must look for.
    pub fn wanted(&self) -> Wanted {
        Wanted {
            ppid: self.ppid != -1,
            pid: self.pid != -1,
            uid: self.uid != u32::MAX || self.tuid.is_some(),
            euid: self.euid != u32::MAX || self.teuid.is_some(),
            loginuid: self.loginuid != u32::MAX - 1 || self.tauid.is_some(),
            gid: self.gid != u32::MAX,
            egid: self.egid != u32::MAX,
            session: self.session != u32::MAX - 1,
            success: self.success != S_UNSET,
            exit: self.exit.is_some(),
            arch: self.rich_format || self.machine.is_some(),
            terminal: self.terminal.is_some(),
            comm: self.comm.is_some(),
            exe: self.exe.is_some(),
            subject: self.subject.is_some(),
            object: self.object.is_some(),
            key: self.key.is_some(),
            filename: self.filename.is_some(),
            hostname: self.hostname.is_some(),
            vmname: self.vmname.is_some(),
            uuid: self.uuid.is_some(),
        }
    }

    /// Whether evaluating needs the host's user and group names: to
    /// compare by name (`-ui NAME`), and to map the names of ausearch `-i`
    /// output back to numbers for any uid or gid criterion (see
    /// [`crate::uninterp`]).
    pub fn needs_accounts(&self) -> bool {
        let w = self.wanted();
        w.uid || w.euid || w.loginuid || w.gid || w.egid
    }

    /// Whether the event is inside `-ts`/`-te` and has the `-a` serial
    /// (checked before anything is extracted).
    pub fn time_and_id(&self, ev: &Event) -> bool {
        let id = ev.id();
        let sec = id.sec as i64;
        (self.start_time == 0 || sec >= self.start_time)
            && (self.end_time == 0 || sec <= self.end_time)
            && (self.event_id == u32::MAX || u64::from(self.event_id) == id.serial)
    }

    /// Evaluate the criteria on an event. `wanted` is [`Self::wanted`]
    /// (computed once by the caller).
    pub fn evaluate(&self, ev: &Event, wanted: &Wanted, names: &Accounts) -> Outcome {
        if !self.time_and_id(ev) {
            return Outcome {
                matched: false,
                failure: None,
            };
        }
        let Extracted { items, failure } = extract(ev, wanted, names);
        Outcome {
            matched: self.items_match(ev, &items, names),
            failure,
        }
    }

    fn strmatch(&self, needle: &[u8], hay: &[u8]) -> bool {
        if self.exact {
            hay == needle
        } else {
            memchr::memmem::find(hay, needle).is_some()
        }
    }

    /// The tests of `match()` after extraction.
    pub fn items_match(&self, ev: &Event, s: &SearchItems, names: &Accounts) -> bool {
        if !self.nodes.is_empty() {
            match ev.node() {
                Some(n) if self.nodes.iter().any(|x| x.as_slice() == n) => {}
                _ => return false,
            }
        }
        if !self.user_match(s, names) || !self.group_match(s) {
            return false;
        }
        if (self.ppid != -1 && self.ppid != s.ppid) || (self.pid != -1 && self.pid != s.pid) {
            return false;
        }
        if let Some(m) = self.machine {
            let em = Machine::from_elf(s.arch as u32).filter(|m| m.known_to_au309());
            if em != Some(m) {
                return false;
            }
        }
        if self.syscall != -1 && self.syscall != s.syscall {
            return false;
        }
        if self.session != u32::MAX - 1 && self.session != s.session_id {
            return false;
        }
        if let Some(x) = self.exit {
            if !s.exit_is_set || x != s.exit {
                return false;
            }
        }
        if self.success != S_UNSET && self.success != s.success {
            return false;
        }
        if let Some(types) = &self.types {
            if !ev.records().any(|r| types.contains(&r.rtype())) {
                return false;
            }
        }
        if let Some(f) = &self.filename {
            if s.filename.is_none() && s.cwd.is_none() {
                return false;
            }
            let found = s
                .filename
                .as_ref()
                .is_some_and(|l| l.iter().any(|n| self.strmatch(f, n)));
            if !found {
                match &s.cwd {
                    Some(cwd) if self.strmatch(f, cwd) => {}
                    _ => return false,
                }
            }
        }
        let str_tests = [
            (&self.hostname, &s.hostname),
            (&self.terminal, &s.terminal),
            (&self.exe, &s.exe),
            (&self.comm, &s.comm),
        ];
        for (want, have) in str_tests {
            if let Some(w) = want {
                match have {
                    Some(h) if self.strmatch(w, h) => {}
                    _ => return false,
                }
            }
        }
        if let Some(k) = &self.key {
            match &s.key {
                Some(l) if l.iter().any(|x| self.strmatch(k, x)) => {}
                _ => return false,
            }
        }
        for (want, have) in [(&self.vmname, &s.vmname), (&self.uuid, &s.uuid)] {
            if let Some(w) = want {
                match have {
                    Some(h) if self.strmatch(w, h) => {}
                    _ => return false,
                }
            }
        }
        self.context_match(s)
    }

    fn user_match(&self, s: &SearchItems, names: &Accounts) -> bool {
        // The name ausearch compares (`lookup_uid`): 0 is always root and
        // -1 unset, whatever the passwd file says.
        let name = |looked: Option<u32>| {
            looked.and_then(|u| match u {
                0 => Some("root"),
                u32::MAX => Some("unset"),
                u => names.user_name(u),
            })
        };
        let by_name = self.tuid.is_some() || self.teuid.is_some() || self.tauid.is_some();
        let eq = |want: &Option<String>, looked: Option<u32>| {
            want.as_ref()
                .is_some_and(|w| name(looked).is_some_and(|n| n == w))
        };
        if self.ua && self.tuid.is_some() {
            eq(&self.tuid, s.tuid) || eq(&self.teuid, s.teuid) || eq(&self.tauid, s.tauid)
        } else if self.ua {
            self.uid == s.uid || self.euid == s.euid || self.loginuid == s.loginuid
        } else if by_name {
            (self.tuid.is_none() || eq(&self.tuid, s.tuid))
                && (self.teuid.is_none() || eq(&self.teuid, s.teuid))
                && (self.tauid.is_none() || eq(&self.tauid, s.tauid))
        } else {
            (self.uid == u32::MAX || self.uid == s.uid)
                && (self.euid == u32::MAX || self.euid == s.euid)
                && (self.loginuid == u32::MAX - 1 || self.loginuid == s.loginuid)
        }
    }

    fn group_match(&self, s: &SearchItems) -> bool {
        if self.ga {
            self.gid == s.gid || self.egid == s.egid
        } else {
            (self.gid == u32::MAX || self.gid == s.gid)
                && (self.egid == u32::MAX || self.egid == s.egid)
        }
    }

    fn context_match(&self, s: &SearchItems) -> bool {
        let avc = s.avc.as_deref().unwrap_or(&[]);
        let subj = |w: &[u8]| {
            avc.iter()
                .filter_map(|a| a.scontext.as_deref())
                .any(|c| self.strmatch(w, c))
        };
        let obj = |w: &[u8]| {
            avc.iter()
                .filter_map(|a| a.tcontext.as_deref())
                .any(|c| self.strmatch(w, c))
        };
        if self.se {
            return self.subject.as_deref().is_some_and(subj)
                || self.object.as_deref().is_some_and(obj);
        }
        if let Some(w) = &self.subject {
            return s.avc.is_some() && subj(w);
        }
        if let Some(w) = &self.object {
            return s.avc.is_some() && obj(w);
        }
        true
    }
}
