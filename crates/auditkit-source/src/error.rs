//! Errors of the sources, each naming the file it is about.
//!
//! The I/O error is part of the message (and not a `source()`), because
//! these errors are printed one per line as they are collected, and a
//! chain printer would say the cause twice.

use std::io;
use std::path::PathBuf;

/// What can go wrong while finding or reading inputs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input named on the command line cannot be examined.
    #[error("cannot read {}: {error}", path.display())]
    Stat {
        /// The input.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// A directory given as input holds no `audit.log`.
    #[error("{}: no audit.log in this directory", dir.display())]
    NoAuditLog {
        /// The directory.
        dir: PathBuf,
    },
    /// The configured log file does not exist (and neither do rotations).
    #[error("no input: {} does not exist (give files with -if, or pipe logs in)", path.display())]
    NoLogFile {
        /// The configured log file.
        path: PathBuf,
    },
    /// A source cannot be opened (or its compressed header is bad).
    #[error("{name}: {error}")]
    Open {
        /// The source as named in messages.
        name: String,
        /// Why.
        error: io::Error,
    },
    /// Reading a source failed part way; what was read before is used.
    #[error("{name}: {error}")]
    Read {
        /// The source as named in messages.
        name: String,
        /// Why.
        error: io::Error,
    },
}

/// Convenience alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;
