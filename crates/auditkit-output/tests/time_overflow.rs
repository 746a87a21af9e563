//! A damaged timestamp can be a number of seconds whose year does not fit
//! a C `int` (`msg=audit(165318038370299914):` was one of the header
//! mutations of issue 8). glibc's localtime fails on it, and ausearch
//! 3.0.9 then prints `(null)` for ctime (no newline), `?` for the time of
//! `-i` and text, and empty time columns in csv. The expected lines are
//! ausearch's output for this log (`LC_ALL=C TZ=UTC ausearch -if F ...`).

use auditkit_event::assemble::assemble_all;
use auditkit_host::Accounts;
use auditkit_interp::Machine;
use auditkit_output::ausearch::write_default;
use auditkit_output::csv::{write_csv, CsvExtras};
use auditkit_output::interpret::Interpreter;
use auditkit_output::normalize::Settings;
use auditkit_output::text::write_text;
use auditkit_output::Escape;

const LOG: &[u8] = b"type=PATH msg=audit(9223372036854775800.000:1): item=0\n";

fn one(write: impl Fn(&auditkit_event::Event, &mut Vec<u8>)) -> String {
    let events = assemble_all(LOG, 2);
    assert_eq!(events.len(), 1);
    let mut out = Vec::new();
    write(&events[0], &mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn every_ausearch_format_as_ausearch_prints_it() {
    let names = Accounts::parse(b"", b"");
    let users = Accounts::parse(b"", b"");
    let settings = Settings {
        names: &names,
        users: &users,
        escape: Escape::Tty.into(),
    };
    assert_eq!(
        one(|e, o| write_default(e, Escape::Tty, o)),
        "----\ntime->(null)type=PATH msg=audit(9223372036854775800.000:1): item=0\n"
    );
    let interp = Interpreter {
        names: &names,
        escape: Escape::Tty,
        native: Some(Machine::X86_64),
    };
    assert_eq!(
        one(|e, o| interp.write(e, o)),
        "----\ntype=PATH msg=audit(?.000:1) : item=0 \n"
    );
    let plain = CsvExtras {
        keys: false,
        labels: false,
        obj2: false,
        time: false,
    };
    assert_eq!(
        one(|e, o| write_csv(e, &settings, &plain, o)),
        ",PATH,,,1,audit-rule,,,,,did-unknown,,,,unknown,\n"
    );
    let extra_time = CsvExtras {
        time: true,
        ..plain
    };
    assert_eq!(
        one(|e, o| write_csv(e, &settings, &extra_time, o)),
        ",PATH,,,,,,,,0,,1,audit-rule,,,,,did-unknown,,,,unknown,\n"
    );
    assert_eq!(
        one(|e, o| write_text(e, &settings, o)),
        "At ?  did-unknown \n"
    );
}
