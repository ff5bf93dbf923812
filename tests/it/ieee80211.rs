//! 802.11 frames and elements inside netlink attributes (`nlscope-decode`): end to end through
//! a spec file and the CLI, and cross-checked against tshark's 802.11 dissector.

use std::collections::BTreeMap;
use std::process::Command;

use nlscope::dissect::decode::Decoder;
use nlscope::model::{Node, Value};

use super::common::*;

include!("../../src/dissect/decode/ieee80211/samples.rs");

/// A spec claiming protocol 31 whose attributes carry 802.11 elements and frames.
const SPEC: &str = r#"
name: wifi-test
protocol: netlink-raw
protonum: 31
attribute-sets:
  - name: main
    attributes:
      - {name: ies, type: binary, nlscope-decode: ieee80211-ies}
      - {name: frame, type: binary, nlscope-decode: ieee80211-frame}
operations:
  list:
    - name: mgmt
      value: 32
      attribute-set: main
      do: {request: {attributes: [ies, frame]}}
"#;

#[test]
fn spec_attributes_decode_80211_and_filter_on_wlan_fields() {
    let tmp = TempDir::new("ieee80211");
    let dir = tmp.path("specs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("wifi-test.yaml"), SPEC).unwrap();
    let mut frames = Vec::new();
    for (i, (_, f)) in all_samples().into_iter().enumerate() {
        let mut m = le_msg(32, 0x1, i as u32, 0);
        // The elements after the 36 fixed bytes of a beacon, and the whole frame.
        m.attr(1, f.get(36..).unwrap_or_default()).attr(2, &f);
        frames.push(nl_frame(31, m));
    }
    let p = tmp.path("wifi.pcap");
    std::fs::write(&p, pcap_file(&frames)).unwrap();
    let d = dir.to_str().unwrap();

    let msgs = json_msgs(&p, &["--spec-dir", d, "-Y", "wlan.ssid == \"hwsim\""]);
    let seqs: Vec<u64> = msgs.iter().map(|m| m["seq"].as_u64().unwrap()).collect();
    // beacon, association request, reassociation request (the frame attribute of each).
    assert_eq!(seqs, [0, 2, 4]);
    let beacon = &msgs[0];
    let frame = beacon["tree"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["field"] == "wifi-test.frame")
        .expect("frame attribute");
    assert_eq!(
        frame["display"],
        "Beacon, SA 02:00:00:00:01:00, BSSID 02:00:00:00:01:00, SSID \"hwsim\""
    );
    // Offsets are frame offsets: cooked header 16 + nlmsghdr 16 + the ies attribute.
    let ies_len = (4 + beacon_len() - 36 + 3) & !3;
    assert_eq!(frame["offset"].as_u64(), Some((32 + ies_len) as u64));
    let fc = &frame["children"][0];
    assert_eq!(fc["field"], "wlan.fc");
    assert_eq!(fc["offset"].as_u64(), Some((32 + ies_len + 4) as u64));

    for (filter, want) in [
        ("wlan.rsn.akms.type == 8", vec![0]),
        ("wlan.fc.type_subtype == 0x0c", vec![7]),
        ("wlan.fixed.reason_code == 3", vec![7]),
        (
            "wlan.ext_tag.bss_color_information.bss_color == 42",
            vec![1],
        ),
        ("wps.manufacturer == \"Intel\"", vec![0]),
    ] {
        let msgs = json_msgs(&p, &["--spec-dir", d, "-Y", filter]);
        let seqs: Vec<u64> = msgs.iter().map(|m| m["seq"].as_u64().unwrap()).collect();
        assert_eq!(seqs, want, "{filter}");
    }
    // The catalog knows the decoders' fields through a spec that names them: the embedded
    // nl80211 does, so they filter out of the box.
    let out = run(&["read", "-r", p.to_str().unwrap(), "-Y", "wlan.ssid"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn beacon_len() -> usize {
    beacon().len()
}

/// Our decode of a sample: field -> values in tree order, as tshark's `-T fields` prints them.
/// tshark's SSIDs are hex bytes; an extension element's length is its `wlan.ext_tag.length`
/// (one less: after the extension ID), so ours is left out of `wlan.tag.length`.
fn ours(frame: &[u8]) -> BTreeMap<String, Vec<String>> {
    let (nodes, _) =
        Decoder::Ieee80211Frame.decode(frame, 0, frame.len(), nlscope::model::Endian::Little);
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    fn visit(nodes: &[Node], m: &mut BTreeMap<String, Vec<String>>) {
        let ext = nodes
            .iter()
            .any(|n| n.field == "wlan.tag.number" && n.value_is(255));
        for n in nodes {
            let v = match (n.field.as_ref(), text(n)) {
                ("wlan.tag.length", _) if ext => None,
                ("wlan.ssid", Some(s)) => Some(nlscope::model::hex(s.as_bytes())),
                (_, v) => v,
            };
            if let Some(v) = v {
                m.entry(n.field.to_string()).or_default().push(v);
            }
            visit(&n.children, m);
        }
    }
    visit(&nodes, &mut m);
    m
}

trait ValueIs {
    fn value_is(&self, v: i64) -> bool;
}

impl ValueIs for Node {
    fn value_is(&self, v: i64) -> bool {
        matches!(self.value, Value::Enum { value, .. } if value == v)
    }
}

fn text(n: &Node) -> Option<String> {
    Some(match &n.value {
        Value::Uint(v) => v.to_string(),
        Value::Int(v) => v.to_string(),
        Value::Enum { value, .. } => value.to_string(),
        Value::Flags { value, .. } => value.to_string(),
        Value::Bool(b) => u8::from(*b).to_string(),
        Value::Str(s) => s.clone(),
        Value::Mac(_) => n.display_text().into_owned(),
        _ => return None,
    })
}

/// tshark's value in our spelling: numbers in decimal.
fn normalize(v: &str) -> String {
    if let Some(h) = v.strip_prefix("0x")
        && let Ok(n) = u64::from_str_radix(h, 16)
    {
        return n.to_string();
    }
    match v {
        // An empty SSID.
        "<MISSING>" => String::new(),
        "True" => "1".into(),
        "False" => "0".into(),
        _ => v.to_string(),
    }
}

/// Fields both dissectors give the same meaning (Wireshark's names), compared value by value.
const COMPARED: &[&str] = &[
    "wlan.fc.type_subtype",
    "wlan.duration",
    "wlan.da",
    "wlan.sa",
    "wlan.bssid",
    "wlan.seq",
    "wlan.frag",
    "wlan.fixed.timestamp",
    "wlan.fixed.beacon",
    "wlan.fixed.capabilities",
    "wlan.fixed.listen_ival",
    "wlan.fixed.current_ap",
    "wlan.fixed.status_code",
    "wlan.fixed.aid",
    "wlan.fixed.reason_code",
    "wlan.fixed.auth.alg",
    "wlan.fixed.auth_seq",
    "wlan.fixed.category_code",
    "wlan.fixed.action_code",
    "wlan.tag.number",
    "wlan.tag.length",
    "wlan.ssid",
    "wlan.supported_rates",
    "wlan.extended_supported_rates",
    "wlan.ds.current_channel",
    "wlan.tim.dtim_count",
    "wlan.tim.dtim_period",
    "wlan.tim.bmapctl",
    "wlan.tim.bmapctl.multicast",
    "wlan.tim.bmapctl.offset",
    "wlan.country_info.code",
    "wlan.country_info.environment",
    "wlan.country_info.fnm.fcn",
    "wlan.country_info.fnm.nc",
    "wlan.country_info.fnm.mtpl",
    "wlan.country_info.rrc.oei",
    "wlan.country_info.rrc.oc",
    "wlan.country_info.rrc.cc",
    "wlan.qbss.scount",
    "wlan.qbss.cu",
    "wlan.qbss.adc",
    "wlan.powercon.local",
    "wlan.erp_info",
    "wlan.rsn.version",
    "wlan.rsn.gcs.type",
    "wlan.rsn.pcs.count",
    "wlan.rsn.pcs.type",
    "wlan.rsn.akms.count",
    "wlan.rsn.akms.type",
    "wlan.rsn.capabilities",
    "wlan.rsn.capabilities.ptksa_replay_counter",
    "wlan.rsn.capabilities.gtksa_replay_counter",
    "wlan.rsn.pmkid.count",
    "wlan.rsn.gmcs.type",
    "wlan.ht.capabilities",
    "wlan.ht.capabilities.sm",
    "wlan.ht.capabilities.rxstbc",
    "wlan.ht.ampduparam",
    "wlan.ht.ampduparam.maxlength",
    "wlan.ht.ampduparam.mpdudensity",
    "wlan.ht.mcsset.highestdatarate",
    "wlan.ht.mcsset.txsetdefined",
    "wlan.ht.mcsset.txrxmcsnotequal",
    "wlan.ht.mcsset.txunequalmod",
    "wlan.htex.capabilities",
    "wlan.txbf",
    "wlan.asel",
    "wlan.ht.info.primarychannel",
    "wlan.ht.info.secchanoffset",
    "wlan.ht.info.chanwidth",
    "wlan.ht.info.rifs",
    "wlan.ht.info.ht_protection",
    "wlan.vht.capabilities",
    "wlan.vht.capabilities.maxmpdulength",
    "wlan.vht.capabilities.supportedchanwidthset",
    "wlan.vht.capabilities.rxstbc",
    "wlan.vht.capabilities.maxampdu",
    "wlan.vht.mcsset.rxmcsmap",
    "wlan.vht.mcsset.txmcsmap",
    "wlan.vht.op.channelwidth",
    "wlan.vht.op.channelcenter0",
    "wlan.vht.op.channelcenter1",
    "wlan.vht.op.basicmcsmap",
    "wlan.mobility_domain.mdid",
    "wlan.supopeclass.current",
    "wlan.interworking.access_network_type",
    "wlan.interworking.hessid",
    "wlan.tag.vendor.oui.type",
    "wlan.wfa.ie.wpa.version",
    "wlan.wfa.ie.wpa.mcs.type",
    "wlan.wfa.ie.wpa.ucs.count",
    "wlan.wfa.ie.wpa.ucs.type",
    "wlan.wfa.ie.wpa.akms.count",
    "wlan.wfa.ie.wme.subtype",
    "wlan.wfa.ie.wme.version",
    "wlan.wfa.ie.wme.qos_info",
    "wlan.wfa.ie.wme.acp.aci",
    "wlan.wfa.ie.wme.acp.aifsn",
    "wlan.wfa.ie.wme.acp.acm",
    "wlan.wfa.ie.wme.acp.ecw.min",
    "wlan.wfa.ie.wme.acp.ecw.max",
    "wlan.wfa.ie.wme.acp.txop_limit",
    "wps.type",
    "wps.length",
    "wps.version",
    "wps.wifi_protected_setup_state",
    "wps.ap_setup_locked",
    "wps.selected_registrar",
    "wps.device_password_id",
    "wps.selected_registrar_config_methods",
    "wps.response_type",
    "wps.manufacturer",
    "wps.model_name",
    "wps.device_name",
    "wps.rf_bands",
    "wps.ext.version2",
    "wlan.ext_tag.number",
    "wlan.ext_tag.he_mcs_map.rx_he_mcs_map_lte_80",
    "wlan.ext_tag.he_mcs_map.tx_he_mcs_map_lte_80",
    "wlan.ext_tag.he_mcs_map.rx_he_mcs_map_160",
    "wlan.ext_tag.he_mcs_map.tx_he_mcs_map_160",
    "wlan.ext_tag.he_operation.params",
    "wlan.ext_tag.he_operation.default_pe_duration",
    "wlan.ext_tag.he_operation.txop_duration_rts_thresh",
    "wlan.ext_tag.bss_color_information",
    "wlan.ext_tag.bss_color_information.bss_color",
    "wlan.ext_tag.he_operation.basic_he_mcs_and_nss",
    "wlan.ext_tag.he_operation.6ghz.primary_channel",
    "wlan.ext_tag.he_operation.6ghz.control.channel_width",
    "wlan.ext_tag.he_operation.6ghz.chan_center_freq_seg_0",
    "wlan.ext_tag.he_operation.6ghz.chan_center_freq_seg_1",
    "wlan.ext_tag.he_operation.6ghz.minimum_rate",
    "wlan.multiple_bssid",
    "wlan.multiple_bssid.subelem.id",
    "wlan.multiple_bssid.subelem.len",
    "wlan.multiple_bssid_index.bssid_index",
];

#[test]
fn elements_agree_with_tshark() {
    let Some(ts) = tshark("802.11 cross-check") else {
        return;
    };
    let samples = all_samples();
    let frames: Vec<Vec<u8>> = samples.iter().map(|(_, f)| f.clone()).collect();
    let mut file = pcap_file(&frames);
    file.splice(20..24, 105u32.to_le_bytes()); // LINKTYPE_IEEE802_11
    let tmp = TempDir::new("ieee80211-tshark");
    let p = tmp.path("wlan.pcap");
    std::fs::write(&p, &file).unwrap();
    let mut cmd = Command::new(ts);
    cmd.arg("-r").arg(&p);
    cmd.args([
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=|",
        "-E",
        "separator=\t",
    ]);
    for f in COMPARED {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("run tshark");
    assert!(
        out.status.success(),
        "tshark: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), samples.len());
    let mut compared = 0;
    let mut diffs = Vec::new();
    for ((name, f), line) in samples.iter().zip(&lines) {
        let ours = ours(f);
        for (field, theirs) in COMPARED.iter().zip(line.split('\t')) {
            let theirs: Vec<String> = theirs
                .split('|')
                .filter(|v| !v.is_empty())
                .map(normalize)
                .collect();
            let mine = ours.get(*field).cloned().unwrap_or_default();
            if theirs.is_empty() && mine.is_empty() {
                continue;
            }
            compared += 1;
            if theirs != mine {
                diffs.push(format!(
                    "{name} {field}: tshark {theirs:?}, nlscope {mine:?}"
                ));
            }
        }
    }
    println!("{compared} field lists compared with tshark");
    assert!(compared > 150, "only {compared} field lists compared");
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}
