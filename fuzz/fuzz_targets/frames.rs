//! Feed arbitrary bytes, as a client would send them, through the
//! collector's frame decoder (both sides), the way the receiver does: in
//! pieces of the sizes the input's first byte picks, consuming what each
//! frame used. The decoder must never panic, never claim more bytes than
//! it was given or none at all, never return a payload over its cap, and
//! decode the same frames whatever the pieces.
#![no_main]

use auditkit_collect::codec::{Decoder, Frame, Side, HEADER_LEN};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&step, wire)) = data.split_first() else {
        return;
    };
    for side in [Side::Server, Side::Client] {
        let whole = run(side, wire, wire.len().max(1));
        let pieces = run(side, wire, usize::from(step % 32) + 1);
        assert_eq!(whole, pieces);
    }
});

/// Every frame decoded (kind, seq, payload) or line, and whether the
/// stream broke.
fn run(side: Side, wire: &[u8], step: usize) -> (Vec<(u32, u32, Vec<u8>)>, bool) {
    let max = 64;
    let mut d = Decoder::new(side, max);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    for chunk in wire.chunks(step) {
        buf.extend_from_slice(chunk);
        loop {
            match d.decode(&buf) {
                Ok(Some((f, n))) => {
                    assert!(n > 0 && n <= buf.len());
                    match f {
                        Frame::Managed { header, payload } => {
                            assert!(payload.len() <= max);
                            assert_eq!(n, HEADER_LEN + payload.len());
                            out.push((header.kind.to_u32(), header.seq, payload.to_vec()));
                        }
                        Frame::Line(l) => {
                            assert!(l.len() <= max);
                            out.push((u32::MAX, 0, l.to_vec()));
                        }
                    }
                    buf.drain(..n);
                }
                Ok(None) => break,
                Err(_) => return (out, true),
            }
        }
        assert!(buf.len() <= HEADER_LEN + max + step);
    }
    (out, false)
}
