use super::*;

/// Debian 12's shipped auditd.conf (audit 3.0.9), as installed here.
const DEBIAN: &str = "#\n# This file controls the configuration of the audit daemon\n#\n\n\
local_events = yes\nwrite_logs = yes\nlog_file = /var/log/audit/audit.log\nlog_group = adm\n\
log_format = ENRICHED\nflush = INCREMENTAL_ASYNC\nfreq = 50\nmax_log_file = 8\nnum_logs = 5\n\
priority_boost = 4\nname_format = NONE\n##name = mydomain\nmax_log_file_action = ROTATE\n\
space_left = 75\nspace_left_action = SYSLOG\nverify_email = yes\naction_mail_acct = root\n\
admin_space_left = 50\nadmin_space_left_action = SUSPEND\ndisk_full_action = SUSPEND\n\
disk_error_action = SUSPEND\nuse_libwrap = yes\n##tcp_listen_port = 60\ntcp_listen_queue = 5\n\
tcp_max_per_addr = 1\n##tcp_client_ports = 1024-65535\ntcp_client_max_idle = 0\ntransport = TCP\n\
krb5_principal = auditd\n##krb5_key_file = /etc/audit/audit.key\ndistribute_network = no\n\
q_depth = 2000\noverflow_action = SYSLOG\nmax_restarts = 10\nplugin_dir = /etc/audit/plugins.d\n\
end_of_event_timeout = 2\n";

#[test]
fn debian_default_file() {
    let c = AuditdConf::parse(DEBIAN);
    assert_eq!(c.errors, []);
    assert!(c.auditd_accepts());
    assert_eq!(c.log_file, "/var/log/audit/audit.log");
    assert_eq!(c.log_group, LogGroup::Name("adm".into()));
    assert_eq!(c.log_format, LogFormat::Enriched);
    assert_eq!(c.flush, Flush::IncrementalAsync);
    assert_eq!((c.freq, c.max_log_file, c.num_logs), (50, 8, 5));
    assert_eq!(c.max_log_file_action, SizeAction::Rotate);
    assert_eq!(c.space_left, Space::Megabytes(75));
    assert_eq!(c.admin_space_left, Space::Megabytes(50));
    assert_eq!(c.disk_full_action.action, FailureAction::Suspend);
    assert_eq!(c.disk_error_action.action, FailureAction::Suspend);
    assert_eq!(c.overflow_action, OverflowAction::Syslog);
    assert_eq!(c.plugin_dir, "/etc/audit/plugins.d/");
    assert_eq!(c.krb5_principal.as_deref(), Some("auditd"));
    assert_eq!(c.tcp_listen_port, None);
    assert_eq!(c.end_of_event_timeout, 2);
    assert_eq!(c.get("MAX_LOG_FILE_ACTION"), Some("ROTATE"));
    assert_eq!(c.entries.len(), 32);
    assert!(c.unknown.is_empty());
}

#[test]
fn this_hosts_file() {
    let Ok(t) = std::fs::read_to_string("/etc/audit/auditd.conf") else {
        eprintln!("SKIP: /etc/audit/auditd.conf is not readable");
        return;
    };
    let c = AuditdConf::parse(&t);
    // auditd runs with this file, so it accepts it.
    assert!(c.auditd_accepts(), "{:?}", c.errors);
    let lines = t
        .lines()
        .filter(|l| {
            let l = l.trim_start_matches(' ');
            !l.is_empty() && !l.starts_with('#')
        })
        .count();
    assert_eq!(c.entries.len(), lines);
}

fn kinds(text: &str) -> Vec<(usize, ErrorKind)> {
    AuditdConf::parse(text)
        .errors
        .into_iter()
        .filter(|e| !matches!(e.kind, ErrorKind::Sanity(_)))
        .map(|e| (e.line, e.kind))
        .collect()
}

#[test]
fn errors_with_line_numbers() {
    let text = "log_file=/var/log/audit/x.log\n\
        flush data\n\
        freq =\n\
        num_logs = 1000\n\
        max_log_file = 8M\n\
        disk_full_action = email\n\
        disk_error_action = rotate\n\
        space_left_action = exec\n\
        admin_space_left_action = exec bin/x\n\
        log_format = json\n\
        log_file = /var/log/audit/audit.log extra\n\
        tls_psk_file = /etc/audit/psk\n\
        log_file = /x.log\n\
        space_left = 100%\n\
        action_mail_acct = a@b\n\
        tcp_client_ports = 2000-1000\n\
        q_depth = 100000\n\
        tcp_listen_port = 0\n\
        local_events = maybe\n";
    let k = kinds(text);
    assert_eq!(
        k,
        [
            (1, ErrorKind::MissingValue),
            (2, ErrorKind::MissingEquals),
            (3, ErrorKind::MissingValue),
            (4, ErrorKind::OutOfRange { min: 0, max: 999 }),
            (5, ErrorKind::NotANumber),
            (6, ErrorKind::IllegalValue),
            (7, ErrorKind::IllegalValue),
            (8, ErrorKind::ExecNeedsPath),
            (9, ErrorKind::ExecNeedsPath),
            (
                10,
                ErrorKind::UnknownValue {
                    expected: LOG_FORMATS
                }
            ),
            (11, ErrorKind::UnexpectedOption),
            (12, ErrorKind::UnknownKeyword),
            (13, ErrorKind::DirectoryTooShort),
            (14, ErrorKind::OutOfRange { min: 0, max: 99 }),
            (15, ErrorKind::BadEmail),
            (
                16,
                ErrorKind::OutOfRange {
                    min: 2000,
                    max: 65535
                }
            ),
            (17, ErrorKind::OutOfRange { min: 0, max: 99999 }),
            (18, ErrorKind::OutOfRange { min: 1, max: 65535 }),
            (19, ErrorKind::UnknownValue { expected: YES_NO }),
        ]
    );
    let c = AuditdConf::parse(text);
    assert!(!c.auditd_accepts());
    assert_eq!(
        c.log_file, "/var/log/audit/audit.log",
        "refused lines change nothing"
    );
    assert_eq!(c.unknown.len(), 1);
    assert_eq!(c.unknown[0].key, "tls_psk_file");
    assert_eq!(c.get("tls_psk_file"), Some("/etc/audit/psk"));
    assert_eq!(c.get("num_logs"), Some("1000"));
    assert_eq!(c.accepted("num_logs"), None, "refused");
    assert_eq!(
        c.accepted("LOG_FILE"),
        None,
        "every log_file line was refused"
    );
    assert_eq!(c.accepted("Space_Left"), None);
    assert_eq!(
        AuditdConf::parse("FLUSH = Data\n").accepted("flush"),
        Some("Data")
    );
    let e = &c.errors[3];
    assert_eq!(
        e.to_string(),
        "line 4: num_logs = 1000: must be from 0 to 999"
    );
    assert!(c.errors[0].to_string().starts_with("line 1: "));
}

#[test]
fn typed_values() {
    let c = AuditdConf::parse(
        "Log_Format = raw\nFLUSH = sync\nspace_left = 25%\nadmin_space_left = %5\n\
         space_left_action = exec /usr/sbin/x\ntcp_client_ports = 1-1023\ntcp_listen_port = 60\n\
         log_group = 4x\nenable_krb5 = yes\nplugin_dir = /p/\nname_format = user\nname = n1\n\
         verify_email = no\naction_mail_acct = !\nlog_format = nolog\n",
    );
    assert_eq!(c.errors, []);
    assert_eq!(c.log_format, LogFormat::Nolog);
    assert!(!c.write_logs, "nolog clears write_logs");
    assert_eq!(c.flush, Flush::Sync);
    assert_eq!(c.space_left, Space::Percent(25));
    assert_eq!(c.admin_space_left, Space::Percent(5));
    assert_eq!(
        c.space_left_action,
        Action {
            action: FailureAction::Exec,
            exe: Some("/usr/sbin/x".into())
        }
    );
    assert_eq!(c.tcp_client_ports, (1, 1023));
    assert_eq!(c.tcp_listen_port, Some(60));
    assert_eq!(c.log_group, LogGroup::Id(4), "strtoul stops at the x");
    assert_eq!(c.transport, Transport::Krb5);
    assert_eq!(c.plugin_dir, "/p/");
    assert_eq!(
        (c.name_format, c.name.as_deref()),
        (NameFormat::User, Some("n1"))
    );
    assert_eq!(
        c.action_mail_acct, "!",
        "not verified after verify_email = no"
    );
}

#[test]
fn lines_auditd_skips() {
    let long = format!("name = {}\n", "x".repeat(152));
    assert_eq!(long.len() - 1, MAX_LINE + 1);
    let fits = format!("name = {}\n", "y".repeat(151));
    let c = AuditdConf::parse(&format!("{long}{fits}space_left = 2\nnum_logs = 3"));
    assert_eq!(
        c.errors
            .iter()
            .map(|e| (e.line, e.kind.clone()))
            .collect::<Vec<_>>(),
        [(1, ErrorKind::LineTooLong), (4, ErrorKind::NoNewline)]
    );
    assert_eq!(c.name.as_deref(), Some("y".repeat(151).as_str()));
    assert_eq!(c.num_logs, 0, "an unterminated last line is not read");
    assert!(c.auditd_accepts());
    // Tabs are not separators for audit_strsplit.
    assert_eq!(kinds("flush\t=\tdata\n"), [(1, ErrorKind::MissingValue)]);
    // Comments and blank lines.
    assert_eq!(kinds("   # x = y\n\n    \n"), []);
    // Too many words: auditd complains and goes on with the first three.
    let c = AuditdConf::parse("space_left = 2\ndisk_full_action = exec /bin/x y\n");
    assert_eq!(
        kinds("disk_full_action = exec /bin/x y\n"),
        [(1, ErrorKind::TooManyWords)]
    );
    assert_eq!(c.disk_full_action.exe.as_deref(), Some("/bin/x"));
    assert!(c.auditd_accepts());
}

#[test]
fn sanity_checks() {
    let sanity = |t: &str| {
        AuditdConf::parse(t)
            .errors
            .into_iter()
            .map(|e| (e.line, e.kind))
            .collect::<Vec<_>>()
    };
    let k = sanity("space_left = 50\nadmin_space_left = 50\nflush = incremental\nlog_group = adm\nlog_file = /var/log/audit.log\n");
    assert_eq!(
        k.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
        [0, 0, 0],
        "{k:?}"
    );
    assert_eq!(sanity(""), [], "an empty file is not checked");
    assert_eq!(
        sanity("num_logs = 1\n"),
        [(
            0,
            ErrorKind::Sanity("space_left must be larger than admin_space_left")
        )],
        "the defaults (both 0) fail the check, as auditd's do"
    );
    assert_eq!(
        sanity("space_left = 5%\nlog_group = root\nlog_file = /var/log/audit.log\n"),
        [],
        "a percentage and root skip the checks"
    );
}

#[test]
fn stops_where_auditd_stops() {
    let text = "num_logs = 4\nbogus = 1\nnum_logs = 7\nlog_file = /var/log/a/b.log\n";
    let all = AuditdConf::parse(text);
    assert_eq!(
        (all.num_logs, all.log_file.as_str()),
        (7, "/var/log/a/b.log")
    );
    let until = AuditdConf::applied_until_error(text);
    assert_eq!(
        (until.num_logs, until.log_file.as_str()),
        (4, "/var/log/audit/audit.log")
    );
    assert_eq!(until.errors.len(), 1);
}

#[test]
fn no_panic_on_odd_bytes() {
    for t in [
        "=",
        " = ",
        "a = =",
        "\0",
        "x\0 = y\n",
        "space_left = %\n",
        "tcp_client_ports = -\n",
        "tcp_client_ports = 1-\n",
        "log_file = \u{e9}\u{e9}\u{e9}\u{e9}/x\n",
        "log_group = 99999999999999999999999\n",
    ] {
        let _ = AuditdConf::parse(t);
        let _ = AuditdConf::applied_until_error(t);
    }
}

/// The keywords are those the installed auditd.conf(5) documents, plus
/// the two deprecated ones auditd still accepts silently.
#[test]
fn keywords_match_the_man_page() {
    let Ok(out) = std::process::Command::new("zcat")
        .arg("/usr/share/man/man5/auditd.conf.5.gz")
        .output()
    else {
        eprintln!("SKIP: zcat is not available");
        return;
    };
    if !out.status.success() {
        eprintln!("SKIP: auditd.conf(5) is not installed");
        return;
    }
    let man = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = man.lines().collect();
    let mut documented: Vec<&str> = lines
        .windows(2)
        .filter(|w| w[0] == ".TP")
        .filter_map(|w| w[1].strip_prefix(".I "))
        .filter(|k| {
            k.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        })
        .collect();
    documented.sort_unstable();
    let mut ours: Vec<&str> = KEYWORDS
        .iter()
        .copied()
        .filter(|k| !["dispatcher", "disp_qos"].contains(k))
        .collect();
    ours.sort_unstable();
    assert_eq!(ours, documented);
}
