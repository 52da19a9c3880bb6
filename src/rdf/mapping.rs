//! The mapper: a pure function from a [`ValidDocument`] to RDF quads in the article's named graph.
//!
//! The entry point is [`Mapper::map`]. It does no I/O and keeps no state between documents: the same
//! document always gives the same quads in the same order. Node identity is decided in
//! [`crate::facts::identity`] and the IRIs are built by [`crate::rdf::iri`]; the terms come from the
//! ontology through [`Vocabulary`].

use crate::facts::date::{self, Dating, Precision};
use crate::facts::validate::ValidDocument;
use crate::facts::{Claim, Date, Entity, Event, Evidence, ParticipantRole, Quantity, Quote, Relation, RelationKind, Role, Venue};
use crate::rdf::iri::{self, Base, EvidenceNodes};
use crate::rdf::ontology::{Ontology, OntologyError, Vocabulary};
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphNameRef, LiteralRef, NamedNode, NamedNodeRef, Quad, QuadRef, TermRef};

/// Maps validated documents to quads.
#[derive(Debug, Clone)]
pub struct Mapper {
    vocabulary: Vocabulary,
    base: Base,
}

impl Mapper {
    /// A mapper writing with `ontology`'s terms under `base`.
    pub fn new(ontology: &Ontology, base: Base) -> Result<Mapper, OntologyError> {
        Ok(Mapper { vocabulary: Vocabulary::new(ontology)?, base })
    }

    /// The base IRI.
    pub fn base(&self) -> &Base {
        &self.base
    }

    /// The ontology terms it writes.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// The quads of one document, all in the article's named graph.
    pub fn map(&self, valid: &ValidDocument) -> Vec<Quad> {
        let mut quads = Vec::with_capacity(64 + 24 * valid.facts.entities.len());
        self.map_into(valid, &mut |quad| quads.push(quad.into_owned()));
        quads
    }

    /// Hands the quads of one document to `sink`, one at a time, borrowed: nothing is allocated for a
    /// quad beyond its own new nodes and literals. The order is the same as [`Mapper::map`]'s.
    pub fn map_into(&self, valid: &ValidDocument, sink: &mut dyn FnMut(QuadRef<'_>)) {
        let facts = &valid.facts;
        let id = facts.document.id.as_str();
        let article = self.base.article(id);
        let language = facts.document.language.as_deref().map(str::to_ascii_lowercase);
        let v = &self.vocabulary;
        let mut out = Emitter { v, graph: article.as_ref(), language: language.as_deref(), sink };

        // Local ids to nodes: entities to their (global) nodes, events to their statement nodes.
        // A sorted list: cheaper than hashing for a document's few dozen short ids. (Validation made
        // the ids unique.)
        let mut nodes: Vec<(&str, NamedNode)> = Vec::with_capacity(facts.entities.len() + facts.events.len());
        for entity in &facts.entities {
            nodes.push((&entity.id, self.base.entity(id, entity)));
        }
        for event in facts.events.iter().chain(facts.claims.iter().filter_map(|c| c.content.as_ref()?.event.as_ref())) {
            nodes.push((&event.id, iri::statement(article.as_ref(), "event", &event.id)));
        }
        nodes.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let node = |local: &str| {
            let found = nodes.binary_search_by(|(id, _)| (*id).cmp(local)).expect("validated references resolve");
            nodes[found].1.as_ref()
        };

        // The article.
        let document = &facts.document;
        let a = article.as_ref();
        out.add(a, rdf::TYPE, v.article.as_ref().into());
        out.text(a, rdfs::LABEL, &document.title);
        if let Some(url) = &document.url {
            out.add(a, v.url.as_ref(), NamedNodeRef::new_unchecked(url).into());
        }
        if let Some(publisher) = &document.publisher {
            out.add(a, v.publisher.as_ref(), node(publisher).into());
        }
        if let Some(published) = &document.published {
            out.date(a, DateRole::Published, published);
        }
        if let Some(language) = &document.language {
            out.add(a, v.language.as_ref(), LiteralRef::new_simple_literal(language).into());
        }
        // The text, inline or from its file (resolved by validation).
        if let Some(text) = &valid.text {
            out.text(a, v.text.as_ref(), text);
        }

        for entity in &facts.entities {
            self.entity(&mut out, node(&entity.id), entity);
        }
        for role in &facts.roles {
            self.role(&mut out, role, &node, true);
        }
        for relation in &facts.relations {
            self.relation(&mut out, relation, &node, true);
        }
        for event in &facts.events {
            self.event(&mut out, event, &node, true);
        }
        for quote in &facts.quotes {
            self.quote(&mut out, quote, &node);
        }
        for claim in &facts.claims {
            self.claim(&mut out, claim, &node);
        }
    }

    fn entity(&self, out: &mut Emitter<'_, '_>, subject: NamedNodeRef<'_>, entity: &Entity) {
        let v = &self.vocabulary;
        out.add(subject, rdf::TYPE, v.entity_class(entity.kind).as_ref().into());
        out.text(subject, rdfs::LABEL, &entity.name);
        for alias in &entity.aliases {
            out.text(subject, v.alias.as_ref(), alias);
        }
        if let Some(description) = &entity.description {
            out.text(subject, v.description.as_ref(), description);
        }
        if let Some(qid) = &entity.wikidata {
            let item = iri::wikidata_item(qid);
            out.add(subject, v.wikidata.as_ref(), item.as_ref().into());
        }
        if entity.evidence.is_empty() {
            return;
        }
        let mut nodes = EvidenceNodes::of_mention(out.graph, &entity.id);
        for (i, span) in entity.evidence.iter().enumerate() {
            let evidence = nodes.node(i + 1);
            out.add(subject, v.evidence.as_ref(), evidence.into());
            out.evidence_node(evidence, span);
            if let Some(confidence) = entity.confidence {
                out.decimal(evidence, v.confidence.as_ref(), confidence);
            }
        }
    }

    fn role<'n>(&self, out: &mut Emitter<'_, '_>, role: &Role, node: &dyn Fn(&str) -> NamedNodeRef<'n>, asserted: bool) -> NamedNode {
        let v = &self.vocabulary;
        let subject = iri::statement(out.graph, "role", &role.id);
        let s = subject.as_ref();
        out.add(s, rdf::TYPE, v.role.as_ref().into());
        out.add(s, v.subject.as_ref(), node(&role.holder).into());
        out.text(s, v.role_name.as_ref(), &role.role);
        if let Some(organisation) = &role.organisation {
            out.add(s, v.organisation.as_ref(), node(organisation).into());
        }
        out.period(s, role.start.as_ref(), role.end.as_ref(), role.as_of.as_ref());
        self.provenance(out, s, &role.evidence, role.confidence, asserted);
        subject
    }

    fn relation<'n>(&self, out: &mut Emitter<'_, '_>, relation: &Relation, node: &dyn Fn(&str) -> NamedNodeRef<'n>, asserted: bool) -> NamedNode {
        let v = &self.vocabulary;
        let subject = iri::statement(out.graph, "relation", &relation.id);
        let s = subject.as_ref();
        let property = match relation.predicate {
            RelationKind::MemberOf => &v.member_of,
            RelationKind::PartOf => &v.part_of,
            RelationKind::LocatedIn => &v.located_in,
            RelationKind::HeadquarteredIn => &v.headquartered_in,
            RelationKind::AllyOf => &v.ally_of,
            RelationKind::AffiliatedWith => &v.affiliated_with,
            RelationKind::SharesBorderWith => &v.shares_border_with,
            RelationKind::Leads => &v.leads,
            RelationKind::GovernmentOf => &v.government_of,
            RelationKind::Represents => &v.represents,
            RelationKind::Caused => &v.caused,
            RelationKind::InResponseTo => &v.in_response_to,
            RelationKind::Prevented => &v.prevented,
            RelationKind::Follows => &v.follows,
        };
        let from = node(&relation.subject);
        let to = node(&relation.object);
        out.add(s, rdf::TYPE, v.relation.as_ref().into());
        out.add(s, v.subject.as_ref(), from.into());
        out.add(s, property.as_ref(), to.into());
        out.period(s, relation.start.as_ref(), relation.end.as_ref(), relation.as_of.as_ref());
        self.provenance(out, s, &relation.evidence, relation.confidence, asserted);
        self.quantities(out, s, &relation.quantities);
        if asserted {
            // The direct ("truthy") triple, only for what the article itself states.
            out.add(from, property.as_ref(), to.into());
        }
        subject
    }

    fn event<'n>(&self, out: &mut Emitter<'_, '_>, event: &Event, node: &dyn Fn(&str) -> NamedNodeRef<'n>, asserted: bool) -> NamedNode {
        let v = &self.vocabulary;
        let subject = iri::statement(out.graph, "event", &event.id);
        let s = subject.as_ref();
        out.add(s, rdf::TYPE, v.event.as_ref().into());
        out.add(s, v.event_type.as_ref(), LiteralRef::new_simple_literal(&event.kind).into());
        out.text(s, v.description.as_ref(), &event.description);
        if let Some(date) = &event.date {
            out.date(s, DateRole::Date, date);
        }
        out.period(s, event.start.as_ref(), event.end.as_ref(), None);
        for place in &event.places {
            out.add(s, v.place.as_ref(), node(place).into());
        }
        for participant in &event.participants {
            let property = match participant.role {
                ParticipantRole::Initiator => &v.initiator,
                ParticipantRole::Target => &v.target,
                ParticipantRole::Participant => &v.participant,
            };
            out.add(s, property.as_ref(), node(&participant.entity).into());
        }
        if let Some(qid) = &event.wikidata {
            let item = iri::wikidata_item(qid);
            out.add(s, v.wikidata.as_ref(), item.as_ref().into());
        }
        self.provenance(out, s, &event.evidence, event.confidence, asserted);
        self.quantities(out, s, &event.quantities);
        subject
    }

    fn quote<'n>(&self, out: &mut Emitter<'_, '_>, quote: &Quote, node: &dyn Fn(&str) -> NamedNodeRef<'n>) {
        let v = &self.vocabulary;
        let subject = iri::statement(out.graph, "quote", &quote.id);
        let s = subject.as_ref();
        out.add(s, rdf::TYPE, v.quote.as_ref().into());
        out.add(s, v.speaker.as_ref(), node(&quote.speaker).into());
        out.text(s, v.text.as_ref(), &quote.text);
        for about in &quote.about {
            out.add(s, v.about.as_ref(), node(about).into());
        }
        if let Some(date) = &quote.date {
            out.date(s, DateRole::Date, date);
        }
        self.provenance(out, s, &quote.evidence, quote.confidence, true);
        self.quantities(out, s, &quote.quantities);
        self.venues(out, s, quote.medium.as_ref(), quote.venue.as_ref(), node);
    }

    fn claim<'n>(&self, out: &mut Emitter<'_, '_>, claim: &Claim, node: &dyn Fn(&str) -> NamedNodeRef<'n>) {
        let v = &self.vocabulary;
        let subject = iri::statement(out.graph, "claim", &claim.id);
        let s = subject.as_ref();
        out.add(s, rdf::TYPE, v.claim.as_ref().into());
        if let Some(claimant) = &claim.claimant {
            out.add(s, v.claimant.as_ref(), node(claimant).into());
        }
        out.add(s, v.claim_kind.as_ref(), LiteralRef::new_simple_literal(claim.kind.as_str()).into());
        out.text(s, v.description.as_ref(), &claim.summary);
        for about in &claim.about {
            out.add(s, v.about.as_ref(), node(about).into());
        }
        if let Some(date) = &claim.date {
            out.date(s, DateRole::Date, date);
        }
        if let Some(content) = &claim.content {
            let mut contents = Vec::new();
            if let Some(relation) = &content.relation {
                contents.push(self.relation(out, relation, node, false));
            }
            if let Some(role) = &content.role {
                contents.push(self.role(out, role, node, false));
            }
            if let Some(event) = &content.event {
                contents.push(self.event(out, event, node, false));
            }
            for content in &contents {
                out.add(s, v.content.as_ref(), content.as_ref().into());
            }
        }
        // The article asserts that the claim was made (not what it claims).
        self.provenance(out, s, &claim.evidence, claim.confidence, true);
        self.quantities(out, s, &claim.quantities);
        self.venues(out, s, claim.medium.as_ref(), claim.venue.as_ref(), node);
    }

    /// A statement's quantities (format 1.1): nodes `{statement}/quantity/{n}` with the amount and
    /// bounds as xsd:decimal, the approximation, what is counted, its Wikidata item and the evidence.
    fn quantities(&self, out: &mut Emitter<'_, '_>, subject: NamedNodeRef<'_>, quantities: &[Quantity]) {
        let v = &self.vocabulary;
        for (i, quantity) in quantities.iter().enumerate() {
            let node = NamedNode::new_unchecked(format!("{}/quantity/{}", subject.as_str(), i + 1));
            let q = node.as_ref();
            out.add(subject, v.quantity.as_ref(), q.into());
            out.add(q, rdf::TYPE, v.quantity_class.as_ref().into());
            for (property, number) in [(&v.amount, quantity.value), (&v.lower_bound, quantity.lower), (&v.upper_bound, quantity.upper)] {
                if let Some(number) = number {
                    out.decimal(q, property.as_ref(), number);
                }
            }
            if let Some(approximation) = quantity.approximation {
                out.add(q, v.approximation.as_ref(), LiteralRef::new_simple_literal(approximation.as_str()).into());
            }
            out.text(q, v.unit_text.as_ref(), &quantity.unit);
            if let Some(qid) = &quantity.unit_wikidata {
                out.add(q, v.unit.as_ref(), iri::wikidata_item(qid).as_ref().into());
            }
            out.evidence_nodes(q, v.evidence.as_ref(), EvidenceNodes::of_statement(q), &quantity.evidence);
        }
    }

    /// The medium and venue of a quote or claim (format 1.1), each with its evidence nodes
    /// `{statement}/medium/evidence/{n}` and `{statement}/venue/evidence/{n}`.
    fn venues<'n>(&self, out: &mut Emitter<'_, '_>, subject: NamedNodeRef<'_>, medium: Option<&Venue>, venue: Option<&Venue>, node: &dyn Fn(&str) -> NamedNodeRef<'n>) {
        let v = &self.vocabulary;
        let kinds = [(medium, "medium", &v.medium, &v.medium_evidence), (venue, "venue", &v.venue, &v.venue_evidence)];
        for (found, name, property, evidence) in kinds {
            let Some(found) = found else { continue };
            out.add(subject, property.as_ref(), node(&found.target).into());
            let stem = NamedNode::new_unchecked(format!("{}/{name}", subject.as_str()));
            out.evidence_nodes(subject, evidence.as_ref(), EvidenceNodes::of_statement(stem.as_ref()), &found.evidence);
        }
    }

    /// Source, attribution, evidence and confidence of a statement node.
    fn provenance(&self, out: &mut Emitter<'_, '_>, subject: NamedNodeRef<'_>, evidence: &[Evidence], confidence: Option<f64>, asserted: bool) {
        let v = &self.vocabulary;
        let article = out.graph;
        out.add(subject, v.source.as_ref(), article.into());
        if asserted {
            out.add(subject, v.according_to.as_ref(), article.into());
        }
        if !evidence.is_empty() {
            out.evidence_nodes(subject, v.evidence.as_ref(), EvidenceNodes::of_statement(subject), evidence);
        }
        if let Some(confidence) = confidence {
            out.decimal(subject, v.confidence.as_ref(), confidence);
        }
    }
}

/// Which of its subject's dates a date is.
#[derive(Debug, Clone, Copy)]
enum DateRole {
    Published,
    Date,
    Start,
    End,
    AsOf,
}

impl DateRole {
    /// The property of its plain value, the property of its time span, and the span's node name.
    fn terms(self, v: &Vocabulary) -> (&NamedNode, &NamedNode, &'static str) {
        match self {
            DateRole::Published => (&v.published, &v.published_span, "published"),
            DateRole::Date => (&v.date, &v.date_span, "date"),
            DateRole::Start => (&v.start, &v.start_span, "start"),
            DateRole::End => (&v.end, &v.end_span, "end"),
            DateRole::AsOf => (&v.as_of, &v.as_of_span, "asOf"),
        }
    }
}

/// Hands one document's quads to a sink.
struct Emitter<'v, 's> {
    v: &'v Vocabulary,
    graph: NamedNodeRef<'v>,
    language: Option<&'v str>,
    sink: &'s mut dyn FnMut(QuadRef<'_>),
}

impl Emitter<'_, '_> {
    fn add(&mut self, subject: NamedNodeRef<'_>, predicate: NamedNodeRef<'_>, object: TermRef<'_>) {
        (self.sink)(QuadRef::new(subject, predicate, object, GraphNameRef::NamedNode(self.graph)));
    }

    /// A string in the article's language (a plain string when the language is not given).
    fn text(&mut self, subject: NamedNodeRef<'_>, predicate: NamedNodeRef<'_>, value: &str) {
        let literal = match self.language {
            Some(language) => LiteralRef::new_language_tagged_literal_unchecked(value, language),
            None => LiteralRef::new_simple_literal(value),
        };
        self.add(subject, predicate, literal.into());
    }

    /// A validated date: its value (typed by its precision when it is a plain date, else the EDTF
    /// string) and its wording on the subject, as format 1.0 wrote them, and its time-span node with
    /// the EDTF string, its bounds and its own wording.
    fn date(&mut self, subject: NamedNodeRef<'_>, role: DateRole, date: &Date) {
        let v = self.v;
        let (value_property, span_property, name) = role.terms(v);
        let dating = Dating::parse(&date.value).expect("validated dates parse");
        let value = match dating.plain.map(|plain| plain.precision) {
            Some(Precision::Year) => LiteralRef::new_typed_literal(&date.value, xsd::G_YEAR),
            Some(Precision::Month) => LiteralRef::new_typed_literal(&date.value, xsd::G_YEAR_MONTH),
            Some(Precision::Day) => LiteralRef::new_typed_literal(&date.value, xsd::DATE),
            None => LiteralRef::new_simple_literal(&date.value),
        };
        self.add(subject, value_property.as_ref(), value.into());
        if let Some(wording) = &date.text {
            self.text(subject, v.date_text.as_ref(), wording);
        }
        let span = iri::time_span(subject, name);
        let s = span.as_ref();
        self.add(subject, span_property.as_ref(), s.into());
        self.add(s, rdf::TYPE, v.time_span_class.as_ref().into());
        self.add(s, v.edtf.as_ref(), LiteralRef::new_simple_literal(&date.value).into());
        for (property, bound) in [(&v.earliest, dating.earliest), (&v.latest, dating.latest)] {
            if let Some(day) = bound {
                self.add(s, property.as_ref(), LiteralRef::new_typed_literal(&date::day_string(day), xsd::DATE).into());
            }
        }
        if let Some(wording) = &date.text {
            self.text(s, v.date_text.as_ref(), wording);
        }
    }

    fn period(&mut self, subject: NamedNodeRef<'_>, start: Option<&Date>, end: Option<&Date>, as_of: Option<&Date>) {
        for (role, date) in [(DateRole::Start, start), (DateRole::End, end), (DateRole::AsOf, as_of)] {
            if let Some(date) = date {
                self.date(subject, role, date);
            }
        }
    }

    fn decimal(&mut self, subject: NamedNodeRef<'_>, predicate: NamedNodeRef<'_>, value: f64) {
        let text = value.to_string();
        self.add(subject, predicate, LiteralRef::new_typed_literal(&text, xsd::DECIMAL).into());
    }

    fn integer(&mut self, subject: NamedNodeRef<'_>, predicate: NamedNodeRef<'_>, value: u64) {
        let mut buffer = itoa::Buffer::new();
        self.add(subject, predicate, LiteralRef::new_typed_literal(buffer.format(value), xsd::INTEGER).into());
    }

    /// `subject` `predicate` each span's node, numbered from 1 in `nodes`.
    fn evidence_nodes(&mut self, subject: NamedNodeRef<'_>, predicate: NamedNodeRef<'_>, mut nodes: EvidenceNodes, evidence: &[Evidence]) {
        for (i, span) in evidence.iter().enumerate() {
            let node = nodes.node(i + 1);
            self.add(subject, predicate, node.into());
            self.evidence_node(node, span);
        }
    }

    fn evidence_node(&mut self, node: NamedNodeRef<'_>, span: &Evidence) {
        let v = self.v;
        let article = self.graph;
        self.add(node, rdf::TYPE, v.evidence_class.as_ref().into());
        self.add(node, v.source.as_ref(), article.into());
        // Validation fills in every span's offsets.
        if let Some((start, end)) = span.offsets() {
            self.integer(node, v.begin_index.as_ref(), start);
            self.integer(node, v.end_index.as_ref(), end);
        }
        self.text(node, v.exact.as_ref(), &span.text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{Literal, Term};

    /// A small document: shared and article-scoped entities, an asserted role and relation, an event
    /// with a worded date, and a claim whose content is a relation.
    const DOCUMENT: &str = r#"{
        "format": "1",
        "document": {"id": "doc-1", "title": "Alliance split", "url": "https://news.example/1",
                     "published": {"value": "2021-10"}, "language": "EN", "text": "Jens Stoltenberg of NATO."},
        "entities": [
            {"id": "nato", "type": "organisation", "name": "NATO", "wikidata": "Q7184",
             "evidence": [{"start": 20, "end": 24, "text": "NATO"}, {"start": 30, "end": 34, "text": "NATO"}], "confidence": 0.9},
            {"id": "js", "type": "person", "name": "Jens Stoltenberg", "aliases": ["Mr Stoltenberg"]},
            {"id": "sep", "type": "group", "name": "separatists"},
            {"id": "ru", "type": "country", "name": "Russia"}
        ],
        "roles": [{"id": "r1", "holder": "js", "role": "Secretary General", "organisation": "nato", "start": {"value": "2014"},
                   "evidence": [{"start": 0, "end": 16, "text": "Jens Stoltenberg"}, {"start": 20, "end": 24, "text": "NATO"}],
                   "confidence": 0.8}],
        "relations": [{"id": "rel1", "subject": "sep", "predicate": "located_in", "object": "ru",
                       "evidence": [{"start": 0, "end": 4, "text": "Jens"}]}],
        "events": [{"id": "ev1", "type": "troop-buildup", "description": "Troops gathered.",
                    "date": {"value": "2021-10-21", "text": "21 October"}, "places": ["ru"],
                    "participants": [{"entity": "ru", "role": "initiator"}],
                    "evidence": [{"start": 0, "end": 4, "text": "Jens"}]}],
        "claims": [{"id": "c1", "claimant": "ru", "kind": "accusation", "summary": "NATO is part of Russia.",
                    "about": ["nato"], "content": {"relation": {"id": "rel2", "subject": "nato", "predicate": "part_of", "object": "ru"}},
                    "evidence": [{"start": 0, "end": 4, "text": "Jens"}]}]
    }"#;

    const BASE: &str = "https://example.org/kb/";

    struct Mapped {
        quads: Vec<Quad>,
        v: Vocabulary,
    }

    fn mapped() -> Mapped {
        let ontology = Ontology::bundled().unwrap();
        let mapper = Mapper::new(&ontology, Base::new(BASE).unwrap()).unwrap();
        let facts = serde_json::from_str(DOCUMENT).unwrap();
        let document = ValidDocument { facts, text: Some("Jens Stoltenberg of NATO.".into()) };
        Mapped { quads: mapper.map(&document), v: mapper.vocabulary().clone() }
    }

    #[test]
    fn spans_located_by_their_words_map_as_the_same_spans_with_offsets() {
        let with_offsets = r#"{"format": "1", "document": {"id": "d", "title": "T", "text": "Jens Stoltenberg of NATO met NATO."},
            "entities": [{"id": "nato", "type": "organisation", "name": "NATO",
                          "evidence": [{"start": 20, "end": 24, "text": "NATO"}, {"start": 29, "end": 33, "text": "NATO"}]},
                         {"id": "js", "type": "person", "name": "Jens Stoltenberg", "evidence": [{"start": 0, "end": 16, "text": "Jens Stoltenberg"}]}],
            "roles": [{"id": "r1", "holder": "js", "role": "Secretary General", "organisation": "nato",
                       "evidence": [{"start": 0, "end": 24, "text": "Jens Stoltenberg of NATO"}]}]}"#;
        let by_words = with_offsets
            .replace(r#"{"start": 20, "end": 24, "text": "NATO"}"#, r#"{"text": "NATO", "occurrence": 1}"#)
            .replace(r#"{"start": 29, "end": 33, "text": "NATO"}"#, r#"{"text": "NATO", "context": "met NATO."}"#)
            .replace(r#""start": 0, "end": 16, "#, "")
            .replace(r#""start": 0, "end": 24, "#, "");
        assert!(!by_words.contains("\"start\""));
        let ontology = Ontology::bundled().unwrap();
        let mapper = Mapper::new(&ontology, Base::new(BASE).unwrap()).unwrap();
        let quads = |text: &str| {
            let raw = crate::facts::input::RawDocument { source: "t", first_line: 1, text };
            let document = crate::facts::validate::validate(raw, |_| Err::<String, _>("no files")).unwrap();
            mapper.map(&document)
        };
        let expected = quads(with_offsets);
        assert_eq!(expected.iter().filter(|q| q.predicate == mapper.vocabulary().begin_index).count(), 4);
        assert_eq!(quads(&by_words), expected);
    }

    fn node(path: &str) -> NamedNode {
        NamedNode::new(format!("{BASE}{path}")).unwrap()
    }

    fn en(text: &str) -> Term {
        Literal::new_language_tagged_literal(text, "en").unwrap().into()
    }

    fn typed(value: &str, datatype: NamedNodeRef<'_>) -> Term {
        Literal::new_typed_literal(value, datatype).into()
    }

    impl Mapped {
        fn has(&self, subject: &NamedNode, predicate: &NamedNode, object: impl Into<Term>) -> bool {
            let quad = Quad::new(subject.clone(), predicate.clone(), object.into(), node("article/doc-1"));
            self.quads.contains(&quad)
        }

        /// The objects of `subject` and `predicate`, in the mapper's order.
        fn objects(&self, subject: &NamedNode, predicate: &NamedNode) -> Vec<Term> {
            self.quads.iter().filter(|q| q.subject == subject.clone().into() && q.predicate == *predicate).map(|q| q.object.clone()).collect()
        }
    }

    #[test]
    fn the_article_has_typed_dates_and_language_tagged_text() {
        let m = mapped();
        let article = node("article/doc-1");
        let type_ = rdf::TYPE.into_owned();
        assert!(m.has(&article, &type_, m.v.article.clone()));
        assert!(m.has(&article, &rdfs::LABEL.into_owned(), en("Alliance split")));
        assert!(m.has(&article, &m.v.url, NamedNode::new("https://news.example/1").unwrap()));
        assert!(m.has(&article, &m.v.published, typed("2021-10", xsd::G_YEAR_MONTH)));
        // The language as given; the tags in lowercase.
        assert!(m.has(&article, &m.v.language, Literal::new_simple_literal("EN")));
        assert!(m.has(&article, &m.v.text, en("Jens Stoltenberg of NATO.")));
        let event = node("article/doc-1/event/ev1");
        assert!(m.has(&event, &m.v.date, typed("2021-10-21", xsd::DATE)));
        assert!(m.has(&event, &m.v.date_text, en("21 October")));
        // Each date's time span: the value as written, its bounds and its own wording.
        let span = node("article/doc-1/event/ev1/date/date");
        assert!(m.has(&event, &m.v.date_span, span.clone()));
        assert!(m.has(&span, &m.v.edtf, Literal::new_simple_literal("2021-10-21")));
        assert!(m.has(&span, &m.v.earliest, typed("2021-10-21", xsd::DATE)));
        assert!(m.has(&span, &m.v.latest, typed("2021-10-21", xsd::DATE)));
        assert!(m.has(&span, &m.v.date_text, en("21 October")));
        let start = node("article/doc-1/role/r1/date/start");
        assert!(m.has(&start, &m.v.earliest, typed("2014-01-01", xsd::DATE)));
        assert!(m.has(&start, &m.v.latest, typed("2014-12-31", xsd::DATE)));
        assert!(m.objects(&start, &m.v.date_text).is_empty());
        assert!(m.has(&node("article/doc-1/role/r1"), &m.v.start, typed("2014", xsd::G_YEAR)));
    }

    #[test]
    fn entities_are_shared_nodes_and_groups_belong_to_their_article() {
        let m = mapped();
        let type_ = rdf::TYPE.into_owned();
        let nato = node("entity/Q7184");
        assert!(m.has(&nato, &type_, m.v.organisation_class.clone()));
        assert!(m.has(&nato, &m.v.wikidata, NamedNode::new("http://www.wikidata.org/entity/Q7184").unwrap()));
        let person = node("entity/person/jens-stoltenberg");
        assert!(m.has(&person, &type_, m.v.person.clone()));
        assert!(m.has(&person, &m.v.alias, en("Mr Stoltenberg")));
        assert!(m.has(&node("article/doc-1/group/sep"), &type_, m.v.group.clone()));
        assert!(m.has(&node("entity/country/russia"), &type_, m.v.country.clone()));
        // References resolve to those nodes.
        assert!(m.has(&node("article/doc-1/role/r1"), &m.v.subject, person));
        assert!(m.has(&node("article/doc-1/event/ev1"), &m.v.initiator, node("entity/country/russia")));
    }

    #[test]
    fn evidence_nodes_are_numbered_and_carry_their_span() {
        let m = mapped();
        let role = node("article/doc-1/role/r1");
        let evidence = m.objects(&role, &m.v.evidence);
        assert_eq!(evidence, [node("article/doc-1/role/r1/evidence/1").into(), node("article/doc-1/role/r1/evidence/2").into()]);
        let second = node("article/doc-1/role/r1/evidence/2");
        assert!(m.has(&second, &rdf::TYPE.into_owned(), m.v.evidence_class.clone()));
        assert!(m.has(&second, &m.v.source, node("article/doc-1")));
        assert!(m.has(&second, &m.v.begin_index, typed("20", xsd::INTEGER)));
        assert!(m.has(&second, &m.v.end_index, typed("24", xsd::INTEGER)));
        assert!(m.has(&second, &m.v.exact, en("NATO")));
        assert!(m.has(&role, &m.v.confidence, typed("0.8", xsd::DECIMAL)));
        // An entity's mentions: numbered under the article, each with the entity's confidence.
        let nato = node("entity/Q7184");
        let mentions = m.objects(&nato, &m.v.evidence);
        assert_eq!(mentions, [node("article/doc-1/mention/nato/1").into(), node("article/doc-1/mention/nato/2").into()]);
        assert!(m.has(&node("article/doc-1/mention/nato/2"), &m.v.confidence, typed("0.9", xsd::DECIMAL)));
    }

    #[test]
    fn asserted_statements_have_a_direct_triple_and_claimed_content_none() {
        let m = mapped();
        let article = node("article/doc-1");
        let asserted = node("article/doc-1/relation/rel1");
        assert!(m.has(&asserted, &m.v.according_to, article.clone()));
        assert!(m.has(&node("article/doc-1/group/sep"), &m.v.located_in, node("entity/country/russia")));
        let claim = node("article/doc-1/claim/c1");
        let claimed = node("article/doc-1/relation/rel2");
        assert!(m.has(&claim, &m.v.content, claimed.clone()));
        assert!(m.has(&claim, &m.v.according_to, article.clone()));
        assert!(m.has(&claimed, &m.v.source, article));
        assert!(m.objects(&claimed, &m.v.according_to).is_empty());
        assert!(m.has(&claimed, &m.v.part_of, node("entity/country/russia")));
        assert!(m.objects(&node("entity/Q7184"), &m.v.part_of).is_empty(), "a claimed relation is asserted");
    }

    #[test]
    fn every_quad_is_in_the_article_graph_in_a_fixed_order() {
        let m = mapped();
        let graph = node("article/doc-1");
        assert!(m.quads.iter().all(|q| q.graph_name == graph.clone().into()));
        assert_eq!(m.quads, mapped().quads);
        // The article's own quads come first, with rdf:type leading.
        assert_eq!(m.quads[0].subject, graph.clone().into());
        assert_eq!(m.quads[0].predicate, rdf::TYPE);
    }
}
