//! Running the built `auditkit` binary and the reference tools the same
//! way: `LC_ALL=C` and `TZ=UTC` (ausearch's dates follow the locale and the
//! time zone, and so do ours), stdin from `/dev/null` (a search with no
//! `-if` would otherwise read the terminal), and a clear panic when the
//! program cannot be started at all.
//!
//! [`crate::auditkit!`] gives a [`Run`] of the binary under test; it must
//! be a macro because only the calling test crate knows
//! `CARGO_BIN_EXE_auditkit`.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// A program about to run; a builder over [`Command`].
pub struct Run {
    cmd: Command,
}

/// A [`Run`] of the `auditkit` binary built for the calling test crate,
/// with the given arguments: `auditkit!("search", "-if", path).output()`.
#[macro_export]
macro_rules! auditkit {
    ($($arg:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut r = $crate::run::Run::new(env!("CARGO_BIN_EXE_auditkit"));
        $( r = r.arg($arg); )*
        r
    }};
}

impl Run {
    /// `program` with `LC_ALL=C TZ=UTC` and no stdin.
    pub fn new(program: impl AsRef<OsStr>) -> Run {
        let mut cmd = Command::new(program);
        cmd.env("LC_ALL", "C").env("TZ", "UTC").stdin(Stdio::null());
        Run { cmd }
    }

    /// Add an argument.
    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Run {
        self.cmd.arg(a);
        self
    }

    /// Add arguments.
    pub fn args<I, S>(mut self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Run in `dir`.
    pub fn cwd(mut self, dir: impl AsRef<Path>) -> Run {
        self.cmd.current_dir(dir);
        self
    }

    /// Set an environment variable.
    pub fn env(mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> Run {
        self.cmd.env(k, v);
        self
    }

    /// The command, to spawn it (e.g. `--follow` with a piped stdout).
    pub fn command(self) -> Command {
        self.cmd
    }

    /// Run to the end and collect stdout and stderr.
    pub fn output(mut self) -> Output {
        let what = format!("{:?}", self.cmd.get_program());
        self.cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run {what}: {e}"))
    }

    /// Run to the end: the exit code (-1 for a signal), stdout, stderr.
    pub fn text(self) -> (i32, String, String) {
        let o = self.output();
        (
            o.status.code().unwrap_or(-1),
            text(&o.stdout),
            text(&o.stderr),
        )
    }
}

/// Bytes as text, lossily (for messages and `contains` checks).
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
