//! The offline, explainable Wikidata linker: for each entity, candidates by normalised name, then a
//! score from name match, type compatibility, popularity, coherence with the article's other
//! entities and description overlap; it links only when the best score is high and clearly ahead of
//! the runner-up, and otherwise abstains (NIL). Every decision carries its features and runners-up.
//!
//! The entry point is [`Linker::new`] over an [`Index`], then [`Linker::link`] for the entities of
//! one article ([`Mention`]s). The weights, thresholds and type rules are constants here, documented
//! in `docs/linking.md`.

use crate::facts::EntityType;
use crate::linking::wikidata::{Index, Item};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use unicode_normalization::UnicodeNormalization;

/// Weight of the name match in the score.
pub const WEIGHT_NAME: f64 = 0.5;
/// Weight of type compatibility.
pub const WEIGHT_TYPE: f64 = 0.15;
/// Weight of popularity (sitelinks).
pub const WEIGHT_POPULARITY: f64 = 0.1;
/// Weight of coherence with the article's other entities.
pub const WEIGHT_COHERENCE: f64 = 0.15;
/// Weight of the overlap between the entity's description and the item's.
pub const WEIGHT_DESCRIPTION: f64 = 0.1;
/// The best candidate is linked only from this score on…
pub const THRESHOLD: f64 = 0.65;
/// …and only when it leads the runner-up by at least this much.
pub const MARGIN: f64 = 0.1;

/// What is linked: one entity of an article, with every name it goes by.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// A key the caller uses to find the decision again (an IRI, or `document/local-id`).
    pub key: String,
    /// The entity's type.
    pub kind: EntityType,
    /// The canonical name first, then aliases.
    pub names: Vec<String>,
    /// The entity's description, if any.
    pub description: Option<String>,
}

/// The words of an article (or of its evidence sentences), the context all its mentions share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    words: BTreeSet<String>,
}

impl Context {
    /// The context of a text.
    pub fn of(text: &str) -> Context {
        Context { words: words(text) }
    }
}

/// The parts of a candidate's score.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Features {
    /// How the entity's names match the item's: its canonical name against the item's label 1,
    /// against an alias 0.8; one of its aliases against the label 0.75, against an alias 0.55; plus
    /// 0.1 for each further name that matches, up to 1.
    pub name: f64,
    /// 1 when the item's classes (P31, then P279*) include one the entity type accepts; for a
    /// `place` also when the item has no known class; 0.4 when unknown for other types.
    pub kind: f64,
    /// ln(1 + sitelinks) / ln(1 + the most sitelinks in the index).
    pub popularity: f64,
    /// Share of the article's other entities that have a candidate related to this item (P17,
    /// P131, P463, P47, P27, … either way), counting two as full.
    pub coherence: f64,
    /// Share of the item's description words (up to four) found in the entity's names and
    /// description or in the article's text: "market town in Osterlich" against an article about a
    /// market town in Osterlich.
    pub description: f64,
}

impl Features {
    /// The weighted score, from 0 to 1.
    pub fn score(&self) -> f64 {
        WEIGHT_NAME * self.name
            + WEIGHT_TYPE * self.kind
            + WEIGHT_POPULARITY * self.popularity
            + WEIGHT_COHERENCE * self.coherence
            + WEIGHT_DESCRIPTION * self.description
    }
}

/// One scored candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The item id.
    pub qid: String,
    /// Its first label.
    pub label: String,
    /// Its description.
    pub description: Option<String>,
    /// The weighted score.
    pub score: f64,
    /// What made the score.
    pub features: Features,
    /// The name form through which it was found.
    pub matched: String,
}

/// The outcome for one mention.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The mention's key.
    pub key: String,
    /// The linked candidate, or `None` (NIL).
    pub link: Option<Candidate>,
    /// All candidates that passed the type filter, best first (the link, if any, is the first).
    pub candidates: Vec<Candidate>,
    /// Candidates refused for an incompatible type, with their class.
    pub refused: Vec<(String, String)>,
    /// Why it was linked or not, in words.
    pub reason: String,
}

/// A linker over one index.
pub struct Linker<'i> {
    index: &'i Index,
    by_name: HashMap<String, Vec<(u32, bool)>>,
    by_id: HashMap<&'i str, u32>,
    related: HashSet<(u32, u32)>,
    max_sitelinks: u32,
    ancestors: std::cell::RefCell<HashMap<u32, BTreeSet<String>>>,
}

/// Classes each entity type accepts (real Wikidata ids), matched through P31 and then P279*.
pub fn accepted_classes(kind: EntityType) -> &'static [&'static str] {
    match kind {
        EntityType::Person => &["Q5"],
        EntityType::Organisation => &["Q43229", "Q1127126", "Q245065"],
        EntityType::Country => &["Q6256", "Q3624078"],
        EntityType::City => &["Q515"],
        EntityType::Place => &["Q56061", "Q515", "Q6256", "Q3624078"],
        EntityType::Other | EntityType::Group => &[],
    }
}

/// Every class the rules know; an item in one that its mention's type does not accept conflicts.
const KNOWN_CLASSES: [&str; 8] = ["Q5", "Q43229", "Q1127126", "Q245065", "Q6256", "Q3624078", "Q515", "Q56061"];

/// Honorifics dropped from the start of a name.
const HONORIFICS: [&str; 11] = ["mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "president", "the", "st"];

/// Transliteration variants folded to one spelling (both sides of a match are folded alike).
const VARIANTS: [(&str, &str); 13] = [
    ("sergey", "sergei"),
    ("andrey", "andrei"),
    ("alexey", "alexei"),
    ("aleksei", "alexei"),
    ("aleksey", "alexei"),
    ("yury", "yuri"),
    ("yuriy", "yuri"),
    ("kiev", "kyiv"),
    ("dmitry", "dmitri"),
    ("dmitriy", "dmitri"),
    ("nikolay", "nikolai"),
    ("aleksandr", "alexander"),
    ("alexandr", "alexander"),
];

/// The form names are compared in: diacritics removed, lowercase, punctuation dropped (hyphens and
/// apostrophes join, the rest separate), leading honorifics dropped ("Mr", "Dr", "President"…),
/// and transliteration variants folded (Sergey → sergei, Kiev → kyiv).
pub fn normalise(name: &str) -> String {
    let mut cleaned = String::with_capacity(name.len());
    for c in name.nfkd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            cleaned.push(c);
        } else if matches!(c, '-' | '\'' | '\u{2019}' | '\u{2010}' | '\u{2011}') {
            continue;
        } else {
            cleaned.push(' ');
        }
    }
    let mut tokens: Vec<&str> = cleaned.split_whitespace().collect();
    while tokens.len() > 1 && HONORIFICS.contains(&tokens[0]) {
        tokens.remove(0);
    }
    let folded: Vec<String> = tokens
        .iter()
        .map(|t| match VARIANTS.iter().find(|(from, _)| from == t) {
            Some((_, to)) => (*to).to_string(),
            None => t.to_string(),
        })
        .collect();
    folded.join(" ")
}

fn words(text: &str) -> BTreeSet<String> {
    const STOP: [&str; 16] = ["a", "an", "and", "at", "by", "for", "in", "into", "its", "of", "on", "or", "the", "to", "with", "from"];
    normalise(text).split(' ').filter(|w| w.len() > 2 && !STOP.contains(w)).map(str::to_string).collect()
}

impl<'i> Linker<'i> {
    /// Indexes names, ids and relations of `index`.
    pub fn new(index: &'i Index) -> Linker<'i> {
        let mut by_name: HashMap<String, Vec<(u32, bool)>> = HashMap::new();
        let mut by_id = HashMap::with_capacity(index.items.len());
        for (i, item) in index.items.iter().enumerate() {
            let i = i as u32;
            by_id.insert(item.id.as_str(), i);
            for (names, is_label) in [(&item.labels, true), (&item.aliases, false)] {
                for name in names {
                    let key = normalise(name);
                    if key.is_empty() {
                        continue;
                    }
                    let entry = by_name.entry(key).or_default();
                    match entry.iter_mut().find(|(j, _)| *j == i) {
                        Some(existing) => existing.1 |= is_label,
                        None => entry.push((i, is_label)),
                    }
                }
            }
        }
        let mut related = HashSet::new();
        for (i, item) in index.items.iter().enumerate() {
            for target in &item.related {
                if let Some(&j) = by_id.get(target.as_str()) {
                    related.insert((i as u32, j));
                    related.insert((j, i as u32));
                }
            }
        }
        let max_sitelinks = index.items.iter().map(|i| i.sitelinks).max().unwrap_or(0);
        Linker { index, by_name, by_id, related, max_sitelinks, ancestors: Default::default() }
    }

    /// The item with id `qid`, if the index has it.
    pub fn item(&self, qid: &str) -> Option<&'i Item> {
        self.by_id.get(qid).map(|&i| &self.index.items[i as usize])
    }

    /// The classes of an item: its P31 values and everything above them through P279 (8 steps).
    pub fn classes(&self, qid: &str) -> BTreeSet<String> {
        let Some(&i) = self.by_id.get(qid) else { return BTreeSet::new() };
        if let Some(done) = self.ancestors.borrow().get(&i) {
            return done.clone();
        }
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut frontier: Vec<String> = self.index.items[i as usize].p31.clone();
        for _ in 0..8 {
            let mut next = Vec::new();
            for class in frontier {
                if seen.insert(class.clone()) {
                    if let Some(item) = self.item(&class) {
                        next.extend(item.p279.iter().cloned());
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        self.ancestors.borrow_mut().insert(i, seen.clone());
        seen
    }

    /// How an item's classes fit a type: `Some(score)` when acceptable, `None` when they conflict.
    pub fn type_fit(&self, kind: EntityType, qid: &str) -> Result<f64, String> {
        let accepted = accepted_classes(kind);
        if kind == EntityType::Other {
            return Ok(1.0);
        }
        let classes = self.classes(qid);
        if classes.iter().any(|c| accepted.contains(&c.as_str())) {
            return Ok(1.0);
        }
        if let Some(conflict) = classes.iter().find(|c| KNOWN_CLASSES.contains(&c.as_str())) {
            return Err(conflict.clone());
        }
        match kind {
            // A human is always typed so on Wikidata: a person must be a known human.
            EntityType::Person => Err(classes.iter().next().cloned().unwrap_or_else(|| "no class".into())),
            // Places have too many kinds of class to list: an unknown class is no evidence against.
            EntityType::Place => Ok(1.0),
            _ => Ok(0.4),
        }
    }

    /// Candidate items for a mention, with their name-match quality and the form that matched.
    fn candidates(&self, mention: &Mention) -> BTreeMap<u32, (f64, String)> {
        let mut found: BTreeMap<u32, (f64, String)> = BTreeMap::new();
        let mut matches: BTreeMap<u32, Vec<(f64, String)>> = BTreeMap::new();
        let mut seen_keys = BTreeSet::new();
        for (n, name) in mention.names.iter().enumerate() {
            let key = normalise(name);
            if !seen_keys.insert(key.clone()) {
                continue;
            }
            let Some(hits) = self.by_name.get(&key) else { continue };
            for &(item, is_label) in hits {
                let quality = match (n == 0, is_label) {
                    (true, true) => 1.0,
                    (true, false) => 0.8,
                    (false, true) => 0.75,
                    (false, false) => 0.55,
                };
                matches.entry(item).or_default().push((quality, name.clone()));
            }
        }
        for (item, mut hits) in matches {
            hits.sort_by(|a, b| b.0.total_cmp(&a.0));
            let quality = (hits[0].0 + 0.1 * (hits.len() - 1) as f64).min(1.0);
            found.insert(item, (quality, hits[0].1.clone()));
        }
        found
    }

    /// Links the entities of one article together: each one's context is the others, and the
    /// article's words.
    pub fn link(&self, mentions: &[Mention], article: &Context) -> Vec<Decision> {
        let pools: Vec<BTreeMap<u32, (f64, String)>> = mentions
            .iter()
            .map(|m| if m.kind == EntityType::Group { BTreeMap::new() } else { self.candidates(m) })
            .collect();
        mentions
            .iter()
            .enumerate()
            .map(|(i, mention)| {
                let context: Vec<&BTreeMap<u32, (f64, String)>> =
                    pools.iter().enumerate().filter(|(j, p)| *j != i && !p.is_empty()).map(|(_, p)| p).collect();
                self.decide(mention, &pools[i], &context, article)
            })
            .collect()
    }

    fn decide(
        &self,
        mention: &Mention,
        pool: &BTreeMap<u32, (f64, String)>,
        context: &[&BTreeMap<u32, (f64, String)>],
        article: &Context,
    ) -> Decision {
        let mut decision = Decision { key: mention.key.clone(), link: None, candidates: Vec::new(), refused: Vec::new(), reason: String::new() };
        if mention.kind == EntityType::Group {
            decision.reason = "a collective or unnamed actor has no Wikidata item".into();
            return decision;
        }
        let mut entity_words = mention.description.as_deref().map(words).unwrap_or_default();
        for name in &mention.names {
            entity_words.extend(words(name));
        }
        for (&i, (quality, matched)) in pool {
            let item = &self.index.items[i as usize];
            let kind = match self.type_fit(mention.kind, &item.id) {
                Ok(kind) => kind,
                Err(class) => {
                    decision.refused.push((item.id.clone(), class));
                    continue;
                }
            };
            let popularity = if self.max_sitelinks == 0 {
                0.0
            } else {
                (1.0 + f64::from(item.sitelinks)).ln() / (1.0 + f64::from(self.max_sitelinks)).ln()
            };
            let supporters = context
                .iter()
                .filter(|other| other.keys().any(|&j| j != i && self.related.contains(&(i, j))))
                .count();
            let coherence = (supporters as f64 / 2.0).min(1.0);
            let item_words = item.description.as_deref().map(words).unwrap_or_default();
            let description = if item_words.is_empty() {
                0.0
            } else {
                let shared = item_words.iter().filter(|w| entity_words.contains(*w) || article.words.contains(*w)).count();
                (shared as f64 / item_words.len().min(4) as f64).min(1.0)
            };
            let features = Features { name: *quality, kind, popularity, coherence, description };
            decision.candidates.push(Candidate {
                qid: item.id.clone(),
                label: item.labels.first().cloned().unwrap_or_default(),
                description: item.description.clone(),
                score: features.score(),
                features,
                matched: matched.clone(),
            });
        }
        decision
            .candidates
            .sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| crate::linking::wikidata::numeric_id(&a.qid).cmp(&crate::linking::wikidata::numeric_id(&b.qid))));
        match decision.candidates.as_slice() {
            [] if decision.refused.is_empty() => decision.reason = "no item has this name".into(),
            [] => {
                decision.reason = format!(
                    "no item of a compatible type: refused {}",
                    decision.refused.iter().map(|(q, c)| format!("{q} (class {c})")).collect::<Vec<_>>().join(", ")
                )
            }
            [best, rest @ ..] => {
                let runner_up = rest.first().map_or(0.0, |c| c.score);
                if best.score < THRESHOLD {
                    decision.reason = format!("best score {:.2} is below {THRESHOLD}", best.score);
                } else if best.score - runner_up < MARGIN {
                    decision.reason = format!(
                        "ambiguous: {} scores {:.2}, {} {:.2} (margin under {MARGIN})",
                        best.qid, best.score, rest[0].qid, runner_up
                    );
                } else {
                    decision.reason = format!("score {:.2}, ahead of the runner-up by {:.2}", best.score, best.score - runner_up);
                    decision.link = Some(best.clone());
                }
            }
        }
        decision
    }
}

/// Precision, recall and NIL accuracy of decisions against expected links.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evaluation {
    /// Entities evaluated.
    pub total: usize,
    /// Links made that match the gold.
    pub correct_links: usize,
    /// Links made that do not (wrong item, or a link where the gold says NIL).
    pub wrong_links: usize,
    /// Gold links the linker did not make (NIL instead).
    pub missed: usize,
    /// Gold NILs the linker left NIL.
    pub correct_nils: usize,
    /// Gold NILs in all.
    pub gold_nils: usize,
    /// Gold links in all.
    pub gold_links: usize,
    /// The mistakes, as (key, expected, got).
    pub errors: Vec<(String, String, String)>,
}

impl Evaluation {
    /// Scores `decisions` against `gold` (key → expected QID or "NIL").
    pub fn of(decisions: &[Decision], gold: &BTreeMap<String, String>) -> Evaluation {
        let mut e = Evaluation::default();
        let by_key: HashMap<&str, &Decision> = decisions.iter().map(|d| (d.key.as_str(), d)).collect();
        for (key, expected) in gold {
            e.total += 1;
            let got = by_key.get(key.as_str()).and_then(|d| d.link.as_ref()).map_or("NIL", |c| c.qid.as_str());
            let expected_nil = expected == "NIL";
            if expected_nil {
                e.gold_nils += 1;
            } else {
                e.gold_links += 1;
            }
            match (expected_nil, got == "NIL") {
                (true, true) => e.correct_nils += 1,
                (false, true) => {
                    e.missed += 1;
                    e.errors.push((key.clone(), expected.clone(), got.to_string()));
                }
                (_, false) if got == expected => e.correct_links += 1,
                (_, false) => {
                    e.wrong_links += 1;
                    e.errors.push((key.clone(), expected.clone(), got.to_string()));
                }
            }
        }
        e
    }

    /// Correct links / links made (1 when none were made).
    pub fn precision(&self) -> f64 {
        let made = self.correct_links + self.wrong_links;
        if made == 0 { 1.0 } else { self.correct_links as f64 / made as f64 }
    }

    /// Correct links / gold links (1 when there are none).
    pub fn recall(&self) -> f64 {
        if self.gold_links == 0 { 1.0 } else { self.correct_links as f64 / self.gold_links as f64 }
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }

    /// Gold NILs left NIL / gold NILs (1 when there are none).
    pub fn nil_accuracy(&self) -> f64 {
        if self.gold_nils == 0 { 1.0 } else { self.correct_nils as f64 / self.gold_nils as f64 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_compared_without_case_accents_honorifics_or_spelling_variants() {
        assert_eq!(normalise("Mr. Sergey Lavrov"), "sergei lavrov");
        assert_eq!(normalise("Dvořák"), "dvorak");
        assert_eq!(normalise("Kiev"), normalise("Kyiv"));
        assert_eq!(normalise("St. Ives"), normalise("St Ives"));
        assert_eq!(normalise("Co-operation"), "cooperation");
        assert_eq!(normalise("President Joe Biden"), "joe biden");
        assert_eq!(normalise("The"), "the");
    }
}
