//! A rule as the kernel holds it ([`KernelRule`]): the form `auditctl -l`
//! prints, rule sets are compared on, and netlink carries. Its own module
//! so that what builds it ([`crate::Resolver`]), what checks it against the
//! kernel's limits (`kernel_checks`) and what reads it (printing,
//! comparison, lint) all depend on it, and not on each other.

use std::collections::BTreeSet;

use auditkit_interp::Machine;

use crate::ast::Span;
use crate::fields::{Action, Field, FilterList, Op, Perms};

/// `AUDIT_MAX_KEY_LEN`.
pub const MAX_KEY_LEN: usize = 256;
/// The separator of several keys in one key field.
pub const KEY_SEPARATOR: char = '\u{1}';

/// The syscall mask of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Syscalls {
    /// Lists without syscalls (user, task, exclude, filesystem).
    NotApplicable,
    /// Every syscall (`-S all`, watches, and exit rules without `-S`).
    All,
    /// These numbers, for the rule's machine.
    Set(BTreeSet<u32>),
}

/// A typed field value as the kernel keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// A 32-bit number (uids, gids, exit codes, masks...).
    Num(u32),
    /// A string (paths, keys joined with 0x01, SELinux labels, exe).
    Str(String),
    /// Watch permissions.
    Perm(Perms),
    /// An ELF audit arch.
    Arch(u32),
    /// A `-C` comparison: the kernel's number and its left and right fields.
    Compare(u32, Field, Field),
}

/// One field of a kernel rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KField {
    /// The field (`Field::FieldCompare` for `-C`).
    pub field: Field,
    /// The operator.
    pub op: Op,
    /// The typed value.
    pub value: Value,
}

/// A rule as the kernel holds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KernelRule {
    /// The filter list.
    pub list: FilterList,
    /// The action.
    pub action: Action,
    /// The machine the syscall numbers belong to (the arch given before
    /// `-S`, else the native machine).
    pub machine: Machine,
    /// The syscall mask.
    pub syscalls: Syscalls,
    /// Fields in the kernel's order: as written, keys last.
    pub fields: Vec<KField>,
}

impl KernelRule {
    /// The value of the first field of this kind.
    pub fn get(&self, f: Field) -> Option<&KField> {
        self.fields.iter().find(|k| k.field == f)
    }

    /// The keys of the rule.
    pub fn keys(&self) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|f| f.field == Field::Key)
            .flat_map(|f| match &f.value {
                Value::Str(s) => s
                    .split(KEY_SEPARATOR)
                    .filter(|k| !k.is_empty())
                    .collect::<Vec<_>>(),
                _ => Vec::new(),
            })
            .collect()
    }
}

/// Why a rule would not load, with the lint code that reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Stable lint code (`AR1xx`).
    pub code: &'static str,
    /// Where.
    pub span: Span,
    /// What auditctl or the kernel would say, in our words.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

impl Rejection {
    /// A rejection with its code, place, message and fix.
    pub fn new(
        code: &'static str,
        span: Span,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Rejection {
        Rejection {
            code,
            span,
            message: message.into(),
            fix: fix.into(),
        }
    }
}
