//! From a written [`Rule`] to what the kernel keeps ([`KernelRule`]), with
//! every refusal auditctl 3.0.9 (`audit_rule_fieldpair_data`, `setopt`) or
//! the kernel (`audit_data_to_entry`, `audit_field_valid`) would give.
//!
//! The kernel's form is what `auditctl -l` prints and what two rule sets are
//! compared on: syscalls become a set of numbers for one machine, uid and gid
//! names become numbers, errno and message-type names become numbers, keys
//! become one field at the end, and `-w` becomes `path=`/`dir=` + `perm=`.

use std::collections::BTreeSet;

use auditkit_interp::{errno, msgtype, syscall_name_au309, syscall_number, Machine};

use crate::ast::{Item, KeyForm, Rule, Span, SyscallSpec};
use crate::fields::{
    comparison, Action, Field, FieldKind, FilterList, Op, Perms, FILETYPES, FSTYPES,
};
use crate::host::{Host, PathKind};
use crate::kernel_checks::kernel_checks;
use crate::kernel_rule::{KField, KernelRule, Rejection, Syscalls, Value, MAX_KEY_LEN};
use crate::parse::{parse_c_long, parse_c_ulong};

/// `AUDIT_MAX_FIELDS`: auditctl refuses the 64th field.
pub const MAX_FIELDS: usize = 64;
/// `AUDIT_BITMASK_SIZE * 32`: syscall numbers must be below this.
pub const MAX_SYSCALL: u32 = 64 * 32;
/// `AF_MAX` of glibc 2.36.
const AF_MAX: u32 = 46;
/// `PATH_MAX`.
const PATH_MAX: usize = 4096;

/// What is needed to resolve rules.
pub struct Resolver<'a> {
    /// The machine `b64`/`b32` and rules without an arch refer to.
    pub native: Machine,
    /// User and group names, path kinds.
    pub host: &'a dyn Host,
}

/// Rejections collected while resolving one rule.
struct State<'r> {
    rejections: Vec<Rejection>,
    rule: &'r Rule,
}

impl State<'_> {
    fn reject(
        &mut self,
        code: &'static str,
        span: Span,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.rejections
            .push(Rejection::new(code, span, message, fix));
    }
}

impl Resolver<'_> {
    /// Turn a rule into the kernel's form, or say every reason it would be
    /// refused. `possible` rules are refused too (auditctl drops them).
    pub fn resolve(&self, rule: &Rule) -> Result<KernelRule, Vec<Rejection>> {
        let mut st = State {
            rejections: Vec::new(),
            rule,
        };
        let list = rule.list;
        if list == FilterList::IoUring {
            st.reject(
                "AR101",
                rule.head,
                "the io_uring list is not known to auditctl 3.0.9",
                "use auditctl 4.x, or drop the rule",
            );
        }
        if rule.action == Action::Possible {
            st.reject(
                "AR102",
                rule.head,
                "the `possible` action is deprecated; auditctl ignores the rule",
                "use always or never",
            );
        }
        let mut machine: Option<Machine> = None;
        let mut mask: Option<BTreeSet<u32>> = None;
        let mut all = false;
        let mut fields: Vec<KField> = Vec::new();
        let mut keys: Vec<(String, Span)> = Vec::new();
        let (mut syscall_added, mut perm_added, mut exe_added, mut fs_added) =
            (false, false, false, false);

        if let Some(w) = &rule.watch {
            syscall_added = true;
            perm_added = true;
            all = true;
            let mut path = w.value.clone();
            check_watch_path(&mut st, &path, w.span);
            while path.len() > 2 && path.ends_with('/') {
                path.pop();
            }
            let field = match self.host.path_kind(&path) {
                PathKind::Dir => Field::Dir,
                _ => Field::Path,
            };
            fields.push(KField {
                field,
                op: Op::Eq,
                value: Value::Str(path),
            });
            fields.push(KField {
                field: Field::Perm,
                op: Op::Eq,
                value: Value::Perm(Perms::ALL),
            });
        }

        for item in &rule.items {
            match item {
                Item::Syscalls(specs) => {
                    if !list.takes_syscalls() {
                        st.reject(
                            "AR103",
                            specs[0].span,
                            format!("syscalls cannot be given on the {} list", list.name()),
                            "remove -S, or use the exit list",
                        );
                        continue;
                    }
                    syscall_added = true;
                    let m = *machine.get_or_insert(self.native);
                    let set = mask.get_or_insert_with(BTreeSet::new);
                    for s in specs {
                        match &s.value {
                            SyscallSpec::All => all = true,
                            SyscallSpec::Number(n) if *n < MAX_SYSCALL => {
                                set.insert(*n);
                            }
                            SyscallSpec::Number(n) => st.reject(
                                "AR104",
                                s.span,
                                format!(
                                    "syscall number {n} is out of range (max {})",
                                    MAX_SYSCALL - 1
                                ),
                                "use a syscall name",
                            ),
                            SyscallSpec::Name(name) => match lookup_syscall(m, name) {
                                Some(n) => {
                                    set.insert(n);
                                }
                                None => {
                                    let known = syscall_number(m, name).is_some();
                                    let elsewhere = Machine::ALL
                                        .iter()
                                        .any(|o| syscall_number(*o, name).is_some());
                                    st.reject(
                                        match (known, elsewhere) {
                                            (true, _) => "AR112",
                                            (false, true) => "AR104",
                                            (false, false) => "AR113",
                                        },
                                        s.span,
                                        match (known, elsewhere) {
                                            (true, _) => format!("syscall {name} is not known to auditctl 3.0.9 on {m}"),
                                            (false, true) => format!("syscall {name} does not exist on {m}"),
                                            (false, false) => format!("unknown syscall {name} (a typo, or newer than our tables and auditctl 3.0.9)"),
                                        },
                                        format!("check the name against the {m} syscall table, or give the right -F arch= before -S"),
                                    );
                                }
                            },
                        }
                    }
                }
                Item::Field(fc) => {
                    let before = fields.len();
                    self.field(&mut st, fc, &mut machine, syscall_added, &mut fields);
                    if fields.len() > before {
                        match fc.field {
                            Field::Perm | Field::Path | Field::Dir => perm_added = true,
                            Field::Exe => exe_added = true,
                            Field::Fstype => fs_added = true,
                            _ => {}
                        }
                    }
                }
                Item::Compare(c) => {
                    if list != FilterList::Exit {
                        st.reject(
                            "AR105",
                            c.span,
                            "-C can only be used on the exit list",
                            "move the rule to the exit list",
                        );
                        continue;
                    }
                    match comparison(c.left, c.right) {
                        Some((id, l, r)) => fields.push(KField { field: Field::FieldCompare, op: c.op, value: Value::Compare(id, l, r) }),
                        None => st.reject(
                            "AR106",
                            c.span,
                            format!("{} and {} cannot be compared", c.left, c.right),
                            "compare two different fields of the same group (uid: auid uid euid suid fsuid obj_uid; gid: gid egid sgid fsgid obj_gid)",
                        ),
                    }
                }
                Item::Perm(p) => {
                    if fields.is_empty() {
                        st.reject(
                            "AR107",
                            p.span,
                            "-p needs a field (a path) before it",
                            "write -w PATH -p PERMS",
                        );
                        continue;
                    }
                    perm_added = true;
                    match fields.iter_mut().find(|f| f.field == Field::Perm) {
                        Some(f) => f.value = Value::Perm(p.value),
                        None => fields.push(KField {
                            field: Field::Perm,
                            op: Op::Eq,
                            value: Value::Perm(p.value),
                        }),
                    }
                }
                Item::Key(k, form) => {
                    let dep = syscall_added || perm_added || exe_added || fs_added;
                    let head_before = rule.watch.is_some() || rule.head.col < k.span.col;
                    if *form == KeyForm::DashK && !(dep && head_before) {
                        st.reject(
                            "AR108",
                            k.span,
                            "a key needs a watch, a syscall, a path/perm or an exe before it",
                            "add -S or -F path= before -k, or move -k to the end",
                        );
                    }
                    keys.push((k.value.clone(), k.span));
                }
            }
        }

        if !keys.is_empty() {
            let dep = syscall_added || perm_added || exe_added || fs_added;
            let span = keys[0].1;
            if !dep && !st.rejections.iter().any(|r| r.code == "AR108") {
                st.reject(
                    "AR108",
                    span,
                    "a key needs a watch, a syscall, a path/perm or an exe in the rule",
                    "add -S or -F path=",
                );
            }
            let joined = keys
                .iter()
                .map(|k| k.0.as_str())
                .collect::<Vec<_>>()
                .join("\u{1}");
            if joined.len() > MAX_KEY_LEN {
                st.reject(
                    "AR109",
                    span,
                    format!("the keys are {} bytes together (with separators); the limit is {MAX_KEY_LEN}", joined.len()),
                    "use shorter or fewer keys",
                );
            }
            if list == FilterList::Exclude {
                st.reject(
                    "AR110",
                    span,
                    "the exclude list does not take keys",
                    "remove -k",
                );
            }
            fields.push(KField {
                field: Field::Key,
                op: Op::Eq,
                value: Value::Str(joined),
            });
        }
        if fields.len() >= MAX_FIELDS {
            st.reject(
                "AR111",
                rule.span,
                format!("{} fields; the limit is {}", fields.len(), MAX_FIELDS - 1),
                "split the rule",
            );
        }
        st.rejections
            .extend(kernel_checks(rule.span, list, &fields));

        let syscalls = if !list.takes_syscalls() {
            Syscalls::NotApplicable
        } else if all || mask.is_none() {
            Syscalls::All
        } else {
            Syscalls::Set(mask.unwrap_or_default())
        };
        if st.rejections.is_empty() {
            Ok(KernelRule {
                list,
                action: rule.action,
                machine: machine.unwrap_or(self.native),
                syscalls,
                fields,
            })
        } else {
            Err(st.rejections)
        }
    }

    fn field(
        &self,
        st: &mut State,
        fc: &crate::ast::FieldCond,
        machine: &mut Option<Machine>,
        syscall_added: bool,
        out: &mut Vec<KField>,
    ) {
        let list = st.rule.list;
        let v = fc.value.value.as_str();
        let vs = fc.value.span;
        let f = fc.field;
        let digit = v.starts_with(|c: char| c.is_ascii_digit());
        let neg =
            v.len() >= 2 && v.starts_with('-') && v[1..].starts_with(|c: char| c.is_ascii_digit());
        let exit_only = |st: &mut State| {
            if list != FilterList::Exit {
                st.reject(
                    "AR120",
                    fc.span,
                    format!("the {f} field can only be used on the exit list"),
                    "move the rule to the exit list or drop the field",
                );
                false
            } else {
                true
            }
        };
        let eq_ne = |st: &mut State| {
            if !matches!(fc.op, Op::Eq | Op::Ne) {
                st.reject(
                    "AR121",
                    fc.span,
                    format!("the {f} field takes only = and !="),
                    format!("write {f}= or {f}!="),
                );
                false
            } else {
                true
            }
        };
        if list == FilterList::Exclude
            && !matches!(
                f,
                Field::Pid
                    | Field::Uid
                    | Field::Gid
                    | Field::Auid
                    | Field::Msgtype
                    | Field::SubjUser
                    | Field::SubjRole
                    | Field::SubjType
                    | Field::SubjSen
                    | Field::SubjClr
                    | Field::Exe
            )
        {
            st.reject(
                "AR122",
                fc.span,
                format!("the exclude list does not take {f}"),
                "use only msgtype, pid, uid, gid, auid, subj_* and exe on the exclude list",
            );
            return;
        }
        let value = match f.kind() {
            FieldKind::Uid => {
                if digit {
                    Value::Num(parse_c_ulong(v).unwrap_or(u32::MAX))
                } else if neg {
                    Value::Num(parse_c_long(v).unwrap_or(-1) as i32 as u32)
                } else if v == "unset" {
                    Value::Num(u32::MAX)
                } else if let Some(uid) = self.host.accounts().uid(v) {
                    Value::Num(uid)
                } else {
                    st.reject(
                        "AR123",
                        vs,
                        format!("unknown user {v}"),
                        "use a numeric uid, or a user that exists on the host",
                    );
                    return;
                }
            }
            FieldKind::Gid => {
                if digit {
                    Value::Num(parse_c_long(v).unwrap_or(-1) as u32)
                } else if let Some(gid) = self.host.accounts().gid(v) {
                    Value::Num(gid)
                } else {
                    st.reject(
                        "AR124",
                        vs,
                        format!("unknown group {v}"),
                        "use a numeric gid, or a group that exists on the host",
                    );
                    return;
                }
            }
            FieldKind::Exit => {
                if !exit_only(st) {
                    return;
                }
                if digit || neg {
                    Value::Num(parse_c_long(v).unwrap_or(0) as u32)
                } else {
                    let (sign, name) = match v.strip_prefix('-') {
                        Some(n) => (-1, n),
                        None => (1, v),
                    };
                    match errno::number(name) {
                        Some(n) if n != 0 => Value::Num((n * sign) as u32),
                        _ => {
                            st.reject(
                                "AR125",
                                vs,
                                format!("unknown errno name {v}"),
                                "write an errno name such as -EPERM, or a number",
                            );
                            return;
                        }
                    }
                }
            }
            FieldKind::Msgtype => {
                if !matches!(list, FilterList::Exclude | FilterList::User) {
                    st.reject(
                        "AR126",
                        fc.span,
                        "msgtype can only be used on the exclude and user lists",
                        "use -a always,exclude -F msgtype=...",
                    );
                    return;
                }
                if digit {
                    Value::Num(parse_c_long(v).unwrap_or(0) as u32)
                } else {
                    match msgtype::from_name(v) {
                        Some(n) if n.0 > 0 => Value::Num(n.0 as u32),
                        _ => {
                            st.reject(
                                "AR127",
                                vs,
                                format!("unknown message type {v}"),
                                "use a record type name such as CRYPTO_KEY_USER, or a number",
                            );
                            return;
                        }
                    }
                }
            }
            FieldKind::Str => {
                if matches!(
                    f,
                    Field::ObjUser
                        | Field::ObjRole
                        | Field::ObjType
                        | Field::ObjLevLow
                        | Field::ObjLevHigh
                        | Field::Path
                        | Field::Dir
                ) && !exit_only(st)
                {
                    return;
                }
                if f == Field::Exe && !eq_ne(st) {
                    return;
                }
                if v.len() > PATH_MAX {
                    st.reject(
                        "AR128",
                        vs,
                        "the value is longer than PATH_MAX",
                        "shorten it",
                    );
                    return;
                }
                Value::Str(v.to_string())
            }
            FieldKind::Arch => {
                if syscall_added {
                    st.reject(
                        "AR129",
                        fc.span,
                        "-F arch= must come before -S",
                        "move -F arch= before the first -S",
                    );
                    return;
                }
                if !eq_ne(st) {
                    return;
                }
                let m = if digit {
                    parse_c_ulong(v).and_then(Machine::from_elf)
                } else {
                    Machine::from_rule_arch(v, self.native)
                };
                match m.filter(|m| m.known_to_au309()) {
                    Some(m) => {
                        *machine = Some(m);
                        Value::Arch(m.elf())
                    }
                    None => {
                        st.reject("AR130", vs, format!("unknown arch {v}"), "use b64 or b32");
                        return;
                    }
                }
            }
            FieldKind::Perm => {
                if !exit_only(st) {
                    return;
                }
                if fc.op != Op::Eq {
                    st.reject(
                        "AR121",
                        fc.span,
                        "the perm field takes only =",
                        "write perm=",
                    );
                    return;
                }
                match Perms::parse(v) {
                    Ok(p) => Value::Perm(p),
                    Err(_) => {
                        st.reject(
                            "AR131",
                            vs,
                            format!("bad permissions {v}"),
                            "use the letters r, w, x, a",
                        );
                        return;
                    }
                }
            }
            FieldKind::Filetype => {
                if !exit_only(st) {
                    return;
                }
                match FILETYPES.iter().find(|t| t.0 == v) {
                    Some(t) => Value::Num(t.1),
                    None => {
                        st.reject(
                            "AR132",
                            vs,
                            format!("unknown file type {v}"),
                            "use file, dir, socket, link, block, character or fifo",
                        );
                        return;
                    }
                }
            }
            FieldKind::Fstype => {
                if list != FilterList::Filesystem {
                    st.reject(
                        "AR133",
                        fc.span,
                        "fstype can only be used on the filesystem list",
                        "use -a never,filesystem -F fstype=...",
                    );
                    return;
                }
                if !eq_ne(st) {
                    return;
                }
                let n = if digit {
                    parse_c_ulong(v)
                } else {
                    FSTYPES.iter().find(|t| t.0 == v).map(|t| t.1)
                };
                match n {
                    Some(n) if n != u32::MAX => Value::Num(n),
                    _ => {
                        st.reject(
                            "AR134",
                            vs,
                            format!("unknown file system type {v}"),
                            "use tracefs, debugfs or a magic number",
                        );
                        return;
                    }
                }
            }
            FieldKind::Arg => {
                if digit {
                    Value::Num(parse_c_ulong(v).unwrap_or(u32::MAX))
                } else if neg {
                    Value::Num(parse_c_long(v).unwrap_or(-1) as i32 as u32)
                } else {
                    st.reject(
                        "AR135",
                        vs,
                        format!("{f} needs a number, found {v}"),
                        "write a number (0x.. for hex)",
                    );
                    return;
                }
            }
            FieldKind::Sessionid => {
                if !matches!(
                    list,
                    FilterList::Exclude | FilterList::User | FilterList::Exit
                ) {
                    st.reject(
                        "AR120",
                        fc.span,
                        "sessionid can only be used on the exit, user and exclude lists",
                        "move the rule",
                    );
                    return;
                }
                if digit {
                    Value::Num(parse_c_ulong(v).unwrap_or(u32::MAX))
                } else if neg {
                    Value::Num(parse_c_long(v).unwrap_or(-1) as i32 as u32)
                } else if v == "unset" {
                    Value::Num(u32::MAX)
                } else {
                    // auditctl 3.0.9 leaves the value at 0 here.
                    Value::Num(0)
                }
            }
            FieldKind::Number => {
                if f == Field::SaddrFam {
                    let n = parse_c_ulong(v).unwrap_or(0);
                    if n >= AF_MAX {
                        st.reject(
                            "AR136",
                            vs,
                            format!("address family {n} is not below AF_MAX ({AF_MAX})"),
                            "use an AF_* number",
                        );
                        return;
                    }
                    Value::Num(n)
                } else {
                    if matches!(
                        f,
                        Field::Devmajor
                            | Field::Devminor
                            | Field::Inode
                            | Field::Success
                            | Field::Ppid
                    ) && !exit_only(st)
                    {
                        return;
                    }
                    if f == Field::Inode && !eq_ne(st) {
                        return;
                    }
                    if !digit {
                        st.reject(
                            "AR135",
                            vs,
                            format!("{f} needs a non-negative number, found {v}"),
                            "write a number",
                        );
                        return;
                    }
                    let n = if f == Field::Inode {
                        parse_c_ulong(v).unwrap_or(u32::MAX)
                    } else {
                        parse_c_long(v).unwrap_or(0) as u32
                    };
                    Value::Num(n)
                }
            }
        };
        out.push(KField {
            field: f,
            op: fc.op,
            value,
        });
    }
}

/// The number of a syscall name the way libaudit 3.0.9 resolves it: only
/// names in its own tables (so `fchmodat2` is unknown), case-insensitive.
pub fn lookup_syscall(m: Machine, name: &str) -> Option<u32> {
    let n = syscall_number(m, name)?;
    syscall_name_au309(m, n)
        .filter(|au| au.eq_ignore_ascii_case(name))
        .map(|_| n)
}

fn check_watch_path(st: &mut State, path: &str, span: Span) {
    if path.len() >= PATH_MAX {
        st.reject(
            "AR137",
            span,
            "the watched path is longer than PATH_MAX",
            "shorten it",
        );
    }
    let base = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    if base.len() > 255 {
        st.reject(
            "AR137",
            span,
            "the last component of the watched path is longer than NAME_MAX",
            "shorten it",
        );
    }
}
