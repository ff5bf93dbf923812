//! What changed over every capture of captures/: fingerprints and pruned trees are shortcuts
//! that must compare as the whole trees do.

use super::*;
use crate::conv::changes::{diff_trees, diff_views, fingerprint, leaves};
use crate::dissect::attrs::Prune;

/// The rows about an object with the previous row about it, as (previous, row), in order.
fn object_pairs(store: &Store) -> Vec<(u32, u32)> {
    let mut pairs: Vec<(u32, u32)> = store.object_prev.iter().map(|(b, a)| (*a, *b)).collect();
    pairs.sort_unstable();
    pairs
}

/// A fingerprint is a shortcut, not a second opinion: on every capture, two messages about
/// one object with equal fingerprints have trees that compare as unchanged, and messages
/// whose bytes differ only in counters share one.
#[test]
fn equal_fingerprints_mean_nothing_changed() {
    let (mut pairs, mut same, mut counters_only) = (0, 0, 0);
    for name in all_captures() {
        let store = loaded(&name);
        for (a, b) in object_pairs(&store) {
            let (va, vb) = (
                store.view(a as usize).unwrap(),
                store.view(b as usize).unwrap(),
            );
            pairs += 1;
            if fingerprint(&va) != fingerprint(&vb) {
                continue;
            }
            same += 1;
            let changes = diff_trees(&va.tree(), &vb.tree());
            assert!(changes.is_empty(), "{name}: rows {a} -> {b}: {changes:?}");
            counters_only += usize::from(va.payload_bytes() != vb.payload_bytes());
        }
    }
    assert!(same > 100 && same < pairs, "{same} of {pairs} pairs alike");
    assert!(
        counters_only > 10,
        "{counters_only} pairs differ in counters only"
    );
}

/// What-changed's pruned trees compare as whole ones, on every message of every capture: a
/// tree with counters bare has the leaves it compares of the whole tree, and two messages about
/// one object compare alike with the attributes equal in both also bare.
#[test]
fn pruned_trees_compare_as_whole_ones() {
    let count = |t: &[crate::model::Node]| {
        let mut n = 0usize;
        for r in t {
            r.walk(&mut |_| n += 1);
        }
        n
    };
    let (mut messages, mut pruned, mut whole_nodes, mut bare_nodes) = (0, 0, 0, 0);
    let (mut pairs, mut twin_pruned, mut twin_nodes) = (0, 0, 0);
    for name in all_captures() {
        let store = loaded(&name);
        for i in 0..store.len() {
            let Some(v) = store.view(i) else { continue };
            let (whole, bare) = (v.tree(), v.tree_pruned(&Prune::counters()));
            assert_eq!(leaves(&whole), leaves(&bare), "{name}: row {i}");
            messages += 1;
            let (w, b) = (count(&whole), count(&bare));
            pruned += usize::from(b < w);
            whole_nodes += w;
            bare_nodes += b;
        }
        for (a, b) in object_pairs(&store) {
            let (va, vb) = (
                store.view(a as usize).unwrap(),
                store.view(b as usize).unwrap(),
            );
            let whole = diff_trees(&va.tree(), &vb.tree());
            assert_eq!(diff_views(&va, &vb), whole, "{name}: rows {a} -> {b}");
            pairs += 1;
            let (pa, pb) = (va.attr_prints(), vb.attr_prints());
            let n = count(&vb.tree_pruned(&Prune::against(&pb, &pa)));
            let m = count(&vb.tree_pruned(&Prune::counters()));
            twin_pruned += usize::from(n < m);
            twin_nodes += n;
        }
    }
    assert!(pruned > 100, "{pruned} of {messages} messages pruned");
    assert!(twin_pruned > 100, "{twin_pruned} of {pairs} pairs pruned");
    eprintln!(
        "{pruned} of {messages} messages pruned; {bare_nodes} of {whole_nodes} nodes kept; \
         {twin_pruned} of {pairs} pairs pruned further ({twin_nodes} nodes)"
    );
}
