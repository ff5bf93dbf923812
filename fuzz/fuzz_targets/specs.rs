//! The YNL spec loader: any text is loaded as a spec file; a spec that loads lists its filter
//! fields (every path through its nested sets) and decodes the netlink messages after the
//! first NUL byte (dissector-target framing): as generic netlink family id 0x20 or, for a
//! netlink-raw spec, as its protocol (or protocol 31 when it names none).
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use nlscope::dissect::Dissector;
use nlscope::dissect::fields::Catalog;
use nlscope::dissect::specs::{Protocol, SpecRegistry, SpecSource, load_spec};
use nlscope_fuzz::{dissect_frames, parse_frames};

fuzz_target!(|data: &[u8]| {
    let (text, msgs) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let Ok(spec) = load_spec(text, SpecSource::File(PathBuf::from("fuzz.yaml"))) else {
        return;
    };
    let name = spec.name.clone();
    let raw = (spec.protocol == Protocol::NetlinkRaw).then(|| spec.protonum.unwrap_or(31));
    let mut reg = SpecRegistry::new();
    reg.insert(spec);
    let _ = Catalog::new(&reg).paths().len();
    let mut dis = Dissector::new(reg);
    match raw {
        Some(p) => {
            let _ = dis.pin_protocol(p, &name);
        }
        None => dis.pin_genl(0x20, &name),
    }
    let (endian, frames) = parse_frames(msgs);
    dissect_frames(&mut dis, endian, &frames, None);
});
