//! `auditkit rules`: lint, format, check against a benchmark, generate.
//!
//! Reading files and the host happens here; everything else is
//! `auditkit_rules`. `loaded`, `diff` and `apply` (netlink) live in
//! `rules_kernel`.

mod target;

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use auditkit_host::HostPaths;
use auditkit_rules::check::CheckContext;
use auditkit_rules::generate::{harden, harden_groups, privileged_rules, HardenOptions};
use auditkit_rules::{
    augenrules, check, fmt, lint, parse_file, profile, version_cmp, Host, ItemResult, Layout,
    Machine, NoSystem, RuleSet, Severity, Status, System,
};

use target::{local_host, ConfigSystem, HostSystem};

/// `auditkit rules --help`.
pub const HELP: &str = "\
auditkit rules: lint, format, check and generate audit rules

Examples:
  auditkit rules lint /etc/audit/rules.d              # every pitfall, with a fix; exit 1 on errors
  auditkit rules fmt /etc/audit/rules.d/30-stig.rules # what `auditctl -l` will list after loading it
  auditkit rules fmt --augenrules /etc/audit/rules.d  # what augenrules writes to audit.rules
  auditkit rules check --profile cis-debian12          # this host's /etc/audit/rules.d, setuid files, ...
  auditkit rules check --profile cis-debian12 --format json /etc/audit/rules.d
  auditkit rules check --profile cis-debian12 --offline ./from-another-host.rules
  auditkit rules check --profile nsa-rhel --config ./etc-audit-copy
  auditkit rules generate --profile harden --out /etc/audit/rules.d
  auditkit rules generate --profile harden --with perm_mod,delete --skip-missing
  auditkit rules generate --privileged > 31-privileged.rules

Usage: auditkit rules <lint|fmt|check|generate> [OPTIONS] [FILE|DIR ...]

lint [FILE|DIR ...]
  Reports syntax errors, rules the kernel or auditctl would refuse, and
  pitfalls (missing arch, shadowed rules, -e 2 not last, ...), each with a
  code, the place and a fix. A DIR means its *.rules files.
  --no-host          Do not look at this host's users and paths (rules for another machine)
  --machine M        The machine b64/b32 refer to (default: this one), e.g. aarch64
  --codes            List every code with its severity and meaning

fmt [FILE|DIR ...]
  Prints rules exactly as `auditctl -l` lists them once loaded into an empty
  kernel, so a file can be compared with the running kernel line by line
  (`No rules` when nothing would be loaded, as auditctl says).
  --augenrules DIR   Print what augenrules would write from DIR (sort -V order,
                     last -e/-D/-f/-b kept, -e last)
  --keep-control     Keep -D, -b, -f, -e, ... lines in place

check --profile NAME [FILE|DIR ...]
  Checks a rule set against a benchmark by what it audits, not by its text:
  a watch equals a path+perm rule, several syscalls in one rule equal several
  rules, -k equals -F key=, unset equals -1 and 4294967295, a wider rule
  satisfies, a narrower one (stricter auid, extra filter, one arch only)
  does not, and a `never` rule earlier in the list that drops the events
  defeats it. Each item: pass, fail or not-applicable, the rules that
  satisfy it (file:line), what is missing and the rules that would fix it.
  A single DIR is loaded like augenrules; files are loaded in the order given.
  Without FILE, /etc/audit/rules.d is read (DIR/rules.d with --config DIR).
  By default the check compares with THIS HOST, as CIS's audit procedure
  does: its setuid/setgid files (6.2.3.6), sudo's log file from sudoers
  (6.2.3.3), UID_MIN of /etc/login.defs, auditd.conf, /etc/audit/audit.rules
  (6.2.3.21), the boot command line (the linux lines of grub.cfg, else
  /etc/default/grub; /proc/cmdline) and file modes; the text report says so
  on its first line. For rules meant for another machine use --offline: the
  items that need a host are then not applicable, each with the reason.
  Profiles: cis-debian12 (CIS Debian 12 v1.1.0 6.2.1-6.2.4), cis-debian8
  (8.1.4-8.1.18), nsa-rhel (2.6.2.4.1-14); --list-profiles, --show-profile NAME.
  --format text|json     json: an array of objects (id, title, status, satisfied_by,
                         missing, fix, maps, note, warnings)
  --host                 Compare with this host (the default; kept for scripts)
  --offline              Read nothing of this host: not its setuid files, sudoers, login.defs,
                         auditd.conf, boot command line, file modes, users' paths
  --config DIR           Compare with a copy of /etc/audit in DIR instead (auditd.conf and
                         file modes below DIR; nothing else of the host)
  --loaded               Read the rules loaded in the running kernel (netlink, as root):
                         \"running equals on disk\" (6.2.3.21) compares them with the
                         files, and the profile's rules items are checked against them
                         too (a second report; in json, objects with \"source\": \"loaded\")
  --loaded-listing FILE  The same comparison from a saved `auditctl -l` output
                         (without either, 6.2.3.21 compares the rules with what
                         /etc/audit/audit.rules loads, as `augenrules --check` does)
  --require-keys         A rule must carry the item's key to count
  --strict               A never rule that drops part of an item's events fails it
  --param NAME=VALUE     Fill a profile placeholder (uid_min, sudo_logfile, log_dir, ...)
  Exit 0 when no item fails, 1 otherwise.

generate --profile harden | --privileged
  --profile harden   The hardened set (CIS items plus log tampering, private keys,
                     execs from /tmp, 32-bit ABI, ptrace, firewall, cron, ...) as
                     rules.d files; --list-groups shows its groups.
    --with G,G       Turn on groups that are off by default (perm_mod, delete, listen,
                     ntp-exception: the seed leaves them off as too noisy)
    --without G,G    Turn groups off (e.g. immutable: no -e 2)
    --skip-missing   Comment out rules on paths that do not exist on this host
    --no-privileged  Do not scan for setuid/setgid files (31-privileged.rules)
    --out DIR        Write the files into DIR instead of printing them
  --privileged       One rule per setuid/setgid file on all local file systems
                     (mounts from /proc/self/mounts without nodev, remote, noexec or nosuid
                     ones: /var/lib/docker, /snap and /usr/games included)
  --uid-min N        First uid of people (default: UID_MIN of /etc/login.defs, else 1000)
  --key K            Key of --privileged rules (default privileged)

";

/// Options shared by the subcommands.
#[derive(Default)]
struct Args {
    paths: Vec<PathBuf>,
    flags: Vec<String>,
    values: Vec<(String, String)>,
}

/// Options that take a value.
const WITH_VALUE: &[&str] = &[
    "--machine",
    "--augenrules",
    "--profile",
    "--format",
    "--config",
    "--loaded-listing",
    "--param",
    "--with",
    "--without",
    "--out",
    "--uid-min",
    "--key",
    "--show-profile",
];

impl Args {
    fn parse(args: &[OsString]) -> Result<Args> {
        let mut a = Args::default();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let s = arg.to_string_lossy().to_string();
            if s == "--" {
                a.paths.extend(it.by_ref().map(PathBuf::from));
                break;
            }
            if let Some(opt) = s.strip_prefix("--") {
                let (name, inline) = match opt.split_once('=') {
                    Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
                    None => (s.clone(), None),
                };
                if WITH_VALUE.contains(&name.as_str()) {
                    let v = match inline {
                        Some(v) => v,
                        None => match it.next() {
                            Some(v) => v.to_string_lossy().to_string(),
                            None => bail!("{name} needs a value"),
                        },
                    };
                    a.values.push((name, v));
                } else {
                    a.flags.push(name);
                }
            } else if s == "-h" {
                a.flags.push("--help".into());
            } else if s.len() > 1 && s.starts_with('-') {
                // Not a path: `rules lint -x` once linted a file named -x.
                // A path that starts with - goes after `--`.
                bail!("unknown option {s} (see auditkit rules --help; put paths starting with - after --)");
            } else {
                a.paths.push(PathBuf::from(arg));
            }
        }
        Ok(a)
    }
    fn flag(&self, f: &str) -> bool {
        self.flags.iter().any(|x| x == f)
    }
    fn value(&self, k: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
    fn list(&self, k: &str) -> Vec<String> {
        self.values
            .iter()
            .filter(|(n, _)| n == k)
            .flat_map(|(_, v)| v.split(',').map(str::to_string))
            .filter(|s| !s.is_empty())
            .collect()
    }
    fn check_known(&self, known: &[&str]) -> Result<()> {
        for f in self.flags.iter().chain(self.values.iter().map(|(n, _)| n)) {
            if !known.contains(&f.as_str()) {
                bail!("unknown option {f} (see auditkit rules --help)");
            }
        }
        Ok(())
    }
}

/// The whole help of `auditkit rules` (also `auditkit help rules`).
pub fn help() -> String {
    format!(
        "{HELP}\nThe running kernel (netlink):\n{}",
        crate::rules_kernel::HELP
    )
}

/// `auditkit rules ...`.
pub fn main(args: &[OsString]) -> Result<u8> {
    let sub = args.first().map(|s| s.to_string_lossy().to_string());
    let rest = args.get(1..).unwrap_or(&[]);
    let a = Args::parse(rest)?;
    if a.flag("--help") {
        print!("{}", help());
        return Ok(0);
    }
    match sub.as_deref() {
        Some("lint") => cmd_lint(&a),
        Some("fmt") => cmd_fmt(&a),
        Some("check") => cmd_check(&a),
        Some("generate") => cmd_generate(&a),
        Some(k @ ("loaded" | "diff" | "apply")) => crate::rules_kernel::main(k, rest),
        Some("help" | "--help" | "-h") | None => {
            print!("{}", help());
            Ok(if sub.is_none() { 2 } else { 0 })
        }
        Some(other) => {
            eprintln!("auditkit rules: unknown subcommand '{other}'\n\n{HELP}");
            Ok(2)
        }
    }
}

fn machine(a: &Args) -> Result<Machine> {
    match a.value("--machine") {
        None => Ok(Machine::native()),
        Some(m) => Machine::from_name(m).with_context(|| format!("unknown machine {m}")),
    }
}

/// The `.rules` files of a directory in `sort -V` order, or the file itself.
fn expand(p: &Path) -> Result<Vec<PathBuf>> {
    if p.is_dir() {
        let mut v: Vec<PathBuf> = fs::read_dir(p)
            .with_context(|| format!("reading {}", p.display()))?
            .flatten()
            .map(|e| e.path())
            .filter(|x| x.extension().is_some_and(|e| e == "rules") && x.is_file())
            .collect();
        v.sort_by(|x, y| version_cmp(&x.to_string_lossy(), &y.to_string_lossy()));
        Ok(v)
    } else {
        Ok(vec![p.to_path_buf()])
    }
}

fn read(p: &Path) -> Result<(String, String)> {
    let bytes = fs::read(p).with_context(|| format!("reading {}", p.display()))?;
    Ok((
        p.display().to_string(),
        String::from_utf8_lossy(&bytes).into_owned(),
    ))
}

fn cmd_lint(a: &Args) -> Result<u8> {
    a.check_known(&["--no-host", "--machine", "--codes"])?;
    if a.flag("--codes") {
        let mut out = String::new();
        for c in auditkit_rules::codes::CODES {
            let _ = writeln!(out, "{}  {:<7}  {}", c.code, c.severity.name(), c.summary);
        }
        std::io::stdout().lock().write_all(out.as_bytes())?;
        return Ok(0);
    }
    if a.paths.is_empty() {
        bail!("lint needs FILE or DIR (see auditkit rules --help)");
    }
    let native = machine(a)?;
    let host = local_host(a.flag("--no-host"));
    let out = std::io::stdout();
    let mut out = out.lock();
    let (mut errors, mut warnings, mut files) = (0, 0, 0);
    for p in &a.paths {
        for f in expand(p)? {
            let (name, text) = read(&f)?;
            let (file, _) = parse_file(&name, &text);
            files += 1;
            for finding in lint(&file, native, &host) {
                match finding.severity {
                    Severity::Error => errors += 1,
                    _ => warnings += 1,
                }
                writeln!(out, "{finding}")?;
            }
        }
    }
    eprintln!("{files} file(s): {errors} error(s), {warnings} other finding(s)");
    Ok(u8::from(errors > 0))
}

fn cmd_fmt(a: &Args) -> Result<u8> {
    a.check_known(&["--augenrules", "--keep-control", "--no-host", "--machine"])?;
    let native = machine(a)?;
    let host = local_host(a.flag("--no-host"));
    let out = std::io::stdout();
    let mut out = out.lock();
    if let Some(dir) = a.value("--augenrules") {
        if let Some(p) = a.paths.first() {
            bail!(
                "fmt --augenrules DIR takes no other FILE or DIR (got {})",
                p.display()
            );
        }
        let mut files = Vec::new();
        for e in fs::read_dir(dir)
            .with_context(|| format!("reading {dir}"))?
            .flatten()
        {
            if e.path().is_file() {
                let (_, text) = read(&e.path())?;
                files.push((e.file_name().to_string_lossy().into_owned(), text));
            }
        }
        out.write_all(augenrules(&files).as_bytes())?;
        return Ok(0);
    }
    if a.paths.is_empty() {
        bail!("fmt needs FILE or DIR, or --augenrules DIR");
    }
    let mut printed = 0;
    for p in &a.paths {
        for f in expand(p)? {
            let (name, text) = read(&f)?;
            let (file, errors) = parse_file(&name, &text);
            for e in errors {
                eprintln!("{e}");
            }
            let resolver = auditkit_rules::Resolver {
                native,
                host: &host,
            };
            for r in file.rules() {
                for rej in resolver.resolve(r).err().unwrap_or_default() {
                    eprintln!(
                        "{name}:{}:{}: refused [{}]: {} (not listed)",
                        rej.span.line, rej.span.col, rej.code, rej.message
                    );
                }
            }
            for line in fmt(&file, native, &host, a.flag("--keep-control")) {
                writeln!(out, "{line}")?;
                printed += 1;
            }
        }
    }
    // What `auditctl -l` says of an empty kernel.
    if printed == 0 {
        writeln!(out, "No rules")?;
    }
    Ok(0)
}

fn cmd_check(a: &Args) -> Result<u8> {
    a.check_known(&[
        "--profile",
        "--format",
        "--host",
        "--config",
        "--loaded-listing",
        "--loaded",
        "--require-keys",
        "--strict",
        "--param",
        "--list-profiles",
        "--show-profile",
        "--no-host",
        "--offline",
        "--machine",
    ])?;
    if let (Some(p), true) = (
        a.paths.first(),
        a.flag("--list-profiles") || a.value("--show-profile").is_some(),
    ) {
        bail!(
            "--list-profiles and --show-profile read no FILE or DIR (got {})",
            p.display()
        );
    }
    if a.flag("--list-profiles") {
        for (name, _) in profile::BUILTIN {
            let p = profile::builtin(name).and_then(Result::ok);
            println!("{name}\t{}", p.map(|p| p.title).unwrap_or_default());
        }
        return Ok(0);
    }
    if let Some(n) = a.value("--show-profile") {
        match profile::BUILTIN.iter().find(|(x, _)| *x == n) {
            Some((_, text)) => print!("{text}"),
            None => bail!("unknown profile {n} (see --list-profiles)"),
        }
        return Ok(0);
    }
    let name = a
        .value("--profile")
        .context("check needs --profile NAME (see --list-profiles)")?;
    let prof = profile::builtin(name)
        .with_context(|| format!("unknown profile {name} (see --list-profiles)"))??;
    let native = machine(a)?;
    let config = a.value("--config").map(PathBuf::from);
    let target = match (&config, a.flag("--host"), a.flag("--offline")) {
        (_, true, true) => bail!("--host and --offline exclude each other"),
        (_, _, true) if a.flag("--loaded") => {
            bail!("--loaded reads this host's kernel; --offline reads nothing of this host")
        }
        (Some(_), true, _) => bail!("--host and --config exclude each other"),
        (Some(d), false, _) => Target::Config(d.clone()),
        (None, _, true) => Target::Offline,
        (None, _, false) => Target::ThisHost,
    };
    // Rules from another machine name its users and paths, not ours.
    let host = local_host(a.flag("--no-host") || target == Target::Offline);
    let system: Box<dyn System + '_> = match &target {
        Target::Config(d) => Box::new(ConfigSystem {
            dir: d.clone(),
            host: &host,
        }),
        Target::ThisHost => Box::new(HostSystem::new(&host)),
        Target::Offline => Box::new(NoSystem),
    };
    let mut paths = a.paths.clone();
    if paths.is_empty() {
        match &target {
            Target::Config(d) => paths.push(d.join("rules.d")),
            Target::ThisHost => paths.push(PathBuf::from("/etc/audit/rules.d")),
            Target::Offline => bail!("check --offline needs FILE or DIR"),
        }
    }
    let layout = if paths.len() == 1 && paths[0].is_dir() {
        Layout::RulesD
    } else {
        Layout::Files
    };
    let mut files = Vec::new();
    for p in &paths {
        for f in expand(p)? {
            files.push(read(&f)?);
        }
    }
    let loaded: Option<Vec<String>> = match (a.value("--loaded-listing"), a.flag("--loaded")) {
        (Some(_), true) => bail!("--loaded and --loaded-listing exclude each other"),
        (Some(f), false) => Some(read(Path::new(f))?.1.lines().map(str::to_string).collect()),
        (None, true) => Some(crate::rules_kernel::loaded_listing(native)?),
        (None, false) => None,
    };
    let mut params = Vec::new();
    for p in a.list("--param") {
        let (k, v) = p
            .split_once('=')
            .with_context(|| format!("--param {p}: expected NAME=VALUE"))?;
        params.push((k.to_string(), v.to_string()));
    }
    let set = RuleSet::load(&files, layout, native, &host as &dyn Host);
    let cx = CheckContext {
        native,
        host: &host,
        system: system.as_ref(),
        require_keys: a.flag("--require-keys"),
        loaded: loaded.as_deref(),
        params: &params,
        strict: a.flag("--strict"),
    };
    let results = check(&prof, &set, &cx);
    // With --loaded, the running kernel's rules are checked as well: a rule
    // set that is compliant on disk but was never loaded is not compliant.
    // The kernel is this host's, so its rules items are judged against the
    // same target (setuid files, UID_MIN, sudo's log file); the items that
    // are not about rules were reported once already.
    let running = match (&loaded, a.flag("--loaded")) {
        (Some(lines), true) => {
            let kset = RuleSet::load(
                &[("<running kernel>".to_string(), lines.join("\n"))],
                Layout::Files,
                native,
                &host as &dyn Host,
            );
            let mut r = check(&prof, &kset, &cx);
            r.retain(|i| i.rules_item);
            Some(r)
        }
        _ => None,
    };
    let text = match a.value("--format").unwrap_or("text") {
        "text" => {
            let mut t = format!("{}\n", target.describe());
            t.push_str(&text_report(&prof.title, &results));
            if let Some(r) = &running {
                t.push('\n');
                t.push_str(&text_report(
                    &format!("{}: rules loaded in the running kernel", prof.title),
                    r,
                ));
            }
            t
        }
        "json" => match &running {
            None => json_report(&[(None, &results)]),
            Some(r) => json_report(&[(Some("disk"), &results), (Some("loaded"), r)]),
        },
        f => bail!("unknown --format {f} (text or json)"),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    let failed = |rs: &[ItemResult]| rs.iter().any(|r| r.status == Status::Fail);
    Ok(u8::from(
        failed(&results) || running.as_deref().is_some_and(failed),
    ))
}

/// What `check` compares the rules with, besides the rules themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// This machine (the default): what CIS's audit procedure reads.
    ThisHost,
    /// A copy of `/etc/audit` (`--config DIR`); nothing else is known.
    Config(PathBuf),
    /// Rules from elsewhere (`--offline`): nothing of any host is read.
    Offline,
}

impl Target {
    /// The line the text report starts with, so nobody mistakes a check
    /// of this host for a check of the file alone, or the other way round.
    fn describe(&self) -> String {
        match self {
            Target::ThisHost => "Checked against this host: its setuid/setgid files, sudoers, \
                login.defs, auditd.conf, boot command line and file modes \
                (--offline for rules meant for another machine)"
                .to_string(),
            Target::Config(d) => format!(
                "Checked against the copy of /etc/audit in {}: auditd.conf and file modes \
                 (items that need the rest of the host are not applicable)",
                d.display()
            ),
            Target::Offline => "Checked offline (--offline): items that need a host \
                (setuid/setgid files, sudoers, auditd.conf, boot command line, file modes) \
                are not applicable"
                .to_string(),
        }
    }
}

fn text_report(title: &str, results: &[ItemResult]) -> String {
    let mut out = format!("{title}\n\n");
    for r in results {
        let tag = match r.status {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::NotApplicable => "N/A ",
        };
        let _ = writeln!(out, "{tag}  {:<9} {}", r.id, r.title);
        if !r.satisfied_by.is_empty() && r.status != Status::NotApplicable {
            let _ = writeln!(out, "      satisfied by: {}", r.satisfied_by.join(", "));
        }
        for m in &r.missing {
            let _ = writeln!(out, "      missing: {m}");
        }
        for w in &r.warnings {
            let _ = writeln!(out, "      warning: {w}");
        }
        if let Some(n) = &r.note {
            let _ = writeln!(out, "      note: {n}");
        }
        if !r.fix.is_empty() {
            let _ = writeln!(out, "      fix:");
            for l in r.fix.lines() {
                let _ = writeln!(out, "        {l}");
            }
        }
    }
    let count = |s: Status| results.iter().filter(|r| r.status == s).count();
    let _ = writeln!(
        out,
        "\n{} items: {} pass, {} fail, {} not applicable",
        results.len(),
        count(Status::Pass),
        count(Status::Fail),
        count(Status::NotApplicable)
    );
    out
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn json_list(v: &[String]) -> String {
    format!(
        "[{}]",
        v.iter().map(|s| json_str(s)).collect::<Vec<_>>().join(",")
    )
}

/// The items of one or more reports as one JSON array; with a source
/// name, each object says which rules it judged (`"source": "disk"` or
/// `"loaded"`).
fn json_report(sections: &[(Option<&str>, &[ItemResult])]) -> String {
    let items: Vec<String> = sections
        .iter()
        .flat_map(|(src, rs)| rs.iter().map(move |r| (src, r)))
        .map(|(src, r)| {
            let source = src.map_or(String::new(), |s| format!("\"source\":{},", json_str(s)));
            format!(
                "{{{source}\"id\":{},\"title\":{},\"status\":{},\"kind\":{},\"satisfied_by\":{},\"missing\":{},\"fix\":{},\"maps\":{},\"note\":{},\"warnings\":{}}}",
                json_str(&r.id),
                json_str(&r.title),
                json_str(r.status.name()),
                json_str(if r.rules_item { "rules" } else { "system" }),
                json_list(&r.satisfied_by),
                json_list(&r.missing),
                json_str(&r.fix),
                json_list(&r.maps),
                r.note.as_deref().map(json_str).unwrap_or_else(|| "null".into()),
                json_list(&r.warnings),
            )
        })
        .collect();
    format!("[\n{}\n]\n", items.join(",\n"))
}

fn uid_min(a: &Args) -> Result<u32> {
    if let Some(v) = a.value("--uid-min") {
        return v
            .parse()
            .with_context(|| format!("--uid-min {v}: not a number"));
    }
    Ok(HostPaths::this_host().login_defs().uid_min())
}

fn cmd_generate(a: &Args) -> Result<u8> {
    a.check_known(&[
        "--profile",
        "--privileged",
        "--with",
        "--without",
        "--skip-missing",
        "--no-privileged",
        "--out",
        "--uid-min",
        "--key",
        "--list-groups",
    ])?;
    if let Some(p) = a.paths.first() {
        bail!(
            "generate reads no FILE or DIR (got {}); --out DIR says where to write",
            p.display()
        );
    }
    if a.flag("--list-groups") {
        for g in harden_groups() {
            println!(
                "{:<16} {:<4} {:<22} {}",
                g.name,
                if g.default_on { "on" } else { "off" },
                g.file,
                g.about
            );
        }
        return Ok(0);
    }
    let uid = uid_min(a)?;
    if a.flag("--privileged") {
        let key = a.value("--key").unwrap_or("privileged");
        print!(
            "{}",
            privileged_rules(&target::privileged_files(), uid, key)
        );
        return Ok(0);
    }
    match a.value("--profile") {
        Some("harden") => {}
        Some(p) => bail!("unknown generate profile {p} (harden)"),
        None => bail!("generate needs --profile harden or --privileged"),
    }
    let host = local_host(false);
    let opts = HardenOptions {
        with: a.list("--with"),
        without: a.list("--without"),
        skip_missing: a.flag("--skip-missing"),
        privileged: (!a.flag("--no-privileged")).then(target::privileged_and_capability_files),
        uid_min: uid,
        homes: target::people_homes(&host.accounts, uid),
    };
    let files = harden(&opts, &host)?;
    match a.value("--out") {
        Some(dir) => {
            fs::create_dir_all(dir).with_context(|| format!("creating {dir}"))?;
            for f in &files {
                let p = Path::new(dir).join(&f.name);
                fs::write(&p, &f.text).with_context(|| format!("writing {}", p.display()))?;
                eprintln!("wrote {}", p.display());
            }
        }
        None => {
            for f in &files {
                println!("#### {}", f.name);
                print!("{}", f.text);
            }
        }
    }
    Ok(0)
}
