//! Exit statuses: one enum, printed in every `--help` from `exit_help!`.
//!
//! The audit tools' conventions are kept (0 found, 1 nothing found or an
//! error, ausearch's 10/11/12 for checkpoints); an internal error (a bug,
//! including a panic on any thread) has its own status, 70 (`EX_SOFTWARE`
//! of sysexits.h), so that a crash can never pass for "no matches".

use std::process::ExitCode;

/// How `auditkit` exits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Something matched, or the command did what was asked.
    Ok = 0,
    /// Nothing matched (ausearch's 1), a check failed, or an input error.
    NotFound = 1,
    /// The command line is wrong (unknown command, missing command).
    Usage = 2,
    /// `rules apply` changed the kernel and could not roll it back.
    Critical = 3,
    /// ausearch's 10: the checkpoint cannot be used.
    CheckpointBad = 10,
    /// ausearch's 11: the checkpoint cannot be saved.
    CheckpointSave = 11,
    /// ausearch's 12: the checkpoint is older than an event seen before it.
    CheckpointCorrupt = 12,
    /// A bug in auditkit: an internal error or a panic. What happened is
    /// printed on stderr; output may be incomplete.
    Internal = 70,
}

/// The exit statuses as a string literal, for `concat!` into help texts.
macro_rules! exit_help {
    () => {
        "\
Exit status:
  0   something matched, or the command did what was asked
  1   nothing matched (ausearch's status; search prints '<no matches>' on
      stderr except in raw format), a check failed, or an input error
  2   the command line is wrong (search keeps ausearch's 1)
  3   rules apply: the kernel was changed and could not be rolled back
  10  search --checkpoint: the checkpoint cannot be used (ausearch's 10)
  11  search --checkpoint: the checkpoint cannot be saved (ausearch's 11)
  12  search --checkpoint: events older than the checkpoint follow it (ausearch's 12)
  70  internal error (a bug, e.g. a crash in a worker thread): reported on stderr
"
    };
}
pub(crate) use exit_help;

impl Exit {
    /// `detect`: an alert was printed (grep's and ausearch's 1 means
    /// "nothing found"; for detect, finding is the news).
    pub const FIRED: Exit = Exit::NotFound;

    /// The status of a number a subcommand returned (the rules commands
    /// still return plain numbers); unknown numbers are internal errors.
    pub fn from_code(code: u8) -> Exit {
        match code {
            0 => Exit::Ok,
            1 => Exit::NotFound,
            2 => Exit::Usage,
            3 => Exit::Critical,
            10 => Exit::CheckpointBad,
            11 => Exit::CheckpointSave,
            12 => Exit::CheckpointCorrupt,
            _ => Exit::Internal,
        }
    }

    /// The status of an error that ended a command: internal for a
    /// panicked pipeline thread, 1 for everything else (an input or
    /// output error, as the audit tools).
    pub fn of_error(e: &anyhow::Error) -> Exit {
        if e.chain()
            .any(|c| c.is::<auditkit_event::pipeline::Panicked>())
        {
            Exit::Internal
        } else {
            Exit::NotFound
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_is_in_the_help() {
        for e in [
            Exit::Ok,
            Exit::NotFound,
            Exit::Usage,
            Exit::Critical,
            Exit::CheckpointBad,
            Exit::CheckpointSave,
            Exit::CheckpointCorrupt,
            Exit::Internal,
        ] {
            let n = e as u8;
            assert_eq!(Exit::from_code(n), e);
            assert!(
                exit_help!()
                    .lines()
                    .any(|l| l.trim_start().starts_with(&format!("{n} "))),
                "{n} missing from the help"
            );
        }
    }

    #[test]
    fn a_panicked_thread_is_an_internal_error() {
        let e = anyhow::Error::new(auditkit_event::pipeline::Panicked {
            thread: "ak-parse".into(),
            message: "slice index starts at 5 but ends at 1".into(),
        });
        assert_eq!(Exit::of_error(&e), Exit::Internal);
        let io = anyhow::Error::new(std::io::Error::other("disk"));
        assert_eq!(Exit::of_error(&io), Exit::NotFound);
    }
}
