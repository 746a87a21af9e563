//! Compliance check: does a rule set (and, when the caller can read them,
//! auditd.conf, the boot command line and file modes) meet each item of a
//! [`Profile`]?
//!
//! Rules items are checked by events, not text ([`crate::semantic`]): every
//! requirement rule of the item is cut into atoms (arch x syscall, or arch x
//! watch permission) and each atom must be matched by an `always` rule of
//! the loaded set that no earlier rule pre-empts. The result names the rules
//! that satisfy the item (file:line), what is missing, and the part of the
//! item's own rules that would fix it.
//!
//! Everything outside the rules comes through the [`System`] trait, so the
//! library does no I/O: the binary passes the real host, a copy of
//! `/etc/audit`, or nothing (then such items are `not-applicable`).

use std::collections::BTreeSet;

use auditkit_interp::{syscall_name, Machine, RecordType};

use crate::ast::{Item, LineKind};
use crate::check_system::system_item;
use crate::fields::{Action, Field, FilterList, Op};
use crate::host::{FnHost, PathKind};
use crate::kernel_rule::{KernelRule, Value};
use crate::parse::parse_line;
use crate::profile::{fill, CheckKind, Profile, ProfileItem};
use crate::resolve::{lookup_syscall, Resolver};
use crate::ruleset::{Layout, RuleSet};
use crate::semantic::{
    atoms, covers, has_key, intersects, Atom, PathAliases, Requirement, Selector,
};

use crate::target::Params;
pub use crate::target::{CheckContext, FileStat, NoSystem, System};
use crate::verdict::na;
pub use crate::verdict::{ItemResult, Status};

/// Check `set` (and the system) against every item of `profile`.
pub fn check(profile: &Profile, set: &RuleSet, cx: &CheckContext) -> Vec<ItemResult> {
    let params = Params::new(profile, cx);
    let aliases = PathAliases(profile.aliases.clone());
    profile
        .items
        .iter()
        .map(|item| {
            let mut r = ItemResult {
                id: item.id.clone(),
                title: item.title.clone(),
                status: Status::Pass,
                rules_item: item.kind != CheckKind::System,
                satisfied_by: Vec::new(),
                missing: Vec::new(),
                fix: String::new(),
                maps: item.maps.iter().map(|(p, i)| format!("{p}:{i}")).collect(),
                note: item.note.clone(),
                warnings: Vec::new(),
            };
            let keys = profile.require_keys || cx.require_keys;
            match item.kind {
                CheckKind::Rules => {
                    rules_item(item, set, cx, &params, &aliases, keys, None, &mut r)
                }
                CheckKind::Privileged => match cx.system.privileged_files() {
                    Some(files) => {
                        rules_item(item, set, cx, &params, &aliases, keys, Some(&files), &mut r);
                        if files.is_empty() {
                            r.note = Some("no setuid/setgid file was found".into());
                        } else if r.note.is_none() {
                            r.note = Some(format!(
                                "compared with the {} setuid/setgid files of the target's local \
                                 file systems",
                                files.len()
                            ));
                        }
                    }
                    None => na(
                        &mut r,
                        "needs the target's setuid/setgid files, which were not read \
                         (--offline or --config)",
                    ),
                },
                CheckKind::Immutable => immutable(set, &mut r),
                CheckKind::Loaded => loaded(set, cx, &mut r),
                CheckKind::System => system_item(item, cx, &params, &mut r),
            }
            r
        })
        .collect()
}

/// One requirement rule, resolved.
struct Req {
    text: String,
    rule: KernelRule,
    is_dir: bool,
}

/// Parse and resolve a requirement line; syscalls the rule's machine does
/// not have are dropped (b32 `stime` exists, b64 `stime` does not).
fn requirement(text: &str, native: Machine) -> Result<Req, String> {
    let kind = parse_line("profile", 1, text).map_err(|e| e.to_string())?;
    let LineKind::Command(crate::ast::Command::Rule(mut rule)) = kind else {
        return Err(format!("not a rule: {text}"));
    };
    let machine = rule
        .field(Field::Arch)
        .and_then(|f| Machine::from_rule_arch(&f.value.value, native))
        .unwrap_or(native);
    let mut kept = Vec::new();
    for it in &mut rule.items {
        if let Item::Syscalls(specs) = it {
            specs.retain(|s| match &s.value {
                crate::ast::SyscallSpec::Name(n) => lookup_syscall(machine, n).is_some(),
                _ => true,
            });
            kept.push(specs.len());
        }
    }
    rule.items
        .retain(|it| !matches!(it, Item::Syscalls(s) if s.is_empty()));
    if kept.contains(&0) && !rule.has_syscalls() {
        return Err(format!("no syscall of `{text}` exists on {machine}"));
    }
    let is_dir = rule.watch.as_ref().is_some_and(|w| w.value.ends_with('/'));
    let dirs = |_: &str| {
        if is_dir {
            PathKind::Dir
        } else {
            PathKind::Other
        }
    };
    let host = FnHost {
        accounts: auditkit_host::Accounts::empty(),
        path: &dirs,
    };
    let rule = Resolver {
        native,
        host: &host,
    }
    .resolve(&rule)
    .map_err(|e| {
        format!(
            "`{text}`: {}",
            e.iter()
                .map(|r| r.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?;
    Ok(Req {
        text: text.to_string(),
        rule,
        is_dir,
    })
}

fn describe(atom: &Atom) -> String {
    let arch = format!("b{}", atom.machine.bits());
    match atom.selector {
        Selector::Syscall(n) => match syscall_name(atom.machine, n) {
            Some(s) => format!("{arch} {s}"),
            None => format!("{arch} syscall {n}"),
        },
        Selector::Perm(bit) => format!("{arch} perm {}", crate::fields::Perms(bit)),
        Selector::Any => format!("{arch} all syscalls"),
    }
}

#[allow(clippy::too_many_arguments)]
fn rules_item(
    item: &ProfileItem,
    set: &RuleSet,
    cx: &CheckContext,
    params: &Params,
    aliases: &PathAliases,
    keys: bool,
    privileged: Option<&[String]>,
    r: &mut ItemResult,
) {
    let mut texts = Vec::new();
    for (_, t) in &item.rules {
        match privileged {
            Some(files) => {
                for f in files {
                    texts.push(fill(t, &|n| {
                        if n == "path" {
                            Some(f.clone())
                        } else {
                            params.get(n)
                        }
                    }));
                }
            }
            None => texts.push(fill(t, &|n| params.get(n))),
        }
    }
    let mut satisfied = BTreeSet::new();
    let mut fix = String::new();
    for t in texts {
        let text = match t {
            Ok(t) => t,
            Err(name) => {
                na(r, &params.why_missing(&name));
                return;
            }
        };
        let req = match requirement(&text, cx.native) {
            Ok(q) => q,
            Err(e) => {
                r.note = Some(format!("skipped a requirement: {e}"));
                continue;
            }
        };
        let rq = Requirement {
            rule: &req.rule,
            is_dir: req.is_dir,
        };
        let mut failed: Vec<Atom> = Vec::new();
        let mut blockers: BTreeSet<String> = BTreeSet::new();
        let mut stolen: BTreeSet<String> = BTreeSet::new();
        let mut partial: BTreeSet<String> = BTreeSet::new();
        for atom in atoms(&req.rule, cx.native) {
            match walk(set, rq, atom, aliases, keys) {
                Walk::Met(by, pre) => {
                    satisfied.insert(by);
                    if !pre.is_empty() && cx.strict {
                        blockers.extend(pre);
                        failed.push(atom);
                    } else {
                        partial.extend(pre);
                    }
                }
                Walk::Blocked(by) => {
                    blockers.insert(by);
                    failed.push(atom);
                }
                Walk::Stolen(by) => {
                    stolen.insert(by);
                    failed.push(atom);
                }
                Walk::Unmet(pre) => {
                    partial.extend(pre);
                    failed.push(atom);
                }
            }
        }
        if !partial.is_empty() {
            r.warnings.push(format!(
                "`{}`: some of these events are dropped first by the rule(s) at {}",
                req.text,
                partial.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        if failed.is_empty() {
            continue;
        }
        let what: Vec<String> = failed.iter().map(describe).collect();
        let mut msg = format!("`{}`: not audited for {}", req.text, what.join(", "));
        if !blockers.is_empty() {
            let b = blockers.iter().cloned().collect::<Vec<_>>().join(", ");
            msg += &format!(" (the never rule at {b} drops these events first)");
            fix += &format!("# remove or narrow the never rule(s) at {b}\n");
        }
        if !stolen.is_empty() {
            msg += &format!(
                " (logged first, without the key, by the rule(s) at {})",
                stolen.iter().cloned().collect::<Vec<_>>().join(", ")
            );
        }
        r.missing.push(msg);
        fix += &fix_line(&req, &failed);
        fix.push('\n');
    }
    r.satisfied_by = satisfied.into_iter().collect();
    if !r.missing.is_empty() {
        r.status = Status::Fail;
        r.fix = fix;
    }
}

/// How the first rules of the list treat one atom.
enum Walk {
    /// An `always` rule matches it all (file:line), after rules that take
    /// part of it first.
    Met(String, Vec<String>),
    /// A `never` rule matches it all first.
    Blocked(String),
    /// An `always` rule without the wanted key matches it all first.
    Stolen(String),
    /// No rule matches it all; these take part of it.
    Unmet(Vec<String>),
}

/// The kernel's exit list stops at the first rule that matches an event,
/// so walk the rules in order.
fn walk(set: &RuleSet, rq: Requirement, atom: Atom, al: &PathAliases, keys: bool) -> Walk {
    let mut pre = Vec::new();
    // The exclude list is consulted for every record before it is written:
    // a rule there that drops SYSCALL records (1300, the record every rules
    // item's event is built on) defeats the item, whatever the exit list.
    for c in set
        .rules
        .iter()
        .filter(|c| c.rule.list == FilterList::Exclude)
    {
        match drops_syscall_records(&c.rule) {
            Drop::All => return Walk::Blocked(c.origin.to_string()),
            Drop::Some => pre.push(c.origin.to_string()),
            Drop::None => {}
        }
    }
    for c in &set.rules {
        let cand = c.candidate();
        let keyed = !keys || has_key(&c.rule, rq.rule);
        let origin = c.origin.to_string();
        if covers(cand, rq, atom, al) {
            match c.rule.action {
                Action::Never => return Walk::Blocked(origin),
                Action::Always if keyed => return Walk::Met(origin, pre),
                Action::Always => return Walk::Stolen(origin),
                _ => {}
            }
        } else if intersects(cand, rq, atom, al) && (c.rule.action == Action::Never || !keyed) {
            pre.push(origin);
        }
    }
    Walk::Unmet(pre)
}

/// How much of the SYSCALL record stream an exclude rule drops.
#[derive(Debug, PartialEq, Eq)]
enum Drop {
    /// Every SYSCALL record: no syscall or watch rule can log anything.
    All,
    /// Those of some processes (the rule has uid, auid, exe, ... conditions).
    Some,
    /// None (its `msgtype` conditions leave SYSCALL records alone).
    None,
}

/// Whether an exclude-list rule matches SYSCALL records. The kernel tests
/// each condition on the record; any match excludes, whatever the action.
fn drops_syscall_records(r: &KernelRule) -> Drop {
    let mut other = false;
    for f in &r.fields {
        match (f.field, &f.value) {
            (Field::Msgtype, Value::Num(v)) => {
                // The kernel compares the field's u32 with the record's type.
                let (t, v) = (RecordType::SYSCALL.0 as u32, *v);
                let hit = match f.op {
                    Op::Eq => t == v,
                    Op::Ne => t != v,
                    Op::Lt => t < v,
                    Op::Gt => t > v,
                    Op::Le => t <= v,
                    Op::Ge => t >= v,
                    Op::BitMask => t & v != 0,
                    Op::BitTest => t & v == v,
                };
                if !hit {
                    return Drop::None;
                }
            }
            (Field::Key, _) => {}
            _ => other = true,
        }
    }
    if other {
        Drop::Some
    } else {
        Drop::All
    }
}

/// The requirement narrowed to the syscalls that are missing.
fn fix_line(req: &Req, failed: &[Atom]) -> String {
    let names: Vec<String> = failed
        .iter()
        .filter_map(|a| match a.selector {
            Selector::Syscall(n) => syscall_name(a.machine, n).map(String::from),
            _ => None,
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let words: Vec<&str> = req.text.split_whitespace().collect();
    match words.iter().position(|w| *w == "-S") {
        Some(i) if !names.is_empty() && i + 1 < words.len() => {
            let all: Vec<&str> = words[i + 1].split(',').collect();
            let keep: Vec<&str> = all
                .iter()
                .copied()
                .filter(|s| names.iter().any(|n| n == s))
                .collect();
            let mut w: Vec<String> = words.iter().map(|s| s.to_string()).collect();
            w[i + 1] = if keep.is_empty() {
                names.join(",")
            } else {
                keep.join(",")
            };
            w.join(" ")
        }
        _ => req.text.clone(),
    }
}

fn immutable(set: &RuleSet, r: &mut ItemResult) {
    match &set.enable {
        Some((2, o)) if set.after_lock.is_empty() => r.satisfied_by.push(o.to_string()),
        Some((2, o)) => {
            r.status = Status::Fail;
            r.missing.push(format!(
                "rules after `-e 2` ({o}) are refused by the locked kernel: {}",
                set.after_lock
                    .iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            r.fix = "# move -e 2 to the end of the last file\n-e 2\n".into();
        }
        Some((v, o)) => {
            r.status = Status::Fail;
            r.missing
                .push(format!("the last -e is `-e {v}` ({o}), not `-e 2`"));
            r.fix = "-e 2\n".into();
        }
        None => {
            r.status = Status::Fail;
            r.missing.push("no `-e 2` at the end of the rules".into());
            r.fix = "-e 2\n".into();
        }
    }
}

/// `augenrules` writes rules.d into this file, and auditd loads it at boot.
const AUDIT_RULES: &str = "/etc/audit/audit.rules";

/// "The running and on disk configuration is the same": with the kernel's
/// listing, compare it with the rules; without it, do what the benchmark's
/// audit (`augenrules --check`) does and compare the rules with what
/// /etc/audit/audit.rules loads, by the rules they load rather than byte
/// for byte.
fn loaded(set: &RuleSet, cx: &CheckContext, r: &mut ItemResult) {
    let Some(lines) = cx.loaded else {
        match cx.system.read(AUDIT_RULES) {
            Some(text) => compiled(set, cx, &text, r),
            None => na(
                r,
                "needs the loaded rules (--loaded, or --loaded-listing FILE with the output of \
                 `auditctl -l`) or the target's /etc/audit/audit.rules",
            ),
        }
        return;
    };
    let lines: Vec<&str> = lines
        .iter()
        .map(|l| l.trim_end())
        .filter(|l| !l.is_empty() && *l != "No rules")
        .collect();
    let disk = set.listing(cx.native);
    for d in &disk {
        if !lines.contains(&d.as_str()) {
            r.missing.push(format!("on disk but not loaded: {d}"));
        }
    }
    for l in &lines {
        if !disk.iter().any(|d| d == l) {
            r.missing.push(format!("loaded but not on disk: {l}"));
        }
    }
    if r.missing.is_empty() && disk.iter().map(String::as_str).ne(lines.iter().copied()) {
        r.missing
            .push("the same rules are loaded in another order".into());
    }
    if r.missing.is_empty() {
        r.satisfied_by
            .push(format!("{} rules loaded as on disk", disk.len()));
    } else {
        r.status = Status::Fail;
        r.fix = "# reload the rules from disk\naugenrules --load\n".into();
    }
}

/// The `augenrules --check` half of the "loaded" item.
fn compiled(set: &RuleSet, cx: &CheckContext, text: &str, r: &mut ItemResult) {
    let file = RuleSet::load(
        &[(AUDIT_RULES.to_string(), text.to_string())],
        Layout::Files,
        cx.native,
        cx.host,
    )
    .listing(cx.native);
    let rules = set.listing(cx.native);
    for d in &rules {
        if !file.contains(d) {
            r.missing.push(format!(
                "in the rules checked but not in {AUDIT_RULES}: {d}"
            ));
        }
    }
    for l in &file {
        if !rules.contains(l) {
            r.missing.push(format!(
                "in {AUDIT_RULES} but not in the rules checked: {l}"
            ));
        }
    }
    if r.missing.is_empty() && rules != file {
        r.missing.push(format!(
            "{AUDIT_RULES} loads the same rules in another order"
        ));
    }
    if r.missing.is_empty() {
        r.satisfied_by.push(format!(
            "{AUDIT_RULES} loads the same {} rules (augenrules --check); --loaded compares \
             the running kernel too",
            rules.len()
        ));
    } else {
        r.status = Status::Fail;
        r.fix =
            "# rebuild /etc/audit/audit.rules from rules.d and load it\naugenrules --load\n".into();
    }
}
