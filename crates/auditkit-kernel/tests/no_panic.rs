//! Whatever bytes arrive from the socket, decoding never panics, and what
//! decodes re-encodes to a rule that decodes to itself.

use auditkit_kernel::{decode, encode, wire, Status};
use auditkit_rules::fields::FieldKind;
use auditkit_rules::{Field, Machine};
use proptest::prelude::*;

const OPS: [u32; 8] = [
    0x4000_0000,
    0x3000_0000,
    0x1000_0000,
    0x2000_0000,
    0x5000_0000,
    0x6000_0000,
    0x0800_0000,
    0x4800_0000,
];

proptest! {
    #[test]
    fn split_never_panics(b in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = wire::split(&b);
    }

    /// Random bytes: no panic.
    #[test]
    fn decode_never_panics(
        words in proptest::collection::vec(any::<u32>(), 0..300),
        tail in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut b: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
        let _ = decode(&b, Machine::X86_64);
        let _ = Status::decode(&b);
        b.resize(1040, 0);
        b.extend_from_slice(&tail);
        let _ = decode(&b, Machine::X86_64);
    }

    /// Plausible rules (known lists, actions, fields and operators, random
    /// values, masks and strings): decode, encode, decode gives the same.
    #[test]
    fn plausible_rules_round_trip(
        list in prop::sample::select(vec![0u32, 1, 4, 5, 6, 7]),
        action in 0u32..3,
        mask in proptest::collection::vec(any::<u32>(), 64),
        fields in proptest::collection::vec((0usize..64, 0usize..8, any::<u32>(), "[a-z/]{0,12}"), 0..10),
    ) {
        let mut b = vec![0u8; 1040];
        let put = |b: &mut Vec<u8>, at: usize, v: u32| b[at..at + 4].copy_from_slice(&v.to_ne_bytes());
        put(&mut b, 0, list);
        put(&mut b, 4, action);
        put(&mut b, 8, fields.len() as u32);
        for (i, m) in mask.iter().enumerate() {
            put(&mut b, 12 + 4 * i, *m);
        }
        let mut strings = Vec::new();
        for (i, (f, op, v, s)) in fields.iter().enumerate() {
            let field = Field::ALL[f % Field::ALL.len()];
            put(&mut b, 268 + 4 * i, field.number());
            put(&mut b, 780 + 4 * i, OPS[*op]);
            let value = if field.kind() == FieldKind::Str {
                strings.extend_from_slice(s.as_bytes());
                s.len() as u32
            } else if field == Field::FieldCompare {
                v % 25 + 1
            } else {
                *v
            };
            put(&mut b, 524 + 4 * i, value);
        }
        put(&mut b, 1036, strings.len() as u32);
        b.extend_from_slice(&strings);
        let r = decode(&b, Machine::X86_64);
        prop_assert!(r.is_ok(), "{:?}", r);
        let r = r.unwrap_or_else(|_| unreachable!());
        let again = encode(&r, false).expect("a decoded rule encodes");
        prop_assert_eq!(decode(&again, Machine::X86_64), Ok(r));
    }
}
