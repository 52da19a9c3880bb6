//! Facts reader + validator + mapper + serializers, end to end on arbitrary bytes.
//!
//! The bytes are one facts document as `factgraph::facts::input` would hand it over (UTF-8, a leading BOM
//! removed). `validate` must return either a document or problems that are each located (line ≥ 1,
//! column ≥ 1, a JSON path starting with `$`, a message). A valid document is mapped, written in
//! every RDF format with `write_sorted`, and each output must parse back with Oxigraph's parsers into
//! exactly the mapped graph (quads for N-Quads, TriG and JSON-LD; triples for the others).

#![no_main]

use factgraph::facts::input::RawDocument;
use factgraph::rdf::iri::DEFAULT_BASE;
use factgraph::rdf::serialize::{write_sorted, Format};
use factgraph::rdf::Context;
use libfuzzer_sys::fuzz_target;
use oxigraph::io::RdfParser;
use oxigraph::model::{GraphName, Quad};
use std::collections::BTreeSet;
use std::sync::OnceLock;

fn setup() -> &'static Context {
    static SETUP: OnceLock<Context> = OnceLock::new();
    SETUP.get_or_init(|| Context::new(DEFAULT_BASE).expect("the context builds"))
}

fn as_set(quads: impl Iterator<Item = Quad>, keep_graphs: bool) -> BTreeSet<String> {
    quads
        .map(|mut q| {
            if !keep_graphs {
                q.graph_name = GraphName::DefaultGraph;
            }
            q.to_string()
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The input module skips blank JSON Lines and so does the fuzzer.
    if text.trim().is_empty() {
        return;
    }
    // Validation reads no files: every text_file is answered as missing, so nothing on this
    // machine is read.
    let raw = RawDocument { source: "fuzz", first_line: 1, text };
    let document = match factgraph::facts::validate::validate(raw, |_| Err("the fuzzer reads no files")) {
        Ok(document) => document,
        Err(problems) => {
            assert!(!problems.is_empty(), "an invalid document with no problem");
            let lines = text.split('\n').count() as u64;
            for p in &problems {
                assert_eq!(p.source, "fuzz");
                assert!(p.position.line >= 1 && p.position.column >= 1, "unlocated problem {p}");
                assert!(p.position.line <= lines, "problem past the last line ({lines}): {p}");
                assert!(p.path.starts_with('$'), "path without $: {p}");
                assert!(!p.message.is_empty(), "problem without a message: {p}");
            }
            return;
        }
    };
    let setup = setup();
    let quads = setup.mapper.map(&document);
    assert_eq!(quads, setup.mapper.map(&document), "mapping is not deterministic");
    let expected_quads = as_set(quads.iter().cloned(), true);
    let expected_triples = as_set(quads.iter().cloned(), false);
    for format in Format::ALL {
        let out =
            write_sorted(&quads, format, &setup.prefixes, Vec::new()).unwrap_or_else(|e| panic!("{} writer failed: {e}", format.name()));
        let parsed: Vec<Quad> = RdfParser::from_format(format.rdf_format())
            .for_slice(&out)
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{} output does not parse: {e}\n{}", format.name(), String::from_utf8_lossy(&out)));
        let keep = format.keeps_graphs();
        let parsed = as_set(parsed.into_iter(), keep);
        let expected = if keep { &expected_quads } else { &expected_triples };
        assert_eq!(&parsed, expected, "{} does not round-trip", format.name());
    }
});
