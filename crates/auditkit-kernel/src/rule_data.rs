//! [`KernelRule`] <-> `struct audit_rule_data`, both ways, as pure
//! functions over bytes.
//!
//! Layout (all native-endian u32): `flags` (the filter list, or-ed with
//! `AUDIT_FILTER_PREPEND` to put the rule first), `action`, `field_count`,
//! `mask[64]` (one bit per syscall number), `fields[64]`, `values[64]`,
//! `fieldflags[64]` (the operator of each field), `buflen`, then `buf`: the
//! strings of string fields back to back, without terminators, each field's
//! value being its string's length.
//!
//! Two details make a rule we encode identical to the one the kernel lists,
//! which matters because `AUDIT_DEL_RULE` deletes only an identical rule:
//! - auditctl gives every list but `task` a full mask when no `-S` was
//!   given (user, exclude and filesystem rules included), and so do we.
//! - The kernel turns the top 16 mask bits (syscall classes) into the
//!   class's syscalls and clears them; a full mask stays "all" because only
//!   the first 63 words are looked at, as auditctl's `-S all` test does.

use auditkit_rules::fields::{FieldKind, COMPARISONS};
use auditkit_rules::{
    Action, Field, FilterList, KField, KernelRule, Machine, Op, Perms, Syscalls, Value,
};

use crate::consts::{
    AUDIT_ALWAYS, AUDIT_BITMASK_SIZE, AUDIT_BIT_MASK, AUDIT_BIT_TEST, AUDIT_EQUAL,
    AUDIT_FILTER_PREPEND, AUDIT_GREATER_THAN, AUDIT_GREATER_THAN_OR_EQUAL, AUDIT_LESS_THAN,
    AUDIT_LESS_THAN_OR_EQUAL, AUDIT_MAX_FIELDS, AUDIT_NEVER, AUDIT_NOT_EQUAL, AUDIT_POSSIBLE,
    RULE_DATA_LEN,
};
use crate::wire::{put_u32, u32_at};

const OFF_MASK: usize = 12;
const OFF_FIELDS: usize = OFF_MASK + 4 * AUDIT_BITMASK_SIZE;
const OFF_VALUES: usize = OFF_FIELDS + 4 * AUDIT_MAX_FIELDS;
const OFF_FLAGS: usize = OFF_VALUES + 4 * AUDIT_MAX_FIELDS;
const OFF_BUFLEN: usize = OFF_FLAGS + 4 * AUDIT_MAX_FIELDS;
/// The bits of `flags` that name the list (`AUDIT_FILTER_MASK`... the kernel
/// keeps list numbers below 8).
const LIST_BITS: u32 = 0x07;
/// Syscall numbers must be below this (`AUDIT_BITMASK_SIZE * 32`).
const MASK_BITS: u32 = (AUDIT_BITMASK_SIZE * 32) as u32;

/// Why a rule cannot be written as `audit_rule_data`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// More fields than `AUDIT_MAX_FIELDS`.
    #[error("{0} fields; the kernel takes at most 64")]
    TooManyFields(usize),
    /// A syscall number outside the mask.
    #[error("syscall number {0} does not fit the kernel's mask")]
    SyscallRange(u32),
}

/// Why bytes from the kernel are not a rule we understand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Shorter than the fixed part, or than fixed part + `buflen`.
    #[error("rule data is {got} bytes, {need} needed")]
    Short {
        /// Bytes present.
        got: usize,
        /// Bytes needed.
        need: usize,
    },
    /// `field_count` over 64.
    #[error("field count {0} is over 64")]
    FieldCount(u32),
    /// A list number we have no name for.
    #[error("unknown filter list {0}")]
    List(u32),
    /// An action other than never/possible/always.
    #[error("unknown action {0}")]
    Action(u32),
    /// A field number auditkit-rules does not know (newer kernel).
    #[error("unknown field number {0}")]
    Field(u32),
    /// An operator bit pattern that is none of the eight.
    #[error("unknown operator 0x{0:x}")]
    Op(u32),
    /// A `-C` comparison number that is not in linux/audit.h.
    #[error("unknown field comparison {0}")]
    Comparison(u32),
    /// A string field that runs past `buflen`.
    #[error("string of field {field} runs past the buffer")]
    Buffer {
        /// The field's name.
        field: &'static str,
    },
    /// A string field that is not UTF-8.
    #[error("string of field {field} is not UTF-8")]
    Utf8 {
        /// The field's name.
        field: &'static str,
    },
}

/// The kernel's code for an operator (`fieldflags`).
pub fn op_code(op: Op) -> u32 {
    match op {
        Op::Eq => AUDIT_EQUAL,
        Op::Ne => AUDIT_NOT_EQUAL,
        Op::Lt => AUDIT_LESS_THAN,
        Op::Gt => AUDIT_GREATER_THAN,
        Op::Le => AUDIT_LESS_THAN_OR_EQUAL,
        Op::Ge => AUDIT_GREATER_THAN_OR_EQUAL,
        Op::BitMask => AUDIT_BIT_MASK,
        Op::BitTest => AUDIT_BIT_TEST,
    }
}

/// The operator of a `fieldflags` code.
pub fn op_from_code(code: u32) -> Option<Op> {
    [
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Gt,
        Op::Le,
        Op::Ge,
        Op::BitMask,
        Op::BitTest,
    ]
    .into_iter()
    .find(|op| op_code(*op) == code)
}

fn action_code(a: Action) -> u32 {
    match a {
        Action::Never => AUDIT_NEVER,
        Action::Possible => AUDIT_POSSIBLE,
        Action::Always => AUDIT_ALWAYS,
    }
}

const LISTS: [FilterList; 6] = [
    FilterList::User,
    FilterList::Task,
    FilterList::Exit,
    FilterList::Exclude,
    FilterList::Filesystem,
    FilterList::IoUring,
];

/// Encode a rule for `AUDIT_ADD_RULE` (`prepend` for `-A`) or
/// `AUDIT_DEL_RULE` (`prepend` false).
pub fn encode(rule: &KernelRule, prepend: bool) -> Result<Vec<u8>, EncodeError> {
    if rule.fields.len() > AUDIT_MAX_FIELDS {
        return Err(EncodeError::TooManyFields(rule.fields.len()));
    }
    let strings: usize = rule
        .fields
        .iter()
        .map(|f| match &f.value {
            Value::Str(s) => s.len(),
            _ => 0,
        })
        .sum();
    let mut out = vec![0u8; RULE_DATA_LEN + strings];
    let flags = rule.list.number() | if prepend { AUDIT_FILTER_PREPEND } else { 0 };
    put_u32(&mut out, 0, flags);
    put_u32(&mut out, 4, action_code(rule.action));
    put_u32(&mut out, 8, rule.fields.len() as u32);
    match &rule.syscalls {
        Syscalls::Set(set) => {
            for &nr in set {
                if nr >= MASK_BITS {
                    return Err(EncodeError::SyscallRange(nr));
                }
                let at = OFF_MASK + 4 * (nr / 32) as usize;
                let word = u32_at(&out, at).unwrap_or(0) | (1 << (nr % 32));
                put_u32(&mut out, at, word);
            }
        }
        // auditctl: every list but task gets "all" when no -S was given.
        Syscalls::NotApplicable if rule.list == FilterList::Task => {}
        Syscalls::All | Syscalls::NotApplicable => {
            for w in 0..AUDIT_BITMASK_SIZE {
                put_u32(&mut out, OFF_MASK + 4 * w, u32::MAX);
            }
        }
    }
    let mut buf = RULE_DATA_LEN;
    for (i, f) in rule.fields.iter().enumerate() {
        put_u32(&mut out, OFF_FIELDS + 4 * i, f.field.number());
        put_u32(&mut out, OFF_FLAGS + 4 * i, op_code(f.op));
        let v = match &f.value {
            Value::Num(n) | Value::Arch(n) | Value::Compare(n, _, _) => *n,
            Value::Perm(p) => u32::from(p.0),
            Value::Str(s) => {
                out[buf..buf + s.len()].copy_from_slice(s.as_bytes());
                buf += s.len();
                s.len() as u32
            }
        };
        put_u32(&mut out, OFF_VALUES + 4 * i, v);
    }
    put_u32(&mut out, OFF_BUFLEN, strings as u32);
    Ok(out)
}

/// Decode a rule from an `AUDIT_LIST_RULES` reply. `native` is the machine
/// of rules without an arch field (whose syscall numbers are the native
/// machine's), as in [`auditkit_rules::Resolver`].
pub fn decode(b: &[u8], native: Machine) -> Result<KernelRule, DecodeError> {
    if b.len() < RULE_DATA_LEN {
        return Err(DecodeError::Short {
            got: b.len(),
            need: RULE_DATA_LEN,
        });
    }
    let w = |at: usize| u32_at(b, at).unwrap_or(0);
    let buflen = w(OFF_BUFLEN) as usize;
    if b.len() < RULE_DATA_LEN + buflen {
        return Err(DecodeError::Short {
            got: b.len(),
            need: RULE_DATA_LEN + buflen,
        });
    }
    let strbuf = &b[RULE_DATA_LEN..RULE_DATA_LEN + buflen];
    let list_nr = w(0) & LIST_BITS;
    let list = LISTS
        .into_iter()
        .find(|l| l.number() == list_nr)
        .ok_or(DecodeError::List(list_nr))?;
    let action = match w(4) {
        AUDIT_NEVER => Action::Never,
        AUDIT_POSSIBLE => Action::Possible,
        AUDIT_ALWAYS => Action::Always,
        a => return Err(DecodeError::Action(a)),
    };
    let count = w(8);
    if count as usize > AUDIT_MAX_FIELDS {
        return Err(DecodeError::FieldCount(count));
    }
    let mut fields = Vec::with_capacity(count as usize);
    let mut machine = native;
    let mut at = 0usize;
    for i in 0..count as usize {
        let nr = w(OFF_FIELDS + 4 * i);
        let raw = w(OFF_VALUES + 4 * i);
        let flag = w(OFF_FLAGS + 4 * i);
        let field = Field::ALL
            .iter()
            .copied()
            .find(|f| f.number() == nr)
            .ok_or(DecodeError::Field(nr))?;
        let op = op_from_code(flag).ok_or(DecodeError::Op(flag))?;
        let value = match (field, field.kind()) {
            (Field::FieldCompare, _) => {
                let (id, l, r) = COMPARISONS
                    .iter()
                    .copied()
                    .find(|c| c.0 == raw)
                    .ok_or(DecodeError::Comparison(raw))?;
                Value::Compare(id, l, r)
            }
            (_, FieldKind::Str) => {
                let name = field.name();
                let end = at
                    .checked_add(raw as usize)
                    .filter(|e| *e <= strbuf.len())
                    .ok_or(DecodeError::Buffer { field: name })?;
                let s = std::str::from_utf8(&strbuf[at..end])
                    .map_err(|_| DecodeError::Utf8 { field: name })?;
                at = end;
                Value::Str(s.to_string())
            }
            (_, FieldKind::Perm) => Value::Perm(Perms(raw as u8)),
            (_, FieldKind::Arch) => {
                if let Some(m) = Machine::from_elf(raw).filter(|m| m.known_to_au309()) {
                    machine = m;
                }
                Value::Arch(raw)
            }
            _ => Value::Num(raw),
        };
        fields.push(KField { field, op, value });
    }
    let syscalls = if !list.takes_syscalls() {
        Syscalls::NotApplicable
    } else if (0..AUDIT_BITMASK_SIZE - 1).all(|i| w(OFF_MASK + 4 * i) == u32::MAX) {
        Syscalls::All
    } else {
        Syscalls::Set(
            (0..MASK_BITS)
                .filter(|nr| w(OFF_MASK + 4 * (*nr / 32) as usize) & (1 << (nr % 32)) != 0)
                .collect(),
        )
    };
    Ok(KernelRule {
        list,
        action,
        machine,
        syscalls,
        fields,
    })
}

/// The length of the rule at the start of `b` (fixed part + strings), for
/// callers that keep the raw bytes of a listed rule.
pub fn rule_len(b: &[u8]) -> Option<usize> {
    let buflen = u32_at(b, OFF_BUFLEN)? as usize;
    Some(RULE_DATA_LEN + buflen).filter(|n| *n <= b.len())
}

#[cfg(test)]
#[path = "rule_data_tests.rs"]
mod tests;
