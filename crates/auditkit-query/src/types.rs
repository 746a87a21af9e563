//! Record type numbers the search-item parsers dispatch on, from
//! audit-userspace 3.0.9's `lib/libaudit.h` and the kernel's
//! `linux/audit.h` (values checked against both headers).
#![allow(missing_docs)]

pub const USER: i32 = 1005;
pub const LOGIN: i32 = 1006;
pub const FIRST_USER_MSG: i32 = 1100;
pub const USER_END: i32 = 1106;
pub const USER_AVC: i32 = 1107;
pub const USER_CHAUTHTOK: i32 = 1108;
pub const ADD_GROUP: i32 = 1116;
pub const DEL_GROUP: i32 = 1117;
pub const GRP_MGMT: i32 = 1132;
pub const LAST_USER_MSG: i32 = 1199;
pub const DAEMON_START: i32 = 1200;
pub const DAEMON_END: i32 = 1201;
pub const DAEMON_ABORT: i32 = 1202;
pub const DAEMON_CONFIG: i32 = 1203;
pub const DAEMON_ROTATE: i32 = 1205;
pub const DAEMON_RESUME: i32 = 1206;
pub const DAEMON_ACCEPT: i32 = 1207;
pub const DAEMON_CLOSE: i32 = 1208;
pub const SYSCALL: i32 = 1300;
pub const PATH: i32 = 1302;
pub const IPC: i32 = 1303;
pub const CONFIG_CHANGE: i32 = 1305;
pub const SOCKADDR: i32 = 1306;
pub const CWD: i32 = 1307;
pub const EXECVE: i32 = 1309;
pub const OBJ_PID: i32 = 1318;
pub const TTY: i32 = 1319;
pub const NETFILTER_PKT: i32 = 1324;
pub const NETFILTER_CFG: i32 = 1325;
pub const SECCOMP: i32 = 1326;
pub const FEATURE_CHANGE: i32 = 1328;
pub const EVENT_LISTENER: i32 = 1335;
pub const AVC: i32 = 1400;
pub const AVC_PATH: i32 = 1402;
pub const MAC_POLICY_LOAD: i32 = 1403;
pub const MAC_UNLBL_STCDEL: i32 = 1417;
pub const ANOM_PROMISCUOUS: i32 = 1700;
pub const ANOM_ABEND: i32 = 1701;
pub const ANOM_LINK: i32 = 1702;
pub const INTEGRITY_DATA: i32 = 1800;
pub const INTEGRITY_RULE: i32 = 1805;
pub const FIRST_USER_MSG2: i32 = 2100;
pub const VIRT_RESOURCE: i32 = 2501;
pub const VIRT_MACHINE_ID: i32 = 2502;
pub const LAST_USER_MSG2: i32 = 2999;
