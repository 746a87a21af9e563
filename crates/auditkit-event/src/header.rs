//! The record header: `[node=N ]type=T msg=audit(SECS.MSEC:SERIAL): body`.
//!
//! Two readings of the same bytes live here, on purpose:
//!
//! * [`parse_header`] accepts exactly the lines that ausearch 3.0.9 accepts
//!   (`extract_timestamp` in `src/ausearch-lol.c`), with the same lenient
//!   number parsing (`strtoul`). Matching its leniency is what makes our
//!   event grouping, and therefore our output, byte-identical to ausearch's.
//! * It also records whether the line was *well formed* (every token where
//!   the grammar puts it), so that `--debug` and the unparsed-line counters
//!   can tell a clean log from one that only happens to be readable.
//!
//! The ausearch interpreted form (`msg=audit(01/28/07 21:58:13.977:42) :`)
//! is recognised too; its civil time is returned so the caller can turn it
//! into seconds with the time zone it wants (the library has no clock and no
//! time-zone database).

use std::fmt;

use auditkit_interp::RecordType;

/// The identity of an event inside one node's stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct EventId {
    /// Seconds since the epoch.
    pub sec: u64,
    /// Milliseconds, 0..=999.
    pub msec: u32,
    /// The kernel's serial number (wraps at 2^32 on 32-bit kernels).
    pub serial: u64,
}

impl fmt::Display for EventId {
    /// The `SECS.MSEC:SERIAL` form used in logs and by laurel.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}:{}", self.sec, self.msec, self.serial)
    }
}

/// A civil date and time as ausearch `-i` prints it (`%x %T`), before any
/// time-zone conversion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CivilTime {
    /// Full year (two-digit years are taken as 19xx for 69..=99, else 20xx).
    pub year: i32,
    /// 1..=12.
    pub month: u32,
    /// 1..=31.
    pub day: u32,
    /// 0..=23.
    pub hour: u32,
    /// 0..=59.
    pub minute: u32,
    /// 0..=60.
    pub second: u32,
}

impl CivilTime {
    /// Seconds since the epoch if this civil time were UTC.
    pub fn to_utc_epoch(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// well-known algorithm).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Which of the three line formats a record came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineFormat {
    /// What auditd writes with `log_format = RAW`.
    Raw,
    /// Raw plus a 0x1D byte and UPPERCASE interpretations (`log_format = ENRICHED`).
    Enriched,
    /// ausearch `-i` output: `msg=audit(MM/DD/YY HH:MM:SS.mmm:serial) :`.
    Interpreted,
}

impl LineFormat {
    /// A raw-format line is enriched when it has a 0x1D separator.
    fn raw_or_enriched(enrich: Option<u32>) -> LineFormat {
        if enrich.is_some() {
            LineFormat::Enriched
        } else {
            LineFormat::Raw
        }
    }
}

/// Where the parts of a record line are, as byte offsets into the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// `node=` value, if the line has one: what ausearch reads as the node
    /// (see `CCuts`), always `start <= end <= line length`.
    pub node: Option<(u32, u32)>,
    /// The type token's value (after `type=`).
    pub type_tok: (u32, u32),
    /// Numeric record type as `audit_name_to_msg_type` gives it;
    /// [`RecordType::INVALID`] when unknown.
    pub rtype: RecordType,
    /// The event identity. For interpreted lines `sec` is the civil time read as UTC;
    /// see [`interpreted_civil_time`].
    pub id: EventId,
    /// Offset of the `(` that opens the timestamp.
    pub ts_open: u32,
    /// Offset of the `)` that closes the timestamp (or the line length if none).
    pub ts_close: u32,
    /// Offset of the 0x1D byte that starts the enrichment tail, if any.
    pub enrich: Option<u32>,
    /// Which format the line is in.
    pub format: LineFormat,
    /// True when every token stands where the grammar puts it.
    pub well_formed: bool,
}

/// Why a line is not a record. ausearch drops such lines silently; we count
/// and report them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// Blank line.
    #[error("empty line")]
    Empty,
    /// A `#` line (laurel's test files carry commentary this way).
    #[error("comment line")]
    Comment,
    /// No `msg=audit(` token where the grammar expects it.
    #[error("expected `msg=audit(SECS.MSEC:SERIAL):` after the type")]
    NoTimestamp,
    /// The timestamp is there but its numbers are not.
    #[error("malformed timestamp, expected SECS.MSEC:SERIAL with MSEC <= 999")]
    BadTimestamp,
    /// A line ausearch prints between events: `----`, or the `time->DATE`
    /// line its default (raw) output adds after it. Such a line ends one
    /// event of ausearch's output and starts the next, so the chunk parser
    /// records where it stands (see [`crate::ParsedChunk::separators`]).
    #[error("ausearch event separator")]
    Separator,
}

/// Whether a line is one of the lines ausearch prints between events:
/// `----` (every format but raw and csv/text) and `time->` + ctime (after
/// `----` in the default format). `output_default` and
/// `output_interpreted` in ausearch-report.c print exactly these.
pub fn is_separator(line: &[u8]) -> bool {
    line == b"----" || line.starts_with(b"time->")
}

/// ausearch only looks at the first 80 bytes of a line (340 when it starts
/// with `node=`) for the header; anything beyond is body.
const HEADER_WINDOW: usize = 80;
const HEADER_WINDOW_NODE: usize = 340;
/// `end_of_event_timeout` headroom ausearch keeps below LONG_MAX.
const MAX_SEC: u64 = (i64::MAX as u64) - 3;

/// Remembers the numbers of the record type names seen recently: a log uses
/// a few dozen types, and the name table is searched linearly, so a small
/// cache in front of it removes that search from the hot path.
#[derive(Debug)]
pub struct TypeCache {
    entries: Vec<(Vec<u8>, RecordType)>,
    /// Direct-mapped index into `entries` by a cheap hash of the name
    /// (`u8::MAX`: empty), so a hit costs one comparison.
    slots: [u8; 128],
}

impl Default for TypeCache {
    fn default() -> Self {
        TypeCache {
            entries: Vec::new(),
            slots: [u8::MAX; 128],
        }
    }
}

impl TypeCache {
    const MAX: usize = 64;

    fn slot(tok: &[u8]) -> usize {
        let n = tok.len();
        if n == 0 {
            return 0;
        }
        (n.wrapping_mul(31)
            ^ usize::from(tok[0]).wrapping_mul(7)
            ^ usize::from(tok[n / 2]).wrapping_mul(13)
            ^ usize::from(tok[n - 1]))
            & 127
    }

    fn get(&mut self, tok: &[u8]) -> RecordType {
        let slot = Self::slot(tok);
        if let Some((name, t)) = self.entries.get(usize::from(self.slots[slot])) {
            if name.as_slice() == tok {
                return *t;
            }
        }
        if let Some(i) = self.entries.iter().position(|(n, _)| n.as_slice() == tok) {
            self.slots[slot] = i as u8;
            return self.entries[i].1;
        }
        let t = parse_rtype(tok);
        if self.entries.len() < Self::MAX {
            self.slots[slot] = self.entries.len() as u8;
            self.entries.push((tok.to_vec(), t));
        }
        t
    }
}

/// Parse the header of one line (without its trailing newline).
pub fn parse_header(line: &[u8]) -> Result<Header, HeaderError> {
    parse_header_cached(line, &mut TypeCache::default())
}

/// [`parse_header`] with a type-name cache kept by the caller.
pub fn parse_header_cached(line: &[u8], types: &mut TypeCache) -> Result<Header, HeaderError> {
    let enrich = memchr::memchr(0x1d, strip_cr(line)).map(|p| p as u32);
    parse_header_enrich(line, enrich, types)
}

/// [`parse_header_cached`] for a caller that already knows where the
/// line's first 0x1D byte is (the chunk parser finds it in the same pass
/// that finds the line's end).
pub(crate) fn parse_header_enrich(
    line: &[u8],
    enrich: Option<u32>,
    types: &mut TypeCache,
) -> Result<Header, HeaderError> {
    let line = strip_cr(line);
    if let Some(h) = fast_header(line, enrich, types) {
        return Ok(h);
    }
    general_header(line, enrich, types)
}

/// The general reader, for every line the fast path leaves alone.
fn general_header(
    line: &[u8],
    enrich: Option<u32>,
    types: &mut TypeCache,
) -> Result<Header, HeaderError> {
    if line.iter().all(|&b| b == b' ' || b == b'\t') {
        return Err(HeaderError::Empty);
    }
    if line[0] == b'#' {
        return Err(HeaderError::Comment);
    }
    if is_separator(line) {
        return Err(HeaderError::Separator);
    }
    let window = if line[0] == b'n' {
        HEADER_WINDOW_NODE
    } else {
        HEADER_WINDOW
    };
    // ausearch's strndupa stops at the window and at a NUL byte.
    let mut win = &line[..line.len().min(window)];
    if let Some(nul) = memchr::memchr(0, win) {
        win = &win[..nul];
    }
    let mut toks = SpaceSplit::new(win);
    let mut well_formed = true;
    let first = toks.next().ok_or(HeaderError::NoTimestamp)?;
    let (node_tok, type_t) = if win[first.0] == b'n' {
        well_formed &= win[first.0..].starts_with(b"node=");
        let t = toks.next().ok_or(HeaderError::NoTimestamp)?;
        (Some(first), t)
    } else {
        (None, first)
    };
    well_formed &= win[type_t.0..].starts_with(b"type=");
    // As written, for display: the type token after `type=` (empty when
    // the token is shorter than that).
    let type_start = (type_t.0 + 5).min(type_t.1);
    let type_tok = (type_start as u32, type_t.1 as u32);
    let msg = toks.next().ok_or(HeaderError::NoTimestamp)?;
    // The interpreted form has a space inside the timestamp, so its token
    // ends early; recognise it from the full line first.
    if win[msg.0..].starts_with(b"msg=audit(") {
        if let Some(h) = interpreted(line, msg.0 + 9) {
            let cut = CCuts::new(win.len(), node_tok, type_t, msg, None);
            return Ok(Header {
                node: node_tok.map(|t| cut.c_str(t.0 + 5)),
                type_tok,
                rtype: types.get(cut.c_bytes(win, type_t.0 + 5)),
                enrich,
                well_formed,
                ..h
            });
        }
    }
    // The msg token; ausearch wants more than 18 bytes of it.
    if msg.1 - msg.0 <= 18 {
        return Err(HeaderError::NoTimestamp);
    }
    let msg_bytes = &win[msg.0..msg.1];
    let paren = if msg_bytes[9] == b'(' {
        9
    } else {
        memchr::memchr(b'(', msg_bytes).ok_or(HeaderError::NoTimestamp)?
    };
    well_formed &= msg_bytes.starts_with(b"msg=audit(");
    let ts_open = msg.0 + paren;
    // ausearch reads the timestamp up to the next ')' *inside the msg
    // token* (the token is NUL-terminated by then), or to the token's end.
    let ts_start = ts_open + 1;
    let close_in_tok = memchr::memchr(b')', &win[ts_start..msg.1]).map(|p| ts_start + p);
    let ts_text = &win[ts_start..close_in_tok.unwrap_or(msg.1)];
    // Where the body starts: the ')' that closes the timestamp, which a
    // malformed line may put after a space (`msg=audit(1.000:3 ):`).
    let rest = &win[ts_start..];
    let close_rel = memchr::memchr(b')', rest);
    let ts_close = ts_start + close_rel.unwrap_or(rest.len());
    well_formed &= close_rel.is_some();

    let id = str2event(ts_text).ok_or(HeaderError::BadTimestamp)?;
    let cut = CCuts::new(win.len(), node_tok, type_t, msg, close_in_tok);
    let rtype = types.get(cut.c_bytes(win, type_t.0 + 5));
    Ok(Header {
        node: node_tok.map(|t| cut.c_str(t.0 + 5)),
        type_tok,
        rtype,
        id,
        ts_open: ts_open as u32,
        ts_close: ts_close as u32,
        enrich,
        format: LineFormat::raw_or_enriched(enrich),
        well_formed,
    })
}

/// The NUL bytes ausearch's `extract_timestamp` has written into its copy
/// of the header window by the time it reads the node and type names.
///
/// It takes the node name as the C string at `node_token + 5` and the type
/// name at `type_token + 5`, without checking that the tokens are that
/// long. `audit_strsplit` ends each token it returns with a NUL (the first
/// space after it), and the timestamp's `)` is overwritten too; so when a
/// token is shorter than its `node=`/`type=` prefix (`n type=PATH msg=...`)
/// the name is read from the bytes after it, up to the next of these NULs.
/// Reproducing that keeps both total (no offset ever runs backwards) and
/// the grouping by node the same as ausearch's on any line.
struct CCuts {
    /// Sorted offsets of the NULs; the last is the end of the window.
    cuts: [usize; 5],
}

impl CCuts {
    fn new(
        win_len: usize,
        node: Option<(usize, usize)>,
        type_t: (usize, usize),
        msg: (usize, usize),
        close: Option<usize>,
    ) -> Self {
        let mut cuts = [
            node.map_or(win_len, |t| t.1),
            type_t.1,
            msg.1,
            close.unwrap_or(win_len),
            win_len,
        ];
        cuts.sort_unstable();
        CCuts { cuts }
    }

    /// The C string starting at `start`: `(start, end)` with `start <= end`.
    fn c_str(&self, start: usize) -> (u32, u32) {
        let win_len = self.cuts[4];
        let start = start.min(win_len);
        let end = self
            .cuts
            .iter()
            .copied()
            .find(|&c| c >= start)
            .unwrap_or(win_len);
        (start as u32, end as u32)
    }

    fn c_bytes<'a>(&self, win: &'a [u8], start: usize) -> &'a [u8] {
        let (a, b) = self.c_str(start);
        &win[a as usize..b as usize]
    }
}

/// The header as auditd writes it, read in one forward pass:
/// `[node=N ]type=T msg=audit(SECS.MMM:SERIAL):` with single spaces, all
/// digits, and the closing parenthesis inside ausearch's window. Anything
/// else (or anything this path is unsure of) returns `None` and goes
/// through the general reader, which gives the same answer for every line
/// this path accepts; the unit tests check both on the same lines.
fn fast_header(line: &[u8], enrich: Option<u32>, types: &mut TypeCache) -> Option<Header> {
    let (node, type_at, window) = if line.starts_with(b"node=") {
        let sp = 5 + memchr::memchr(b' ', &line[5..line.len().min(HEADER_WINDOW_NODE)])?;
        (Some((5u32, sp as u32)), sp + 1, HEADER_WINDOW_NODE)
    } else {
        (None, 0, HEADER_WINDOW)
    };
    if !line.get(type_at..)?.starts_with(b"type=") {
        return None;
    }
    let ts = type_at + 5;
    let te = ts
        + line
            .get(ts..line.len().min(ts + 64))?
            .iter()
            .position(|&b| b == b' ')?;
    if te == ts {
        return None;
    }
    let open = te + 10;
    if line.get(te + 1..open)? != b"msg=audit" || line.get(open) != Some(&b'(') {
        return None;
    }
    let mut p = open + 1;
    let digits = |p: &mut usize, max: usize| -> Option<u64> {
        let start = *p;
        let mut v = 0u64;
        while let Some(&b) = line.get(*p) {
            if !b.is_ascii_digit() {
                break;
            }
            // Wraps only on numbers longer than `max`, which are refused.
            v = v.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
            *p += 1;
        }
        (*p > start && *p - start <= max).then_some(v)
    };
    let sec = digits(&mut p, 18)?;
    if line.get(p) != Some(&b'.') {
        return None;
    }
    p += 1;
    let msec = digits(&mut p, 3)?;
    if line.get(p) != Some(&b':') {
        return None;
    }
    p += 1;
    let serial = digits(&mut p, 19)?;
    let close = p;
    if line.get(close) != Some(&b')')
        || line.get(close + 1) != Some(&b':')
        || close >= window
        // ausearch wants the msg token longer than 18 bytes
        || close + 2 - (te + 1) <= 18
        || sec > MAX_SEC
        || memchr::memchr(0, &line[..close]).is_some()
    {
        return None;
    }
    Some(Header {
        node,
        type_tok: (ts as u32, te as u32),
        rtype: types.get(&line[ts..te]),
        id: EventId {
            sec,
            msec: msec as u32,
            serial,
        },
        ts_open: open as u32,
        ts_close: close as u32,
        enrich,
        format: LineFormat::raw_or_enriched(enrich),
        well_formed: true,
    })
}

fn parse_rtype(tok: &[u8]) -> RecordType {
    auditkit_interp::msgtype::parse_type_token(tok).unwrap_or(RecordType::INVALID)
}

/// Strip one trailing `\r` (logs copied through Windows tools).
pub fn strip_cr(line: &[u8]) -> &[u8] {
    match line.last() {
        Some(b'\r') => &line[..line.len() - 1],
        _ => line,
    }
}

/// The civil time of an interpreted line (`msg=audit(01/28/07 21:58:13.977:1) :`),
/// for callers that want to convert it with a real time zone instead of UTC.
pub fn interpreted_civil_time(line: &[u8], header: &Header) -> Option<CivilTime> {
    if header.format != LineFormat::Interpreted {
        return None;
    }
    parse_interpreted(line, header.ts_open as usize).map(|(_, c)| c)
}

/// Recognise `(MM/DD/YY HH:MM:SS.mmm:serial) :` (or a 4-digit year) at `open`.
fn interpreted(line: &[u8], open: usize) -> Option<Header> {
    parse_interpreted(line, open).map(|(h, _)| h)
}

fn parse_interpreted(line: &[u8], open: usize) -> Option<(Header, CivilTime)> {
    let s = &line[open + 1..];
    let close = memchr::memchr(b')', s)?;
    let ts = &s[..close];
    // "01/28/07 21:58:13.977:123"
    let (date, time) = split_once(ts, b' ')?;
    let mut d = date.split(|&b| b == b'/');
    let month = num(d.next()?)? as u32;
    let day = num(d.next()?)? as u32;
    let ytxt = d.next()?;
    if d.next().is_some() {
        return None;
    }
    let year = match ytxt.len() {
        2 => {
            let y = num(ytxt)? as i32;
            if y >= 69 {
                1900 + y
            } else {
                2000 + y
            }
        }
        4 => num(ytxt)? as i32,
        _ => return None,
    };
    let (hms, rest) = split_once(time, b'.')?;
    let (ms, serial) = split_once(rest, b':')?;
    let mut t = hms.split(|&b| b == b':');
    let hour = num(t.next()?)? as u32;
    let minute = num(t.next()?)? as u32;
    let second = num(t.next()?)? as u32;
    if t.next().is_some()
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let msec = num(ms)?;
    if msec > 999 {
        return None;
    }
    let serial = num(serial)?;
    let civil = CivilTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
    };
    let sec = u64::try_from(civil.to_utc_epoch()).ok()?;
    let h = Header {
        node: None,
        type_tok: (0, 0),
        rtype: RecordType::INVALID,
        id: EventId {
            sec,
            msec: msec as u32,
            serial,
        },
        ts_open: open as u32,
        ts_close: (open + 1 + close) as u32,
        enrich: None,
        format: LineFormat::Interpreted,
        well_formed: true,
    };
    Some((h, civil))
}

fn split_once(s: &[u8], c: u8) -> Option<(&[u8], &[u8])> {
    let p = memchr::memchr(c, s)?;
    Some((&s[..p], &s[p + 1..]))
}

/// Strict decimal: all digits, at least one, no overflow.
fn num(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(b - b'0');
    }
    Some(v)
}

/// `str2event` of ausearch-lol.c: lenient `strtoul`s for sec, msec, serial.
fn str2event(s: &[u8]) -> Option<EventId> {
    let sec = strtoul(s)?;
    if sec > MAX_SEC {
        return None;
    }
    let mut rest = s;
    let msec = match memchr::memchr(b'.', rest) {
        Some(p) => {
            rest = &rest[p + 1..];
            let m = strtoul(rest)?;
            if m > 999 {
                return None;
            }
            m as u32
        }
        None => 0,
    };
    let serial = match memchr::memchr(b':', rest) {
        Some(p) => strtoul(&rest[p + 1..])?,
        None => 0,
    };
    Some(EventId { sec, msec, serial })
}

/// C `strtoul(s, NULL, 10)`; `None` on overflow, where C sets ERANGE.
fn strtoul(s: &[u8]) -> Option<u64> {
    auditkit_interp::cnum::strtoul(s, 10).ok()
}

/// `audit_strsplit`: tokens separated by runs of spaces (tabs are not
/// separators). Yields (start, end) offsets.
pub(crate) struct SpaceSplit<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> SpaceSplit<'a> {
    pub(crate) fn new(s: &'a [u8]) -> Self {
        SpaceSplit { s, pos: 0 }
    }
}

impl Iterator for SpaceSplit<'_> {
    type Item = (usize, usize);
    fn next(&mut self) -> Option<(usize, usize)> {
        space_token(self.s, &mut self.pos)
    }
}

/// One step of [`SpaceSplit`]: the token of `s` at or after `*pos`
/// (spaces skipped), `*pos` moved to its end. The record body's
/// tokenizer ([`crate::fields`]) steps with it too.
pub(crate) fn space_token(s: &[u8], pos: &mut usize) -> Option<(usize, usize)> {
    while *pos < s.len() && s[*pos] == b' ' {
        *pos += 1;
    }
    if *pos >= s.len() {
        return None;
    }
    let start = *pos;
    let end = memchr::memchr(b' ', &s[start..]).map_or(s.len(), |p| start + p);
    *pos = end;
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Header {
        parse_header(s.as_bytes()).unwrap()
    }

    #[test]
    fn raw_line() {
        let l = "type=SYSCALL msg=audit(1364481363.243:24287): arch=c000003e syscall=2";
        let x = h(l);
        assert_eq!(x.id.sec, 1364481363);
        assert_eq!(x.id.msec, 243);
        assert_eq!(x.id.serial, 24287);
        assert_eq!(x.rtype, RecordType::SYSCALL);
        assert!(x.well_formed);
        assert_eq!(x.node, None);
        assert_eq!(x.format, LineFormat::Raw);
        assert_eq!(&l[x.ts_close as usize..x.ts_close as usize + 2], "):");
    }

    #[test]
    fn node_and_unknown() {
        let l = "node=work type=UNKNOWN[1334] msg=audit(1.002:3): x=1";
        let x = h(l);
        let (a, b) = x.node.unwrap();
        assert_eq!(&l[a as usize..b as usize], "work");
        assert_eq!(x.rtype, RecordType(1334));
        assert_eq!(x.id.serial, 3);
    }

    #[test]
    fn enriched_and_crlf() {
        let l = b"type=USER msg=audit(5.000:1): a=b\x1dUID=\"root\"\r";
        let x = parse_header(l).unwrap();
        assert_eq!(x.format, LineFormat::Enriched);
        assert_eq!(x.enrich, Some(33));
    }

    #[test]
    fn rejects() {
        assert_eq!(parse_header(b""), Err(HeaderError::Empty));
        assert_eq!(parse_header(b"# hello"), Err(HeaderError::Comment));
        assert_eq!(parse_header(b"garbage"), Err(HeaderError::NoTimestamp));
        assert_eq!(
            parse_header(b"type=X msg=audit(1.2000:3): a"),
            Err(HeaderError::BadTimestamp)
        );
    }

    #[test]
    fn interpreted_form() {
        let x = h("type=SYSCALL msg=audit(01/28/07 21:58:13.977:123) : arch=x86_64 syscall=open");
        assert_eq!(x.format, LineFormat::Interpreted);
        assert_eq!(x.id.sec, 1170021493);
        assert_eq!(x.id.msec, 977);
        assert_eq!(x.id.serial, 123);
        let y = h("type=SYSCALL msg=audit(01/28/2007 21:58:13.977:123) : arch=x86_64");
        assert_eq!(y.id, x.id);
    }

    /// The fast path must agree with the general reader on every line it
    /// accepts: every line of the shared corpus of real logs, and edge
    /// cases around the window and the grammar.
    #[test]
    fn fast_path_agrees_with_general_reader() {
        let mut lines: Vec<Vec<u8>> = [
            "type=SYSCALL msg=audit(1364481363.243:24287): arch=c000003e",
            "node=work type=UNKNOWN[1334] msg=audit(1.002:3): x=1",
            "node= type=X msg=audit(1.002:3): x=1",
            "type=X msg=audit(1.0022:3): x=1",
            "type=X msg=audit(1.02:3): x=1",
            "type=X msg=audit(99999999999999999999.000:3): x=1",
            "type=X msg=audit(1.000:99999999999999999999): x=1",
            "type=X  msg=audit(1.000:3): x=1",
            "type=X msg=audit(1.000:3) : x=1",
            "type=X msg=audit(1.000:3):x=1",
            "type=X msg=audit(1.000:3)",
            "type=SOME_VERY_LONG_TYPE_NAME_THAT_PUSHES_THE_PAREN_OUT msg=audit(1700000000.000:123): x",
            "type=SOME_VERY_LONG_TYPE_NAME_THAT_PUSHES_PAREN msg=audit(1700000000.000:123): x",
            "type=X msg=audit(1.000:3\u{0}): x=1",
            "type=EOE msg=audit(1.000:3): ",
        ]
        .iter()
        .map(|l| l.as_bytes().to_vec())
        .collect();
        auditkit_testsupport::require!(corpus);
        let mut files = auditkit_testsupport::paths::corpus_logs();
        files.extend(auditkit_testsupport::paths::example_logs());
        for p in files {
            if let Ok(data) = std::fs::read(&p) {
                lines.extend(data.split(|&b| b == b'\n').map(<[u8]>::to_vec));
            }
        }
        assert!(
            lines.len() > 2_000,
            "corpus or examples not found: {} lines",
            lines.len()
        );
        let (mut fast, mut t1, mut t2) = (0, TypeCache::default(), TypeCache::default());
        for l in &lines {
            let l = strip_cr(l);
            let enrich = memchr::memchr(0x1d, l).map(|p| p as u32);
            if let Some(f) = fast_header(l, enrich, &mut t1) {
                fast += 1;
                assert_eq!(
                    Ok(f),
                    general_header(l, enrich, &mut t2),
                    "{}",
                    String::from_utf8_lossy(l)
                );
            }
        }
        assert!(
            fast * 2 > lines.len(),
            "the fast path took only {fast} lines"
        );
    }

    /// Issue 8: a first token that starts with `n` but is shorter than
    /// `node=` made the node offsets run backwards (5..1), and slicing the
    /// node panicked the pipeline. ausearch reads the node (and the type)
    /// as the C string at token + 5, past the token's end; ausearch 3.0.9
    /// prints these nodes with `-i` (`node=e=PATH type=PATH ...`).
    #[test]
    fn short_node_and_type_tokens_read_as_ausearch_does() {
        let node = |l: &str| {
            let x = h(l);
            let (a, b) = x.node.unwrap();
            assert!(a <= b && b as usize <= l.len(), "{l}");
            (l[a as usize..b as usize].to_string(), x.rtype, x.id.serial)
        };
        let l = "n type=PATH msg=audit(1795546606.156:5018): item=0";
        assert_eq!(node(l), ("e=PATH".into(), RecordType::PATH, 5018));
        let l = "nod  type=PATH msg=audit(1700000001.000:9): item=0";
        assert_eq!(node(l), ("type=PATH".into(), RecordType::PATH, 9));
        // The node runs into the msg token, up to the NUL that replaced `)`.
        let l = "n t msg=audit(1700000002.000:9): item=0";
        assert_eq!(
            node(l),
            ("sg=audit(1700000002.000:9".into(), RecordType::INVALID, 9)
        );
        let l = "node type=SYSCALL msg=audit(1700000003.000:9): x=1";
        assert_eq!(node(l), ("type=SYSCALL".into(), RecordType::SYSCALL, 9));
        // A short type token: the type name is read past it too (here
        // from the msg token, which `strtol` reads as 1300), while the
        // type as written is empty.
        let x = h("t    1300(1700000003.000:9):aaaaaaaa x=1");
        assert_eq!((x.rtype, x.id.serial), (RecordType::SYSCALL, 9));
        assert_eq!(x.type_tok.0, x.type_tok.1);
    }

    /// ausearch reads the timestamp only up to the end of the msg token:
    /// `strtoul` would skip the space and read the `5` otherwise.
    #[test]
    fn timestamp_ends_with_the_msg_token() {
        let x = h("type=PATH msg=audit(1700000000.000: 5): item=0");
        assert_eq!((x.id.sec, x.id.msec, x.id.serial), (1700000000, 0, 0));
        let x = h("node=a type=PATH msg=audit(1700000000. 5:7): item=0");
        assert_eq!((x.id.sec, x.id.msec, x.id.serial), (1700000000, 0, 0));
        // The body still starts after the `)` that closes the timestamp.
        assert_eq!(
            x.ts_close as usize,
            "node=a type=PATH msg=audit(1700000000. 5:7".len()
        );
    }

    #[test]
    fn lenient_like_ausearch() {
        // strtoul stops at the first non-digit; ausearch accepts this.
        let x = h("type=SYSCALL msg=audit(12x.5:7): a=b");
        assert_eq!((x.id.sec, x.id.msec, x.id.serial), (12, 5, 7));
    }
}
