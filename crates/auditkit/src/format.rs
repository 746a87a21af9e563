//! Output formats of `auditkit search`: one writer chosen from the
//! arguments, called on worker threads for each matching event.

use anyhow::Result;
use auditkit_event::Event;
use auditkit_host::Accounts;
use auditkit_interp::Machine;
use auditkit_output::ausearch::{write_default, write_raw};
use auditkit_output::csv::{write_csv, CsvExtras};
use auditkit_output::interpret::Interpreter;
use auditkit_output::json::JsonWriter;
use auditkit_output::normalize::Settings;
use auditkit_output::text::write_text;
use auditkit_output::Escape;

use crate::filter::load_names;
use crate::search_args::{Format, SearchArgs};

/// Formats events as the arguments asked.
pub struct EventWriter {
    format: Format,
    escape: Escape,
    names: Accounts,
    /// name → uid for the csv/text normalizer (`acct=` subjects).
    users: Accounts,
    csv: CsvExtras,
    json_with_lines: bool,
}

impl EventWriter {
    /// Build the writer (loads what the format needs, e.g. user names).
    pub fn new(a: &SearchArgs) -> Result<EventWriter> {
        let names = if matches!(
            a.format,
            Format::Interpret | Format::Json | Format::Csv | Format::Text
        ) {
            load_names(a)?
        } else {
            Accounts::new()
        };
        let users = if matches!(a.format, Format::Csv | Format::Text) {
            names.clone()
        } else {
            Accounts::new()
        };
        Ok(EventWriter {
            json_with_lines: a.json_with_lines,
            format: a.format,
            escape: a.escape,
            names,
            users,
            csv: CsvExtras {
                keys: a.extra_keys,
                labels: a.extra_labels,
                obj2: a.extra_obj2,
                time: a.extra_time,
            },
        })
    }

    /// What must be written once before the first event's output, if
    /// anything did match: the csv header line. The writers run on several
    /// threads, so they cannot know which event comes first.
    pub fn header(&self) -> Option<Vec<u8>> {
        (self.format == Format::Csv).then(|| auditkit_output::csv::header(&self.csv).into_bytes())
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
                with_lines: self.json_with_lines,
            }
            .write(ev, out),
            Format::Csv => write_csv(ev, &self.settings(), &self.csv, out),
            Format::Text => write_text(ev, &self.settings(), out),
            _ => write_default(ev, self.escape, out),
        }
    }
}

impl EventWriter {
    fn settings(&self) -> Settings<'_> {
        Settings {
            names: &self.names,
            users: &self.users,
            escape: self.escape.into(),
        }
    }
}
