//! The fixed columns of a summary line, built on the stack and appended in one copy.
//!
//! Written with `push_str` and `itoa`, the frame number, time, seq, pid and len took ~960
//! instructions a line (a 50 MB summary: 160M of 722M): a capacity check and a `memcpy`
//! call per piece. Here digits go straight into a buffer, padding is one fixed-size store,
//! and the buffer reaches the line with one copy.

use std::mem::MaybeUninit;

use crate::model::decimal::{digits, put_digits};

/// Bytes the buffer holds before it is appended to the line.
const CAP: usize = 128;
/// Room every write asks for beyond its text: padding is written as this many spaces at once.
const SLACK: usize = 16;

/// Columns being added to `out`, appended when dropped (or when the buffer fills).
pub(super) struct Columns<'o> {
    out: &'o mut String,
    /// Its first `n` bytes are written (nothing is read beyond).
    buf: [MaybeUninit<u8>; CAP],
    n: usize,
}

impl<'o> Columns<'o> {
    pub(super) fn new(out: &'o mut String) -> Self {
        Columns {
            out,
            buf: [MaybeUninit::uninit(); CAP],
            n: 0,
        }
    }

    /// Make room for `k` bytes and the padding slack, appending what is built if needed.
    #[inline(always)]
    fn room(&mut self, k: usize) -> bool {
        if self.n + k + SLACK > CAP {
            self.flush();
        }
        k + SLACK <= CAP
    }

    fn flush(&mut self) {
        let built = self.buf.get(..self.n).unwrap_or_default();
        // SAFETY: the first `n` bytes are written, and they are ASCII (digits, spaces,
        // punctuation) and whole `&str`s.
        self.out
            .push_str(unsafe { std::str::from_utf8_unchecked(built.assume_init_ref()) });
        self.n = 0;
    }

    /// `pad` spaces (at most [`SLACK`]; the caller made room).
    #[inline(always)]
    fn spaces(&mut self, pad: usize) {
        if let Some(s) = self.buf.get_mut(self.n..self.n + SLACK) {
            s.write_copy_of_slice(&[b' '; SLACK]);
            self.n += pad.min(SLACK);
        }
    }

    /// One ASCII byte.
    #[inline(always)]
    pub(super) fn byte(&mut self, b: u8) {
        // Only ASCII keeps the text UTF-8 (the check folds away for a constant).
        if b.is_ascii()
            && self.room(1)
            && let Some(slot) = self.buf.get_mut(self.n)
        {
            slot.write(b);
            self.n += 1;
        }
    }

    /// `s` as it is.
    #[inline(always)]
    pub(super) fn text(&mut self, s: &str) {
        if self.room(s.len())
            && let Some(d) = self.buf.get_mut(self.n..self.n + s.len())
        {
            d.write_copy_of_slice(s.as_bytes());
            self.n += s.len();
        } else {
            self.flush();
            self.out.push_str(s);
        }
    }

    /// `s` right-aligned in `width` (ASCII: bytes are characters).
    #[inline(always)]
    pub(super) fn text_right(&mut self, s: &str, width: usize) {
        let pad = width.saturating_sub(s.len());
        if pad <= SLACK && self.room(pad) {
            self.spaces(pad);
        } else {
            self.flush();
            (0..pad).for_each(|_| self.out.push(' '));
        }
        self.text(s);
    }

    /// `v` in decimal, right-aligned in `width` (at most [`SLACK`] + its digits).
    #[inline(always)]
    pub(super) fn uint(&mut self, v: u64, width: usize) {
        let d = digits(v);
        let pad = width.saturating_sub(d).min(SLACK);
        if !self.room(pad + d) {
            return;
        }
        self.spaces(pad);
        put_digits(&mut self.buf, self.n + d, v);
        self.n += d;
    }

    /// `v` as exactly `d` digits (zero-padded; `v` < 10^d).
    #[inline(always)]
    fn fixed(&mut self, v: u64, d: usize) {
        if self.room(d) {
            put_digits(&mut self.buf, self.n + d, v);
            let start = (self.n + d).saturating_sub(digits(v));
            if let Some(z) = self.buf.get_mut(self.n..start) {
                z.fill(MaybeUninit::new(b'0'));
            }
            self.n += d;
        }
    }

    /// `seconds.micros` of a nanosecond interval right-aligned in `width`, without floating
    /// point.
    pub(super) fn rel_time(&mut self, ns: i128, width: usize) {
        let abs = ns.unsigned_abs();
        let Ok(a) = u64::try_from(abs) else {
            // Beyond 584 years: library u128 arithmetic, once in a lifetime.
            let (secs, frac) = (abs / 1_000_000_000, abs / 1000 % 1_000_000);
            let sign = if ns < 0 { "-" } else { "" };
            let t = format!("{sign}{secs}.{frac:06}");
            return self.text_right(&t, width);
        };
        let secs = a / 1_000_000_000;
        let len = digits(secs) + 7 + usize::from(ns < 0);
        let pad = width.saturating_sub(len).min(SLACK);
        if self.room(pad + len) {
            self.spaces(pad);
        }
        if ns < 0 {
            self.byte(b'-');
        }
        self.uint(secs, 0);
        self.byte(b'.');
        self.fixed(a / 1000 % 1_000_000, 6);
    }
}

impl Drop for Columns<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(f: impl FnOnce(&mut Columns)) -> String {
        let mut s = String::from("x");
        f(&mut Columns::new(&mut s));
        s
    }

    #[test]
    fn numbers_and_padding_match_format() {
        for v in [0u64, 7, 9, 10, 99, 100, 12345, 999_999, 1_000_000, u64::MAX] {
            assert_eq!(built(|c| c.uint(v, 6)), format!("x{v:>6}"));
            assert_eq!(built(|c| c.uint(v, 0)), format!("x{v}"));
        }
        for v in [0u64, 5, 42, 123_456] {
            assert_eq!(built(|c| c.fixed(v, 6)), format!("x{v:06}"));
        }
        assert_eq!(
            built(|c| c.text_right("abc", 12)),
            format!("x{:>12}", "abc")
        );
        assert_eq!(
            built(|c| c.text_right(&"y".repeat(40), 60)),
            format!("x{:>60}", "y".repeat(40))
        );
    }

    #[test]
    fn a_full_buffer_is_appended_and_goes_on() {
        let s = built(|c| {
            for v in 0..200u64 {
                c.uint(v, 4);
                c.byte(b';');
            }
        });
        let want: String = (0..200u64).map(|v| format!("{v:>4};")).collect();
        assert_eq!(s, format!("x{want}"));
    }
}
