//! The timeline's counts: messages per time bucket by family class, in a [`Histogram`] whose
//! bucket width doubles as the capture's span grows (at most [`MAX_BUCKETS`] buckets), and the
//! bar width to draw a span with ([`super::timeline`] feeds and draws them).

use egui::Color32;

/// Number of family classes the bars are stacked by.
pub const CLASSES: usize = 8;

/// Names of the family classes, in stacking order (bottom first).
pub const CLASS_NAMES: [&str; CLASSES] = [
    "route",
    "generic",
    "netfilter",
    "xfrm",
    "uevent",
    "audit",
    "sock_diag",
    "other",
];

const PALETTE: [(u8, u8, u8); CLASSES] = [
    (0x4c, 0x8b, 0xf5),
    (0x9b, 0x59, 0xb6),
    (0x2e, 0xcc, 0x71),
    (0xf1, 0xc4, 0x0f),
    (0xe6, 0x7e, 0x22),
    (0x1a, 0xbc, 0x9c),
    (0xe8, 0x43, 0x93),
    (0x95, 0xa5, 0xa6),
];

/// The colour class of a netlink protocol number (also the packet list's row tint).
pub fn family_class(protocol: u32) -> usize {
    match protocol {
        0 => 0,  // route
        16 => 1, // generic
        12 => 2, // netfilter
        6 => 3,  // xfrm
        15 => 4, // uevent
        9 => 5,  // audit
        4 => 6,  // sock_diag
        _ => 7,
    }
}

/// The colour of a family class with the given alpha.
pub fn class_color(class: usize, alpha: u8) -> Color32 {
    let (r, g, b) = PALETTE.get(class).copied().unwrap_or((0x80, 0x80, 0x80));
    Color32::from_rgba_unmultiplied(r, g, b, alpha)
}

/// Width of the finest bucket, in ns.
pub const MIN_WIDTH_NS: i128 = 1_000;
/// Most buckets a [`Histogram`] keeps; past that its bucket width doubles.
pub const MAX_BUCKETS: usize = 32_768;

/// Counts of one time bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bucket {
    /// Messages per family class.
    pub by_class: [u32; CLASSES],
    /// Messages marked as errors (error acks, frame problems).
    pub errors: u32,
}

impl Bucket {
    /// All messages of the bucket.
    pub fn total(&self) -> u64 {
        self.by_class.iter().map(|&c| u64::from(c)).sum()
    }

    fn merge(&mut self, o: &Bucket) {
        for (a, b) in self.by_class.iter_mut().zip(o.by_class) {
            *a = a.saturating_add(b);
        }
        self.errors = self.errors.saturating_add(o.errors);
    }
}

/// Message counts over time, relative to an origin (the first frame): at most
/// [`MAX_BUCKETS`] buckets of [`MIN_WIDTH_NS`] times a power of two. Bucket `g` (global index)
/// covers `[g * width, (g + 1) * width)` ns, so histograms of different widths regroup onto a
/// common grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
    width: i128,
    first: i128,
    buckets: Vec<Bucket>,
    total: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            width: MIN_WIDTH_NS,
            first: 0,
            buckets: Vec::new(),
            total: 0,
        }
    }
}

impl Histogram {
    /// Count one message at `rel_ns` (ns since the origin; may be negative).
    pub fn add(&mut self, rel_ns: i128, class: usize, error: bool) {
        loop {
            let k = rel_ns.div_euclid(self.width);
            if self.buckets.is_empty() {
                self.first = k;
                self.buckets.push(Bucket::default());
            }
            let last = self.first + self.buckets.len() as i128 - 1;
            let (lo, hi) = (self.first.min(k), last.max(k));
            if hi - lo < MAX_BUCKETS as i128 {
                if k < self.first {
                    let n = usize::try_from(self.first - k).unwrap_or(0);
                    self.buckets
                        .splice(0..0, std::iter::repeat_n(Bucket::default(), n));
                    self.first = k;
                } else if k > last {
                    let n = usize::try_from(k - self.first + 1).unwrap_or(0);
                    self.buckets.resize(n, Bucket::default());
                }
                let at = usize::try_from(k - self.first).unwrap_or(usize::MAX);
                if let Some(b) = self.buckets.get_mut(at) {
                    let c = b.by_class.get_mut(class.min(CLASSES - 1));
                    if let Some(c) = c {
                        *c = c.saturating_add(1);
                    }
                    if error {
                        b.errors = b.errors.saturating_add(1);
                    }
                    self.total += 1;
                }
                return;
            }
            if !self.double() {
                return;
            }
        }
    }

    /// Double the bucket width, merging neighbours. False when the width cannot grow.
    fn double(&mut self) -> bool {
        let Some(w) = self.width.checked_mul(2) else {
            return false;
        };
        let (first, buckets) = self.regroup(2);
        self.width = w;
        self.first = first;
        self.buckets = buckets;
        true
    }

    /// Buckets grouped `f` at a time on the global grid: (global index of the first, buckets).
    fn regroup(&self, f: i128) -> (i128, Vec<Bucket>) {
        regroup(self.first, &self.buckets, f)
    }

    /// The counts in buckets of `width` ns over the groups that cover `[lo, hi)` ns only (a
    /// zoomed view regroups the buckets it shows, not the whole capture's).
    pub fn rebinned_in(&self, width: i128, (lo, hi): (i128, i128)) -> (i128, Vec<Bucket>) {
        let f = width.div_euclid(self.width).max(1);
        // Whole groups: from the start of the group holding `lo` to the end of the one holding
        // `hi`, as this histogram's bucket indices within `buckets`.
        let k_lo = lo.div_euclid(self.width).div_euclid(f).saturating_mul(f);
        let k_hi = (hi.div_euclid(self.width).div_euclid(f))
            .saturating_add(1)
            .saturating_mul(f);
        let len = self.buckets.len() as i128;
        let a = (k_lo.saturating_sub(self.first)).clamp(0, len);
        let b = (k_hi.saturating_sub(self.first)).clamp(a, len);
        let slice = usize::try_from(a)
            .ok()
            .zip(usize::try_from(b).ok())
            .and_then(|(a, b)| self.buckets.get(a..b))
            .unwrap_or(&[]);
        regroup(self.first + a, slice, f)
    }

    /// The counts in buckets of `width` ns (rounded up to a multiple of this histogram's
    /// width): the global index of the first bucket, and the buckets.
    pub fn rebinned(&self, width: i128) -> (i128, Vec<Bucket>) {
        self.regroup(width.div_euclid(self.width))
    }

    /// Bucket width in ns.
    pub fn width(&self) -> i128 {
        self.width
    }

    /// Messages counted.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The covered time, `[start, end)` ns since the origin; `None` when empty.
    pub fn range(&self) -> Option<(i128, i128)> {
        if self.buckets.is_empty() {
            return None;
        }
        let end = self.first + self.buckets.len() as i128;
        Some((self.first * self.width, end * self.width))
    }
}

/// `buckets` (the first at global index `first`) grouped `f` at a time on the global grid:
/// (global index of the first group, groups).
fn regroup(first: i128, buckets: &[Bucket], f: i128) -> (i128, Vec<Bucket>) {
    let f = f.max(1);
    let g0 = first.div_euclid(f);
    let mut out: Vec<Bucket> = Vec::with_capacity(buckets.len() / 2 + 1);
    for (i, b) in buckets.iter().enumerate() {
        let g = (first + i as i128).div_euclid(f);
        let j = usize::try_from(g - g0).unwrap_or(0);
        if out.len() <= j {
            out.resize(j + 1, Bucket::default());
        }
        if let Some(o) = out.get_mut(j) {
            o.merge(b);
        }
    }
    (g0, out)
}

/// The bucket width to draw with: at most `max_bars` buckets over the time `all` covers, and
/// no finer than either histogram.
pub fn display_width(all: &Histogram, shown: &Histogram, max_bars: usize) -> i128 {
    let Some((start, end)) = all.range() else {
        return all.width().max(shown.width());
    };
    width_over(all, shown, (start, end), max_bars)
}

/// The bucket width for at most `max_bars` buckets over `[start, end)` ns (a zoomed view), no
/// finer than either histogram.
pub fn width_over(
    all: &Histogram,
    shown: &Histogram,
    (start, end): (i128, i128),
    max_bars: usize,
) -> i128 {
    let w = all.width().max(shown.width());
    let n = (end.max(start + 1) - 1).div_euclid(w) - start.div_euclid(w) + 1;
    let per = n.div_euclid(max_bars.max(1) as i128) + 1;
    let mut f: i128 = 1;
    while f < per {
        f *= 2;
    }
    w.saturating_mul(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts per bucket of `width` ns, computed directly.
    fn direct(points: &[(i128, usize, bool)], width: i128) -> Vec<(i128, Bucket)> {
        let mut m = std::collections::BTreeMap::<i128, Bucket>::new();
        for &(t, c, e) in points {
            let b = m.entry(t.div_euclid(width)).or_default();
            b.by_class[c] += 1;
            b.errors += u32::from(e);
        }
        m.into_iter().collect()
    }

    fn nonzero(first: i128, v: &[Bucket]) -> Vec<(i128, Bucket)> {
        v.iter()
            .enumerate()
            .filter(|(_, b)| b.total() > 0)
            .map(|(j, b)| (first + j as i128, *b))
            .collect()
    }

    #[test]
    fn fine_buckets_while_the_span_is_short() {
        let mut h = Histogram::default();
        let pts = [
            (0, 0, false),
            (999, 1, true),
            (1_000, 0, false),
            (5_500, 7, false),
        ];
        for &(t, c, e) in &pts {
            h.add(t, c, e);
        }
        assert_eq!(h.width(), MIN_WIDTH_NS);
        assert_eq!(h.total(), 4);
        assert_eq!(h.range(), Some((0, 6_000)));
        let (f, v) = h.rebinned(h.width());
        assert_eq!(nonzero(f, &v), direct(&pts, MIN_WIDTH_NS));
    }

    #[test]
    fn width_doubles_and_counts_survive_out_of_order_and_negative_times() {
        let mut h = Histogram::default();
        let mut pts = Vec::new();
        // A pseudo-random walk over ±20 s, some of it before the origin.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let t = (x % 40_000_000_000) as i128 - 20_000_000_000;
            let c = (x >> 40) as usize % CLASSES;
            let e = x.is_multiple_of(7);
            pts.push((t, c, e));
            h.add(t, c, e);
        }
        assert!(h.buckets.len() <= MAX_BUCKETS);
        assert!(h.width() > MIN_WIDTH_NS);
        assert_eq!(h.total(), 5000);
        for w in [h.width(), h.width() * 4, h.width() * 64] {
            let (f, v) = h.rebinned(w);
            assert_eq!(nonzero(f, &v), direct(&pts, w), "width {w}");
        }
        let (start, end) = h.range().unwrap();
        assert!(pts.iter().all(|p| p.0 >= start && p.0 < end));
    }

    #[test]
    fn extreme_times_do_not_panic_or_grow_without_bound() {
        let mut h = Histogram::default();
        h.add(0, 0, false);
        h.add(i128::from(i64::MAX) * 1_000_000, 1, false);
        h.add(-(i128::from(i64::MAX) * 1_000_000), 2, true);
        assert_eq!(h.total(), 3);
        assert!(h.buckets.len() <= MAX_BUCKETS);
    }

    #[test]
    fn rebinned_in_a_view_counts_as_the_whole() {
        let mut h = Histogram::default();
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            h.add(
                (x % 5_000_000_000) as i128,
                (x >> 33) as usize % CLASSES,
                x.is_multiple_of(5),
            );
        }
        for w in [h.width(), h.width() * 8, h.width() * 1024] {
            let (f, all) = h.rebinned(w);
            for (lo, hi) in [(0, 1), (1_234_567, 2_000_000_000), (-5, 9_000_000_000)] {
                let (g, part) = h.rebinned_in(w, (lo, hi));
                let whole: Vec<_> = nonzero(f, &all)
                    .into_iter()
                    .filter(|(k, _)| *k >= lo.div_euclid(w) && *k <= hi.div_euclid(w))
                    .collect();
                assert_eq!(nonzero(g, &part), whole, "width {w} view {lo}..{hi}");
            }
        }
        assert_eq!(
            h.rebinned_in(h.width(), (-10, -5))
                .1
                .iter()
                .map(Bucket::total)
                .sum::<u64>(),
            0
        );
    }

    #[test]
    fn display_width_caps_the_bar_count() {
        let mut all = Histogram::default();
        for t in 0..4000 {
            all.add(t * 1_000_000, 0, false);
        }
        let shown = Histogram::default();
        let w = display_width(&all, &shown, 100);
        let (_, v) = all.rebinned(w);
        assert!(v.len() <= 100, "{} bars", v.len());
        assert!(v.len() > 25, "{} bars", v.len());
        assert_eq!(v.iter().map(Bucket::total).sum::<u64>(), 4000);
    }
}
