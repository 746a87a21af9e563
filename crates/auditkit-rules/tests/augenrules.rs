//! `augenrules()` against the real `augenrules` script of this host (run on
//! a copy whose rules directory and output file point into a temp dir),
//! once with each awk the host has: the script's output depends on it
//! (mawk, Debian's default, and gawk, which becomes `awk` when installed,
//! read `\s` differently). Skips without the script (a failure under
//! `AUDITKIT_REQUIRE_ORACLES=1`).

use std::fs;
use std::path::Path;
use std::process::Command;

use auditkit_rules::{augenrules_with, AugenrulesOptions};
use auditkit_testsupport::skip;

/// Run the host's augenrules on `files` with `awk` first on the PATH;
/// `None` when it is not installed.
fn real_augenrules(dir: &Path, awk: &Path, files: &[(String, String)]) -> Option<String> {
    let script = fs::read_to_string("/sbin/augenrules")
        .or_else(|_| fs::read_to_string("/usr/sbin/augenrules"))
        .ok()?;
    let rules_d = dir.join("rules.d");
    let _ = fs::remove_dir_all(&rules_d);
    fs::create_dir_all(&rules_d).ok()?;
    for (name, body) in files {
        fs::write(rules_d.join(name), body).ok()?;
    }
    let out = dir.join("audit.rules");
    let _ = fs::remove_file(&out);
    let patched = script
        .replace(
            "DestinationFile=/etc/audit/audit.rules",
            &format!("DestinationFile={}", out.display()),
        )
        .replace(
            "SourceRulesDir=/etc/audit/rules.d",
            &format!("SourceRulesDir={}", rules_d.display()),
        );
    assert_ne!(patched, script, "could not retarget the augenrules script");
    let copy = dir.join("augenrules.sh");
    fs::write(&copy, patched).ok()?;
    let bin = dir.join("bin");
    let _ = fs::remove_dir_all(&bin);
    fs::create_dir_all(&bin).ok()?;
    std::os::unix::fs::symlink(awk, bin.join("awk")).ok()?;
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = Command::new("sh")
        .arg(&copy)
        .env("LC_ALL", "C")
        .env("PATH", path)
        .output()
        .ok()?;
    assert!(
        status.status.success(),
        "augenrules failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let text = fs::read_to_string(&out).ok()?;
    // The real script writes its header with the real directory name.
    Some(text.replacen(&rules_d.display().to_string(), "/etc/audit/rules.d", 1))
}

fn f(name: &str, body: &str) -> (String, String) {
    (name.to_string(), body.to_string())
}

#[test]
fn same_output_as_the_real_script() {
    let dir = std::env::temp_dir().join(format!("auditkit-augenrules-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("temp dir");
    let cases: Vec<Vec<(String, String)>> = vec![
        vec![
            f("10-base-config.rules", "## comment\n-D\n-b 8192\n-f 1\n--backlog_wait_time 60000\n"),
            f("99-finalize.rules", "-e 2\n"),
            f("30-stig.rules", "-a always,exit -F arch=b64 -S adjtimex -k time-change\n\n   \n-w /etc/passwd -p wa -k identity\n"),
            f("9-early.rules", "-b 320\n-e 1\n-D -k mykey\n"),
            f("README-rules", "-w /should/not/appear\n"),
            f("100-late.rules", "-w /etc/late -p wa\n"),
            f(".hidden.rules", "-w /hidden -p wa\n"),
        ],
        vec![
            f("a.rules", "-w /a -p wa"),
            f("b.rules", "-w /b -p wa\r\n-e 1\r\n"),
            f("c.rules", "  # indented comment\n\t# tab comment\ns# s-comment\nss-e 2\n  -D  \n-D\n-Dx\n  -f 0\n"),
            f("a~1.rules", "-w /tilde -p wa\n"),
            f("01.rules", "-w /zero-one -p wa\n"),
            f("1.rules", "-w /one -p wa\n"),
            f("1.rules.bak", "-w /bak -p wa\n"),
        ],
        vec![],
        vec![f("x.rules", "")],
    ];
    // mawk is Debian's required awk; gawk is there when something pulled it in.
    let awks: Vec<(&Path, AugenrulesOptions)> = [("/usr/bin/mawk", false), ("/usr/bin/gawk", true)]
        .into_iter()
        .map(|(p, s)| {
            let opts = AugenrulesOptions {
                awk_knows_backslash_s: s,
                ..AugenrulesOptions::default()
            };
            (Path::new(p), opts)
        })
        .filter(|(p, _)| p.exists())
        .collect();
    if awks.is_empty() {
        skip("neither mawk nor gawk is installed");
        return;
    }
    for (awk, opts) in awks {
        for files in &cases {
            let Some(expected) = real_augenrules(&dir, awk, files) else {
                skip("augenrules is not installed (apt-get install auditd)");
                return;
            };
            assert_eq!(
                augenrules_with(files, opts),
                expected,
                "awk {}, files: {:?}",
                awk.display(),
                files.iter().map(|f| &f.0).collect::<Vec<_>>()
            );
        }
    }
    let _ = fs::remove_dir_all(&dir);
}
