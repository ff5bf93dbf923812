//! One source of field names: every `Node.field` a tree emits, over every capture we have, is
//! a field the filter accepts (so completion, `specs fields` and filters agree with trees).

use std::collections::BTreeMap;

use nlscope::dissect::fields::Catalog;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::filter::Filter;

use super::common::*;

#[test]
fn every_emitted_field_is_in_the_catalog() {
    let catalog = Catalog::new(&SpecRegistry::with_embedded());
    // field -> (capture, frame) where it was first seen
    let mut seen: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for path in all_captures() {
        let bytes = std::fs::read(&path).expect("read capture");
        let (frames, _) = read_frames(&bytes);
        for d in dissect_all(&frames, SpecRegistry::with_embedded()) {
            for n in all_nodes(&d.nodes) {
                if n.field.is_empty() || seen.contains_key(n.field.as_ref()) {
                    continue;
                }
                let name = path.file_name().map(|f| f.to_string_lossy().into_owned());
                seen.insert(n.field.to_string(), (name.unwrap_or_default(), d.frame));
            }
        }
    }
    assert!(seen.len() > 500, "only {} distinct fields", seen.len());
    let mut unknown = Vec::new();
    for (field, (cap, frame)) in &seen {
        // Compiled against the catalog: syntax, header fields and spec paths all count.
        if let Err(e) = Filter::compile(field, &catalog) {
            unknown.push(format!("{field} ({cap} frame {frame}): {e}"));
        }
    }
    println!("{} distinct fields emitted", seen.len());
    assert!(
        unknown.is_empty(),
        "{} of {} emitted fields unknown to the filter:\n{}",
        unknown.len(),
        seen.len(),
        unknown.join("\n")
    );
}
