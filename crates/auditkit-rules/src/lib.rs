//! audit.rules for people and programs: parse every auditctl option, print
//! rules the way the kernel gives them back, rebuild what `augenrules`
//! writes, and lint for the mistakes that make rules slow, wrong or
//! refused.
//!
//! # Shape
//!
//! A rules file goes through three layers, each usable on its own:
//!
//! 1. **Syntax** ([`parse_file`]): lines are split into words exactly as
//!    auditctl 3.0.9 splits them (spaces only, `\ ` escapes), then options are
//!    read like its getopt loop. The result is a [`RuleFile`] that keeps every
//!    line, every word's position and the user's spelling (`loginuid`,
//!    `exit,always`), plus a [`ParseError`] per bad line; parsing never stops
//!    at the first error.
//! 2. **Meaning** ([`Resolver::resolve`]): a [`Rule`] becomes a
//!    [`KernelRule`], the kernel's view: a syscall set for one machine, typed
//!    field values (uids, errnos, message types as numbers), keys as one last
//!    field, watches as `path=`/`dir=` + `perm=`. Everything auditctl or the
//!    kernel would refuse comes back as a [`Rejection`] with a lint code.
//!    Comparing rule sets ("does this file audit what that benchmark asks")
//!    works on this form.
//! 3. **Output**: [`canonical`] prints a kernel rule exactly as `auditctl -l`
//!    does and [`Loaded`] simulates the kernel's lists while a file is
//!    loaded, so `auditkit rules fmt` can show what `auditctl -l` will show
//!    before anything is loaded. [`augenrules()`] rebuilds `audit.rules` from a
//!    `rules.d` directory; [`lint()`] reports findings with codes.
//!
//! 4. **Compliance** ([`check()`]): a [`profile::Profile`] (CIS Debian 12,
//!    CIS Debian 8, NSA RHEL; data files in `profiles/`, whose requirement
//!    lines are rules themselves) is checked against a [`RuleSet`] by the
//!    events the rules audit ([`semantic`]), not by their text; auditd.conf,
//!    the boot command line and file modes come through the [`System`]
//!    trait. [`generate`] writes the hardened rule set (also data) and
//!    privileged-command rules.
//!
//! # Why no I/O
//!
//! The library never reads files or the password database: the caller
//! passes file contents and a [`Host`] (user and group names, what a path
//! is). That keeps results a function of the inputs, makes the tests exact,
//! and lets the same code check rules meant for another machine.
//!
//! # Fidelity
//!
//! The target is auditctl 3.0.9 and the running kernel: tests load the
//! corpus into the real kernel and compare `auditctl -l` with our printing
//! line by line, and compare [`augenrules()`] and [`version_cmp`] with the real
//! `augenrules` script and `sort -V`.

mod ast;
pub mod augenrules;
pub mod check;
mod check_system;
pub mod codes;
mod error;
pub mod fields;
pub mod generate;
mod host;
mod kernel_checks;
mod kernel_rule;
mod lexer;
pub mod lint;
mod parse;
mod print;
pub mod profile;
mod resolve;
mod ruleset;
pub mod semantic;
mod target;
mod vercmp;
mod verdict;

pub use ast::*;
pub use augenrules::{augenrules, augenrules_with, AugenrulesOptions};
pub use check::{check, CheckContext, FileStat, ItemResult, NoSystem, Status, System};
pub use codes::Severity;
pub use error::ParseError;
pub use fields::{Action, Field, FilterList, Op, Perms};
pub use host::{path_kind_of, Accounts, AccountsHost, FnHost, Host, NoHost, PathKind};
pub use kernel_rule::{KField, KernelRule, Rejection, Syscalls, Value, KEY_SEPARATOR, MAX_KEY_LEN};
pub use lexer::{lex_line, Lexed, Word};
pub use lint::{lint, Finding};
pub use parse::{parse_c_long, parse_c_ulong, parse_file, parse_line};
pub use print::{canonical, canonical_with, is_watch, LoadError, Loaded, PrintState};
pub use profile::{parse_profile, Profile, ProfileError};
pub use resolve::{lookup_syscall, Resolver};
pub use ruleset::{Layout, Origin, RuleSet, SetRule};
pub use vercmp::version_cmp;

pub use auditkit_interp::Machine;

/// Format a file the way `auditctl -l` would list it after loading it into
/// an empty kernel: one line per loaded rule. With `keep_control`, control
/// lines (`-D`, `-b`, `-f`, `-e`, ...) are kept at their place in the file,
/// written as in the source. Rules that would be refused are left out; ask
/// [`Loaded::load_file`] for the reasons.
pub fn fmt(file: &RuleFile, native: Machine, host: &dyn Host, keep_control: bool) -> Vec<String> {
    if !keep_control {
        let mut loaded = Loaded::new();
        loaded.load_file(file, &Resolver { native, host });
        return loaded.listing(native);
    }
    let resolver = Resolver { native, host };
    let mut state = PrintState::default();
    let mut out = Vec::new();
    for (line, cmd) in file.commands() {
        match cmd {
            Command::Control(_) => out.push(line.text.trim_matches(' ').to_string()),
            Command::Rule(r) => {
                if let Ok(k) = resolver.resolve(r) {
                    let text = canonical_with(&k, native, &mut state);
                    match r.op {
                        RuleOp::Delete if text.starts_with("-w ") => {
                            out.push(format!("-W {}", &text[3..]))
                        }
                        RuleOp::Delete => out.push(text.replacen("-a ", "-d ", 1)),
                        RuleOp::Prepend => out.push(text.replacen("-a ", "-A ", 1)),
                        RuleOp::Append => out.push(text),
                    }
                }
            }
        }
    }
    out
}
