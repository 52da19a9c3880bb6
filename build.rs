//! Compiles the saved queries in `queries/` into the binary, so `factgraph query NAME` works from
//! any directory. (A `queries/` folder in the working directory, or `--queries DIR`, overrides them.)

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // Paths are relative to the package (cargo reads them so, and the included files are named from
    // the library's own CARGO_MANIFEST_DIR): a build script compiled for another checkout that
    // shares the target folder must not bundle that checkout's queries.
    println!("cargo::rerun-if-changed=queries");
    let dir = Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("queries");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    let mut code = String::from("&[\n");
    for path in entries {
        if path.extension().and_then(|e| e.to_str()) != Some("rq") {
            continue;
        }
        let file = path.file_name().and_then(|s| s.to_str()).expect("query file names are UTF-8");
        println!("cargo::rerun-if-changed=queries/{file}");
        let name = path.file_stem().and_then(|s| s.to_str()).expect("query file names are UTF-8");
        writeln!(code, "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/queries/{file}\"))),").unwrap();
    }
    code.push(']');
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bundled_queries.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
