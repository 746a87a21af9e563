# CIS Debian Linux 8 Benchmark v1.0.0, items 8.1.4-8.1.18 (auditd rules).
#
# The item list and its one-to-one mapping onto the NSA RHEL guide
# (2.6.2.4.1-2.6.2.4.14; 8.1.16 has no NSA counterpart) are the seed's
# (pyllyukko/harden.sh, summarised in shared/reference/rules.md section 2).
# Rules follow the benchmark's remediation of that generation (Debian
# paths: /etc/network rather than /etc/sysconfig/network, /sbin module tools).

profile cis-debian8
title CIS Debian Linux 8 Benchmark v1.0.0, 8.1.4-8.1.18 (auditd rules)
source CIS Debian Linux 8 Benchmark v1.0.0, section 8.1
param uid_min 1000
alias /var/run /run

item 8.1.4
title Record Events That Modify Date and Time Information
key time-change
maps nsa-rhel:2.6.2.4.1 cis-debian12:6.2.3.4
-a always,exit -F arch=b64 -S adjtimex,settimeofday -k time-change
-a always,exit -F arch=b32 -S adjtimex,settimeofday,stime -k time-change
-a always,exit -F arch=b64 -S clock_settime -k time-change
-a always,exit -F arch=b32 -S clock_settime -k time-change
-w /etc/localtime -p wa -k time-change

item 8.1.5
title Record Events That Modify User/Group Information
key identity
maps nsa-rhel:2.6.2.4.2 cis-debian12:6.2.3.8
-w /etc/group -p wa -k identity
-w /etc/passwd -p wa -k identity
-w /etc/gshadow -p wa -k identity
-w /etc/shadow -p wa -k identity
-w /etc/security/opasswd -p wa -k identity

item 8.1.6
title Record Events That Modify the System's Network Environment
key system-locale
maps nsa-rhel:2.6.2.4.3 cis-debian12:6.2.3.5
-a always,exit -F arch=b64 -S sethostname,setdomainname -k system-locale
-a always,exit -F arch=b32 -S sethostname,setdomainname -k system-locale
-w /etc/issue -p wa -k system-locale
-w /etc/issue.net -p wa -k system-locale
-w /etc/hosts -p wa -k system-locale
-w /etc/network/ -p wa -k system-locale

item 8.1.7
title Record Events That Modify the System's Mandatory Access Controls
key MAC-policy
maps nsa-rhel:2.6.2.4.4 cis-debian12:6.2.3.14
-w /etc/selinux/ -p wa -k MAC-policy

item 8.1.8
title Collect Login and Logout Events
key logins
maps nsa-rhel:2.6.2.4.5 cis-debian12:6.2.3.12
-w /var/log/faillog -p wa -k logins
-w /var/log/lastlog -p wa -k logins
-w /var/log/tallylog -p wa -k logins

item 8.1.9
title Collect Session Initiation Information
key session
maps nsa-rhel:2.6.2.4.6 cis-debian12:6.2.3.11
-w /var/run/utmp -p wa -k session
-w /var/log/wtmp -p wa -k session
-w /var/log/btmp -p wa -k session

item 8.1.10
title Collect Discretionary Access Control Permission Modification Events
key perm_mod
maps nsa-rhel:2.6.2.4.7 cis-debian12:6.2.3.9
-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat -F auid>={uid_min} -F auid!=unset -k perm_mod
-a always,exit -F arch=b32 -S chmod,fchmod,fchmodat -F auid>={uid_min} -F auid!=unset -k perm_mod
-a always,exit -F arch=b64 -S chown,fchown,fchownat,lchown -F auid>={uid_min} -F auid!=unset -k perm_mod
-a always,exit -F arch=b32 -S chown,fchown,fchownat,lchown -F auid>={uid_min} -F auid!=unset -k perm_mod
-a always,exit -F arch=b64 -S setxattr,lsetxattr,fsetxattr,removexattr,lremovexattr,fremovexattr -F auid>={uid_min} -F auid!=unset -k perm_mod
-a always,exit -F arch=b32 -S setxattr,lsetxattr,fsetxattr,removexattr,lremovexattr,fremovexattr -F auid>={uid_min} -F auid!=unset -k perm_mod

item 8.1.11
title Collect Unsuccessful Unauthorized Access Attempts to Files
key access
maps nsa-rhel:2.6.2.4.8 cis-debian12:6.2.3.7
-a always,exit -F arch=b64 -S creat,open,openat,truncate,ftruncate -F exit=-EACCES -F auid>={uid_min} -F auid!=unset -k access
-a always,exit -F arch=b32 -S creat,open,openat,truncate,ftruncate -F exit=-EACCES -F auid>={uid_min} -F auid!=unset -k access
-a always,exit -F arch=b64 -S creat,open,openat,truncate,ftruncate -F exit=-EPERM -F auid>={uid_min} -F auid!=unset -k access
-a always,exit -F arch=b32 -S creat,open,openat,truncate,ftruncate -F exit=-EPERM -F auid>={uid_min} -F auid!=unset -k access

item 8.1.12
title Collect Use of Privileged Commands
key privileged
maps nsa-rhel:2.6.2.4.9 cis-debian12:6.2.3.6
check privileged
-a always,exit -F path={path} -F perm=x -F auid>={uid_min} -F auid!=unset -k privileged

item 8.1.13
title Collect Successful File System Mounts
key mounts
maps nsa-rhel:2.6.2.4.10 cis-debian12:6.2.3.10
-a always,exit -F arch=b64 -S mount -F auid>={uid_min} -F auid!=unset -k mounts
-a always,exit -F arch=b32 -S mount -F auid>={uid_min} -F auid!=unset -k mounts

item 8.1.14
title Collect File Deletion Events by User
key delete
maps nsa-rhel:2.6.2.4.11 cis-debian12:6.2.3.13
-a always,exit -F arch=b64 -S unlink,unlinkat,rename,renameat -F auid>={uid_min} -F auid!=unset -k delete
-a always,exit -F arch=b32 -S unlink,unlinkat,rename,renameat -F auid>={uid_min} -F auid!=unset -k delete

item 8.1.15
title Collect Changes to System Administration Scope (sudoers)
key scope
maps nsa-rhel:2.6.2.4.12 cis-debian12:6.2.3.1
-w /etc/sudoers -p wa -k scope

item 8.1.16
title Collect System Administrator Actions (sudolog)
key actions
maps cis-debian12:6.2.3.3
note no NSA RHEL counterpart
-w /var/log/sudo.log -p wa -k actions

item 8.1.17
title Collect Kernel Module Loading and Unloading
key modules
maps nsa-rhel:2.6.2.4.13 cis-debian12:6.2.3.19
-w /sbin/insmod -p x -k modules
-w /sbin/rmmod -p x -k modules
-w /sbin/modprobe -p x -k modules
-a always,exit -F arch=b64 -S init_module,delete_module -k modules

item 8.1.18
title Make the Audit Configuration Immutable
maps nsa-rhel:2.6.2.4.14 cis-debian12:6.2.3.20
check immutable
