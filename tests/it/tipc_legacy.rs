//! The legacy TIPC family (tipc-config's interface): a host-order struct tipc_genlmsghdr
//! carrying the real command, then TLVs in network byte order (`nlscope-attr-byte-order`).
//! No packaged tool speaks it any more, so the messages are built here byte by byte as
//! linux/tipc_config.h lays them out.

use nlscope::netlink::MsgBuilder;

use super::common::*;

/// A big-endian TLV (struct tlv_desc: length including the header, type), padded to 4.
fn tlv(ty: u16, body: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&(4 + body.len() as u16).to_be_bytes());
    v.extend_from_slice(&ty.to_be_bytes());
    v.extend_from_slice(body);
    while v.len() % 4 != 0 {
        v.push(0);
    }
    v
}

/// genlmsghdr (cmd TIPC_GENL_CMD) + tipc_genlmsghdr (host order) + TLVs.
fn message(ty: u16, flags: u16, pid: u32, cmd: u16, tlvs: &[Vec<u8>]) -> MsgBuilder {
    let mut m = le_msg(ty, flags, 7, pid);
    m.push(&[1, 1, 0, 0]);
    m.push_u32(0x0100_1001); // dest <1.1.1>
    m.push_u16(cmd);
    m.push_u16(0);
    for t in tlvs {
        m.push(t);
    }
    m
}

#[test]
fn legacy_tipc_commands_and_big_endian_tlvs() {
    const ID: u16 = 0x1f;
    let mut bearer = Vec::new();
    bearer.extend_from_slice(&10u32.to_be_bytes()); // priority
    bearer.extend_from_slice(&0x0100_1000u32.to_be_bytes()); // discovery domain <1.1.0>
    let mut name = b"eth:eth0".to_vec();
    name.resize(32, 0);
    bearer.extend_from_slice(&name);
    let req = message(ID, 0x5, 0, 0x4101, &[tlv(23, &bearer)]); // ENABLE_BEARER
    let mut node = Vec::new();
    node.extend_from_slice(&0x0100_1002u32.to_be_bytes());
    node.extend_from_slice(&1u32.to_be_bytes());
    let rep = message(ID, 0, 4242, 0x0001, &[tlv(21, &node), tlv(21, &node)]); // GET_NODES
    let err = message(ID, 0, 4242, 0x4101, &[tlv(16, b"permission denied\0")]);
    let from_kernel = |m: MsgBuilder| {
        let mut f = cooked(16);
        f[1] = 0; // PACKET_HOST: from the kernel
        f.extend(m.finish());
        f
    };
    let frames = vec![nl_frame(16, req), from_kernel(rep), from_kernel(err)];
    let dir = TempDir::new("tipc-legacy");
    let cap = dir.path("tipc.pcap");
    std::fs::write(&cap, pcap_file(&frames)).unwrap();
    let msgs = json_msgs(&cap, &["--genl", "TIPC=31"]);
    assert_eq!(msgs.len(), 3);
    let fields = |m: &serde_json::Value| -> Vec<(String, String)> {
        all_json_nodes(&m["tree"])
            .into_iter()
            .filter_map(|n| {
                Some((
                    n["field"].as_str()?.to_string(),
                    n["display"].as_str()?.to_string(),
                ))
            })
            .collect()
    };
    let has = |m: &serde_json::Value, f: &str, d: &str| {
        let all = fields(m);
        assert!(
            all.iter().any(|(ff, dd)| ff == f && dd == d),
            "no {f} = {d:?} in {all:#?}"
        );
    };
    assert_eq!(msgs[0]["type_name"], "TIPC_GENL_CMD");
    has(
        &msgs[0],
        "tipc.tipc-genlmsghdr.cmd",
        "TIPC_CMD_ENABLE_BEARER (16641)",
    );
    has(&msgs[0], "tipc.bearer-config.priority", "10");
    has(&msgs[0], "tipc.bearer-config.disc-domain", "0x1001000");
    has(&msgs[0], "tipc.bearer-config.name", "eth:eth0");
    has(
        &msgs[1],
        "tipc.tipc-genlmsghdr.cmd",
        "TIPC_CMD_GET_NODES (1)",
    );
    has(&msgs[1], "tipc.node-info.addr", "0x1001002");
    has(&msgs[1], "tipc.node-info.up", "1");
    has(&msgs[2], "tipc.error-string", "\"permission denied\"");
    // Everything decoded, nothing flagged.
    let cov = run_ok(&[
        "read",
        "-r",
        cap.to_str().unwrap(),
        "--genl",
        "TIPC=31",
        "--coverage",
    ]);
    let total = cov.lines().find(|l| l.starts_with("total")).unwrap();
    let cols: Vec<&str> = total.split_whitespace().collect();
    assert_eq!((cols[3], cols[5]), ("0", "0"), "{cov}");
    for m in &msgs {
        assert!(!m["tree"].to_string().contains("\"severity\""), "{m}");
    }
}
