//! `auparse_do_interpretation` of 3.0.9: one field value in, the text
//! ausearch -i prints out.
//!
//! auparse works on C strings, and several of its visible quirks follow from
//! that (a decoded value stops at its first NUL byte, `%c` of a NUL ends a
//! string early). The printers here work on byte slices but apply the same
//! C-string cuts where auparse would, so odd input gives the same output.

mod args;
mod ids;
mod num;
mod sockaddr;
mod text;
pub use text::tty_data;

pub use args::ArgsRead;

use crate::{FieldType, Machine};

/// ausearch `--escape`: how control and shell characters in interpreted
/// values are escaped. ausearch's default is [`EscapeMode::Tty`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EscapeMode {
    /// Nothing is escaped.
    Raw,
    /// Bytes below 0x20 become `\ooo`.
    #[default]
    Tty,
    /// As Tty, plus a backslash before each of ``"'`$\!()| `` and space.
    Shell,
    /// As Shell, plus ``;#&*?[]<>{}``.
    ShellQuote,
}

/// The record around a field: what auparse keeps in its `idata`.
///
/// The caller fills it the way its reference tool does; the two differ:
/// * auparse (`auparse_interpret_field`, e.g. the Python bindings): `machine`
///   from the record's `arch` field, `syscall` from its `syscall` field,
///   `a0`/`a1` from the record's a0/a1 fields (0 when absent), `cwd` None.
/// * ausearch -i: in SYSCALL and SECCOMP records as above (a0/a1 only from
///   SYSCALL records; otherwise the last SYSCALL record's values), but in
///   every other record `machine` None and `syscall` `Some(0)`.
pub struct Ctx<'a> {
    /// The record's machine; `None` is auparse's -1 ("detect the native
    /// machine" for syscall names, "no table" for a0..a3). Machines that
    /// 3.0.9 does not know (RISC-V) are treated as `None`, as 3.0.9 does.
    pub machine: Option<Machine>,
    /// The record's syscall number; `None` is auparse's -1.
    pub syscall: Option<u32>,
    pub a0: u64,
    pub a1: u64,
    /// The event's CWD (raw, still encoded), used only for
    /// [`FieldType::EscapedFile`] to build a full path
    /// (`auparse_interpret_realpath`). Both ausearch -i and
    /// `auparse_interpret_field` leave it unset.
    pub cwd: Option<&'a [u8]>,
    /// The bytes after the record's 0x1D separator (enriched logs), if any.
    pub enriched: Option<&'a [u8]>,
    pub names: &'a auditkit_host::Accounts,
    pub escape: EscapeMode,
}

impl<'a> Ctx<'a> {
    /// The context of a value interpreted on its own, outside any record:
    /// no machine, no syscall, a0/a1 0, no CWD or enrichment, no escaping
    /// (auparse's defaults).
    pub fn standalone(names: &'a auditkit_host::Accounts) -> Ctx<'a> {
        Ctx {
            machine: None,
            syscall: None,
            a0: 0,
            a1: 0,
            cwd: None,
            enriched: None,
            names,
            escape: EscapeMode::Raw,
        }
    }

    /// The machine as 3.0.9 sees it (`None` = -1).
    fn machine309(&self) -> Option<Machine> {
        self.machine.filter(|m| m.known_to_au309())
    }

    /// The syscall number as the C `int` auparse keeps.
    fn syscall_c(&self) -> i32 {
        self.syscall.map_or(-1, |n| n as i32)
    }

    /// 3.0.9 name of the record's syscall on its machine, as print_a0..a3
    /// look it up (no native fallback there).
    fn syscall_name(&self) -> Option<&'static str> {
        let nr = u32::try_from(self.syscall_c()).ok()?;
        crate::syscall_name_au309(self.machine309()?, nr)
    }
}

/// Cut at the first NUL, as a C string would be.
pub(crate) fn cstr(v: &[u8]) -> &[u8] {
    memchr::memchr(0, v).map_or(v, |i| &v[..i])
}

/// `interpretation_list` lookup: the first `NAME=value` of the enrichment
/// tail whose lower-cased name equals `name` (auparse's
/// `load_interpretation_list` + `nvlist_find_name`).
fn enriched_value<'a>(tail: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let tail = cstr(tail);
    if let Some(rest) = tail.strip_prefix(b"SADDR=") {
        // A SOCKADDR record's tail is one value that contains spaces.
        let open = rest.iter().position(|&c| c == b'{')?;
        rest[open..].iter().position(|&c| c == b'}')?;
        return (name == "saddr").then_some(&rest[open..]);
    }
    tail.split(|&c| c == b' ')
        .filter(|t| !t.is_empty())
        .filter_map(|t| {
            let eq = t.iter().position(|&c| c == b'=')?;
            Some((&t[..eq], &t[eq + 1..]))
        })
        .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()) && n.len() == name.len())
        .map(|(_, v)| v)
}

/// Append to `out` what auparse 3.0.9's `auparse_do_interpretation` returns
/// for field `name` with raw `value` (as logged, still quoted or hex) of
/// type `ft` (see [`crate::field_type`]).
pub fn interpret(ft: FieldType, name: &str, value: &[u8], ctx: &Ctx, out: &mut Vec<u8>) {
    let val = cstr(value);
    if let Some(stored) = ctx.enriched.and_then(|t| enriched_value(t, name)) {
        // auditd's own interpretation wins, unless it did not know the
        // value then ("unknown-..."); it is not escaped again.
        if !stored.starts_with(b"unknown-") {
            if matches!(ft, FieldType::Uid | FieldType::Gid) {
                out.extend_from_slice(cstr(&text::escaped(stored)));
            } else {
                out.extend_from_slice(stored);
            }
            return;
        }
    }
    let mut s = render(ft, val, ctx);
    let end = memchr::memchr(0, &s).unwrap_or(s.len());
    s.truncate(end);
    if ft == FieldType::EscapedKey && memchr::memchr(0x01, &s).is_some() {
        // Several keys joined by 0x01: the separator must stay as it is.
        for (i, key) in s.split(|&c| c == 0x01).enumerate() {
            if i > 0 {
                out.push(0x01);
            }
            text::escape_into(key, ctx.escape, out);
        }
    } else {
        text::escape_into(&s, ctx.escape, out);
    }
}

fn render(ft: FieldType, val: &[u8], ctx: &Ctx) -> Vec<u8> {
    use FieldType as T;
    match ft {
        T::Uid => ids::print_uid(val, 10, ctx.names),
        T::Gid => ids::print_gid(val, 10, ctx.names),
        T::Syscall => args::print_syscall(val, ctx),
        T::Arch => num::print_arch(val, ctx.machine309()),
        T::Exit => num::print_exit(val),
        T::Escaped | T::EscapedFile => text::escaped_ext(val, ctx.cwd),
        T::EscapedKey => text::escaped(val),
        T::Perm => num::print_perm(val),
        T::Mode => num::print_mode(val, 8),
        T::ModeShort => num::print_mode_short(val, 8),
        T::Sockaddr => sockaddr::print_sockaddr(val),
        T::Flags => num::print_flags(val),
        T::Promisc => num::print_promisc(val),
        T::Capability => num::print_capability(val, 10),
        T::Success => num::print_success(val),
        T::A0 => args::print_a0(val, ctx),
        T::A1 => args::print_a1(val, ctx),
        T::A2 => args::print_a2(val, ctx),
        T::A3 => args::print_a3(val, ctx),
        T::Signal => num::print_signal(val, 10),
        T::List => num::print_list(val),
        T::TtyData => text::tty_data(val),
        T::Session => num::print_session(val),
        T::CapBitmap => num::print_cap_bitmap(val),
        T::Nfproto => num::print_nfproto(val),
        T::Icmptype => num::print_icmptype(val),
        T::Protocol => num::print_protocol(val),
        T::Personality => num::print_personality(val),
        T::Seccomp => num::print_seccomp(val),
        T::Oflag => num::print_open_flags(val),
        T::Mmap => num::print_mmap(val),
        T::Proctitle => text::proctitle(val),
        T::Hook => num::print_hook(val),
        T::Netaction => num::print_netaction(val),
        T::Macproto => num::print_macproto(val),
        T::IoctlReq => num::print_ioctl_req(val),
        T::Fanotify => num::print_fanotify(val),
        T::Nlmcgrp => num::print_nlmcgrp(val),
        T::Resolve => num::print_resolve(val),
        T::Addr | T::MacLabel | T::Unclassified => val.to_vec(),
    }
}

/// `prefix` + raw `val` + `suffix`, for auparse's `"0x%s"`-style messages
/// that quote the value as logged.
pub(crate) fn wrap(prefix: &str, val: &[u8], suffix: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(prefix.len() + val.len() + suffix.len());
    v.extend_from_slice(prefix.as_bytes());
    v.extend_from_slice(val);
    v.extend_from_slice(suffix.as_bytes());
    v
}

/// auparse's `conversion error(%s)`.
pub(crate) fn conv_err(val: &[u8]) -> Vec<u8> {
    wrap("conversion error(", val, ")")
}

#[cfg(test)]
mod tests;
