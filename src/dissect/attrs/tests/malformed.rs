//! Malformed attribute headers, built and written alike.

use super::*;

/// A malformed header ends its level with one expert node, its text saying what is wrong; the
/// written tree shows the node the built one has.
#[test]
fn malformed_headers_end_the_level() {
    let s = spec();
    let ok = nla(LE, 1, &[0; 4]);
    let cases: [(Vec<u8>, &str, usize); 3] = [
        (
            vec![1, 2],
            "2 trailing bytes, too short for an attribute header",
            2,
        ),
        (
            vec![3, 0, 1, 0, 0, 0],
            "attribute length 3 is less than the 4-byte attribute header",
            6,
        ),
        (
            vec![12, 0, 1, 0, 0, 0, 0, 0],
            "attribute length 12 exceeds the 8 bytes left",
            8,
        ),
    ];
    for (bad, text, left) in cases {
        let data = [ok.clone(), bad].concat();
        let nodes = walk(&s, &data, None);
        assert_eq!(nodes.len(), 2, "{text}");
        let e = &nodes[1];
        assert_eq!(e.expert.as_ref().map(|x| x.text.as_str()), Some(text));
        assert_eq!(
            (e.offset, e.length, e.field.as_ref()),
            (ok.len(), left, "deep")
        );
        let w = Walker {
            data: &data,
            endian: Endian::Little,
            spec: Some(&s),
            overrides: Vec::new(),
            op: None,
            want: None,
            prune: None,
        };
        let (mut built, mut written) = (String::new(), String::new());
        for n in &nodes {
            n.write_text(&mut built, 0);
        }
        let mut sink = crate::model::TextSink::new(&mut written, 0);
        lines::Written::attrs(&mut sink, &w, (0, data.len()), s.sets.get("top"), "deep");
        assert_eq!(written, built, "{text}");
    }
}
