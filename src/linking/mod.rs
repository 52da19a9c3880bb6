//! Beside the pipeline: linking entities to Wikidata. Reading dumps into an on-disk index, deciding links
//! (or abstaining), writing them into the store's links graph, and the policy that ties these
//! together for `factgraph link`.

pub mod bz2;
pub mod index;
pub mod keep;
pub mod linker;
pub mod links;
pub mod names;
pub mod policy;
pub mod sort;
pub mod wikidata;
