//! What the kernel refuses (`audit_data_to_entry`, `audit_field_valid`,
//! `audit_to_watch`, `audit_make_tree` in Linux 6.x) after auditctl 3.0.9
//! accepted and sent a rule. Checked against the live kernel by
//! `tests/kernel.rs` (the refused lines of the tricky cases).

use crate::ast::Span;
use crate::fields::{Field, FieldKind, FilterList, Op};
use crate::kernel_rule::{KField, Rejection, Value};

/// The refusals found so far.
struct Refusals(Vec<Rejection>);

impl Refusals {
    fn reject(
        &mut self,
        code: &'static str,
        span: Span,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.0.push(Rejection::new(code, span, message, fix));
    }
}

/// What the kernel refuses with EINVAL after auditctl accepted the rule
/// whose kernel fields are `fields` (on `list`, written at `span`).
pub(crate) fn kernel_checks(span: Span, list: FilterList, fields: &[KField]) -> Vec<Rejection> {
    let mut st = Refusals(Vec::new());
    let mut watch_like = 0;
    let mut exe = 0;
    for kf in fields {
        let f = kf.field;
        let bit_op = matches!(kf.op, Op::BitMask | Op::BitTest);
        let num = match kf.value {
            Value::Num(n) => Some(n),
            _ => None,
        };
        if list == FilterList::Filesystem && !matches!(f, Field::Fstype | Field::Key) {
            st.reject(
                "AR140",
                span,
                format!("the kernel takes only fstype and key on the filesystem list, not {f}"),
                "remove the field",
            );
        }
        match f {
            Field::A0 | Field::A1 | Field::A2 | Field::A3 | Field::Pers | Field::Devminor => {}
            Field::SubjUser
            | Field::SubjRole
            | Field::SubjType
            | Field::ObjUser
            | Field::ObjRole
            | Field::ObjType
            | Field::Path
            | Field::Dir
            | Field::Key
            | Field::Arch
            | Field::Fstype
            | Field::Perm
            | Field::Filetype
            | Field::FieldCompare
            | Field::Exe => {
                if !matches!(kf.op, Op::Eq | Op::Ne) {
                    st.reject(
                        "AR121",
                        span,
                        format!("the kernel takes only = and != for {f}"),
                        "use = or !=",
                    );
                }
            }
            _ => {
                if bit_op {
                    st.reject(
                        "AR141",
                        span,
                        format!(
                            "the kernel takes & and &= only on a0-a3, pers and devminor, not {f}"
                        ),
                        "use a comparison operator",
                    );
                }
            }
        }
        if f == Field::Auid && num == Some(u32::MAX) && !matches!(kf.op, Op::Eq | Op::Ne) {
            st.reject(
                "AR142",
                span,
                "auid compared with unset (-1) takes only = and !=",
                "write auid!=unset",
            );
        }
        if f != Field::Auid
            && (f.kind() == FieldKind::Uid || f.kind() == FieldKind::Gid)
            && num == Some(u32::MAX)
        {
            st.reject(
                "AR143",
                span,
                format!("{f}=-1 (4294967295) is not a valid id for the kernel"),
                "only auid can be compared with unset",
            );
        }
        if matches!(f, Field::Path | Field::Dir) {
            watch_like += 1;
            if kf.op != Op::Eq {
                st.reject(
                    "AR144",
                    span,
                    format!("the kernel takes only = for {f}"),
                    "write =",
                );
            }
            if let Value::Str(p) = &kf.value {
                if !p.starts_with('/') {
                    st.reject(
                        "AR145",
                        span,
                        format!("{f} must be an absolute path"),
                        "start it with /",
                    );
                }
                if f == Field::Path && p.ends_with('/') {
                    st.reject(
                        "AR145",
                        span,
                        "path= must not end with /",
                        "use dir= for a directory, or remove the /",
                    );
                }
            }
        }
        if f == Field::Inode {
            watch_like += 1;
        }
        if f == Field::Exe {
            exe += 1;
        }
    }
    if watch_like > 1 {
        st.reject(
            "AR146",
            span,
            "only one of path, dir and inode per rule",
            "split the rule",
        );
    }
    if exe > 1 {
        st.reject("AR147", span, "only one exe per rule", "split the rule");
    }
    st.0
}
