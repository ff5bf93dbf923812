//! Decimal digits written straight into a buffer being filled (summary columns, tree lines):
//! no intermediate text, no copy of unknown length.

use std::mem::MaybeUninit;

/// Every two-digit pair, "00" to "99" (also `model::sink`'s two-at-a-time digits).
pub(crate) const PAIRS: &str = "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849\
                     5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

const POW10: [u64; 20] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
    10_000_000_000_000_000,
    100_000_000_000_000_000,
    1_000_000_000_000_000_000,
    10_000_000_000_000_000_000,
];

/// Decimal digits of `v`: from its bit length, corrected by one compare (`ilog10` took ~20
/// instructions).
#[inline(always)]
pub(crate) fn digits(v: u64) -> usize {
    // 0 has the digits of 1 (and an even number those of the odd one after it).
    let v = v | 1;
    let bits = 64 - v.leading_zeros() as usize;
    // floor(bits * log10(2)), which is floor(log10(v)) or one more.
    let t = (bits * 1233) >> 12;
    t + 1 - usize::from(POW10.get(t).is_some_and(|&p| v < p))
}

/// `v`'s [`digits`] written to end just before `end` in `buf` (which the caller sized: any
/// digit that would fall outside is left out).
#[inline(always)]
pub(crate) fn put_digits(buf: &mut [MaybeUninit<u8>], mut end: usize, mut v: u64) {
    let mut pair = |end: usize, p: usize| {
        if let Some(d) = end.checked_sub(2).and_then(|s| buf.get_mut(s..end))
            && let Some(s) = PAIRS.as_bytes().get(p * 2..p * 2 + 2)
        {
            d.write_copy_of_slice(s);
        }
    };
    while v >= 100 {
        pair(end, (v % 100) as usize);
        v /= 100;
        end = end.saturating_sub(2);
    }
    if v >= 10 {
        pair(end, v as usize);
    } else if let Some(d) = end.checked_sub(1).and_then(|i| buf.get_mut(i)) {
        d.write(b'0' + v as u8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_counts_every_power_of_ten() {
        for d in 1..20u32 {
            let p = 10u64.pow(d);
            assert_eq!(digits(p - 1), d as usize);
            assert_eq!(digits(p), d as usize + 1);
        }
        assert_eq!(digits(0), 1);
        assert_eq!(digits(u64::MAX), 20);
    }

    #[test]
    fn digits_are_written_where_they_end() {
        for v in [0u64, 7, 10, 99, 100, 101, 4096, 65_535, 1 << 40, u64::MAX] {
            let n = digits(v);
            let mut b = [MaybeUninit::new(b'#'); 24];
            put_digits(&mut b, n + 1, v);
            let got: Vec<u8> = b
                .iter()
                .take(n + 2)
                // SAFETY: every byte was initialised ('#', then digits).
                .map(|m| unsafe { m.assume_init() })
                .collect();
            assert_eq!(got, format!("#{v}#").into_bytes());
        }
    }
}
