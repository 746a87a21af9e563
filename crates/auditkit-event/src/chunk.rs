//! Newline-aligned chunks of input, and the records parsed out of them.
//!
//! Input arrives as large blocks (a few MiB). Each block is cut at its last
//! newline; the tail is carried into the next block by the caller (see
//! [`split_at_last_newline`]). A [`Chunk`] is then self-contained: its lines
//! can be parsed by any thread, and events keep the chunks their records
//! live in alive through an `Arc`, so memory is released as soon as the
//! last event that needs a chunk has been written out. That is what bounds
//! memory however large the file is.

use std::sync::Arc;

use crate::header::{parse_header_cached, Header, HeaderError, TypeCache};

/// One block of input that ends on a line boundary (or at end of input).
#[derive(Debug)]
pub struct Chunk {
    /// The bytes. Lines end with `\n` except possibly the last one of a source.
    pub data: Vec<u8>,
    /// Which source (file) the chunk came from, an index the caller assigns.
    pub source: u32,
    /// 1-based number of the chunk's first line within its source.
    pub first_line: u64,
}

/// A parsed line: where it is in its chunk and what its header says.
#[derive(Clone, Copy, Debug)]
pub struct RecMeta {
    /// Offset of the line in the chunk.
    pub start: u32,
    /// Length of the line without its `\n`.
    pub len: u32,
    /// The parsed header (offsets relative to the line).
    pub header: Header,
}

/// A line that is not a record.
#[derive(Clone, Copy, Debug)]
pub struct Unparsed {
    /// Offset of the line in the chunk.
    pub start: u32,
    /// Length without the `\n`.
    pub len: u32,
    /// 1-based line number within the source.
    pub line_no: u64,
    /// Why it was rejected.
    pub why: HeaderError,
}

/// The result of parsing every line of one chunk.
#[derive(Debug)]
pub struct ParsedChunk {
    /// The chunk itself.
    pub chunk: Arc<Chunk>,
    /// Records, in input order, each with its line number.
    pub records: Vec<(RecMeta, u64)>,
    /// Lines that are not records (blank lines and `#` comments are not
    /// listed here but counted in `blank` and `comments`).
    pub unparsed: Vec<Unparsed>,
    /// Blank lines seen.
    pub blank: u64,
    /// `#` comment lines seen.
    pub comments: u64,
    /// Number of lines in the chunk.
    pub lines: u64,
}

/// Parse every line of a chunk. Pure and cheap: only headers are read; the
/// fields of a record are tokenized later, when somebody asks for them.
pub fn parse_chunk(chunk: Arc<Chunk>) -> ParsedChunk {
    let data = &chunk.data;
    let mut records = Vec::with_capacity(data.len() / 160 + 1);
    let mut unparsed = Vec::new();
    let (mut blank, mut comments, mut lines) = (0u64, 0u64, 0u64);
    let mut pos = 0usize;
    let mut line_no = chunk.first_line;
    let mut types = TypeCache::default();
    while pos < data.len() {
        let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |p| pos + p);
        let line = &data[pos..end];
        lines += 1;
        match parse_header_cached(line, &mut types) {
            Ok(header) => records.push((
                RecMeta {
                    start: pos as u32,
                    len: line.len() as u32,
                    header,
                },
                line_no,
            )),
            Err(HeaderError::Empty) => blank += 1,
            Err(HeaderError::Comment) => comments += 1,
            Err(why) => unparsed.push(Unparsed {
                start: pos as u32,
                len: line.len() as u32,
                line_no,
                why,
            }),
        }
        line_no += 1;
        pos = end + 1;
    }
    ParsedChunk {
        chunk,
        records,
        unparsed,
        blank,
        comments,
        lines,
    }
}

/// Where to cut a block so that it ends after a newline: returns the length
/// of the complete part. The rest (a partial line) belongs to the next block.
/// Returns 0 when the block holds no newline at all.
pub fn split_at_last_newline(block: &[u8]) -> usize {
    memchr::memrchr(b'\n', block).map_or(0, |p| p + 1)
}

/// Count the lines in a byte slice (a trailing partial line counts).
pub fn count_lines(data: &[u8]) -> u64 {
    let n = memchr::memchr_iter(b'\n', data).count() as u64;
    if data.last().is_some_and(|&b| b != b'\n') {
        n + 1
    } else {
        n
    }
}
