//! Short names for the record types the search-item parsers dispatch on
//! (their match arms read like ausearch's `switch`). The numbers are
//! [`RecordType`]'s, checked against libaudit 3.0.9's message-type table.

use auditkit_interp::RecordType;

pub const USER: RecordType = RecordType::USER;
pub const LOGIN: RecordType = RecordType::LOGIN;
pub const FIRST_USER_MSG: RecordType = RecordType::FIRST_USER_MSG;
pub const USER_END: RecordType = RecordType::USER_END;
pub const USER_AVC: RecordType = RecordType::USER_AVC;
pub const USER_CHAUTHTOK: RecordType = RecordType::USER_CHAUTHTOK;
pub const ADD_GROUP: RecordType = RecordType::ADD_GROUP;
pub const DEL_GROUP: RecordType = RecordType::DEL_GROUP;
pub const GRP_MGMT: RecordType = RecordType::GRP_MGMT;
pub const LAST_USER_MSG: RecordType = RecordType::LAST_USER_MSG;
pub const DAEMON_START: RecordType = RecordType::DAEMON_START;
pub const DAEMON_END: RecordType = RecordType::DAEMON_END;
pub const DAEMON_ABORT: RecordType = RecordType::DAEMON_ABORT;
pub const DAEMON_CONFIG: RecordType = RecordType::DAEMON_CONFIG;
pub const DAEMON_ROTATE: RecordType = RecordType::DAEMON_ROTATE;
pub const DAEMON_RESUME: RecordType = RecordType::DAEMON_RESUME;
pub const DAEMON_ACCEPT: RecordType = RecordType::DAEMON_ACCEPT;
pub const DAEMON_CLOSE: RecordType = RecordType::DAEMON_CLOSE;
pub const SYSCALL: RecordType = RecordType::SYSCALL;
pub const PATH: RecordType = RecordType::PATH;
pub const IPC: RecordType = RecordType::IPC;
pub const CONFIG_CHANGE: RecordType = RecordType::CONFIG_CHANGE;
pub const SOCKADDR: RecordType = RecordType::SOCKADDR;
pub const CWD: RecordType = RecordType::CWD;
pub const EXECVE: RecordType = RecordType::EXECVE;
pub const OBJ_PID: RecordType = RecordType::OBJ_PID;
pub const TTY: RecordType = RecordType::TTY;
pub const NETFILTER_PKT: RecordType = RecordType::NETFILTER_PKT;
pub const NETFILTER_CFG: RecordType = RecordType::NETFILTER_CFG;
pub const SECCOMP: RecordType = RecordType::SECCOMP;
pub const FEATURE_CHANGE: RecordType = RecordType::FEATURE_CHANGE;
pub const EVENT_LISTENER: RecordType = RecordType::EVENT_LISTENER;
pub const AVC: RecordType = RecordType::AVC;
pub const AVC_PATH: RecordType = RecordType::AVC_PATH;
pub const MAC_POLICY_LOAD: RecordType = RecordType::MAC_POLICY_LOAD;
pub const MAC_UNLBL_STCDEL: RecordType = RecordType::MAC_UNLBL_STCDEL;
pub const ANOM_PROMISCUOUS: RecordType = RecordType::ANOM_PROMISCUOUS;
pub const ANOM_ABEND: RecordType = RecordType::ANOM_ABEND;
pub const ANOM_LINK: RecordType = RecordType::ANOM_LINK;
pub const INTEGRITY_DATA: RecordType = RecordType::INTEGRITY_DATA;
pub const INTEGRITY_RULE: RecordType = RecordType::INTEGRITY_RULE;
pub const FIRST_USER_MSG2: RecordType = RecordType::FIRST_USER_MSG2;
pub const VIRT_RESOURCE: RecordType = RecordType::VIRT_RESOURCE;
pub const VIRT_MACHINE_ID: RecordType = RecordType::VIRT_MACHINE_ID;
pub const LAST_USER_MSG2: RecordType = RecordType::LAST_USER_MSG2;
