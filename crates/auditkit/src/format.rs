//! Output formats of `auditkit search`: one writer chosen from the
//! arguments, called on worker threads for each matching event.

use anyhow::{bail, Result};
use auditkit_event::Event;
use auditkit_output::ausearch::{write_default, write_raw};
use auditkit_output::Escape;

use crate::search_args::{Format, SearchArgs};

/// Formats events as the arguments asked.
pub struct EventWriter {
    format: Format,
    escape: Escape,
}

impl EventWriter {
    /// Build the writer (loads what the format needs, e.g. user names).
    pub fn new(a: &SearchArgs) -> Result<EventWriter> {
        if matches!(
            a.format,
            Format::Interpret | Format::Csv | Format::Text | Format::Json
        ) {
            bail!("--format {:?} is not available yet in this build", a.format);
        }
        Ok(EventWriter {
            format: a.format,
            escape: a.escape,
        })
    }

    /// Append one event.
    pub fn write(&self, ev: &Event, out: &mut Vec<u8>) {
        match self.format {
            Format::Raw => write_raw(ev, out),
            _ => write_default(ev, self.escape, out),
        }
    }
}
