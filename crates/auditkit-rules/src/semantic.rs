//! Does one rule audit (part of) what another asks for? Comparison of
//! kernel rules by the events they match, not by how they are written.
//!
//! A requirement (a [`KernelRule`] from a profile) is cut into **atoms**:
//! one machine (b64, b32) times one "selector", which is a syscall number,
//! one watch permission bit (`r`, `w`, `x`, `a`) or "any syscall". An atom
//! is met when some `always` rule of the exit list matches every event of
//! it, and no earlier rule of the list takes any of its events first (the
//! kernel's exit list stops at the first matching rule: an earlier `never`
//! rule drops the event, an earlier `always` rule logs it with its own key).
//!
//! Matching is decided field by field, which makes it sound (a "covers"
//! answer is always right) but not complete: a candidate rule covers a
//! requirement when each of its conditions is implied by the requirement's
//! conditions on the same field. The cross-field facts the kernel relies on
//! and that rule sets use in practice are added by hand: a negative `exit`
//! implies `success=0`, a watch on a directory (`-w DIR`, or `dir=`) covers
//! everything below it, and `execve`+`execveat` without a path filter covers
//! `perm=x` on any path (the kernel's exec class is exactly those two).
//! Values are compared as the kernel does: unsigned 32-bit
//! (`audit_comparator`), so `unset`, `-1` and `4294967295` are one value and
//! `auid>=1000` includes `unset` unless `auid!=unset` is also given.

use auditkit_interp::{syscall_number, Machine};

use crate::fields::{Field, Op, Perms};
use crate::kernel_rule::{KField, KernelRule, Syscalls, Value};

/// What part of a requirement an atom stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Selector {
    /// One syscall number of the atom's machine.
    Syscall(u32),
    /// One watch permission bit (`Perms::READ`, ...), on any syscall.
    Perm(u8),
    /// Every syscall (a requirement without `-S` and without perm).
    Any,
}

/// One machine and one selector of a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Atom {
    /// The machine (arch) of the events.
    pub machine: Machine,
    /// Which syscalls or permission.
    pub selector: Selector,
}

/// A rule being compared, with the facts about how it was written that the
/// kernel form loses.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The kernel form.
    pub rule: &'a KernelRule,
    /// Whether `path=` may stand for a directory: the rule was a `-w` watch
    /// and the host does not say the path is a file. auditctl turns a watch
    /// on a directory into a recursive `dir=` rule, and on a file that does
    /// not exist yet nothing lies below it, so treating it as a directory
    /// never claims events that cannot happen.
    pub path_may_be_dir: bool,
}

/// How paths are compared: symlinked prefixes that name the same place
/// (`/var/run` is `/run` on Debian).
#[derive(Debug, Clone, Default)]
pub struct PathAliases(pub Vec<(String, String)>);

impl PathAliases {
    /// The path with trailing slashes removed and aliases replaced.
    pub fn normalize(&self, p: &str) -> String {
        let mut p = p.trim_end_matches('/').to_string();
        if p.is_empty() {
            p.push('/');
        }
        for (from, to) in &self.0 {
            let from = from.trim_end_matches('/');
            if p == from || p.starts_with(&format!("{from}/")) {
                p = format!("{}{}", to.trim_end_matches('/'), &p[from.len()..]);
            }
        }
        p
    }
}

/// The machines whose events a rule without `-F arch=` sees: the native
/// one and its 32-bit companion.
pub fn family(native: Machine) -> Vec<Machine> {
    let mut v = vec![native];
    if let Some(m) = Machine::from_rule_arch("b32", native) {
        if m != native {
            v.push(m);
        }
    }
    v
}

/// Cut a requirement into atoms.
pub fn atoms(req: &KernelRule, native: Machine) -> Vec<Atom> {
    let machines = match req.get(Field::Arch) {
        Some(KField {
            op: Op::Eq,
            value: Value::Arch(elf),
            ..
        }) => Machine::from_elf(*elf).into_iter().collect(),
        _ => family(native),
    };
    let mut out = Vec::new();
    for m in machines {
        match (&req.syscalls, perm_of(req)) {
            (Syscalls::Set(set), _) => out.extend(set.iter().map(|n| Atom {
                machine: m,
                selector: Selector::Syscall(*n),
            })),
            (_, Some(p)) => {
                for bit in [Perms::READ, Perms::WRITE, Perms::EXEC, Perms::ATTR] {
                    if p & bit != 0 {
                        out.push(Atom {
                            machine: m,
                            selector: Selector::Perm(bit),
                        });
                    }
                }
            }
            _ => out.push(Atom {
                machine: m,
                selector: Selector::Any,
            }),
        }
    }
    out
}

fn perm_of(r: &KernelRule) -> Option<u8> {
    r.fields.iter().find_map(|f| match (&f.field, &f.value) {
        (Field::Perm, Value::Perm(p)) => Some(p.0),
        _ => None,
    })
}

/// Whether the arch fields of `c` let events of `m` through.
fn arch_ok(c: &KernelRule, m: Machine) -> bool {
    c.fields.iter().all(|f| match (f.field, f.op, &f.value) {
        (Field::Arch, Op::Eq, Value::Arch(e)) => *e == m.elf(),
        (Field::Arch, Op::Ne, Value::Arch(e)) => *e != m.elf(),
        _ => true,
    })
}

fn mask_has(c: &KernelRule, n: u32) -> bool {
    match &c.syscalls {
        Syscalls::Set(s) => s.contains(&n),
        _ => true,
    }
}

fn mask_all(c: &KernelRule) -> bool {
    !matches!(c.syscalls, Syscalls::Set(_))
}

/// Inclusive ranges of u32 values, sorted and disjoint.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ranges(Vec<(u64, u64)>);

const MAX: u64 = u32::MAX as u64;

impl Ranges {
    fn all() -> Ranges {
        Ranges(vec![(0, MAX)])
    }
    /// The values `op v` lets through; `None` for bit operators.
    fn of(op: Op, v: u32) -> Option<Ranges> {
        let v = v as u64;
        let r = match op {
            Op::Eq => vec![(v, v)],
            Op::Ne => {
                let mut r = Vec::new();
                if v > 0 {
                    r.push((0, v - 1));
                }
                if v < MAX {
                    r.push((v + 1, MAX));
                }
                r
            }
            Op::Lt if v == 0 => vec![],
            Op::Lt => vec![(0, v - 1)],
            Op::Le => vec![(0, v)],
            Op::Gt if v == MAX => vec![],
            Op::Gt => vec![(v + 1, MAX)],
            Op::Ge => vec![(v, MAX)],
            Op::BitMask | Op::BitTest => return None,
        };
        Some(Ranges(r))
    }
    fn intersect(&self, o: &Ranges) -> Ranges {
        let mut out = Vec::new();
        for a in &self.0 {
            for b in &o.0 {
                let (lo, hi) = (a.0.max(b.0), a.1.min(b.1));
                if lo <= hi {
                    out.push((lo, hi));
                }
            }
        }
        out.sort_unstable();
        Ranges(out)
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn subset_of(&self, o: &Ranges) -> bool {
        self.0
            .iter()
            .all(|a| o.0.iter().any(|b| b.0 <= a.0 && a.1 <= b.1))
    }
}

/// What the requirement lets through on a numeric field (an
/// over-approximation: bit operators are ignored, which only makes
/// "covers" harder to claim).
fn domain(req: &KernelRule, f: Field) -> Ranges {
    let mut d = Ranges::all();
    for k in req.fields.iter().filter(|k| k.field == f) {
        if let Value::Num(v) = k.value {
            if let Some(r) = Ranges::of(k.op, v) {
                d = d.intersect(&r);
            }
        }
    }
    if f == Field::Success && d == Ranges::all() {
        // A return code fixes success: negative errnos mean failure.
        let exit = domain(req, Field::Exit);
        if exit != Ranges::all() && !exit.is_empty() {
            let failed = Ranges(vec![(0xFFFF_F001, MAX)]);
            let ok = Ranges(vec![(0, 0x7FFF_FFFF)]);
            if exit.subset_of(&failed) {
                d = Ranges(vec![(0, 0)]);
            } else if exit.subset_of(&ok) {
                d = Ranges(vec![(1, 1)]);
            }
        }
    }
    d
}

/// The path condition of a rule, normalized: (is a directory, path).
fn req_path(req: &KernelRule, req_dirs: bool, al: &PathAliases) -> Option<(bool, String)> {
    req.fields
        .iter()
        .find_map(|f| match (f.field, f.op, &f.value) {
            (Field::Path, Op::Eq, Value::Str(s)) => Some((req_dirs, al.normalize(s))),
            (Field::Dir, Op::Eq, Value::Str(s)) => Some((true, al.normalize(s))),
            _ => None,
        })
}

fn under(p: &str, dir: &str) -> bool {
    p == dir || dir == "/" || p.starts_with(&format!("{dir}/"))
}

/// The requirement as the comparison needs it.
#[derive(Debug, Clone, Copy)]
pub struct Requirement<'a> {
    /// The kernel form.
    pub rule: &'a KernelRule,
    /// Whether its `path=` names a directory (written `-w DIR/`).
    pub is_dir: bool,
}

/// Whether candidate `c` matches every event of `atom` of requirement `r`.
/// Keys are not looked at (see [`has_key`]).
pub fn covers(c: Candidate, r: Requirement, atom: Atom, al: &PathAliases) -> bool {
    let (cr, rr) = (c.rule, r.rule);
    if cr.list != rr.list || !arch_ok(cr, atom.machine) {
        return false;
    }
    let cperm = perm_of(cr);
    match atom.selector {
        Selector::Syscall(n) => {
            if cperm.is_some() || !mask_has(cr, n) {
                return false;
            }
        }
        Selector::Perm(bit) => match cperm {
            Some(p) => {
                if p & bit == 0 || !mask_all(cr) {
                    return false;
                }
            }
            None => {
                let exec_class = bit == Perms::EXEC
                    && ["execve", "execveat"]
                        .iter()
                        .all(|s| syscall_number(atom.machine, s).is_none_or(|n| mask_has(cr, n)));
                if !mask_all(cr) && !exec_class {
                    return false;
                }
            }
        },
        Selector::Any => {
            if cperm.is_some() || !mask_all(cr) {
                return false;
            }
        }
    }
    let rp = req_path(rr, r.is_dir, al);
    for f in &cr.fields {
        let ok = match (f.field, &f.value) {
            (Field::Arch | Field::Perm | Field::Key, _) => true,
            (Field::Path | Field::Dir, Value::Str(s)) => {
                let s = al.normalize(s);
                let as_dir = f.field == Field::Dir || c.path_may_be_dir;
                match (&rp, f.op) {
                    (None, _) => false,
                    (Some((rdir, p)), Op::Eq) => {
                        if as_dir {
                            under(p, &s)
                        } else {
                            !rdir && *p == s
                        }
                    }
                    (Some((_, p)), Op::Ne) => !under(p, &s) && !under(&s, p),
                    _ => false,
                }
            }
            (_, Value::Str(s)) => str_implied(rr, f.field, f.op, s),
            (_, Value::Compare(..)) => rr.fields.contains(f),
            (_, Value::Num(v)) => match Ranges::of(f.op, *v) {
                Some(allowed) => domain(rr, f.field).subset_of(&allowed),
                None => rr.fields.contains(f),
            },
            _ => rr.fields.contains(f),
        };
        if !ok {
            return false;
        }
    }
    true
}

fn str_implied(rr: &KernelRule, f: Field, op: Op, v: &str) -> bool {
    let mut eq = None;
    let mut ne = Vec::new();
    for k in rr.fields.iter().filter(|k| k.field == f) {
        if let Value::Str(s) = &k.value {
            match k.op {
                Op::Eq => eq = Some(s.as_str()),
                _ => ne.push(s.as_str()),
            }
        }
    }
    match op {
        Op::Eq => eq == Some(v),
        Op::Ne => eq.is_some_and(|e| e != v) || ne.contains(&v),
        _ => false,
    }
}

/// Whether rule `n` may match some event of `atom` of requirement `r`
/// (false only when provably disjoint).
pub fn intersects(n: Candidate, r: Requirement, atom: Atom, al: &PathAliases) -> bool {
    let (nr, rr) = (n.rule, r.rule);
    if nr.list != rr.list || !arch_ok(nr, atom.machine) {
        return false;
    }
    match atom.selector {
        Selector::Syscall(x) => {
            if !mask_has(nr, x) {
                return false;
            }
        }
        Selector::Perm(bit) => {
            if perm_of(nr).is_some_and(|p| p & bit == 0) {
                return false;
            }
        }
        Selector::Any => {}
    }
    let rp = req_path(rr, r.is_dir, al);
    for f in &nr.fields {
        let may = match (f.field, &f.value) {
            // A key names what a rule logs and selects no event: a
            // `never` rule with a key drops the same events as without.
            // (For `always` rules a different key still reads as
            // disjoint here; the keyed walk in `check` relies on it.)
            (Field::Key, _) if nr.action == crate::fields::Action::Never => true,
            (Field::Path | Field::Dir, Value::Str(s)) => {
                let s = al.normalize(s);
                let n_dir = f.field == Field::Dir || n.path_may_be_dir;
                match (&rp, f.op) {
                    (Some((rdir, p)), Op::Eq) => {
                        *p == s || (n_dir && under(p, &s)) || (*rdir && under(&s, p))
                    }
                    _ => true,
                }
            }
            (_, Value::Str(s)) => {
                let req_eq = rr.fields.iter().find_map(|k| match (&k.value, k.op) {
                    (Value::Str(x), Op::Eq) if k.field == f.field => Some(x.as_str()),
                    _ => None,
                });
                match (f.op, req_eq) {
                    (Op::Eq, Some(x)) => x == s,
                    (Op::Ne, Some(x)) => x != s,
                    _ => true,
                }
            }
            (_, Value::Num(v)) => match Ranges::of(f.op, *v) {
                Some(allowed) => !domain(rr, f.field).intersect(&allowed).is_empty(),
                None => true,
            },
            _ => true,
        };
        if !may {
            return false;
        }
    }
    true
}

/// Whether `c` carries one of the keys of `r` (for profiles that require
/// keys).
pub fn has_key(c: &KernelRule, r: &KernelRule) -> bool {
    let want = r.keys();
    want.is_empty() || c.keys().iter().any(|k| want.contains(k))
}
