//! A small Rust tokenizer: enough to find paths, `mod` and `use` items, and attributes.
//!
//! Comments are dropped and literals collapse to placeholders, so nothing inside a string, a
//! character literal or a comment is ever read as code (a `{` in a string does not open a block,
//! a `crate::x` in a doc comment is not a dependency).

/// One token and the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// The token text: an identifier or keyword (raw identifiers without `r#`), `::`, a single
    /// punctuation character, a lifetime, or a literal placeholder (`""`, `''`, `0`).
    pub(crate) text: String,
    /// The line the token starts on.
    pub(crate) line: usize,
}

/// Split `src` into tokens.
pub(crate) fn tokenize(src: &str) -> Vec<Token> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start_line = line;
        let at = |k: usize| chars.get(k).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == Some('*') {
            i = skip_block_comment(&chars, i, &mut line);
        } else if c == '"' {
            i = skip_quoted(&chars, i, '"', &mut line);
            out.push(token("\"\"", start_line));
        } else if c == '\'' {
            if at(i + 1) == Some('\\') || (at(i + 2) == Some('\'') && at(i + 1) != Some('\'')) {
                i = skip_quoted(&chars, i, '\'', &mut line);
                out.push(token("''", start_line));
            } else {
                // A lifetime or label: `'a`.
                let end = ident_end(&chars, i + 1);
                out.push(token(&chars[i..end].iter().collect::<String>(), start_line));
                i = end.max(i + 1);
            }
        } else if c.is_ascii_digit() {
            i += 1;
            while i < chars.len()
                && (chars[i].is_alphanumeric()
                    || chars[i] == '_'
                    || (chars[i] == '.' && at(i + 1).is_some_and(|d| d.is_ascii_digit())))
            {
                i += 1;
            }
            out.push(token("0", start_line));
        } else if is_ident_start(c) {
            let end = ident_end(&chars, i);
            let word: String = chars[i..end].iter().collect();
            if let Some(after) = literal_prefix_end(&chars, &word, end) {
                i = after(&chars, end, &mut line);
                out.push(token("\"\"", start_line));
            } else if word == "r" && at(end) == Some('#') && at(end + 1).is_some_and(is_ident_start)
            {
                let raw_end = ident_end(&chars, end + 1);
                out.push(token(
                    &chars[end + 1..raw_end].iter().collect::<String>(),
                    start_line,
                ));
                i = raw_end;
            } else {
                out.push(token(&word, start_line));
                i = end;
            }
        } else if c == ':' && at(i + 1) == Some(':') {
            out.push(token("::", start_line));
            i += 2;
        } else {
            out.push(token(&c.to_string(), start_line));
            i += 1;
        }
    }
    out
}

type SkipLiteral = fn(&[char], usize, &mut usize) -> usize;

/// If `word` (ending at `end`) is a literal prefix (`b"…"`, `r#"…"#`, `b'…'`, `c"…"`), the
/// function that skips the literal starting at `end`.
fn literal_prefix_end(chars: &[char], word: &str, end: usize) -> Option<SkipLiteral> {
    let next = chars.get(end).copied();
    match (word, next) {
        ("b" | "c", Some('"')) => Some(|chars, i, line| skip_quoted(chars, i, '"', line)),
        ("b", Some('\'')) => Some(|chars, i, line| skip_quoted(chars, i, '\'', line)),
        ("r" | "br" | "cr", Some('"')) => Some(skip_raw),
        ("r" | "br" | "cr", Some('#')) => {
            let hashes = chars[end..].iter().take_while(|&&c| c == '#').count();
            (chars.get(end + hashes) == Some(&'"')).then_some(skip_raw as SkipLiteral)
        }
        _ => None,
    }
}

fn token(text: &str, line: usize) -> Token {
    Token {
        text: text.to_owned(),
        line,
    }
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn ident_end(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && (chars[i] == '_' || chars[i].is_alphanumeric()) {
        i += 1;
    }
    i
}

/// Skip a (possibly nested) block comment starting at `i`; returns the index after it.
fn skip_block_comment(chars: &[char], mut i: usize, line: &mut usize) -> usize {
    let mut depth = 0usize;
    while i < chars.len() {
        if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            if chars[i] == '\n' {
                *line += 1;
            }
            i += 1;
        }
    }
    i
}

/// Skip a quoted literal whose opening `quote` is at `i`, honouring backslash escapes.
fn skip_quoted(chars: &[char], mut i: usize, quote: char, line: &mut usize) -> usize {
    i += 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            c if c == quote => return i + 1,
            c => {
                if c == '\n' {
                    *line += 1;
                }
                i += 1;
            }
        }
    }
    i
}

/// Skip a raw string whose `#`s (possibly none) and opening quote start at `i`.
fn skip_raw(chars: &[char], mut i: usize, line: &mut usize) -> usize {
    let hashes = chars[i..].iter().take_while(|&&c| c == '#').count();
    i += hashes + 1;
    while i < chars.len() {
        if chars[i] == '"'
            && chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        if chars[i] == '\n' {
            *line += 1;
        }
        i += 1;
    }
    i
}
