//! The Wikidata dump line reader on arbitrary bytes: `IndexBuilder::read` must never panic and never
//! fail on data (a malformed line is a reported problem, not an error), must count every line, and
//! the items it keeps must be sorted, hold only item ids, and write out as an index that opens and
//! gives back what it keeps of every item.

#![no_main]

use factgraph::linking::wikidata::{numeric_id, IndexBuilder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut builder = IndexBuilder::new(vec!["en".to_string(), "de".to_string()]);
    builder.read(data, "fuzz").expect("reading from memory cannot fail");
    let (index, report) = builder.finish();
    let newlines = data.iter().filter(|b| **b == b'\n').count() as u64;
    let lines = newlines + u64::from(!data.is_empty() && !data.ends_with(b"\n"));
    assert_eq!(report.lines, lines, "lines counted");
    assert!(report.items + report.skipped + report.problems.len() as u64 <= report.lines);
    assert!(report.items as usize >= index.items.len(), "more items than were read");
    for problem in &report.problems {
        assert!(problem.line >= 1 && problem.line <= lines, "{problem}");
        assert_eq!(problem.source, "fuzz");
    }
    for pair in index.items.windows(2) {
        assert!(numeric_id(&pair[0].id) <= numeric_id(&pair[1].id), "unsorted ids {} {}", pair[0].id, pair[1].id);
    }
    // "A later duplicate replaces an earlier one": no id twice.
    let ids: std::collections::HashSet<&str> = index.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids.len(), index.items.len(), "an id is in the index twice");
    for item in &index.items {
        assert!(item.id.starts_with('Q') && numeric_id(&item.id) > 0, "{:?} is not an item id", item.id);
    }
    let mut out = Vec::new();
    factgraph::linking::index::write(&mut out, &index.languages, &index.items).expect("the index writes");
    let opened = factgraph::linking::index::Index::from_bytes("fuzz", out).expect("the index opens");
    assert_eq!(opened.len(), index.items.len());
    for (row, item) in index.items.iter().enumerate() {
        let mut expected = factgraph::linking::index::kept(item);
        expected.related.retain(|id| ids.contains(id.as_str()));
        assert_eq!(opened.item(row as u32).expect("every record decodes"), expected);
        assert_eq!(opened.row(&item.id), Some(row as u32));
    }
});
