//! `--passwd FILE` and `--group FILE` govern the names of the criteria
//! (`-ui/-ue/-ua/-ul NAME`, `-gi/-ge/-ga NAME`), not only the names printed
//! by `-i`: a log from another host is searched with that host's accounts.
//! Checked on a log written by real auditd (`examples/raw.log`, where uid
//! and gid 1500 are a person of the machine it came from), against
//! ausearch's numeric search for the same id.

use std::path::{Path, PathBuf};
use std::process::Output;

use auditkit_testsupport::fs::TempDir;
use auditkit_testsupport::paths;
use auditkit_testsupport::run::{text, Run};

fn log() -> PathBuf {
    paths::root_path("examples/raw.log")
}

fn search(args: &[&str]) -> Output {
    auditkit!("search").args(args).output()
}

/// Another host's passwd and group files: `auditkit-probe` is uid 1500
/// and `auditkit-probes` gid 1500; `passwd2` names uid 1500 `messagebus`,
/// a name this host has too (uid 100 on Debian).
fn other_host() -> TempDir {
    let d = TempDir::new("names");
    std::fs::write(
        d.join("passwd"),
        "root:x:0:0:root:/root:/bin/bash\n\
         auditkit-probe:x:1500:1500::/home/p:/bin/bash\n\
         messagebus:x:1500:1500::/:/bin/sh\n",
    )
    .unwrap();
    std::fs::write(d.join("passwd2"), "messagebus:x:1500:1500::/:/bin/sh\n").unwrap();
    std::fs::write(d.join("group"), "root:x:0:\nauditkit-probes:x:1500:\n").unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn uid_names_come_from_passwd_file() {
    require!(tool "ausearch");
    let dir = other_host();
    let passwd = dir.join("passwd");
    let log = log();
    let by_number = search(&["-if", s(&log), "-ui", "1500", "--format", "raw"]);
    assert!(by_number.status.success());
    assert!(
        !by_number.stdout.is_empty(),
        "the log has events of uid 1500"
    );
    let ausearch = Run::new("ausearch")
        .args(["-if", s(&log), "-ui", "1500", "--format", "raw"])
        .output();
    assert_eq!(
        text(&ausearch.stdout),
        text(&by_number.stdout),
        "ausearch -ui 1500"
    );
    for (name, file) in [
        ("auditkit-probe", &passwd),
        ("messagebus", &dir.join("passwd2")),
    ] {
        let by_name = search(&[
            "-if",
            s(&log),
            "-ui",
            name,
            "--passwd",
            s(file),
            "--format",
            "raw",
        ]);
        assert!(
            by_name.status.success(),
            "{name}: {}",
            text(&by_name.stderr)
        );
        assert_eq!(
            text(&by_name.stdout),
            text(&by_number.stdout),
            "-ui {name} with --passwd finds uid 1500's events"
        );
    }
    // ausearch compares the event's uid by name (getpwuid), and the first
    // entry of uid 1500 is auditkit-probe: the second name matches nothing.
    let second = search(&["-if", s(&log), "-ui", "messagebus", "--passwd", s(&passwd)]);
    assert_eq!(second.status.code(), Some(1));
    assert!(second.stdout.is_empty());
    // The option may come after the criterion.
    let late = search(&[
        "-if",
        s(&log),
        "--format",
        "raw",
        "-ui",
        "auditkit-probe",
        "--passwd",
        s(&passwd),
    ]);
    assert_eq!(late.stdout, by_number.stdout);
    // The last -ui wins, whether a number or a name.
    let root = search(&["-if", s(&log), "-ui", "0", "--format", "raw"]);
    assert!(!root.stdout.is_empty() && root.stdout != by_number.stdout);
    for (first, second, want) in [
        ("auditkit-probe", "0", &root),
        ("0", "auditkit-probe", &by_number),
    ] {
        let o = search(&[
            "-if",
            s(&log),
            "-ui",
            first,
            "-ui",
            second,
            "--passwd",
            s(&passwd),
            "--format",
            "raw",
        ]);
        assert_eq!(o.stdout, want.stdout, "-ui {first} -ui {second}");
    }
}

#[test]
fn login_uid_and_gid_names_come_from_the_files() {
    let dir = other_host();
    let (passwd, group) = (dir.join("passwd"), dir.join("group"));
    let log = log();
    for (opt, name, number, file_opt, file) in [
        ("-ul", "auditkit-probe", "1500", "--passwd", &passwd),
        ("-ua", "auditkit-probe", "1500", "--passwd", &passwd),
        ("-gi", "auditkit-probes", "1500", "--group", &group),
    ] {
        let by_number = search(&["-if", s(&log), opt, number, "--format", "raw"]);
        assert!(!by_number.stdout.is_empty(), "{opt} {number} finds events");
        let by_name = search(&[
            "-if",
            s(&log),
            file_opt,
            s(file),
            opt,
            name,
            "--format",
            "raw",
        ]);
        assert!(
            by_name.status.success(),
            "{opt} {name}: {}",
            text(&by_name.stderr)
        );
        assert_eq!(by_name.stdout, by_number.stdout, "{opt} {name}");
    }
}

#[test]
fn a_name_missing_from_the_file_is_unknown() {
    let dir = other_host();
    let passwd = dir.join("passwd");
    // `daemon` exists on this host but not in the other host's file.
    let o = search(&["-if", s(&log()), "-ui", "daemon", "--passwd", s(&passwd)]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr).trim(),
        "Effective user ID is non-numeric and unknown (daemon)"
    );
    let o = search(&["-if", s(&log()), "-gi", "auditkit-probes"]);
    assert_eq!(
        text(&o.stderr).trim(),
        "Group ID is non-numeric and unknown (auditkit-probes)",
        "without --group, this host's groups"
    );
    let o = search(&[
        "-if",
        s(&log()),
        "-ui",
        "x",
        "--passwd",
        s(&dir.join("missing")),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("missing"));
}
