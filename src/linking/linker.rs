//! The offline, explainable Wikidata linker: for each entity, candidates by normalised name, then a
//! score from name match, type compatibility, popularity, coherence with the article's other
//! entities and description overlap; it links only when the best score is high and clearly ahead of
//! the runner-up, and otherwise abstains (NIL). Every decision carries its features and runners-up.
//! Scores are whole points (thousandths) compared exactly; popularity is a prior that counts in the
//! margin but never towards the threshold; one related neighbour outweighs any popularity gap; a
//! demonym or a short or common alias counts only with type and context behind it.
//!
//! The entry point is [`Linker::new`] over an [`Index`], then [`Linker::link`] for the entities of
//! one article ([`Mention`]s). The weights, thresholds and type rules are constants here, documented
//! in `docs/linking.md`.

use crate::facts::EntityType;
use crate::linking::index::Index;
use crate::linking::wikidata::{numeric_id, Item};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;
use std::sync::{Arc, Mutex};
pub use crate::linking::names::{normalise, normalise_person, NameMatch};

/// Scores are whole points, in thousandths; these are the most each feature gives (1000 in all).
/// The canonical name equal to the item's label.
pub const NAME_LABEL: u32 = 500;
/// The canonical name equal to one of the item's aliases (or demonyms).
pub const NAME_ALIAS: u32 = 300;
/// One of the entity's other names equal to the item's label.
pub const NAME_OTHER_LABEL: u32 = 275;
/// One of the entity's other names equal to one of the item's aliases (or demonyms).
pub const NAME_OTHER_ALIAS: u32 = 200;
/// Each further name of the entity that matches, up to [`NAME_LABEL`] in all.
pub const NAME_FURTHER: u32 = 100;
/// The item's classes include one the entity's type accepts.
pub const TYPE_ACCEPTED: u32 = 150;
/// The item's classes are neither accepted nor refused by the entity's type (or it has none).
pub const TYPE_UNKNOWN: u32 = 100;
/// Popularity: the most sitelinks in the index.
pub const POPULARITY: u32 = 50;
/// Coherence: one or more of the article's other entities have a candidate related to the item.
pub const COHERENCE: u32 = 200;
/// Description: every word of the item's description (up to four) found in the entity or article.
pub const DESCRIPTION: u32 = 100;
/// The best candidate is linked only when its score without popularity (a prior, never evidence
/// enough) reaches this…
pub const THRESHOLD: u32 = 650;
/// …and only when it leads the runner-up by at least this much.
pub const MARGIN: u32 = 100;

/// Points (thousandths) as a decimal, exactly: 650 → "0.650".
pub fn points(value: u32) -> String {
    format!("{}.{:03}", value / 1000, value % 1000)
}

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

/// The parts of a candidate's score, in points (thousandths); see the constants for each one's
/// most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Features {
    /// How the entity's names match the item's: [`NAME_LABEL`], [`NAME_ALIAS`],
    /// [`NAME_OTHER_LABEL`] or [`NAME_OTHER_ALIAS`] for the best match, plus [`NAME_FURTHER`] for
    /// each further name that matches, up to [`NAME_LABEL`].
    pub name: u32,
    /// [`TYPE_ACCEPTED`] when the item's classes (P31, then P279*) include one the entity type
    /// accepts, [`TYPE_UNKNOWN`] when they include none it accepts or refuses.
    pub kind: u32,
    /// [`POPULARITY`] × ln(1 + sitelinks) / ln(1 + the most sitelinks in the index), rounded.
    pub popularity: u32,
    /// [`COHERENCE`] when one or more of the article's other entities have a candidate related to
    /// this item (P17, P131, P463, P47, P27, P36, P1376, … either way).
    pub coherence: u32,
    /// [`DESCRIPTION`] × the share of the item's description words (up to four) found in the
    /// entity's names and description or in the article's text, rounded down: "market town in
    /// Osterlich" against an article about a market town in Osterlich.
    pub description: u32,
}

impl Features {
    /// The score: the sum of the features, from 0 to 1000.
    pub fn score(&self) -> u32 {
        self.name + self.kind + self.popularity + self.coherence + self.description
    }

    /// The features in words: "name 0.500, type 0.150, …".
    pub fn describe(&self) -> String {
        format!(
            "name {}, type {}, popularity {}, coherence {}, description {}",
            points(self.name),
            points(self.kind),
            points(self.popularity),
            points(self.coherence),
            points(self.description)
        )
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
    /// The score in points (thousandths), compared exactly.
    pub points: u32,
    /// The score as a number (`points` / 1000), for display and the store.
    pub score: f64,
    /// What made the score.
    pub features: Features,
    /// The name form through which it was found.
    pub matched: String,
    /// How that name matched.
    pub how: NameMatch,
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
    /// Candidates found only through a demonym or a weak alias, without the type and context
    /// support that needs, with that name.
    pub unsupported: Vec<(String, String)>,
    /// Why it was linked or not, in words.
    pub reason: String,
}

/// Items (and their classes) a linker keeps decoded unless told otherwise ([`Linker::with_cache`]).
pub const DEFAULT_CACHE: usize = 50_000;

/// A map that holds at most `capacity` entries, those used most recently: two generations, the
/// older dropped whole when the newer is full, and an entry found in the older moved to the newer.
/// Constant time, and no list of uses to keep.
pub struct Recent<K, V> {
    capacity: usize,
    new: HashMap<K, V>,
    old: HashMap<K, V>,
}

impl<K: Hash + Eq, V: Clone> Recent<K, V> {
    /// An empty map of at most `capacity` entries (at least 2).
    pub fn new(capacity: usize) -> Recent<K, V> {
        Recent { capacity: capacity.max(2), new: HashMap::new(), old: HashMap::new() }
    }

    /// The value of `key`, if it is kept.
    pub fn get(&mut self, key: &K) -> Option<V> {
        if let Some(value) = self.new.get(key) {
            return Some(value.clone());
        }
        let (key, value) = self.old.remove_entry(key)?;
        self.insert(key, value.clone());
        Some(value)
    }

    /// Keeps `value` for `key`, dropping the least recently used entries when full.
    pub fn insert(&mut self, key: K, value: V) {
        if self.new.len() >= self.capacity / 2 && !self.new.contains_key(&key) {
            self.old = std::mem::take(&mut self.new);
        }
        self.new.insert(key, value);
    }

    /// Entries kept.
    pub fn len(&self) -> usize {
        self.new.len() + self.old.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A linker over one index. Items and their classes are decoded from the index when needed and
/// the most recently used are kept, up to a number set when it is made.
pub struct Linker<'i> {
    index: &'i Index,
    items: Mutex<Recent<u32, Option<Arc<Item>>>>,
    ancestors: Mutex<Recent<u32, Arc<BTreeSet<String>>>>,
}

/// Classes each entity type accepts (real Wikidata ids), matched through P31 and then P279*.
pub fn accepted_classes(kind: EntityType) -> &'static [&'static str] {
    match kind {
        EntityType::Person => &["Q5"],
        EntityType::Organisation => &["Q43229", "Q1127126", "Q245065"],
        EntityType::Country => &["Q6256", "Q3624078"],
        EntityType::City => &["Q515"],
        EntityType::Place => &GEOGRAPHIC_CLASSES,
        EntityType::Other | EntityType::Group => &[],
    }
}

/// Every class some entity type accepts, each once: the classes whose instances (through P279)
/// `wikidata index --keep types` keeps.
pub fn type_classes() -> Vec<String> {
    let kinds = [EntityType::Person, EntityType::Organisation, EntityType::Country, EntityType::City, EntityType::Place, EntityType::Group, EntityType::Other];
    let classes: BTreeSet<&str> = kinds.into_iter().flat_map(accepted_classes).copied().collect();
    classes.into_iter().map(str::to_string).collect()
}

/// Geographic classes, which `place` accepts: administrative territorial entity, city, country,
/// sovereign state, human settlement, geographic location, geographic region, geographical feature,
/// political territorial entity, human-geographic territorial entity, federated state, state of the
/// United States, continent, island, body of water, landform.
pub const GEOGRAPHIC_CLASSES: [&str; 16] = [
    "Q56061", "Q515", "Q6256", "Q3624078", "Q486972", "Q2221906", "Q82794", "Q618123", "Q1048835", "Q15642541", "Q107390",
    "Q35657", "Q5107", "Q23442", "Q15324", "Q271669",
];

/// Classes that are never a place, though names of places often match them: language, ethnic
/// group, nationality, group of humans, work, creative work, written work, film, album, musical
/// work, television series, disambiguation page, Wikimedia internal item, taxon, occupation,
/// academic discipline.
pub const NOT_PLACES: [&str; 16] = [
    "Q34770", "Q41710", "Q231002", "Q16334295", "Q386724", "Q17537576", "Q47461344", "Q11424", "Q482994", "Q2188189",
    "Q5398426", "Q4167410", "Q17442446", "Q16521", "Q12737077", "Q11862829",
];

/// Every class the rules know; an item in one that its mention's type does not accept conflicts.
const KNOWN_CLASSES: [&str; 8] = ["Q5", "Q43229", "Q1127126", "Q245065", "Q6256", "Q3624078", "Q515", "Q56061"];

fn words(text: &str) -> BTreeSet<String> {
    const STOP: [&str; 16] = ["a", "an", "and", "at", "by", "for", "in", "into", "its", "of", "on", "or", "the", "to", "with", "from"];
    let mut words = BTreeSet::new();
    // Line by line, the same words as the whole text's (lines end in a space, and the leading "the"
    // dropped is a stop word): one curly quote sends only its own line through the Unicode tables.
    for line in text.lines() {
        for word in normalise(line).split(' ') {
            if word.len() > 2 && !STOP.contains(&word) && !words.contains(word) {
                words.insert(word.to_string());
            }
        }
    }
    words
}

/// A mention's candidates: item → (name points, the name that matched best, how).
type Pool = BTreeMap<u32, (u32, String, NameMatch)>;

impl<'i> Linker<'i> {
    /// A linker over `index` that keeps [`DEFAULT_CACHE`] items decoded.
    pub fn new(index: &'i Index) -> Linker<'i> {
        Linker::with_cache(index, DEFAULT_CACHE)
    }

    /// A linker over `index` that keeps at most `items` items, and the classes of as many, decoded.
    pub fn with_cache(index: &'i Index, items: usize) -> Linker<'i> {
        Linker { index, items: Mutex::new(Recent::new(items)), ancestors: Mutex::new(Recent::new(items)) }
    }

    /// The item in row `row`; `None` for a record the index cannot decode (never a guess).
    fn row(&self, row: u32) -> Option<Arc<Item>> {
        if let Some(done) = self.items.lock().expect("the item cache is never poisoned").get(&row) {
            return done;
        }
        let item = self.index.item(row).ok().map(Arc::new);
        self.items.lock().expect("the item cache is never poisoned").insert(row, item.clone());
        item
    }

    /// The item with id `qid`, if the index has it.
    pub fn item(&self, qid: &str) -> Option<Arc<Item>> {
        self.index.row(qid).and_then(|row| self.row(row))
    }

    /// The relations (either way, [`crate::linking::wikidata::RELATION_PROPERTIES`]) among `rows`:
    /// each row's related rows, built from each item's own list, so one pass over the candidates
    /// rather than one per pair.
    fn neighbours(&self, rows: &BTreeSet<u32>) -> HashMap<u32, BTreeSet<u32>> {
        let mut neighbours: HashMap<u32, BTreeSet<u32>> = HashMap::new();
        for &row in rows {
            let Some(item) = self.row(row) else { continue };
            for target in item.related.iter().filter_map(|id| self.index.row(id)).filter(|t| rows.contains(t)) {
                neighbours.entry(row).or_default().insert(target);
                neighbours.entry(target).or_default().insert(row);
            }
        }
        neighbours
    }

    /// The classes of an item: its P31 values and everything above them through P279, at most
    /// [`CLASS_STEPS`](crate::linking::keep::CLASS_STEPS) steps (the walk `--keep types` keeps).
    pub fn classes(&self, qid: &str) -> Arc<BTreeSet<String>> {
        let Some(i) = self.index.row(qid) else { return Arc::default() };
        if let Some(done) = self.ancestors.lock().expect("the class cache is never poisoned").get(&i) {
            return done;
        }
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut frontier: Vec<String> = self.row(i).map(|item| item.p31.clone()).unwrap_or_default();
        for _ in 0..=crate::linking::keep::CLASS_STEPS {
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
        let seen = Arc::new(seen);
        self.ancestors.lock().expect("the class cache is never poisoned").insert(i, Arc::clone(&seen));
        seen
    }

    /// How an item's classes fit a type: its type points when acceptable, the conflicting class
    /// when not.
    pub fn type_fit(&self, kind: EntityType, qid: &str) -> Result<u32, String> {
        let accepted = accepted_classes(kind);
        if kind == EntityType::Other {
            return Ok(TYPE_ACCEPTED);
        }
        let classes = self.classes(qid);
        if classes.iter().any(|c| accepted.contains(&c.as_str())) {
            return Ok(TYPE_ACCEPTED);
        }
        let refused = |c: &&String| KNOWN_CLASSES.contains(&c.as_str()) || kind == EntityType::Place && NOT_PLACES.contains(&c.as_str());
        if let Some(conflict) = classes.iter().find(refused) {
            return Err(conflict.clone());
        }
        match kind {
            // A human is always typed so on Wikidata: a person must be a known human.
            EntityType::Person => Err(classes.iter().next().cloned().unwrap_or_else(|| "no class".into())),
            _ => Ok(TYPE_UNKNOWN),
        }
    }

    /// Candidate items for a mention, with their name points and the form that matched.
    fn candidates(&self, mention: &Mention) -> Pool {
        let mut matches: BTreeMap<u32, Vec<(u32, String, NameMatch)>> = BTreeMap::new();
        let mut seen_keys = BTreeSet::new();
        for (n, name) in mention.names.iter().enumerate() {
            let mut keys = vec![normalise(name)];
            if mention.kind == EntityType::Person {
                keys.push(normalise_person(name));
            }
            for key in keys {
                if !seen_keys.insert(key.clone()) {
                    continue;
                }
                // A name whose postings cannot be read gives no candidates, never a wrong one.
                let hits = self.index.lookup(&key).unwrap_or_default();
                for (item, how) in hits {
                    let quality = match (n == 0, how == NameMatch::Label) {
                        (true, true) => NAME_LABEL,
                        (true, false) => NAME_ALIAS,
                        (false, true) => NAME_OTHER_LABEL,
                        (false, false) => NAME_OTHER_ALIAS,
                    };
                    let hits = matches.entry(item).or_default();
                    if !hits.iter().any(|(_, matched, _)| matched == name) {
                        hits.push((quality, name.clone(), how));
                    }
                }
            }
        }
        matches
            .into_iter()
            .map(|(item, mut hits)| {
                hits.sort_by(|a, b| b.0.cmp(&a.0).then(b.2.cmp(&a.2)));
                let quality = (hits[0].0 + NAME_FURTHER * (hits.len() as u32 - 1)).min(NAME_LABEL);
                let how = hits.iter().map(|h| h.2).max().unwrap_or(NameMatch::Alias);
                (item, (quality, hits[0].1.clone(), how))
            })
            .collect()
    }

    /// Links the entities of one article together: each one's context is the others (through
    /// their candidates found by a label or a strong alias), and the article's words.
    pub fn link(&self, mentions: &[Mention], article: &Context) -> Vec<Decision> {
        let pools: Vec<Pool> =
            mentions.iter().map(|m| if m.kind == EntityType::Group { Pool::new() } else { self.candidates(m) }).collect();
        let strong: Vec<BTreeSet<u32>> =
            pools.iter().map(|p| p.iter().filter(|(_, (_, _, how))| !how.is_weak()).map(|(&i, _)| i).collect()).collect();
        let rows: BTreeSet<u32> = pools.iter().flat_map(|p| p.keys().copied()).collect();
        let neighbours = self.neighbours(&rows);
        mentions
            .iter()
            .enumerate()
            .map(|(i, mention)| {
                let context: Vec<&BTreeSet<u32>> =
                    strong.iter().enumerate().filter(|(j, p)| *j != i && !p.is_empty()).map(|(_, p)| p).collect();
                self.decide(mention, &pools[i], &context, &neighbours, article)
            })
            .collect()
    }

    fn decide(
        &self,
        mention: &Mention,
        pool: &Pool,
        context: &[&BTreeSet<u32>],
        neighbours: &HashMap<u32, BTreeSet<u32>>,
        article: &Context,
    ) -> Decision {
        let mut decision = Decision {
            key: mention.key.clone(),
            link: None,
            candidates: Vec::new(),
            refused: Vec::new(),
            unsupported: Vec::new(),
            reason: String::new(),
        };
        if mention.kind == EntityType::Group {
            decision.reason = "a collective or unnamed actor has no Wikidata item".into();
            return decision;
        }
        let mut entity_words = mention.description.as_deref().map(words).unwrap_or_default();
        for name in &mention.names {
            entity_words.extend(words(name));
        }
        for (&i, (quality, matched, how)) in pool {
            let Some(item) = self.row(i) else { continue };
            let kind = match self.type_fit(mention.kind, &item.id) {
                Ok(kind) => kind,
                Err(class) => {
                    decision.refused.push((item.id.clone(), class));
                    continue;
                }
            };
            let max_sitelinks = self.index.max_sitelinks();
            let popularity = if max_sitelinks == 0 {
                0
            } else {
                let share = (1.0 + f64::from(item.sitelinks)).ln() / (1.0 + f64::from(max_sitelinks)).ln();
                (f64::from(POPULARITY) * share).round() as u32
            };
            let coherent = neighbours.get(&i).is_some_and(|near| near.iter().any(|&j| j != i && context.iter().any(|other| other.contains(&j))));
            let coherence = if coherent { COHERENCE } else { 0 };
            let item_words = item.description.as_deref().map(words).unwrap_or_default();
            let description = if item_words.is_empty() {
                0
            } else {
                let shared = item_words.iter().filter(|w| entity_words.contains(*w) || article.words.contains(*w)).count() as u32;
                (DESCRIPTION * shared / item_words.len().min(4) as u32).min(DESCRIPTION)
            };
            // A demonym or a short or common alias is evidence only with the type and the context behind it.
            if how.is_weak() && (kind != TYPE_ACCEPTED || coherence + description == 0) {
                decision.unsupported.push((item.id.clone(), matched.clone()));
                continue;
            }
            let features = Features { name: *quality, kind, popularity, coherence, description };
            let points = features.score();
            decision.candidates.push(Candidate {
                qid: item.id.clone(),
                label: item.labels.first().cloned().unwrap_or_default(),
                description: item.description.clone(),
                points,
                score: f64::from(points) / 1000.0,
                features,
                matched: matched.clone(),
                how: *how,
            });
        }
        decision.candidates.sort_by(|a, b| {
            b.points.cmp(&a.points).then_with(|| numeric_id(&a.qid).cmp(&numeric_id(&b.qid)))
        });
        match decision.candidates.as_slice() {
            [] if decision.refused.is_empty() && decision.unsupported.is_empty() => decision.reason = "no item has this name".into(),
            [] => {
                let refused = decision.refused.iter().map(|(q, c)| format!("{q} (class {c})"));
                let unsupported = decision.unsupported.iter().map(|(q, name)| format!("{q} (only {name:?}, without type and context support)"));
                decision.reason = format!("no item of a compatible type: refused {}", refused.chain(unsupported).collect::<Vec<_>>().join(", "));
            }
            [best, rest @ ..] => {
                let runner_up = rest.first().map_or(0, |c| c.points);
                let evidence = best.points - best.features.popularity;
                if evidence < THRESHOLD {
                    decision.reason = format!(
                        "best score {} is {} without popularity, below {}",
                        points(best.points),
                        points(evidence),
                        points(THRESHOLD)
                    );
                } else if best.points - runner_up < MARGIN {
                    decision.reason = format!(
                        "ambiguous: {} scores {}, {} {} (margin under {})",
                        best.qid,
                        points(best.points),
                        rest[0].qid,
                        points(runner_up),
                        points(MARGIN)
                    );
                } else {
                    decision.reason = format!("score {}, ahead of the runner-up by {}", points(best.points), points(best.points - runner_up));
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
    fn names_are_compared_without_case_accents_or_spelling_variants_and_persons_without_honorifics() {
        assert_eq!(normalise_person("Mr. Sergey Lavrov"), "sergei lavrov");
        assert_eq!(normalise("Dvořák"), "dvorak");
        assert_eq!(normalise("Kiev"), normalise("Kyiv"));
        assert_eq!(normalise("St. Ives"), "st ives");
        assert_eq!(normalise("Co-operation"), "cooperation");
        assert_eq!(normalise_person("President Joe Biden"), "joe biden");
        assert_eq!(normalise("The Hague"), "hague");
        assert_eq!(normalise("The"), "the");
        assert_eq!(normalise("Miss USA"), "miss usa", "a title keeps its honorific");
    }

    fn item(id: &str, label: &str, aliases: &[&str], p31: &[&str], related: &[&str], sitelinks: u32) -> Item {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Item {
            id: id.into(),
            labels: vec![label.into()],
            aliases: strings(aliases),
            description: None,
            p31: strings(p31),
            p279: Vec::new(),
            related: strings(related),
            demonyms: Vec::new(),
            sitelinks,
        }
    }

    fn mention(key: &str, kind: EntityType, name: &str) -> Mention {
        Mention { key: key.into(), kind, names: vec![name.into()], description: None }
    }

    /// Two places called Marlow of one class, the popular one in Avalon, the obscure one in
    /// Lyonesse; a popular state whose alias is an obscure state's label; "US" and "Space" aliases.
    fn items() -> Vec<Item> {
        vec![
                item("Q1", "Marlow", &[], &["Q515"], &["Q3"], 60),
                item("Q2", "Marlow", &[], &["Q515"], &["Q4"], 1),
                item("Q3", "Avalon", &[], &["Q6256"], &[], 1),
                item("Q4", "Lyonesse", &["Lyonessia"], &["Q6256"], &[], 1),
                item("Q5", "Carbonek", &[], &["Q6256"], &[], 1),
                item("Q6", "Greater Carbonek", &["Carbonek", "US"], &["Q6256"], &[], 60),
                item("Q7", "universe", &["Space"], &[], &[], 60),
                item("Q515", "city", &[], &[], &[], 0),
                item("Q6256", "country", &[], &[], &[], 0),
        ]
    }

    fn open(items: &[Item]) -> Index {
        Index::from_items(&["en".to_string()], items)
    }

    fn decide(mentions: &[Mention]) -> Vec<Decision> {
        let index = open(&items());
        Linker::new(&index).link(mentions, &Context::of(""))
    }

    #[test]
    fn one_coherent_neighbour_separates_namesakes_whatever_their_popularity() {
        let alone = decide(&[mention("m", EntityType::City, "Marlow")]);
        assert_eq!(alone[0].link, None);
        assert!(alone[0].reason.starts_with("ambiguous: Q1 scores 0.700, Q2 0.658"), "{}", alone[0].reason);
        let with = decide(&[mention("m", EntityType::City, "Marlow"), mention("l", EntityType::Country, "Lyonesse")]);
        let link = with[0].link.as_ref().expect("linked");
        assert_eq!((link.qid.as_str(), link.features.coherence, link.points), ("Q2", COHERENCE, 858));
        assert_eq!(with[0].reason, "score 0.858, ahead of the runner-up by 0.158");
    }

    #[test]
    fn a_label_beats_a_more_popular_alias_and_an_alias_links_with_context_only() {
        let label = decide(&[mention("c", EntityType::Country, "Carbonek")]);
        assert_eq!(label[0].link.as_ref().map(|c| c.qid.as_str()), Some("Q5"));
        let alias = decide(&[mention("l", EntityType::Country, "Lyonessia")]);
        assert_eq!(alias[0].link, None);
        assert_eq!(alias[0].reason, "best score 0.458 is 0.450 without popularity, below 0.650", "the real value, not a rounding");
        let supported = decide(&[mention("l", EntityType::Country, "Lyonessia"), mention("m", EntityType::City, "Marlow")]);
        let link = supported[0].link.as_ref().expect("linked");
        assert_eq!((link.qid.as_str(), link.points - link.features.popularity), ("Q4", THRESHOLD));
    }

    #[test]
    fn short_and_common_aliases_need_type_and_context() {
        let decisions = decide(&[mention("s", EntityType::Other, "Space"), mention("u", EntityType::Country, "US")]);
        for decision in &decisions {
            assert_eq!(decision.link, None);
            assert!(decision.reason.contains("without type and context support"), "{}", decision.reason);
        }
        let refused = decide(&[mention("m", EntityType::Other, "Miss USA"), mention("p", EntityType::Place, "Marlow")]);
        assert_eq!(refused[0].reason, "no item has this name");
    }

    #[test]
    fn a_place_refuses_languages_and_accepts_geographic_classes() {
        let mut items = items();
        items.push(item("Q8", "Lyonnais", &[], &["Q34770"], &[], 5));
        items.push(item("Q9", "Lyonnais", &[], &["Q82794"], &[], 5));
        let index = open(&items);
        let linker = Linker::new(&index);
        assert_eq!(linker.type_fit(EntityType::Place, "Q8"), Err("Q34770".into()));
        assert_eq!(linker.type_fit(EntityType::Place, "Q9"), Ok(TYPE_ACCEPTED));
        assert_eq!(linker.type_fit(EntityType::Place, "Q7"), Ok(TYPE_UNKNOWN));
        assert_eq!(linker.type_fit(EntityType::Other, "Q8"), Ok(TYPE_ACCEPTED));
    }

    #[test]
    fn a_recent_map_keeps_at_most_its_capacity_and_the_entries_used_last() {
        let mut recent = Recent::new(4);
        for i in 0..100 {
            recent.insert(i, i * 10);
            assert_eq!(recent.get(&0), Some(0), "entry 0 is used every time, so it stays");
            assert!(recent.len() <= 4, "{} entries", recent.len());
        }
        assert_eq!(recent.get(&99), Some(990));
        assert_eq!(recent.get(&50), None, "an entry not used since was dropped");
    }

    #[test]
    fn a_linker_with_a_small_cache_decides_as_one_with_a_large_one() {
        let index = open(&items());
        let mentions = [mention("m", EntityType::City, "Marlow"), mention("l", EntityType::Country, "Lyonesse"), mention("c", EntityType::Country, "Carbonek")];
        let (small, large) = (Linker::with_cache(&index, 2), Linker::with_cache(&index, 1000));
        for _ in 0..3 {
            assert_eq!(small.link(&mentions, &Context::of("")), large.link(&mentions, &Context::of("")));
        }
    }

    #[test]
    fn demonyms_link_a_country_with_context() {
        let mut items = items();
        items[3].demonyms = vec!["Lyonessian".into()];
        let index = open(&items);
        let linker = Linker::new(&index);
        let alone = linker.link(&[mention("d", EntityType::Place, "Lyonessian")], &Context::of(""));
        assert_eq!(alone[0].link, None);
        assert_eq!(alone[0].unsupported, vec![("Q4".to_string(), "Lyonessian".to_string())]);
        let with = linker.link(&[mention("d", EntityType::Place, "Lyonessian"), mention("m", EntityType::City, "Marlow")], &Context::of(""));
        assert_eq!(with[0].link.as_ref().map(|c| (c.qid.as_str(), c.how)), Some(("Q4", NameMatch::Demonym)));
    }
}
