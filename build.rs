//! Embeds every `assets/specs/*.yaml` into the binary (see `dissect::specs::EMBEDDED`).
// A build script may stop the build: a missing OUT_DIR or an unwritable file is cargo's bug.
#![allow(clippy::expect_used)]

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
    let mut out =
        String::from("/// Spec files compiled into the binary: (file name, YAML text).\n");
    out.push_str("pub static EMBEDDED: &[(&str, &str)] = &[\n");
    for n in &names {
        println!("cargo:rerun-if-changed=assets/specs/{n}");
        out.push_str(&format!(
            "    ({n:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/assets/specs/{n}\"))),\n"
        ));
    }
    out.push_str("];\n");
    let dest =
        Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_specs.rs");
    fs::write(dest, out).expect("write embedded spec list");
}
