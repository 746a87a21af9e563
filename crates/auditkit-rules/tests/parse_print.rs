//! Parser errors and canonical printing without the kernel (the expected
//! lines were read from `auditctl -l` on a 6.x kernel with auditctl 3.0.9;
//! tests/kernel.rs re-checks them against the live kernel when run as root).

use auditkit_rules::{fmt, parse_file, Machine, NoHost};

fn listing(text: &str) -> Vec<String> {
    let (file, errors) = parse_file("t.rules", text);
    assert!(errors.is_empty(), "{errors:?}");
    fmt(&file, Machine::X86_64, &NoHost, false)
}

#[test]
fn errors_have_place_and_expectation_and_parsing_goes_on() {
    let text = "-w /etc/passwd -p wa\n-a always,exit -F foo=1\n-a always,exit -S open -F arch\n-a sometimes,exit\n-w /x -p rq\n-e 3\n-w /ok";
    let (file, errors) = parse_file("rules.d/30.rules", text);
    let msgs: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        msgs,
        [
            "rules.d/30.rules:2:19: expected a field name after -F, found \"foo\"",
            "rules.d/30.rules:3:27: expected an operator (= != < > <= >= & &=) in -F, found \"arch\"",
            "rules.d/30.rules:4:4: expected a filter list (exit, task, user, exclude, filesystem) or an action (always, never), found \"sometimes\"",
            "rules.d/30.rules:5:11: expected a permission letter r, w, x or a, found \"q\"",
            "rules.d/30.rules:6:4: expected 0, 1 or 2 after -e, found \"3\"",
        ]
    );
    assert_eq!(file.lines.len(), 7);
    assert_eq!(file.rules().count(), 2);
}

#[test]
fn both_orders_aliases_and_attached_arguments() {
    assert_eq!(
        listing("-a exit,always -F arch=b64 -S openat -F loginuid>=1000 -F loginuid!=unset -k k\n-Aalways,exit -Farch=b32 -Sopen -kx"),
        [
            "-a always,exit -F arch=b32 -S open -F key=x",
            "-a always,exit -F arch=b64 -S openat -F auid>=1000 -F auid!=-1 -F key=k",
        ]
    );
}

#[test]
fn kernel_listing_quirks() {
    let text = "\
-a always,exit -F arch=b64 -S openat,open -F auid>=1000 -F auid!=unset -F exit=-EACCES -C euid!=uid -F a0=10 -F key=k1 -k k2
-a exit,always -F path=/etc/shadow -F perm=r -k k3
-w /etc/sudoers.d/ -p wa -k k4
-w /etc/hosts -k a -k b
-a always,exit -F arch=b64 -F path=/etc/hostname -F perm=wa -F key=kk
-a always,exit -F arch=b64 -S execve -F exit>-10 -F exit=2 -F filetype=dir
-a always,filesystem -F fstype=tracefs
-a always,exit -F arch=b32 -S 5,stime,open,all -F auid=-5
-A always,exit -F arch=b32 -S 1000,3
-a never,task -F uid=0
-a always,user -F msgtype=1100
-a always,exit -F arch=b32 -S chmod -F exe!=/bin/true
-a always,exit -S open -k after-b32
-a always,exit -F perm=wa -k perm-only
";
    assert_eq!(
        listing(text),
        [
            "-a always,user -F msgtype=USER_AUTH",
            "-a never,task -F uid=0",
            "-a always,exit -F arch=b32 -S read,1000",
            "-a always,exit -F arch=b64 -S open,openat -F auid>=1000 -F auid!=-1 -F exit=-EACCES -C uid!=euid -F a0=0xA -F key=k1 -F key=k2",
            "-w /etc/shadow -p r -k k3",
            "-w /etc/sudoers.d -p wa -k k4",
            "-w /etc/hosts -p rwxa -k a -k b",
            "-a always,exit -F arch=b64 -S all -F path=/etc/hostname -F perm=wa -F key=kk",
            "-a always,exit -F arch=b64 -S execve -F exit>-ECHILD -F exit=2 -F filetype=16384",
            "-a always,exit -F arch=b32 -S all -F auid=-5",
            "-a always,exit -F arch=b32 -S chmod -F exe=/bin/true",
            // No arch: x86_64 numbers (open = 2), but auditctl names them
            // with the machine of the last arch it printed (i386: fork).
            "-a always,exit -S fork -F key=after-b32",
            " -p wa -k perm-only",
            "-a always,filesystem -F fstype=tracefs",
        ]
    );
}

#[test]
fn control_lines_kept_on_request() {
    let (file, _) = parse_file("t.rules", "-D\n-b 8192\n-w /etc/passwd -p wa\n-e 1\n");
    assert_eq!(
        fmt(&file, Machine::X86_64, &NoHost, true),
        ["-D", "-b 8192", "-w /etc/passwd -p wa", "-e 1"]
    );
    assert_eq!(
        fmt(&file, Machine::X86_64, &NoHost, false),
        ["-w /etc/passwd -p wa"]
    );
}
