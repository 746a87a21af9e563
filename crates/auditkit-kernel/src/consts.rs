//! Numbers of the kernel's audit netlink interface.
//!
//! Every value is from `include/uapi/linux/audit.h` and
//! `include/uapi/linux/netlink.h` (Linux 6.x, the same values since the
//! interface was introduced; only additions since). A test reads
//! `/usr/include/linux/audit.h` when it is installed and checks each
//! constant against the header, so a typo here cannot go unnoticed.
//! Field numbers, list numbers and actions live in `auditkit-rules`
//! (`Field::number`, `FilterList::number`), which keeps them for this crate.

/// `NETLINK_AUDIT`: the netlink protocol of the audit subsystem.
pub const NETLINK_AUDIT: i32 = 9;

/// `NLMSG_NOOP`.
pub const NLMSG_NOOP: u16 = 1;
/// `NLMSG_ERROR`: an ack (error 0) or a negative errno.
pub const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`: the end of a multi-part reply.
pub const NLMSG_DONE: u16 = 3;
/// `NLM_F_REQUEST`.
pub const NLM_F_REQUEST: u16 = 1;
/// `NLM_F_MULTI`.
pub const NLM_F_MULTI: u16 = 2;
/// `NLM_F_ACK`.
pub const NLM_F_ACK: u16 = 4;

/// `AUDIT_GET`: read `struct audit_status`.
pub const AUDIT_GET: u16 = 1000;
/// `AUDIT_SET`: change fields of `struct audit_status` chosen by its mask.
pub const AUDIT_SET: u16 = 1001;
/// `AUDIT_ADD_RULE`: add one `struct audit_rule_data`.
pub const AUDIT_ADD_RULE: u16 = 1011;
/// `AUDIT_DEL_RULE`: delete the identical rule.
pub const AUDIT_DEL_RULE: u16 = 1012;
/// `AUDIT_LIST_RULES`: one reply per rule, then `NLMSG_DONE`.
pub const AUDIT_LIST_RULES: u16 = 1013;
/// `AUDIT_GET_FEATURE`: read `struct audit_features`.
pub const AUDIT_GET_FEATURE: u16 = 1019;

/// `AUDIT_STATUS_ENABLED`.
pub const AUDIT_STATUS_ENABLED: u32 = 0x0001;
/// `AUDIT_STATUS_FAILURE`.
pub const AUDIT_STATUS_FAILURE: u32 = 0x0002;
/// `AUDIT_STATUS_RATE_LIMIT`.
pub const AUDIT_STATUS_RATE_LIMIT: u32 = 0x0008;
/// `AUDIT_STATUS_BACKLOG_LIMIT`.
pub const AUDIT_STATUS_BACKLOG_LIMIT: u32 = 0x0010;
/// `AUDIT_STATUS_BACKLOG_WAIT_TIME`.
pub const AUDIT_STATUS_BACKLOG_WAIT_TIME: u32 = 0x0020;

/// `AUDIT_FEATURE_LOGINUID_IMMUTABLE` (a bit number).
pub const AUDIT_FEATURE_LOGINUID_IMMUTABLE: u32 = 1;

/// `AUDIT_FILTER_PREPEND`: or-ed into `flags` to put a rule first.
pub const AUDIT_FILTER_PREPEND: u32 = 0x10;
/// `AUDIT_BITMASK_SIZE`: 32-bit words of the syscall mask.
pub const AUDIT_BITMASK_SIZE: usize = 64;
/// `AUDIT_MAX_FIELDS`.
pub const AUDIT_MAX_FIELDS: usize = 64;
/// `AUDIT_SYSCALL_CLASSES`: the top bits of the mask name syscall classes.
pub const AUDIT_SYSCALL_CLASSES: u32 = 16;

/// `AUDIT_BIT_MASK` (`&`).
pub const AUDIT_BIT_MASK: u32 = 0x0800_0000;
/// `AUDIT_LESS_THAN`.
pub const AUDIT_LESS_THAN: u32 = 0x1000_0000;
/// `AUDIT_GREATER_THAN`.
pub const AUDIT_GREATER_THAN: u32 = 0x2000_0000;
/// `AUDIT_NOT_EQUAL`.
pub const AUDIT_NOT_EQUAL: u32 = 0x3000_0000;
/// `AUDIT_EQUAL`.
pub const AUDIT_EQUAL: u32 = 0x4000_0000;
/// `AUDIT_BIT_TEST` (`&=`).
pub const AUDIT_BIT_TEST: u32 = AUDIT_BIT_MASK | AUDIT_EQUAL;
/// `AUDIT_LESS_THAN_OR_EQUAL`.
pub const AUDIT_LESS_THAN_OR_EQUAL: u32 = AUDIT_LESS_THAN | AUDIT_EQUAL;
/// `AUDIT_GREATER_THAN_OR_EQUAL`.
pub const AUDIT_GREATER_THAN_OR_EQUAL: u32 = AUDIT_GREATER_THAN | AUDIT_EQUAL;

/// `AUDIT_NEVER`.
pub const AUDIT_NEVER: u32 = 0;
/// `AUDIT_POSSIBLE`.
pub const AUDIT_POSSIBLE: u32 = 1;
/// `AUDIT_ALWAYS`.
pub const AUDIT_ALWAYS: u32 = 2;

/// `sizeof(struct nlmsghdr)`.
pub const NLMSG_HDRLEN: usize = 16;
/// `sizeof(struct audit_rule_data)` without its string buffer: flags,
/// action, field_count, `mask[64]`, `fields[64]`, `values[64]`,
/// `fieldflags[64]`, buflen.
pub const RULE_DATA_LEN: usize = 4 * (3 + AUDIT_BITMASK_SIZE + 3 * AUDIT_MAX_FIELDS + 1);
/// `sizeof(struct audit_status)` on kernels with
/// `backlog_wait_time_actual` (5.9+); older kernels send less.
pub const STATUS_LEN: usize = 4 * 11;
/// `sizeof(struct audit_features)`.
pub const FEATURES_LEN: usize = 4 * 4;

#[cfg(test)]
mod tests {
    use super::*;

    /// Check the constants against the installed kernel header (Debian's
    /// linux-libc-dev); skips without it (a failure under
    /// `AUDITKIT_REQUIRE_ORACLES=1`).
    #[test]
    fn constants_match_linux_audit_h() {
        let h = auditkit_testsupport::require!(file "/usr/include/linux/audit.h");
        let define = |name: &str| -> Option<u64> {
            h.lines().find_map(|l| {
                let mut w = l.split_whitespace();
                (w.next()? == "#define" && w.next()? == name).then_some(())?;
                let v = w.next()?;
                // `(AUDIT_ARG0+1)`: one level of base+offset.
                if let Some((base, off)) = v
                    .strip_prefix('(')
                    .and_then(|v| v.strip_suffix(')'))
                    .and_then(|v| v.split_once('+'))
                {
                    let base = h.lines().find_map(|l| {
                        let mut w = l.split_whitespace();
                        (w.next()? == "#define" && w.next()? == base).then_some(())?;
                        w.next()?.parse::<u64>().ok()
                    })?;
                    return Some(base + off.parse::<u64>().ok()?);
                }
                match v.strip_prefix("0x") {
                    Some(x) => u64::from_str_radix(x, 16).ok(),
                    None => v.parse().ok(),
                }
            })
        };
        let checks: [(&str, u64); 20] = [
            ("AUDIT_GET", AUDIT_GET.into()),
            ("AUDIT_SET", AUDIT_SET.into()),
            ("AUDIT_ADD_RULE", AUDIT_ADD_RULE.into()),
            ("AUDIT_DEL_RULE", AUDIT_DEL_RULE.into()),
            ("AUDIT_LIST_RULES", AUDIT_LIST_RULES.into()),
            ("AUDIT_GET_FEATURE", AUDIT_GET_FEATURE.into()),
            ("AUDIT_STATUS_ENABLED", AUDIT_STATUS_ENABLED.into()),
            ("AUDIT_STATUS_FAILURE", AUDIT_STATUS_FAILURE.into()),
            ("AUDIT_STATUS_RATE_LIMIT", AUDIT_STATUS_RATE_LIMIT.into()),
            (
                "AUDIT_STATUS_BACKLOG_LIMIT",
                AUDIT_STATUS_BACKLOG_LIMIT.into(),
            ),
            (
                "AUDIT_STATUS_BACKLOG_WAIT_TIME",
                AUDIT_STATUS_BACKLOG_WAIT_TIME.into(),
            ),
            (
                "AUDIT_FEATURE_LOGINUID_IMMUTABLE",
                AUDIT_FEATURE_LOGINUID_IMMUTABLE.into(),
            ),
            ("AUDIT_FILTER_PREPEND", AUDIT_FILTER_PREPEND.into()),
            ("AUDIT_BITMASK_SIZE", AUDIT_BITMASK_SIZE as u64),
            ("AUDIT_MAX_FIELDS", AUDIT_MAX_FIELDS as u64),
            ("AUDIT_SYSCALL_CLASSES", AUDIT_SYSCALL_CLASSES.into()),
            ("AUDIT_BIT_MASK", AUDIT_BIT_MASK.into()),
            ("AUDIT_LESS_THAN", AUDIT_LESS_THAN.into()),
            ("AUDIT_NOT_EQUAL", AUDIT_NOT_EQUAL.into()),
            ("AUDIT_EQUAL", AUDIT_EQUAL.into()),
        ];
        for (name, ours) in checks {
            assert_eq!(define(name), Some(ours), "{name}");
        }
        assert_eq!(
            define("AUDIT_GREATER_THAN"),
            Some(AUDIT_GREATER_THAN.into())
        );
        assert_eq!(define("AUDIT_ALWAYS"), Some(AUDIT_ALWAYS.into()));
        assert_eq!(define("AUDIT_NEVER"), Some(AUDIT_NEVER.into()));
        assert_eq!(define("AUDIT_POSSIBLE"), Some(AUDIT_POSSIBLE.into()));
        // The field numbers auditkit-rules keeps for us.
        for f in auditkit_rules::Field::ALL {
            let upper = f.name().to_ascii_uppercase();
            let name = match *f {
                auditkit_rules::Field::Auid => "AUDIT_LOGINUID".to_string(),
                auditkit_rules::Field::Path => "AUDIT_WATCH".to_string(),
                auditkit_rules::Field::Key => "AUDIT_FILTERKEY".to_string(),
                _ if upper.len() == 2 && upper.starts_with('A') => {
                    format!("AUDIT_ARG{}", &upper[1..])
                }
                _ => format!("AUDIT_{upper}"),
            };
            assert_eq!(define(&name), Some(f.number().into()), "{name}");
        }
        if let Ok(n) = std::fs::read_to_string("/usr/include/linux/netlink.h") {
            assert!(n.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["#define", "NETLINK_AUDIT", "9", "/*", "auditing", "*/"]));
        }
    }
}
