//! The linker's index reader on arbitrary bytes, and on a real index edited past its checksums:
//! opening must refuse or succeed without panicking, and an opened index must decode or refuse
//! every record and give only rows it has (its blocks are checked when first read).

#![no_main]

use factgraph::linking::index::{reseal, write, Index};
use factgraph::linking::wikidata::Item;
use libfuzzer_sys::fuzz_target;

/// A small index whose three items share one description, so its descriptions section is read too.
fn index_bytes() -> Vec<u8> {
    let item = |id: &str, label: &str, related: &[&str]| Item {
        id: id.into(),
        labels: vec![label.into()],
        aliases: vec![format!("{label} alias")],
        description: Some("a place of legend".into()),
        p31: vec!["Q515".into()],
        related: related.iter().map(|r| r.to_string()).collect(),
        sitelinks: 3,
        ..Item::default()
    };
    let items = [item("Q1", "Marlow", &["Q2"]), item("Q2", "Avalon", &[]), item("Q515", "city", &[])];
    let mut out = Vec::new();
    write(&mut out, &["en".to_string()], &items).expect("writes to memory");
    out
}

fn exercise(index: &Index) {
    for row in 0..index.len() as u32 + 1 {
        let _ = index.item(row);
    }
    for key in ["marlow", "avalon", "city", "marlow alias", ""] {
        if let Ok(hits) = index.lookup(key) {
            assert!(hits.iter().all(|&(row, _)| (row as usize) < index.len()), "a row out of range");
        }
    }
    for qid in ["Q1", "Q2", "Q3", "Q515"] {
        if let Ok(Some(row)) = index.find_row(qid) {
            assert!((row as usize) < index.len(), "a row out of range");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(index) = Index::from_bytes("fuzz", data.to_vec()) {
        exercise(&index);
    }
    // Edits at the offsets and values the data gives, then resealed, outside the names section
    // (the FST's own format, read only once its blocks' checksums hold).
    let mut bytes = index_bytes();
    let names = Index::from_bytes("fuzz", bytes.clone()).expect("a written index opens").names_range();
    for pair in data.chunks_exact(3) {
        let at = u16::from_le_bytes([pair[0], pair[1]]) as usize % bytes.len();
        if !names.contains(&at) {
            bytes[at] ^= pair[2];
        }
    }
    reseal(&mut bytes);
    if let Ok(index) = Index::from_bytes("fuzz", bytes) {
        exercise(&index);
    }
});
