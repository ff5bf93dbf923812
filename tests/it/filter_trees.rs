//! A filter's tree holds only the paths of the fields it reads (`Catalog::want`): for every
//! message of every capture, each field of its whole tree must have exactly the same values in
//! the tree built for a filter on that field.

use std::collections::BTreeMap;

use nlscope::dissect::Dissector;
use nlscope::dissect::fields::Catalog;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::filter::Filter;
use nlscope::model::Node;

use super::common::{all_captures, endian_of, read_frames};

/// Each field's values (as debug text, in tree order) in a forest.
fn values(nodes: &[Node]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for n in nodes {
        n.walk(&mut |x| {
            out.entry(x.field.to_string())
                .or_default()
                .push(format!("{:?}", x.value));
        });
    }
    out
}

#[test]
fn filter_trees_answer_like_whole_trees() {
    let specs = SpecRegistry::with_embedded();
    let cat = Catalog::new(&specs);
    let (mut checked, mut pruned_nodes, mut whole_nodes) = (0usize, 0usize, 0usize);
    for cap in all_captures() {
        let bytes = std::fs::read(&cap).unwrap();
        let (frames, _) = read_frames(&bytes);
        let mut dis = Dissector::new(specs.clone());
        for (fno, f) in frames.iter().enumerate() {
            for c in &f.comments {
                dis.learn_from_comment(c);
            }
            let fi = dis.index_frame(&f.data, f.linktype, endian_of(f.byte_order));
            for (mi, m) in fi.msgs.iter().enumerate() {
                let v = dis.view(&f.data, m);
                let whole = v.tree();
                let full = values(&whole);
                // One field in eight (a different eighth in each frame): a filter on that
                // field, then on it and another at once.
                let fields: Vec<&String> = full.keys().collect();
                for (i, field) in fields.iter().enumerate() {
                    if i % 8 != fno % 8 {
                        continue;
                    }
                    let other = fields.get((i * 7 + 3) % fields.len()).copied();
                    for text in [field.to_string(), format!("{field} || {}", other.unwrap())] {
                        let Ok(filter) = Filter::compile(&text, &cat) else {
                            continue;
                        };
                        let Some(want) = cat.want(&filter) else {
                            continue;
                        };
                        let tree = v.tree_for(Some(&want));
                        let got = values(&tree);
                        // Header fields come from the message's index, never from a tree.
                        for f in filter
                            .fields()
                            .filter(|f| !Filter::HEADER_FIELDS.contains(f))
                        {
                            assert_eq!(
                                got.get(f),
                                full.get(f),
                                "{} frame {} message {mi}: field {f} (filter `{text}`)",
                                cap.display(),
                                fno + 1
                            );
                        }
                        checked += 1;
                        pruned_nodes += got.values().map(Vec::len).sum::<usize>();
                        whole_nodes += full.values().map(Vec::len).sum::<usize>();
                    }
                }
            }
        }
    }
    assert!(checked > 50_000, "only {checked} filters checked");
    // The point of it: a filter's tree is a small part of the whole.
    assert!(
        pruned_nodes * 2 < whole_nodes,
        "filter trees hold {pruned_nodes} of {whole_nodes} nodes"
    );
    println!("{checked} filter trees: {pruned_nodes} nodes against {whole_nodes} in whole trees");
}
