//! brat standoff: a `.txt` file and its `.ann` annotations.
//!
//! `T` lines (discontinuous spans too) are entity mentions, typed through the label table; a `T`
//! line that is an event's trigger is that event's evidence instead. `N` lines with a Wikidata
//! reference give `wikidata` (other references are kept in the description); `*` `Equiv` lines tie
//! mentions into one entity. `R` lines become relations and `E` lines events through the brat
//! mapping; a type it does not map is counted in the summary. A relation's evidence runs from
//! its first argument's start to its second's end (or the reverse). `A`, `M` and `#` lines
//! (attributes, notes) are counted and not read.

use crate::facts::problem::Position;
use crate::facts::validate::valid_id;
use crate::facts::{Event, Evidence, Participant, Relation};
use crate::import::entities::{self, Mention};
use crate::import::labels::{ArgumentRole, Label};
use crate::import::spacy::is_qid;
use crate::import::{safe_id, spanless, DocumentText, Importer};
use std::collections::{HashMap, HashSet};

/// A `T` line.
struct TextBound<'a> {
    id: &'a str,
    kind: &'a str,
    fragments: Vec<(u64, u64)>,
    text: &'a str,
    /// Where its offsets are written.
    at: Position,
    kind_at: Position,
}

/// An `R` or `E` line: its type and arguments (an event's first is its trigger).
struct Link<'a> {
    id: &'a str,
    kind: &'a str,
    args: Vec<(&'a str, &'a str)>,
    at: Position,
}

/// A line split into its tab-separated fields, each with its column.
struct Fields<'a> {
    line: &'a str,
    number: u64,
}

impl<'a> Fields<'a> {
    /// The column (1-based, in code points) of `part`, a slice of the line.
    fn column(&self, part: &str) -> u64 {
        let offset = part.as_ptr() as usize - self.line.as_ptr() as usize;
        self.line[..offset.min(self.line.len())].chars().count() as u64 + 1
    }

    fn at(&self, part: &str) -> Position {
        Position { line: self.number, column: self.column(part) }
    }
}

impl Importer<'_> {
    /// Reads one `.ann` file (`source` names it) with the text of its `.txt`; `stem` is the document id.
    pub fn brat(&mut self, source: &str, stem: &str, text: &str, annotations: &str) {
        self.summary.files += 1;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut bounds: Vec<TextBound<'_>> = Vec::new();
        let mut relations: Vec<Link<'_>> = Vec::new();
        let mut events: Vec<Link<'_>> = Vec::new();
        let mut norms: Vec<(&str, &str, Position)> = Vec::new();
        let mut equivs: Vec<(Vec<&str>, Position)> = Vec::new();
        for (i, line) in annotations.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() {
                continue;
            }
            let fields = Fields { line, number: i as u64 + 1 };
            let mut parts = line.splitn(3, '\t');
            let id = parts.next().unwrap_or_default();
            let Some(body) = parts.next() else {
                self.problem(source, fields.at(line), "malformed annotation line: expected ID, a tab and the annotation");
                continue;
            };
            let rest = parts.next();
            let words: Vec<&str> = body.split(' ').filter(|w| !w.is_empty()).collect();
            match id.chars().next() {
                Some('T') => {
                    let Some(rest) = rest else {
                        self.problem(source, fields.at(body), "malformed T line: expected TYPE START END, a tab and the text");
                        continue;
                    };
                    let Some((kind, offsets)) = body.split_once(' ') else {
                        self.problem(source, fields.at(body), "malformed T line: expected TYPE START END");
                        continue;
                    };
                    let mut fragments = Vec::new();
                    let mut bad = None;
                    for fragment in offsets.split(';') {
                        let numbers: Vec<&str> = fragment.split(' ').filter(|w| !w.is_empty()).collect();
                        match numbers[..] {
                            [start, end] => match (start.parse::<u64>(), end.parse::<u64>()) {
                                (Ok(start), Ok(end)) => fragments.push((start, end)),
                                _ => bad = Some(fragment),
                            },
                            _ => bad = Some(fragment),
                        }
                        if bad.is_some() {
                            break;
                        }
                    }
                    if let Some(fragment) = bad {
                        let message = format!("malformed T line: {:?} is not START END (offsets in characters)", fragment.trim());
                        self.problem(source, fields.at(fragment), message);
                        continue;
                    }
                    bounds.push(TextBound { id, kind, fragments, text: rest, at: fields.at(offsets), kind_at: fields.at(kind) });
                }
                Some('R' | 'E') => {
                    let is_event = id.starts_with('E');
                    let mut args = Vec::new();
                    let mut bad = None;
                    for word in &words {
                        match word.split_once(':') {
                            Some((role, target)) if !role.is_empty() && !target.is_empty() => args.push((role, target)),
                            _ => bad = Some(*word),
                        }
                    }
                    // A relation's type stands alone; an event's is joined to its trigger (Attack:T3).
                    let kind = if is_event { args.first().map(|(kind, _)| *kind) } else { words.first().copied() };
                    if !is_event && !args.is_empty() && bad == words.first().copied() {
                        bad = None;
                    }
                    let needed = if is_event { 1 } else { 2 };
                    match (kind, bad) {
                        (Some(kind), None) if args.len() >= needed => {
                            let link = Link { id, kind, args, at: fields.at(body) };
                            if is_event { events.push(link) } else { relations.push(link) }
                        }
                        (_, Some(word)) => self.problem(source, fields.at(word), format!("malformed {} line: {word:?} is not ROLE:ID", &id[..1])),
                        _ => {
                            let expected = if is_event { "TYPE:TRIGGER ROLE:ID..." } else { "TYPE Arg1:ID Arg2:ID" };
                            self.problem(source, fields.at(body), format!("malformed {} line: expected {expected}", &id[..1]));
                        }
                    }
                }
                Some('N') => match words[..] {
                    [_, target, reference] => norms.push((target, reference, fields.at(reference))),
                    _ => self.problem(source, fields.at(body), "malformed N line: expected TYPE TARGET DATABASE:ID"),
                },
                Some('*') => match words.split_first() {
                    Some((_, members)) if members.len() >= 2 => equivs.push((members.to_vec(), fields.at(body))),
                    _ => self.problem(source, fields.at(body), "malformed * line: expected Equiv ID ID..."),
                },
                Some('A' | 'M' | '#') => self.summary.drop("brat attribute and note lines (A, M, #) are not read"),
                _ => self.problem(source, fields.at(line), format!("unknown annotation {id:?}: brat lines start with T, R, E, N, A, M, * or #")),
            }
        }
        if self.unportable(text, source, &|| Position::START, "the text") {
            return;
        }
        self.brat_document(source, stem, text, &bounds, &relations, &events, &norms, &equivs);
    }

    #[allow(clippy::too_many_arguments)]
    fn brat_document(
        &mut self,
        source: &str,
        stem: &str,
        full_text: &str,
        bounds: &[TextBound<'_>],
        relations: &[Link<'_>],
        events: &[Link<'_>],
        norms: &[(&str, &str, Position)],
        equivs: &[(Vec<&str>, Position)],
    ) {
        let text = DocumentText::new(stem, full_text);
        let known: HashSet<&str> = bounds.iter().map(|t| t.id).chain(events.iter().map(|e| e.id)).collect();
        let triggers: HashSet<&str> = events.iter().filter_map(|e| e.args.first().map(|(_, t)| *t)).collect();
        // Wikidata ids, other references and ties by T id.
        let mut wikidata: HashMap<&str, String> = HashMap::new();
        let mut refs: HashMap<&str, Vec<String>> = HashMap::new();
        let mut ties: HashMap<&str, Vec<String>> = HashMap::new();
        for (target, reference, at) in norms {
            if !known.contains(target) {
                self.problem(source, *at, format!("the N line refers to {target:?}, which no line annotates"));
                continue;
            }
            let (database, id) = reference.split_once(':').unwrap_or(("", reference));
            if matches!(database.to_ascii_lowercase().as_str(), "wikidata" | "wd") && is_qid(id) {
                wikidata.insert(target, id.to_string());
            } else {
                refs.entry(target).or_default().push(reference.to_string());
            }
        }
        for (n, (members, at)) in equivs.iter().enumerate() {
            for member in members {
                if known.contains(member) {
                    ties.entry(member).or_default().push(n.to_string());
                } else {
                    self.problem(source, *at, format!("the Equiv line names {member:?}, which no line annotates"));
                }
            }
        }
        let mut mentions = Vec::new();
        let mut mention_of: HashMap<&str, usize> = HashMap::new();
        let mut spans_of: HashMap<&str, Vec<Evidence>> = HashMap::new();
        for bound in bounds {
            let is_trigger = triggers.contains(bound.id);
            let kind = if is_trigger {
                None
            } else {
                self.summary.mentions += 1;
                match self.options.labels.get(bound.kind) {
                    Some(Label::Entity(kind)) => Some(kind),
                    Some(Label::Skip) => {
                        self.summary.drop(format!("label {} is not an entity type", bound.kind));
                        continue;
                    }
                    None => {
                        self.problems.unknown_label(bound.kind, source, bound.kind_at);
                        continue;
                    }
                }
            };
            let expected = (bound.fragments.len() == 1).then_some(bound.text);
            let spans: Option<Vec<Evidence>> =
                bound.fragments.iter().map(|&(start, end)| self.span(&text, start, end, expected, source, &|| bound.at)).collect();
            let Some(spans) = spans else {
                if let Some(kind) = kind {
                    let refs = refs.get(bound.id).cloned().unwrap_or_default();
                    mentions.extend(spanless(Some(bound.text), kind, &wikidata.get(bound.id).cloned(), &refs));
                }
                continue;
            };
            let joined = spans.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
            if joined != bound.text {
                // An importer's spans always have offsets.
                let (start, end) = (spans[0].start.unwrap_or_default(), spans[spans.len() - 1].end.unwrap_or_default());
                let fault = format!("mention {} of document \"{stem}\" reads {joined:?} in the text, not {:?}", fragment_list(&bound.fragments), bound.text);
                self.reject(stem, start, end, fault, source, bound.at);
                continue;
            }
            spans_of.insert(bound.id, spans.clone());
            if let Some(kind) = kind {
                mention_of.insert(bound.id, mentions.len());
                mentions.push(Mention {
                    spans,
                    text: joined,
                    kind,
                    wikidata: wikidata.get(bound.id).cloned(),
                    refs: refs.get(bound.id).cloned().unwrap_or_default(),
                    ties: ties.get(bound.id).cloned().unwrap_or_default(),
                });
            }
        }
        let merged = entities::merge(stem, &mentions, &mut self.summary);
        let entity_id = |t: &str| mention_of.get(t).map(|&m| merged.entities[merged.entity_of[m]].id.clone());
        let mut document = entities::document(stem.to_string(), None, None, full_text.to_string());
        for relation in relations {
            let Some(predicate) = self.options.mapping.relation(relation.kind) else {
                self.summary.drop(format!("relation type {} has no mapping", relation.kind));
                continue;
            };
            if let Some((_, unknown)) = relation.args.iter().find(|(_, t)| !known.contains(t)) {
                self.problem(source, relation.at, format!("{} refers to {unknown:?}, which no line annotates", relation.id));
                continue;
            }
            let ends: Vec<(String, &Vec<Evidence>)> =
                relation.args.iter().take(2).filter_map(|(_, t)| Some((entity_id(t)?, spans_of.get(t)?))).collect();
            let [(subject, first), (object, second)] = &ends[..] else {
                self.summary.drop("relation argument is not a kept entity mention");
                continue;
            };
            if subject == object {
                self.summary.drop("relation between an entity and itself");
                continue;
            }
            let start = first[0].start.min(second[0].start).unwrap_or_default();
            let end = first[first.len() - 1].end.max(second[second.len() - 1].end).unwrap_or_default();
            let Some(evidence) = self.span(&text, start, end, None, source, &|| relation.at) else { continue };
            document.relations.push(Relation {
                id: local_id(relation.id),
                subject: subject.clone(),
                predicate,
                object: object.clone(),
                start: None,
                end: None,
                as_of: None,
                quantities: Vec::new(),
                evidence: vec![evidence],
                confidence: None,
            });
        }
        for event in events {
            let Some(kind) = self.options.mapping.event(event.kind).map(str::to_string) else {
                self.summary.drop(format!("event type {} has no mapping", event.kind));
                continue;
            };
            let (_, trigger) = event.args[0];
            if let Some((_, unknown)) = event.args.iter().find(|(_, t)| !known.contains(t)) {
                self.problem(source, event.at, format!("{} refers to {unknown:?}, which no line annotates", event.id));
                continue;
            }
            let Some(evidence) = spans_of.get(trigger) else {
                self.summary.drop("event whose trigger is not a kept text span");
                continue;
            };
            let mut places: Vec<String> = Vec::new();
            let mut participants: Vec<Participant> = Vec::new();
            for (role, target) in &event.args[1..] {
                let Some(entity) = entity_id(target) else {
                    self.summary.drop("event argument is not a kept entity mention");
                    continue;
                };
                match self.options.mapping.role(role) {
                    ArgumentRole::Place if !places.contains(&entity) => places.push(entity),
                    ArgumentRole::Participant(role) if !participants.iter().any(|p| p.entity == entity) => {
                        participants.push(Participant { entity, role });
                    }
                    _ => {}
                }
            }
            let words = evidence.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
            document.events.push(Event {
                id: local_id(event.id),
                kind,
                description: format!("{} ({words})", event.kind),
                date: None,
                start: None,
                end: None,
                places,
                participants,
                wikidata: None,
                quantities: Vec::new(),
                evidence: evidence.clone(),
                confidence: None,
            });
        }
        self.summary.relations += document.relations.len();
        self.summary.events += document.events.len();
        document.entities = merged.entities;
        entities::version_for(&mut document);
        self.add(document, source, &|| Position::START);
    }
}

/// `0..5;10..15`, for messages.
fn fragment_list(fragments: &[(u64, u64)]) -> String {
    fragments.iter().map(|(s, e)| format!("{s}..{e}")).collect::<Vec<_>>().join(";")
}

/// A brat id as a local id (brat's are already letters and digits).
fn local_id(id: &str) -> String {
    if valid_id(id) { id.to_string() } else { safe_id(id) }
}
