//! `auditkit collect`: the flags and the configuration file become one
//! [`Config`], and `auditkit_collect::server::daemon` runs it. The
//! same reading is done again on SIGHUP (file, then the same flags).

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use auditkit_collect::config::Config;

use crate::exit::Exit;
use crate::flags::{collect, render, Id, Value};

/// The flags as (config key, value) pairs, and the config file.
struct Args {
    file: Option<PathBuf>,
    sets: Vec<(&'static str, String)>,
    help: bool,
}

fn parse(args: &[OsString]) -> Result<Args> {
    let cmd = &collect::COLLECT;
    let mut a = Args {
        file: None,
        sets: Vec::new(),
        help: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let s = arg.to_string_lossy().to_string();
        let (name, inline) = match s.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (s.clone(), None),
        };
        let Some(flag) = cmd.lookup(&name) else {
            bail!("unknown option {s} (see auditkit collect --help)");
        };
        if flag.value == Value::None {
            if inline.is_some() {
                bail!("{name} takes no value");
            }
            a.help = true;
            continue;
        }
        let v = match inline {
            Some(v) => v,
            None => match it.next() {
                Some(v) => v.to_string_lossy().to_string(),
                None => bail!("{name} needs a value"),
            },
        };
        if flag.id == Id::CollectConfig {
            a.file = Some(PathBuf::from(v));
            continue;
        }
        let Some((_, key)) = collect::KEYS.iter().find(|(id, _)| *id == flag.id) else {
            bail!("{name}: no setting (a bug)");
        };
        a.sets.push((key, v));
    }
    Ok(a)
}

/// The configuration: the file's settings (if any), then the flags.
fn load(a: &Args) -> Result<Config, String> {
    let mut c = match &a.file {
        Some(f) => {
            let text = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
            Config::from_toml(&text).map_err(|e| format!("{}: {e}", f.display()))?
        }
        None => Config::default(),
    };
    for (k, v) in &a.sets {
        c.set(k, v)
            .map_err(|e| format!("--{}: {e}", k.replace('_', "-")))?;
    }
    c.check().map_err(|e| e.to_string())?;
    Ok(c)
}

/// `auditkit collect ...`.
pub fn main(args: &[OsString]) -> Result<Exit> {
    let a = parse(args)?;
    if a.help {
        print!("{}", render::help(&collect::COLLECT));
        return Ok(Exit::Ok);
    }
    let cfg = match load(&a) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("auditkit collect: {e}");
            return Ok(Exit::Usage);
        }
    };
    auditkit_collect::server::daemon(cfg, Box::new(move || load(&a))).context("collect")?;
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example configuration the Debian package installs as
    /// /etc/auditkit/collect.toml.
    const EXAMPLE: &str = include_str!("../../../contrib/auditkit/collect.toml");

    /// The example is accepted as it is (all defaults), by the same code
    /// path as `--config`; and each `#key = value` line, uncommented,
    /// is the built-in default: together they give exactly the default
    /// configuration, and they name every setting the flags have.
    #[test]
    fn example_config_is_accepted_and_states_the_defaults() {
        let t = auditkit_testsupport::fs::TempDir::new("collect-example");
        let load_text = |text: &str| {
            let p = t.join("collect.toml");
            std::fs::write(&p, text).unwrap();
            load(&Args {
                file: Some(p),
                sets: Vec::new(),
                help: false,
            })
        };
        assert_eq!(load_text(EXAMPLE), Ok(Config::default()));
        let mut keys = Vec::new();
        let uncommented: String = EXAMPLE
            .lines()
            .map(|l| match l.strip_prefix('#') {
                Some(rest) if rest.starts_with(|c: char| c.is_ascii_lowercase()) => {
                    keys.push(rest.split(' ').next().unwrap_or("").to_string());
                    format!("{rest}\n")
                }
                _ => format!("{l}\n"),
            })
            .collect();
        assert_eq!(load_text(&uncommented), Ok(Config::default()));
        for (_, key) in collect::KEYS {
            assert!(keys.iter().any(|k| k == key), "{key} is not in the example");
        }
        // The check can fail: a default written wrong is noticed.
        let wrong = uncommented.replace("max_per_addr = 1\n", "max_per_addr = 2\n");
        assert_ne!(load_text(&wrong), Ok(Config::default()));
    }
}
