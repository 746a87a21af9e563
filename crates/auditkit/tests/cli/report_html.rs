//! `auditkit report --html FILE` on real logs.
//!
//! * Every command the page prints with a count (`<code class="cmd"
//!   data-n=N data-unit=U>` and the tooltips' `total: N U` / `$ CMD`) is
//!   run in bash, as a reader would paste it, with `--count` (events) or
//!   `--format raw` (records of the `-m` types): it must find what the
//!   chart counts.
//! * Text from the log is escaped: a `comm=` or `exe=` holding markup
//!   shows as text, never as markup.
//! * The page renders in Debian's headless chromium with no console
//!   message at all (it has no script, so any message is an error; a
//!   control page with a script error checks that they are caught), is
//!   well-formed XML (a broken SVG element would not be), loads nothing,
//!   and a screenshot is kept under `target/html-report/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use auditkit_testsupport::fs::TempDir;
use auditkit_testsupport::paths::EXAMPLE_RULES as GEN_RULES;
use auditkit_testsupport::paths::{self, root_path};

/// Render `logs` into `out`.
fn render(logs: &[PathBuf], out: &Path) -> String {
    let mut r = auditkit!("report", "--html", out);
    for l in logs {
        r = r.arg("-if").arg(l);
    }
    let o = r.output();
    assert!(
        o.status.success(),
        "report --html {logs:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read_to_string(out).expect("the page")
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A command of the page and the count it claims.
#[derive(Debug)]
struct Claim {
    cmd: String,
    n: u64,
    records: bool,
}

/// The commands with counts: visible ones and the tooltips of buckets.
fn claims(page: &str) -> Vec<Claim> {
    let mut out = Vec::new();
    let mut rest = page;
    let tag = "<code class=\"cmd\" data-n=\"";
    while let Some(i) = rest.find(tag) {
        rest = &rest[i + tag.len()..];
        let (n, r) = rest.split_once('"').expect("data-n");
        let unit = r
            .strip_prefix(" data-unit=\"")
            .and_then(|r| r.split_once('"'))
            .map(|(u, _)| u)
            .expect("data-unit");
        let body = &r[r.find('>').expect("code") + 1..];
        let cmd = &body[..body.find("</code>").expect("</code>")];
        out.push(Claim {
            cmd: unescape(cmd),
            n: n.parse().expect("a number"),
            records: unit == "records",
        });
    }
    for t in page.split("<title>").skip(1) {
        let t = &t[..t.find("</title>").unwrap_or(t.len())];
        let lines: Vec<&str> = t.lines().collect();
        let total = lines.iter().find_map(|l| l.strip_prefix("total: "));
        let cmd = lines.iter().find_map(|l| l.strip_prefix("$ "));
        if let (Some(total), Some(cmd)) = (total, cmd) {
            let (n, unit) = total.split_once(' ').expect("N unit");
            out.push(Claim {
                cmd: unescape(cmd),
                n: n.replace(',', "").parse().expect("a number"),
                records: unit == "records",
            });
        }
    }
    out
}

/// Run a command of the page in bash with the built binary first on PATH.
fn run_claim(c: &Claim) -> u64 {
    let bin = Path::new(env!("CARGO_BIN_EXE_auditkit"));
    let path = format!(
        "{}:{}",
        bin.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let line = if c.records {
        format!("{} --format raw", c.cmd)
    } else {
        format!("{} --count", c.cmd)
    };
    let o = Command::new("bash")
        .args(["-c", &line])
        .env("PATH", path)
        .env("LC_ALL", "C")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("bash");
    let out = String::from_utf8_lossy(&o.stdout);
    if !c.records {
        // --count prints the number (exit 1 and 0 when nothing matched).
        return out.trim().parse().unwrap_or_else(|_| {
            panic!(
                "{line}: {out:?} {}",
                String::from_utf8_lossy(&o.stderr).trim()
            )
        });
    }
    // Records: the lines of the -m types (all lines without -m).
    let types: Option<Vec<String>> = c.cmd.split_once(" -m ").map(|(_, t)| {
        t.split(' ')
            .next()
            .unwrap_or("")
            .split(',')
            .map(str::to_string)
            .collect()
    });
    out.lines()
        .filter(|l| {
            let ty = l
                .split(' ')
                .find_map(|w| w.strip_prefix("type="))
                .unwrap_or("");
            types.as_ref().is_none_or(|ts| ts.iter().any(|t| t == ty))
        })
        .count() as u64
}

/// Logs with something for every panel between them: real auditd (with
/// node=), failed logins, anomalies, configuration changes, errnos.
fn varied_logs() -> Vec<PathBuf> {
    let mut v = paths::example_logs();
    for rel in [
        "logs/go-libaudit/auparse/testdata/audit-ubuntu16.log",
        "logs/go-libaudit/auparse/testdata/audit-rhel7.log",
        "logs/laurel/src/testdata/record-anom-promiscuous.txt",
        "logs/audit-userspace/auparse/test/test4.log",
        "logs/beats-filebeat-auditd/filebeat/module/auditd/log/test/audit-cent7-node.log",
        "logs/laurel/src/testdata/record-syscall-key.txt",
    ] {
        v.push(paths::corpus_path(rel));
    }
    v
}

#[test]
fn html_commands_find_what_the_charts_count() {
    require!(corpus);
    require!(tool "bash");
    let dir = TempDir::new("html-cmds");
    let mut checked = 0;
    let mut kinds = std::collections::BTreeSet::new();
    for (i, log) in varied_logs().iter().enumerate() {
        let page = render(
            std::slice::from_ref(log),
            &dir.path().join(format!("{i}.html")),
        );
        let cs = claims(&page);
        assert!(
            cs.len() >= 5,
            "{}: only {} commands",
            log.display(),
            cs.len()
        );
        for c in &cs {
            let got = run_claim(c);
            assert_eq!(
                got,
                c.n,
                "{}: the page says {} {} for\n  {}",
                log.display(),
                c.n,
                if c.records { "records" } else { "events" },
                c.cmd
            );
            checked += 1;
            for k in [
                "-ts",
                "--where",
                "-m",
                "--node",
                "key =",
                "exe =",
                "raw(auid)",
                "SYSCALL.exit",
                "addr =",
            ] {
                if c.cmd.contains(k) {
                    kinds.insert(k);
                }
            }
        }
    }
    // With --node, every command keeps to that node.
    // (two logs of different nodes, one selected)
    let node_log = paths::example_logs()[2].clone();
    let other = paths::corpus_path(
        "logs/beats-filebeat-auditd/filebeat/module/auditd/log/test/audit-cent7-node.log",
    );
    let out = dir.path().join("node-only.html");
    // Oldest first, as rotated logs are read: with -ts, search skips the
    // inputs before the one the start time falls in.
    let o = auditkit!("report", "--node", "akgen-node", "--html", &out)
        .arg("-if")
        .arg(&other)
        .arg("-if")
        .arg(&node_log)
        .output();
    assert!(o.status.success());
    let page = std::fs::read_to_string(&out).unwrap();
    for c in claims(&page) {
        assert!(c.cmd.contains("node = \"akgen-node\""), "{}", c.cmd);
        assert_eq!(run_claim(&c), c.n, "--node: {}", c.cmd);
    }
    // Every kind of command was tried on some log.
    assert_eq!(kinds.len(), 9, "{kinds:?}");
    assert!(checked > 100, "{checked}");
}

#[test]
fn html_escapes_text_from_the_log() {
    let dir = TempDir::new("html-esc");
    let log = dir.path().join("evil.log");
    // exe= with a space is hex as the kernel writes it:
    // "/tmp/<img src=x onerror=alert(1)>".
    let exe_hex: String = "/tmp/<img src=x onerror=alert(1)>"
        .bytes()
        .map(|b| format!("{b:02X}"))
        .collect();
    let text = format!(
        "type=ANOM_ABEND msg=audit(1700000000.000:1): auid=1000 uid=1000 gid=1000 ses=1 pid=42 comm=\"<script>alert(1)</script>\" exe={exe_hex} sig=11 res=1\n\
         type=SYSCALL msg=audit(1700000001.000:2): arch=c000003e syscall=59 success=no exit=-13 a0=0 a1=0 a2=0 a3=0 items=0 ppid=1 pid=43 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"<script>\" exe={exe_hex} key=\"<u>k'\"\n"
    );
    std::fs::write(&log, text).unwrap();
    let page = render(&[log], &dir.path().join("evil.html"));
    assert!(!page.contains("<script"), "raw <script> in the page");
    assert!(!page.contains("<img"), "raw <img> in the page");
    assert!(!page.contains("<u>"), "raw <u> in the page");
    assert!(page.contains("comm=&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;"));
    assert!(page.contains("/tmp/&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("&lt;u&gt;k'"));
}

/// Runs chromium headless on `url`; gives (stdout, stderr).
fn chromium(args: &[&str], url: &str, profile: &Path) -> (String, String) {
    let o = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("chromium");
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// What chromium's log says the page printed on its console.
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

#[test]
fn html_renders_in_chromium() {
    require!(corpus);
    require!(tool "chromium");
    require!(tool "python3");
    let dir = TempDir::new("html-chromium");
    let profile = dir.path().join("profile");
    // The detector works: a page with a script error is caught.
    let bad = dir.path().join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><body><script>console.error('x'); nosuchfn();</script></body></html>",
    )
    .unwrap();
    let (_, err) = chromium(
        &["--dump-dom"],
        &format!("file://{}", bad.display()),
        &profile,
    );
    assert_eq!(
        console_lines(&err).len(),
        2,
        "the control page's errors: {err}"
    );

    let shots = root_path("target/html-report");
    std::fs::create_dir_all(&shots).unwrap();
    let mut all = paths::corpus_logs();
    all.extend(paths::example_logs());
    let cases: Vec<(&str, Vec<PathBuf>)> = vec![
        ("node", vec![paths::example_logs()[2].clone()]),
        ("corpus", all),
    ];
    for (name, logs) in cases {
        let out = shots.join(format!("{name}.html"));
        let page = render(&logs, &out);
        assert!(page.len() < 2 << 20, "{name}: {} bytes", page.len());
        // Nothing to load: no script, no link, no url(), no src.
        for bad in [
            "<script", "<link", "src=\"", "url(", "@import", "http://", "https://",
        ] {
            let hit = page.match_indices(bad).any(|(i, _)| {
                // The SVG namespace is a name, not a load.
                !page[i..].starts_with("http://www.w3.org/2000/svg")
            });
            assert!(!hit, "{name}: the page has {bad}");
        }
        // Well-formed XML: every SVG element closed, every entity known.
        let xml = Command::new("python3")
            .args([
                "-c",
                "import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); \
                 print(len(d.getElementsByTagName('svg')), len(d.getElementsByTagName('rect')))",
            ])
            .arg(&out)
            .output()
            .expect("python3");
        assert!(
            xml.status.success(),
            "{name}: not well-formed: {}",
            String::from_utf8_lossy(&xml.stderr)
        );
        let counts = String::from_utf8_lossy(&xml.stdout).trim().to_string();
        let url = format!("file://{}", out.display());
        let (dom, err) = chromium(&["--dump-dom"], &url, &profile);
        assert!(console_lines(&err).is_empty(), "{name}: {err}");
        // The browser built the same SVG elements the file has.
        let n_svg = dom.matches("<svg").count();
        let n_rect = dom.matches("<rect").count();
        assert_eq!(format!("{n_svg} {n_rect}"), counts, "{name}");
        assert!(n_svg >= 8, "{name}: {n_svg} charts");
        let png = shots.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&png);
        let (_, err) = chromium(
            &[
                "--window-size=1400,9000",
                &format!("--screenshot={}", png.display()),
            ],
            &url,
            &profile,
        );
        assert!(console_lines(&err).is_empty(), "{name}: {err}");
        let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
        // A blank page of that size is about 40 KB; charts make more.
        assert!(size > 150_000, "{name}: screenshot of {size} bytes");
    }
}

#[test]
fn html_noise_panel_has_the_suggestions_of_the_text_report() {
    let dir = TempDir::new("html-noise");
    let rules = dir.path().join("gen.rules");
    std::fs::write(&rules, GEN_RULES).unwrap();
    let log = root_path("examples/raw.log");
    let text = auditkit!("report", "--noise", "--rules", &rules, "-if", &log).output();
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("-A never")).collect();
    assert!(lines.len() >= 2, "{text}");
    let out = dir.path().join("noise.html");
    let o = auditkit!("report", "--noise", "--rules", &rules, "-if", &log, "--html", &out).output();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = std::fs::read_to_string(&out).unwrap();
    for l in lines {
        assert!(
            page.contains(&l.replace('"', "&quot;")),
            "{l} is not on the page"
        );
    }
    // Without --noise the panel says how to get it.
    let plain = render(&[log], &dir.path().join("plain.html"));
    assert!(plain.contains("Not analysed in this report"));
}

#[test]
fn html_refuses_the_options_of_a_text_report() {
    let dir = TempDir::new("html-refuse");
    let out = dir.path().join("x.html");
    let log = root_path("examples/raw.log");
    for opt in ["--failed", "--summary", "-i", "--add"] {
        let o = auditkit!("report", "--html", &out, opt, "-if", &log).output();
        assert_eq!(o.status.code(), Some(1), "{opt}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("--html takes"),
            "{opt}"
        );
    }
}
