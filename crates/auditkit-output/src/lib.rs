//! # auditkit-output: writers for audit events
//!
//! Every writer appends to a `Vec<u8>` owned by the caller. That keeps the
//! writers pure (no I/O, no locking) and lets the search pipeline format
//! batches of events on several threads and write the buffers in order.
//!
//! * [`ausearch`]: ausearch's `raw` and `default` formats, byte-identical to
//!   ausearch 3.0.9 under `LC_ALL=C`.
//! * [`escape`]: ausearch's `--escape` modes.
//! * [`time`]: `ctime` and `%x %T` through the C library's `localtime_r`,
//!   cached per second.

#![deny(missing_docs)]

pub mod ausearch;
pub mod csv;
pub mod escape;
pub mod interpret;
pub mod json;
mod json_interpreted;
pub mod normalize;
pub mod text;
pub mod time;

pub use escape::Escape;

/// Decimal digits without the formatting machinery (the JSON and `-i`
/// writers print ids, serials and numbers for every record).
pub(crate) fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}
