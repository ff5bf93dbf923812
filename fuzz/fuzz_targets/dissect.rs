//! The dissector: any netlink protocol number, any link type that carries netlink, frame
//! comments (genl ids, processes), learned facts (nlctrl replies teach generic netlink ids,
//! RTM_NEWLINK names links, nftables sets). Every message is summarised, built into a tree,
//! compared with its object's previous message and emitted as summary, tree, JSON and CSV.
//! Oracles: a written tree is its built nodes written; what-changed's pruned comparison of
//! each message with the one before is that of their whole trees, and equal fingerprints mean
//! equal trees but for counters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nlscope_fuzz::{dissect_frames, parse_frames, with_dissector};

fuzz_target!(|data: &[u8]| {
    let (endian, frames) = parse_frames(data);
    with_dissector(|dis| dissect_frames(dis, endian, &frames, None));
});
