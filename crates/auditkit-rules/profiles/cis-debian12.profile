# CIS Debian Linux 12 Benchmark v1.1.0, section 6.2 (auditd), as auditkit checks it.
#
# The requirement rules follow the benchmark's remediation as implemented by
# ansible-lockdown/DEBIAN12-CIS (templates/audit/99_auditd.rules.j2 and
# tasks/section_6/cis_6.2.*.yml), summarised in auditkit's reference notes
# (shared/reference/rules.md section 1). Rules are compared by the events
# they audit, not by their text: see `auditkit rules check --help`.
#
# Each item asks what the benchmark's own audit commands ask, no more: the
# checks of ansible-lockdown/DEBIAN12-CIS-Audit (shared/corpus/rules/
# debian12-cis-audit, v1.0.1 numbering) encode them. Hence: 6.2.3.4 has no
# b32 stime; 6.2.2.3 is disk_full_action and disk_error_action only and
# 6.2.2.4 space_left_action and admin_space_left_action only (no
# action_mail_acct); 6.2.4.3 wants log_group root or adm; 6.2.4.5-7 cover
# every *.conf and *.rules under /etc/audit (the audit runs find on it).

profile cis-debian12
title CIS Debian Linux 12 Benchmark v1.1.0, section 6.2 (auditd)
source CIS Debian Linux 12 Benchmark v1.1.0 (6.2.1-6.2.4)
source ansible-lockdown/DEBIAN12-CIS templates/audit/99_auditd.rules.j2
param uid_min 1000
param log_dir /var/log/audit
alias /var/run /run

item 6.2.1.3
title Ensure auditing for processes that start prior to auditd is enabled
cmdline audit = 1
note every linux line of /boot/grub/grub.cfg, as the benchmark's audit reads (else rebuilt from /etc/default/grub), and /proc/cmdline (this boot)

item 6.2.1.4
title Ensure audit_backlog_limit is sufficient
cmdline audit_backlog_limit >= 8192

item 6.2.2.1
title Ensure audit log storage size is configured
conf max_log_file set
note the size is site policy; the item only asks that it is set

item 6.2.2.2
title Ensure audit logs are not automatically deleted
conf max_log_file_action = keep_logs

item 6.2.2.3
title Ensure system is disabled when audit logs are full
conf disk_full_action = halt|single
conf disk_error_action = syslog|single|halt

item 6.2.2.4
title Ensure system warns when audit logs are low on space
conf space_left_action = email|exec|single|halt
conf admin_space_left_action = single|halt
note with space_left_action = email, action_mail_acct names who gets the mail (default root) and an MTA must deliver it

item 6.2.3.1
title Ensure changes to system administration scope (sudoers) is collected
key scope
maps cis-debian8:8.1.15 nsa-rhel:2.6.2.4.12
-w /etc/sudoers -p wa -k scope
-w /etc/sudoers.d/ -p wa -k scope

item 6.2.3.2
title Ensure actions as another user are always logged
key user_emulation
-a always,exit -F arch=b64 -C euid!=uid -F auid!=unset -S execve -k user_emulation
-a always,exit -F arch=b32 -C euid!=uid -F auid!=unset -S execve -k user_emulation

item 6.2.3.3
title Ensure events that modify the sudo log file are collected
key sudo_log_file
maps cis-debian8:8.1.16
note the log file is sudoers' `Defaults logfile=`; without one the item does not apply
-w {sudo_logfile} -p wa -k sudo_log_file

item 6.2.3.4
title Ensure events that modify date and time information are collected
key time-change
maps cis-debian8:8.1.4 nsa-rhel:2.6.2.4.1
note the benchmark's audit lists the same three syscalls for b32 (no stime, unlike older texts)
-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time-change
-a always,exit -F arch=b32 -S adjtimex,settimeofday,clock_settime -k time-change
-w /etc/localtime -p wa -k time-change

item 6.2.3.5
title Ensure events that modify the system's network environment are collected
key system-locale
maps cis-debian8:8.1.6 nsa-rhel:2.6.2.4.3
-a always,exit -F arch=b64 -S sethostname,setdomainname -k system-locale
-a always,exit -F arch=b32 -S sethostname,setdomainname -k system-locale
-w /etc/issue -p wa -k system-locale
-w /etc/issue.net -p wa -k system-locale
-w /etc/hosts -p wa -k system-locale
-w /etc/networks -p wa -k system-locale
-w /etc/network/ -p wa -k system-locale
-w /etc/netplan/ -p wa -k system-locale

item 6.2.3.6
title Ensure use of privileged commands are collected
key privileged
maps cis-debian8:8.1.12 nsa-rhel:2.6.2.4.9
check privileged
-a always,exit -F path={path} -F perm=x -F auid>={uid_min} -F auid!=unset -k privileged

item 6.2.3.7
title Ensure unsuccessful file access attempts are collected
key access
maps cis-debian8:8.1.11 nsa-rhel:2.6.2.4.8
-a always,exit -F arch=b64 -S creat,open,openat,truncate,ftruncate -F exit=-EACCES -F auid>={uid_min} -F auid!=unset -k access
-a always,exit -F arch=b64 -S creat,open,openat,truncate,ftruncate -F exit=-EPERM -F auid>={uid_min} -F auid!=unset -k access
-a always,exit -F arch=b32 -S creat,open,openat,truncate,ftruncate -F exit=-EACCES -F auid>={uid_min} -F auid!=unset -k access
-a always,exit -F arch=b32 -S creat,open,openat,truncate,ftruncate -F exit=-EPERM -F auid>={uid_min} -F auid!=unset -k access

item 6.2.3.8
title Ensure events that modify user/group information are collected
key identity
maps cis-debian8:8.1.5 nsa-rhel:2.6.2.4.2
-w /etc/group -p wa -k identity
-w /etc/passwd -p wa -k identity
-w /etc/gshadow -p wa -k identity
-w /etc/shadow -p wa -k identity
-w /etc/security/opasswd -p wa -k identity
-w /etc/nsswitch.conf -p wa -k identity
-w /etc/pam.conf -p wa -k identity
-w /etc/pam.d/ -p wa -k identity

item 6.2.3.9
title Ensure discretionary access control permission modification events are collected
key perm_mod
maps cis-debian8:8.1.10 nsa-rhel:2.6.2.4.7
-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat -F auid>={uid_min} -F auid!=unset -k perm_mod
-a always,exit -F arch=b64 -S chown,fchown,lchown,fchownat -F auid>={uid_min} -F auid!=unset -k perm_mod
-a always,exit -F arch=b64 -S setxattr,lsetxattr,fsetxattr,removexattr,lremovexattr,fremovexattr -F auid>={uid_min} -F auid!=unset -k perm_mod
-a always,exit -F arch=b32 -S chmod,fchmod,fchmodat -F auid>={uid_min} -F auid!=unset -k perm_mod
-a always,exit -F arch=b32 -S lchown,fchown,chown,fchownat -F auid>={uid_min} -F auid!=unset -k perm_mod
-a always,exit -F arch=b32 -S setxattr,lsetxattr,fsetxattr,removexattr,lremovexattr,fremovexattr -F auid>={uid_min} -F auid!=unset -k perm_mod

item 6.2.3.10
title Ensure successful file system mounts are collected
key mounts
maps cis-debian8:8.1.13 nsa-rhel:2.6.2.4.10
-a always,exit -F arch=b64 -S mount -F auid>={uid_min} -F auid!=unset -k mounts
-a always,exit -F arch=b32 -S mount -F auid>={uid_min} -F auid!=unset -k mounts

item 6.2.3.11
title Ensure session initiation information is collected
key session
maps cis-debian8:8.1.9 nsa-rhel:2.6.2.4.6
-w /var/run/utmp -p wa -k session
-w /var/log/wtmp -p wa -k session
-w /var/log/btmp -p wa -k session

item 6.2.3.12
title Ensure login and logout events are collected
key logins
maps cis-debian8:8.1.8 nsa-rhel:2.6.2.4.5
-w /var/log/lastlog -p wa -k logins
-w /var/run/faillock/ -p wa -k logins

item 6.2.3.13
title Ensure file deletion events by users are collected
key delete
maps cis-debian8:8.1.14 nsa-rhel:2.6.2.4.11
-a always,exit -F arch=b64 -S rename,unlink,unlinkat,renameat -F auid>={uid_min} -F auid!=unset -k delete
-a always,exit -F arch=b32 -S rename,unlink,unlinkat,renameat -F auid>={uid_min} -F auid!=unset -k delete

item 6.2.3.14
title Ensure events that modify the system's Mandatory Access Controls are collected
key MAC-policy
maps cis-debian8:8.1.7 nsa-rhel:2.6.2.4.4
-w /etc/apparmor/ -p wa -k MAC-policy
-w /etc/apparmor.d/ -p wa -k MAC-policy

item 6.2.3.15
title Ensure successful and unsuccessful attempts to use the chcon command are collected
key perm_chng
-a always,exit -F path=/usr/bin/chcon -F perm=x -F auid>={uid_min} -F auid!=unset -k perm_chng

item 6.2.3.16
title Ensure successful and unsuccessful attempts to use the setfacl command are collected
key perm_chng
-a always,exit -F path=/usr/bin/setfacl -F perm=x -F auid>={uid_min} -F auid!=unset -k perm_chng

item 6.2.3.17
title Ensure successful and unsuccessful attempts to use the chacl command are collected
key perm_chng
-a always,exit -F path=/usr/bin/chacl -F perm=x -F auid>={uid_min} -F auid!=unset -k perm_chng

item 6.2.3.18
title Ensure successful and unsuccessful attempts to use the usermod command are collected
key usermod
-a always,exit -F path=/usr/sbin/usermod -F perm=x -F auid>={uid_min} -F auid!=unset -k usermod

item 6.2.3.19
title Ensure kernel module loading unloading and modification is collected
key kernel_modules
maps cis-debian8:8.1.17 nsa-rhel:2.6.2.4.13
-a always,exit -F arch=b64 -S init_module,finit_module,delete_module -F auid>={uid_min} -F auid!=unset -k kernel_modules
-a always,exit -F path=/usr/bin/kmod -F perm=x -F auid>={uid_min} -F auid!=unset -k kernel_modules

item 6.2.3.20
title Ensure the audit configuration is immutable
maps cis-debian8:8.1.18 nsa-rhel:2.6.2.4.14
check immutable
note fix: end the last rules file with -e 2 (a reboot is then needed to change rules)

item 6.2.3.21
title Ensure the running and on disk configuration is the same
check loaded
note compares the running kernel's rules (--loaded, --loaded-listing FILE) with what the files load; without them, /etc/audit/audit.rules, as the benchmark's `augenrules --check` does

item 6.2.4.1
title Ensure audit log files mode is configured
file {log_dir}/* mode<=0640

item 6.2.4.2
title Ensure audit log files owner is configured
file {log_dir}/* owner=root

item 6.2.4.3
title Ensure audit log files group owner is configured
conf log_group = root|adm default root
file {log_dir}/* group=root|adm

item 6.2.4.4
title Ensure the audit log file directory mode is configured
file {log_dir} mode<=0750

item 6.2.4.5
title Ensure audit configuration files mode is configured
file /etc/audit/*.conf mode<=0640
file /etc/audit/*.rules mode<=0640
file /etc/audit/rules.d/*.rules mode<=0640
file /etc/audit/plugins.d/*.conf mode<=0640

item 6.2.4.6
title Ensure audit configuration files owner is configured
file /etc/audit/*.conf owner=root
file /etc/audit/*.rules owner=root
file /etc/audit/rules.d/*.rules owner=root
file /etc/audit/plugins.d/*.conf owner=root

item 6.2.4.7
title Ensure audit configuration files group owner is configured
file /etc/audit/*.conf group=root
file /etc/audit/*.rules group=root
file /etc/audit/rules.d/*.rules group=root
file /etc/audit/plugins.d/*.conf group=root

item 6.2.4.8
title Ensure audit tools mode is configured
file /sbin/auditctl mode<=0755
file /sbin/aureport mode<=0755
file /sbin/ausearch mode<=0755
file /sbin/autrace mode<=0755
file /sbin/auditd mode<=0755
file /sbin/augenrules mode<=0755

item 6.2.4.9
title Ensure audit tools owner is configured
file /sbin/auditctl owner=root
file /sbin/aureport owner=root
file /sbin/ausearch owner=root
file /sbin/autrace owner=root
file /sbin/auditd owner=root
file /sbin/augenrules owner=root

item 6.2.4.10
title Ensure audit tools group owner is configured
file /sbin/auditctl group=root
file /sbin/aureport group=root
file /sbin/ausearch group=root
file /sbin/autrace group=root
file /sbin/auditd group=root
file /sbin/augenrules group=root
