//! What the workspace's tests share, in one place, so that no test finds
//! the corpus, a reference tool or the kernel in its own way, and no test
//! can pass by quietly doing nothing.
//!
//! Most of our tests compare auditkit with the real tools (ausearch,
//! auditctl, augenrules, auparse through python3-audit) on real data (the
//! shared corpus next to the project, `../shared/corpus`). When one of those
//! is missing a test cannot check anything; it says so with one line,
//! `SKIP test::name: reason`, through [`skip`] (usually via [`require!`]).
//! With `AUDITKIT_REQUIRE_ORACLES=1` in the environment (`.ci/run` sets it)
//! every such skip is a failure instead, so CI cannot pass on a machine
//! where half the oracles are absent.
//!
//! - [`paths`]: the workspace root, the corpus, the example logs, files
//!   under a directory, found from this crate's own manifest directory
//!   (it sits in the workspace it serves) rather than from each caller's.
//! - [`need`]: the checks behind [`require!`] (a program on `PATH`, root,
//!   the kernel's audit subsystem, a Python module, a file).
//! - [`run`]: a runner for the built `auditkit` binary and the reference
//!   tools, with `LC_ALL=C TZ=UTC` and no stdin, as every comparison needs.
//! - [`fs`]: temporary directories that clean up, and a log without its
//!   `#` comment lines (ausearch reads them as records, we as comments).
//! - [`damage`]: real log lines damaged near their headers, the same
//!   files for every format's comparison with ausearch.
//! - [`kernel_lock`]: the one lock every test that touches the kernel's
//!   audit rules holds (`/tmp/auditkit-kernel.lock`, also taken by
//!   `tools/gen-test-logs.sh`).
//! - `kernel` (feature `kernel`): a session that takes the lock, saves the
//!   loaded rules and settings and puts them back, auditctl as the oracle,
//!   and the corpus rule files made loadable on this host.
//!
//! This crate is `publish = false` and only ever a dev-dependency.

pub mod damage;
pub mod fs;
#[cfg(feature = "kernel")]
pub mod kernel;
pub mod need;
pub mod paths;
pub mod run;

use std::fs::File;

/// The environment variable that turns every skip into a failure.
pub const REQUIRE_ORACLES: &str = "AUDITKIT_REQUIRE_ORACLES";

/// Whether skips are failures: `AUDITKIT_REQUIRE_ORACLES` set to anything
/// but empty or `0`.
pub fn oracles_required() -> bool {
    std::env::var_os(REQUIRE_ORACLES).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The name of the running test: libtest (and nextest, which runs libtest
/// binaries) names each test's thread after the test's path.
pub fn test_name() -> String {
    std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .unwrap_or("(test)")
        .to_string()
}

/// Say that the running test cannot check anything here and why, as
/// `SKIP name: reason` on stderr; the caller then returns. Under
/// `AUDITKIT_REQUIRE_ORACLES=1` this panics instead, failing the test.
#[track_caller]
pub fn skip(reason: &str) {
    let name = test_name();
    if oracles_required() {
        panic!("{name}: {reason} ({REQUIRE_ORACLES}=1 makes a skip a failure)");
    }
    eprintln!("SKIP {name}: {reason}");
}

/// Go on only if a check passes; otherwise [`skip`] and return from the
/// calling function (which must return `()`, or give the value to return
/// after a comma: `require!(tool "ausearch", None)`).
///
/// The forms:
/// - `require!(tool "ausearch")`: a program on `PATH`;
/// - `require!(root)`: the effective user is root;
/// - `require!(kernel_audit)`: root, and `auditctl -s` answers with an
///   audit configuration that is not locked; gives its output;
/// - `require!(python "auparse")`: `/usr/bin/python3` imports a module;
/// - `require!(file PATH)`: a readable file; gives its text;
/// - `require!(corpus)`: the shared corpus exists; gives its path;
/// - `require!(EXPR)`: any `Result<T, String>`; gives the `T`.
#[macro_export]
macro_rules! require {
    (tool $name:expr $(, $ret:expr)?) => {
        $crate::require!($crate::need::tool($name) $(, $ret)?)
    };
    (root $(, $ret:expr)?) => {
        $crate::require!($crate::need::root() $(, $ret)?)
    };
    (kernel_audit $(, $ret:expr)?) => {
        $crate::require!($crate::need::kernel_audit() $(, $ret)?)
    };
    (python $module:expr $(, $ret:expr)?) => {
        $crate::require!($crate::need::python_module($module) $(, $ret)?)
    };
    (file $path:expr $(, $ret:expr)?) => {
        $crate::require!($crate::need::file($path) $(, $ret)?)
    };
    (corpus $(, $ret:expr)?) => {
        $crate::require!($crate::need::corpus() $(, $ret)?)
    };
    ($check:expr $(, $ret:expr)?) => {
        match $check {
            ::core::result::Result::Ok(v) => v,
            ::core::result::Result::Err(why) => {
                $crate::skip(&why);
                return $($ret)?;
            }
        }
    };
}

/// The path of the lock that serialises every test (and tool) that
/// changes the kernel's audit rules or settings.
pub const KERNEL_LOCK: &str = "/tmp/auditkit-kernel.lock";

/// Take the kernel lock (blocking until it is free); it is released when
/// the returned file is dropped. Tests in different binaries and processes
/// (nextest runs each test in its own) share the kernel, so a lock in a
/// file, not in memory.
pub fn kernel_lock() -> File {
    let f = File::create(KERNEL_LOCK)
        .unwrap_or_else(|e| panic!("cannot create the kernel lock {KERNEL_LOCK}: {e}"));
    f.lock()
        .unwrap_or_else(|e| panic!("cannot take the kernel lock {KERNEL_LOCK}: {e}"));
    f
}
