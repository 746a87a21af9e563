//! Newline-aligned chunks of input, and the records parsed out of them.
//!
//! Input arrives as large blocks (a few MiB). Each block is cut at its last
//! newline; the tail is carried into the next block by the caller (see
//! [`split_at_last_newline`]). A [`Chunk`] is then self-contained: its lines
//! can be parsed by any thread, and events keep the chunks their records
//! live in alive through an `Arc`, so memory is released as soon as the
//! last event that needs a chunk has been written out. That is what bounds
//! memory however large the file is.

use crate::header::{parse_header_enrich, Header, HeaderError, TypeCache};

/// One block of input that ends on a line boundary (or at end of input).
#[derive(Debug)]
pub struct Chunk {
    /// The bytes. Lines end with `\n` except possibly the last one of a source.
    pub data: Vec<u8>,
    /// Which source (file) the chunk came from, an index the caller assigns.
    pub source: u32,
    /// 1-based number of the chunk's first line within its source, or 0
    /// when the reader did not count: the [`Assembler`](crate::Assembler)
    /// then numbers on from the previous chunk of the same source (from 1
    /// for a source's first chunk). Readers leave counting to the assembler
    /// because the parse workers count lines anyway, and a separate pass
    /// over every byte in the reader thread would cost more than it saves.
    pub first_line: u64,
}

/// A parsed line: where it is in its chunk and what its header says.
#[derive(Clone, Copy, Debug)]
pub struct RecMeta {
    /// Offset of the line in the chunk.
    pub start: u32,
    /// Length of the line without its `\n`.
    pub len: u32,
    /// 0-based index of the line within its chunk.
    pub line: u32,
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
    /// 1-based line number within the source (0-based within the chunk
    /// until the assembler has numbered the chunk).
    pub line_no: u64,
    /// Why it was rejected.
    pub why: HeaderError,
}

/// The result of parsing every line of one chunk.
///
/// Events refer to their records here (through an `Arc`) instead of
/// copying them: a typical event is one run of consecutive records, so it
/// costs a pointer and two indexes whatever its number of records.
#[derive(Debug)]
pub struct ParsedChunk {
    /// The chunk itself.
    pub chunk: Chunk,
    /// Records, in input order.
    pub records: Vec<RecMeta>,
    /// Runs of consecutive records with the same (node, time, serial) key,
    /// as (index of the first record, number of records). A line that is
    /// not a record ends a run, so that unparsed lines can be passed
    /// through at their place. The assembler works a run at a time.
    pub runs: Vec<(u32, u32)>,
    /// Lines that are not records (blank lines and `#` comments are not
    /// listed here but counted in `blank` and `comments`).
    pub unparsed: Vec<Unparsed>,
    /// Where ausearch's event separators (`----`, `time->...`, see
    /// [`crate::header::is_separator`]) stand: for each, the number of
    /// records before it in this chunk. Empty for an audit log, so the
    /// assembler's usual path never looks at it; in ausearch output each
    /// block between separators is one event.
    pub separators: Vec<u32>,
    /// Blank lines seen.
    pub blank: u64,
    /// `#` comment lines seen.
    pub comments: u64,
    /// Number of lines in the chunk.
    pub lines: u64,
    /// The records a [`Prefilter`](crate::prefilter::Prefilter) marked
    /// (sorted indexes into `records`), or `None` when the chunk was not
    /// prefiltered: then every event is a candidate.
    pub hits: Option<Vec<u32>>,
}

impl ParsedChunk {
    /// The text of a record line (without its `\n`).
    pub fn line(&self, rec: &RecMeta) -> &[u8] {
        &self.chunk.data[rec.start as usize..(rec.start + rec.len) as usize]
    }

    /// The text of an unparsed line (without its `\n`).
    pub fn unparsed_line(&self, u: &Unparsed) -> &[u8] {
        &self.chunk.data[u.start as usize..(u.start + u.len) as usize]
    }

    /// The node name of a record, if it has one.
    pub fn node(&self, rec: &RecMeta) -> Option<&[u8]> {
        rec.header
            .node
            .map(|(a, b)| &self.chunk.data[(rec.start + a) as usize..(rec.start + b) as usize])
    }
}

/// Parse every line of a chunk. Pure and cheap: only headers are read; the
/// fields of a record are tokenized later, when somebody asks for them.
pub fn parse_chunk(chunk: Chunk) -> ParsedChunk {
    let data = &chunk.data;
    let mut records: Vec<RecMeta> = Vec::with_capacity(data.len() / 160 + 1);
    let mut runs: Vec<(u32, u32)> = Vec::with_capacity(data.len() / 600 + 1);
    let mut unparsed = Vec::new();
    let mut separators = Vec::new();
    let (mut blank, mut comments) = (0u64, 0u64);
    let mut pos = 0usize;
    let mut line_idx = 0u32;
    let mut types = TypeCache::default();
    // Whether the next record may extend the current run.
    let mut open_run = false;
    while pos < data.len() {
        // One pass finds the line's end and its enrichment separator.
        let (end, enrich) = match memchr::memchr2(b'\n', 0x1d, &data[pos..]) {
            Some(p) if data[pos + p] == 0x1d => {
                let after = pos + p + 1;
                let end = memchr::memchr(b'\n', &data[after..]).map_or(data.len(), |q| after + q);
                (end, Some(p as u32))
            }
            Some(p) => (pos + p, None),
            None => (data.len(), None),
        };
        let line = &data[pos..end];
        match parse_header_enrich(line, enrich, &mut types) {
            Ok(header) => {
                let rec = RecMeta {
                    start: pos as u32,
                    len: line.len() as u32,
                    line: line_idx,
                    header,
                };
                let extends = open_run
                    && records
                        .last()
                        .is_some_and(|prev| same_key(data, prev, &rec));
                if extends {
                    if let Some(r) = runs.last_mut() {
                        r.1 += 1;
                    }
                } else {
                    runs.push((records.len() as u32, 1));
                }
                records.push(rec);
                open_run = true;
            }
            Err(HeaderError::Empty) => blank += 1,
            Err(HeaderError::Comment) => comments += 1,
            Err(HeaderError::Separator) => {
                separators.push(records.len() as u32);
                open_run = false;
            }
            Err(why) => {
                unparsed.push(Unparsed {
                    start: pos as u32,
                    len: line.len() as u32,
                    line_no: u64::from(line_idx),
                    why,
                });
                open_run = false;
            }
        }
        line_idx += 1;
        pos = end + 1;
    }
    ParsedChunk {
        chunk,
        records,
        runs,
        unparsed,
        separators,
        blank,
        comments,
        lines: u64::from(line_idx),
        hits: None,
    }
}

/// Whether two records of one chunk share their (node, time, serial) key.
fn same_key(data: &[u8], a: &RecMeta, b: &RecMeta) -> bool {
    if a.header.id != b.header.id {
        return false;
    }
    match (a.header.node, b.header.node) {
        (None, None) => true,
        (Some((a0, a1)), Some((b0, b1))) => {
            data[(a.start + a0) as usize..(a.start + a1) as usize]
                == data[(b.start + b0) as usize..(b.start + b1) as usize]
        }
        _ => false,
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
