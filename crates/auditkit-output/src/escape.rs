//! ausearch's output escaping (`--escape raw|tty|shell|shell_quote`,
//! `src/ausearch-lookup.c`): control characters become `\ooo` octal, and
//! the shell modes also backslash-escape their special characters.
//!
//! One quirk is kept on purpose: the shell modes test `char < 32` on a
//! *signed* char, so bytes >= 0x80 are escaped as octal there, but not in
//! tty mode.

/// Escape mode, as `--escape` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Escape {
    /// Nothing is escaped.
    Raw,
    /// Control characters only (the default).
    #[default]
    Tty,
    /// Control characters and `"'`$\!()| ` and space.
    Shell,
    /// As shell, plus `;#&*?[]<>{}`.
    ShellQuote,
}

impl Escape {
    /// Parse the `--escape` argument.
    pub fn from_name(s: &str) -> Option<Escape> {
        Some(match s {
            "raw" => Escape::Raw,
            "tty" => Escape::Tty,
            "shell" => Escape::Shell,
            "shell_quote" => Escape::ShellQuote,
            _ => return None,
        })
    }

    fn special(self) -> &'static [u8] {
        match self {
            Escape::Raw | Escape::Tty => b"",
            Escape::Shell => b"\"'`$\\!()| ",
            Escape::ShellQuote => b"\"'`$\\!()| ;#&*?[]<>{}",
        }
    }

    fn is_ctl(self, b: u8) -> bool {
        match self {
            Escape::Raw => false,
            Escape::Tty => b < 32,
            // signed char < 32: includes 0x80..=0xff
            Escape::Shell | Escape::ShellQuote => !(32..0x80).contains(&b),
        }
    }
}

/// Append `s` escaped per `mode`.
pub fn escape_into(out: &mut Vec<u8>, s: &[u8], mode: Escape) {
    if mode == Escape::Raw
        || !s
            .iter()
            .any(|&b| mode.is_ctl(b) || mode.special().contains(&b))
    {
        out.extend_from_slice(s);
        return;
    }
    for &b in s {
        if mode.is_ctl(b) {
            out.extend_from_slice(&[
                b'\\',
                b'0' + ((b >> 6) & 7),
                b'0' + ((b >> 3) & 7),
                b'0' + (b & 7),
            ]);
        } else if mode.special().contains(&b) {
            out.push(b'\\');
            out.push(b);
        } else {
            out.push(b);
        }
    }
}

impl From<Escape> for auditkit_interp::EscapeMode {
    fn from(e: Escape) -> Self {
        match e {
            Escape::Raw => auditkit_interp::EscapeMode::Raw,
            Escape::Tty => auditkit_interp::EscapeMode::Tty,
            Escape::Shell => auditkit_interp::EscapeMode::Shell,
            Escape::ShellQuote => auditkit_interp::EscapeMode::ShellQuote,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &[u8], m: Escape) -> Vec<u8> {
        let mut v = Vec::new();
        escape_into(&mut v, s, m);
        v
    }

    #[test]
    fn modes() {
        assert_eq!(e(b"a\rb", Escape::Tty), b"a\\015b");
        assert_eq!(e(b"a b\xc3", Escape::Tty), b"a b\xc3");
        assert_eq!(e(b"a b\xc3", Escape::Shell), b"a\\ b\\303");
        assert_eq!(e(b"a;b", Escape::Shell), b"a;b");
        assert_eq!(e(b"a;b", Escape::ShellQuote), b"a\\;b");
        assert_eq!(e(b"a\rb", Escape::Raw), b"a\rb");
    }
}
