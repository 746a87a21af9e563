//! The one bounded chunker: bytes in blocks -> newline-aligned [`Chunk`](crate::Chunk)s,
//! with a cap on the length of a line.
//!
//! Every source (files, pipes, decompressors, a followed file; later TCP
//! frames) is read in blocks, and each block is cut at its last newline:
//! the tail, a partial line, is carried into the next block. Without a cap
//! a line that never ends (a 300 MB file without a newline) would be
//! carried and grown until the whole of it sat in memory. Here a line
//! longer than the limit is *cut*: its first `limit` bytes are passed on
//! as a line of their own (so nothing vanishes silently, and the parser
//! reports it if it is not a record), the rest up to its newline is
//! skipped, and a [`LongLine`] names where it was and how long it was.
//!
//! Cost: blocks are at most `limit` bytes, so a line longer than the limit
//! always spans a block boundary, and only the one carried line of each
//! block has to be measured (a `memchr` to its newline, usually a few
//! hundred bytes). No other byte is looked at twice.

use auditkit_event::chunk::split_at_last_newline;

/// Default cap on a line (1 MiB). The kernel's records are at most 8970
/// bytes (`MAX_AUDIT_MESSAGE_LENGTH`); enriched lines add names to that.
pub const DEFAULT_MAX_LINE: usize = 1 << 20;

/// Size of one read block (1 MiB). Big enough that per-chunk overhead
/// vanishes, small enough that the few blocks in flight stay well under
/// 100 MB.
pub const BLOCK_SIZE: usize = 1 << 20;

/// A line that was longer than the limit and was cut.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LongLine {
    /// The source index (as in `Chunk::source`).
    pub source: u32,
    /// Byte offset of the line's start in the source (decompressed bytes).
    pub offset: u64,
    /// The line's full length, without its newline.
    pub len: u64,
}

/// The cutting state of one source.
#[derive(Debug)]
pub(crate) struct Cutter {
    limit: usize,
    source: u32,
    /// The partial last line of the previous block.
    carry: Vec<u8>,
    /// Offset in the source of the first byte of `carry`.
    offset: u64,
    /// Set while the rest of a cut line is being skipped.
    skipping: Option<LongLine>,
}

impl Cutter {
    /// A cutter for source `source`, whose first byte is at `offset`.
    pub(crate) fn new(source: u32, limit: usize, offset: u64) -> Cutter {
        Cutter {
            limit: limit.max(1),
            source,
            carry: Vec::new(),
            offset,
            skipping: None,
        }
    }

    /// Offset in the source just past the last byte given to the cutter
    /// (where reading goes on).
    pub(crate) fn consumed(&self) -> u64 {
        self.offset + self.carry.len() as u64
    }

    /// How many bytes to read per block.
    pub(crate) fn block_size(&self) -> usize {
        BLOCK_SIZE.min(self.limit)
    }

    /// A buffer that starts with the carried partial line; read up to
    /// [`block_size`](Self::block_size) more bytes onto its end and hand it
    /// to [`cut`](Self::cut).
    pub(crate) fn buffer(&mut self) -> Vec<u8> {
        let mut b = std::mem::take(&mut self.carry);
        b.reserve(self.block_size());
        b
    }

    /// Give back a buffer from [`buffer`](Self::buffer) that will not go
    /// to [`cut`](Self::cut): at the end of a source (before
    /// [`finish`](Self::finish)), or a followed file with no new data yet.
    pub(crate) fn restore(&mut self, buf: Vec<u8>) {
        self.carry = buf;
    }

    /// Take a buffer whose bytes from `new_from` on were just read. Returns
    /// the complete lines to pass on, if any; cut lines go to `long`.
    pub(crate) fn cut(
        &mut self,
        mut buf: Vec<u8>,
        new_from: usize,
        long: &mut impl FnMut(LongLine),
    ) -> Option<Vec<u8>> {
        let mut new_from = new_from;
        if let Some(skip) = self.skipping.as_mut() {
            // Nothing is carried while skipping: all of `buf` is new.
            match memchr::memchr(b'\n', &buf) {
                None => {
                    skip.len += buf.len() as u64;
                    self.offset += buf.len() as u64;
                    buf.clear();
                    self.carry = buf;
                    return None;
                }
                Some(i) => {
                    skip.len += i as u64;
                    if let Some(l) = self.skipping.take() {
                        long(l);
                    }
                    buf.drain(..=i);
                    self.offset += i as u64 + 1;
                    new_from = 0;
                }
            }
        }
        if buf.len() > self.limit {
            // Only the first line can be longer than the limit (blocks
            // are not): measure it.
            let end = memchr::memchr(b'\n', &buf[new_from..]).map(|i| new_from + i);
            let len = end.unwrap_or(buf.len());
            if len > self.limit {
                let line = LongLine {
                    source: self.source,
                    offset: self.offset,
                    len: len as u64,
                };
                let mut out = Vec::with_capacity(self.limit + 1 + buf.len() - len);
                out.extend_from_slice(&buf[..self.limit]);
                out.push(b'\n');
                let Some(end) = end else {
                    self.offset += buf.len() as u64;
                    self.skipping = Some(line);
                    buf.clear();
                    self.carry = buf;
                    return Some(out);
                };
                long(line);
                let rest = &buf[end + 1..];
                let cut = split_at_last_newline(rest);
                out.extend_from_slice(&rest[..cut]);
                self.carry = rest[cut..].to_vec();
                self.offset += (end + 1 + cut) as u64;
                return Some(out);
            }
        }
        let cut = split_at_last_newline(&buf);
        if cut == 0 {
            self.carry = buf;
            return None;
        }
        self.carry = buf[cut..].to_vec();
        self.offset += cut as u64;
        buf.truncate(cut);
        Some(buf)
    }

    /// The end of the source: its last line if it had no newline, and
    /// the report of a cut line still being skipped.
    pub(crate) fn finish(&mut self, long: &mut impl FnMut(LongLine)) -> Option<Vec<u8>> {
        if let Some(l) = self.skipping.take() {
            long(l);
        }
        let rest = std::mem::take(&mut self.carry);
        self.offset += rest.len() as u64;
        (!rest.is_empty()).then_some(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feed `data` in blocks of the cutter's size and collect the output.
    fn run(data: &[u8], limit: usize) -> (Vec<u8>, Vec<LongLine>) {
        let mut c = Cutter::new(3, limit, 0);
        let mut out = Vec::new();
        let mut longs = Vec::new();
        let mut pos = 0;
        let mut peak = 0;
        while pos < data.len() {
            let mut b = c.buffer();
            let from = b.len();
            let n = c.block_size().min(data.len() - pos);
            b.extend_from_slice(&data[pos..pos + n]);
            pos += n;
            peak = peak.max(b.len());
            if let Some(o) = c.cut(b, from, &mut |l| longs.push(l)) {
                out.extend_from_slice(&o);
            }
        }
        if let Some(o) = c.finish(&mut |l| longs.push(l)) {
            out.extend_from_slice(&o);
        }
        // Bounded: never more than the carry plus one block.
        assert!(peak <= limit + c.block_size(), "peak {peak}");
        (out, longs)
    }

    #[test]
    fn short_lines_pass_unchanged() {
        let data = b"a\nbb\nccc\ndddd\neeeee\nlast".repeat(7);
        for limit in [8, 9, 13, 100] {
            assert_eq!(run(&data, limit).0, data, "limit {limit}");
        }
    }

    #[test]
    fn a_long_line_is_cut_and_reported() {
        let mut data = b"one\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 50));
        data.extend_from_slice(b"\ntwo\nthree\n");
        let (out, longs) = run(&data, 16);
        let mut want = b"one\n".to_vec();
        want.extend(std::iter::repeat_n(b'x', 16));
        want.extend_from_slice(b"\ntwo\nthree\n");
        assert_eq!(out, want);
        assert_eq!(
            longs,
            vec![LongLine {
                source: 3,
                offset: 4,
                len: 50
            }]
        );
    }

    #[test]
    fn a_line_without_end_is_cut_at_the_limit() {
        // The 300 MB line of the issue, scaled down: memory stays at the
        // limit plus one block whatever the length.
        let data = vec![b'y'; 10_000];
        let (out, longs) = run(&data, 64);
        assert_eq!(out.len(), 65);
        assert_eq!(longs.len(), 1);
        assert_eq!(longs[0].len, 10_000);
    }

    #[test]
    fn line_exactly_at_the_limit_is_kept() {
        let mut data = vec![b'z'; 32];
        data.push(b'\n');
        data.extend(vec![b'w'; 33]);
        data.push(b'\n');
        let (out, longs) = run(&data, 32);
        assert_eq!(&out[..33], &data[..33]);
        assert_eq!(out.len(), 33 + 33);
        assert_eq!(longs.len(), 1);
        assert_eq!((longs[0].offset, longs[0].len), (33, 33));
    }

    /// What the cutter must make of `data`: every line longer than
    /// `limit` cut to its first `limit` bytes (and ended), the rest as is.
    fn model(data: &[u8], limit: usize) -> (Vec<u8>, Vec<(u64, u64)>) {
        let mut out = Vec::new();
        let mut longs = Vec::new();
        let mut off = 0u64;
        let mut rest = data;
        while !rest.is_empty() {
            let (line, nl) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], true),
                None => (rest, false),
            };
            if line.len() > limit {
                out.extend_from_slice(&line[..limit]);
                out.push(b'\n');
                longs.push((off, line.len() as u64));
            } else {
                out.extend_from_slice(line);
                if nl {
                    out.push(b'\n');
                }
            }
            let used = line.len() + usize::from(nl);
            off += used as u64;
            rest = &rest[used..];
        }
        (out, longs)
    }

    proptest::proptest! {
        /// Any bytes, any limit, reads of any size up to a block: the
        /// model's output, the model's reports, and never more than the
        /// limit plus one block in hand.
        #[test]
        fn cutter_matches_the_model(
            data in proptest::collection::vec(
                proptest::prop_oneof![3 => proptest::num::u8::ANY, 1 => proptest::strategy::Just(b'\n')],
                0..600,
            ),
            limit in 1usize..80,
            reads in proptest::collection::vec(1usize..100, 1..20),
        ) {
            let mut c = Cutter::new(0, limit, 0);
            let mut out = Vec::new();
            let mut longs = Vec::new();
            let mut pos = 0;
            let mut k = 0;
            while pos < data.len() {
                let mut b = c.buffer();
                let from = b.len();
                let n = reads[k % reads.len()].min(c.block_size()).min(data.len() - pos);
                k += 1;
                b.extend_from_slice(&data[pos..pos + n]);
                pos += n;
                proptest::prop_assert!(b.len() <= limit + c.block_size());
                if let Some(o) = c.cut(b, from, &mut |l| longs.push((l.offset, l.len))) {
                    out.extend_from_slice(&o);
                }
            }
            let b = c.buffer();
            c.restore(b);
            if let Some(o) = c.finish(&mut |l| longs.push((l.offset, l.len))) {
                out.extend_from_slice(&o);
            }
            let (want, want_longs) = model(&data, limit);
            proptest::prop_assert_eq!(out, want);
            proptest::prop_assert_eq!(longs, want_longs);
            proptest::prop_assert_eq!(c.consumed(), data.len() as u64);
        }
    }
}
