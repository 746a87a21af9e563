//! The list reports (`per_event_detailed` and `print_per_event_item`)
//! and the keys of their `--summary` forms (`per_event_summary`).
//!
//! A list line is formatted on a worker, without its number: the
//! ordered stage numbers the lines in log order. The layouts are
//! aureport's `printf`s, with their accidents: a missing string printed
//! with `%s` is `(null)` (glibc), a pid printed with `%u` is unsigned, and
//! values go through `safe_print_string` (escaped per `--escape`) in some
//! columns and not in others.

use std::io::Write;

use auditkit_event::Event;
use auditkit_host::Accounts;
use auditkit_interp::{Machine, RecordType};
use auditkit_output::Escape;
use auditkit_query::items::{S_FAILED, S_SUCCESS};
use auditkit_query::SearchItems;

use super::summary::date_time;
use super::types::*;
use super::{has, has_range, head_type, Options, Report};

/// `safe_print_string(s, 0)`: `(null)` for no string, else escaped per
/// `--escape` when it needs escaping. aureport's test and its escape
/// differ in the shell modes: a byte >= 0x80 (a negative `char`) makes
/// the string "need" escaping but is then printed as it is.
pub fn safe(out: &mut Vec<u8>, s: Option<&[u8]>, mode: Escape) {
    let Some(s) = s else {
        out.extend_from_slice(b"(null)");
        return;
    };
    let s = cstr(s);
    let special: &[u8] = match mode {
        Escape::Raw | Escape::Tty => b"",
        Escape::Shell => b"\"'`$\\!()| ",
        Escape::ShellQuote => b"\"'`$\\!()| ;#&*?[]<>{}",
    };
    let need = match mode {
        Escape::Raw => false,
        Escape::Tty => s.iter().any(|&b| b < 32),
        Escape::Shell | Escape::ShellQuote => s
            .iter()
            .any(|&b| !(32..0x80).contains(&b) || special.contains(&b)),
    };
    if !need {
        out.extend_from_slice(s);
        return;
    }
    for &b in s {
        if b < 32 {
            out.extend_from_slice(&[
                b'\\',
                b'0' + (b >> 6),
                b'0' + ((b >> 3) & 7),
                b'0' + (b & 7),
            ]);
        } else if special.contains(&b) {
            out.push(b'\\');
            out.push(b);
        } else {
            out.push(b);
        }
    }
}

/// A C string: up to the first NUL.
fn cstr(s: &[u8]) -> &[u8] {
    memchr::memchr(0, s).map_or(s, |n| &s[..n])
}

/// `printf("%s", s)`: the string, `(null)` for none.
fn s_or_null(out: &mut Vec<u8>, s: Option<&[u8]>) {
    out.extend_from_slice(s.map_or(&b"(null)"[..], cstr));
}

/// `s ? s : "?"`.
fn or_q(s: &Option<Vec<u8>>) -> Option<&[u8]> {
    Some(s.as_deref().map_or(&b"?"[..], cstr))
}

/// `aulookup_success`.
pub fn success(s: i32) -> &'static str {
    match s {
        S_FAILED => "no",
        S_SUCCESS => "yes",
        _ => "unset",
    }
}

/// `audit_msg_type_to_name` printed with `%s`: `(null)` for a type
/// libaudit has no name for.
pub fn type_name(out: &mut Vec<u8>, t: RecordType) {
    out.extend_from_slice(t.name().unwrap_or("(null)").as_bytes());
}

/// A value of the enrichment tail of the event's first record, as
/// `_auparse_lookup_interpretation` finds it: aureport loads the tail
/// only for one-record events and events that start with SYSCALL.
fn interpretation<'e>(ev: &'e Event, name: &[u8]) -> Option<&'e [u8]> {
    let r = ev.record(0)?;
    if ev.len() != 1 && r.rtype().0 != SYSCALL {
        return None;
    }
    let tail = r.enrichment()?;
    for tok in tail.split(|&b| b == b' ' || b == 0x1d) {
        let Some(eq) = tok.iter().position(|&b| b == b'=') else {
            continue;
        };
        if tok[..eq].eq_ignore_ascii_case(name) {
            let v = &tok[eq + 1..];
            let v = v.strip_prefix(b"\"").unwrap_or(v);
            return Some(v.strip_suffix(b"\"").unwrap_or(v));
        }
    }
    None
}

/// The names a report prints with `-i`.
pub struct Names<'a> {
    /// The options (whether `-i` was given).
    pub opts: &'a Options,
    /// This host's users, for `getpwuid`.
    pub accounts: &'a Accounts,
}

impl Names<'_> {
    /// `aulookup_uid`: the number (`%d`), or with `-i` `unset`, the log's
    /// own interpretation, this host's name, or `unknown(N)`.
    pub fn uid(&self, out: &mut Vec<u8>, ev: Option<&Event>, uid: u32) {
        self.uid_cap(out, ev, uid, 63);
    }

    /// [`Self::uid`] cut to `cap` bytes, as `snprintf` into aureport's
    /// buffer of `cap + 1` bytes cuts it.
    pub fn uid_cap(&self, out: &mut Vec<u8>, ev: Option<&Event>, uid: u32, cap: usize) {
        let start = out.len();
        self.uid_full(out, ev, uid);
        out.truncate(start + (out.len() - start).min(cap));
    }

    fn uid_full(&self, out: &mut Vec<u8>, ev: Option<&Event>, uid: u32) {
        if !self.opts.interpret {
            let _ = write!(out, "{}", uid as i32);
            return;
        }
        if uid == u32::MAX {
            out.extend_from_slice(b"unset");
            return;
        }
        if let Some(v) = ev.and_then(|e| interpretation(e, b"auid")) {
            out.extend_from_slice(v);
            return;
        }
        match self.accounts.user_name(uid) {
            Some(n) => out.extend_from_slice(n.as_bytes()),
            None => {
                let _ = write!(out, "unknown({})", uid as i32);
            }
        }
    }

    /// `aulookup_syscall`: the number, or with `-i` its name (the log's
    /// interpretation, else the table of the record's architecture; `?`
    /// for an unknown architecture).
    pub fn syscall(&self, out: &mut Vec<u8>, ev: &Event, s: &SearchItems) {
        if !self.opts.interpret {
            let _ = write!(out, "{}", s.syscall);
            return;
        }
        if let Some(v) = interpretation(ev, b"syscall") {
            out.extend_from_slice(v);
            return;
        }
        let Some(m) = Machine::from_elf(s.arch as u32).filter(|m| m.known_to_au309()) else {
            out.push(b'?');
            return;
        };
        match auditkit_interp::syscall_name_au309(m, s.syscall as u32) {
            Some(name) => {
                out.extend_from_slice(name.as_bytes());
                let func = match name {
                    "socketcall" => a0(ev).and_then(socketcall),
                    "ipc" => a0(ev).and_then(ipccall),
                    _ => None,
                };
                if let Some(f) = func {
                    let _ = write!(out, "({f})");
                }
            }
            None => {
                let _ = write!(out, "{}", s.syscall);
            }
        }
    }
}

/// `a0` of the event's SYSCALL record.
fn a0(ev: &Event) -> Option<i64> {
    let r = ev.records().find(|r| r.rtype().0 == SYSCALL)?;
    let v = r.field(b"a0")?;
    u64::from_str_radix(std::str::from_utf8(&v).ok()?, 16)
        .ok()
        .map(|v| v as i64)
}

/// `include/linux/net.h`'s socket calls.
fn socketcall(n: i64) -> Option<&'static str> {
    const T: [&str; 20] = [
        "socket",
        "bind",
        "connect",
        "listen",
        "accept",
        "getsockname",
        "getpeername",
        "socketpair",
        "send",
        "recv",
        "sendto",
        "recvfrom",
        "shutdown",
        "setsockopt",
        "getsockopt",
        "sendmsg",
        "recvmsg",
        "accept4",
        "recvmmsg",
        "sendmmsg",
    ];
    usize::try_from(n - 1).ok().and_then(|i| T.get(i).copied())
}

/// `asm/ipc.h`'s ipc calls.
fn ipccall(n: i64) -> Option<&'static str> {
    Some(match n {
        1 => "semop",
        2 => "semget",
        3 => "semctl",
        4 => "semtimedop",
        11 => "msgsnd",
        12 => "msgrcv",
        13 => "msgget",
        14 => "msgctl",
        21 => "shmat",
        22 => "shmdt",
        23 => "shmget",
        24 => "shmctl",
        _ => return None,
    })
}

/// The AVC entries a report shows: from the first with a decision
/// (`alist_find_avc`) on, those with one; when none has, the list report
/// shows the entry last added (aureport's cursor stays there), the
/// summary nothing.
pub fn avc_items(s: &SearchItems, list: bool) -> impl Iterator<Item = &auditkit_query::items::Avc> {
    let all = s.avc.as_deref().unwrap_or(&[]);
    let decided = all.iter().any(|a| a.result != 0);
    let last = (!decided && list).then(|| all.last()).flatten();
    all.iter()
        .filter(move |a| decided && a.result != 0)
        .chain(last)
}

/// Record types, as numbers: one type, or an inclusive range (which
/// matches nothing when its end is not above its start, as aureport's
/// `list_find_msg_range`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Types {
    /// One type (`list_find_msg`).
    One(i32),
    /// `lo..=hi` (`list_find_msg_range`).
    Range(i32, i32),
}

/// The record types an event needs one of to be listed in `report` or
/// counted in its `--summary` form: exactly the list report's test for
/// the reports whose test is only that, and a necessary condition for
/// `-au` (a USER_MGMT counts when it failed) and `--tty` (the first
/// record's type). `None` when events of any type may be in it. ClickHouse
/// narrows its fetch by them (`report --clickhouse`).
pub fn record_types(report: Report) -> Option<&'static [Types]> {
    use Report::*;
    use Types::{One, Range};
    Some(match report {
        Avc => &[One(AVC), One(USER_AVC)],
        Mac => &[
            Range(MAC_POLICY_LOAD, MAC_UNLBL_STCDEL),
            Range(FIRST_USER_LSPP_MSG, LAST_USER_LSPP_MSG),
        ],
        Integ => &[Range(INTEGRITY_FIRST_MSG, INTEGRITY_LAST_MSG)],
        Virt => &[Range(FIRST_VIRT_MSG, LAST_VIRT_MSG)],
        Config => &[
            One(CONFIG_CHANGE),
            One(DAEMON_CONFIG),
            One(USYS_CONFIG),
            One(NETFILTER_CFG),
            One(FEATURE_CHANGE),
            One(USER_MAC_CONFIG_CHANGE),
            Range(MAC_POLICY_LOAD, MAC_UNLBL_STCDEL),
        ],
        Auth => &[One(USER_AUTH), One(USER_MGMT)],
        Login => &[One(USER_LOGIN)],
        AcctMod => &[
            One(USER_CHAUTHTOK),
            Range(ADD_USER, DEL_GROUP),
            One(USER_MGMT),
            One(GRP_MGMT),
            Range(ROLE_ASSIGN, ROLE_REMOVE),
        ],
        Anomaly => &[
            Range(FIRST_ANOM_MSG, LAST_ANOM_MSG),
            Range(FIRST_KERN_ANOM_MSG, LAST_KERN_ANOM_MSG),
            One(SECCOMP),
        ],
        Response => &[Range(FIRST_ANOM_RESP, LAST_ANOM_RESP)],
        Crypto => &[
            Range(FIRST_KERN_CRYPTO_MSG, LAST_KERN_CRYPTO_MSG),
            Range(FIRST_CRYPTO_MSG, LAST_CRYPTO_MSG),
        ],
        Tty => &[One(TTY), One(USER_TTY)],
        Event | File | Host | Pid | Syscall | Term | User | Exe | Comm | Key | Summary | Time => {
            return None
        }
    })
}

/// Whether the event has a record of one of `types`.
fn has_types(ev: &Event, types: &[Types]) -> bool {
    types.iter().any(|t| match *t {
        Types::One(t) => has(ev, t),
        Types::Range(lo, hi) => has_range(ev, lo, hi),
    })
}

/// Whether the event belongs in the list report (`per_event_detailed`).
pub fn listed(report: Report, ev: &Event, s: &SearchItems) -> bool {
    use Report::*;
    let types = || record_types(report).is_some_and(|t| has_types(ev, t));
    match report {
        Avc | Mac | Integ | Virt | Config | Login | AcctMod | Anomaly | Response | Crypto => {
            types()
        }
        Auth => has(ev, USER_AUTH) || (has(ev, USER_MGMT) && s.success == S_FAILED),
        Event => true,
        File => s.filename.is_some(),
        Host => s.hostname.is_some(),
        Pid => s.pid >= 0,
        Syscall => s.syscall != 0,
        Term => s.terminal.is_some(),
        User => s.uid != u32::MAX,
        Exe => s.exe.is_some(),
        Comm => s.comm.is_some(),
        Key => s
            .key
            .as_ref()
            .and_then(|k| k.first())
            .is_some_and(|k| k.as_slice() != b"(null)"),
        Tty => matches!(head_type(ev).0, TTY | USER_TTY),
        Summary | Time => false,
    }
}

impl Names<'_> {
    /// The lines of a listed event, each without its number: `line` is
    /// called with each line's text (`date time columns...\n`).
    pub fn lines(&self, ev: &Event, s: &SearchItems, b: &mut Vec<u8>, ends: &mut Vec<u32>) {
        use Report::*;
        let esc = self.opts.escape;
        let serial = ev.id().serial;
        let sec = ev.id().sec as i64;
        let start = b.len();
        date_time(b, sec);
        b.push(b' ');
        let uid = |b: &mut Vec<u8>, u: u32| self.uid(b, Some(ev), u);
        let safe_uid = |b: &mut Vec<u8>, u: u32| {
            let mut t = Vec::new();
            self.uid(&mut t, Some(ev), u);
            safe(b, Some(&t), esc);
        };
        match self.opts.report {
            Avc => {
                let date = b[start..].to_vec();
                b.truncate(start);
                for an in avc_items(s, true) {
                    b.extend_from_slice(&date);
                    safe(b, or_q(&s.comm), esc);
                    b.push(b' ');
                    s_or_null(b, an.scontext.as_deref());
                    b.push(b' ');
                    self.syscall(b, ev, s);
                    b.push(b' ');
                    s_or_null(b, an.class.as_deref());
                    b.push(b' ');
                    s_or_null(b, an.perm.as_deref());
                    b.push(b' ');
                    s_or_null(b, an.tcontext.as_deref());
                    let r = match an.result {
                        1 => "denied",
                        2 => "granted",
                        _ => "unset",
                    };
                    let _ = writeln!(b, " {r} {serial}");
                    ends.push(b.len() as u32);
                }
                return;
            }
            Config => {
                type_name(b, head_type(ev));
                b.push(b' ');
                uid(b, s.loginuid);
                let _ = writeln!(b, " {} {serial}", success(s.success));
            }
            Auth | Login => {
                let acct = if self.opts.report == Auth {
                    s.acct.as_deref()
                } else {
                    s.acct.as_deref().filter(|_| s.success == S_FAILED)
                };
                match acct {
                    Some(a) => safe(b, Some(a), esc),
                    None => safe_uid(
                        b,
                        if self.opts.report == Auth {
                            s.uid
                        } else {
                            s.loginuid
                        },
                    ),
                }
                b.push(b' ');
                s_or_null(b, s.hostname.as_deref());
                b.push(b' ');
                s_or_null(b, s.terminal.as_deref());
                b.push(b' ');
                s_or_null(b, s.exe.as_deref());
                let _ = writeln!(b, " {} {serial}", success(s.success));
            }
            AcctMod => {
                safe_uid(b, s.loginuid);
                for v in [&s.hostname, &s.terminal, &s.exe, &s.acct] {
                    b.push(b' ');
                    s_or_null(b, or_q(v));
                }
                let _ = writeln!(b, " {} {serial}", success(s.success));
            }
            Event => {
                let _ = write!(b, "{serial} ");
                type_name(b, head_type(ev));
                b.push(b' ');
                safe_uid(b, s.loginuid);
                let _ = writeln!(b, " {}", success(s.success));
            }
            File => {
                let f = s.filename.as_ref().and_then(|l| l.first());
                safe(b, Some(f.map_or(&b""[..], |v| v.as_slice())), esc);
                b.push(b' ');
                self.syscall(b, ev, s);
                let _ = write!(b, " {} ", success(s.success));
                safe(b, or_q(&s.exe), esc);
                b.push(b' ');
                safe_uid(b, s.loginuid);
                let _ = writeln!(b, " {serial}");
            }
            Host => {
                s_or_null(b, s.hostname.as_deref());
                b.push(b' ');
                self.syscall(b, ev, s);
                b.push(b' ');
                safe_uid(b, s.loginuid);
                let _ = writeln!(b, " {serial}");
            }
            Pid => {
                let _ = write!(b, "{} ", s.pid as u32);
                safe(b, or_q(&s.exe), esc);
                b.push(b' ');
                self.syscall(b, ev, s);
                b.push(b' ');
                safe_uid(b, s.loginuid);
                let _ = writeln!(b, " {serial}");
            }
            Syscall => {
                self.syscall(b, ev, s);
                let _ = write!(b, " {} ", s.pid as u32);
                safe(b, or_q(&s.comm), esc);
                b.push(b' ');
                safe_uid(b, s.loginuid);
                let _ = writeln!(b, " {serial}");
            }
            Term => {
                s_or_null(b, s.terminal.as_deref());
                b.push(b' ');
                s_or_null(b, s.hostname.as_deref());
                b.push(b' ');
                safe(b, s.exe.as_deref(), esc);
                b.push(b' ');
                safe_uid(b, s.loginuid);
                let _ = writeln!(b, " {serial}");
            }
            User => {
                safe_uid(b, s.loginuid);
                b.push(b' ');
                s_or_null(b, or_q(&s.terminal));
                b.push(b' ');
                s_or_null(b, or_q(&s.hostname));
                b.push(b' ');
                safe(b, or_q(&s.exe), esc);
                let _ = writeln!(b, " {serial}");
            }
            Exe | Comm => {
                let v = if self.opts.report == Exe {
                    &s.exe
                } else {
                    &s.comm
                };
                safe(b, or_q(v), esc);
                b.push(b' ');
                s_or_null(b, or_q(&s.terminal));
                b.push(b' ');
                s_or_null(b, or_q(&s.hostname));
                b.push(b' ');
                safe_uid(b, s.loginuid);
                let _ = writeln!(b, " {serial}");
            }
            Anomaly => {
                type_name(b, head_type(ev));
                b.push(b' ');
                let v = s.exe.as_deref().or(s.comm.as_deref()).unwrap_or(b"?");
                safe(b, Some(v), esc);
                b.push(b' ');
                s_or_null(b, or_q(&s.terminal));
                b.push(b' ');
                s_or_null(b, or_q(&s.hostname));
                b.push(b' ');
                safe_uid(b, s.loginuid);
                let _ = writeln!(b, " {serial}");
            }
            Response | Integ | Virt => {
                type_name(b, head_type(ev));
                let _ = writeln!(b, " {} {serial}", success(s.success));
            }
            Mac => {
                uid(b, s.loginuid);
                b.push(b' ');
                type_name(b, head_type(ev));
                let _ = writeln!(b, " {} {serial}", success(s.success));
            }
            Crypto => {
                safe_uid(b, s.loginuid);
                b.push(b' ');
                type_name(b, head_type(ev));
                let _ = writeln!(b, " {} {serial}", success(s.success));
            }
            Key => {
                let k = s.key.as_ref().and_then(|k| k.first());
                s_or_null(b, k.map(Vec::as_slice));
                let _ = write!(b, " {} ", success(s.success));
                safe(b, or_q(&s.exe), esc);
                b.push(b' ');
                safe_uid(b, s.loginuid);
                let _ = writeln!(b, " {serial}");
            }
            Tty => self.tty(ev, s, b),
            Summary | Time => {}
        }
        ends.push(b.len() as u32);
    }

    /// The `data=` of a TTY record (cut at its last space, as aureport
    /// does), if it has one.
    fn tty_raw(ev: &Event) -> Option<&[u8]> {
        let r = ev.record(0)?;
        let m = match r.header.enrich {
            Some(e) => &r.line[..e as usize],
            None => r.line,
        };
        let m = cstr(m);
        let at = memchr::memmem::find(m, b"data=")?;
        let data = &m[at + 5..];
        Some(match data.iter().rposition(|&c| c == b' ') {
            Some(sp) => &data[..sp],
            None => data,
        })
    }

    /// `print_tty_data` of the event's keystrokes.
    pub(crate) fn tty_data_of(&self, ev: &Event, b: &mut Vec<u8>) {
        let Some(data) = Self::tty_raw(ev) else {
            return;
        };
        if !data.iter().all(u8::is_ascii_hexdigit) {
            b.extend_from_slice(data);
        } else if data.len() < 2 {
            b.extend_from_slice(b"conversion error(");
            b.extend_from_slice(data);
            b.push(b')');
        } else {
            b.extend_from_slice(&auditkit_interp::tty_data(data));
        }
    }

    /// The TTY report's columns. Without `data=` aureport has already
    /// printed the number and the date, and stops there (no newline).
    fn tty(&self, ev: &Event, s: &SearchItems, b: &mut Vec<u8>) {
        let esc = self.opts.escape;
        if Self::tty_raw(ev).is_none() {
            return;
        }
        let _ = write!(b, "{} ", ev.id().serial);
        let mut t = Vec::new();
        self.uid(&mut t, Some(ev), s.loginuid);
        safe(b, Some(&t), esc);
        b.push(b' ');
        s_or_null(b, or_q(&s.terminal));
        let _ = write!(b, " {} ", s.session_id);
        safe(b, or_q(&s.comm), esc);
        b.push(b' ');
        self.tty_data_of(ev, b);
        b.push(b'\n');
    }
}

/// The title block of a list report (`print_title_detailed`), after the
/// blank line: title, rule, column header, rule (the command report's
/// second rule is one longer, as in aureport).
pub fn title_text(r: Report) -> Vec<u8> {
    use Report::*;
    let (t, n, h, n2) = match r {
        Avc => (
            "AVC Report",
            63,
            "# date time comm subj syscall class permission obj result event",
            63,
        ),
        Config => (
            "Config Change Report",
            35,
            "# date time type auid success event",
            35,
        ),
        Auth => (
            "Authentication Report",
            44,
            "# date time acct host term exe success event",
            44,
        ),
        Login => (
            "Login Report",
            44,
            "# date time auid host term exe success event",
            44,
        ),
        AcctMod => (
            "Account Modifications Report",
            49,
            "# date time auid addr term exe acct success event",
            49,
        ),
        Time => ("Log Time Range Report", 21, "", 0),
        Event => (
            "Event Report",
            35,
            "# date time event type auid success",
            35,
        ),
        File => (
            "File Report",
            47,
            "# date time file syscall success exe auid event",
            47,
        ),
        Host => ("Host Report", 35, "# date time host syscall auid event", 35),
        Pid => (
            "Process ID Report",
            38,
            "# date time pid exe syscall auid event",
            38,
        ),
        Syscall => (
            "Syscall Report",
            39,
            "# date time syscall pid comm auid event",
            39,
        ),
        Term => (
            "Terminal Report",
            36,
            "# date time term host exe auid event",
            36,
        ),
        User => (
            "User ID Report",
            36,
            "# date time auid term host exe event",
            36,
        ),
        Exe => (
            "Executable Report",
            36,
            "# date time exe term host auid event",
            36,
        ),
        Comm => (
            "Command Report",
            36,
            "# date time comm term host auid event",
            37,
        ),
        Anomaly => (
            "Anomaly Report",
            41,
            "# date time type exe term host auid event",
            41,
        ),
        Response => (
            "Response to Anomaly Report",
            30,
            "# date time type success event",
            30,
        ),
        Mac => ("MAC Report", 35, "# date time auid type success event", 35),
        Integ => ("Integrity Report", 30, "# date time type success event", 30),
        Virt => (
            "Virtualization Report",
            30,
            "# date time type success event",
            30,
        ),
        Crypto => (
            "Crypto Report",
            35,
            "# date time auid type success event",
            35,
        ),
        Key => (
            "Key Report",
            47,
            "# date time key success exe auid event",
            47,
        ),
        Tty => (
            "TTY Report",
            47,
            "# date time event auid term sess comm data",
            47,
        ),
        Summary => return Vec::new(),
    };
    let mut b = format!("{t}\n{}\n", "=".repeat(n));
    if !h.is_empty() {
        b.push_str(&format!("{h}\n{}\n", "=".repeat(n2)));
    }
    b.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &[u8], m: Escape) -> Vec<u8> {
        let mut v = Vec::new();
        safe(&mut v, Some(s), m);
        v
    }

    /// aureport's own escaping (`ausearch-lookup.c`), quirks included.
    #[test]
    fn safe_print_string() {
        assert_eq!(esc(b"a\rb", Escape::Tty), b"a\\015b");
        assert_eq!(esc(b"a b", Escape::Tty), b"a b");
        assert_eq!(esc(b"a b", Escape::Shell), b"a\\ b");
        // A byte >= 0x80 makes the string need escaping in the shell
        // modes, and is then printed as it is.
        assert_eq!(esc(b"caf\xc3\xa9 x", Escape::Shell), b"caf\xc3\xa9\\ x");
        assert_eq!(esc(b"a;b", Escape::ShellQuote), b"a\\;b");
        assert_eq!(esc(b"a\rb", Escape::Raw), b"a\rb");
        assert_eq!(esc(b"ab\0cd", Escape::Tty), b"ab");
        let mut v = Vec::new();
        safe(&mut v, None, Escape::Tty);
        assert_eq!(v, b"(null)");
    }
}
