//! The `--where` language: one line per case.

use auditkit_event::assemble::assemble_all;
use auditkit_host::Accounts;
use auditkit_query::lang::{compile, compile_field, EventView, Names};
use proptest::prelude::*;

const LOG: &[u8] = b"type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 a2=0 a3=0 items=2 ppid=1 pid=4242 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"curl\" exe=\"/tmp/x/curl\" subj=unconfined key=\"net\"\n\
type=EXECVE msg=audit(1700000000.123:42): argc=3 a0=\"curl\" a1=\"-s\" a2=68747470733A2F2F6578616D706C652E636F6D\n\
type=CWD msg=audit(1700000000.123:42): cwd=\"/home/u\"\n\
type=PATH msg=audit(1700000000.123:42): item=0 name=\"/tmp/x/curl\" inode=5 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n\
type=PROCTITLE msg=audit(1700000000.123:42): proctitle=6375726C002D73\n";

fn eval(q: &str) -> bool {
    let evs = assemble_all(LOG, 2);
    let db = Accounts::parse(b"root:x:0:0::/:/bin/sh\nu:x:1000:1000::/:/bin/sh\n", b"");
    let names = Names { ids: &db };
    compile(q)
        .unwrap_or_else(|e| panic!("{}", e.render(q)))
        .matches(&EventView::new(&evs[0]), &names)
}

macro_rules! yes { ($($name:ident: $q:expr;)*) => { $( #[test] fn $name() { assert!(eval($q), "{}", $q); } )* }; }
macro_rules! no { ($($name:ident: $q:expr;)*) => { $( #[test] fn $name() { assert!(!eval($q), "{}", $q); } )* }; }
macro_rules! err { ($($name:ident: $q:expr => $col:expr, $needle:expr;)*) => { $( #[test] fn $name() {
    let e = compile($q).unwrap_err();
    assert_eq!(e.span.0 + 1, $col, "{}", e.render($q));
    assert!(e.message.contains($needle), "{}", e.message);
} )* }; }

yes! {
    eq_string: "comm = \"curl\"";
    eq_word: "comm = curl";
    qualified: "EXECVE.a0 = \"curl\"";
    hex_decoded: "EXECVE.a2 = \"https://example.com\"";
    regex: "exe ~ \"^/tmp/\"";
    regex_qualified: "SYSCALL.exe ~ \"curl$\"";
    number_ge: "auid >= 1000";
    number_lt: "pid < 5000";
    number_hex_literal: "pid = 0x1092";
    a0_is_hex: "SYSCALL.a0 = 0x55d0";
    interp_syscall_name: "syscall = execve";
    interp_uid_name: "uid = root";
    interp_explicit: "interp(arch) = x86_64";
    raw_keeps_quotes: "raw(comm) = \"\\\"curl\\\"\"";
    ne_absent_value: "auid != unset";
    in_list: "EXECVE.a0 in [wget, curl]";
    has_field: "has key";
    and_or_not: "not (comm = wget) and (uid = 0 or uid = 1)";
    key_value: "key = net";
    type_pseudo: "type = PROCTITLE";
    cmdline_pseudo: "cmdline ~ \"curl -s https\"";
    serial_pseudo: "serial = 42";
    time_pseudo: "time >= 1700000000";
    path_name: "PATH.name ~ \"^/tmp\"";
    mode_octal: "mode = 0100755 and raw(mode) = \"0100755\"";
    not_match: "exe !~ \"^/usr\"";
    proctitle_decoded: "proctitle = \"curl -s\"";
    double_eq: "ses == 3";
}

no! {
    eq_miss: "comm = wget";
    qualified_miss: "PATH.a0 = \"curl\"";
    ne_present: "comm != curl";
    not_has: "has nosuchfield";
    ne_missing_field: "nosuchfield != 1";
    number_vs_text: "comm > 5";
    in_miss: "EXECVE.a0 in [wget, sh]";
    regex_miss: "exe ~ \"^/usr/\"";
    type_miss: "type = USER_LOGIN";
}

err! {
    e_empty: "" => 1, "empty query";
    e_no_value: "exe ~ " => 7, "expected a value after '~'";
    e_no_op: "exe \"x\"" => 5, "expected an operator";
    e_bad_type: "NOPE.a0 = 1" => 1, "unknown record type";
    e_bad_regex: "exe ~ \"(\"" => 7, "invalid regular expression";
    e_unclosed: "(exe = x" => 9, "expected ')'";
    e_trailing: "exe = x y" => 9, "expected 'and', 'or'";
    e_list: "a0 in [1," => 10, "expected a value";
    e_string: "exe = \"abc" => 7, "unterminated string";
    e_char: "exe = $" => 7, "unexpected character";
    e_regex_number: "exe ~ 5" => 7, "regular expression";
}

#[test]
fn render_points_at_the_column() {
    let q = "auid >= and";
    let e = compile(q).unwrap_err();
    let r = e.render(q);
    assert!(r.ends_with("\n  auid >= and\n          ^^^"), "{r}");
}

#[test]
fn field_values_for_tallies() {
    let evs = assemble_all(LOG, 2);
    let db = Accounts::parse(b"", b"");
    let names = Names { ids: &db };
    let v = EventView::new(&evs[0]);
    assert_eq!(
        compile_field("exe").unwrap().values(&v, &names),
        vec![b"/tmp/x/curl".to_vec()]
    );
    assert_eq!(
        compile_field("interp(syscall)").unwrap().values(&v, &names),
        vec![b"execve".to_vec()]
    );
    assert!(compile_field("exe = 1").is_err());
}

proptest! {
    /// Any text: compile never panics, and evaluation of what compiles
    /// never panics either.
    #[test]
    fn never_panics(q in ".{0,60}") {
        if let Ok(query) = compile(&q) {
            let evs = assemble_all(LOG, 2);
            let db = Accounts::parse(b"", b"");
            let _ = query.matches(&EventView::new(&evs[0]), &Names { ids: &db });
        }
    }

    /// Token soup from the language's own alphabet reaches deeper.
    #[test]
    fn never_panics_on_tokens(toks in proptest::collection::vec(prop_oneof![
        Just("exe"), Just("EXECVE.a0"), Just("raw("), Just("interp("), Just(")"), Just("("),
        Just("="), Just("!="), Just("~"), Just("<="), Just("in"), Just("["), Just("]"), Just(","),
        Just("and"), Just("or"), Just("not"), Just("has"), Just("\"x\""), Just("5"), Just("-1"),
        Just("0x1f"), Just("unset"), Just("."),
    ], 0..12)) {
        let q = toks.join(" ");
        let _ = compile(&q);
    }
}
