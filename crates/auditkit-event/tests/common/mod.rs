//! Helpers shared by the assembler's tests.

pub mod header_mutations;

use auditkit_event::Event;

/// An event as its id and the text of its records, in order.
pub type Shape = (String, Vec<Vec<u8>>);

/// Each event as its id and the text of its records, in order.
pub fn shape(events: &[Event]) -> Vec<Shape> {
    events
        .iter()
        .map(|e| {
            (
                e.id().to_string(),
                e.records().map(|r| r.line.to_vec()).collect(),
            )
        })
        .collect()
}
