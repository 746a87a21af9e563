//! ausearch's `--checkpoint FILE` (`src/ausearch-checkpt.c` and the
//! decision in `src/ausearch.c`): remember the last complete event seen and
//! the log file it came from, so the next run prints only newer events.
//!
//! The file is three lines:
//!
//! ```text
//! dev=0xFD01
//! inode=1234567
//! output=NODE|- SEC.MSEC:SERIAL 0xTYPE
//! ```
//!
//! Exit codes (ausearch's): 10 when the checkpoint file cannot be read or
//! parsed, or its log file is not found among the logs; 11 when the new
//! checkpoint cannot be written; 12 when the checkpoint looks corrupted
//! (a newer complete event comes before the checkpointed one).

use std::fmt;
use std::path::Path;

use auditkit_interp::RecordType;

/// The event a checkpoint remembers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LastEvent {
    /// `node=` name, if any.
    pub node: Option<Vec<u8>>,
    /// Seconds.
    pub sec: u64,
    /// Milliseconds.
    pub milli: u32,
    /// Serial.
    pub serial: u64,
    /// Type of the event's first record.
    pub rtype: RecordType,
}

/// A loaded or to-be-saved checkpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checkpoint {
    /// Device of the log file last read.
    pub dev: u64,
    /// Inode of the log file last read.
    pub ino: u64,
    /// The last complete event.
    pub last: LastEvent,
}

/// Why a checkpoint could not be loaded (exit code 10 in ausearch).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError(pub String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

fn parse_event(line: &str) -> Option<LastEvent> {
    let rest = line.strip_prefix("output=")?;
    let (node, rest) = rest.split_once(' ')?;
    let (sec, rest) = rest.split_once('.')?;
    let (milli, rest) = rest.split_once(':')?;
    let (serial, rest) = rest.split_once(' ')?;
    let ty = rest.trim_end().strip_prefix("0x")?;
    Some(LastEvent {
        node: (!node.starts_with('-')).then(|| node.as_bytes().to_vec()),
        sec: sec.parse().ok()?,
        milli: milli.parse().ok()?,
        serial: serial.parse().ok()?,
        // ausearch writes the C int as `%X`: -1 is FFFFFFFF.
        rtype: RecordType(u32::from_str_radix(ty, 16).ok()? as i32),
    })
}

/// Parse checkpoint text. Error messages are ausearch's.
pub fn parse(text: &str, file: &str) -> Result<Checkpoint, LoadError> {
    let mut cp = Checkpoint::default();
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("dev=") {
            let v = v.trim_start_matches("0x").trim_start_matches("0X");
            cp.dev = u64::from_str_radix(v, 16)
                .map_err(|_| LoadError(format!("Malformed dev checkpoint line - [{line}]")))?;
        } else if let Some(v) = line.strip_prefix("inode=") {
            cp.ino = v
                .parse()
                .map_err(|_| LoadError(format!("Malformed inode checkpoint line - [{line}]")))?;
        } else if line.starts_with("output=") {
            cp.last = parse_event(line).ok_or_else(|| {
                LoadError(format!(
                    "Malformed output/event checkpoint line after node - [{line}]"
                ))
            })?;
        } else {
            return Err(LoadError(format!("Unknown checkpoint line - [{line}]")));
        }
    }
    if cp.dev == 0 || cp.ino == 0 {
        return Err(LoadError(format!(
            "Missing dev/inode lines from checkpoint file {file}"
        )));
    }
    Ok(cp)
}

/// Load a checkpoint file: `Ok(None)` when it does not exist.
pub fn load(path: &Path) -> Result<Option<Checkpoint>, LoadError> {
    match std::fs::read_to_string(path) {
        Ok(t) => parse(&t, &path.display().to_string()).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(LoadError(format!(
            "Cannot open checkpoint file - {}: {e}",
            path.display()
        ))),
    }
}

/// The file's text (what ausearch's `save_ChkPt` writes; dev and inode
/// are printed as C `unsigned int`).
pub fn render(cp: &Checkpoint) -> String {
    let node = cp.last.node.as_ref().map_or_else(
        || "-".to_string(),
        |n| String::from_utf8_lossy(n).into_owned(),
    );
    format!(
        "dev=0x{:X}\ninode={}\noutput={} {}.{:03}:{} 0x{:X}\n",
        cp.dev as u32,
        cp.ino as u32,
        node,
        cp.last.sec,
        cp.last.milli,
        cp.last.serial,
        cp.last.rtype.0 as u32
    )
}

/// ausearch's "may this event be printed" decision after a checkpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Print this event (and all later ones).
    Output,
    /// This is the checkpointed event: print the ones after it.
    AfterThis,
    /// Not yet.
    Hold,
    /// An event far newer than the checkpoint came first: corrupted.
    Corrupted,
}

/// Seconds after which an event must be complete (`MAX_EVENT_DELTA_SECS`).
pub const MAX_EVENT_DELTA_SECS: u64 = 2;

/// Tracks the decision across events (`chkpt_output_decision`).
#[derive(Clone, Debug)]
pub struct Gate {
    loaded: Option<LastEvent>,
    time_only: bool,
    open: bool,
}

impl Gate {
    /// `loaded`: the checkpoint's last event, if a checkpoint was loaded;
    /// `time_only`: `-ts checkpoint`.
    pub fn new(loaded: Option<LastEvent>, time_only: bool) -> Gate {
        let open = loaded.as_ref().is_none_or(|l| l.sec == 0);
        Gate {
            loaded,
            time_only,
            open,
        }
    }

    /// Decide for a matched event.
    pub fn decide(&mut self, e: &LastEvent) -> Decision {
        if self.open {
            return Decision::Output;
        }
        let Some(l) = &self.loaded else {
            self.open = true;
            return Decision::Output;
        };
        if self.time_only && (l.sec < e.sec || (l.sec == e.sec && l.milli <= e.milli)) {
            self.open = true;
            return Decision::Output;
        }
        if l.sec == e.sec
            && l.milli == e.milli
            && l.serial == e.serial
            && l.rtype == e.rtype
            && l.node == e.node
        {
            self.open = true;
            return Decision::AfterThis;
        }
        if l.sec < e.sec && e.sec - l.sec > MAX_EVENT_DELTA_SECS {
            return Decision::Corrupted;
        }
        Decision::Hold
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let cp = Checkpoint {
            dev: 0xfd01,
            ino: 42,
            last: LastEvent {
                node: None,
                sec: 1700000000,
                milli: 7,
                serial: 99,
                rtype: RecordType::SYSCALL,
            },
        };
        let text = render(&cp);
        assert_eq!(
            text,
            "dev=0xFD01\ninode=42\noutput=- 1700000000.007:99 0x514\n"
        );
        assert_eq!(parse(&text, "f"), Ok(cp));
        assert!(parse("dev=0x1\n", "f").is_err());
        assert!(parse("bogus\n", "f").is_err());
    }

    #[test]
    fn gate() {
        let l = LastEvent {
            node: None,
            sec: 100,
            milli: 0,
            serial: 5,
            rtype: RecordType::SYSCALL,
        };
        let mut g = Gate::new(Some(l.clone()), false);
        let mut e = l.clone();
        e.serial = 4;
        assert_eq!(g.decide(&e), Decision::Hold);
        assert_eq!(g.decide(&l), Decision::AfterThis);
        assert_eq!(g.decide(&e), Decision::Output);
        let mut g = Gate::new(Some(l.clone()), false);
        e.sec = 200;
        assert_eq!(g.decide(&e), Decision::Corrupted);
    }
}
