//! Printing rules exactly as `auditctl -l` (3.0.9, without `-i`) prints
//! them back from the kernel (`src/auditctl-listing.c`), and simulating
//! what the kernel holds after a file is loaded.
//!
//! Facts reproduced here, each checked against the real kernel by the
//! tests in `tests/kernel.rs`:
//! - A rule prints as a watch (`-w P -p PERMS -k K`) only when it has a perm
//!   field, nothing but path/dir/perm/key fields, and all syscalls.
//!   Otherwise `-a ACTION,LIST`, then every arch field, then `-S` (`all`,
//!   or names in number order), then the other fields in kernel order.
//! - Keys print as `-k` in watches and `-F key=` otherwise, one per key.
//! - `path=`, `dir=`, `exe=` and `perm=` always print `=` whatever the op.
//! - Numbers print as signed decimal (`auid!=-1` for unset), a0-a3 in
//!   upper-case hex, negative exits as `-ENAME`, filetype as a number.
//! - The machine used to name syscalls is remembered from the last arch
//!   printed, even into the next rule (auditctl keeps it in a global).
//! - The kernel lists the user list first, then task, exit, exclude and
//!   filesystem; `-A` puts a rule first in its list; an identical rule is
//!   refused ("Rule exists").

use std::fmt::Write as _;

use auditkit_interp::{errno, msgtype, syscall_name_au309, Machine, RecordType};

use crate::ast::{Command, Control, RuleFile, RuleOp};
use crate::fields::{Field, FilterList, FSTYPES};
use crate::kernel_rule::{KernelRule, Rejection, Syscalls, Value, KEY_SEPARATOR};
use crate::resolve::Resolver;

/// State auditctl carries between printed rules (its `_audit_elf`).
#[derive(Debug, Clone, Copy, Default)]
pub struct PrintState {
    elf: Option<u32>,
}

/// Print one rule as `auditctl -l` would, printed on its own.
pub fn canonical(rule: &KernelRule, native: Machine) -> String {
    canonical_with(rule, native, &mut PrintState::default())
}

/// Print one rule, carrying auditctl's arch state from earlier rules.
pub fn canonical_with(rule: &KernelRule, native: Machine, state: &mut PrintState) -> String {
    let mut out = String::new();
    let watch = is_watch(rule);
    if !watch {
        let _ = write!(out, "-a {},{}", rule.action.name(), rule.list.name());
        for f in rule.fields.iter().filter(|f| f.field == Field::Arch) {
            if let Value::Arch(elf) = f.value {
                state.elf = Some(elf);
                match Machine::from_elf(elf).filter(|m| m.known_to_au309()) {
                    Some(m) => {
                        let _ = write!(out, " -F arch{}b{}", f.op, m.bits());
                    }
                    None => {
                        let _ = write!(out, " -F arch{}0x{:X}", f.op, elf);
                    }
                }
            }
        }
        if matches!(rule.list, FilterList::Exit | FilterList::IoUring) {
            match &rule.syscalls {
                Syscalls::All | Syscalls::NotApplicable => out.push_str(" -S all"),
                Syscalls::Set(set) => {
                    let machine = match state.elf {
                        Some(elf) => Machine::from_elf(elf).filter(|m| m.known_to_au309()),
                        None => Some(native),
                    };
                    for (i, nr) in set.iter().enumerate() {
                        out.push_str(if i == 0 { " -S " } else { "," });
                        match machine.and_then(|m| syscall_name_au309(m, *nr)) {
                            Some(name) => out.push_str(name),
                            None => {
                                let _ = write!(out, "{nr}");
                            }
                        }
                    }
                }
            }
        }
    }
    for f in &rule.fields {
        let name = f.field.name();
        let op = f.op.symbol();
        match (&f.value, f.field) {
            (_, Field::Arch) => {}
            (Value::Num(n), Field::Msgtype) => match msgtype::name(RecordType(*n as i32)) {
                Some(t) => {
                    let _ = write!(out, " -F {name}{op}{t}");
                }
                None => {
                    let _ = write!(out, " -F {name}{op}{}", *n as i32);
                }
            },
            (Value::Str(s), Field::Path | Field::Dir) => {
                if watch {
                    let _ = write!(out, "-w {s}");
                } else {
                    let _ = write!(out, " -F {name}={s}");
                }
            }
            (Value::Str(s), Field::Exe) => {
                let _ = write!(out, " -F exe={s}");
            }
            (Value::Str(s), Field::Key) => {
                for k in s.split(KEY_SEPARATOR).filter(|k| !k.is_empty()) {
                    if watch {
                        let _ = write!(out, " -k {k}");
                    } else {
                        let _ = write!(out, " -F key={k}");
                    }
                }
            }
            (Value::Str(s), _) => {
                let _ = write!(out, " -F {name}{op}{s}");
            }
            (Value::Perm(p), _) => {
                if watch {
                    let _ = write!(out, " -p {p}");
                } else {
                    let _ = write!(out, " -F perm={p}");
                }
            }
            (Value::Compare(_, l, r), _) => {
                let _ = write!(out, " -C {l}{op}{r}");
            }
            (Value::Num(n), Field::Inode) => {
                let _ = write!(out, " -F {name}{op}{n}");
            }
            (Value::Num(n), Field::A0 | Field::A1 | Field::A2 | Field::A3) => {
                let _ = write!(out, " -F {name}{op}0x{n:X}");
            }
            (Value::Num(n), Field::Exit) => {
                let v = *n as i32;
                match errno::name(v.unsigned_abs() as i32).filter(|_| v < 0) {
                    Some(e) => {
                        let _ = write!(out, " -F {name}{op}-{e}");
                    }
                    None => {
                        let _ = write!(out, " -F {name}{op}{v}");
                    }
                }
            }
            (Value::Num(n), Field::Fstype) => match FSTYPES.iter().find(|t| t.1 == *n) {
                Some(t) => {
                    let _ = write!(out, " -F {name}{op}{}", t.0);
                }
                None => {
                    let _ = write!(out, " -F {name}{op}{}", *n as i32);
                }
            },
            (Value::Num(n), _) | (Value::Arch(n), _) => {
                let _ = write!(out, " -F {name}{op}{}", *n as i32);
            }
        }
    }
    out
}

/// auditctl's `is_watch`.
pub fn is_watch(rule: &KernelRule) -> bool {
    let mut perm = false;
    for f in &rule.fields {
        match f.field {
            Field::Perm => perm = true,
            Field::Key | Field::Dir | Field::Path => {}
            _ => return false,
        }
    }
    let all = !matches!(rule.syscalls, Syscalls::Set(_));
    perm && all
}

/// Why a command of a file did not make it into the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The rule would be refused for these reasons.
    Rejected(Vec<Rejection>),
    /// An identical rule is already loaded ("Rule exists").
    Exists,
    /// `-d`/`-W` of a rule that is not loaded ("No rule matches").
    NoMatch,
}

/// The rules the kernel holds, per list, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loaded {
    lists: Vec<(FilterList, Vec<KernelRule>)>,
}

impl Loaded {
    /// Nothing loaded.
    pub fn new() -> Loaded {
        Loaded::default()
    }

    fn list_mut(&mut self, l: FilterList) -> &mut Vec<KernelRule> {
        let pos = match self.lists.iter().position(|(x, _)| *x == l) {
            Some(p) => p,
            None => {
                self.lists.push((l, Vec::new()));
                self.lists.sort_by_key(|(x, _)| x.number());
                self.lists.iter().position(|(x, _)| *x == l).unwrap_or(0)
            }
        };
        &mut self.lists[pos].1
    }

    /// Add (`-a`), prepend (`-A`) or delete (`-d`) one rule.
    pub fn apply(&mut self, op: RuleOp, rule: KernelRule) -> Result<(), LoadError> {
        let exists = self.rules().any(|r| *r == rule);
        let list = self.list_mut(rule.list);
        match op {
            RuleOp::Append | RuleOp::Prepend if exists => Err(LoadError::Exists),
            RuleOp::Append => {
                list.push(rule);
                Ok(())
            }
            RuleOp::Prepend => {
                list.insert(0, rule);
                Ok(())
            }
            RuleOp::Delete => match list.iter().position(|r| *r == rule) {
                Some(p) => {
                    list.remove(p);
                    Ok(())
                }
                None => Err(LoadError::NoMatch),
            },
        }
    }

    /// `-D`, or `-D -k KEY`: delete every rule, or those whose key contains KEY.
    pub fn delete_all(&mut self, key: Option<&str>) {
        for (_, rules) in &mut self.lists {
            match key {
                None => rules.clear(),
                Some(k) => rules.retain(|r| {
                    !r.fields.iter().any(|f| {
                        f.field == Field::Key && matches!(&f.value, Value::Str(s) if s.contains(k))
                    })
                }),
            }
        }
    }

    /// Every loaded rule in listing order.
    pub fn rules(&self) -> impl Iterator<Item = &KernelRule> {
        self.lists.iter().flat_map(|(_, r)| r.iter())
    }

    /// The lines `auditctl -l` prints (without "No rules").
    pub fn listing(&self, native: Machine) -> Vec<String> {
        let mut state = PrintState::default();
        self.rules()
            .map(|r| canonical_with(r, native, &mut state))
            .collect()
    }

    /// Load a parsed file as `auditctl -R` with `-c` would: apply every
    /// command in order, keep going after errors, and report each failure
    /// with its line number.
    pub fn load_file(&mut self, file: &RuleFile, resolver: &Resolver) -> Vec<(u32, LoadError)> {
        let mut errors = Vec::new();
        for (line, cmd) in file.commands() {
            match cmd {
                Command::Control(c) => {
                    if let Control::DeleteAll(k) = &c.value {
                        self.delete_all(k.as_deref());
                    }
                }
                Command::Rule(r) => match resolver.resolve(r) {
                    Ok(k) => {
                        if let Err(e) = self.apply(r.op, k) {
                            errors.push((line.number, e));
                        }
                    }
                    Err(rej) => errors.push((line.number, LoadError::Rejected(rej))),
                },
            }
        }
        errors
    }
}
