//! aureport 3.0.9 parity: which events each report counts, the tallies
//! (a sink with per-worker parts), and the layouts.
//!
//! aureport is ausearch's reader and parser with a different ending: it
//! groups records into events with the same `ausearch-lol.c`, extracts the
//! same search items with the same `ausearch-parse.c` (only the fields
//! the chosen report asks for, so whether an event is counted depends on
//! the report, as in ausearch), then `aureport-scan.c` decides what the
//! event adds to the report and `aureport-output.c` prints it. Here the
//! grouping is the engine's assembler and the parser is
//! [`auditkit_query::items::extract`], the same code `auditkit search`
//! uses; this module holds what is aureport's own:
//!
//! * [`Options`]: the report and its options, and from them the
//!   [`Wanted`] fields (`aureport-options.c` sets `event_*` globals to a
//!   dummy value so the parser looks for the fields the report prints);
//! * [`Options::scan`]: `scan()` of `aureport-scan.c` (the parse must
//!   succeed, then `--node`, `--failed`/`--success`, `-nc`, `--add`,
//!   `--delete`);
//! * [`summary`]: the default report's counters;
//! * [`list`]: the list reports' lines, [`tally`]: their `--summary`
//!   forms;
//! * [`sink`]: the engine's consumer, whose per-worker parts hold the
//!   tallies and whose ordered stage prints list lines in log order.
//!
//! Quirks kept on purpose are named where they are reproduced (the
//! "Range of time in logs" start, for one, is the first *record* read,
//! or with `-ts` the first record outside the range).

pub mod distinct;
pub mod format;
pub mod list;
pub mod sink;
pub mod summary;
pub mod tally;

use auditkit_event::Event;
use auditkit_host::Accounts;
use auditkit_interp::RecordType;
use auditkit_output::Escape;
use auditkit_query::items::{S_FAILED, S_SUCCESS};
use auditkit_query::{extract, SearchItems, Wanted};

/// Which report (`report_type_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Report {
    /// The default: counts of everything.
    Summary,
    /// `-t`: the time range of each log file.
    Time,
    /// `-a`.
    Avc,
    /// `-ma`.
    Mac,
    /// `-c`.
    Config,
    /// `-e`.
    Event,
    /// `-f`.
    File,
    /// `-h`.
    Host,
    /// `-l`.
    Login,
    /// `-m`.
    AcctMod,
    /// `-p`.
    Pid,
    /// `-s`.
    Syscall,
    /// `-tm`.
    Term,
    /// `-u`.
    User,
    /// `-x`.
    Exe,
    /// `-n`.
    Anomaly,
    /// `-r`.
    Response,
    /// `-cr`.
    Crypto,
    /// `-au`.
    Auth,
    /// `-k`.
    Key,
    /// `--tty`.
    Tty,
    /// `--comm`.
    Comm,
    /// `--virt`.
    Virt,
    /// `--integrity`.
    Integ,
}

/// One line per event (`D_DETAILED`) or totals per value (`D_SUM`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// `--summary`, and the default report.
    Summary,
    /// A list report.
    Detailed,
}

/// `--failed` / `--success` (`failed_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Outcome {
    /// Both (the default).
    #[default]
    Both,
    /// `--failed`.
    Failed,
    /// `--success`.
    Success,
}

/// `--add` / `--delete` (`conf_act_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ConfAct {
    /// Neither given.
    #[default]
    Neither,
    /// `--add`.
    Add,
    /// `--delete`.
    Delete,
}

/// What aureport was asked.
#[derive(Clone, Debug)]
pub struct Options {
    /// The report.
    pub report: Report,
    /// Its form.
    pub detail: Detail,
    /// `--failed` / `--success`.
    pub outcome: Outcome,
    /// `--add` / `--delete`.
    pub conf_act: ConfAct,
    /// `-nc`: drop events whose first record is CONFIG_CHANGE.
    pub no_config: bool,
    /// `--node` (any of them).
    pub nodes: Vec<Vec<u8>>,
    /// `-i`: names instead of numbers.
    pub interpret: bool,
    /// `--escape`.
    pub escape: Escape,
    /// `-ts` in epoch seconds (0: none).
    pub start_time: i64,
    /// `-te` in epoch seconds (0: none).
    pub end_time: i64,
    /// `--format`.
    pub format: format::Format,
    /// `--by-node`: totals per node, and the node of each list line.
    pub by_node: bool,
    wanted: Wanted,
}

/// Record types aureport names (`libaudit.h`).
pub(crate) mod types {
    #![allow(missing_docs)]
    pub const USER_AUTH: i32 = 1100;
    pub const USER_MGMT: i32 = 1102;
    pub const USER_AVC: i32 = 1107;
    pub const USER_CHAUTHTOK: i32 = 1108;
    pub const USYS_CONFIG: i32 = 1111;
    pub const USER_LOGIN: i32 = 1112;
    pub const ADD_USER: i32 = 1114;
    pub const DEL_USER: i32 = 1115;
    pub const ADD_GROUP: i32 = 1116;
    pub const DEL_GROUP: i32 = 1117;
    pub const USER_TTY: i32 = 1124;
    pub const GRP_AUTH: i32 = 1126;
    pub const GRP_MGMT: i32 = 1132;
    pub const DAEMON_CONFIG: i32 = 1203;
    pub const SYSCALL: i32 = 1300;
    pub const CONFIG_CHANGE: i32 = 1305;
    pub const TTY: i32 = 1319;
    pub const NETFILTER_CFG: i32 = 1325;
    pub const SECCOMP: i32 = 1326;
    pub const FEATURE_CHANGE: i32 = 1328;
    pub const AVC: i32 = 1400;
    pub const MAC_POLICY_LOAD: i32 = 1403;
    pub const MAC_CIPSOV4_ADD: i32 = 1407;
    pub const MAC_CIPSOV4_DEL: i32 = 1408;
    pub const MAC_MAP_ADD: i32 = 1409;
    pub const MAC_MAP_DEL: i32 = 1410;
    pub const MAC_IPSEC_ADDSA: i32 = 1411;
    pub const MAC_IPSEC_DELSA: i32 = 1412;
    pub const MAC_IPSEC_ADDSPD: i32 = 1413;
    pub const MAC_IPSEC_DELSPD: i32 = 1414;
    pub const MAC_UNLBL_STCADD: i32 = 1416;
    pub const MAC_UNLBL_STCDEL: i32 = 1417;
    pub const FIRST_KERN_CRYPTO_MSG: i32 = 1600;
    pub const LAST_KERN_CRYPTO_MSG: i32 = 1699;
    pub const FIRST_KERN_ANOM_MSG: i32 = 1700;
    pub const LAST_KERN_ANOM_MSG: i32 = 1799;
    pub const INTEGRITY_FIRST_MSG: i32 = 1800;
    pub const INTEGRITY_LAST_MSG: i32 = 1899;
    pub const FIRST_ANOM_MSG: i32 = 2100;
    pub const LAST_ANOM_MSG: i32 = 2199;
    pub const FIRST_ANOM_RESP: i32 = 2200;
    pub const LAST_ANOM_RESP: i32 = 2299;
    pub const FIRST_USER_LSPP_MSG: i32 = 2300;
    pub const LAST_USER_LSPP_MSG: i32 = 2399;
    pub const ROLE_ASSIGN: i32 = 2301;
    pub const ROLE_REMOVE: i32 = 2302;
    pub const USER_MAC_CONFIG_CHANGE: i32 = 2312;
    pub const FIRST_CRYPTO_MSG: i32 = 2400;
    pub const LAST_CRYPTO_MSG: i32 = 2499;
    pub const FIRST_VIRT_MSG: i32 = 2500;
    pub const LAST_VIRT_MSG: i32 = 2599;
}

/// `list_find_msg`: whether any record has type `t`.
pub(crate) fn has(ev: &Event, t: i32) -> bool {
    ev.records().any(|r| r.rtype().0 == t)
}

/// `list_find_msg_range`: whether any record's type is in `lo..=hi`
/// (and, as in aureport, never when `hi <= lo`).
pub(crate) fn has_range(ev: &Event, lo: i32, hi: i32) -> bool {
    hi > lo
        && ev.records().any(|r| {
            let t = r.rtype().0;
            t >= lo && t <= hi
        })
}

/// The type of the event's first record (`l->head->type`).
pub(crate) fn head_type(ev: &Event) -> RecordType {
    ev.record(0).map_or(RecordType(-1), |r| r.rtype())
}

impl Options {
    /// The options of a report, with aureport's defaults for the rest.
    pub fn new(report: Report, detail: Detail) -> Options {
        let mut o = Options {
            report,
            detail,
            outcome: Outcome::Both,
            conf_act: ConfAct::Neither,
            no_config: false,
            nodes: Vec::new(),
            interpret: false,
            escape: Escape::Tty,
            start_time: 0,
            end_time: 0,
            format: format::Format::Text,
            by_node: false,
            wanted: Wanted::default(),
        };
        o.update_wanted();
        o
    }

    /// Set `-i` (it changes what the parser looks for: `arch=`).
    pub fn set_interpret(&mut self, on: bool) {
        self.interpret = on;
        self.update_wanted();
    }

    /// What the parser must look for: aureport's `event_*` globals after
    /// `check_params`. `event_pid` is 0 and `event_success` is
    /// `S_SUCCESS` there from the start, so the pid and the outcome are
    /// always looked for; each report adds its own (`-i` adds `arch=`, as
    /// `report_format > RPT_DEFAULT` does in the parser).
    fn update_wanted(&mut self) {
        let mut w = Wanted {
            pid: true,
            success: true,
            arch: self.interpret,
            ..Wanted::default()
        };
        use Report::*;
        match self.report {
            Summary => {
                w.filename = true;
                w.hostname = true;
                w.terminal = true;
                w.exe = true;
                w.comm = true;
                w.key = true;
                w.loginuid = true;
            }
            Time | Virt | Response => {}
            Avc => {
                w.comm = true;
                w.subject = true;
                w.object = true;
            }
            Auth => {
                w.exe = true;
                w.hostname = true;
                w.terminal = true;
                w.uid = true;
            }
            Mac | Integ | Config | Crypto | Event => w.loginuid = true,
            Login | AcctMod | Term | Exe => {
                w.exe = true;
                w.hostname = true;
                w.terminal = true;
                w.loginuid = true;
            }
            File => {
                w.filename = true;
                w.exe = true;
                w.loginuid = true;
            }
            Host => {
                w.hostname = true;
                w.loginuid = true;
            }
            Pid => {
                w.exe = true;
                w.loginuid = true;
            }
            Syscall => {
                w.comm = true;
                w.loginuid = true;
            }
            User => {
                w.terminal = true;
                w.hostname = true;
                w.exe = true;
                w.uid = true;
                w.loginuid = true;
            }
            Comm => {
                w.terminal = true;
                w.hostname = true;
                w.comm = true;
                w.loginuid = true;
            }
            Anomaly => {
                w.terminal = true;
                w.hostname = true;
                w.exe = true;
                w.comm = true;
                w.loginuid = true;
            }
            Key => {
                w.exe = true;
                w.key = true;
                w.loginuid = true;
            }
            Tty => {
                w.session = true;
                w.loginuid = true;
                w.terminal = true;
                w.comm = true;
            }
        }
        self.wanted = w;
    }

    /// The fields the parser looks for.
    pub fn wanted(&self) -> &Wanted {
        &self.wanted
    }

    /// Whether the event is inside `-ts`/`-te` (by its time).
    pub fn in_range(&self, ev: &Event) -> bool {
        let sec = ev.id().sec as i64;
        (self.start_time == 0 || sec >= self.start_time)
            && (self.end_time == 0 || sec <= self.end_time)
    }

    /// `scan()`: the event's search items when aureport uses the event,
    /// `None` when the parse fails (as in ausearch, the event is then
    /// dropped whatever the report), when `--node` names other nodes, or
    /// when `--failed`/`--success`, `-nc`, `--add`/`--delete` exclude it.
    pub fn scan(&self, ev: &Event, accounts: &Accounts) -> Option<SearchItems> {
        let ex = extract(ev, &self.wanted, accounts);
        if ex.failure.is_some() {
            return None;
        }
        if !self.nodes.is_empty() {
            let n = ev.node()?;
            if !self.nodes.iter().any(|x| x.as_slice() == n) {
                return None;
            }
        }
        let s = ex.items;
        let success_ok = match self.outcome {
            Outcome::Both => true,
            Outcome::Failed => s.success == S_FAILED,
            Outcome::Success => s.success == S_SUCCESS,
        };
        (success_ok && self.classify_conf(head_type(ev))).then_some(s)
    }

    /// `classify_conf`: `-nc` drops CONFIG_CHANGE events, `--add` drops
    /// the delete types and `--delete` the add types (of the first record).
    fn classify_conf(&self, head: RecordType) -> bool {
        use types::*;
        let t = head.0;
        if t == CONFIG_CHANGE {
            return !self.no_config;
        }
        const ADDS: [i32; 8] = [
            ADD_USER,
            ADD_GROUP,
            MAC_CIPSOV4_ADD,
            MAC_MAP_ADD,
            MAC_IPSEC_ADDSA,
            MAC_IPSEC_ADDSPD,
            MAC_UNLBL_STCADD,
            0,
        ];
        const DELS: [i32; 8] = [
            DEL_USER,
            DEL_GROUP,
            MAC_CIPSOV4_DEL,
            MAC_MAP_DEL,
            MAC_IPSEC_DELSA,
            MAC_IPSEC_DELSPD,
            MAC_UNLBL_STCDEL,
            0,
        ];
        match self.conf_act {
            ConfAct::Delete if t != 0 && ADDS.contains(&t) => false,
            ConfAct::Add if t != 0 && DELS.contains(&t) => false,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::types::*;
    use super::*;

    /// The numbers aureport names are libaudit's (the one table of
    /// record types, `auditkit_interp::msgtype`).
    #[test]
    fn type_numbers_are_libaudits() {
        for (n, name) in [
            (USER_AUTH, "USER_AUTH"),
            (USER_MGMT, "USER_MGMT"),
            (USER_AVC, "USER_AVC"),
            (USER_CHAUTHTOK, "USER_CHAUTHTOK"),
            (USYS_CONFIG, "USYS_CONFIG"),
            (USER_LOGIN, "USER_LOGIN"),
            (ADD_USER, "ADD_USER"),
            (DEL_USER, "DEL_USER"),
            (ADD_GROUP, "ADD_GROUP"),
            (DEL_GROUP, "DEL_GROUP"),
            (USER_TTY, "USER_TTY"),
            (GRP_AUTH, "GRP_AUTH"),
            (GRP_MGMT, "GRP_MGMT"),
            (DAEMON_CONFIG, "DAEMON_CONFIG"),
            (SYSCALL, "SYSCALL"),
            (CONFIG_CHANGE, "CONFIG_CHANGE"),
            (TTY, "TTY"),
            (NETFILTER_CFG, "NETFILTER_CFG"),
            (SECCOMP, "SECCOMP"),
            (FEATURE_CHANGE, "FEATURE_CHANGE"),
            (AVC, "AVC"),
            (MAC_POLICY_LOAD, "MAC_POLICY_LOAD"),
            (MAC_CIPSOV4_ADD, "MAC_CIPSOV4_ADD"),
            (MAC_CIPSOV4_DEL, "MAC_CIPSOV4_DEL"),
            (MAC_MAP_ADD, "MAC_MAP_ADD"),
            (MAC_MAP_DEL, "MAC_MAP_DEL"),
            (MAC_IPSEC_ADDSA, "MAC_IPSEC_ADDSA"),
            (MAC_IPSEC_DELSA, "MAC_IPSEC_DELSA"),
            (MAC_IPSEC_ADDSPD, "MAC_IPSEC_ADDSPD"),
            (MAC_IPSEC_DELSPD, "MAC_IPSEC_DELSPD"),
            (MAC_UNLBL_STCADD, "MAC_UNLBL_STCADD"),
            (MAC_UNLBL_STCDEL, "MAC_UNLBL_STCDEL"),
            (ROLE_ASSIGN, "ROLE_ASSIGN"),
            (ROLE_REMOVE, "ROLE_REMOVE"),
            (USER_MAC_CONFIG_CHANGE, "USER_MAC_CONFIG_CHANGE"),
        ] {
            assert_eq!(RecordType(n).name(), Some(name), "{n}");
        }
    }

    /// `--add` drops deletions, `--delete` additions, `-nc` CONFIG_CHANGE.
    #[test]
    fn classify_conf() {
        let mut o = Options::new(Report::Config, Detail::Detailed);
        assert!(o.classify_conf(RecordType(DEL_USER)));
        o.conf_act = ConfAct::Add;
        assert!(!o.classify_conf(RecordType(DEL_USER)));
        assert!(o.classify_conf(RecordType(ADD_USER)));
        o.conf_act = ConfAct::Delete;
        assert!(!o.classify_conf(RecordType(ADD_GROUP)));
        assert!(o.classify_conf(RecordType(MAC_MAP_DEL)));
        assert!(o.classify_conf(RecordType(CONFIG_CHANGE)));
        o.no_config = true;
        assert!(!o.classify_conf(RecordType(CONFIG_CHANGE)));
    }
}
