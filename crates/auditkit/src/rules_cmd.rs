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

use crate::flags::{render, rules, Command, Id, Value};
use target::{local_host, ConfigSystem, HostSystem};

/// The options given to one subcommand, by flag id: switches, values in
/// order (the last one wins, except for lists), and paths.
#[derive(Default)]
struct Args {
    paths: Vec<PathBuf>,
    flags: Vec<Id>,
    values: Vec<(Id, String)>,
}

impl Args {
    /// Parse the arguments of the subcommand `cmd`: every option is looked
    /// up in its table ([`crate::flags::rules`]), which says whether it
    /// takes a value (`--name VALUE` or `--name=VALUE`); an option not in
    /// the table is refused, never taken for a path (`rules lint -x` once
    /// linted a file named -x); a path that starts with `-` goes after `--`.
    fn parse(cmd: &Command, args: &[OsString]) -> Result<Args> {
        let mut a = Args::default();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let s = arg.to_string_lossy().to_string();
            if s == "--" {
                a.paths.extend(it.by_ref().map(PathBuf::from));
                break;
            }
            if s.len() < 2 || !s.starts_with('-') {
                a.paths.push(PathBuf::from(arg));
                continue;
            }
            let (name, inline) = match s.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
                _ => (s.clone(), None),
            };
            let Some(flag) = cmd.lookup(&name) else {
                if name.starts_with("--") {
                    bail!("unknown option {name} (see auditkit rules --help)");
                }
                bail!("unknown option {s} (see auditkit rules --help; put paths starting with - after --)");
            };
            if flag.value == Value::None {
                if inline.is_some() {
                    bail!("{name} takes no value (see auditkit rules --help)");
                }
                a.flags.push(flag.id);
                continue;
            }
            let v = match inline {
                Some(v) => v,
                None => match it.next() {
                    Some(v) => v.to_string_lossy().to_string(),
                    None => bail!("{name} needs a value"),
                },
            };
            a.values.push((flag.id, v));
        }
        Ok(a)
    }
    fn flag(&self, f: Id) -> bool {
        self.flags.contains(&f)
    }
    fn value(&self, k: Id) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.as_str())
    }
    fn list(&self, k: Id) -> Vec<String> {
        self.values
            .iter()
            .filter(|(n, _)| *n == k)
            .flat_map(|(_, v)| v.split(',').map(str::to_string))
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// The whole help of `auditkit rules` (also `auditkit help rules`),
/// generated from the subcommands' flag tables.
pub fn help() -> String {
    render::help_of_subcommands(
        "rules",
        rules::ABOUT,
        rules::EXAMPLES,
        &rules::SUBCOMMANDS,
        &[(4, "The running kernel (netlink):")],
        crate::exit::exit_help!(),
    )
}

/// `man auditkit-rules`: the subcommands, each pointing to its own page.
pub fn man() -> String {
    render::man_of_subcommands(
        "rules",
        rules::ABOUT,
        rules::EXAMPLES,
        &rules::SUBCOMMANDS,
        crate::exit::exit_help!(),
    )
}

/// `auditkit rules ...`.
pub fn main(args: &[OsString]) -> Result<u8> {
    let sub = args.first().map(|s| s.to_string_lossy().to_string());
    let rest = args.get(1..).unwrap_or(&[]);
    let run: fn(&Args) -> Result<u8> = match sub.as_deref() {
        Some("lint") => cmd_lint,
        Some("fmt") => cmd_fmt,
        Some("check") => cmd_check,
        Some("generate") => cmd_generate,
        Some(k @ ("loaded" | "diff" | "apply")) => return crate::rules_kernel::main(k, rest),
        Some("help" | "--help" | "-h") | None => {
            print!("{}", help());
            return Ok(if sub.is_none() { 2 } else { 0 });
        }
        Some(other) => {
            eprintln!("auditkit rules: unknown subcommand '{other}'\n\n{}", help());
            return Ok(2);
        }
    };
    let Some(cmd) = sub.as_deref().and_then(rules::subcommand) else {
        bail!("rules {sub:?}: no flag table (a bug)");
    };
    let a = Args::parse(cmd, rest)?;
    if a.flag(Id::Help) {
        print!("{}", render::help(cmd));
        return Ok(0);
    }
    run(&a)
}

fn machine(a: &Args) -> Result<Machine> {
    match a.value(Id::Machine) {
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
    if a.flag(Id::Codes) {
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
    let host = local_host(a.flag(Id::NoHost));
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
    let native = machine(a)?;
    let host = local_host(a.flag(Id::NoHost));
    let out = std::io::stdout();
    let mut out = out.lock();
    if let Some(dir) = a.value(Id::AugenrulesDir) {
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
            for line in fmt(&file, native, &host, a.flag(Id::KeepControl)) {
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
    if let (Some(p), true) = (
        a.paths.first(),
        a.flag(Id::ListProfiles) || a.value(Id::ShowProfile).is_some(),
    ) {
        bail!(
            "--list-profiles and --show-profile read no FILE or DIR (got {})",
            p.display()
        );
    }
    if a.flag(Id::ListProfiles) {
        for (name, _) in profile::BUILTIN {
            let p = profile::builtin(name).and_then(Result::ok);
            println!("{name}\t{}", p.map(|p| p.title).unwrap_or_default());
        }
        return Ok(0);
    }
    if let Some(n) = a.value(Id::ShowProfile) {
        match profile::BUILTIN.iter().find(|(x, _)| *x == n) {
            Some((_, text)) => print!("{text}"),
            None => bail!("unknown profile {n} (see --list-profiles)"),
        }
        return Ok(0);
    }
    let name = a
        .value(Id::Profile)
        .context("check needs --profile NAME (see --list-profiles)")?;
    let prof = profile::builtin(name)
        .with_context(|| format!("unknown profile {name} (see --list-profiles)"))??;
    let native = machine(a)?;
    let config = a.value(Id::Config).map(PathBuf::from);
    let target = match (&config, a.flag(Id::HostCheck), a.flag(Id::Offline)) {
        (_, true, true) => bail!("--host and --offline exclude each other"),
        (_, _, true) if a.flag(Id::Loaded) => {
            bail!("--loaded reads this host's kernel; --offline reads nothing of this host")
        }
        (Some(_), true, _) => bail!("--host and --config exclude each other"),
        (Some(d), false, _) => Target::Config(d.clone()),
        (None, _, true) => Target::Offline,
        (None, _, false) => Target::ThisHost,
    };
    // Rules from another machine name its users and paths, not ours.
    let host = local_host(a.flag(Id::NoHost) || target == Target::Offline);
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
    let loaded: Option<Vec<String>> = match (a.value(Id::LoadedListing), a.flag(Id::Loaded)) {
        (Some(_), true) => bail!("--loaded and --loaded-listing exclude each other"),
        (Some(f), false) => Some(read(Path::new(f))?.1.lines().map(str::to_string).collect()),
        (None, true) => Some(crate::rules_kernel::loaded_listing(native)?),
        (None, false) => None,
    };
    let mut params = Vec::new();
    for p in a.list(Id::Param) {
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
        require_keys: a.flag(Id::RequireKeys),
        loaded: loaded.as_deref(),
        params: &params,
        strict: a.flag(Id::Strict),
    };
    let results = check(&prof, &set, &cx);
    // With --loaded, the running kernel's rules are checked as well: a rule
    // set that is compliant on disk but was never loaded is not compliant.
    // The kernel is this host's, so its rules items are judged against the
    // same target (setuid files, UID_MIN, sudo's log file); the items that
    // are not about rules were reported once already.
    let running = match (&loaded, a.flag(Id::Loaded)) {
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
    let text = match a.value(Id::CheckFormat).unwrap_or("text") {
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
    if let Some(v) = a.value(Id::UidMin) {
        return v
            .parse()
            .with_context(|| format!("--uid-min {v}: not a number"));
    }
    Ok(HostPaths::this_host().login_defs().uid_min())
}

fn cmd_generate(a: &Args) -> Result<u8> {
    if let Some(p) = a.paths.first() {
        bail!(
            "generate reads no FILE or DIR (got {}); --out DIR says where to write",
            p.display()
        );
    }
    if a.flag(Id::ListGroups) {
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
    if a.flag(Id::Privileged) {
        let key = a.value(Id::RuleKey).unwrap_or("privileged");
        print!(
            "{}",
            privileged_rules(&target::privileged_files(), uid, key)
        );
        return Ok(0);
    }
    match a.value(Id::Profile) {
        Some("harden") => {}
        Some(p) => bail!("unknown generate profile {p} (harden)"),
        None => bail!("generate needs --profile harden or --privileged"),
    }
    let host = local_host(false);
    let opts = HardenOptions {
        with: a.list(Id::With),
        without: a.list(Id::Without),
        skip_missing: a.flag(Id::SkipMissing),
        privileged: (!a.flag(Id::NoPrivileged)).then(target::privileged_and_capability_files),
        uid_min: uid,
        homes: target::people_homes(&host.accounts, uid),
    };
    let files = harden(&opts, &host)?;
    match a.value(Id::Out) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn words(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    /// Every flag of lint, fmt, check and generate parses in each
    /// spelling with the arity its table says, and its id is read by this
    /// module's code (a flag in the table that no command looks at would
    /// be parsed and silently ignored).
    #[test]
    fn every_rules_flag_parses_and_is_used() {
        let source = include_str!("rules_cmd.rs");
        let code = source.split("#[cfg(test)]").next().unwrap_or(source);
        for sub in ["lint", "fmt", "check", "generate"] {
            let cmd = rules::subcommand(sub).expect(sub);
            for f in cmd.flags() {
                let used = format!("Id::{:?}", f.id);
                assert!(code.contains(&used), "rules {sub}: {used} is never read");
                for name in f.names() {
                    if f.value == Value::None {
                        let a = Args::parse(cmd, &words(&[name, "p"])).unwrap();
                        assert!(a.flag(f.id), "{sub} {name}");
                        assert_eq!(a.paths, [PathBuf::from("p")], "{sub} {name}");
                        assert!(Args::parse(cmd, &words(&[&format!("{name}=x")])).is_err());
                    } else {
                        let a = Args::parse(cmd, &words(&[name, "v", "p"])).unwrap();
                        assert_eq!(a.value(f.id), Some("v"), "{sub} {name}");
                        assert_eq!(a.paths, [PathBuf::from("p")], "{sub} {name}");
                        assert!(Args::parse(cmd, &words(&[name])).is_err(), "{sub} {name}");
                        if name.starts_with("--") {
                            let inline = format!("{name}=v");
                            let a = Args::parse(cmd, &words(&[&inline])).unwrap();
                            assert_eq!(a.value(f.id), Some("v"), "{sub} {inline}");
                        }
                    }
                }
            }
        }
    }

    /// An option of another subcommand is refused, not ignored.
    #[test]
    fn options_of_other_subcommands_are_refused() {
        let lint = rules::subcommand("lint").unwrap();
        for w in ["--profile", "--offline", "--status", "-x", "--no-hostx"] {
            let e = Args::parse(lint, &words(&[w, "v"]))
                .err()
                .map(|e| e.to_string());
            assert!(
                e.as_deref()
                    .is_some_and(|e| e.contains(&format!("unknown option {w}"))),
                "{w}: {e:?}"
            );
        }
        let a = Args::parse(lint, &words(&["--", "-x"])).unwrap();
        assert_eq!(a.paths, [PathBuf::from("-x")]);
    }
}
