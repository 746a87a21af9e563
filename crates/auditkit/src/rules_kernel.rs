//! `auditkit rules loaded | diff | apply`: the rules in the running kernel,
//! read and changed over netlink (`auditkit-kernel`), never through
//! auditctl.
//!
//! - `loaded` prints the kernel's rules exactly as `auditctl -l` does
//!   (`--status` adds the lines of `auditctl -s`; `--format json`).
//! - `diff FILE|DIR` compares them, line for line, with what the file (or
//!   the rules.d directory, merged as augenrules does) would load into an
//!   empty kernel; exit 1 when they differ.
//! - `apply FILE|DIR` makes the kernel hold exactly that, atomically: the
//!   smallest set of deletions and additions, verified by listing again,
//!   and the previous rules restored byte for byte on any failure.
//!   `-e 2`/`-f 2` in the file are refused unless `--allow-immutable` /
//!   `--allow-panic` is given.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::flags::{render, rules, Id, Value};
use anyhow::{bail, Context};
use auditkit_kernel::{apply, plan, Allow, ApplyError, Audit, Desired, ListedRule, Status};
use auditkit_rules::{
    augenrules, canonical_with, parse_file, path_kind_of, AccountsHost, Host, Loaded, Machine,
    PrintState, Resolver, RuleFile,
};

/// The help of the subcommand `sub` (`loaded`, `diff`, `apply`),
/// generated from its flag table.
fn help(sub: &str) -> String {
    rules::subcommand(sub)
        .map(render::help)
        .unwrap_or_else(crate::rules_cmd::help)
}

/// Run `auditkit rules <sub> ARGS`.
pub fn main(sub: &str, args: &[OsString]) -> anyhow::Result<u8> {
    let opts = Opts::parse(sub, args)?;
    if opts.help {
        print!("{}", help(sub));
        return Ok(0);
    }
    match sub {
        "loaded" => loaded(&opts),
        "diff" => diff(&opts),
        "apply" => apply_cmd(&opts),
        other => bail!("unknown rules command '{other}'\n{}", help(other)),
    }
}

#[derive(Default)]
struct Opts {
    json: bool,
    status: bool,
    augenrules: bool,
    settings: bool,
    dry_run: bool,
    immutable: Allow,
    panic: Allow,
    help: bool,
    path: Option<PathBuf>,
}

impl Opts {
    /// Parse the arguments of `rules sub`: options are looked up in the
    /// subcommand's table ([`crate::flags::rules`]); `diff` and `apply`
    /// take one path (after `--` when it starts with `-`).
    fn parse(sub: &str, args: &[OsString]) -> anyhow::Result<Opts> {
        let Some(cmd) = rules::subcommand(sub) else {
            bail!(
                "unknown rules command '{sub}'\n{}",
                crate::rules_cmd::help()
            );
        };
        let mut o = Opts::default();
        let mut it = args.iter();
        let mut paths_only = false;
        while let Some(a) = it.next() {
            let s = a.to_str().unwrap_or("");
            if !paths_only && s == "--" {
                paths_only = true;
                continue;
            }
            if paths_only || !s.starts_with('-') {
                if matches!(sub, "diff" | "apply") && o.path.is_none() {
                    o.path = Some(PathBuf::from(a));
                    continue;
                }
                bail!("rules {sub}: unexpected argument {a:?}\n{}", help(sub));
            }
            let (name, inline) = match s.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n, Some(v)),
                _ => (s, None),
            };
            let Some(flag) = cmd.lookup(name) else {
                bail!("rules {sub}: unexpected argument {a:?}\n{}", help(sub));
            };
            let value = match flag.value {
                Value::None if inline.is_some() => {
                    bail!("rules {sub}: {name} takes no value")
                }
                Value::None => None,
                _ => match inline.or_else(|| it.next().and_then(|v| v.to_str())) {
                    Some(v) => Some(v),
                    None => bail!("rules {sub}: {name} needs a value"),
                },
            };
            match (flag.id, value) {
                (Id::Help, _) => o.help = true,
                (Id::Status, _) => o.status = true,
                (Id::LoadedFormat, Some("json")) => o.json = true,
                (Id::LoadedFormat, Some("text")) => o.json = false,
                (Id::LoadedFormat, other) => {
                    bail!("--format takes text or json, not {other:?}")
                }
                (Id::Augenrules, _) => o.augenrules = true,
                (Id::Settings, _) => o.settings = true,
                (Id::DryRun, _) => o.dry_run = true,
                (Id::AllowImmutable, _) => o.immutable = Allow::Permit,
                (Id::AllowPanic, _) => o.panic = Allow::Permit,
                // A flag of the table without a handler: the tests parse
                // every flag, so this is never reached.
                (other, _) => bail!("rules {sub}: {name} ({other:?}) is not handled (a bug)"),
            }
        }
        if matches!(sub, "diff" | "apply") && o.path.is_none() && !o.help {
            bail!(
                "rules {sub}: a rules FILE or rules.d DIR is needed\n{}",
                help(sub)
            );
        }
        Ok(o)
    }
}

fn open() -> anyhow::Result<Audit> {
    Audit::open(Machine::native()).context("talking to the kernel's audit subsystem (needs root)")
}

/// The rules loaded in the running kernel, as `auditctl -l` lists them
/// (for `rules check --loaded`).
pub fn loaded_listing(native: Machine) -> anyhow::Result<Vec<String>> {
    let mut audit =
        Audit::open(native).context("talking to the kernel's audit subsystem (needs root)")?;
    let rules = audit.list().context("listing the loaded rules")?;
    Ok(listing(&rules, native))
}

/// The listing as `auditctl -l` prints it (the arch state carries across
/// rules, as in auditctl); unreadable rules become comments.
fn listing(rules: &[ListedRule], native: Machine) -> Vec<String> {
    let mut st = PrintState::default();
    rules
        .iter()
        .map(|r| match &r.rule {
            Ok(k) => canonical_with(k, native, &mut st),
            Err(e) => format!("# a loaded rule auditkit cannot read: {e}"),
        })
        .collect()
}

fn loaded(o: &Opts) -> anyhow::Result<u8> {
    let mut audit = open()?;
    let native = audit.native();
    let rules = audit.list()?;
    let status = if o.status {
        Some((audit.status()?, audit.features().ok()))
    } else {
        None
    };
    let lines = listing(&rules, native);
    let mut out = String::new();
    if o.json {
        out.push('{');
        if let Some((s, _)) = &status {
            let _ = write!(
                out,
                "\"status\":{{\"enabled\":{},\"failure\":{},\"pid\":{},\"rate_limit\":{},\"backlog_limit\":{},\"lost\":{},\"backlog\":{},\"backlog_wait_time\":{}}},",
                s.enabled, s.failure, s.pid, s.rate_limit, s.backlog_limit, s.lost, s.backlog, s.backlog_wait_time
            );
        }
        out.push_str("\"rules\":[");
        for (i, (r, text)) in rules.iter().zip(&lines).enumerate() {
            if i > 0 {
                out.push(',');
            }
            match &r.rule {
                Ok(k) => {
                    let keys: Vec<String> = k.keys().iter().map(|k| json_str(k)).collect();
                    let _ = write!(
                        out,
                        "{{\"rule\":{},\"list\":\"{}\",\"action\":\"{}\",\"keys\":[{}]}}",
                        json_str(text),
                        k.list.name(),
                        k.action.name(),
                        keys.join(",")
                    );
                }
                Err(e) => {
                    let _ = write!(out, "{{\"error\":{}}}", json_str(&e.to_string()));
                }
            }
        }
        out.push_str("]}\n");
    } else {
        if let Some((s, f)) = &status {
            for l in s.auditctl_lines(f.as_ref()) {
                out.push_str(&l);
                out.push('\n');
            }
        }
        if lines.is_empty() {
            out.push_str("No rules\n");
        }
        for l in &lines {
            out.push_str(l);
            out.push('\n');
        }
    }
    write_stdout(&out)?;
    Ok(0)
}

fn write_stdout(s: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut w = std::io::stdout().lock();
    w.write_all(s.as_bytes())?;
    w.flush()?;
    Ok(())
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// The rules text of FILE, or of the rules.d DIR merged as augenrules does.
fn read_rules(path: &Path, augen: bool) -> anyhow::Result<(String, String)> {
    let name = path.display().to_string();
    let is_dir = path.is_dir();
    if augen && !is_dir {
        bail!("--augenrules needs a rules.d directory, {name} is not one");
    }
    if !is_dir {
        let text = fs::read_to_string(path).with_context(|| format!("reading {name}"))?;
        return Ok((name, text));
    }
    let mut files = Vec::new();
    for e in fs::read_dir(path).with_context(|| format!("reading {name}"))? {
        let e = e?;
        let fname = e.file_name().to_string_lossy().into_owned();
        if fname.ends_with(".rules") && e.path().is_file() {
            let text = fs::read_to_string(e.path())
                .with_context(|| format!("reading {}", e.path().display()))?;
            files.push((fname, text));
        }
    }
    Ok((name, augenrules(&files)))
}

/// Parse a rules file; syntax errors stop diff and apply.
fn parse(path: &Path, augen: bool) -> anyhow::Result<RuleFile> {
    let (name, text) = read_rules(path, augen)?;
    let (file, errors) = parse_file(&name, &text);
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("{name}:{e}");
        }
        bail!(
            "{name}: {} syntax error(s); nothing was compared or changed",
            errors.len()
        );
    }
    Ok(file)
}

fn diff(o: &Opts) -> anyhow::Result<u8> {
    let path = o.path.as_deref().unwrap_or(Path::new(""));
    let file = parse(path, o.augenrules)?;
    let host = system_host();
    let native = Machine::native();
    let mut want = Loaded::new();
    for (line, e) in want.load_file(
        &file,
        &Resolver {
            native,
            host: &host,
        },
    ) {
        eprintln!(
            "{}:{line}: would not load ({e:?}); left out of the comparison",
            file.name
        );
    }
    let want_lines = want.listing(native);
    let mut audit = open()?;
    let have = audit.list()?;
    let have_lines = listing(&have, native);
    let mut out = format!("--- loaded in the kernel\n+++ {}\n", file.name);
    let mut differ = false;
    for (tag, line) in line_diff(&have_lines, &want_lines) {
        differ |= tag != ' ';
        let _ = writeln!(out, "{tag}{line}");
    }
    if o.settings {
        let status = audit.status()?;
        let desired = Desired {
            settings: settings_of(&file, native, &host),
            ..Desired::default()
        };
        for step in plan(&[], &status, &desired, native).steps {
            if let auditkit_kernel::Step::Set(now, to) = step {
                differ = true;
                let _ = writeln!(out, "~{} (loaded: {})", to.as_line(), now.as_line());
            }
        }
    }
    if differ {
        write_stdout(&out)?;
        Ok(1)
    } else {
        eprintln!("{}: the kernel holds exactly these rules", file.name);
        Ok(0)
    }
}

/// The settings of a file, whatever its rules say.
fn settings_of(file: &RuleFile, native: Machine, host: &dyn Host) -> Vec<auditkit_kernel::Setting> {
    let settings_only = RuleFile {
        name: file.name.clone(),
        lines: file
            .lines
            .iter()
            .filter(|l| {
                !matches!(
                    l.kind,
                    auditkit_rules::LineKind::Command(auditkit_rules::Command::Rule(_))
                )
            })
            .cloned()
            .collect(),
    };
    Desired::from_file(&settings_only, &Resolver { native, host })
        .map(|d| d.settings)
        .unwrap_or_default()
}

/// A longest-common-subsequence line diff: ' ' same, '-' only loaded,
/// '+' only in the file; at a change, removals come first.
fn line_diff<'a>(a: &'a [String], b: &'a [String]) -> Vec<(char, &'a str)> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push((' ', a[i].as_str()));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(('-', a[i].as_str()));
            i += 1;
        } else {
            out.push(('+', b[j].as_str()));
            j += 1;
        }
    }
    out
}

fn apply_cmd(o: &Opts) -> anyhow::Result<u8> {
    let path = o.path.as_deref().unwrap_or(Path::new(""));
    let file = parse(path, o.augenrules)?;
    let host = system_host();
    let native = Machine::native();
    let desired = match Desired::from_file(
        &file,
        &Resolver {
            native,
            host: &host,
        },
    ) {
        Ok(d) => d,
        Err(problems) => {
            for p in &problems {
                eprintln!("{}:{}: {}", file.name, p.line, p.message);
            }
            bail!(
                "{}: {} rule(s) would not load; nothing was changed",
                file.name,
                problems.len()
            );
        }
    };
    for (line, text) in &desired.ignored {
        eprintln!(
            "{}:{line}: `{text}` is not applied by auditkit; use auditctl",
            file.name
        );
    }
    let mut audit = open()?;
    if o.dry_run {
        if let Some(s) = desired.refused(o.immutable, o.panic) {
            bail!(auditkit_kernel::Error::Refused(s));
        }
        let status: Status = audit.status()?;
        let p = plan(&audit.list()?, &status, &desired, native);
        print_plan(&p, native, "would change")?;
        return Ok(0);
    }
    match apply(&mut audit, &desired, native, o.immutable, o.panic) {
        Ok(p) => {
            print_plan(&p, native, "changed")?;
            Ok(0)
        }
        Err(e @ ApplyError::RollbackFailed { .. }) => {
            eprintln!("auditkit: CRITICAL: {e}");
            Ok(3)
        }
        Err(e) => Err(e.into()),
    }
}

fn print_plan(p: &auditkit_kernel::Plan, native: Machine, verb: &str) -> anyhow::Result<()> {
    let mut out = String::new();
    for l in p.lines(native) {
        out.push_str(&l);
        out.push('\n');
    }
    write_stdout(&out)?;
    let (mut del, mut add, mut set) = (0, 0, 0);
    for s in &p.steps {
        match s {
            auditkit_kernel::Step::Delete(..) => del += 1,
            auditkit_kernel::Step::Add(..) => add += 1,
            auditkit_kernel::Step::Set(..) => set += 1,
        }
    }
    eprintln!(
        "{verb}: {del} rule(s) deleted, {add} added, {} kept, {set} setting(s)",
        p.kept
    );
    Ok(())
}

/// This host as auditctl sees it: the local account files (not NSS: local
/// system accounts are what a server's audit rules name) and `stat`.
fn system_host() -> AccountsHost {
    AccountsHost {
        accounts: auditkit_host::HostPaths::this_host()
            .accounts()
            .unwrap_or_default(),
        paths: Box::new(|p| path_kind_of(fs::metadata(p))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn line_diff_marks_both_sides() {
        let a = s(&["x", "y", "z"]);
        let b = s(&["x", "z", "w"]);
        assert_eq!(
            line_diff(&a, &b),
            [(' ', "x"), ('-', "y"), (' ', "z"), ('+', "w")]
        );
        assert!(line_diff(&a, &a).iter().all(|(t, _)| *t == ' '));
        assert_eq!(line_diff(&[], &b).len(), 3);
    }

    #[test]
    fn options() {
        let a = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        let o = Opts::parse("apply", &a(&["--dry-run", "x.rules"])).unwrap();
        assert!(o.dry_run && o.immutable == Allow::Refuse && o.panic == Allow::Refuse);
        assert!(Opts::parse("apply", &a(&[])).is_err());
        assert!(Opts::parse("loaded", &a(&["--dry-run"])).is_err());
        assert!(
            Opts::parse("loaded", &a(&["--format", "json"]))
                .unwrap()
                .json
        );
        assert!(Opts::parse("diff", &a(&["a", "b"])).is_err());
    }

    /// Every flag of loaded, diff and apply parses in each spelling and
    /// sets what it names.
    #[test]
    fn every_kernel_flag_parses() {
        let a = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        for sub in ["loaded", "diff", "apply"] {
            let cmd = rules::subcommand(sub).expect(sub);
            for f in cmd.flags() {
                for name in f.names() {
                    let mut args = vec![name];
                    if f.value != Value::None {
                        args.push("json");
                    }
                    if sub != "loaded" {
                        args.push("x.rules");
                    }
                    let o = Opts::parse(sub, &a(&args)).unwrap_or_else(|e| panic!("{args:?}: {e}"));
                    let set = match f.id {
                        Id::Help => o.help,
                        Id::Status => o.status,
                        Id::LoadedFormat => o.json,
                        Id::Augenrules => o.augenrules,
                        Id::Settings => o.settings,
                        Id::DryRun => o.dry_run,
                        Id::AllowImmutable => o.immutable == Allow::Permit,
                        Id::AllowPanic => o.panic == Allow::Permit,
                        other => panic!("{sub}: {other:?} has no check here"),
                    };
                    assert!(set, "{args:?} set nothing");
                }
            }
        }
        let o = Opts::parse("diff", &a(&["--", "-odd.rules"])).unwrap();
        assert_eq!(o.path, Some(PathBuf::from("-odd.rules")));
        assert!(Opts::parse("loaded", &a(&["--format=json"])).unwrap().json);
        assert!(Opts::parse("loaded", &a(&["--status=yes"])).is_err());
    }

    #[test]
    fn json_escapes() {
        assert_eq!(json_str("a\"b\\c\u{1}"), "\"a\\\"b\\\\c\\u0001\"");
    }
}
