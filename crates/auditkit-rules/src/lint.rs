//! Lint: findings with a stable code, a severity, a place, an explanation
//! and a fix.
//!
//! The codes and their severities are a catalogue ([`crate::codes`]):
//! `AR001` the line does not parse, `AR1xx` auditctl 3.0.9 or the kernel
//! would refuse the rule (see [`crate::Resolver::resolve`]), `AR2xx` rules
//! that load but are probably not what was meant. The checks here say what
//! is wrong at a place; how bad it is comes from the catalogue.

use std::collections::{BTreeSet, HashMap};

use auditkit_interp::{syscall_number, Machine};

use crate::ast::{Command, Control, Item, LineKind, Rule, RuleFile, RuleOp, Span, SyscallSpec};
use crate::codes;
pub use crate::codes::Severity;
use crate::fields::{Action, Field, FilterList, Op};
use crate::host::{Host, PathKind};
use crate::kernel_rule::{KernelRule, Syscalls, Value};
use crate::parse::parse_line;
use crate::resolve::Resolver;

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable code, e.g. `AR201`.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// File name.
    pub file: String,
    /// Place.
    pub span: Span,
    /// What is wrong and why.
    pub message: String,
    /// What to do.
    pub fix: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = self.severity.name();
        write!(
            f,
            "{}:{}:{}: {sev}[{}]: {} (fix: {})",
            self.file, self.span.line, self.span.col, self.code, self.message, self.fix
        )
    }
}

/// Lint a parsed file for the machine `native`, asking `host` about users,
/// groups and paths.
pub fn lint(file: &RuleFile, native: Machine, host: &dyn Host) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |code: &'static str, span: Span, message: String, fix: &str| {
        out.push(Finding {
            code,
            severity: codes::severity(code),
            file: file.name.clone(),
            span,
            message,
            fix: fix.to_string(),
        });
    };
    let resolver = Resolver { native, host };
    let mut resolved: Vec<(&Rule, Option<KernelRule>)> = Vec::new();
    let mut commands: Vec<(u32, Span, &Command)> = Vec::new();
    for line in &file.lines {
        if line.text.ends_with('\r') {
            push("AR222", Span { line: line.number, col: line.text.len() as u32, len: 1 },
                "the line ends with \\r (a Windows line end); auditctl 3.0.9 keeps it in the last word".into(), "convert the file to Unix line ends");
        }
        match &line.kind {
            LineKind::Invalid => {
                if let Err(e) = parse_line(&file.name, line.number, &line.text) {
                    push(
                        "AR001",
                        Span {
                            line: e.line,
                            col: e.col,
                            len: 0,
                        },
                        format!(
                            "expected {}{}",
                            e.expected,
                            e.found
                                .as_deref()
                                .map(|f| format!(", found {f:?}"))
                                .unwrap_or_default()
                        ),
                        "correct the syntax (see auditctl(8))",
                    );
                }
            }
            LineKind::Command(c) => {
                let span = match c {
                    Command::Rule(r) => r.span,
                    Command::Control(c) => c.span,
                };
                commands.push((line.number, span, c));
                if let Command::Rule(r) = c {
                    match resolver.resolve(r) {
                        Ok(k) => resolved.push((r, Some(k))),
                        Err(rej) => {
                            for j in rej {
                                push(j.code, j.span, j.message, &j.fix);
                            }
                            resolved.push((r, None));
                        }
                    }
                }
            }
            _ => {}
        }
    }

    // Control commands: -e, -D, -f, -b.
    let mut enables: Vec<(usize, Span, u8)> = Vec::new();
    for (idx, (number, span, c)) in commands.iter().enumerate() {
        let Command::Control(ctl) = c else { continue };
        match &ctl.value {
            Control::Enable(v) => enables.push((idx, *span, *v)),
            Control::DeleteAll(None) if commands[..idx].iter().any(|(_, _, c)| matches!(c, Command::Rule(_))) => push(
                "AR213", *span, "-D after rules deletes the rules above it".into(), "put -D first"),
            Control::Failure(2) => {
                let prev = file.lines.iter().take_while(|l| l.number < *number).filter(|l| l.kind == LineKind::Comment).last();
                let said = prev.is_some_and(|l| {
                    let t = l.text.to_ascii_lowercase();
                    l.number + 1 >= *number && (t.contains("panic") || t.contains("intend"))
                });
                if !said {
                    push("AR215", *span, "-f 2 panics the kernel when auditing fails".into(),
                        "use -f 1, or say in a comment right above that panic is intended");
                }
            }
            Control::Backlog(n) if *n < 8192 => push("AR214", *span,
                format!("backlog limit {n} is small for a syscall rule set; events are lost when it fills"), "use -b 8192 or more"),
            _ => {}
        }
    }
    if enables.len() > 1 {
        push(
            "AR212",
            enables[1].1,
            format!(
                "{} -e lines; only the last one counts for augenrules",
                enables.len()
            ),
            "keep one -e, at the end",
        );
    }
    if let Some((idx, span, 2)) = enables.first().copied() {
        if commands[idx + 1..].iter().any(
            |(_, _, c)| !matches!(c, Command::Control(s) if matches!(s.value, Control::Enable(_))),
        ) {
            push(
                "AR211",
                span,
                "-e 2 locks the configuration: nothing after it can be loaded".into(),
                "move -e 2 to the very end",
            );
        }
    }

    // Per rule checks.
    let keyed = resolved
        .iter()
        .filter(|(r, _)| r.keys().next().is_some())
        .count();
    let keyable = resolved
        .iter()
        .filter(|(r, _)| r.action == Action::Always && r.list == FilterList::Exit)
        .count();
    let b32_names: BTreeSet<String> = resolved
        .iter()
        .filter(|(r, k)| {
            k.as_ref()
                .is_some_and(|k| k.machine.bits() == 32 && r.field(Field::Arch).is_some())
        })
        .flat_map(|(r, _)| {
            r.syscalls()
                .filter_map(|s| match &s.value {
                    SyscallSpec::Name(n) => Some(n.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let compat32 = match native {
        Machine::X86_64 => Some(Machine::I386),
        Machine::Aarch64 => Some(Machine::Arm),
        Machine::Ppc64 => Some(Machine::Ppc),
        Machine::S390x => Some(Machine::S390),
        _ => None,
    };
    let mut seen: HashMap<&KernelRule, u32> = HashMap::new();
    for (i, (r, k)) in resolved.iter().enumerate() {
        let has_arch = r.field(Field::Arch).is_some();
        let named: Vec<_> = r
            .syscalls()
            .filter(|s| !matches!(s.value, SyscallSpec::All))
            .collect();
        if r.list == FilterList::Exit && !named.is_empty() && !has_arch {
            push("AR201", named[0].span,
                "syscall rule without -F arch=: the names are looked up for the native ABI only, and 32-bit calls are matched by the wrong numbers".into(),
                "add -F arch=b64 (and a second rule with -F arch=b32)");
        }
        if let (Some(k), Some(c32)) = (k, compat32) {
            if has_arch && k.machine.bits() == 64 && r.list == FilterList::Exit {
                let missing: Vec<&str> = named
                    .iter()
                    .filter_map(|s| match &s.value {
                        SyscallSpec::Name(n)
                            if syscall_number(c32, n).is_some() && !b32_names.contains(n) =>
                        {
                            Some(n.as_str())
                        }
                        _ => None,
                    })
                    .collect();
                if !missing.is_empty() {
                    push(
                        "AR202",
                        r.span,
                        format!(
                            "no -F arch=b32 rule covers {}: 32-bit programs escape this rule",
                            missing.join(",")
                        ),
                        "add the same rule with -F arch=b32",
                    );
                }
            }
        }
        if r.syscalls().any(|s| s.value == SyscallSpec::All)
            && r.list == FilterList::Exit
            && r.action == Action::Always
        {
            push(
                "AR217",
                r.span,
                "-S all on the exit list audits every syscall that matches the fields: very costly"
                    .into(),
                "name the syscalls, or use a watch",
            );
        }
        if r.list_first && r.watch.is_none() {
            push(
                "AR218",
                r.head,
                format!("{},{} is the old order", r.list.name(), r.action.name()),
                "write action,list (e.g. always,exit) as auditctl -l does",
            );
        }
        if r.watch.is_some() {
            if let Some(bad) = r
                .items
                .iter()
                .find(|i| !matches!(i, Item::Perm(_) | Item::Key(..)))
            {
                let sp = match bad {
                    Item::Field(f) => f.span,
                    Item::Compare(c) => c.span,
                    Item::Syscalls(s) => s[0].span,
                    _ => r.span,
                };
                push("AR205", sp, "only -p and -k belong after -w; other options turn the watch into a syscall rule".into(),
                    "write the rule as -a always,exit -F path=... with the extra fields");
            }
            if let Some(w) = &r.watch {
                if w.value.contains("..") || w.value.contains('*') || w.value.contains('?') {
                    push(
                        "AR225",
                        w.span,
                        "watch paths take no wildcards or relative parts".into(),
                        "write the exact path",
                    );
                }
            }
        } else if let Some(p) = r.items.iter().find_map(|i| match i {
            Item::Perm(p) => Some(p),
            _ => None,
        }) {
            push(
                "AR224",
                p.span,
                "-p belongs to -w watches".into(),
                "use -F perm= in syscall rules",
            );
        }
        for key in r.keys() {
            if key.value.contains('\u{1}') {
                push(
                    "AR207",
                    key.span,
                    "the key contains 0x01, the key separator".into(),
                    "remove the byte",
                );
            }
        }
        let Some(k) = k else { continue };
        // Path-related checks.
        let path_field = k
            .fields
            .iter()
            .find(|f| matches!(f.field, Field::Path | Field::Dir));
        if k.get(Field::Perm).is_some() && path_field.is_none() && r.watch.is_none() {
            push(
                "AR203",
                r.span,
                "-F perm= without path= or dir= applies to every file the syscalls touch".into(),
                "add -F path= or -F dir=",
            );
        }
        if k.get(Field::Perm).is_some()
            && r.watch.is_none()
            && !has_arch
            && k.list == FilterList::Exit
        {
            push(
                "AR204",
                r.span,
                "perm without an arch is slower (the kernel classifies every syscall)".into(),
                "add -F arch=b64",
            );
        }
        if let Some(KFieldRef { field, path }) = path_field.and_then(|f| match &f.value {
            Value::Str(p) => Some(KFieldRef {
                field: f.field,
                path: p,
            }),
            _ => None,
        }) {
            let parent = match path.trim_end_matches('/').rsplit_once('/') {
                Some(("", _)) => "/",
                Some((p, _)) => p,
                None => "/",
            };
            let sp = r.watch.as_ref().map(|w| w.span).unwrap_or(r.span);
            if field == Field::Dir && host.path_kind(path) == PathKind::Missing {
                push("AR216", sp, format!("{path} does not exist on this host; the kernel refuses dir= on a missing directory"), "create it, or drop the rule on this host");
            } else if host.path_kind(parent) == PathKind::Missing {
                push("AR216", sp, format!("the parent directory of {path} does not exist on this host; the kernel refuses the watch"), "drop the rule on this host");
            } else if host.path_kind(path) == PathKind::Missing {
                push(
                    "AR219",
                    sp,
                    format!("{path} does not exist on this host (the watch waits for it)"),
                    "check the path",
                );
            }
        }
        // Key coverage.
        if keyable >= 4
            && keyed * 5 >= keyable * 4
            && r.keys().next().is_none()
            && r.action == Action::Always
            && r.list == FilterList::Exit
        {
            push(
                "AR206",
                r.span,
                "this rule has no key while the rest of the file uses keys".into(),
                "add -k KEY so its events can be searched",
            );
        }
        // auid >= N without auid != unset.
        let auid_low = k
            .fields
            .iter()
            .any(|f| f.field == Field::Auid && matches!(f.op, Op::Ge | Op::Gt));
        let auid_unset = k
            .fields
            .iter()
            .any(|f| f.field == Field::Auid && f.op == Op::Ne && f.value == Value::Num(u32::MAX));
        if auid_low && !auid_unset && k.action == Action::Always {
            push(
                "AR221",
                r.span,
                "auid>=N also matches unset (4294967295): daemons without a login are audited"
                    .into(),
                "add -F auid!=unset",
            );
        }
        // Contradictions.
        let eqs: Vec<_> = k
            .fields
            .iter()
            .filter(|f| {
                f.op == Op::Eq
                    && f.field != Field::Key
                    && f.field != Field::Arch
                    && f.field != Field::FieldCompare
            })
            .collect();
        if eqs.iter().enumerate().any(|(a, x)| {
            eqs[a + 1..]
                .iter()
                .any(|y| y.field == x.field && y.value != x.value)
        }) {
            push(
                "AR210",
                r.span,
                "the same field must equal two different values: the rule can never match".into(),
                "remove one of the conditions",
            );
        }
        // Duplicates and shadowing.
        if r.op != RuleOp::Delete {
            if let Some(first) = seen.get(k) {
                push("AR208", r.span, format!("the same rule as line {first}: the kernel refuses it (Rule exists) and auditctl -R stops"), "remove the duplicate");
            } else {
                seen.insert(k, r.span.line);
            }
        }
        if k.action == Action::Always {
            for (earlier, ek) in resolved[..i]
                .iter()
                .filter_map(|(er, ek)| ek.as_ref().map(|ek| (er, ek)))
            {
                if ek.action == Action::Never && ek.list == k.list && shadows(ek, k) {
                    push("AR209", r.span, format!("the never rule on line {} matches everything this rule matches, so it never fires", earlier.span.line),
                        "narrow the never rule, or move this rule before it with -A");
                    break;
                }
            }
        }
    }
    out.sort_by_key(|f| (f.span.line, f.span.col));
    out
}

struct KFieldRef<'a> {
    field: Field,
    path: &'a str,
}

/// Does the `never` rule `n` match every event the rule `r` matches? True
/// when `n`'s syscalls cover `r`'s (same machine) and every field of `n`
/// (keys aside) is also a field of `r`.
fn shadows(n: &KernelRule, r: &KernelRule) -> bool {
    let sys = match (&n.syscalls, &r.syscalls) {
        (Syscalls::All, _) | (Syscalls::NotApplicable, Syscalls::NotApplicable) => true,
        (Syscalls::Set(a), Syscalls::Set(b)) => n.machine == r.machine && b.is_subset(a),
        _ => false,
    };
    sys && n
        .fields
        .iter()
        .filter(|f| f.field != Field::Key)
        .all(|f| r.fields.contains(f))
}
