//! NIF 2.0 in any RDF syntax Oxigraph parses (Turtle, N-Triples, N-Quads, TriG, N3, RDF/XML,
//! JSON-LD), read with Oxigraph's parser.
//!
//! Each `nif:Context` with a `nif:isString` is a document; each resource with a
//! `nif:referenceContext`, `nif:beginIndex` and `nif:endIndex` is a mention (its `nif:anchorOf`, when
//! given, must be the text at those offsets). `itsrdf:taIdentRef` to a Wikidata item gives the
//! entity's `wikidata`; other identifiers are kept in its description; mentions with the same
//! identifier in one context are one entity. `itsrdf:taClassRef` gives the type through the label
//! table (the class IRI, else its last segment); a mention with no known class is of type `other`.

use crate::facts::problem::Position;
use crate::facts::EntityType;
use crate::import::entities::{self, Mention};
use crate::import::labels::Label;
use crate::import::spacy::is_qid;
use crate::import::{safe_id, spanless, DocumentText, Importer};
use oxigraph::io::{RdfFormat, RdfParser, RdfSyntaxError};
use oxigraph::model::{Literal, NamedOrBlankNode, Term};
use std::collections::HashMap;

const NIF: &str = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#";
const ITSRDF: &str = "http://www.w3.org/2005/11/its/rdf#";

/// What one resource says, as far as NIF goes.
#[derive(Default)]
struct Resource {
    /// The order the resource first appeared in.
    order: usize,
    is_string: Option<String>,
    source_url: Option<String>,
    context: Option<String>,
    begin: Option<Literal>,
    end: Option<Literal>,
    anchor: Option<String>,
    ident: Vec<String>,
    classes: Vec<String>,
}

impl Importer<'_> {
    /// Reads one NIF file; `extension` picks the syntax (`ttl`, `nt`, `nq`, `trig`, `n3`, `rdf`,
    /// `xml`, `jsonld`; anything else is read as Turtle).
    pub fn nif(&mut self, source: &str, bytes: &[u8], extension: &str) {
        self.summary.files += 1;
        let format = match extension {
            "json" => None,
            other => RdfFormat::from_extension(other),
        }
        .unwrap_or(RdfFormat::Turtle);
        let mut resources: HashMap<String, Resource> = HashMap::new();
        for quad in RdfParser::from_format(format).for_slice(bytes) {
            let quad = match quad {
                Ok(quad) => quad,
                Err(error) => {
                    let (position, message) = syntax_error(error);
                    self.problem(source, position, format!("malformed RDF ({}): {message}", format.name()));
                    return;
                }
            };
            let subject = match &quad.subject {
                NamedOrBlankNode::NamedNode(n) => n.as_str().to_string(),
                NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
            };
            let Some(local) = quad.predicate.as_str().strip_prefix(NIF).or_else(|| quad.predicate.as_str().strip_prefix(ITSRDF)) else {
                continue;
            };
            let order = resources.len();
            let resource = resources.entry(subject).or_insert_with(|| Resource { order, ..Resource::default() });
            let iri = match &quad.object {
                Term::NamedNode(n) => Some(n.as_str().to_string()),
                _ => None,
            };
            let literal = match &quad.object {
                Term::Literal(l) => Some(l.clone()),
                _ => None,
            };
            match local {
                "isString" => resource.is_string = literal.map(|l| l.value().to_string()),
                "sourceUrl" => resource.source_url = iri.or(literal.map(|l| l.value().to_string())),
                "referenceContext" => resource.context = iri,
                "beginIndex" => resource.begin = literal,
                "endIndex" => resource.end = literal,
                "anchorOf" => resource.anchor = literal.map(|l| l.value().to_string()),
                "taIdentRef" => resource.ident.extend(iri),
                "taClassRef" => resource.classes.extend(iri),
                _ => {}
            }
        }
        let mut contexts: Vec<(&String, &Resource)> = resources.iter().filter(|(_, r)| r.is_string.is_some()).collect();
        contexts.sort_by_key(|(_, r)| r.order);
        let mut phrases: HashMap<&str, Vec<(&String, &Resource)>> = HashMap::new();
        for (iri, resource) in &resources {
            if let Some(context) = &resource.context {
                phrases.entry(context.as_str()).or_default().push((iri, resource));
            }
        }
        for (iri, context) in contexts {
            let mut mine = phrases.remove(iri.as_str()).unwrap_or_default();
            mine.sort_by(|a, b| offsets(a.1).cmp(&offsets(b.1)).then(a.0.cmp(b.0)));
            self.nif_context(source, bytes, iri, context, &mine);
        }
        // Phrases whose context has no text.
        let mut orphans: Vec<(&String, &Resource)> = phrases.into_values().flatten().collect();
        orphans.sort_by_key(|(_, r)| r.order);
        for (iri, phrase) in orphans {
            let context = phrase.context.as_deref().unwrap_or_default();
            let message = format!("<{iri}> refers to the context <{context}>, which has no nif:isString");
            self.problem(source, locate(bytes, iri), message);
        }
    }

    fn nif_context(&mut self, source: &str, bytes: &[u8], iri: &str, context: &Resource, phrases: &[(&String, &Resource)]) {
        let id = context_id(iri);
        let full_text = context.is_string.as_deref().unwrap_or_default();
        if self.unportable(full_text, source, &|| locate(bytes, iri), "the text") {
            return;
        }
        let text = DocumentText::new(&id, full_text);
        let mut mentions = Vec::with_capacity(phrases.len());
        for (phrase_iri, phrase) in phrases {
            self.summary.mentions += 1;
            let position = || locate(bytes, phrase_iri);
            let (Some(begin), Some(end)) = (index(&phrase.begin), index(&phrase.end)) else {
                let message = format!("<{phrase_iri}> needs nif:beginIndex and nif:endIndex as non-negative integers");
                self.problem(source, position(), message);
                continue;
            };
            let mut kind = None;
            for class in &phrase.classes {
                let segment = class.rsplit(['/', '#']).next().unwrap_or_default();
                match self.options.labels.get(class).or_else(|| self.options.labels.get(segment)) {
                    Some(Label::Entity(k)) => kind = Some(kind.map_or(k, |old: EntityType| old.min(k))),
                    Some(Label::Skip) | None => {}
                }
            }
            let mut wikidata = None;
            let mut refs = Vec::new();
            for ident in &phrase.ident {
                match wikidata_id(ident) {
                    Some(qid) if wikidata.is_none() => wikidata = Some(qid),
                    _ => refs.push(ident.clone()),
                }
            }
            let kind = kind.unwrap_or(EntityType::Other);
            let Some(span) = self.span(&text, begin, end, phrase.anchor.as_deref(), source, &position) else {
                mentions.extend(spanless(phrase.anchor.as_deref(), kind, &wikidata, &refs));
                continue;
            };
            mentions.push(Mention { text: span.text.clone(), spans: vec![span], kind, wikidata, refs, ties: Vec::new() });
        }
        let merged = entities::merge(&id, &mentions, &mut self.summary);
        let mut document = entities::document(id.clone(), None, context.source_url.clone().filter(|u| iri_string::types::IriStr::new(u).is_ok()), full_text.to_string());
        document.entities = merged.entities;
        self.add(document, source, &|| locate(bytes, iri));
    }
}

/// Oxigraph's syntax error: its position (when the syntax gives one) and its message without it.
fn syntax_error(error: RdfSyntaxError) -> (Position, String) {
    let position = error.location().map_or(Position::START, |l| Position { line: l.start.line + 1, column: l.start.column + 1 });
    let message = error.to_string();
    let message = match message.strip_prefix("Parser error ") {
        Some(rest) => rest.split_once(": ").map_or(rest, |(_, m)| m).to_string(),
        None => message,
    };
    (position, message)
}

/// Where `<iri>` is first written in the file (N-Triples and most Turtle write a phrase's IRI in
/// full), else the file's start.
fn locate(bytes: &[u8], iri: &str) -> Position {
    let needle = format!("<{iri}>");
    let Some(at) = memfind(bytes, needle.as_bytes()) else { return Position::START };
    let before = String::from_utf8_lossy(&bytes[..at]);
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().unwrap_or_default().chars().count() as u64 + 1;
    Position { line, column }
}

fn memfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn index(literal: &Option<Literal>) -> Option<u64> {
    literal.as_ref()?.value().parse().ok()
}

fn offsets(resource: &Resource) -> (Option<u64>, Option<u64>) {
    (index(&resource.begin), index(&resource.end))
}

/// The QID of a Wikidata entity IRI (`http(s)://www.wikidata.org/entity/Q…` or `/wiki/Q…`).
fn wikidata_id(iri: &str) -> Option<String> {
    let rest = iri.strip_prefix("http://").or_else(|| iri.strip_prefix("https://"))?;
    let rest = rest.strip_prefix("www.wikidata.org/").or_else(|| rest.strip_prefix("wikidata.org/"))?;
    let qid = rest.strip_prefix("entity/").or_else(|| rest.strip_prefix("wiki/"))?;
    is_qid(qid).then(|| qid.to_string())
}

/// A document id from a context IRI: its host and path without the scheme and a `#char=…`
/// fragment, characters ids cannot hold as '-' (`http://aksw.org/N3/RSS-500/0#char=0,150` →
/// `aksw.org-N3-RSS-500-0`).
fn context_id(iri: &str) -> String {
    let without_scheme = iri.split_once("://").map_or(iri, |(_, rest)| rest);
    let base = match without_scheme.split_once('#') {
        Some((base, fragment)) if fragment.starts_with("char=") || fragment.starts_with("offset_") => base,
        _ => without_scheme,
    };
    let id = safe_id(base);
    if id.is_empty() { "context".to_string() } else { id }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_ids() {
        assert_eq!(wikidata_id("http://www.wikidata.org/entity/Q21637").as_deref(), Some("Q21637"));
        assert_eq!(wikidata_id("http://www.wikidata.org/wiki/Q309998").as_deref(), Some("Q309998"));
        assert_eq!(wikidata_id("http://aksw.org/notInWiki/Sandra_Park"), None);
        assert_eq!(context_id("http://aksw.org/N3/RSS-500/0#char=0,150"), "aksw.org-N3-RSS-500-0");
    }
}
