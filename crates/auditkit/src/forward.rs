//! `auditkit forward`: the flags become `ForwardOptions`, and
//! `auditkit_collect::forward::run` reads stdin until it closes.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use auditkit_collect::forward::ForwardOptions;
use auditkit_collect::tls::ClientTls;

use crate::exit::Exit;
use crate::flags::{forward, render, Id, Value};

fn num<T: std::str::FromStr>(name: &str, v: &str) -> Result<T> {
    v.parse()
        .map_err(|_| anyhow::anyhow!("{name}: expected a number (found '{v}')"))
}

/// `auditkit forward ...`.
pub fn main(args: &[OsString]) -> Result<Exit> {
    let cmd = &forward::FORWARD;
    let mut o = ForwardOptions::default();
    let (mut ca, mut cert, mut key, mut name) = (None, None, None, None);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let s = arg.to_string_lossy().to_string();
        let (flag_name, inline) = match s.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (s.clone(), None),
        };
        let Some(flag) = cmd.lookup(&flag_name) else {
            eprintln!("auditkit forward: unknown option {s} (see auditkit forward --help)");
            return Ok(Exit::Usage);
        };
        if flag.value == Value::None {
            print!("{}", render::help(cmd));
            return Ok(Exit::Ok);
        }
        let v = match inline {
            Some(v) => v,
            None => match it.next() {
                Some(v) => v.to_string_lossy().to_string(),
                None => bail!("{flag_name} needs a value"),
            },
        };
        let n = flag.long;
        match flag.id {
            Id::ForwardTo => o.to = v,
            Id::ForwardQueue => o.queue = PathBuf::from(v),
            Id::QueueSize => o.queue_opts.max_bytes = num(n, &v)?,
            Id::Window => o.window = num::<usize>(n, &v)?.max(1),
            Id::Heartbeat => {
                let s: u64 = num(n, &v)?;
                o.heartbeat = (s > 0).then(|| Duration::from_secs(s));
            }
            Id::Retry => o.retry = Duration::from_millis(num::<u64>(n, &v)?.max(1)),
            Id::Timeout => o.timeout = Duration::from_secs(num::<u64>(n, &v)?.max(1)),
            Id::Drain => o.drain = Duration::from_secs(num(n, &v)?),
            Id::TlsCa => ca = Some(PathBuf::from(v)),
            Id::TlsCert => cert = Some(PathBuf::from(v)),
            Id::TlsKey => key = Some(PathBuf::from(v)),
            Id::TlsName => name = Some(v),
            _ => bail!("{n}: not handled (a bug)"),
        }
    }
    if o.to.is_empty() {
        eprintln!("auditkit forward: --to HOST:PORT is required");
        return Ok(Exit::Usage);
    }
    o.tls = match (ca, cert, key) {
        (None, None, None) if name.is_none() => None,
        (Some(ca), Some(cert), Some(key)) => Some(ClientTls {
            ca,
            cert,
            key,
            name,
        }),
        _ => {
            eprintln!("auditkit forward: TLS needs --tls-ca, --tls-cert and --tls-key together");
            return Ok(Exit::Usage);
        }
    };
    // auditd sends its plugins SIGHUP when it reloads its configuration;
    // the default action would end the forwarder. There is nothing to
    // reload: ignore it. (SIGTERM ends it: the queue is on disk.)
    // SAFETY: setting a signal's disposition to SIG_IGN.
    unsafe {
        libc::signal(libc::SIGHUP, libc::SIG_IGN);
    }
    auditkit_collect::forward::run(o, std::io::stdin()).context("forward")?;
    Ok(Exit::Ok)
}
