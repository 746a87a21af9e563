//! The syntax tree of a rules file: what was written, where, in order.
//!
//! The tree keeps the user's words (raw values, field aliases, the order of
//! `-a list,action`) so that lint can talk about them, while `resolve` turns
//! a [`Rule`] into the kernel's view ([`crate::KernelRule`]) for printing and
//! semantic comparison.

use crate::fields::{Action, Field, FilterList, Op, Perms};

/// A place in a rules file: 1-based line and byte column, and a length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// 1-based line number.
    pub line: u32,
    /// 1-based byte column.
    pub col: u32,
    /// Length in bytes (0 for "end of line").
    pub len: u32,
}

/// A value with the place it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

/// One parsed rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFile {
    /// The name given by the caller (shown in messages).
    pub name: String,
    /// Every line, in order, including blank lines and comments.
    pub lines: Vec<Line>,
}

/// One line of a rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number.
    pub number: u32,
    /// The raw text without the line terminator.
    pub text: String,
    /// What the line holds.
    pub kind: LineKind,
}

/// What a line holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// Empty or only spaces.
    Blank,
    /// A `#` comment.
    Comment,
    /// A rule or a control command.
    Command(Command),
    /// The line did not parse; its errors are in the error list.
    Invalid,
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `-a`, `-A`, `-d`, `-w`, `-W`.
    Rule(Rule),
    /// Everything that configures the kernel or auditctl instead of adding a rule.
    Control(Spanned<Control>),
}

/// Commands that are not rules (`auditctl -l` does not show them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// `-e 0|1|2`.
    Enable(u8),
    /// `-f 0|1|2`.
    Failure(u8),
    /// `-b N`.
    Backlog(u32),
    /// `--backlog_wait_time N`.
    BacklogWaitTime(u32),
    /// `-r N`.
    RateLimit(u32),
    /// `-D`, or `-D -k key` (delete only rules whose key contains `key`).
    DeleteAll(Option<String>),
    /// `-i`: ignore errors in the rest of the file.
    IgnoreErrors,
    /// `-c`: continue after errors, but exit non-zero.
    ContinueOnError,
    /// `--loginuid-immutable`.
    LoginuidImmutable,
    /// `--reset-lost`.
    ResetLost,
    /// `--reset_backlog_wait_time_actual`.
    ResetBacklogWaitTimeActual,
}

/// How a rule changes the kernel's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleOp {
    /// `-a`, or `-w` (append).
    Append,
    /// `-A` (prepend).
    Prepend,
    /// `-d`, or `-W` (delete the identical rule).
    Delete,
}

/// A rule as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Append, prepend or delete.
    pub op: RuleOp,
    /// The filter list (`exit` for watches).
    pub list: FilterList,
    /// The action (`always` for watches).
    pub action: Action,
    /// Where `list,action` (or the `-w` path) was written.
    pub head: Span,
    /// True when written `list,action` (e.g. `exit,always`, the old order).
    pub list_first: bool,
    /// The path of `-w`/`-W`, when the rule is a watch.
    pub watch: Option<Spanned<String>>,
    /// Everything after the head, in source order.
    pub items: Vec<Item>,
    /// The whole line.
    pub span: Span,
}

/// One `-S`, `-F`, `-C` or `-p` of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// `-S a,b,c`: one item per comma-separated name.
    Syscalls(Vec<Spanned<SyscallSpec>>),
    /// `-F name OP value`.
    Field(FieldCond),
    /// `-C left OP right`.
    Compare(Compare),
    /// `-p perms` (watches; replaces an earlier perm).
    Perm(Spanned<Perms>),
    /// `-k key` or `-F key=key`: auditctl joins all keys with 0x01 and adds
    /// them as one last field, wherever they were written.
    Key(Spanned<String>, KeyForm),
}

/// How a key was written; auditctl checks `-k` where it stands but
/// `-F key=` only against the whole rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyForm {
    /// `-k key`.
    DashK,
    /// `-F key=key`.
    Field,
}

/// A syscall as written after `-S`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyscallSpec {
    /// `all`.
    All,
    /// A name, resolved against the rule's arch later.
    Name(String),
    /// A number (used when the name is unknown, as auditctl does).
    Number(u32),
}

/// `-F name OP value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldCond {
    /// The field.
    pub field: Field,
    /// The name as written (`loginuid` for `auid`).
    pub written: String,
    /// The operator.
    pub op: Op,
    /// The raw value, typed later by `resolve`.
    pub value: Spanned<String>,
    /// The whole `name OP value` word.
    pub span: Span,
}

/// `-C left OP right` (OP is `=` or `!=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compare {
    /// Left field.
    pub left: Field,
    /// `=` or `!=`.
    pub op: Op,
    /// Right field.
    pub right: Field,
    /// The whole word.
    pub span: Span,
}

impl Rule {
    /// The `-F` conditions in order.
    pub fn fields(&self) -> impl Iterator<Item = &FieldCond> {
        self.items.iter().filter_map(|i| match i {
            Item::Field(f) => Some(f),
            _ => None,
        })
    }

    /// The `-S` names in order.
    pub fn syscalls(&self) -> impl Iterator<Item = &Spanned<SyscallSpec>> {
        self.items.iter().flat_map(|i| match i {
            Item::Syscalls(s) => s.as_slice(),
            _ => &[],
        })
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &Spanned<String>> {
        self.items.iter().filter_map(|i| match i {
            Item::Key(k, _) => Some(k),
            _ => None,
        })
    }

    /// Whether any `-S` was given.
    pub fn has_syscalls(&self) -> bool {
        self.items.iter().any(|i| matches!(i, Item::Syscalls(_)))
    }

    /// The first `-F` of this field.
    pub fn field(&self, f: Field) -> Option<&FieldCond> {
        self.fields().find(|c| c.field == f)
    }
}

impl RuleFile {
    /// The rules and control commands, with their line numbers.
    pub fn commands(&self) -> impl Iterator<Item = (&Line, &Command)> {
        self.lines.iter().filter_map(|l| match &l.kind {
            LineKind::Command(c) => Some((l, c)),
            _ => None,
        })
    }

    /// Only the rules.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.commands().filter_map(|(_, c)| match c {
            Command::Rule(r) => Some(r),
            _ => None,
        })
    }
}
