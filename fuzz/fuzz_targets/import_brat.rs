//! The brat importer on arbitrary bytes: the article text, a NUL byte, then the `.ann` lines.
//!
//! The importer must return documents or problems that are each located (line ≥ 1 and within the
//! annotations, column ≥ 1, a message). Documents must be the same on a second run, and each must
//! pass validation exactly as `factgraph check` would read it back from the written JSON Lines.

#![no_main]

#[path = "import_common.rs"]
mod import_common;

use factgraph::import::Importer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let (text, annotations) = input.split_once('\0').unwrap_or((input, ""));
    import_common::check("fuzz.ann", annotations.split('\n').count() as u64, || {
        let mut importer = Importer::new(import_common::options());
        importer.brat("fuzz.ann", "fuzz", text, annotations);
        importer.finish()
    });
});
