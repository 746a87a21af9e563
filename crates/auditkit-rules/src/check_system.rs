//! The items of a profile that are not rules: auditd.conf settings, the
//! boot command line and file modes, read through [`System`].

use crate::profile::{fill, Cond, FileCond, ProfileItem, Test};
use crate::target::{CheckContext, Params, System};
use crate::verdict::{na, ItemResult, Status};
use auditkit_host::AuditdConf;

fn test_value(t: &Test, v: Option<&str>) -> bool {
    match (t, v) {
        (_, None) => false,
        (Test::Set, Some(v)) => !v.is_empty(),
        (Test::OneOf(vals), Some(v)) => vals.iter().any(|x| x.eq_ignore_ascii_case(v)),
        (Test::AtLeast(n), Some(v)) => v.parse::<u64>().is_ok_and(|x| x >= *n),
    }
}

fn want(c: &Cond) -> String {
    match &c.test {
        Test::Set => format!("{} = <value>", c.name),
        Test::OneOf(v) => format!("{} = {}", c.name, v[0]),
        Test::AtLeast(n) => format!("{}={n}", c.name),
    }
}

pub(crate) fn system_item(
    item: &ProfileItem,
    cx: &CheckContext,
    params: &Params,
    r: &mut ItemResult,
) {
    let mut checked = false;
    let mut fix = Vec::new();
    if !item.conf.is_empty() {
        match cx.system.read("/etc/audit/auditd.conf") {
            None => return na(
                r,
                "needs auditd.conf, which was not read (--offline, or not in the --config copy)",
            ),
            Some(text) => {
                checked = true;
                // auditd's own reading of the file: a line it refuses
                // (`key=value` without spaces, a bad value) sets nothing
                // and stops auditd, which the warnings say.
                let conf = AuditdConf::parse(&text);
                if !conf.auditd_accepts() {
                    for e in &conf.errors {
                        r.warnings
                            .push(format!("auditd.conf {e} (auditd refuses this file)"));
                    }
                }
                for c in &item.conf {
                    let v = conf.accepted(&c.name);
                    if test_value(&c.test, v) {
                        r.satisfied_by.push(format!(
                            "auditd.conf: {} = {}",
                            c.name,
                            v.unwrap_or("")
                        ));
                    } else if v.is_none()
                        && c.default
                            .as_deref()
                            .is_some_and(|d| test_value(&c.test, Some(d)))
                    {
                        r.satisfied_by.push(format!(
                            "auditd.conf: {} not set (auditd's default: {})",
                            c.name,
                            c.default.as_deref().unwrap_or("")
                        ));
                    } else {
                        r.missing.push(match v {
                            Some(v) => format!("auditd.conf: {} is {v}", c.name),
                            None => format!("auditd.conf: {} is not set", c.name),
                        });
                        fix.push(want(c));
                    }
                }
            }
        }
    }
    if !item.cmdline.is_empty() {
        let mut sources = boot_entries(cx.system);
        if let Some(c) = cx.system.read("/proc/cmdline") {
            sources.push(("/proc/cmdline".to_string(), c.trim().to_string()));
        }
        if sources.is_empty() {
            return na(
                r,
                "needs the boot command line, which was not read (--offline or --config)",
            );
        }
        checked = true;
        for c in &item.cmdline {
            for (src, line) in &sources {
                let v = line
                    .split_whitespace()
                    .filter_map(|w| w.split_once('='))
                    .rfind(|(k, _)| *k == c.name)
                    .map(|(_, v)| v);
                if test_value(&c.test, v) {
                    r.satisfied_by
                        .push(format!("{src}: {}={}", c.name, v.unwrap_or("")));
                } else {
                    r.missing.push(format!(
                        "{src}: {}",
                        match v {
                            Some(v) => format!("{}={v}", c.name),
                            None => format!("no {}=", c.name),
                        }
                    ));
                    let w = match &c.test {
                        Test::OneOf(v) => format!("{}={}", c.name, v[0]),
                        _ => want(c),
                    };
                    fix.push(format!(
                        "add {w} to GRUB_CMDLINE_LINUX in /etc/default/grub (recovery entries \
                         use only that one), then update-grub"
                    ));
                }
            }
        }
    }
    let mut readable = false;
    for fc in &item.files {
        match files_item(fc, cx.system, params, r) {
            Some(n) if n > 0 => checked = true,
            Some(_) => readable = true,
            None => {}
        }
    }
    if !item.files.is_empty() && !checked {
        return na(
            r,
            if readable {
                "no file matches (nothing to check)"
            } else {
                "needs the target's files, which were not read (--offline, or not in the --config copy)"
            },
        );
    }
    if !r.missing.is_empty() {
        r.status = Status::Fail;
        fix.sort();
        fix.dedup();
        let mut f = fix.join("\n");
        if !f.is_empty() {
            f.push('\n');
        }
        r.fix = f + &r.fix;
    }
}

/// The kernel command lines the next boot may use, named by where they
/// come from. CIS's audit reads every `linux` line of grub.cfg (the
/// recovery entries too); when grub.cfg cannot be read, they are rebuilt
/// from /etc/default/grub (and /etc/default/grub.d/*.cfg, read after it)
/// as grub-mkconfig does: normal entries get GRUB_CMDLINE_LINUX and
/// GRUB_CMDLINE_LINUX_DEFAULT, recovery entries GRUB_CMDLINE_LINUX only
/// (unless GRUB_DISABLE_RECOVERY=true). So a setting put only in
/// GRUB_CMDLINE_LINUX_DEFAULT is reported missing for the recovery entries.
fn boot_entries(sys: &dyn System) -> Vec<(String, String)> {
    let cfg = sys.read("/boot/grub/grub.cfg").unwrap_or_default();
    let linux: Vec<(String, String)> = cfg
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let l = l.trim_start();
            let rest = l
                .strip_prefix("linux")
                .filter(|r| r.starts_with([' ', '\t']))?;
            Some((
                format!("/boot/grub/grub.cfg:{}", i + 1),
                rest.trim().to_string(),
            ))
        })
        .collect();
    if !linux.is_empty() {
        return linux;
    }
    let Some(main) = sys.read("/etc/default/grub") else {
        return Vec::new();
    };
    let mut texts = vec![main];
    let mut extra: Vec<String> = sys
        .list_dir("/etc/default/grub.d")
        .unwrap_or_default()
        .into_iter()
        .filter(|n| n.ends_with(".cfg"))
        .collect();
    extra.sort();
    for n in extra {
        texts.extend(sys.read(&format!("/etc/default/grub.d/{n}")));
    }
    let mut vars: Vec<(String, String)> = Vec::new();
    for t in &texts {
        for l in t.lines() {
            if let Some((k, v)) = shell_assignment(l, &vars) {
                vars.retain(|(n, _)| *n != k);
                vars.push((k, v));
            }
        }
    }
    let var = |n: &str| {
        vars.iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let linux = var("GRUB_CMDLINE_LINUX");
    let mut out = vec![(
        "GRUB_CMDLINE_LINUX + GRUB_CMDLINE_LINUX_DEFAULT".to_string(),
        format!("{linux} {}", var("GRUB_CMDLINE_LINUX_DEFAULT")),
    )];
    if var("GRUB_DISABLE_RECOVERY") != "true" {
        out.push(("GRUB_CMDLINE_LINUX (recovery entries)".to_string(), linux));
    }
    out
}

/// `NAME=value` of a shell line as /etc/default/grub writes it: quotes
/// removed, `$NAME` and `${NAME}` expanded from `vars` (outside single
/// quotes). Anything else (commands, `export`, comments) is `None`.
fn shell_assignment(line: &str, vars: &[(String, String)]) -> Option<(String, String)> {
    let l = line.trim();
    let l = l.strip_prefix("export ").unwrap_or(l).trim_start();
    let (name, value) = l.split_once('=')?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let lookup = |n: &str| {
        vars.iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, ' ' | '\t') => break,
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => out.push(c),
            (_, '$') => {
                let braced = chars.peek() == Some(&'{');
                if braced {
                    chars.next();
                }
                let mut n = String::new();
                while let Some(&d) = chars.peek() {
                    if d.is_ascii_alphanumeric() || d == '_' {
                        n.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if braced && chars.peek() == Some(&'}') {
                    chars.next();
                }
                if n.is_empty() {
                    out.push('$');
                } else {
                    out.push_str(lookup(&n));
                }
            }
            (_, c) => out.push(c),
        }
    }
    Some((name.to_string(), out))
}

/// Check one file condition; returns how many files were looked at.
fn files_item(
    fc: &FileCond,
    sys: &dyn System,
    params: &Params,
    r: &mut ItemResult,
) -> Option<usize> {
    let glob = fill(&fc.glob, &|n| params.get(n)).ok()?;
    let paths: Vec<String> = match glob.rsplit_once('/') {
        Some((dir, pat)) if pat.contains('*') => {
            let (pre, post) = pat.split_once('*').unwrap_or((pat, ""));
            let mut v: Vec<String> = sys
                .list_dir(dir)?
                .into_iter()
                .filter(|n| {
                    n.starts_with(pre) && n.ends_with(post) && n.len() >= pre.len() + post.len()
                })
                .map(|n| format!("{dir}/{n}"))
                .collect();
            v.sort();
            v
        }
        _ => vec![glob.clone()],
    };
    let mut n = 0;
    for p in paths {
        let Some(st) = sys.stat(&p) else { continue };
        n += 1;
        let mut bad = Vec::new();
        let mut fixes = Vec::new();
        if let Some(max) = fc.max_mode {
            if st.mode & 0o7777 & !max != 0 {
                bad.push(format!(
                    "mode {:04o} (allowed at most {:04o})",
                    st.mode & 0o7777,
                    max
                ));
                fixes.push(format!("chmod {:04o} {p}", st.mode & max & 0o7777));
            }
        }
        let names = sys.accounts();
        let uname = names
            .user_name(st.uid)
            .map_or_else(|| st.uid.to_string(), str::to_string);
        if !fc.owners.is_empty() && !fc.owners.contains(&uname) {
            bad.push(format!("owner {uname}"));
            fixes.push(format!("chown {} {p}", fc.owners[0]));
        }
        let gname = names
            .group_name(st.gid)
            .map_or_else(|| st.gid.to_string(), str::to_string);
        let groups: Vec<String> = fc
            .groups
            .iter()
            .filter_map(|g| fill(g, &|x| params.get(x)).ok())
            .collect();
        if !groups.is_empty() && !groups.contains(&gname) {
            bad.push(format!("group {gname}"));
            fixes.push(format!("chgrp {} {p}", groups[0]));
        }
        if bad.is_empty() {
            r.satisfied_by.push(p);
        } else {
            r.missing.push(format!("{p}: {}", bad.join(", ")));
            r.fix += &(fixes.join("\n") + "\n");
        }
    }
    Some(n)
}
