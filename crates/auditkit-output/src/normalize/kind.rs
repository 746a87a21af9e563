//! The event kind of a record type (`normalize_determine_evkind`): ranges
//! of record types, first match wins.

use super::lookup;
use super::tables::*;
use auditkit_interp::RecordType;

type Range = (RecordType, RecordType);

const fn one(t: RecordType) -> Range {
    (t, t)
}

/// (event kind, the record type ranges that have it), in the order auparse
/// tests them.
const KINDS: &[(u8, &[Range])] = &[
    (
        NORM_EVTYPE_USER_LOGIN,
        &[
            (AUDIT_USER_AUTH, AUDIT_USER_ACCT),
            (AUDIT_CRED_ACQ, AUDIT_USER_END),
            (AUDIT_USER_CHAUTHTOK, AUDIT_CRED_REFR),
            (AUDIT_USER_LOGIN, AUDIT_USER_LOGOUT),
            one(AUDIT_LOGIN),
        ],
    ),
    (
        NORM_EVTYPE_GROUP_CHANGE,
        &[one(AUDIT_GRP_AUTH), one(AUDIT_CHGRP_ID)],
    ),
    (
        NORM_EVTYPE_USER_ACCT,
        &[
            one(AUDIT_USER_MGMT),
            (AUDIT_ADD_USER, AUDIT_DEL_GROUP),
            (AUDIT_GRP_MGMT, AUDIT_GRP_CHAUTHTOK),
            (AUDIT_ACCT_LOCK, AUDIT_ACCT_UNLOCK),
        ],
    ),
    (
        NORM_EVTYPE_SYSTEM_SERVICES,
        &[one(AUDIT_KERNEL), (AUDIT_SYSTEM_BOOT, AUDIT_SERVICE_STOP)],
    ),
    (
        NORM_EVTYPE_CONFIG,
        &[
            one(AUDIT_USYS_CONFIG),
            one(AUDIT_CONFIG_CHANGE),
            one(AUDIT_NETFILTER_CFG),
            one(AUDIT_FEATURE_CHANGE),
            one(AUDIT_TIME_INJOFFSET),
            one(AUDIT_TIME_ADJNTPVAL),
            one(AUDIT_USER_DEVICE),
            one(AUDIT_SOFTWARE_UPDATE),
        ],
    ),
    (NORM_EVTYPE_DAC_DECISION, &[one(AUDIT_SECCOMP)]),
    (
        NORM_EVTYPE_USERSPACE,
        &[
            (AUDIT_TEST, AUDIT_TRUSTED_APP),
            one(AUDIT_USER_CMD),
            one(AUDIT_CHUSER_ID),
        ],
    ),
    (NORM_EVTYPE_TTY, &[one(AUDIT_USER_TTY), one(AUDIT_TTY)]),
    (
        NORM_EVTYPE_AUDIT_DAEMON,
        &[
            one(AUDIT_EVENT_LISTENER),
            (AUDIT_FIRST_DAEMON, AUDIT_LAST_DAEMON),
        ],
    ),
    (
        NORM_EVTYPE_MAC_DECISION,
        &[
            one(AUDIT_USER_SELINUX_ERR),
            one(AUDIT_USER_AVC),
            (AUDIT_APPARMOR_ALLOWED, AUDIT_APPARMOR_DENIED),
            one(AUDIT_APPARMOR_ERROR),
            (AUDIT_AVC, AUDIT_AVC_PATH),
        ],
    ),
    (
        NORM_EVTYPE_INTEGRITY,
        &[
            (AUDIT_INTEGRITY_FIRST_MSG, AUDIT_INTEGRITY_LAST_MSG),
            one(AUDIT_ANOM_RBAC_INTEGRITY_FAIL),
        ],
    ),
    (
        NORM_EVTYPE_ANOMALY,
        &[
            (AUDIT_FIRST_KERN_ANOM_MSG, AUDIT_LAST_KERN_ANOM_MSG),
            (AUDIT_FIRST_ANOM_MSG, AUDIT_ANOM_RBAC_FAIL),
            (AUDIT_ANOM_CRYPTO_FAIL, AUDIT_LAST_ANOM_MSG),
        ],
    ),
    (
        NORM_EVTYPE_ANOMALY_RESP,
        &[(AUDIT_FIRST_ANOM_RESP, AUDIT_LAST_ANOM_RESP)],
    ),
    (
        NORM_EVTYPE_MAC,
        &[
            (AUDIT_MAC_POLICY_LOAD, AUDIT_LAST_SELINUX),
            (AUDIT_AA, AUDIT_APPARMOR_AUDIT),
            (AUDIT_APPARMOR_HINT, AUDIT_APPARMOR_STATUS),
            (AUDIT_FIRST_USER_LSPP_MSG, AUDIT_LAST_USER_LSPP_MSG),
        ],
    ),
    (
        NORM_EVTYPE_CRYPTO,
        &[
            (AUDIT_FIRST_KERN_CRYPTO_MSG, AUDIT_LAST_KERN_CRYPTO_MSG),
            (AUDIT_FIRST_CRYPTO_MSG, AUDIT_LAST_CRYPTO_MSG),
        ],
    ),
    (
        NORM_EVTYPE_VIRT,
        &[(AUDIT_FIRST_VIRT_MSG, AUDIT_LAST_VIRT_MSG)],
    ),
    (
        NORM_EVTYPE_AUDIT_RULE,
        &[
            (AUDIT_SYSCALL, AUDIT_SOCKETCALL),
            (AUDIT_SOCKADDR, AUDIT_MQ_GETSETATTR),
            (AUDIT_FD_PAIR, AUDIT_OBJ_PID),
            (AUDIT_BPRM_FCAPS, AUDIT_NETFILTER_PKT),
        ],
    ),
    (NORM_EVTYPE_AV_DECISION, &[one(AUDIT_FANOTIFY)]),
    (NORM_EVTYPE_BPF, &[one(AUDIT_BPF)]),
];

/// Event kind words of record type `t`.
pub(super) fn event_kind(t: RecordType) -> Option<&'static str> {
    let kind = KINDS
        .iter()
        .find(|(_, ranges)| ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&t)))
        .map_or(NORM_EVTYPE_UNKNOWN, |k| k.0);
    lookup(EVENT_KINDS, kind)
}
