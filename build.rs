//! Compiles the saved queries in `queries/` into the binary, so `factgraph query NAME` works from
//! any directory. (A `queries/` folder in the working directory, or `--queries DIR`, overrides them.)

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=queries");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    let mut code = String::from("&[\n");
    for path in entries {
        if path.extension().and_then(|e| e.to_str()) != Some("rq") {
            continue;
        }
        println!("cargo::rerun-if-changed={}", path.display());
        let name = path.file_stem().and_then(|s| s.to_str()).expect("query file names are UTF-8");
        writeln!(code, "    ({name:?}, include_str!({:?})),", path.display().to_string()).unwrap();
    }
    code.push(']');
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bundled_queries.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
