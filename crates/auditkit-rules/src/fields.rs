//! The vocabulary of rules: field names, operators, filter lists, actions,
//! permissions and field comparisons.
//!
//! Names come from audit-userspace 3.0.9 `lib/fieldtab.h`, `lib/optab.h`,
//! `lib/flagtab.h` and `lib/actiontab.h`; the numbers are the kernel's
//! (`include/uapi/linux/audit.h`), kept so that a netlink layer can build
//! `audit_rule_data` from our types without another table.

use std::fmt;

macro_rules! fields {
    ($( $var:ident = $num:expr, $name:expr, $kind:ident; )*) => {
        /// A rule field (`-F name...`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field { $( #[doc = $name] $var, )* }

        impl Field {
            /// Every field, in the kernel's numeric order within fieldtab.
            pub const ALL: &'static [Field] = &[$(Field::$var,)*];

            /// The kernel's field number (`AUDIT_*` in linux/audit.h).
            pub fn number(self) -> u32 { match self { $(Field::$var => $num,)* } }

            /// The canonical name, as `auditctl -l` prints it.
            pub fn name(self) -> &'static str { match self { $(Field::$var => $name,)* } }

            /// How the value is written and stored.
            pub fn kind(self) -> FieldKind { match self { $(Field::$var => FieldKind::$kind,)* } }
        }
    };
}

fields! {
    Pid = 0, "pid", Number;
    Uid = 1, "uid", Uid;
    Euid = 2, "euid", Uid;
    Suid = 3, "suid", Uid;
    Fsuid = 4, "fsuid", Uid;
    Gid = 5, "gid", Gid;
    Egid = 6, "egid", Gid;
    Sgid = 7, "sgid", Gid;
    Fsgid = 8, "fsgid", Gid;
    Auid = 9, "auid", Uid;
    Pers = 10, "pers", Number;
    Arch = 11, "arch", Arch;
    Msgtype = 12, "msgtype", Msgtype;
    SubjUser = 13, "subj_user", Str;
    SubjRole = 14, "subj_role", Str;
    SubjType = 15, "subj_type", Str;
    SubjSen = 16, "subj_sen", Str;
    SubjClr = 17, "subj_clr", Str;
    Ppid = 18, "ppid", Number;
    ObjUser = 19, "obj_user", Str;
    ObjRole = 20, "obj_role", Str;
    ObjType = 21, "obj_type", Str;
    ObjLevLow = 22, "obj_lev_low", Str;
    ObjLevHigh = 23, "obj_lev_high", Str;
    Sessionid = 25, "sessionid", Sessionid;
    Fstype = 26, "fstype", Fstype;
    Devmajor = 100, "devmajor", Number;
    Devminor = 101, "devminor", Number;
    Inode = 102, "inode", Number;
    Exit = 103, "exit", Exit;
    Success = 104, "success", Number;
    Path = 105, "path", Str;
    Perm = 106, "perm", Perm;
    Dir = 107, "dir", Str;
    Filetype = 108, "filetype", Filetype;
    ObjUid = 109, "obj_uid", Uid;
    ObjGid = 110, "obj_gid", Gid;
    FieldCompare = 111, "field_compare", Number;
    Exe = 112, "exe", Str;
    SaddrFam = 113, "saddr_fam", Number;
    A0 = 200, "a0", Arg;
    A1 = 201, "a1", Arg;
    A2 = 202, "a2", Arg;
    A3 = 203, "a3", Arg;
    Key = 210, "key", Str;
}

/// How a field's value is written in a rule and kept by the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Signed decimal (or 0x hex, or 0 octal: `strtol(v, 0)`).
    Number,
    /// A uid: number, `-N`, `unset`, or a user name resolved on the host.
    Uid,
    /// A gid: number or a group name resolved on the host.
    Gid,
    /// `b32`, `b64`, a machine name, or an ELF number.
    Arch,
    /// A message type name or number.
    Msgtype,
    /// A string kept verbatim in the rule's buffer.
    Str,
    /// Session id: number, `-N` or `unset`.
    Sessionid,
    /// `tracefs`, `debugfs` or a magic number.
    Fstype,
    /// An errno name (`-EPERM`, `EPERM`) or a number.
    Exit,
    /// Letters `rwxa`.
    Perm,
    /// `file`, `dir`, `socket`, `link`, `block`, `character`, `fifo`.
    Filetype,
    /// A syscall argument: number or `-N`.
    Arg,
}

impl Field {
    /// Look a field up by any name auditctl accepts (`loginuid` is `auid`).
    pub fn from_name(name: &str) -> Option<Field> {
        if name == "loginuid" {
            return Some(Field::Auid);
        }
        Field::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// Fields whose value lives in the rule's string buffer.
    pub fn is_string(self) -> bool {
        self.kind() == FieldKind::Str
    }

    /// Fields in the uid comparison group of `-C`.
    pub fn is_uid_group(self) -> bool {
        matches!(
            self,
            Field::Uid | Field::Euid | Field::Suid | Field::Fsuid | Field::Auid | Field::ObjUid
        )
    }

    /// Fields in the gid comparison group of `-C`.
    pub fn is_gid_group(self) -> bool {
        matches!(
            self,
            Field::Gid | Field::Egid | Field::Sgid | Field::Fsgid | Field::ObjGid
        )
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A comparison operator of `-F`/`-C`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `&` (bit mask: any bit set)
    BitMask,
    /// `&=` (bit test: all bits set)
    BitTest,
}

impl Op {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Ge => ">=",
            Op::BitMask => "&",
            Op::BitTest => "&=",
        }
    }

    /// Split `name OP value` the way `audit_rule_fieldpair_data` does: look
    /// for the two-byte operators anywhere first (`!=`, `>=`, `<=`, `&=`),
    /// then the one-byte ones (`=`, `>`, `<`, `&`). Returns the byte offset
    /// of the operator too.
    pub fn split(pair: &str) -> Option<(&str, Op, &str, usize)> {
        const ORDER: [(&str, Op); 8] = [
            ("!=", Op::Ne),
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("&=", Op::BitTest),
            ("=", Op::Eq),
            (">", Op::Gt),
            ("<", Op::Lt),
            ("&", Op::BitMask),
        ];
        for (sym, op) in ORDER {
            if let Some(at) = pair.find(sym) {
                return Some((&pair[..at], op, &pair[at + sym.len()..], at));
            }
        }
        None
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// A kernel filter list (`-a list,action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FilterList {
    /// `user`: user-space messages.
    User,
    /// `task`: at fork/clone time.
    Task,
    /// `exit`: at syscall exit (where almost every rule lives).
    Exit,
    /// `exclude`: drop records by type and a few credentials.
    Exclude,
    /// `filesystem`: by file system type.
    Filesystem,
    /// `io_uring`: io_uring operations (auditctl 4.x; 3.0.9 rejects it).
    IoUring,
}

impl FilterList {
    /// The kernel's list number (`AUDIT_FILTER_*`); listings go in this order.
    pub fn number(self) -> u32 {
        match self {
            FilterList::User => 0,
            FilterList::Task => 1,
            FilterList::Exit => 4,
            FilterList::Exclude => 5,
            FilterList::Filesystem => 6,
            FilterList::IoUring => 7,
        }
    }

    /// The name as written in rules.
    pub fn name(self) -> &'static str {
        match self {
            FilterList::User => "user",
            FilterList::Task => "task",
            FilterList::Exit => "exit",
            FilterList::Exclude => "exclude",
            FilterList::Filesystem => "filesystem",
            FilterList::IoUring => "io_uring",
        }
    }

    /// Parse a list name; `entry` (removed from the kernel) is not a list.
    pub fn from_name(s: &str) -> Option<FilterList> {
        Some(match s {
            "user" => FilterList::User,
            "task" => FilterList::Task,
            "exit" => FilterList::Exit,
            "exclude" => FilterList::Exclude,
            "filesystem" => FilterList::Filesystem,
            "io_uring" => FilterList::IoUring,
            _ => return None,
        })
    }

    /// Whether rules on this list carry a syscall mask.
    pub fn takes_syscalls(self) -> bool {
        matches!(self, FilterList::Exit | FilterList::IoUring)
    }
}

/// A rule action (`-a list,action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// `never`: stop matching and do not audit.
    Never,
    /// `possible`: deprecated; auditctl ignores such rules.
    Possible,
    /// `always`: audit.
    Always,
}

impl Action {
    /// The name as written in rules.
    pub fn name(self) -> &'static str {
        match self {
            Action::Never => "never",
            Action::Possible => "possible",
            Action::Always => "always",
        }
    }

    /// Parse an action name.
    pub fn from_name(s: &str) -> Option<Action> {
        Some(match s {
            "never" => Action::Never,
            "possible" => Action::Possible,
            "always" => Action::Always,
            _ => return None,
        })
    }
}

/// Watch permissions (`-p`, `-F perm=`), as the kernel's bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Perms(pub u8);

impl Perms {
    /// `x`: execute.
    pub const EXEC: u8 = 1;
    /// `w`: write.
    pub const WRITE: u8 = 2;
    /// `r`: read.
    pub const READ: u8 = 4;
    /// `a`: attribute change.
    pub const ATTR: u8 = 8;
    /// All four, the default of `-w` without `-p`.
    pub const ALL: Perms = Perms(15);

    /// Parse letters as auditctl does: at most 4, any of `rwxa` in any case,
    /// repeats allowed. Returns the offending byte offset on error.
    pub fn parse(s: &str) -> Result<Perms, PermError> {
        if s.len() > 4 {
            return Err(PermError::TooLong);
        }
        let mut v = 0;
        for (i, c) in s.chars().enumerate() {
            v |= match c.to_ascii_lowercase() {
                'r' => Self::READ,
                'w' => Self::WRITE,
                'x' => Self::EXEC,
                'a' => Self::ATTR,
                _ => return Err(PermError::BadLetter(i, c)),
            };
        }
        Ok(Perms(v))
    }
}

/// Why a permission string was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermError {
    /// More than 4 letters.
    TooLong,
    /// A letter other than r, w, x, a at this character index.
    BadLetter(usize, char),
}

impl fmt::Display for Perms {
    /// Letters in the kernel listing's order: r, w, x, a.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (bit, c) in [
            (Self::READ, 'r'),
            (Self::WRITE, 'w'),
            (Self::EXEC, 'x'),
            (Self::ATTR, 'a'),
        ] {
            if self.0 & bit != 0 {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// The `-C` comparisons the kernel knows, named `LEFT_TO_RIGHT` as in
/// linux/audit.h (`AUDIT_COMPARE_*`, values 1..=25). The kernel keeps only
/// the pair, so `-C euid!=uid` is listed as `-C uid!=euid`.
pub const COMPARISONS: [(u32, Field, Field); 25] = [
    (1, Field::Uid, Field::ObjUid),
    (2, Field::Gid, Field::ObjGid),
    (3, Field::Euid, Field::ObjUid),
    (4, Field::Egid, Field::ObjGid),
    (5, Field::Auid, Field::ObjUid),
    (6, Field::Suid, Field::ObjUid),
    (7, Field::Sgid, Field::ObjGid),
    (8, Field::Fsuid, Field::ObjUid),
    (9, Field::Fsgid, Field::ObjGid),
    (10, Field::Uid, Field::Auid),
    (11, Field::Uid, Field::Euid),
    (12, Field::Uid, Field::Fsuid),
    (13, Field::Uid, Field::Suid),
    (14, Field::Auid, Field::Fsuid),
    (15, Field::Auid, Field::Suid),
    (16, Field::Auid, Field::Euid),
    (17, Field::Euid, Field::Suid),
    (18, Field::Euid, Field::Fsuid),
    (19, Field::Suid, Field::Fsuid),
    (20, Field::Gid, Field::Egid),
    (21, Field::Gid, Field::Fsgid),
    (22, Field::Gid, Field::Sgid),
    (23, Field::Egid, Field::Fsgid),
    (24, Field::Egid, Field::Sgid),
    (25, Field::Sgid, Field::Fsgid),
];

/// The kernel comparison for two fields in either order, if there is one.
pub fn comparison(a: Field, b: Field) -> Option<(u32, Field, Field)> {
    COMPARISONS
        .iter()
        .copied()
        .find(|&(_, l, r)| (l, r) == (a, b) || (l, r) == (b, a))
}

/// File types of `-F filetype=` (`lib/ftypetab.h`, values from `S_IF*`).
pub const FILETYPES: [(&str, u32); 7] = [
    ("socket", 0o140000),
    ("link", 0o120000),
    ("file", 0o100000),
    ("block", 0o060000),
    ("dir", 0o040000),
    ("character", 0o020000),
    ("fifo", 0o010000),
];

/// File system types of `-F fstype=` (`lib/fstypetab.h`: magic numbers).
pub const FSTYPES: [(&str, u32); 2] = [("tracefs", 0x7472_6163), ("debugfs", 0x6462_6720)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases() {
        assert_eq!(Field::from_name("loginuid"), Some(Field::Auid));
        assert_eq!(Field::from_name("auid"), Some(Field::Auid));
        assert_eq!(Field::from_name("field_compare"), Some(Field::FieldCompare));
        assert_eq!(Field::from_name("nope"), None);
        for f in Field::ALL {
            assert_eq!(Field::from_name(f.name()), Some(*f));
        }
    }

    #[test]
    fn operator_split_order() {
        assert_eq!(
            Op::split("auid>=1000").map(|t| (t.0, t.1, t.2)),
            Some(("auid", Op::Ge, "1000"))
        );
        assert_eq!(Op::split("a0&=3").map(|t| t.1), Some(Op::BitTest));
        // Two-byte operators win wherever they are, as in libaudit.
        assert_eq!(
            Op::split("path=/a!=b").map(|t| (t.0, t.1, t.2)),
            Some(("path=/a", Op::Ne, "b"))
        );
        assert_eq!(Op::split("auid"), None);
    }

    #[test]
    fn perms() {
        assert_eq!(Perms::parse("wa").unwrap().to_string(), "wa");
        assert_eq!(Perms::parse("AXWR").unwrap().to_string(), "rwxa");
        assert_eq!(Perms::parse("rwxab"), Err(PermError::TooLong));
        assert_eq!(Perms::parse("rq"), Err(PermError::BadLetter(1, 'q')));
    }

    #[test]
    fn comparisons_are_symmetric() {
        assert_eq!(comparison(Field::Euid, Field::Uid).map(|c| c.0), Some(11));
        assert_eq!(
            comparison(Field::ObjUid, Field::Fsuid).map(|c| (c.1, c.2)),
            Some((Field::Fsuid, Field::ObjUid))
        );
        assert_eq!(comparison(Field::Uid, Field::Gid), None);
        assert_eq!(comparison(Field::Uid, Field::Uid), None);
    }
}
