//! The `--help` text of `auditkit search`, generated from its flag table
//! ([`crate::flags::search::SEARCH`]): examples first, then every option
//! grouped by question, then the environment and the exit statuses.

use std::fmt;

use crate::flags::{render, search::SEARCH};

/// `auditkit search --help`, rendered when printed (`print!("{HELP}")`).
pub struct Help;

/// `auditkit search --help`.
pub const HELP: Help = Help;

impl fmt::Display for Help {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render::help(&SEARCH))
    }
}
