//! From mentions to entities, the same for every format: mentions of one entity within a document
//! become one entity with several evidence spans, and the document is assembled around them.
//!
//! Mentions join when they share a Wikidata id or another identifier the input gives, when they
//! have the same type and the same name after the identity rules ([`identity_name`]) (a mention of
//! type `other` joins the one typed entity of its name), and when a person's surname alone ends
//! exactly one full name of a person in the document. Mentions with
//! different Wikidata ids never join. Entities that would still become one node are joined too, so
//! the document passes `check`.

use crate::facts::identity::entity_path;
use crate::facts::{Document, Entity, EntityType, Event, Evidence, FactsDocument, Relation, FORMAT_VERSION_1_0};
use crate::import::summary::Summary;
use crate::text::identity_name;
use std::collections::{BTreeSet, HashMap};

/// One mention of an entity, as an importer read it (its offsets already checked against the text).
#[derive(Debug, Clone)]
pub(crate) struct Mention {
    /// Its spans: one, or several for a discontinuous mention; none for a mention dropped by
    /// `--skip-invalid` whose entity is kept for its Wikidata id.
    pub spans: Vec<Evidence>,
    /// Its words (the fragments of a discontinuous mention joined by a space).
    pub text: String,
    /// The type its label gives.
    pub kind: EntityType,
    /// A Wikidata item id ("Q7184") the input gives.
    pub wikidata: Option<String>,
    /// Other identifiers the input gives (IRIs, database references): kept in the description.
    pub refs: Vec<String>,
    /// Keys that tie mentions into one entity without being shown (brat's `Equiv` groups).
    pub ties: Vec<String>,
}

impl Mention {
    fn start(&self) -> u64 {
        self.spans.first().and_then(|s| s.start).unwrap_or(u64::MAX)
    }
}

/// The entities of a document, and which entity each mention went to.
pub(crate) struct Merged {
    pub entities: Vec<Entity>,
    /// For each mention, the index of its entity.
    pub entity_of: Vec<usize>,
}

/// Union-find over mentions; each root knows its Wikidata id, so two ids never join.
struct Sets {
    parent: Vec<usize>,
    wikidata: Vec<Option<String>>,
}

impl Sets {
    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    /// Joins the sets of `a` and `b` unless they hold different Wikidata ids; true when joined now.
    fn join(&mut self, a: usize, b: usize) -> bool {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return false;
        }
        if let (Some(x), Some(y)) = (&self.wikidata[a], &self.wikidata[b]) {
            if x != y {
                return false;
            }
        }
        // The earlier mention stays the root.
        let (root, child) = if a < b { (a, b) } else { (b, a) };
        if self.wikidata[root].is_none() {
            self.wikidata[root] = self.wikidata[child].take();
        }
        self.parent[child] = root;
        true
    }
}

/// Joins `mentions` (in text order or input order: the result is the same) into entities.
pub(crate) fn merge(document_id: &str, mentions: &[Mention], summary: &mut Summary) -> Merged {
    let count = mentions.len();
    let mut sets = Sets { parent: (0..count).collect(), wikidata: mentions.iter().map(|m| m.wikidata.clone()).collect() };
    // The same Wikidata id, then the same identifier or tie, then the same type and name.
    let mut first: HashMap<String, usize> = HashMap::new();
    for (i, mention) in mentions.iter().enumerate() {
        let keys = mention.wikidata.iter().map(|q| format!("q {q}"));
        let keys = keys.chain(mention.refs.iter().map(|r| format!("r {r}"))).chain(mention.ties.iter().map(|t| format!("t {t}")));
        for key in keys {
            match first.get(&key) {
                Some(&j) => {
                    sets.join(j, i);
                }
                None => {
                    first.insert(key, i);
                }
            }
        }
    }
    let names: Vec<String> = mentions.iter().map(|m| identity_name(&m.text)).collect();
    let mut by_name: HashMap<(EntityType, &str), usize> = HashMap::new();
    for (i, mention) in mentions.iter().enumerate() {
        match by_name.get(&(mention.kind, names[i].as_str())) {
            Some(&j) => {
                sets.join(j, i);
            }
            None => {
                by_name.insert((mention.kind, names[i].as_str()), i);
            }
        }
    }
    // A mention of no known type joins the one typed entity of its name.
    let mut typed: HashMap<&str, BTreeSet<EntityType>> = HashMap::new();
    for (i, mention) in mentions.iter().enumerate() {
        if mention.kind != EntityType::Other {
            typed.entry(names[i].as_str()).or_default().insert(mention.kind);
        }
    }
    for (i, mention) in mentions.iter().enumerate() {
        if let (EntityType::Other, Some(kinds)) = (mention.kind, typed.get(names[i].as_str())) {
            if let [kind] = kinds.iter().collect::<Vec<_>>()[..] {
                sets.join(by_name[&(*kind, names[i].as_str())], i);
            }
        }
    }
    join_surnames(mentions, &names, &mut sets, summary);
    // Entities that would still be one node (their final type and name agree) become one.
    loop {
        let entities = build(document_id, mentions, &mut sets);
        let mut nodes: HashMap<String, usize> = HashMap::new();
        let mut joined = false;
        for (root, entity) in &entities {
            match nodes.get(&entity_path(document_id, entity)) {
                Some(&other) => joined |= sets.join(other, *root),
                None => {
                    nodes.insert(entity_path(document_id, entity), *root);
                }
            }
        }
        if !joined {
            return finish(entities, mentions, &mut sets, summary);
        }
    }
}

/// A person named by one word joins the one person of the document whose full name ends with it.
fn join_surnames(mentions: &[Mention], names: &[String], sets: &mut Sets, summary: &mut Summary) {
    let words = |m: &Mention| m.text.split_whitespace().count();
    let mut full_names: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, mention) in mentions.iter().enumerate() {
        if mention.kind == EntityType::Person && words(mention) > 1 {
            let surname = identity_name(mention.text.split_whitespace().last().unwrap_or_default());
            full_names.entry(surname).or_default().push(i);
        }
    }
    for (i, mention) in mentions.iter().enumerate() {
        if mention.kind != EntityType::Person || words(mention) != 1 {
            continue;
        }
        let Some(holders) = full_names.get(&names[i]) else { continue };
        let roots: BTreeSet<usize> = holders.iter().map(|&j| sets.find(j)).collect();
        if let [root] = roots.into_iter().collect::<Vec<_>>()[..] {
            if sets.find(i) == root || sets.join(i, root) {
                summary.surnames += 1;
            }
        }
    }
}

/// The entities of the current sets, each with its root, in the order of their first mention.
fn build(document_id: &str, mentions: &[Mention], sets: &mut Sets) -> Vec<(usize, Entity)> {
    let _ = document_id;
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); mentions.len()];
    for i in 0..mentions.len() {
        members[sets.find(i)].push(i);
    }
    let mut roots: Vec<usize> = (0..mentions.len()).filter(|&i| !members[i].is_empty()).collect();
    roots.sort_by_key(|&r| members[r].iter().map(|&i| (mentions[i].start(), i)).min());
    let mut used_ids: HashMap<String, usize> = HashMap::new();
    roots
        .into_iter()
        .map(|root| {
            let mut group: Vec<&Mention> = members[root].iter().map(|&i| &mentions[i]).collect();
            group.sort_by_key(|m| m.start());
            // A capitalised mention over one that is not ("NATO" over "the alliance"), then the
            // longest, then the earliest.
            let rank = |t: &str| (t.chars().next().is_some_and(char::is_uppercase), t.chars().count());
            let name = group.iter().map(|m| &m.text).fold(&group[0].text, |best, t| if rank(t) > rank(best) { t } else { best });
            let mut votes: Vec<(EntityType, usize)> = Vec::new();
            for m in &group {
                match votes.iter_mut().find(|(k, _)| *k == m.kind) {
                    Some((_, n)) => *n += 1,
                    None => votes.push((m.kind, 1)),
                }
            }
            // The most frequent type; on a tie, the earliest mention's.
            let kind = votes.iter().fold(votes[0], |best, v| if v.1 > best.1 { *v } else { best }).0;
            let mut aliases: Vec<String> = Vec::new();
            for m in &group {
                if &m.text != name && !aliases.contains(&m.text) {
                    aliases.push(m.text.clone());
                }
            }
            let refs: BTreeSet<&String> = group.iter().flat_map(|m| &m.refs).collect();
            let description = match refs.len() {
                0 => None,
                1 => Some(format!("identifier: {}", refs.iter().next().expect("one"))),
                _ => Some(format!("identifiers: {}", refs.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" "))),
            };
            let mut evidence: Vec<Evidence> = group.iter().flat_map(|m| m.spans.iter().cloned()).collect();
            evidence.sort_by(|a, b| (a.start, a.end).cmp(&(b.start, b.end)));
            evidence.dedup();
            let entity = Entity {
                id: unique_id(&mut used_ids, name),
                kind,
                name: name.clone(),
                aliases,
                description,
                wikidata: sets.wikidata[root].clone(),
                key: None,
                evidence,
                confidence: None,
            };
            (root, entity)
        })
        .collect()
}

fn finish(entities: Vec<(usize, Entity)>, mentions: &[Mention], sets: &mut Sets, summary: &mut Summary) -> Merged {
    let index: HashMap<usize, usize> = entities.iter().enumerate().map(|(n, (root, _))| (*root, n)).collect();
    let entity_of = (0..mentions.len()).map(|i| index[&sets.find(i)]).collect();
    summary.kept += mentions.iter().filter(|m| !m.spans.is_empty()).count();
    summary.entities += entities.len();
    summary.merged += mentions.len() - entities.len();
    summary.wikidata += entities.iter().filter(|(_, e)| e.wikidata.is_some()).count();
    Merged { entities: entities.into_iter().map(|(_, e)| e).collect(), entity_of }
}

/// A local id from a name ("jens-stoltenberg"), made unique in the document with a number.
fn unique_id(used: &mut HashMap<String, usize>, name: &str) -> String {
    let mut slug = String::new();
    for c in identity_name(name).chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "entity" } else { slug };
    let n = used.entry(slug.to_string()).or_insert(0);
    *n += 1;
    let n = *n;
    if n == 1 { slug.to_string() } else { unique_id(used, &format!("{slug}-{n}")) }
}

/// A document's headline when the input has none: the text's first non-blank line, cut at a word
/// before 100 characters; the id when the text is blank.
pub(crate) fn title_from(text: &str, id: &str) -> String {
    let Some(line) = text.lines().map(str::trim).find(|l| !l.is_empty()) else { return id.to_string() };
    if line.chars().count() <= 100 {
        return line.to_string();
    }
    let cut: String = line.chars().take(100).collect();
    let words = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head.trim_end());
    format!("{words}…")
}

/// A facts document with its text inline, in format 1.0 (see [`version_for`]).
pub(crate) fn document(id: String, title: Option<String>, url: Option<String>, text: String) -> FactsDocument {
    let title = title.filter(|t| !t.trim().is_empty()).unwrap_or_else(|| title_from(&text, &id));
    FactsDocument {
        format: FORMAT_VERSION_1_0.to_string(),
        document: Document {
            id,
            title,
            url,
            publisher: None,
            published: None,
            language: None,
            text: Some(text),
            text_file: None,
            notes: None,
        },
        entities: Vec::new(),
        roles: Vec::new(),
        relations: Vec::<Relation>::new(),
        events: Vec::<Event>::new(),
        quotes: Vec::new(),
        claims: Vec::new(),
    }
}

/// Sets the oldest format version that can carry `document`: "1.1" once a relation of a kind new in
/// 1.1 (which a brat mapping can name) is in it.
pub(crate) fn version_for(document: &mut FactsDocument) {
    if document.relations.iter().any(|r| r.predicate.since_1_1()) {
        document.format = crate::facts::FORMAT_VERSION.to_string();
    }
}
