//! Output formats of `auditkit search`: one writer chosen from the
//! arguments, called on worker threads for each matching event.

use anyhow::{bail, Context, Result};
use auditkit_event::Event;
use auditkit_interp::{Machine, PasswdDb};
use auditkit_output::ausearch::{write_default, write_raw};
use auditkit_output::interpret::Interpreter;
use auditkit_output::json::JsonWriter;
use auditkit_output::Escape;

use crate::search_args::{Format, SearchArgs};

/// Formats events as the arguments asked.
pub struct EventWriter {
    format: Format,
    escape: Escape,
    names: PasswdDb,
}

impl EventWriter {
    /// Build the writer (loads what the format needs, e.g. user names).
    pub fn new(a: &SearchArgs) -> Result<EventWriter> {
        if matches!(a.format, Format::Csv | Format::Text) {
            bail!("--format {:?} is not available yet in this build", a.format);
        }
        let names = if matches!(a.format, Format::Interpret | Format::Json) {
            load_names(a)?
        } else {
            PasswdDb::parse(b"", b"")
        };
        Ok(EventWriter {
            format: a.format,
            escape: a.escape,
            names,
        })
    }

    /// Append one event.
    pub fn write(&self, ev: &Event, out: &mut Vec<u8>) {
        match self.format {
            Format::Raw => write_raw(ev, out),
            Format::Interpret => Interpreter {
                names: &self.names,
                escape: self.escape,
                native: Some(Machine::native()),
            }
            .write(ev, out),
            Format::Json => JsonWriter {
                names: &self.names,
                with_lines: false,
            }
            .write(ev, out),
            _ => write_default(ev, self.escape, out),
        }
    }
}

/// User and group names: this host's, or the files given with
/// `--passwd`/`--group` (for logs from another host).
fn load_names(a: &SearchArgs) -> Result<PasswdDb> {
    let read = |given: &Option<std::path::PathBuf>, default: &str| -> Result<Vec<u8>> {
        match given {
            Some(p) => std::fs::read(p).with_context(|| format!("cannot read {}", p.display())),
            None => Ok(std::fs::read(default).unwrap_or_default()),
        }
    };
    Ok(PasswdDb::parse(
        &read(&a.passwd, "/etc/passwd")?,
        &read(&a.group, "/etc/group")?,
    ))
}
