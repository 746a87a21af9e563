//! `version_cmp` against the real `sort -V` (GNU coreutils) on tricky names.

use std::io::Write;
use std::process::{Command, Stdio};

use auditkit_rules::version_cmp;
use auditkit_testsupport::skip;

fn real_sort_v(names: &[String]) -> Option<Vec<String>> {
    let mut child = Command::new("sort")
        .arg("-V")
        .env("LC_ALL", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut input = String::new();
    for n in names {
        input.push_str(n);
        input.push('\n');
    }
    child.stdin.take()?.write_all(input.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    Some(
        String::from_utf8(out.stdout)
            .ok()?
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

fn check(names: Vec<String>) {
    let Some(expected) = real_sort_v(&names) else {
        skip("sort -V is not available (apt-get install coreutils)");
        return;
    };
    let mut ours = names;
    ours.sort_by(|a, b| version_cmp(a, b));
    if let Some(i) = (0..ours.len()).find(|&i| ours[i] != expected[i]) {
        let lo = i.saturating_sub(2);
        panic!(
            "first difference at {i}: ours {:?}, sort -V {:?}",
            &ours[lo..(i + 3).min(ours.len())],
            &expected[lo..(i + 3).min(expected.len())]
        );
    }
    assert_eq!(ours.len(), expected.len());
}

#[test]
fn tricky_rule_file_names() {
    let names = [
        "10-base-config.rules",
        "10-no-audit.rules",
        "11-loginuid.rules",
        "2-x.rules",
        "02-x.rules",
        "002-x.rules",
        "9.rules",
        "09.rules",
        "99-finalize.rules",
        "100-late.rules",
        "a.rules",
        "A.rules",
        "a~.rules",
        "a~b.rules",
        "a-1.rules",
        "a-1.10.rules",
        "a-1.9.rules",
        "a-1.9~rc1.rules",
        ".hidden.rules",
        ".",
        "..",
        "..x",
        "x.tar.gz",
        "x.tar",
        "x",
        "x1",
        "x01",
        "x001",
        "x10",
        "1.2.3",
        "1.2.10",
        "1.10",
        "1.010",
        "1.0010",
        "rules",
        "rules.d",
        "z_last.rules",
        "_first.rules",
        "-dash.rules",
        "~tilde.rules",
        "30-ospp-v42-1-create-failed.rules",
        "30-ospp-v42.rules",
        "30-ospp-v42-3-access-success.rules",
        "30-stig.rules",
        "30-pci-dss-v31.rules",
        "30-nispom.rules",
        "1a2b3c.rules",
        "1a2b03c.rules",
        "abc.1.rules",
        "abc.01.rules",
        "abc..rules",
        "abc.~.rules",
        "abc~~.rules",
        "abc.rules~",
        "x.y.z",
        "x.y1.z",
        "v1.2-rc1",
        "v1.2",
        "v1.2~rc1",
        "v1.2.rules",
        "0",
        "00",
        "000",
        "1",
        "01",
        "%",
        "a%b",
    ];
    check(names.iter().map(|s| s.to_string()).collect());
}

#[test]
fn generated_names() {
    // A small deterministic generator over the characters that matter.
    let alphabet = ['0', '1', '9', 'a', 'B', '.', '~', '-', '_', 'r'];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut names = Vec::new();
    for _ in 0..2000 {
        let mut s = String::new();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let len = 1 + (state % 7) as usize;
        for i in 0..len {
            let idx = ((state >> (i * 5)) % alphabet.len() as u64) as usize;
            s.push(alphabet[idx]);
        }
        if state.is_multiple_of(3) {
            s.push_str(".rules");
        }
        names.push(s);
    }
    names.sort();
    names.dedup();
    check(names);
}
