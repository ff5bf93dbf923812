//! Decode As in the app: a capture that never names a generic netlink id is read by guess
//! until the user says which family the id is (Analyze > Decode As).

use egui::{Role, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::ui::App;

use super::common::*;

/// tcp_metrics' id in genl-tcp_metrics.pcap (the VM's kernel numbered it so).
const ID: u16 = 0x1b;

/// Type names and whether the tree says "guessed", for every message of id `ID`.
fn rows(app: &mut App) -> Vec<(String, bool)> {
    let idx: Vec<usize> = (0..app.store.len())
        .filter(|&i| {
            app.store
                .msg(i)
                .is_some_and(|e| e.idx.protocol == 16 && e.idx.ty == ID)
        })
        .collect();
    idx.into_iter()
        .map(|i| {
            let name = app.store.view(i).map(|v| v.type_name()).unwrap_or_default();
            let tree = app.store.tree(i);
            let mut guessed = false;
            for n in tree.iter() {
                n.walk(&mut |n| {
                    guessed |= n
                        .expert
                        .as_ref()
                        .is_some_and(|e| e.text.contains("guessed"));
                });
            }
            (name, guessed)
        })
        .collect()
}

#[test]
fn decode_as_names_an_unnamed_genl_id() {
    // The capture without its nlctrl exchange: nothing names the id.
    let dir = TempDir::new("decode-as");
    let cap = dir.path("tcp_metrics.pcap");
    run_ok(&[
        "read",
        "-r",
        local("genl-tcp_metrics.pcap").to_str().unwrap(),
        "-Y",
        "nlmsg.type != 16 && !(nlmsgerr.request.type == 16)",
        "-w",
        cap.to_str().unwrap(),
    ]);
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&cap);
    app.finish();
    assert!(app.error.is_none(), "{:?}", app.error);
    // Read by guess: tcp_metrics' names, each marked as a guess.
    // (A dump request carries no attributes to guess from: it takes the id's guess once a
    // reply made one, as the list's next frame shows.)
    rows(&mut app);
    let before = rows(&mut app);
    assert!(before.len() >= 10, "{before:?}");
    assert!(
        before
            .iter()
            .all(|(n, g)| n.starts_with("TCP_METRICS_CMD_") && *g),
        "{before:?}"
    );
    let first = app
        .list
        .displayed
        .iter()
        .position(|&i| app.store.msg(i as usize).is_some_and(|e| e.idx.ty == ID))
        .unwrap();
    app.select_row(first);
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();

    // The user says it is ethtool: the id is read so (however wrong), with no guess.
    h.get_by_label("Analyze").click();
    h.run();
    h.get_by_label("Decode As...").click();
    h.run();
    assert!(h.state().decode_as.open);
    assert_eq!(h.state().decode_as.id, ID);
    assert_eq!(h.state().decode_as.family, "tcp_metrics");
    h.get_by_role(Role::ComboBox).click();
    h.run();
    h.get_by_label("ethtool").click();
    h.run();
    h.get_by_label("Decode").click();
    h.run();
    assert!(!h.state().decode_as.open);
    let eth = rows(h.state_mut());
    assert!(
        eth.iter()
            .all(|(n, g)| n.starts_with("ETHTOOL_MSG_") && !*g),
        "{eth:?}"
    );
    // The rows shown follow: the selected row's tree is rebuilt under the new name.
    let tree = h.state().detail.tree.clone().expect("a tree is shown");
    assert!(
        tree.iter()
            .any(|n| n.display_text().contains("ETHTOOL_MSG_") || n.name.contains("ETHTOOL_MSG_"))
    );

    // And back: tcp_metrics, named by the user now, not guessed.
    h.get_by_label("Analyze").click();
    h.run();
    h.get_by_label("Decode As...").click();
    h.run();
    h.get_by_label("ethtool (your choice)");
    h.get_by_role(Role::ComboBox).click();
    h.run();
    // Far down the list: scrolled into view first, as a user would.
    h.get_by_label("tcp_metrics").scroll_to_me();
    h.run();
    h.get_by_label("tcp_metrics").click();
    h.run();
    assert_eq!(h.state().decode_as.family, "tcp_metrics");
    h.get_by_label("Decode").click();
    h.run();
    assert!(!h.state().decode_as.open);
    let after = rows(h.state_mut());
    assert_eq!(after.len(), before.len());
    assert!(
        after
            .iter()
            .all(|(n, g)| n.starts_with("TCP_METRICS_CMD_") && !*g),
        "{after:?}"
    );
}

/// Decode As for a classic protocol: a module's own protocol number read with a user's spec.
#[test]
fn decode_as_reads_a_protocol_with_a_users_spec() {
    let dir = TempDir::new("decode-as-proto");
    let cap = dir.path("proto17.pcap");
    let mut req = le_msg(0x10, 0x5, 1, 777);
    req.attr_u32(1, 42);
    let mut reply = le_msg(0x11, 0, 1, 777);
    reply.attr_u32(1, 42).attr_str(2, "widget");
    std::fs::write(&cap, pcap_file(&[nl_frame(17, req), nl_frame(17, reply)])).unwrap();
    let mut specs = SpecRegistry::with_embedded();
    specs
        .load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/usersock"))
        .unwrap();
    let mut app = App::new(specs);
    app.open(&cap);
    app.finish();
    assert!(app.error.is_none(), "{:?}", app.error);
    let names = |app: &mut App| -> Vec<String> {
        (0..app.store.len())
            .filter_map(|i| app.store.view(i).map(|v| v.type_name()))
            .collect()
    };
    assert!(names(&mut app).iter().all(|n| !n.starts_with("DEMO_MSG_")));
    app.select_row(0);
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    h.get_by_label("Analyze").click();
    h.run();
    h.get_by_label("Decode As...").click();
    h.run();
    assert!(h.state().decode_as.open);
    assert!(h.state().decode_as.by_protocol);
    assert_eq!(h.state().decode_as.protocol, 17);
    h.get_by_role(Role::ComboBox).click();
    h.run();
    h.get_by_label("nlscope-demo").scroll_to_me();
    h.run();
    h.get_by_label("nlscope-demo").click();
    h.run();
    h.get_by_label("Decode").click();
    h.run();
    assert!(!h.state().decode_as.open);
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    assert_eq!(
        names(h.state_mut()),
        vec!["DEMO_MSG_GET".to_string(), "DEMO_MSG_NEW".to_string()]
    );
    let tree = h.state().detail.tree.clone().expect("a tree is shown");
    assert!(
        tree.iter().any(|n| n.name == "DEMO_A_ID"),
        "{:?}",
        tree.iter().map(|n| &n.name).collect::<Vec<_>>()
    );
}
