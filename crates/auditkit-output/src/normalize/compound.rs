//! Events of several records (`normalize_compound`): everything is read
//! from the SYSCALL record (subject, result, how, key), and the system
//! call's name decides the action and where the object is (PATH records,
//! SOCKADDR, the SYSCALL record's arguments), unless a record of a special
//! type (AVC, NETFILTER_CFG, KERN_MODULE, ...) says otherwise.

use super::kind::event_kind;
use super::tables::*;
use super::{record_action, Normalizer};
use auditkit_interp::RecordType;

/// What the system call does (`normalize_syscall_map.h`).
fn syscall_kind(name: &[u8]) -> Option<u8> {
    let name = std::str::from_utf8(name).ok()?;
    SYSCALL_KINDS.iter().find(|r| r.0 == name).map(|r| r.1)
}

/// A record type that overrides the syscall's kind (first one wins).
enum Special {
    /// Keep the syscall's objects but call the action a policy decision.
    Decision(&'static str),
    Kind(u8),
}

fn special(t: RecordType) -> Option<Special> {
    Some(match t {
        AUDIT_AVC => Special::Decision("accessed-mac-policy-controlled-object"),
        AUDIT_FANOTIFY => Special::Decision("accessed-policy-controlled-file"),
        AUDIT_SELINUX_ERR => Special::Kind(NORM_MAC_ERR),
        AUDIT_NETFILTER_CFG => Special::Kind(NORM_IPTABLES),
        AUDIT_ANOM_PROMISCUOUS => Special::Kind(NORM_PROMISCUOUS),
        AUDIT_KERN_MODULE => Special::Kind(NORM_FILE_LDMOD),
        AUDIT_MAC_POLICY_LOAD => Special::Kind(NORM_MAC_LOAD),
        AUDIT_MAC_STATUS => Special::Kind(NORM_MAC_ENFORCE),
        AUDIT_MAC_CONFIG_CHANGE => Special::Kind(NORM_MAC_CONFIG),
        AUDIT_TIME_INJOFFSET | AUDIT_TIME_ADJNTPVAL => Special::Kind(NORM_SYSTEM_TIME),
        AUDIT_BPF => Special::Kind(NORM_BPF),
        AUDIT_EVENT_LISTENER => Special::Kind(NORM_EV_LISTEN),
        _ => return None,
    })
}

/// File operations: (kind, action, object kind before the PATH mode says
/// better, PATH record offset of the object).
const FILE_OPS: &[(u8, &str, u8, i32)] = &[
    (NORM_FILE, "opened-file", NORM_WHAT_FILE, 0),
    (
        NORM_FILE_CHATTR,
        "changed-file-attributes-of",
        NORM_WHAT_FILE,
        0,
    ),
    (
        NORM_FILE_CHPERM,
        "changed-file-permissions-of",
        NORM_WHAT_FILE,
        0,
    ),
    (
        NORM_FILE_CHOWN,
        "changed-file-ownership-of",
        NORM_WHAT_FILE,
        0,
    ),
    (NORM_FILE_DIR, "created-directory", NORM_WHAT_FILE, 1),
    (NORM_FILE_RENAME, "renamed", NORM_WHAT_FILE, 2),
    (NORM_FILE_STAT, "checked-metadata-of", NORM_WHAT_FILE, 0),
    (
        NORM_FILE_SYS_STAT,
        "checked-filesystem-metadata-of",
        NORM_WHAT_FILESYSTEM,
        0,
    ),
    (NORM_FILE_LNK, "symlinked", NORM_WHAT_FILE, 2),
    (NORM_FILE_UMNT, "unmounted", NORM_WHAT_FILESYSTEM, 0),
    (NORM_FILE_DEL, "deleted", NORM_WHAT_FILE, 0),
    (NORM_FILE_TIME, "changed-timestamp-of", NORM_WHAT_FILE, 0),
    (NORM_EXEC, "executed", NORM_WHAT_FILE, 1),
];

/// Socket operations: (kind, action). The object is SOCKADDR's saddr.
const SOCKET_OPS: &[(u8, &str)] = &[
    (NORM_SOCKET_ACCEPT, "accepted-connection-from"),
    (NORM_SOCKET_BIND, "bound-socket"),
    (NORM_SOCKET_CONN, "connected-to"),
    (NORM_SOCKET_RECV, "received-from"),
    (NORM_SOCKET_SEND, "sent-to"),
];

impl Normalizer<'_, '_> {
    /// `normalize_compound`. False when there is no SYSCALL record.
    pub(super) fn compound(&mut self) -> bool {
        let otype = self.au.rtype();
        let mut t = otype;
        if t != AUDIT_SYSCALL {
            loop {
                self.au.next_record();
                t = self.au.rtype();
                if t == RecordType(0) || t == AUDIT_SYSCALL {
                    break;
                }
            }
        }
        if t == RecordType(0) {
            return false;
        }
        self.d.evkind = event_kind(otype);
        let recno = self.au.record_num();
        let syscall = if self.au.find(b"syscall") {
            self.au.interpret()
        } else {
            None
        };
        if self.au.find(b"success") {
            self.syscall_success = i32::from(self.au.value() != Some(b"no"));
            self.d.results = self.here(recno);
        } else if !self.rewind_to(recno) {
            return false;
        }
        if self.set_prime_subject(b"auid", recno) && !self.rewind_to(recno) {
            return false;
        }
        if self.set_secondary_subject(b"uid", recno) && !self.rewind_to(recno) {
            return false;
        }
        self.syscall_subj_attr();
        self.au.first_field();
        if self.au.find(b"exe") {
            self.how_from_exe();
        } else if !self.rewind_to(recno) {
            return false;
        }
        if self.au.find(b"key") && self.au.value().is_some_and(|k| k != b"(null)") {
            self.d.key = self.here(recno);
        }
        if otype == AUDIT_ANOM_LINK {
            if let Some(a) = record_action(otype) {
                self.d.action = Some(a.as_bytes().to_vec());
            }
        } else if otype == AUDIT_CONFIG_CHANGE {
            self.au.first_record();
            if self.au.find(b"op") {
                self.d.action = self.au.interpret();
                self.d.obj_primary = self.find_simple_object(AUDIT_CONFIG_CHANGE);
            }
        } else {
            self.syscall_action(syscall.as_deref());
        }
        true
    }

    fn rewind_to(&mut self, recno: usize) -> bool {
        if !self.au.goto_record(recno) {
            return false;
        }
        self.au.first_field();
        true
    }

    /// Session (and with attributes, the process's ids) from the first
    /// SYSCALL record.
    fn syscall_subj_attr(&mut self) {
        self.au.first_record();
        loop {
            let rnum = self.au.record_num();
            if self.au.rtype() == AUDIT_SYSCALL {
                if !self.all {
                    self.add_session(rnum);
                    return;
                }
                for name in [
                    &b"ppid"[..],
                    b"pid",
                    b"gid",
                    b"euid",
                    b"suid",
                    b"fsuid",
                    b"egid",
                    b"sgid",
                    b"fsgid",
                    b"tty",
                ] {
                    self.add_subj_attr(name, rnum);
                }
                self.add_session(rnum);
                self.add_subj_attr(b"subj", rnum);
                return;
            }
            if !self.au.next_record() {
                return;
            }
        }
    }

    /// `normalize_syscall`: action and object from the syscall name.
    fn syscall_action(&mut self, syscall: Option<&[u8]>) {
        let sc: &[u8] = syscall.unwrap_or(b"");
        let mut kind = NORM_UNKNOWN;
        let mut decision: Option<&'static str> = None;
        let mut ttype;
        self.au.first_record();
        loop {
            ttype = self.au.rtype();
            match special(ttype) {
                Some(Special::Decision(d)) => {
                    decision = Some(d);
                    break;
                }
                Some(Special::Kind(k)) => {
                    kind = k;
                    break;
                }
                None => {}
            }
            if !self.au.next_record() {
                break;
            }
        }
        if kind == NORM_UNKNOWN {
            if let Some(k) = syscall.and_then(syscall_kind) {
                kind = k;
            }
        }
        let act = self.syscall_object(kind, sc, ttype);
        let act = decision.map(|d| d.as_bytes().to_vec()).or(act);
        if act.is_some() {
            self.d.action = act;
        }
    }

    /// Objects of each kind of syscall; returns the action words.
    fn syscall_object(&mut self, kind: u8, sc: &[u8], ttype: RecordType) -> Option<Vec<u8>> {
        let words = |s: &str| Some(s.as_bytes().to_vec());
        if let Some(&(_, act, what, offset)) = FILE_OPS.iter().find(|r| r.0 == kind) {
            self.d.obj_kind = what;
            match kind {
                NORM_FILE_CHPERM => {
                    self.collect_arg_obj2(if sc == b"fchmodat" { b"a2" } else { b"a1" })
                }
                NORM_FILE_CHOWN => self.collect_own_obj2(sc),
                NORM_FILE_RENAME => self.set_prime_object2(b"name", 4),
                NORM_FILE_LNK => self.set_prime_object2(b"name", 0),
                _ => {}
            }
            let adjust = match (kind, sc) {
                (NORM_FILE_CHATTR, b"fsetxattr")
                | (NORM_FILE_CHPERM, b"fchmod")
                | (NORM_FILE_CHOWN, b"fchown") => -1,
                _ => offset,
            };
            self.set_file_object(adjust);
            if kind == NORM_FILE {
                // auparse sets "file" after reading the mode, not before.
                self.d.obj_kind = NORM_WHAT_FILE;
            }
            self.simple_file_attr();
            return words(act);
        }
        if let Some(&(_, act)) = SOCKET_OPS.iter().find(|r| r.0 == kind) {
            self.d.obj_kind = NORM_WHAT_SOCKET;
            self.au.goto_record(1);
            self.au.first_field();
            self.set_prime_object(b"saddr", 1);
            return words(act);
        }
        match kind {
            NORM_FILE_LDMOD => {
                self.d.obj_kind = NORM_WHAT_FILE;
                self.au.goto_record(1);
                self.set_prime_object(b"name", 1);
                words("loaded-kernel-module")
            }
            NORM_FILE_UNLDMOD => {
                self.d.obj_kind = NORM_WHAT_FILE;
                words("unloaded-kernel-module")
            }
            NORM_FILE_MOUNT => {
                self.d.obj_kind = NORM_WHAT_FILESYSTEM;
                if self.syscall_success == 1 {
                    self.set_prime_object2(b"name", 0);
                }
                // The device is one PATH further on success.
                self.set_file_object(self.syscall_success);
                self.collect_path_attrs();
                words("mounted")
            }
            NORM_PID => {
                let act = if self.au.num_records() > 2 {
                    "killed-list-of-pids"
                } else {
                    "killed-pid"
                };
                self.au.goto_record(1);
                self.au.first_field();
                if self.au.find(b"saddr") {
                    self.d.obj_primary = self.cursor_loc();
                }
                self.d.obj_kind = NORM_WHAT_PROCESS;
                words(act)
            }
            NORM_MAC_LOAD | NORM_MAC_CONFIG | NORM_MAC_ENFORCE => {
                let field: Option<&[u8]> = match kind {
                    NORM_MAC_CONFIG => Some(b"bool"),
                    NORM_MAC_ENFORCE => Some(b"enforcing"),
                    _ => None,
                };
                if let Some(f) = field {
                    if self.au.find(f) {
                        self.d.obj_primary = self.cursor_loc();
                    }
                }
                self.d.obj_kind = NORM_WHAT_MAC_CONFIG;
                record_action(ttype).map(|a| a.as_bytes().to_vec())
            }
            NORM_MAC_ERR => {
                self.d.obj_kind = NORM_WHAT_SYSTEM;
                words("caused-mac-policy-error")
            }
            NORM_IPTABLES => {
                self.au.first_record();
                if self.au.find(b"table") {
                    self.d.obj_primary = self.cursor_loc();
                }
                self.d.obj_kind = NORM_WHAT_FIREWALL;
                words("loaded-firewall-rule-to")
            }
            NORM_PROMISCUOUS => {
                self.au.first_record();
                if self.au.find(b"dev") {
                    self.d.obj_primary = self.cursor_loc();
                }
                let mut act = None;
                if self.au.find(b"prom") {
                    act = words(if self.au.int().0 == 0 {
                        "left-promiscuous-mode-on-device"
                    } else {
                        "entered-promiscuous-mode-on-device"
                    });
                }
                self.d.obj_kind = NORM_WHAT_SOCKET;
                act
            }
            NORM_UID | NORM_GID => {
                self.d.obj_kind = NORM_WHAT_PROCESS;
                self.set_program_obj();
                if self.d.how.is_some() {
                    self.d.how = Some(sc.to_vec());
                }
                self.collect_id_obj2(sc);
                words("changed-identity-of")
            }
            NORM_SYSTEM_TIME => {
                self.d.obj_kind = NORM_WHAT_SYSTEM;
                words("changed-system-time")
            }
            NORM_MAKE_DEV => {
                self.set_file_object(0);
                self.simple_file_attr();
                words(match self.d.obj_kind {
                    NORM_WHAT_CHAR_DEV => "made-character-device",
                    NORM_WHAT_BLOCK_DEV => "made-block-device",
                    _ => "make-device",
                })
            }
            NORM_SYSTEM_NAME => {
                self.d.obj_kind = NORM_WHAT_SYSTEM;
                words("changed-system-name")
            }
            NORM_SYSTEM_MEMORY => {
                let mut act = "allocated-memory";
                if self.syscall_success == 1 {
                    act = "allocated-memory-in";
                    self.au.first_record();
                    if self.au.find(b"comm") {
                        self.d.obj_primary = self.cursor_loc();
                    }
                }
                self.d.obj_kind = NORM_WHAT_MEMORY;
                words(act)
            }
            NORM_SCHEDULER => {
                self.d.obj_kind = NORM_WHAT_PROCESS;
                self.set_program_obj();
                if self.d.how.is_some() {
                    self.d.how = Some(sc.to_vec());
                }
                words("adjusted-scheduling-policy-of")
            }
            NORM_BPF => {
                self.bpf_action();
                self.d.obj_kind = NORM_WHAT_PROCESS;
                self.set_program_obj();
                self.d.action.take()
            }
            NORM_EV_LISTEN => {
                self.listener_action();
                self.d.obj_kind = NORM_WHAT_SOCKET;
                self.set_program_obj();
                self.d.action.take()
            }
            _ => {
                self.au.first_record();
                let act = if self.au.find(b"key") && self.au.value().is_some_and(|k| k != b"(null)")
                {
                    self.d.obj_primary = self.cursor_loc();
                    "triggered-audit-rule"
                } else {
                    "triggered-unknown-audit-rule"
                };
                self.d.obj_kind = NORM_WHAT_AUDIT_RULE;
                words(act)
            }
        }
    }

    /// The program as object (`set_program_obj`): BPF prog-id, listener
    /// multicast group, else exe (comm for interpreters).
    pub(super) fn set_program_obj(&mut self) {
        self.au.first_record();
        let t = self.au.rtype();
        let field: &[u8] = match t {
            AUDIT_BPF => b"prog-id",
            AUDIT_EVENT_LISTENER => b"nl-mcgrp",
            _ => b"exe",
        };
        if !self.au.find(field) {
            return;
        }
        if field == b"exe" {
            let exe = self.au.interpret().unwrap_or_default();
            if super::is_interpreter(&exe) {
                let fnum = self.au.field_num();
                if fnum > 0 {
                    self.au.goto_field(fnum - 1);
                } else {
                    self.au.first_record();
                }
                self.au.find(b"comm");
            }
        }
        self.d.obj_primary = self.cursor_loc();
    }

    /// chmod's new mode as the second object: a1 (a2 for fchmodat).
    fn collect_arg_obj2(&mut self, arg: &[u8]) {
        self.au.first_record();
        if self.au.find(arg) {
            self.d.obj_two = Some((0, self.au.field_num()));
        }
    }

    /// chown's new owner as the second object, or the group when the owner
    /// is -1 (unchanged).
    fn collect_own_obj2(&mut self, sc: &[u8]) {
        self.au.first_record();
        if self.au.find(if sc == b"fchownat" { b"a2" } else { b"a1" }) {
            if self.au.int() == (-1, false) {
                self.au.next_field();
            }
            self.d.obj_two = Some((0, self.au.field_num()));
        }
    }

    /// set*id's new id as the second object: the first argument that is not
    /// -1 ("unset"), among as many as the call takes.
    fn collect_id_obj2(&mut self, sc: &[u8]) {
        let limit = match sc {
            b"setuid" | b"setgid" => 1,
            b"setreuid" | b"setregid" => 2,
            b"setresuid" | b"setresgid" => 3,
            _ => return,
        };
        self.au.first_record();
        if !self.au.find(b"a0") {
            return;
        }
        let mut cnt = 1;
        while cnt <= limit {
            if self.au.interpret().as_deref() != Some(b"unset") {
                break;
            }
            if cnt < limit {
                if !self.au.next_field() {
                    return;
                }
                cnt += 1;
            } else {
                return;
            }
        }
        self.d.obj_two = Some((0, self.au.field_num()));
    }

    /// The PATH record `2 + adjust` (or the first non-PARENT one from
    /// there) gives the object: name, inode, and a kind from its mode.
    fn set_file_object(&mut self, adjust: i32) {
        self.au.goto_record((2 + adjust) as usize);
        self.au.first_field();
        let mut parent = 0usize;
        let mut found;
        loop {
            found = self.au.find(b"nametype");
            if found {
                if self.au.value() != Some(b"PARENT") {
                    break;
                }
                if parent == 0 {
                    parent = self.au.record_num();
                }
            }
            if !(found && self.au.next_record()) {
                break;
            }
        }
        let rnum = if found {
            self.au.record_num()
        } else {
            if parent == 0 {
                return;
            }
            self.au.goto_record(parent);
            self.au.first_field();
            parent
        };
        if self.au.rtype() != AUDIT_PATH {
            return;
        }
        self.au.first_field();
        self.set_prime_object(b"name", rnum);
        if self.au.find(b"inode") {
            self.d.obj_secondary = self.here(rnum);
        }
        if self.au.find(b"mode") {
            if let Some(mode) = self.au.value().and_then(|v| super::cnum::strtoul(v, 8)) {
                if let Some(what) = mode_kind(mode as u32) {
                    self.d.obj_kind = what;
                }
            }
        }
    }

    /// With attributes: the object's PATH fields from mode on (the first
    /// non-PARENT PATH, else the first PARENT), CWD and SOCKADDR.
    fn simple_file_attr(&mut self) {
        if !self.all {
            return;
        }
        let mut parent = 0usize;
        self.au.first_record();
        loop {
            match self.au.rtype() {
                AUDIT_PATH => {
                    if self.au.find(b"nametype") && self.au.value() == Some(b"PARENT") {
                        if parent == 0 {
                            parent = self.au.record_num();
                        }
                    } else {
                        self.collect_path_attrs();
                        return;
                    }
                }
                AUDIT_CWD => {
                    let r = self.au.record_num();
                    self.add_obj_attr(b"cwd", r);
                }
                AUDIT_SOCKADDR => {
                    let r = self.au.record_num();
                    self.add_obj_attr(b"saddr", r);
                }
                _ => {}
            }
            if !self.au.next_record() {
                break;
            }
        }
        if parent != 0 {
            self.au.goto_record(parent);
            self.collect_path_attrs();
        }
    }

    fn collect_path_attrs(&mut self) {
        let rnum = self.au.record_num();
        self.au.first_field();
        if self.add_obj_attr(b"mode", rnum) {
            return;
        }
        while self.au.next_field() {
            self.d.obj_attrs.push((rnum, self.au.field_num()));
        }
    }
}

/// Object kind of a file mode (`S_ISREG` ... `S_ISSOCK`).
fn mode_kind(mode: u32) -> Option<u8> {
    Some(match mode & 0o170000 {
        0o100000 => NORM_WHAT_FILE,
        0o040000 => NORM_WHAT_DIRECTORY,
        0o020000 => NORM_WHAT_CHAR_DEV,
        0o060000 => NORM_WHAT_BLOCK_DEV,
        0o010000 => NORM_WHAT_FIFO,
        0o120000 => NORM_WHAT_LINK,
        0o140000 => NORM_WHAT_SOCKET,
        _ => return None,
    })
}
