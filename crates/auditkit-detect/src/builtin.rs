//! The built-in detections: Sigma rules shipped in the project
//! (`rules/*.yml`), one or more per item of the seed's list (executions
//! from world-writable places, reverse and bind shells, ptrace injection,
//! private key reads, log tampering, changes to trust anchors and
//! authentication, setuid and capabilities, LD_PRELOAD, kernel modules,
//! anomalies, web shells, daemon accounts, sudo GTFOBins escapes, account
//! creation, persistence, SSH brute force), each with ATT&CK tags.
//!
//! They are plain Sigma, so they are read by the same loader as any rule
//! directory and can be copied, edited or replaced (`auditkit detect
//! --rules DIR`); they are embedded in the binary with `include_str!` so
//! an installed `auditkit` needs no data files. Rules about configuration
//! files use the keys of the harden rule set (`auditkit rules generate
//! --profile harden`); rules on `process_creation`, `file_event` and
//! `network_connection` work with any rule set that audits execve,
//! file creation and connect. Each rule has a positive and a negative
//! sample made with real auditd (tests/data, tests/builtin.rs; only the
//! MAC_STATUS records are written by hand, for want of SELinux).

use crate::load::RuleSet;

/// The rule files: (file name, text).
pub const RULES: &[(&str, &str)] = &[
    (
        "ak_abi32_syscall.yml",
        include_str!("../rules/ak_abi32_syscall.yml"),
    ),
    (
        "ak_account_created.yml",
        include_str!("../rules/ak_account_created.yml"),
    ),
    (
        "ak_anomaly_record.yml",
        include_str!("../rules/ak_anomaly_record.yml"),
    ),
    (
        "ak_apt_key_change.yml",
        include_str!("../rules/ak_apt_key_change.yml"),
    ),
    (
        "ak_audit_log_tampering.yml",
        include_str!("../rules/ak_audit_log_tampering.yml"),
    ),
    (
        "ak_audit_rules_removed.yml",
        include_str!("../rules/ak_audit_rules_removed.yml"),
    ),
    (
        "ak_ca_change.yml",
        include_str!("../rules/ak_ca_change.yml"),
    ),
    (
        "ak_cron_change.yml",
        include_str!("../rules/ak_cron_change.yml"),
    ),
    (
        "ak_daemon_account_exec.yml",
        include_str!("../rules/ak_daemon_account_exec.yml"),
    ),
    (
        "ak_download_tool.yml",
        include_str!("../rules/ak_download_tool.yml"),
    ),
    (
        "ak_download_tool_upload.yml",
        include_str!("../rules/ak_download_tool_upload.yml"),
    ),
    (
        "ak_exec_world_writable.yml",
        include_str!("../rules/ak_exec_world_writable.yml"),
    ),
    (
        "ak_file_capabilities.yml",
        include_str!("../rules/ak_file_capabilities.yml"),
    ),
    (
        "ak_firewall_tool_change.yml",
        include_str!("../rules/ak_firewall_tool_change.yml"),
    ),
    (
        "ak_interpreter_accept.yml",
        include_str!("../rules/ak_interpreter_accept.yml"),
    ),
    (
        "ak_ip_network_change.yml",
        include_str!("../rules/ak_ip_network_change.yml"),
    ),
    (
        "ak_journal_tampering.yml",
        include_str!("../rules/ak_journal_tampering.yml"),
    ),
    (
        "ak_kernel_module_syscall.yml",
        include_str!("../rules/ak_kernel_module_syscall.yml"),
    ),
    (
        "ak_kernel_module_tool.yml",
        include_str!("../rules/ak_kernel_module_tool.yml"),
    ),
    (
        "ak_ld_preload.yml",
        include_str!("../rules/ak_ld_preload.yml"),
    ),
    (
        "ak_ld_preload_file.yml",
        include_str!("../rules/ak_ld_preload_file.yml"),
    ),
    (
        "ak_ld_so_change.yml",
        include_str!("../rules/ak_ld_so_change.yml"),
    ),
    (
        "ak_mac_permissive.yml",
        include_str!("../rules/ak_mac_permissive.yml"),
    ),
    (
        "ak_network_config_change.yml",
        include_str!("../rules/ak_network_config_change.yml"),
    ),
    (
        "ak_pam_change.yml",
        include_str!("../rules/ak_pam_change.yml"),
    ),
    (
        "ak_pam_d_change.yml",
        include_str!("../rules/ak_pam_d_change.yml"),
    ),
    (
        "ak_persistence_init.yml",
        include_str!("../rules/ak_persistence_init.yml"),
    ),
    (
        "ak_persistence_user_systemd.yml",
        include_str!("../rules/ak_persistence_user_systemd.yml"),
    ),
    ("ak_pkexec.yml", include_str!("../rules/ak_pkexec.yml")),
    (
        "ak_private_key_command.yml",
        include_str!("../rules/ak_private_key_command.yml"),
    ),
    (
        "ak_private_key_read.yml",
        include_str!("../rules/ak_private_key_read.yml"),
    ),
    (
        "ak_ptrace_injection.yml",
        include_str!("../rules/ak_ptrace_injection.yml"),
    ),
    (
        "ak_root_exec_foreign_file.yml",
        include_str!("../rules/ak_root_exec_foreign_file.yml"),
    ),
    (
        "ak_revshell_dev_tcp.yml",
        include_str!("../rules/ak_revshell_dev_tcp.yml"),
    ),
    (
        "ak_revshell_interactive_shell.yml",
        include_str!("../rules/ak_revshell_interactive_shell.yml"),
    ),
    (
        "ak_revshell_netcat.yml",
        include_str!("../rules/ak_revshell_netcat.yml"),
    ),
    (
        "ak_revshell_script_socket.yml",
        include_str!("../rules/ak_revshell_script_socket.yml"),
    ),
    (
        "ak_revshell_shell_connect.yml",
        include_str!("../rules/ak_revshell_shell_connect.yml"),
    ),
    (
        "ak_setuid_chmod.yml",
        include_str!("../rules/ak_setuid_chmod.yml"),
    ),
    (
        "ak_setuid_syscall.yml",
        include_str!("../rules/ak_setuid_syscall.yml"),
    ),
    (
        "ak_sleep_lock_change.yml",
        include_str!("../rules/ak_sleep_lock_change.yml"),
    ),
    (
        "ak_special_file_world_writable.yml",
        include_str!("../rules/ak_special_file_world_writable.yml"),
    ),
    (
        "ak_ssh_brute_force.yml",
        include_str!("../rules/ak_ssh_brute_force.yml"),
    ),
    (
        "ak_ssh_keys_change.yml",
        include_str!("../rules/ak_ssh_keys_change.yml"),
    ),
    (
        "ak_sudo_gtfobins_command.yml",
        include_str!("../rules/ak_sudo_gtfobins_command.yml"),
    ),
    (
        "ak_sudo_gtfobins_shell.yml",
        include_str!("../rules/ak_sudo_gtfobins_shell.yml"),
    ),
    (
        "ak_sudoers_change.yml",
        include_str!("../rules/ak_sudoers_change.yml"),
    ),
    (
        "ak_web_server_shell.yml",
        include_str!("../rules/ak_web_server_shell.yml"),
    ),
];

/// Add the built-in rules to a set; their source names are
/// `builtin:FILE`.
pub fn add_to(set: &mut RuleSet) {
    for (name, text) in RULES {
        set.add_str(&format!("builtin:{name}"), text);
    }
}
