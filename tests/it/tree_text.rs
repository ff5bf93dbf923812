//! `-T tree` and JSON write most attributes straight as they are walked
//! (`MessageView::write_tree_text`, `write_tree_json`): for every message of every capture,
//! that text must be what writing its built tree gives.

use nlscope::conv::{Answers, Linked, MsgRef, Role};
use nlscope::dissect::Dissector;
use nlscope::dissect::specs::SpecRegistry;

use super::common::{all_captures, endian_of, read_frames};

/// Correlation facts of every kind: a request's answers (complete, or not yet, unacked or
/// unanswered), an answer's request, a caused notification, an orphan, an interrupted dump.
fn links() -> Vec<Linked> {
    let at = |frame, msg| Some(MsgRef { frame, msg });
    let answers = Answers {
        first: at(2, 0),
        last: at(3, 1),
        count: 3,
        notifications: 2,
        latency: Some(0.000_412),
        complete: true,
        unanswered: false,
        unacked: false,
        error: None,
    };
    let base = Linked {
        role: Role::Request,
        request: None,
        orphan: false,
        dump_intr: false,
        port: 0,
        conversation: at(1, 0),
        answers: Some(answers),
    };
    vec![
        base,
        Linked {
            answers: Some(Answers {
                first: None,
                notifications: 0,
                latency: Some(1.5),
                complete: false,
                unacked: true,
                ..answers
            }),
            ..base
        },
        Linked {
            answers: Some(Answers {
                unanswered: true,
                ..answers
            }),
            dump_intr: true,
            ..base
        },
        Linked {
            role: Role::Reply,
            request: at(1, 0),
            answers: None,
            ..base
        },
        Linked {
            role: Role::Notification,
            request: at(7, 2),
            answers: None,
            ..base
        },
        Linked {
            role: Role::Ack,
            orphan: true,
            answers: None,
            ..base
        },
    ]
}

#[test]
fn written_trees_equal_built_ones_on_every_capture() {
    let links = links();
    let specs = SpecRegistry::with_embedded();
    let (mut messages, mut lines) = (0usize, 0usize);
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
                // The nlmsghdr, with the generated nodes correlation adds after its fields,
                // written straight and built (each message one of the kinds of links).
                let l = &links[messages % links.len()];
                let mut direct = String::new();
                v.write_header_text(&mut direct, 1, &mut |out, depth| {
                    nlscope::conv::show::write_text(l, out, depth)
                });
                let mut built = v.header_node();
                built.children.extend(nlscope::conv::show::nodes(l));
                assert_eq!(direct, {
                    let mut t = String::new();
                    built.write_text(&mut t, 1);
                    t
                });
                // The flags line of other flags in the same context: none, unnamed bits
                // alone, named and unnamed, every bit.
                if mi == 0 {
                    for flags in [0, 0x8000, 0x8305, 0xffff] {
                        let m = nlscope::dissect::MsgIndex { flags, ..*m };
                        let v = dis.view(&f.data, &m);
                        let mut direct = String::new();
                        v.write_header_text(&mut direct, 1, &mut |_, _| {});
                        let mut t = String::new();
                        v.header_node().write_text(&mut t, 1);
                        assert_eq!(direct, t, "flags {flags:#x}");
                    }
                }
                let mut direct = String::new();
                v.write_tree_text(&mut direct, 1);
                let mut built = String::new();
                for n in v.tree() {
                    n.write_text(&mut built, 1);
                }
                let at = format!("{} frame {} message {mi}", cap.display(), fno + 1);
                assert_eq!(direct, built, "text of {at}");
                lines += built.lines().count();
                let mut direct = String::from("[");
                v.write_tree_json(&mut direct);
                let mut built = String::from("[");
                for (i, n) in v.tree().iter().enumerate() {
                    if i > 0 {
                        built.push(',');
                    }
                    n.write_json(&mut built);
                }
                assert_eq!(direct, built, "JSON of {at}");
                messages += 1;
            }
        }
    }
    // The captures hold every family nlscope decodes: far more than a handful of messages.
    assert!(
        messages > 5_000 && lines > 100_000,
        "{messages} messages, {lines} lines"
    );
    eprintln!("written trees: {messages} messages, {lines} text lines, equal");
}
