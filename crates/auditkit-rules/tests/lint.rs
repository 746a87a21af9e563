//! Lint: the corpus lints without errors, and every check fires on a case
//! made for it and stays quiet on its corrected form.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use auditkit_rules::{
    lint, parse_file, Accounts, Finding, Host, Machine, NoHost, PathKind, Severity,
};

fn corpus_files() -> Vec<PathBuf> {
    auditkit_testsupport::paths::corpus_rule_files("")
}

#[test]
fn corpus_has_no_errors() {
    let files = corpus_files();
    assert!(
        files.len() >= 70,
        "corpus not found ({} files)",
        files.len()
    );
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    for f in &files {
        let text = fs::read_to_string(f).expect("read");
        let (file, _) = parse_file(&f.display().to_string(), &text);
        for finding in lint(&file, Machine::X86_64, &NoHost) {
            *counts.entry(finding.code).or_default() += 1;
            if finding.severity == Severity::Error {
                errors.push(finding.to_string());
            }
        }
    }
    eprintln!("findings by code over the corpus: {counts:?}");
    // Four lines of Neo23x0's file are broken: `-k -F T1078_Valid_Accounts`
    // (the key is "-F", then a stray word) and `-F obj=...` (no such
    // field). auditctl 3.0.9 refuses them (tests/kernel.rs checks that the
    // refused lines are the same), so they must stay errors.
    let expected_errors = [
        "neo23x0/audit.rules:487:91: error[AR001]",
        "neo23x0/audit.rules:488:92: error[AR001]",
        "neo23x0/audit.rules:718:51: error[AR001]",
        "neo23x0/audit.rules:719:51: error[AR001]",
    ];
    let unexpected: Vec<_> = errors
        .iter()
        .filter(|e| !expected_errors.iter().any(|x| e.contains(x)))
        .collect();
    assert!(
        unexpected.is_empty(),
        "{} errors:\n{:#?}",
        unexpected.len(),
        unexpected
    );
    assert_eq!(errors.len(), expected_errors.len(), "{errors:#?}");
}

/// A made-up host: users root and alice, group root; `/etc` is a
/// directory, anything under `/missing` and any `*missingfile` is missing.
struct TestHost;

impl Host for TestHost {
    fn accounts(&self) -> &Accounts {
        static A: std::sync::LazyLock<Accounts> = std::sync::LazyLock::new(|| {
            Accounts::parse(
                b"root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n",
                b"root:x:0:\n",
            )
        });
        &A
    }
    fn path_kind(&self, path: &str) -> PathKind {
        if path == "/etc" || path == "/" {
            PathKind::Dir
        } else if path.starts_with("/missing") || path.ends_with("missingfile") {
            PathKind::Missing
        } else {
            PathKind::Other
        }
    }
}

fn findings(text: &str) -> Vec<Finding> {
    let (file, _) = parse_file("t.rules", text);
    lint(&file, Machine::X86_64, &TestHost)
}

const A: &str = "-a always,exit -F arch=b64 -S openat";
const KEYED: &str =
    "-w /etc/a -p wa -k a\n-w /etc/b -p wa -k b\n-w /etc/c -p wa -k c\n-w /etc/d -p wa -k d\n";

/// (code, text that makes it fire, corrected text that keeps it quiet).
fn cases() -> Vec<(&'static str, String, String)> {
    let many = (0..64).map(|i| format!(" -F a0!={i}")).collect::<String>();
    let few = (0..10).map(|i| format!(" -F a0!={i}")).collect::<String>();
    let long = "k".repeat(250);
    let c = |code, bad: &str, good: &str| (code, bad.to_string(), good.to_string());
    vec![
        c(
            "AR001",
            "-a always,exit -F foo=1",
            "-a always,exit -F arch=b64 -S open -F uid=1",
        ),
        c(
            "AR101",
            "-a always,io_uring -S 1",
            "-a always,exit -F arch=b64 -S 1",
        ),
        c(
            "AR102",
            "-a possible,exit -F arch=b64 -S open",
            "-a always,exit -F arch=b64 -S open",
        ),
        c("AR103", "-a never,task -S open", "-a never,task -F uid=0"),
        c(
            "AR104",
            "-a always,exit -F arch=aarch64 -S open",
            "-a always,exit -F arch=aarch64 -S openat",
        ),
        c(
            "AR105",
            "-a never,task -C uid!=euid",
            "-a always,exit -F arch=b64 -S execve -C uid!=euid",
        ),
        c(
            "AR106",
            "-a always,exit -F arch=b64 -S execve -C uid!=gid",
            "-a always,exit -F arch=b64 -S execve -C uid!=euid",
        ),
        c(
            "AR107",
            "-a always,exit -p wa",
            "-a always,exit -F path=/etc/passwd -p wa",
        ),
        c(
            "AR108",
            "-a always,exit -k x -F arch=b64 -S open",
            "-a always,exit -F arch=b64 -S open -k x",
        ),
        (
            "AR109",
            format!("{A} -k {long} -k {long}"),
            format!("{A} -k {long}"),
        ),
        c(
            "AR110",
            "-a never,exclude -F exe=/bin/x -k k",
            "-a never,exclude -F exe=/bin/x",
        ),
        ("AR111", format!("{A}{many}"), format!("{A}{few}")),
        c(
            "AR112",
            "-a always,exit -F arch=b64 -S pread64",
            "-a always,exit -F arch=b64 -S pread",
        ),
        c(
            "AR113",
            "-a always,exit -F arch=b64 -S no_such_call",
            "-a always,exit -F arch=b64 -S openat",
        ),
        c(
            "AR120",
            "-a always,user -F path=/etc/passwd",
            "-a always,user -F uid=0",
        ),
        c(
            "AR121",
            "-a always,exit -F arch=b64 -S open -F exe>/bin/x",
            "-a always,exit -F arch=b64 -S open -F exe=/bin/x",
        ),
        c(
            "AR122",
            "-a never,exclude -F euid=0",
            "-a never,exclude -F uid=0",
        ),
        c(
            "AR123",
            "-a always,exit -F arch=b64 -S open -F uid=bob",
            "-a always,exit -F arch=b64 -S open -F uid=alice",
        ),
        c(
            "AR124",
            "-a always,exit -F arch=b64 -S open -F gid=wheel",
            "-a always,exit -F arch=b64 -S open -F gid=root",
        ),
        c(
            "AR125",
            "-a always,exit -F arch=b64 -S open -F exit=-ENOPE",
            "-a always,exit -F arch=b64 -S open -F exit=-EPERM",
        ),
        c(
            "AR126",
            "-a always,exit -F arch=b64 -S open -F msgtype=SYSCALL",
            "-a never,exclude -F msgtype=SYSCALL",
        ),
        c(
            "AR127",
            "-a never,exclude -F msgtype=NOPE",
            "-a never,exclude -F msgtype=CWD",
        ),
        (
            "AR128",
            format!(
                "-a always,exit -F arch=b64 -S open -F path=/{}",
                "p".repeat(5000)
            ),
            "-a always,exit -F arch=b64 -S open -F path=/p".to_string(),
        ),
        c(
            "AR129",
            "-a always,exit -S open -F arch=b64",
            "-a always,exit -F arch=b64 -S open",
        ),
        c(
            "AR130",
            "-a always,exit -F arch=sparc -S open",
            "-a always,exit -F arch=b32 -S open",
        ),
        c(
            "AR131",
            "-a always,exit -F arch=b64 -F path=/etc/passwd -F perm=rq",
            "-a always,exit -F arch=b64 -F path=/etc/passwd -F perm=r",
        ),
        c(
            "AR132",
            "-a always,exit -F arch=b64 -S open -F filetype=dirr",
            "-a always,exit -F arch=b64 -S open -F filetype=dir",
        ),
        c(
            "AR133",
            "-a always,exit -F arch=b64 -S open -F fstype=tracefs",
            "-a never,filesystem -F fstype=tracefs",
        ),
        c(
            "AR134",
            "-a never,filesystem -F fstype=ext9",
            "-a never,filesystem -F fstype=debugfs",
        ),
        c(
            "AR135",
            "-a always,exit -F arch=b64 -S open -F a0=abc",
            "-a always,exit -F arch=b64 -S open -F a0=0xabc",
        ),
        c(
            "AR136",
            "-a always,exit -F arch=b64 -S connect -F saddr_fam=99",
            "-a always,exit -F arch=b64 -S connect -F saddr_fam=2",
        ),
        (
            "AR137",
            format!("-w /etc/{} -p wa", "n".repeat(300)),
            "-w /etc/n -p wa".to_string(),
        ),
        c(
            "AR140",
            "-a never,filesystem -F fstype=tracefs -F uid=0",
            "-a never,filesystem -F fstype=tracefs",
        ),
        c(
            "AR141",
            "-a always,exit -F arch=b64 -S open -F uid&1",
            "-a always,exit -F arch=b64 -S open -F a1&1",
        ),
        c(
            "AR142",
            "-a always,exit -F arch=b64 -S open -F auid>=unset",
            "-a always,exit -F arch=b64 -S open -F auid!=unset",
        ),
        c(
            "AR143",
            "-a always,exit -F arch=b64 -S open -F uid=-1",
            "-a always,exit -F arch=b64 -S open -F auid=-1",
        ),
        c(
            "AR144",
            "-a always,exit -F arch=b64 -S open -F path!=/etc/passwd",
            "-a always,exit -F arch=b64 -S open -F path=/etc/passwd",
        ),
        c(
            "AR145",
            "-a always,exit -F arch=b64 -S open -F path=etc/passwd",
            "-a always,exit -F arch=b64 -S open -F path=/etc/passwd",
        ),
        c(
            "AR146",
            "-a always,exit -F arch=b64 -F path=/etc/passwd -F dir=/etc -F perm=w",
            "-a always,exit -F arch=b64 -F dir=/etc -F perm=w",
        ),
        c(
            "AR147",
            "-a always,exit -F arch=b64 -S open -F exe=/a -F exe=/b",
            "-a always,exit -F arch=b64 -S open -F exe=/a",
        ),
        c(
            "AR201",
            "-a always,exit -S openat",
            "-a always,exit -F arch=b64 -S openat",
        ),
        c(
            "AR202",
            "-a always,exit -F arch=b64 -S chmod",
            "-a always,exit -F arch=b64 -S chmod\n-a always,exit -F arch=b32 -S chmod",
        ),
        c(
            "AR203",
            "-a always,exit -F arch=b64 -S open -F perm=w",
            "-a always,exit -F arch=b64 -S open -F path=/etc/passwd -F perm=w",
        ),
        c(
            "AR204",
            "-a always,exit -F path=/etc/passwd -F perm=w",
            "-a always,exit -F arch=b64 -F path=/etc/passwd -F perm=w",
        ),
        c(
            "AR205",
            "-w /etc/passwd -p wa -F uid=0",
            "-w /etc/passwd -p wa",
        ),
        (
            "AR206",
            format!("{KEYED}-w /etc/e -p wa"),
            format!("{KEYED}-w /etc/e -p wa -k e"),
        ),
        c(
            "AR207",
            "-w /etc/passwd -p wa -k a\u{1}b",
            "-w /etc/passwd -p wa -k a -k b",
        ),
        c(
            "AR208",
            "-w /etc/passwd -p wa\n-w /etc/passwd -p wa",
            "-w /etc/passwd -p wa\n-w /etc/passwd -p r",
        ),
        (
            "AR209",
            format!("-a never,exit -F arch=b64 -S all -F auid=unset\n{A} -F auid=unset -k k"),
            format!("{A} -F auid=unset -k k\n-a never,exit -F arch=b64 -S all -F auid=unset"),
        ),
        c(
            "AR210",
            "-a always,exit -F arch=b64 -S open -F uid=0 -F uid=1",
            "-a always,exit -F arch=b64 -S open -F uid=0 -F gid=1",
        ),
        c(
            "AR211",
            "-e 2\n-w /etc/passwd -p wa",
            "-w /etc/passwd -p wa\n-e 2",
        ),
        c("AR212", "-e 1\n-e 1", "-e 1"),
        c(
            "AR213",
            "-w /etc/passwd -p wa\n-D",
            "-D\n-w /etc/passwd -p wa",
        ),
        c("AR214", "-b 320", "-b 8192"),
        c("AR215", "-f 2", "# panic on failure is intended here\n-f 2"),
        c(
            "AR216",
            "-w /missing/dir/file -p wa",
            "-w /etc/passwd -p wa",
        ),
        c(
            "AR217",
            "-a always,exit -F arch=b64 -S all -F uid=0",
            "-a always,exit -F arch=b64 -S openat -F uid=0",
        ),
        c(
            "AR218",
            "-a exit,always -F arch=b64 -S open",
            "-a always,exit -F arch=b64 -S open",
        ),
        c("AR219", "-w /etc/missingfile -p wa", "-w /etc/passwd -p wa"),
        c(
            "AR221",
            "-a always,exit -F arch=b64 -S open -F auid>=1000",
            "-a always,exit -F arch=b64 -S open -F auid>=1000 -F auid!=unset",
        ),
        c("AR222", "-w /etc/passwd -p wa\r", "-w /etc/passwd -p wa"),
        c(
            "AR224",
            "-a always,exit -F arch=b64 -S open -F path=/etc/passwd -p r",
            "-a always,exit -F arch=b64 -S open -F path=/etc/passwd -F perm=r",
        ),
        c("AR225", "-w /etc/*.conf -p wa", "-w /etc/passwd -p wa"),
    ]
}

#[test]
fn every_check_fires_and_stays_quiet() {
    let mut problems = Vec::new();
    for (code, bad, good) in cases() {
        let fired = findings(&bad);
        if !fired.iter().any(|f| f.code == code) {
            problems.push(format!("{code} did not fire on {bad:?}: {fired:#?}"));
        }
        let quiet = findings(&good);
        if let Some(f) = quiet.iter().find(|f| f.code == code) {
            problems.push(format!("{code} fired on the corrected {good:?}: {f}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn finding_display_has_place_code_and_fix() {
    let f = findings("-a always,exit -F foo=1");
    assert_eq!(
        f[0].to_string(),
        "t.rules:1:19: error[AR001]: expected a field name after -F, found \"foo\" (fix: correct the syntax (see auditctl(8)))"
    );
}

/// The catalogue (`auditkit_rules::codes::CODES`) is complete and each of
/// its entries has its case above: every code the sources report is in it,
/// every entry has a case that fires it, and each finding has the
/// catalogue's severity.
#[test]
fn catalogue_matches_the_checks() {
    use auditkit_rules::codes::{code, CODES};
    let listed: Vec<&str> = CODES.iter().map(|c| c.code).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(listed, sorted, "one entry per code, in order");
    let tested: Vec<&str> = cases().iter().map(|c| c.0).collect();
    assert_eq!(tested, listed, "a case for every entry, none without one");
    // Every "ARnnn" string in the sources (the catalogue aside) is a
    // catalogue entry, and every entry is reported somewhere.
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut used = std::collections::BTreeSet::new();
    for e in fs::read_dir(&src).expect("src").flatten() {
        if e.file_name() == "codes.rs" {
            continue;
        }
        let text = fs::read_to_string(e.path()).unwrap_or_default();
        for (i, _) in text.match_indices("\"AR") {
            let c = &text[i + 1..(i + 6).min(text.len())];
            if c.len() == 5 && c[2..].bytes().all(|b| b.is_ascii_digit()) {
                used.insert(c.to_string());
            }
        }
    }
    for c in &used {
        assert!(
            code(c).is_some(),
            "{c} is reported but not in the catalogue"
        );
    }
    assert_eq!(used.len(), CODES.len(), "{used:?}");
    for (c, bad, _) in cases() {
        let want = code(c).unwrap().severity;
        for f in findings(&bad).iter().filter(|f| f.code == c) {
            assert_eq!(f.severity, want, "{c} on {bad:?}");
        }
    }
}
