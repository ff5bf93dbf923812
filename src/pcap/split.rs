//! Where a pcap record starts near the middle of a file, so a pass over it can be split across
//! threads. pcap has no sync marker: this finds the first offset where several valid record
//! headers chain; a caller must confirm it by reading up to it from the start (its reader
//! arriving at exactly that offset), and fall back to one pass if it does not.

use std::fs::File;
use std::os::unix::fs::FileExt;

use super::MAX_RECORD_LEN;

/// Bytes searched from the starting point.
const WINDOW: usize = 1 << 20;
/// Record headers that must chain inside the window (or reach the file's end).
const CHAIN: usize = 8;
/// Most seconds between chained records' timestamps.
const MAX_GAP_S: u32 = 3600;

/// A likely record start at or after `from` in the pcap file `file`; `None` for pcapng or
/// when none is found.
pub fn record_start_near(file: &File, from: u64) -> Option<u64> {
    let len = file.metadata().ok()?.len();
    let mut head = [0u8; 24];
    file.read_exact_at(&mut head, 0).ok()?;
    let magic: [u8; 4] = head.get(..4)?.try_into().ok()?;
    let (bo, nanos) = super::read::pcap_magic(magic)?;
    let frac_limit = if nanos { 1_000_000_000 } else { 1_000_000 };
    let want = usize::try_from(len.checked_sub(from)?).ok()?.min(WINDOW);
    let mut win = vec![0u8; want];
    file.read_exact_at(&mut win, from).ok()?;
    let at_end = usize::try_from(len - from).ok()?;
    let u32_at = |p: usize| Some(bo.u32(win.get(p..p + 4)?.try_into().ok()?));
    // Consecutive records of a capture are close in time: a header read from the middle of
    // a frame that happens to point at a real record is not, most likely.
    let chains = |start: usize| {
        let mut p = start;
        let mut last: Option<u32> = None;
        for _ in 0..CHAIN {
            if p == at_end {
                return p > start;
            }
            let (Some(sec), Some(frac), Some(incl), Some(orig)) =
                (u32_at(p), u32_at(p + 4), u32_at(p + 8), u32_at(p + 12))
            else {
                return false;
            };
            if frac >= frac_limit
                || incl > orig
                || incl > MAX_RECORD_LEN
                || incl == 0
                || last.is_some_and(|l| l.abs_diff(sec) > MAX_GAP_S)
            {
                return false;
            }
            last = Some(sec);
            p += 16 + incl as usize;
        }
        true
    };
    (0..win.len()).find(|&o| chains(o)).map(|o| from + o as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_records_of_repo_captures() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
        let mut checked = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let f = File::open(&p).unwrap();
            let starts: Vec<u64> = match crate::pcap::Reader::new(&f) {
                Ok(r) => r.map(|fr| fr.unwrap().file_offset).collect(),
                Err(_) => continue,
            };
            let found = record_start_near(&f, f.metadata().unwrap().len() / 2);
            if p.extension().is_some_and(|x| x == "pcapng") {
                assert_eq!(found, None, "{p:?}");
                continue;
            }
            // The first record at or after the middle (none when the middle is inside the last).
            let mid = f.metadata().unwrap().len() / 2;
            assert_eq!(found, starts.iter().copied().find(|&s| s >= mid), "{p:?}");
            checked += 1;
        }
        assert!(checked >= 5, "{checked} pcap captures");
    }
}
