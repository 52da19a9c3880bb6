//! Which items an index keeps (`factgraph wikidata index --keep`): all of them, or only those that
//! could ever be candidates.
//!
//! - [`Keep::types`]: items that are instances (P31) of a class the linker accepts for some entity
//!   type ([`crate::linking::linker::type_classes`]), directly or through at most seven
//!   subclass-of (P279) steps, as far as the linker itself looks; and items without any P31,
//!   which the linker cannot refuse for any type but a person. Items of other classes are dropped: an `other` or `group` mention
//!   (which accepts any class) can no longer link to them.
//! - [`Keep::languages`]: items with a name (label, alias or demonym) in the index's languages.
//!
//! One streaming pass cannot know the P279 closure before the dump's end, so the decision is taken
//! when the index is finished: while reading, the writer keeps every item's P31 classes and name
//! flag beside its id in the externally sorted ids (bounded by `--memory`), and in memory only the
//! P279 edges of the dump ([`ClassGraph`]: 16 bytes an edge) and each distinct combination of P31
//! classes. At the end it computes the classes below the linker's within seven steps, keeps the
//! items that pass, and keeps too every class the linker walks from those items' P31 classes (up
//! seven P279 steps), so that [`crate::linking::linker::Linker::classes`] answers for a kept item
//! exactly as it would with every item kept.

use crate::linking::wikidata::numeric_id;
use std::collections::{HashMap, HashSet};

/// The P279 steps the linker walks above an item's P31 classes (`Linker::classes` reads this:
/// eight levels, the P31 classes and seven above them).
pub const CLASS_STEPS: usize = 7;

/// Which items an index keeps; the default keeps all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keep {
    /// Only instances of these classes (the linker's: [`crate::linking::linker::type_classes`])
    /// through P279, or of no class, and the classes the linker walks.
    pub types: Option<Vec<String>>,
    /// Only items with a name in the index's languages (and the classes the linker walks).
    pub languages: bool,
}

impl Keep {
    /// Whether every item is kept.
    pub fn all(&self) -> bool {
        self.types.is_none() && !self.languages
    }
}

/// What a build kept and dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeepReport {
    /// Items written into the index (distinct ids).
    pub items: u64,
    /// Of those, items kept only because the linker walks them as classes.
    pub classes: u64,
    /// Items dropped without a name in the index's languages.
    pub without_name: u64,
    /// Items dropped (with a name, or without `--keep languages`) as instances of classes of which
    /// none is one the linker accepts.
    pub not_typed: u64,
}

/// The class graph gathered while reading: every P279 edge, and the distinct P31 combinations of
/// the items that may be kept.
#[derive(Debug, Default)]
pub struct ClassGraph {
    /// (subclass, superclass) numeric ids.
    edges: Vec<(u64, u64)>,
    combinations: HashSet<Box<[u64]>>,
}

impl ClassGraph {
    /// Notes an item's P279 classes, and its P31 classes (ascending numeric ids) when it may be kept.
    pub fn add(&mut self, id: u64, p279: &[u64], p31: Option<&[u64]>) {
        self.edges.extend(p279.iter().map(|&class| (id, class)));
        if let Some(p31) = p31.filter(|p31| !p31.is_empty()) {
            if !self.combinations.contains(p31) {
                self.combinations.insert(p31.into());
            }
        }
    }

    /// The decision for every item: the classes whose instances are of a linked type, and the
    /// classes the linker walks from the kept items.
    pub fn finish(mut self, keep: &Keep) -> Classes {
        self.edges.sort_unstable();
        self.edges.dedup();
        let typed = keep.types.as_ref().map(|roots| below_roots(&self.edges, roots.iter().map(|q| numeric_id(q)).collect()));
        let kept_combination = |c: &Box<[u64]>| typed.as_ref().is_none_or(|typed| c.iter().any(|class| typed.contains(class)));
        let starts: HashSet<u64> = self.combinations.iter().filter(|c| kept_combination(c)).flat_map(|c| c.iter().copied()).collect();
        let walked = above(&self.edges, starts);
        Classes { typed, walked }
    }
}

/// The classes at most [`CLASS_STEPS`] P279 steps below one of `roots` (the roots included).
fn below_roots(edges: &[(u64, u64)], roots: HashSet<u64>) -> HashSet<u64> {
    let mut children: HashMap<u64, Vec<u64>> = HashMap::new();
    for &(child, parent) in edges {
        children.entry(parent).or_default().push(child);
    }
    walk(roots, |class| children.get(&class).map_or(&[][..], Vec::as_slice).to_vec())
}

/// `starts` and the classes at most [`CLASS_STEPS`] P279 steps above them (`edges` sorted).
fn above(edges: &[(u64, u64)], starts: HashSet<u64>) -> HashSet<u64> {
    walk(starts, |class| {
        let from = edges.partition_point(|&(child, _)| child < class);
        edges[from..].iter().take_while(|&&(child, _)| child == class).map(|&(_, parent)| parent).collect()
    })
}

/// Breadth-first from `starts` through `next`, at most [`CLASS_STEPS`] steps.
fn walk(starts: HashSet<u64>, next: impl Fn(u64) -> Vec<u64>) -> HashSet<u64> {
    let mut seen = starts.clone();
    let mut frontier: Vec<u64> = starts.into_iter().collect();
    for _ in 0..CLASS_STEPS {
        let mut further = Vec::new();
        for class in frontier {
            for up in next(class) {
                if seen.insert(up) {
                    further.push(up);
                }
            }
        }
        if further.is_empty() {
            break;
        }
        frontier = further;
    }
    seen
}

/// Why an item is kept or dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It may be a candidate.
    Candidate,
    /// Only the linker's class walk needs it.
    Class,
    /// Dropped: no name in the index's languages.
    WithoutName,
    /// Dropped: it has P31 classes, and none the linker accepts.
    NotTyped,
}

/// The classes a [`ClassGraph`] settled on.
#[derive(Debug, Default)]
pub struct Classes {
    /// With `--keep types`: the classes whose instances are kept.
    typed: Option<HashSet<u64>>,
    /// The classes the linker walks from the kept items' P31 classes.
    walked: HashSet<u64>,
}

impl Classes {
    /// The verdict on item `id` with `named` (a name in the languages) and `p31` classes.
    pub fn verdict(&self, keep: &Keep, id: u64, named: bool, p31: &[u64]) -> Verdict {
        let typed = p31.is_empty() || self.typed.as_ref().is_none_or(|typed| p31.iter().any(|c| typed.contains(c)));
        match (keep.languages && !named, typed) {
            (false, true) => Verdict::Candidate,
            _ if self.walked.contains(&id) => Verdict::Class,
            (true, _) => Verdict::WithoutName,
            (false, false) => Verdict::NotTyped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closure_stops_where_the_linker_stops() {
        // A chain 900 → 901 → … → 908 → Q515 (city): 908 is one step below, 900 nine.
        let mut graph = ClassGraph::default();
        for n in 900..908u64 {
            graph.add(n, &[n + 1], None);
        }
        graph.add(908, &[515], None);
        graph.add(1, &[], Some(&[902]));
        graph.add(2, &[], Some(&[900, 77]));
        graph.add(77, &[78], None);
        let keep = &Keep { types: Some(vec!["Q515".into()]), languages: false };
        let classes = graph.finish(keep);
        assert_eq!(classes.verdict(keep, 1, true, &[902]), Verdict::Candidate, "seven steps up");
        assert_eq!(classes.verdict(keep, 2, true, &[900, 77]), Verdict::NotTyped, "nine steps up");
        assert_eq!(classes.verdict(keep, 909, true, &[901]), Verdict::NotTyped, "eight steps up: past the linker's walk");
        assert_eq!(classes.verdict(keep, 515, true, &[24017414]), Verdict::Class, "the linker walks from 902 to Q515");
        assert_eq!(classes.verdict(keep, 78, true, &[24017414]), Verdict::NotTyped, "2 is not kept, so neither are its classes");
        assert_eq!(classes.verdict(keep, 3, true, &[]), Verdict::Candidate, "no class: the linker refuses it only for a person");
        let languages = &Keep { types: None, languages: true };
        assert_eq!(Classes::default().verdict(languages, 5, false, &[]), Verdict::WithoutName);
    }
}
