//! Prefilters: which rules a record could match, decided from its raw
//! bytes before its fields are read.
//!
//! Most records of a busy log match nothing, and reading one (splitting
//! its fields, decoding its values, building the text keywords search)
//! costs more than everything else detection does with it. So each rule
//! gets, per record type it is tried on, a [`Need`]: atoms one of which
//! every record it matches shows ([`crate::compile::Atom`]): a literal in
//! a field's value, or the syscall's name. A [`Plan`] per record type
//! holds the rules tried there with their needs, and one Aho-Corasick
//! automaton (ASCII case-insensitive, as Sigma values are) over the
//! literals of those rules only, so the automaton of a record type few
//! rules read is small and fast.
//!
//! What is scanned, and why it is enough:
//!
//! * a record's **raw body** (the bytes its fields are tokenized from,
//!   [`RecordFields::raw_body`]): every value a field test reads is a
//!   substring of it, quotes and all, unless the value is hex-encoded;
//! * for the fields some literal is about, their **hex-encoded values,
//!   decoded** (the run of hex digits after `name=`, wherever `name=`
//!   occurs, decoded when auparse would decode the field; and again with
//!   NUL bytes as spaces, as `proctitle` reads): the decoded values, and
//!   the keys `key` splits them into, are substrings of these;
//! * the **syscall's name** of a SYSCALL record, computed as the
//!   `SYSCALL` field gives it, for [`crate::compile::Atom::Syscall`].
//!
//! Where that does not hold, the record's **text** (what keywords
//! search: [`crate::compile::Doc::text`], built from its fields) is
//! scanned instead: when a literal comes from keywords (which may span
//! fields), for EXECVE records (arguments reassembled from `aN[i]` chunks
//! and joined), AVC records (synthetic `seperms`), and representations
//! without a raw body. ausearch `-i` records (values mapped back to
//! numbers their text does not show) have no prefilter at all, and
//! neither do mapped documents' rules without literals.
//!
//! A rule whose need has no atom it could see is not evaluated; the
//! others are, exactly as before. Since a rule can only match a record
//! that shows one of its atoms, the alert set cannot change
//! (`tests/pinned.rs` pins it).

use std::collections::HashMap;

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};

use auditkit_event::value::decode_hex_into;
use auditkit_event::RecordFields;
use auditkit_interp::{field_type, field_type_uses_value, RecordType};

use crate::compile::{Atom, Need};

/// The rules tried on one record type (or mapped category), with what
/// each needs, and the scan that tells which needs a record meets.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Rule ids, ascending (the order alerts come in), each with its
    /// atom ids here; `None`: always tried.
    pub rules: Vec<(u32, Option<Box<[u32]>>)>,
    /// Some rule is always tried.
    always: bool,
    scan: Scan,
}

/// A field whose values may hold a literal, and whether its hex-encoded
/// values are decoded (`None`: it depends on the record type or the
/// value, asked per record).
#[derive(Debug)]
struct Field {
    name: Vec<u8>,
    hexy: Option<bool>,
    /// Some literal about it is all hex digits: only then can a value of
    /// hex digits alone (`a1=7ffd5a2c`) show one.
    hex_lits: bool,
    /// The name's last (up to) eight bytes as a number, with the mask of
    /// its length, to compare with the bytes before an `=` in one go.
    tail: u64,
    mask: u64,
}

impl Field {
    fn new(name: Vec<u8>, hexy: Option<bool>, hex_lits: bool) -> Field {
        let (tail, mask) = tail_of(&name);
        Field {
            name,
            hexy,
            hex_lits,
            tail,
            mask,
        }
    }

    /// Whether `before` ends with the name.
    fn ends(&self, before: &[u8], tail: u64) -> bool {
        if self.name.len() <= 8 {
            tail & self.mask == self.tail && before.len() >= self.name.len()
        } else {
            before.ends_with(&self.name)
        }
    }
}

/// The last (up to) eight bytes of `b` as a little-endian number (the
/// last byte highest), and the mask of how many there are.
fn tail_of(b: &[u8]) -> (u64, u64) {
    let n = b.len().min(8);
    let mut w = [0u8; 8];
    w[8 - n..].copy_from_slice(&b[b.len() - n..]);
    let mask = if n == 8 {
        u64::MAX
    } else {
        !((1u64 << (8 * (8 - n))) - 1)
    };
    (u64::from_le_bytes(w), mask)
}

#[derive(Debug)]
struct Scan {
    /// The literals.
    ///
    /// The DFA is used through its concrete type, not `AhoCorasick`'s
    /// `dyn` automaton, so the search loop is compiled for it (about
    /// three times faster per byte).
    ac: Option<DFA>,
    /// Literal atoms are 0..lits; syscall atoms follow.
    lits: usize,
    syscalls: Vec<Vec<u8>>,
    /// The fields the literals are about: only their values are scanned.
    fields: Vec<Field>,
    /// The last bytes of their names, to pass over other fields quickly.
    last: [bool; 256],
    /// A literal from keywords: scan the text, not the raw body.
    text: bool,
    /// Some literal holds a NUL byte.
    nul_lits: bool,
}

impl Default for Scan {
    fn default() -> Scan {
        Scan {
            ac: None,
            lits: 0,
            syscalls: Vec::new(),
            fields: Vec::new(),
            last: [false; 256],
            text: false,
            nul_lits: false,
        }
    }
}

/// Which atoms a document showed.
pub(crate) struct Seen {
    small: [u64; 4],
    big: Vec<u64>,
}

impl Seen {
    fn new(atoms: usize) -> Seen {
        let big = if atoms > 256 {
            vec![0; atoms.div_ceil(64)]
        } else {
            Vec::new()
        };
        Seen { small: [0; 4], big }
    }

    fn words(&mut self) -> &mut [u64] {
        if self.big.is_empty() {
            &mut self.small
        } else {
            &mut self.big
        }
    }

    fn set(&mut self, i: usize) {
        if let Some(w) = self.words().get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    fn get(&self, i: usize) -> bool {
        let w = if self.big.is_empty() {
            &self.small[..]
        } else {
            &self.big
        };
        w.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Whether nothing was seen.
    pub fn is_empty(&self) -> bool {
        self.small.iter().chain(&self.big).all(|&w| w == 0)
    }

    /// Whether one of `ids` was seen.
    pub fn any(&self, ids: &[u32]) -> bool {
        ids.iter().any(|&i| self.get(i as usize))
    }

    /// Mark the literals (patterns below `lits`) found in `hay`.
    fn mark(&mut self, ac: &DFA, lits: usize, hay: &[u8]) {
        if !scan(ac, hay, |i, _| {
            if i < lits {
                self.set(i);
            }
        }) {
            self.all(lits);
        }
    }

    /// Mark every literal (a search that could not run decides nothing).
    fn all(&mut self, lits: usize) {
        for i in 0..lits {
            self.set(i);
        }
    }
}

/// Every match of `ac` in `hay`, overlapping: `found(pattern, end)`.
/// The automaton's own loop, written out for the concrete DFA (the
/// library's overlapping iterator returns to its caller and starts again
/// at every match). False when the automaton cannot search unanchored.
fn scan(ac: &DFA, hay: &[u8], mut found: impl FnMut(usize, usize)) -> bool {
    let Ok(mut sid) = ac.start_state(Anchored::No) else {
        return false;
    };
    for (at, &b) in hay.iter().enumerate() {
        sid = ac.next_state(Anchored::No, sid, b);
        if ac.is_special(sid) && ac.is_match(sid) {
            for k in 0..ac.match_len(sid) {
                found(ac.match_pattern(sid, k).as_usize(), at + 1);
            }
        }
    }
    true
}

impl Plan {
    /// The plan of `rules` (ascending ids, `Never` already left out) for
    /// records of `rtype` (`None`: several types, or mapped documents).
    pub fn new(rules: Vec<(u32, Need<'_>)>, rtype: Option<RecordType>) -> Plan {
        let mut lits: Vec<Vec<u8>> = Vec::new();
        let mut lit_ids: HashMap<Vec<u8>, u32> = HashMap::new();
        let mut syscalls: Vec<Vec<u8>> = Vec::new();
        let mut fields: Vec<(Vec<u8>, bool)> = Vec::new();
        let mut text = false;
        // Literal atoms first, then syscall atoms numbered after them:
        // `Ok(literal)` or `Err(syscall)` until the literals are counted.
        type Ids = Option<Vec<Result<u32, usize>>>;
        let mut planned: Vec<(u32, Ids)> = Vec::new();
        for (id, need) in rules {
            let atoms = match need {
                Need::Atoms(v) => v,
                Need::Any | Need::Never => {
                    planned.push((id, None));
                    continue;
                }
            };
            let mut ids = Vec::new();
            for a in atoms {
                match a {
                    Atom::Lit { lit, field } => {
                        match field {
                            None => text = true,
                            Some(f) => {
                                let hex = lit.iter().all(u8::is_ascii_hexdigit);
                                match fields.iter_mut().find(|(x, _)| x == f) {
                                    Some((_, h)) => *h |= hex,
                                    None => fields.push((f.to_vec(), hex)),
                                }
                            }
                        }
                        let n = *lit_ids.entry(lit.to_vec()).or_insert_with(|| {
                            lits.push(lit.to_vec());
                            (lits.len() - 1) as u32
                        });
                        ids.push(Ok(n));
                    }
                    Atom::Syscall(name) => {
                        let k = match syscalls.iter().position(|s| s == name) {
                            Some(k) => k,
                            None => {
                                syscalls.push(name.to_vec());
                                syscalls.len() - 1
                            }
                        };
                        ids.push(Err(k));
                    }
                }
            }
            planned.push((id, Some(ids)));
        }
        let fields: Vec<Field> = fields
            .into_iter()
            .map(|(name, hex_lits)| {
                let hexy = rtype.and_then(|t| {
                    let s = std::str::from_utf8(&name).ok()?;
                    (!field_type_uses_value(t, s)).then(|| crate::view::hexy(field_type(t, s, b"")))
                });
                Field::new(name, hexy, hex_lits)
            })
            .collect();
        let mut last = [false; 256];
        for f in &fields {
            if let Some(&b) = f.name.last() {
                last[usize::from(b)] = true;
            }
        }
        let ac = if lits.is_empty() {
            None
        } else {
            match DFA::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .prefilter(false)
                .build(&lits)
            {
                Ok(ac) => Some(ac),
                // Too big for the automaton: every rule is tried.
                Err(_) => {
                    return Plan {
                        always: !planned.is_empty(),
                        rules: planned.into_iter().map(|(id, _)| (id, None)).collect(),
                        scan: Scan::default(),
                    }
                }
            }
        };
        let n = lits.len();
        let rules = planned
            .into_iter()
            .map(|(id, ids)| {
                let ids = ids.map(|v| {
                    let mut v: Vec<u32> = v
                        .into_iter()
                        .map(|x| match x {
                            Ok(l) => l,
                            Err(k) => (n + k) as u32,
                        })
                        .collect();
                    v.sort_unstable();
                    v.dedup();
                    v.into_boxed_slice()
                });
                (id, ids)
            })
            .collect::<Vec<_>>();
        Plan {
            always: rules.iter().any(|(_, n)| n.is_none()),
            rules,
            scan: Scan {
                ac,
                lits: n,
                syscalls,
                nul_lits: lits.iter().any(|l| l.contains(&0)),
                fields,
                last,
                text,
            },
        }
    }

    /// Whether some rule has no need (is tried on every record).
    pub fn always(&self) -> bool {
        self.always
    }

    /// Whether some rule has a need (else every rule is tried and there
    /// is nothing to scan).
    pub fn filters(&self) -> bool {
        self.rules.iter().any(|(_, n)| n.is_some())
    }

    /// Whether the raw body cannot stand for the text here (a literal
    /// from keywords).
    pub fn wants_text(&self) -> bool {
        self.scan.text
    }

    /// The atoms a record shows, from its raw body (see the module
    /// documentation); `syscall` is its syscall's name when the caller
    /// knows it already; `buf` is scratch space for decoded values.
    pub fn seen_raw<'a, R: RecordFields<'a>>(
        &self,
        r: &R,
        body: &[u8],
        syscall: Option<Option<&[u8]>>,
        buf: &mut Vec<u8>,
    ) -> Seen {
        let s = &self.scan;
        let mut seen = Seen::new(s.lits + s.syscalls.len());
        if let Some(ac) = &s.ac {
            // Every value of a field called F follows an `=` that F
            // precedes and runs to the next space: scan those values only.
            for p in memchr::memchr_iter(b'=', body) {
                if p == 0 || !s.last[usize::from(body[p - 1])] {
                    continue;
                }
                let before = &body[..p];
                let (tail, _) = tail_of(before);
                let end = memchr::memchr(b' ', &body[p + 1..]).map_or(body.len(), |q| p + 1 + q);
                let v = &body[p + 1..end];
                // The run of hex digits the value starts with, read once
                // and only for a field some literal is about.
                let mut run = None;
                let mut hit = false;
                let mut raw = false;
                let mut hexy = false;
                for f in s.fields.iter().filter(|f| f.ends(before, tail)) {
                    hit = true;
                    let run = *run.get_or_insert_with(|| {
                        v.iter().take_while(|b| b.is_ascii_hexdigit()).count()
                    });
                    raw = raw || f.hex_lits || run < v.len();
                    hexy = hexy
                        || run >= 2
                            && run % 2 == 0
                            && f.hexy.unwrap_or_else(|| {
                                std::str::from_utf8(&f.name).is_ok_and(|n| {
                                    crate::view::hexy(field_type(r.rtype(), n, &v[..run]))
                                })
                            });
                }
                if !hit {
                    continue;
                }
                if raw {
                    seen.mark(ac, s.lits, v);
                }
                if !hexy {
                    continue;
                }
                let run = run.unwrap_or(0);
                buf.clear();
                if !decode_hex_into(&v[..run], buf) {
                    continue;
                }
                // With NUL bytes as spaces too, as `proctitle` reads. A
                // literal without NUL found with them is found without
                // them, so one scan does unless a literal holds a NUL.
                if s.nul_lits || !buf.contains(&0) {
                    seen.mark(ac, s.lits, buf);
                }
                if buf.contains(&0) {
                    for c in buf.iter_mut().filter(|c| **c == 0) {
                        *c = b' ';
                    }
                    seen.mark(ac, s.lits, buf);
                }
            }
        }
        if !s.syscalls.is_empty() {
            match syscall {
                Some(name) => self.mark_syscall(&mut seen, name),
                None => {
                    let name =
                        crate::view::syscall_name_of(r.rtype(), r.enrichment(), false, |n| {
                            r.field(n)
                        });
                    self.mark_syscall(&mut seen, name.as_deref());
                }
            }
        }
        seen
    }

    /// The atoms a document shows, from its text (and the syscall's name,
    /// for SYSCALL records).
    pub fn seen_text(&self, text: &[u8], syscall: Option<&[u8]>) -> Seen {
        let s = &self.scan;
        let mut seen = Seen::new(s.lits + s.syscalls.len());
        if let Some(ac) = &s.ac {
            seen.mark(ac, s.lits, text);
        }
        self.mark_syscall(&mut seen, syscall);
        seen
    }

    fn mark_syscall(&self, seen: &mut Seen, name: Option<&[u8]>) {
        let Some(name) = name else { return };
        let s = &self.scan;
        if let Some(k) = s.syscalls.iter().position(|x| x.eq_ignore_ascii_case(name)) {
            seen.set(s.lits + k);
        }
    }
}

#[cfg(test)]
mod tests;
