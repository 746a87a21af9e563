//! The literals an event must hold for ausearch's criteria to match it,
//! for the engine's prefilter ([`auditkit_event::prefilter`]).
//!
//! Each rule here is a *necessary* condition of [`Criteria::items_match`]:
//!
//! * `-k`, `-x`, `-c` compare a needle with a value ausearch took from one
//!   record's text (`strstr`, or `strcmp` under `-w`). That value is the
//!   text itself (quoted, a legacy bare word, `(null)`, or an interpreted
//!   value in ausearch `-i` output), or hex decoded from the value's first
//!   character on (`au_unescape`, a key list joined by 0x01). So the
//!   record's line holds the needle, or the hex of the needle at an even
//!   offset, in either letter case. The literal used for the hex is the
//!   longest run of decimal digits of the needle's hex (digits have no
//!   case), without its last digit (an odd-length value decodes its last
//!   byte from one digit). A needle with a byte that some form escapes
//!   (space, quotes, backslash, control bytes, shell characters of
//!   `--escape`) gives no prefilter, nor a hex run shorter than 4.
//! * `-m` compares record types with the records' headers: the types
//!   themselves mark records.
//! * `-sc N` compares N with the number ausearch read after `syscall=`
//!   (the kernel writes it in decimal), or, in ausearch `-i` output used
//!   as input, with the number a name maps back to through the record's
//!   machine: the line holds `syscall=N`, `syscall=unknown-syscall(N)`,
//!   or `syscall=NAME` for a name N has on some machine (either spelling
//!   of the table; `socketcall(...)` starts with `socketcall`).
//!
//! * `--where`: equality of a text field (`exe`, `comm`, `key`, `cwd`,
//!   `name`, `path`: values that are the text itself or its hex, never a
//!   looked-up name) with a string, as the needles above; `and` takes
//!   either side, `or` needs both.
//!
//! All criteria and queries must hold, so one of them is enough: the
//! first that gives a prefilter, in the order `-k`, `-x`, `-c`, `-m`,
//! `-sc`, then the `--where` queries.

use auditkit_event::prefilter::Prefilter;
use auditkit_interp::{syscall_name, syscall_name_au309, Machine};

use crate::criteria::Criteria;
use crate::lang::Query;

/// Bytes that no form of a value changes: not hex-worthy for auditd's
/// quoting rules and not escaped by any `--escape` mode of ausearch.
fn plain(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'/' | b'.' | b'_' | b'-' | b':' | b'+' | b'@' | b',' | b'=' | b'~'
        )
}

/// The literals one of which a record holding `needle` (as text or hex)
/// contains, or `None` when no safe literal exists.
pub fn needle_literals(needle: &[u8]) -> Option<Vec<Vec<u8>>> {
    if needle.is_empty() || !needle.iter().all(|&b| plain(b)) {
        return None;
    }
    let mut hex: Vec<u8> = Vec::with_capacity(needle.len() * 2);
    for &b in needle {
        hex.extend_from_slice(format!("{b:02X}").as_bytes());
    }
    hex.pop();
    let run = hex
        .split(|b| !b.is_ascii_digit())
        .max_by_key(|r| r.len())
        .unwrap_or(&[]);
    if run.len() < 4 {
        return None;
    }
    Some(vec![needle.to_vec(), run.to_vec()])
}

/// The prefilter for these criteria, if one of them gives one.
pub fn for_criteria(c: &Criteria) -> Option<Prefilter> {
    for needle in [&c.key, &c.exe, &c.comm].into_iter().flatten() {
        if let Some(lits) = needle_literals(needle) {
            return Prefilter::new(&lits, &[]);
        }
    }
    match &c.types {
        Some(t) if !t.is_empty() => return Prefilter::new(&[], t),
        _ => {}
    }
    u32::try_from(c.syscall)
        .ok()
        .and_then(|n| Prefilter::new(&syscall_literals(n), &[]))
}

/// The literals of `-sc N`: the logged number, ausearch's form for a
/// number it has no name for, and every name N has on any machine.
pub fn syscall_literals(n: u32) -> Vec<Vec<u8>> {
    let mut lits = vec![
        format!("syscall={n}").into_bytes(),
        format!("syscall=unknown-syscall({n})").into_bytes(),
    ];
    for m in Machine::ALL {
        for name in [syscall_name(m, n), syscall_name_au309(m, n)]
            .into_iter()
            .flatten()
        {
            let l = format!("syscall={name}").into_bytes();
            if !lits.contains(&l) {
                lits.push(l);
            }
        }
    }
    lits
}

/// The prefilter for a `--where` query, if it gives one: every string of
/// [`Query::needles`] must give literals (they are alternatives).
pub fn for_query(q: &Query) -> Option<Prefilter> {
    let mut lits = Vec::new();
    for n in q.needles()? {
        lits.extend(needle_literals(&n)?);
    }
    Prefilter::new(&lits, &[])
}

/// The prefilter of a search: the criteria's, else the first query's
/// that gives one (all of them must hold, so any one will do).
pub fn for_search(c: &Criteria, queries: &[Query]) -> Option<Prefilter> {
    for_criteria(c).or_else(|| queries.iter().find_map(for_query))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syscall_literals_cover_every_form() {
        let l = syscall_literals(42);
        for form in [
            &b"syscall=42"[..],
            b"syscall=connect",
            b"syscall=unknown-syscall(42)",
        ] {
            assert!(
                l.iter().any(|x| x == form),
                "{}",
                String::from_utf8_lossy(form)
            );
        }
        // i386's 102 is socketcall, printed `socketcall(connect)`.
        assert!(syscall_literals(102)
            .iter()
            .any(|x| b"syscall=socketcall(connect)".starts_with(x)));
    }

    #[test]
    fn literals_of_needles() {
        // "big-exec" = 62 69 67 2D 65 78 65 63: the longest digit run.
        let l = needle_literals(b"big-exec").unwrap();
        assert_eq!(l, vec![b"big-exec".to_vec(), b"6578656".to_vec()]);
        // "/usr/bin/grep": its hex ends in ...67726570, last digit cut.
        let l = needle_literals(b"/usr/bin/grep").unwrap();
        assert_eq!(l[1], b"6772657".to_vec());
        assert!(needle_literals(b"a b").is_none());
        assert!(needle_literals(b"").is_none());
        assert!(needle_literals(b"zz").is_none());
    }

    #[test]
    fn hex_forms_hold_the_digit_run() {
        // Upper, lower and odd-length hex of values holding the needle.
        for needle in [&b"big-exec"[..], b"/usr/bin/grep", b"grep", b"sshd"] {
            let Some(l) = needle_literals(needle) else {
                continue;
            };
            let run = &l[1];
            for value in [
                needle.to_vec(),
                [b"x\x01".as_slice(), needle, b"\x01y"].concat(),
            ] {
                let up: String = value.iter().map(|b| format!("{b:02X}")).collect();
                let low = up.to_lowercase();
                let odd = &up[..up.len() - 1];
                for h in [up.as_str(), low.as_str(), odd] {
                    // The odd form holds the needle only when its last
                    // byte's low nibble is 0 ("grep": ...70).
                    let decoded = crate::cstr::unescape_bytes(h.as_bytes());
                    if memchr::memmem::find(&decoded, needle).is_none() {
                        assert_eq!(h, odd);
                        continue;
                    }
                    assert!(
                        memchr::memmem::find(h.as_bytes(), run).is_some(),
                        "{h} lacks {}",
                        String::from_utf8_lossy(run)
                    );
                }
            }
        }
    }

    #[test]
    fn where_needles() {
        let n = |src: &str| crate::lang::compile(src).unwrap().needles();
        assert_eq!(
            n("exe = \"/usr/bin/grep\""),
            Some(vec![b"/usr/bin/grep".to_vec()])
        );
        assert_eq!(
            n("key in [a, b] and raw(auid) >= 1000"),
            Some(vec![b"a".to_vec(), b"b".to_vec()])
        );
        assert_eq!(
            n("comm = x or SYSCALL.exe = y"),
            Some(vec![b"x".to_vec(), b"y".to_vec()])
        );
        for none in [
            "comm = x or auid = 0",
            "not exe = x",
            "exe != x",
            "exe ~ \"grep\"",
            "auid = root",
            "raw(exe) = x",
            "cmdline = x",
            "exe >= x",
        ] {
            assert_eq!(n(none), None, "{none}");
        }
        let q = crate::lang::compile("exe = \"/usr/bin/grep\"").unwrap();
        assert!(for_query(&q).is_some());
        let q = crate::lang::compile("exe = \"a b\"").unwrap();
        assert!(for_query(&q).is_none());
    }

    #[test]
    fn criteria_choose_one() {
        let mut c = Criteria::default();
        assert!(for_criteria(&c).is_none());
        c.types = Some(vec![auditkit_interp::RecordType::EXECVE]);
        assert!(for_criteria(&c).is_some());
        c.types = None;
        c.exe = Some(b"/bin/a b".to_vec());
        assert!(for_criteria(&c).is_none());
        c.key = Some(b"big-exec".to_vec());
        assert!(for_criteria(&c).is_some());
    }
}
