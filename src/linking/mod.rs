//! Beside the pipeline: linking entities to Wikidata. Reading dumps into an index, deciding links
//! (or abstaining), and writing them into the store's links graph.

pub mod linker;
pub mod links;
pub mod wikidata;
