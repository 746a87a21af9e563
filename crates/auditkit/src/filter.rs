//! Event filters of `auditkit search` (ausearch options and, later, `--where`).

use auditkit_event::value::split_keys;
use auditkit_event::Event;

use crate::search_args::SearchArgs;

/// The filters of this first cut: -k, -m, -a.
pub fn matches(a: &SearchArgs, ev: &Event) -> bool {
    if let Some(s) = a.event_serial {
        if ev.id().serial != s {
            return false;
        }
    }
    if !a.message_types.is_empty()
        && !a.all_types
        && !ev.records().any(|r| a.message_types.contains(&r.rtype()))
    {
        return false;
    }
    for k in &a.keys {
        let found = ev.records().any(|r| {
            r.fields().any(|f| {
                f.name == b"key"
                    && split_keys(&f.value)
                        .iter()
                        .any(|v| memchr::memmem::find(v, k.as_bytes()).is_some())
            })
        });
        if !found {
            return false;
        }
    }
    true
}
