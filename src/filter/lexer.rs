//! Tokeniser for the filter language.

use super::{CmpOp, FilterError};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tk {
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    Cmp(CmpOp),
    And,
    Or,
    Not,
    In,
    Matches,
    Word(String),
    Str(Vec<u8>),
    Eof,
    /// A lexical error; the parser reports it when it reaches it.
    Bad(String),
}

#[derive(Debug, Clone)]
pub(super) struct Tok {
    pub(super) tk: Tk,
    pub(super) pos: usize,
    pub(super) len: usize,
}

pub(super) fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/')
}

pub(super) fn keyword(w: &str) -> Option<Tk> {
    Some(match w {
        "and" => Tk::And,
        "or" => Tk::Or,
        "not" => Tk::Not,
        "eq" => Tk::Cmp(CmpOp::Eq),
        "ne" => Tk::Cmp(CmpOp::Ne),
        "lt" => Tk::Cmp(CmpOp::Lt),
        "le" => Tk::Cmp(CmpOp::Le),
        "gt" => Tk::Cmp(CmpOp::Gt),
        "ge" => Tk::Cmp(CmpOp::Ge),
        "contains" => Tk::Cmp(CmpOp::Contains),
        "matches" => Tk::Matches,
        "in" => Tk::In,
        _ => return None,
    })
}

/// Tokenise; stops at the first lexical error (a `Bad` token). Always ends
/// with `Eof`.
pub(super) fn lex(chars: &[char]) -> Vec<Tok> {
    let mut out = Vec::new();
    let n = chars.len();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        let (tk, len) = match c {
            '(' => (Tk::LParen, 1),
            ')' => (Tk::RParen, 1),
            '{' => (Tk::LBrace, 1),
            '}' => (Tk::RBrace, 1),
            ',' => (Tk::Comma, 1),
            '=' if next == Some('=') => (Tk::Cmp(CmpOp::Eq), 2),
            '=' => (
                Tk::Bad("'=' is not an operator; use '==' to compare".into()),
                1,
            ),
            '!' if next == Some('=') => (Tk::Cmp(CmpOp::Ne), 2),
            '!' => (Tk::Not, 1),
            '<' if next == Some('=') => (Tk::Cmp(CmpOp::Le), 2),
            '<' => (Tk::Cmp(CmpOp::Lt), 1),
            '>' if next == Some('=') => (Tk::Cmp(CmpOp::Ge), 2),
            '>' => (Tk::Cmp(CmpOp::Gt), 1),
            '&' if next == Some('&') => (Tk::And, 2),
            '&' => (Tk::Cmp(CmpOp::BitAnd), 1),
            '|' if next == Some('|') => (Tk::Or, 2),
            '|' => (
                Tk::Bad("'|' is not an operator; use '||' for logical or".into()),
                1,
            ),
            '"' => match lex_string(chars, i) {
                Ok((bytes, end)) => (Tk::Str(bytes), end - i),
                Err(e) => {
                    out.push(Tok {
                        tk: Tk::Bad(e.message),
                        pos: e.pos,
                        len: e.len,
                    });
                    break;
                }
            },
            c if is_word_char(c) => {
                let mut j = i;
                while chars.get(j).copied().is_some_and(is_word_char) {
                    j += 1;
                }
                let w: String = chars.get(i..j).unwrap_or_default().iter().collect();
                (keyword(&w).unwrap_or(Tk::Word(w)), j - i)
            }
            c => (
                Tk::Bad(format!("unexpected character '{}'", c.escape_debug())),
                1,
            ),
        };
        let bad = matches!(tk, Tk::Bad(_));
        out.push(Tok { tk, pos: i, len });
        if bad {
            break;
        }
        i += len;
    }
    out.push(Tok {
        tk: Tk::Eof,
        pos: n,
        len: 1,
    });
    out
}

/// Lex a quoted string starting at `chars[start] == '"'`; returns the decoded
/// bytes and the index after the closing quote.
pub(super) fn lex_string(chars: &[char], start: usize) -> Result<(Vec<u8>, usize), FilterError> {
    let unterminated = || {
        FilterError::new(
            start,
            chars.len() - start,
            "unterminated string (missing closing '\"')",
        )
    };
    let mut buf = Vec::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err(unterminated()),
            Some('"') => return Ok((buf, i + 1)),
            Some('\\') => {
                let b = match chars.get(i + 1) {
                    None => return Err(unterminated()),
                    Some('"') => b'"',
                    Some('\\') => b'\\',
                    Some('\'') => b'\'',
                    Some('n') => b'\n',
                    Some('t') => b'\t',
                    Some('r') => b'\r',
                    Some('0') => 0,
                    Some('x') => {
                        let h: Option<u8> = match (chars.get(i + 2), chars.get(i + 3)) {
                            (Some(a), Some(b)) => a
                                .to_digit(16)
                                .zip(b.to_digit(16))
                                .map(|(a, b)| (a * 16 + b) as u8),
                            _ => None,
                        };
                        match h {
                            Some(h) => {
                                buf.push(h);
                                i += 4;
                                continue;
                            }
                            None => {
                                let len = (chars.len() - i).min(4);
                                return Err(FilterError::new(
                                    i,
                                    len,
                                    "invalid escape: '\\x' needs two hex digits",
                                ));
                            }
                        }
                    }
                    Some(c) => {
                        return Err(FilterError::new(
                            i,
                            2,
                            format!("invalid escape '\\{}' in string", c.escape_debug()),
                        ));
                    }
                };
                buf.push(b);
                i += 2;
            }
            Some(c) => {
                let mut tmp = [0u8; 4];
                buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                i += 1;
            }
        }
    }
}
