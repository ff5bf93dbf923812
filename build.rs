//! Embeds every `assets/specs/*.yaml` into the binary (see `dissect::specs::EMBEDDED`), each
//! parsed here and packed (`src/dissect/specs/load/packed.rs`): parsing YAML at every start
//! cost most of a short run's time (about 60 ms of `nlscope read`), and the JSON that replaced
//! it still a third of loading the specs; the packed document is read without parsing text.
//! A file that does not parse is embedded as YAML, so the loader reports its error as before.
// A build script may stop the build: a missing OUT_DIR or an unwritable file is cargo's bug.
#![allow(clippy::expect_used)]

#[path = "src/dissect/specs/load/packed.rs"]
mod packed;

use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new("assets/specs");
    println!("cargo:rerun-if-changed=assets/specs");
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".yaml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let packed_dir = Path::new(&out_dir).join("specs");
    fs::create_dir_all(&packed_dir).expect("create OUT_DIR/specs");
    let mut out = String::from(
        "/// Spec files compiled into the binary: file name, bytes, whether packed (else YAML),\n\
         /// and for a packed one with a plain head, its family name and netlink-raw protocol\n\
         /// number (`\"\"`: none; the file is then loaded at start, its errors reported).\n",
    );
    out.push_str("pub static EMBEDDED: &[Embedded] = &[\n");
    for n in &names {
        println!("cargo:rerun-if-changed=assets/specs/{n}");
        let doc = fs::read_to_string(dir.join(n))
            .ok()
            .and_then(|t| serde_norway::from_str::<serde_norway::Value>(&t).ok());
        match doc.as_ref().and_then(|v| Some((packed::encode(v)?, head(v)))) {
            Some((b, head)) => {
                let file = packed_dir.join(format!("{n}.bin"));
                fs::write(&file, b).expect("write packed spec");
                let (name, raw) = head.unwrap_or_default();
                out.push_str(&format!(
                    "    Embedded {{ file: {n:?}, bytes: include_bytes!({file:?}), packed: true, name: {name:?}, raw_protonum: {raw:?} }},\n"
                ));
            }
            None => out.push_str(&format!(
                "    Embedded {{ file: {n:?}, bytes: include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/assets/specs/{n}\")), packed: false, name: \"\", raw_protonum: None }},\n"
            )),
        }
    }
    out.push_str("];\n");
    let dest = Path::new(&out_dir).join("embedded_specs.rs");
    fs::write(dest, out).expect("write embedded spec list");
}

/// The family name of spec `v` and, for netlink-raw, its protocol number, as the loader will
/// read them (the registry files a spec by these before loading it); `None` when the head is
/// anything but plain (a missing name, an unknown protocol, a number outside 0..=31).
fn head(v: &serde_norway::Value) -> Option<(String, Option<u32>)> {
    let name = v.get("name")?.as_str()?.to_string();
    let raw = match v.get("protocol").map(|p| p.as_str()) {
        None => false,
        Some(Some("genetlink" | "genetlink-c" | "genetlink-legacy")) => false,
        Some(Some("netlink-raw")) => true,
        Some(_) => return None,
    };
    let protonum = match v.get("protonum") {
        None => None,
        Some(n) => Some(u32::try_from(n.as_u64()?).ok().filter(|n| *n <= 31)?),
    };
    Some((name, protonum.filter(|_| raw)))
}
