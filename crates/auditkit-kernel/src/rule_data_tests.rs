use super::*;
use auditkit_rules::{canonical, parse_file, Accounts, Command, FnHost, PathKind, Resolver};

fn host() -> FnHost<'static> {
    FnHost {
        accounts: {
            static ROOT: std::sync::LazyLock<Accounts> = std::sync::LazyLock::new(|| {
                Accounts::parse(b"root:x:0:0::/root:/bin/sh\n", b"root:x:0:\n")
            });
            &ROOT
        },
        path: &|p| {
            if p.ends_with('/') || p == "/etc/sudoers.d" {
                PathKind::Dir
            } else {
                PathKind::Other
            }
        },
    }
}

fn rules(text: &str) -> Vec<KernelRule> {
    let (file, _) = parse_file("t", text);
    let h = host();
    let r = Resolver {
        native: Machine::X86_64,
        host: &h,
    };
    file.commands()
        .filter_map(|(_, c)| match c {
            Command::Rule(rule) => r.resolve(rule).ok(),
            _ => None,
        })
        .collect()
}

#[test]
fn watch_layout_is_what_the_kernel_expects() {
    let r = &rules("-w /etc/passwd -p wa -k identity\n")[0];
    let b = encode(r, false).unwrap();
    let w = |at: usize| u32_at(&b, at).unwrap();
    assert_eq!(b.len(), 1040 + 19);
    assert_eq!((w(0), w(4), w(8)), (4, 2, 3));
    assert!((0..64).all(|i| w(12 + 4 * i) == u32::MAX));
    assert_eq!(
        (w(OFF_FIELDS), w(OFF_FIELDS + 4), w(OFF_FIELDS + 8)),
        (105, 106, 210)
    );
    assert_eq!(
        (w(OFF_VALUES), w(OFF_VALUES + 4), w(OFF_VALUES + 8)),
        (11, 10, 8)
    );
    assert!((0..3).all(|i| w(OFF_FLAGS + 4 * i) == AUDIT_EQUAL));
    assert_eq!(w(OFF_BUFLEN), 19);
    assert_eq!(&b[1040..], b"/etc/passwdidentity");
    assert_eq!(rule_len(&b), Some(b.len()));
}

#[test]
fn syscall_layout_prepend_and_ops() {
    let r =
        &rules("-A always,exit -F arch=b32 -S open,openat -F auid>=1000 -F a0&0x10 -C uid!=euid\n")
            [0];
    let b = encode(r, true).unwrap();
    let w = |at: usize| u32_at(&b, at).unwrap();
    assert_eq!(w(0), 4 | 0x10);
    // i386: open = 5, openat = 295.
    assert_eq!(w(12), 1 << 5);
    assert_eq!(w(12 + 4 * 9), 1 << (295 - 288));
    assert_eq!(w(OFF_FIELDS), 11);
    assert_eq!(w(OFF_VALUES), 0x4000_0003);
    assert_eq!(w(OFF_FLAGS + 4), AUDIT_GREATER_THAN_OR_EQUAL);
    assert_eq!(w(OFF_FLAGS + 8), AUDIT_BIT_MASK);
    assert_eq!((w(OFF_FIELDS + 12), w(OFF_VALUES + 12)), (111, 11));
    assert_eq!(w(OFF_FLAGS + 12), AUDIT_NOT_EQUAL);
    let back = decode(&b, Machine::X86_64).unwrap();
    assert_eq!(&back, r);
    assert_eq!(
        canonical(&back, Machine::X86_64),
        "-a always,exit -F arch=b32 -S open,openat -F auid>=1000 -F a0&0x10 -C uid!=euid"
    );
}

#[test]
fn task_list_has_an_empty_mask_and_user_list_a_full_one() {
    let r = rules("-a never,task\n-a always,user -F uid=0\n");
    let t = encode(&r[0], false).unwrap();
    assert!(t[OFF_MASK..OFF_FIELDS].iter().all(|b| *b == 0));
    let u = encode(&r[1], false).unwrap();
    assert!(u[OFF_MASK..OFF_FIELDS].iter().all(|b| *b == 0xff));
    assert_eq!(decode(&u, Machine::X86_64).unwrap(), r[1]);
}

/// The kernel clears the class bits of a full mask; that is still "all".
#[test]
fn full_mask_without_class_bits_is_all() {
    let r = &rules("-a always,exit -S all -F key=x\n")[0];
    let mut b = encode(r, false).unwrap();
    put_u32(&mut b, OFF_MASK + 4 * 63, 0x0000_ffff);
    assert_eq!(decode(&b, Machine::X86_64).unwrap().syscalls, Syscalls::All);
}

#[test]
fn every_corpus_rule_round_trips() {
    let root = auditkit_testsupport::require!(corpus).join("rules");
    let mut n = 0;
    for sub in ["audit-userspace-3.0.9", "auditd-attack", "neo23x0"] {
        let Ok(dir) = std::fs::read_dir(root.join(sub)) else {
            continue;
        };
        for e in dir.flatten() {
            let Ok(text) = std::fs::read_to_string(e.path()) else {
                continue;
            };
            for r in rules(&text) {
                let b = encode(&r, false).unwrap();
                assert_eq!(decode(&b, Machine::X86_64).as_ref(), Ok(&r));
                n += 1;
            }
        }
    }
    assert!(n > 700, "only {n} rules");
}

#[test]
fn decode_refuses_what_it_cannot_read() {
    let r = &rules("-a always,exit -F path=/etc/shadow -F key=k\n")[0];
    let good = encode(r, false).unwrap();
    let m = Machine::X86_64;
    assert!(matches!(
        decode(&good[..100], m),
        Err(DecodeError::Short { .. })
    ));
    assert!(matches!(
        decode(&good[..1045], m),
        Err(DecodeError::Short { .. })
    ));
    let mut b = good.clone();
    put_u32(&mut b, 0, 3);
    assert_eq!(decode(&b, m), Err(DecodeError::List(3)));
    let mut b = good.clone();
    put_u32(&mut b, 4, 9);
    assert_eq!(decode(&b, m), Err(DecodeError::Action(9)));
    let mut b = good.clone();
    put_u32(&mut b, 8, 65);
    assert_eq!(decode(&b, m), Err(DecodeError::FieldCount(65)));
    let mut b = good.clone();
    put_u32(&mut b, OFF_FIELDS, 24);
    assert_eq!(decode(&b, m), Err(DecodeError::Field(24)));
    let mut b = good.clone();
    put_u32(&mut b, OFF_FLAGS, 0x7000_0000);
    assert_eq!(decode(&b, m), Err(DecodeError::Op(0x7000_0000)));
    let mut b = good.clone();
    put_u32(&mut b, OFF_VALUES + 4, 99);
    assert_eq!(decode(&b, m), Err(DecodeError::Buffer { field: "key" }));
    let mut b = good.clone();
    b[1040] = 0xff;
    assert_eq!(decode(&b, m), Err(DecodeError::Utf8 { field: "path" }));
    let mut b = good;
    put_u32(&mut b, OFF_FIELDS, 111);
    put_u32(&mut b, OFF_VALUES, 26);
    assert_eq!(decode(&b, m), Err(DecodeError::Comparison(26)));
}

#[test]
fn encode_refuses_what_the_kernel_cannot_hold() {
    let mut r = rules("-a always,exit -S open -F key=k\n").remove(0);
    r.syscalls = Syscalls::Set([2048].into());
    assert_eq!(encode(&r, false), Err(EncodeError::SyscallRange(2048)));
    r.fields = vec![r.fields[0].clone(); 65];
    assert_eq!(encode(&r, false), Err(EncodeError::TooManyFields(65)));
}

#[test]
fn operators_round_trip() {
    for code in [
        AUDIT_EQUAL,
        AUDIT_NOT_EQUAL,
        AUDIT_LESS_THAN,
        AUDIT_GREATER_THAN,
        AUDIT_LESS_THAN_OR_EQUAL,
        AUDIT_GREATER_THAN_OR_EQUAL,
        AUDIT_BIT_MASK,
        AUDIT_BIT_TEST,
    ] {
        assert_eq!(op_from_code(code).map(op_code), Some(code));
    }
    assert_eq!(op_from_code(0), None);
}
