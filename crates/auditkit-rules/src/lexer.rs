//! Splitting one rules-file line into words, exactly as auditctl 3.0.9 does.
//!
//! auditctl (`src/auditctl.c: fileopt`, `common/strsplit.c`) splits a line on
//! single ASCII spaces only: tabs and `\r` stay inside words. Before
//! splitting, `\ ` becomes a space that does not split and `\\` becomes one
//! backslash; any other backslash is kept as it is. A line whose first word
//! starts with `#` is a comment; a line made only of spaces is blank. Comments
//! after a rule are *not* stripped: `# x` at the end of a rule is two more
//! words, which auditctl rejects.

/// One word of a line with the 1-based byte column where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word after escape processing.
    pub text: String,
    /// 1-based byte column of the word's first byte in the raw line.
    pub col: u32,
    /// Length in bytes of the word in the raw line (escapes included).
    pub raw_len: u32,
}

/// What kind of line this is before option parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lexed {
    /// Empty or only spaces.
    Blank,
    /// First word starts with `#`.
    Comment,
    /// Words to be parsed as auditctl options.
    Words(Vec<Word>),
}

/// Split a line (without its trailing `\n`) into words.
pub fn lex_line(line: &str) -> Lexed {
    let bytes = line.as_bytes();
    if bytes.iter().all(|&b| b == b' ') {
        return Lexed::Blank;
    }
    let mut words = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' {
            i += 1;
            continue;
        }
        let start = i;
        let mut text: Vec<u8> = Vec::new();
        while i < bytes.len() && bytes[i] != b' ' {
            if bytes[i] == b'\\'
                && i + 1 < bytes.len()
                && (bytes[i + 1] == b' ' || bytes[i + 1] == b'\\')
            {
                text.push(bytes[i + 1]);
                i += 2;
            } else {
                text.push(bytes[i]);
                i += 1;
            }
        }
        words.push(Word {
            // Only ASCII bytes were removed, so the rest is still UTF-8.
            text: String::from_utf8_lossy(&text).into_owned(),
            col: start as u32 + 1,
            raw_len: (i - start) as u32,
        });
    }
    match words.first() {
        Some(w) if w.text.starts_with('#') => Lexed::Comment,
        _ => Lexed::Words(words),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        match lex_line(line) {
            Lexed::Words(w) => w.into_iter().map(|w| w.text).collect(),
            other => panic!("not words: {other:?}"),
        }
    }

    #[test]
    fn blank_and_comment() {
        assert_eq!(lex_line(""), Lexed::Blank);
        assert_eq!(lex_line("    "), Lexed::Blank);
        assert_eq!(lex_line("   # x"), Lexed::Comment);
        assert_eq!(lex_line("#-w /x"), Lexed::Comment);
        // A tab is not a separator: this is one word, not a comment.
        assert_eq!(texts("\t# x"), vec!["\t#", "x"]);
    }

    #[test]
    fn spaces_and_escapes() {
        assert_eq!(texts("-w  /a\\ b -k x"), vec!["-w", "/a b", "-k", "x"]);
        assert_eq!(texts("-w /a\\\\b"), vec!["-w", "/a\\b"]);
        assert_eq!(texts("-w /a\\b"), vec!["-w", "/a\\b"]);
        assert_eq!(texts("-e 1\r"), vec!["-e", "1\r"]);
        match lex_line("  -w /x") {
            Lexed::Words(w) => assert_eq!((w[0].col, w[1].col), (3, 6)),
            _ => unreachable!(),
        }
    }
}
