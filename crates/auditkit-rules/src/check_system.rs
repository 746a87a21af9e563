//! The items of a profile that are not rules: auditd.conf settings, the
//! boot command line and file modes, read through [`System`].

use crate::profile::{fill, Cond, FileCond, ProfileItem, Test};
use crate::target::{get, parse_conf, CheckContext, Params, System};
use crate::verdict::{na, ItemResult, Status};

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
                let conf = parse_conf(&text);
                for c in &item.conf {
                    let v = get(&conf, &c.name);
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
        let mut sources = Vec::new();
        if let Some(g) = cx.system.read("/etc/default/grub") {
            let line = g
                .lines()
                .rev()
                .find_map(|l| l.trim().strip_prefix("GRUB_CMDLINE_LINUX="));
            sources.push((
                "GRUB_CMDLINE_LINUX",
                line.unwrap_or("").trim_matches('"').to_string(),
            ));
        }
        if let Some(c) = cx.system.read("/proc/cmdline") {
            sources.push(("/proc/cmdline", c.trim().to_string()));
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
                        "add {w} to GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub"
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
        let uname = sys.user_name(st.uid).unwrap_or_else(|| st.uid.to_string());
        if !fc.owners.is_empty() && !fc.owners.contains(&uname) {
            bad.push(format!("owner {uname}"));
            fixes.push(format!("chown {} {p}", fc.owners[0]));
        }
        let gname = sys.group_name(st.gid).unwrap_or_else(|| st.gid.to_string());
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
