# NSA "Guide to the Secure Configuration of Red Hat Enterprise Linux 5",
# section 2.6.2.4 (configure auditd rules), items 2.6.2.4.1-2.6.2.4.14.
#
# Each item maps one to one onto CIS Debian 8 v1.0.0 8.1.4-8.1.18 except
# 8.1.16 (the seed's table, shared/reference/rules.md section 2). The guide
# targets RHEL 5, whose first regular uid is 500 (param uid_min); on a
# Debian host the check reads UID_MIN from /etc/login.defs instead (not with
# --offline). Debian paths replace RHEL's where the guide names RHEL-only
# files (/etc/sysconfig/network -> /etc/network).

profile nsa-rhel
title NSA Guide to the Secure Configuration of RHEL 5, 2.6.2.4.1-2.6.2.4.14 (auditd rules)
source NSA RHEL 5 guide, section 2.6.2.4
param uid_min 500
alias /var/run /run

item 2.6.2.4.1
title Record Events that Modify Date and Time Information
key audit_time_rules
maps cis-debian8:8.1.4
-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k audit_time_rules
-a always,exit -F arch=b32 -S adjtimex,settimeofday,stime,clock_settime -k audit_time_rules
-w /etc/localtime -p wa -k audit_time_rules

item 2.6.2.4.2
title Record Events that Modify User/Group Information
key audit_account_changes
maps cis-debian8:8.1.5
-w /etc/group -p wa -k audit_account_changes
-w /etc/passwd -p wa -k audit_account_changes
-w /etc/gshadow -p wa -k audit_account_changes
-w /etc/shadow -p wa -k audit_account_changes
-w /etc/security/opasswd -p wa -k audit_account_changes

item 2.6.2.4.3
title Record Events that Modify the System's Network Environment
key audit_network_modifications
maps cis-debian8:8.1.6
-a always,exit -F arch=b64 -S sethostname,setdomainname -k audit_network_modifications
-a always,exit -F arch=b32 -S sethostname,setdomainname -k audit_network_modifications
-w /etc/issue -p wa -k audit_network_modifications
-w /etc/issue.net -p wa -k audit_network_modifications
-w /etc/hosts -p wa -k audit_network_modifications
-w /etc/network/ -p wa -k audit_network_modifications

item 2.6.2.4.4
title Record Events that Modify the System's Mandatory Access Controls
key MAC-policy
maps cis-debian8:8.1.7
-w /etc/selinux/ -p wa -k MAC-policy

item 2.6.2.4.5
title Record Attempts to Alter Logon and Logout Events
key logins
maps cis-debian8:8.1.8
-w /var/log/faillog -p wa -k logins
-w /var/log/lastlog -p wa -k logins
-w /var/log/tallylog -p wa -k logins

item 2.6.2.4.6
title Record Attempts to Alter Process and Session Initiation Information
key session
maps cis-debian8:8.1.9
-w /var/run/utmp -p wa -k session
-w /var/log/btmp -p wa -k session
-w /var/log/wtmp -p wa -k session

item 2.6.2.4.7
title Ensure auditd Collects Discretionary Access Control Permission Modification Events
key perm_mod
maps cis-debian8:8.1.10
-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat,chown,fchown,fchownat,lchown -F auid>={uid_min} -F auid!=unset -k perm_mod
-a always,exit -F arch=b32 -S chmod,fchmod,fchmodat,chown,fchown,fchownat,lchown -F auid>={uid_min} -F auid!=unset -k perm_mod
-a always,exit -F arch=b64 -S setxattr,lsetxattr,fsetxattr,removexattr,lremovexattr,fremovexattr -F auid>={uid_min} -F auid!=unset -k perm_mod
-a always,exit -F arch=b32 -S setxattr,lsetxattr,fsetxattr,removexattr,lremovexattr,fremovexattr -F auid>={uid_min} -F auid!=unset -k perm_mod

item 2.6.2.4.8
title Ensure auditd Collects Unauthorized Access Attempts to Files (unsuccessful)
key access
maps cis-debian8:8.1.11
-a always,exit -F arch=b64 -S creat,open,openat,truncate,ftruncate -F exit=-EACCES -F auid>={uid_min} -F auid!=unset -k access
-a always,exit -F arch=b32 -S creat,open,openat,truncate,ftruncate -F exit=-EACCES -F auid>={uid_min} -F auid!=unset -k access
-a always,exit -F arch=b64 -S creat,open,openat,truncate,ftruncate -F exit=-EPERM -F auid>={uid_min} -F auid!=unset -k access
-a always,exit -F arch=b32 -S creat,open,openat,truncate,ftruncate -F exit=-EPERM -F auid>={uid_min} -F auid!=unset -k access

item 2.6.2.4.9
title Ensure auditd Collects Information on the Use of Privileged Commands
key privileged
maps cis-debian8:8.1.12
check privileged
-a always,exit -F path={path} -F perm=x -F auid>={uid_min} -F auid!=unset -k privileged

item 2.6.2.4.10
title Ensure auditd Collects Information on Exporting to Media (successful)
key export
maps cis-debian8:8.1.13
-a always,exit -F arch=b64 -S mount -F auid>={uid_min} -F auid!=unset -k export
-a always,exit -F arch=b32 -S mount -F auid>={uid_min} -F auid!=unset -k export

item 2.6.2.4.11
title Ensure auditd Collects File Deletion Events by User (successful and unsuccessful)
key delete
maps cis-debian8:8.1.14
-a always,exit -F arch=b64 -S unlink,unlinkat,rename,renameat -F auid>={uid_min} -F auid!=unset -k delete
-a always,exit -F arch=b32 -S unlink,unlinkat,rename,renameat -F auid>={uid_min} -F auid!=unset -k delete

item 2.6.2.4.12
title Ensure auditd Collects System Administrator Actions
key actions
maps cis-debian8:8.1.15
-w /etc/sudoers -p wa -k actions

item 2.6.2.4.13
title Ensure auditd Collects Information on Kernel Module Loading and Unloading
key modules
maps cis-debian8:8.1.17
-w /sbin/insmod -p x -k modules
-w /sbin/rmmod -p x -k modules
-w /sbin/modprobe -p x -k modules
-a always,exit -F arch=b64 -S init_module,delete_module -k modules

item 2.6.2.4.14
title Make the auditd Configuration Immutable
maps cis-debian8:8.1.18
check immutable
