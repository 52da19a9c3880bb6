//! The spaCy importer on arbitrary bytes: `Doc.to_json()` as one object, an array, or JSON Lines.
//!
//! The importer must return documents or problems that are each located (line ≥ 1 and within the
//! input, column ≥ 1, a message). Documents must be the same on a second run, and each must pass
//! validation exactly as `factgraph check` would read it back from the written JSON Lines.

#![no_main]

#[path = "import_common.rs"]
mod import_common;

use factgraph::import::Importer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for lines in [false, true] {
        import_common::check("fuzz", text.split('\n').count() as u64, || {
            let mut importer = Importer::new(import_common::options());
            importer.spacy("fuzz", "fuzz", text, lines);
            importer.finish()
        });
    }
});
