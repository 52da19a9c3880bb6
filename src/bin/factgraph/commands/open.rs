//! Opening the store for writing, and telling the user what that costs: a write drops the store's
//! kept listings (`factgraph::store::listings`), which `optimize` keeps again.

use std::path::Path;
use factgraph::store::KnowledgeBase;
use crate::error::Result;
use crate::output::Style;

/// Whether the store at `store` keeps listings (which opening it for writing drops).
pub(crate) fn has_listings(store: &Path) -> bool {
    store.join(factgraph::store::LISTINGS_DIR).is_dir()
}

/// Says that a write dropped the store's kept listings, and how to keep them again.
pub(crate) fn note_listings_dropped() {
    eprintln!("{} the kept listings were dropped (the store changed); `factgraph optimize --no-compact` keeps them again", Style::stderr().bold("note:"));
}

/// Opens the store at `store` for writing, saying so if that drops its kept listings.
pub(crate) fn open_for_writing(store: &Path) -> Result<KnowledgeBase> {
    let had_listings = has_listings(store);
    let kb = KnowledgeBase::open(store)?;
    if had_listings {
        note_listings_dropped();
    }
    Ok(kb)
}
