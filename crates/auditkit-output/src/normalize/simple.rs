//! Events of one record (`normalize_simple`): user-space messages, daemon
//! events, kernel configuration changes, AVCs, logins. Every position is in
//! record 0. A lone SYSCALL record goes to the compound path.
//!
//! Several families have their own order of searches; the common one (for
//! user-space messages) is uid, auid, ses, attributes, res, action, then
//! the object from [`simple_object`]'s table and `how` from exe.

use super::kind::event_kind;
use super::tables::*;
use super::{record_action, Loc, Normalizer};
use auditkit_interp::RecordType;

/// The object field (and its kind) of a simple event type
/// (`find_simple_object`); `AUDIT_ROLE_ASSIGN` & co. fall back to `acct`.
fn simple_object(t: RecordType) -> Option<(&'static [u8], u8, bool)> {
    // (field, object kind, search from the first record)
    Some(match t {
        AUDIT_SERVICE_START | AUDIT_SERVICE_STOP => (b"unit", NORM_WHAT_SERVICE, false),
        AUDIT_SYSTEM_RUNLEVEL => (b"new-level", NORM_WHAT_SYSTEM, false),
        AUDIT_USER_ROLE_CHANGE => (b"selected-context", NORM_WHAT_USER_SESSION, false),
        AUDIT_ROLE_ASSIGN | AUDIT_ROLE_REMOVE | AUDIT_USER_MGMT | AUDIT_ACCT_LOCK
        | AUDIT_ACCT_UNLOCK | AUDIT_ADD_USER | AUDIT_DEL_USER | AUDIT_ADD_GROUP
        | AUDIT_DEL_GROUP | AUDIT_GRP_MGMT => (b"id", NORM_WHAT_ACCT, false),
        AUDIT_USER_START | AUDIT_USER_END | AUDIT_USER_ERR | AUDIT_USER_LOGIN
        | AUDIT_USER_LOGOUT => (b"terminal", NORM_WHAT_USER_SESSION, false),
        AUDIT_USER_AUTH
        | AUDIT_USER_ACCT
        | AUDIT_CRED_ACQ
        | AUDIT_CRED_REFR
        | AUDIT_CRED_DISP
        | AUDIT_USER_CHAUTHTOK
        | AUDIT_GRP_CHAUTHTOK
        | AUDIT_ANOM_LOGIN_FAILURES
        | AUDIT_ANOM_LOGIN_TIME
        | AUDIT_ANOM_LOGIN_SESSIONS
        | AUDIT_ANOM_LOGIN_LOCATION => (b"acct", NORM_WHAT_USER_SESSION, false),
        AUDIT_ANOM_EXEC | AUDIT_USER_CMD => (b"cmd", NORM_WHAT_PROCESS, false),
        AUDIT_USER_TTY | AUDIT_TTY => (b"data", NORM_WHAT_KEYSTROKES, true),
        AUDIT_USER_DEVICE => (b"device", NORM_WHAT_KEYSTROKES, true),
        AUDIT_SOFTWARE_UPDATE => (b"sw", NORM_WHAT_SOFTWARE, true),
        AUDIT_VIRT_MACHINE_ID => (b"vm", NORM_WHAT_VM, false),
        AUDIT_VIRT_RESOURCE => (b"resrc", NORM_WHAT_VM, false),
        AUDIT_VIRT_CONTROL => (b"op", NORM_WHAT_VM, false),
        AUDIT_LABEL_LEVEL_CHANGE => (b"printer", NORM_WHAT_PRINTER, false),
        AUDIT_MAC_CONFIG_CHANGE => (b"bool", NORM_WHAT_MAC_CONFIG, false),
        AUDIT_MAC_STATUS => (b"enforcing", NORM_WHAT_MAC_CONFIG, false),
        AUDIT_CRYPTO_KEY_USER => (b"fp", NORM_WHAT_USER_SESSION, false),
        AUDIT_CRYPTO_SESSION => (b"addr", NORM_WHAT_USER_SESSION, false),
        AUDIT_ANOM_RBAC_INTEGRITY_FAIL => (b"hostname", NORM_WHAT_FILESYSTEM, false),
        _ => return None,
    })
}

impl Normalizer<'_, '_> {
    /// `find_simple_object`. Positions are filed under record 0 whatever
    /// record the search reached.
    pub(super) fn find_simple_object(&mut self, t: RecordType) -> Loc {
        self.au.first_field();
        let found = if let Some((field, kind, rewind)) = simple_object(t) {
            self.d.obj_kind = kind;
            if rewind {
                self.au.first_record();
            }
            let mut found = self.au.find(field);
            if !found && field == b"id" {
                self.au.first_record();
                found = self.au.find(b"acct");
            }
            found
        } else {
            match t {
                AUDIT_CONFIG_CHANGE => {
                    self.d.obj_kind = NORM_WHAT_AUDIT_CONFIG;
                    self.find_config_change_object()
                }
                AUDIT_MAC_POLICY_LOAD | AUDIT_LABEL_OVERRIDE => {
                    self.d.obj_kind = NORM_WHAT_MAC_CONFIG;
                    false
                }
                _ if (AUDIT_DEV_ALLOC..=AUDIT_USER_MAC_CONFIG_CHANGE).contains(&t) => {
                    self.d.obj_kind = NORM_WHAT_MAC_CONFIG;
                    false
                }
                AUDIT_USER => self.au.find(b"addr"),
                AUDIT_USYS_CONFIG => {
                    if self.au.find(b"op") {
                        self.d.action = self.au.interpret();
                    }
                    self.d.obj_kind = NORM_WHAT_SYSTEM;
                    false
                }
                _ => false,
            }
        };
        found.then(|| (0, self.au.field_num()))
    }

    /// The object of a CONFIG_CHANGE: a rule key, else the setting changed.
    pub(super) fn find_config_change_object(&mut self) -> bool {
        self.au.first_record();
        if self.au.find(b"key") && self.au.value().is_some_and(|k| k != b"(null)") {
            return true;
        }
        for name in [
            &b"audit_enabled"[..],
            b"audit_pid",
            b"audit_backlog_limit",
            b"audit_failure",
            b"actions",
        ] {
            self.au.first_record();
            if self.au.find(name) {
                return true;
            }
        }
        false
    }

    fn simple_field(&mut self, name: &[u8]) -> Loc {
        self.au.first_field();
        self.au.find(name).then(|| (0, self.au.field_num()))
    }

    fn collect_simple_subj_attr(&mut self) {
        if !self.all {
            return;
        }
        self.au.first_record();
        self.add_subj_attr(b"pid", 0);
        self.add_subj_attr(b"subj", 0);
    }

    fn collect_userspace_subj_attr(&mut self, t: RecordType) {
        if !self.all {
            return;
        }
        self.add_subj_attr(b"hostname", 0);
        self.add_subj_attr(b"addr", 0);
        if t != AUDIT_USER_START && t != AUDIT_USER_END && t != AUDIT_USER_ERR {
            self.add_subj_attr(b"terminal", 0);
        }
    }

    fn set_action(&mut self, t: RecordType) {
        if let Some(a) = record_action(t) {
            self.d.action = Some(a.as_bytes().to_vec());
        }
    }

    fn how_from(&mut self, name: &[u8]) {
        if self.au.find(name) {
            self.d.how = self.au.interpret();
        }
    }

    /// `normalize_simple`.
    pub(super) fn simple(&mut self) -> bool {
        let t = self.au.rtype();
        if t == AUDIT_SYSCALL {
            return self.compound();
        }
        self.d.evkind = event_kind(t);
        match t {
            AUDIT_CONFIG_CHANGE
            | AUDIT_FEATURE_CHANGE
            | AUDIT_SECCOMP
            | AUDIT_ANOM_ABEND
            | AUDIT_ANOM_PROMISCUOUS => self.kernel_config(t),
            AUDIT_LOGIN => self.login(),
            AUDIT_NETFILTER_CFG => self.netfilter(),
            AUDIT_AVC => self.avc(),
            _ if (AUDIT_FIRST_DAEMON..AUDIT_LAST_DAEMON).contains(&t) => self.daemon(t),
            AUDIT_BPF => {
                self.d.subj_kind = Some("system");
                self.bpf_action();
                self.d.obj_kind = NORM_WHAT_PROCESS;
                self.set_program_obj();
            }
            AUDIT_EVENT_LISTENER => self.listener(),
            _ if (AUDIT_MAC_UNLBL_ALLOW..=AUDIT_LAST_SELINUX).contains(&t) => self.labeled_net(t),
            _ => self.user_message(t),
        }
        true
    }

    /// CONFIG_CHANGE, FEATURE_CHANGE, SECCOMP, ANOM_ABEND, ANOM_PROMISCUOUS:
    /// auid, (op), (uid), the rest.
    fn kernel_config(&mut self, t: RecordType) {
        self.set_prime_subject(b"auid", 0);
        self.add_session(0);
        self.collect_simple_subj_attr();
        let mut mapped = true;
        if t == AUDIT_CONFIG_CHANGE {
            self.au.first_field();
            if self.au.find(b"op") {
                let op = self.au.interpret().unwrap_or_default();
                let op = op.strip_prefix(b"\"").unwrap_or(&op);
                let words: Option<&[u8]> = if op.starts_with(b"add_rule") {
                    Some(b"added-audit-rule")
                } else if op.starts_with(b"remove_rule") {
                    Some(b"deleted-audit-rule")
                } else {
                    None
                };
                if let Some(w) = words {
                    self.d.action = Some(w.to_vec());
                    self.d.obj_primary = self.find_simple_object(t);
                    mapped = false;
                }
            }
        }
        if mapped {
            self.set_action(t);
            if t == AUDIT_CONFIG_CHANGE {
                self.d.obj_primary = self.find_simple_object(t);
            }
            self.au.first_record();
        }
        match t {
            AUDIT_FEATURE_CHANGE => {
                self.secondary_uid_simple();
                self.how_from(b"exe");
                self.set_prime_object(b"feature", 0);
                self.d.obj_kind = NORM_WHAT_SYSTEM;
            }
            AUDIT_SECCOMP => {
                self.secondary_uid_simple();
                self.how_from(b"exe");
                if self.set_prime_object(b"syscall", 0) {
                    self.au.first_record();
                }
                self.d.obj_kind = NORM_WHAT_PROCESS;
                if self.au.find(b"code") {
                    self.d.results = self.here(0);
                }
                return;
            }
            AUDIT_ANOM_ABEND => {
                self.secondary_uid_simple();
                if self.set_prime_object(b"exe", 0) {
                    self.au.first_record();
                }
                self.d.obj_kind = NORM_WHAT_PROCESS;
                self.how_from(b"sig");
            }
            AUDIT_ANOM_PROMISCUOUS => {
                self.au.first_field();
                self.set_prime_object(b"dev", 0);
                self.set_secondary_subject(b"uid", 0);
                self.d.obj_kind = NORM_WHAT_SOCKET;
            }
            _ => {}
        }
        self.set_results(0);
    }

    fn secondary_uid_simple(&mut self) {
        self.au.first_field();
        if self.set_secondary_subject(b"uid", 0) {
            self.au.first_record();
        }
    }

    /// LOGIN (from the kernel): old-auid becomes auid.
    fn login(&mut self) {
        if self.set_secondary_subject(b"uid", 0) {
            self.au.first_record();
        }
        self.collect_simple_subj_attr();
        if self.set_prime_subject(b"old-auid", 0) {
            self.au.first_record();
        }
        if self.set_prime_object(b"auid", 0) {
            self.au.first_record();
        }
        self.d.obj_kind = NORM_WHAT_USER_SESSION;
        self.add_session(0);
        self.set_results(0);
        self.set_action(AUDIT_LOGIN);
    }

    fn netfilter(&mut self) {
        self.collect_simple_subj_attr();
        self.how_from(b"comm");
        self.d.action = Some(b"loaded-firewall-rule-to".to_vec());
        self.au.first_record();
        if self.au.find(b"table") {
            self.d.obj_primary = self.cursor_loc();
        }
        self.d.subj_kind = Some("system");
        self.d.obj_kind = NORM_WHAT_FIREWALL;
    }

    fn avc(&mut self) {
        if self.au.find(b"comm") {
            self.d.how = self.au.interpret();
        } else {
            self.au.first_record();
        }
        self.set_prime_subject(b"scontext", 0);
        self.d.subj_kind = Some("unknown-acct");
        self.au.first_record();
        if self.all {
            self.set_prime_object(b"tcontext", 0);
            self.au.first_record();
        }
        self.d.obj_kind = NORM_WHAT_UNKNOWN;
        self.set_action(AUDIT_AVC);
        self.au.first_record();
        if self.au.find(b"seresult") {
            self.d.results = self.here(0);
        }
    }

    fn daemon(&mut self, t: RecordType) {
        self.set_prime_subject(b"auid", 0);
        if self.set_secondary_subject(b"uid", 0) {
            self.au.first_record();
        }
        if self.add_session(0) {
            self.au.first_record();
        }
        self.collect_simple_subj_attr();
        self.d.subj_kind = Some("auditd");
        self.set_action(t);
        self.d.obj_kind = NORM_WHAT_SERVICE;
        if t == AUDIT_DAEMON_START {
            self.d.how = Some(b"init".to_vec());
        } else if t < AUDIT_DAEMON_ACCEPT && t != AUDIT_DAEMON_ABORT {
            self.d.how = Some(b"signal".to_vec());
        }
        self.set_results(0);
    }

    /// BPF action from `op` (searched from the first record).
    pub(super) fn bpf_action(&mut self) {
        self.au.first_record();
        let act: &[u8] = if self.au.find(b"op") {
            if self.au.value() == Some(b"LOAD") {
                b"loaded-bpf-program"
            } else {
                b"unloaded-bpf-program"
            }
        } else {
            b"bpf-program"
        };
        self.d.action = Some(act.to_vec());
    }

    /// EVENT_LISTENER action from `op` (searched from the first record).
    pub(super) fn listener_action(&mut self) {
        self.au.first_record();
        let act: &[u8] = if self.au.find(b"op") {
            if self.au.value() == Some(b"connect") {
                b"connected-to"
            } else {
                b"disconnected-from"
            }
        } else {
            b"connected"
        };
        self.d.action = Some(act.to_vec());
    }

    fn listener(&mut self) {
        self.set_prime_subject(b"auid", 0);
        self.au.first_record();
        self.set_secondary_subject(b"uid", 0);
        self.au.first_record();
        self.add_session(0);
        self.collect_simple_subj_attr();
        self.listener_action();
        self.set_program_obj();
        self.d.obj_kind = NORM_WHAT_SOCKET;
        self.au.first_record();
        self.how_from(b"exe");
        self.au.first_record();
        self.set_results(0);
    }

    /// Labeled networking (MAC_UNLBL_ALLOW ... the last SELinux type).
    fn labeled_net(&mut self, t: RecordType) {
        self.set_prime_subject(b"auid", 0);
        self.set_subject_what();
        self.add_session(0);
        self.add_subj_attr(b"subj", 0);
        let mut act: Option<&'static str> = None;
        if t == AUDIT_MAC_UNLBL_ALLOW {
            if self.au.find(b"unlbl_accept") {
                act = Some(if self.au.int().0 == 1 {
                    "is-allowing-unlabeled-network-traffic"
                } else {
                    "is-disallowing-unlabeled-network-traffic"
                });
            } else {
                self.au.first_record();
            }
        } else {
            act = record_action(t);
        }
        if let Some(a) = act {
            self.d.action = Some(a.as_bytes().to_vec());
        }
        if (t == AUDIT_MAC_MAP_ADD || t == AUDIT_MAC_MAP_DEL)
            && self.set_prime_object(b"nlbl_domain", 0)
        {
            self.au.first_record();
        }
        self.d.obj_kind = NORM_WHAT_MAC_CONFIG;
        self.set_results(0);
    }

    /// Everything else: user-space messages (uid, auid, ses, res, object).
    fn user_message(&mut self, t: RecordType) {
        if t == AUDIT_USER_LOGIN {
            // A failed login is not in the system yet: no auid, use id/acct.
            if self.set_prime_subject(b"id", 0) {
                self.au.first_record();
                if !self.set_prime_subject(b"acct", 0) {
                    self.set_subject_what();
                }
            } else {
                self.set_subject_what();
            }
            self.au.first_record();
        } else {
            if self.set_secondary_subject(b"uid", 0) {
                self.au.first_record();
            }
            self.set_prime_subject(b"auid", 0);
        }
        self.add_session(0);
        self.collect_simple_subj_attr();
        if (AUDIT_FIRST_USER_MSG..AUDIT_LAST_USER_MSG).contains(&t)
            || (AUDIT_FIRST_USER_MSG2..AUDIT_LAST_USER_MSG2).contains(&t)
        {
            self.collect_userspace_subj_attr(t);
        }
        if t != AUDIT_USER_AVC {
            self.set_results(0);
        } else {
            self.au.first_record();
            if self.au.find(b"seresult") {
                self.d.results = self.here(0);
            }
            self.au.first_record();
            self.set_prime_subject(b"scontext", 0);
            if self.all {
                self.au.first_record();
                self.set_prime_object(b"tcontext", 0);
            }
        }
        let mut act: Option<Vec<u8>> = None;
        if t == AUDIT_USER_DEVICE {
            self.au.first_record();
            if self.au.find(b"op") {
                act = self.au.value().map(<[u8]>::to_vec);
            }
        }
        if let Some(a) = act.or_else(|| record_action(t).map(|a| a.as_bytes().to_vec())) {
            self.d.action = Some(a);
        }
        if t != AUDIT_USER_AVC {
            self.au.first_record();
            self.d.obj_primary = self.find_simple_object(t);
            self.d.obj_secondary = match t {
                AUDIT_CRYPTO_SESSION => self.simple_field(b"rport"),
                AUDIT_SOFTWARE_UPDATE => self.simple_field(b"sw_type"),
                _ => {
                    self.au.first_field();
                    None
                }
            };
            self.d.obj_two = match t {
                AUDIT_VIRT_CONTROL | AUDIT_VIRT_RESOURCE => self.simple_field(b"vm"),
                AUDIT_SOFTWARE_UPDATE => self.simple_field(b"root_dir"),
                _ => {
                    self.au.first_field();
                    None
                }
            };
            if self.all {
                if t == AUDIT_USER_DEVICE {
                    self.add_obj_attr(b"uuid", 0);
                } else if t == AUDIT_SOFTWARE_UPDATE {
                    self.au.first_record();
                    self.add_obj_attr(b"key_enforce", 0);
                    self.add_obj_attr(b"gpg_res", 0);
                }
            }
        }
        if t == AUDIT_SYSTEM_BOOT || t == AUDIT_SYSTEM_SHUTDOWN {
            self.d.obj_kind = if t == AUDIT_SYSTEM_BOOT {
                NORM_WHAT_SYSTEM
            } else {
                NORM_WHAT_SERVICE
            };
            self.how_from(b"exe");
            return;
        }
        self.au.first_record();
        match t {
            AUDIT_ANOM_EXEC => self.how_from(b"terminal"),
            AUDIT_TTY => self.how_from(b"comm"),
            _ => {
                if self.au.find(b"exe") {
                    self.how_from_exe();
                }
            }
        }
    }
}
