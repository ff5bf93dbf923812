//! Recursive-descent parser producing the filter's node tree.

use super::fields::{canonical_field_name, suggest_field};
use super::lexer::{Tk, Tok};
use super::literals::{Literal, is_flag_name};
use super::{CmpOp, FieldCatalog, Filter, FilterError, MAX_DEPTH, Node};

pub(super) struct Parser<'a> {
    pub(super) src: &'a [char],
    pub(super) toks: Vec<Tok>,
    pub(super) i: usize,
    pub(super) depth: usize,
    pub(super) catalog: &'a dyn FieldCatalog,
    pub(super) fields: Vec<Box<str>>,
}

pub(super) fn valid_field_syntax(w: &str) -> bool {
    w.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        && w.split('.')
            .all(|seg| !seg.is_empty() && !seg.starts_with('-') && !seg.ends_with('-'))
}

impl Parser<'_> {
    pub(super) fn peek(&self) -> Result<Tok, FilterError> {
        // The lexer always ends the stream with Eof, so `last()` is there.
        let Some(t) = self.toks.get(self.i).or(self.toks.last()) else {
            return Err(FilterError::new(0, 0, "empty token stream"));
        };
        match &t.tk {
            Tk::Bad(m) => Err(FilterError::new(t.pos, t.len, m.clone())),
            _ => Ok(t.clone()),
        }
    }

    pub(super) fn bump(&mut self) {
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
    }

    pub(super) fn text(&self, t: &Tok) -> String {
        let end = (t.pos + t.len).min(self.src.len());
        let start = t.pos.min(end);
        let s = self.src.get(start..end).unwrap_or_default();
        if s.len() > 40 {
            let mut out: String = s.iter().take(37).collect();
            out.push_str("...");
            out
        } else {
            s.iter().collect()
        }
    }

    pub(super) fn describe(&self, t: &Tok) -> String {
        match t.tk {
            Tk::Eof => "end of filter".into(),
            Tk::Str(_) => format!("string {}", self.text(t)),
            _ => format!("'{}'", self.text(t)),
        }
    }

    pub(super) fn err(&self, t: &Tok, msg: impl Into<String>) -> FilterError {
        FilterError::new(t.pos, t.len, msg)
    }

    pub(super) fn enter(&mut self, t: &Tok) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(
                t,
                format!("nesting too deep (more than {MAX_DEPTH} levels of '(' and '!')"),
            ));
        }
        Ok(())
    }

    pub(super) fn parse_or(&mut self) -> Result<Node, FilterError> {
        let mut items = Vec::new();
        loop {
            match self.parse_and()? {
                Node::Or(v) => items.extend(v),
                n => items.push(n),
            }
            if self.peek()?.tk != Tk::Or {
                break;
            }
            self.bump();
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            Node::Or(items)
        })
    }

    pub(super) fn parse_and(&mut self) -> Result<Node, FilterError> {
        let mut items = Vec::new();
        loop {
            match self.parse_unary()? {
                Node::And(v) => items.extend(v),
                n => items.push(n),
            }
            if self.peek()?.tk != Tk::And {
                break;
            }
            self.bump();
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            Node::And(items)
        })
    }

    pub(super) fn parse_unary(&mut self) -> Result<Node, FilterError> {
        let t = self.peek()?;
        if t.tk != Tk::Not {
            return self.parse_primary();
        }
        self.enter(&t)?;
        self.bump();
        let inner = self.parse_unary()?;
        self.depth -= 1;
        Ok(match inner {
            Node::Not(x) => *x,
            other => Node::Not(Box::new(other)),
        })
    }

    pub(super) fn parse_primary(&mut self) -> Result<Node, FilterError> {
        let t = self.peek()?;
        match &t.tk {
            Tk::LParen => {
                self.enter(&t)?;
                self.bump();
                let e = self.parse_or()?;
                let c = self.peek()?;
                match c.tk {
                    Tk::RParen => self.bump(),
                    Tk::Eof => return Err(self.err(&t, "unclosed '(' (missing ')')")),
                    _ => {
                        return Err(self.err(
                            &c,
                            format!("expected ')' or an operator, found {}", self.describe(&c)),
                        ));
                    }
                }
                self.depth -= 1;
                Ok(e)
            }
            Tk::Word(w) => self.parse_field_test(&t, w),
            _ => {
                let after = match self.i.checked_sub(1).and_then(|j| self.toks.get(j)) {
                    Some(p) => format!(" after '{}'", self.text(p)),
                    None => String::new(),
                };
                Err(self.err(
                    &t,
                    format!(
                        "expected a field, '!' or '('{after}, found {}",
                        self.describe(&t)
                    ),
                ))
            }
        }
    }

    pub(super) fn parse_field_test(&mut self, t: &Tok, w: &str) -> Result<Node, FilterError> {
        if !valid_field_syntax(w) {
            return Err(self.err(
                t,
                format!("expected a field name, found '{}'", self.text(t)),
            ));
        }
        let canon = canonical_field_name(w);
        if !Filter::HEADER_FIELDS.contains(&canon) && !self.catalog.is_known(canon) {
            let hint = self
                .catalog
                .suggest(canon)
                .or_else(|| {
                    suggest_field(canon, Filter::HEADER_FIELDS.iter().copied()).map(String::from)
                })
                .map(|s| format!("; did you mean '{s}'?"))
                .unwrap_or_default();
            return Err(self.err(t, format!("unknown field '{w}'{hint}")));
        }
        let field = match self.fields.iter().position(|f| **f == *canon) {
            Some(i) => i,
            None => {
                self.fields.push(canon.into());
                self.fields.len() - 1
            }
        };
        self.bump();
        let op_t = self.peek()?;
        match op_t.tk {
            Tk::Cmp(op) => {
                self.bump();
                let val_t = self.peek()?;
                let lit = self.parse_value(&op_t)?;
                if op == CmpOp::BitAnd
                    && lit.mask.is_none()
                    && !lit.text.as_deref().is_some_and(is_flag_name)
                {
                    return Err(self.err(
                        &val_t,
                        format!(
                            "bitwise '&' needs a number or a flag name, found {}",
                            self.describe(&val_t)
                        ),
                    ));
                }
                Ok(Node::Cmp {
                    field,
                    op,
                    lit: Box::new(lit),
                })
            }
            Tk::In => {
                self.bump();
                self.parse_set(field)
            }
            Tk::Matches => Err(self.err(
                &op_t,
                "'matches' (regular expressions) is not supported; use 'contains'",
            )),
            Tk::Word(_) | Tk::Str(_) => Err(self.err(
                &op_t,
                format!(
                    "expected an operator after '{w}', found {}",
                    self.describe(&op_t)
                ),
            )),
            _ => Ok(Node::Exists(field)),
        }
    }

    pub(super) fn parse_value(&mut self, op_t: &Tok) -> Result<Literal, FilterError> {
        let t = self.peek()?;
        let lit = match &t.tk {
            Tk::Word(w) => Literal::bare(w),
            Tk::Str(b) => Literal::quoted(b),
            _ => {
                return Err(self.err(
                    &t,
                    format!(
                        "expected a value after '{}', found {}",
                        self.text(op_t),
                        self.describe(&t)
                    ),
                ));
            }
        };
        self.bump();
        Ok(lit)
    }

    pub(super) fn parse_set(&mut self, field: usize) -> Result<Node, FilterError> {
        let open = self.peek()?;
        if open.tk != Tk::LBrace {
            return Err(self.err(
                &open,
                format!("expected '{{' after 'in', found {}", self.describe(&open)),
            ));
        }
        self.bump();
        let mut set = Vec::new();
        loop {
            let t = self.peek()?;
            match &t.tk {
                Tk::RBrace => {
                    if set.is_empty() {
                        return Err(self.err(&t, "empty set: expected a value before '}'"));
                    }
                    self.bump();
                    return Ok(Node::In { field, set });
                }
                Tk::Comma => self.bump(),
                Tk::Word(w) => {
                    set.push(Literal::bare(w));
                    self.bump();
                }
                Tk::Str(b) => {
                    set.push(Literal::quoted(b));
                    self.bump();
                }
                Tk::Eof => return Err(self.err(&open, "unclosed '{' (missing '}')")),
                _ => {
                    return Err(self.err(
                        &t,
                        format!(
                            "expected a value or '}}' in set, found {}",
                            self.describe(&t)
                        ),
                    ));
                }
            }
        }
    }
}
