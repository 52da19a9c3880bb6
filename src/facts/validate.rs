//! Validation: from a document's raw JSON text to a [`ValidDocument`], or to *every* problem in it,
//! each located at a line, a column and a JSON path.
//!
//! The entry point is [`validate`]. Well-formed input takes the fast path: one typed serde pass, then
//! the semantic checks. Input with shape problems is parsed again as a plain JSON value, checked
//! against the JSON Schema (every unknown field, wrong type and missing field), and the items that
//! are well shaped still get the semantic checks, so one run reports everything.

use crate::facts::date::{DateError, Dating};
use crate::facts::{
    Claim, Date, Document, Entity, EntityType, Event, Evidence, FactsDocument, Joins, Quantity, Quote, Relation, RelationKind, Role, Venue, FORMAT_VERSION,
    FORMAT_VERSION_1_0,
};
use crate::facts::identity::entity_path;
use crate::facts::input::RawDocument;
use crate::facts::jsonpos::PositionIndex;
use crate::facts::locate;
use crate::facts::problem::{Position, Problem};
use crate::facts::schema::{quoted, ShapeChecker};
use crate::text::{any_byte, closest, CodePoints};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::OnceLock;

/// A document that passed validation, with its text resolved. Only these reach the mapper.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDocument {
    /// The facts.
    pub facts: FactsDocument,
    /// The article text (inline or from `text_file`), when the document has one.
    pub text: Option<String>,
}

/// Validates one document's JSON text. A well-shaped document's `text_file` is handed to
/// `read_text_file`, which returns the article text or why there is none (reported at
/// `$.document.text_file`); validation itself reads nothing.
pub fn validate<E: fmt::Display>(
    raw: RawDocument<'_>,
    read_text_file: impl FnOnce(&str) -> Result<String, E>,
) -> Result<ValidDocument, Vec<Problem>> {
    let located = |findings: Vec<Finding>| locate(raw, findings);
    match serde_json::from_str::<FactsDocument>(raw.text) {
        Ok(facts) => {
            let view = View::complete(&facts);
            let mut checker = Checker::default();
            checker.check(&view, read_text_file);
            if checker.findings.is_empty() {
                let text = checker.text.map(|(text, _)| text);
                let located = checker.located;
                let mut facts = facts;
                if !located.is_empty() {
                    fill_offsets(&mut facts, located);
                }
                Ok(ValidDocument { facts, text })
            } else {
                Err(located(checker.findings))
            }
        }
        Err(error) if error.is_data() => {
            let value = match serde_json::from_str::<Value>(raw.text) {
                Ok(value) => value,
                Err(syntax) => {
                    let message = format!("malformed JSON: {}", strip_position(&syntax.to_string()));
                    return Err(locate_serde(raw, &syntax, vec![Finding::at("$", message)]));
                }
            };
            let mut findings: Vec<Finding> = shape_checker()
                .check(&value)
                .into_iter()
                .map(|p| Finding { path: p.path, at_key: p.at_key, message: p.message })
                .collect();
            if findings.is_empty() {
                // The schema and serde disagree (a duplicate member, say): report serde's words.
                findings.push(Finding::at("$", strip_position(&error.to_string())));
                return Err(locate_serde(raw, &error, findings));
            }
            let parts = Parts::salvage(&value, &findings);
            let view = parts.view();
            let mut checker = Checker::default();
            checker.check(&view, read_text_file);
            findings.extend(checker.findings);
            Err(located(findings))
        }
        Err(error) => {
            let message = format!("malformed JSON: {}", strip_position(&error.to_string()));
            Err(locate_serde(raw, &error, vec![Finding::at("$", message)]))
        }
    }
}

fn shape_checker() -> &'static ShapeChecker {
    static CHECKER: OnceLock<ShapeChecker> = OnceLock::new();
    CHECKER.get_or_init(ShapeChecker::default)
}

/// serde_json appends " at line L column C" to its messages; we print positions ourselves.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_string(),
        None => message.to_string(),
    }
}

/// A problem before it has a position: the JSON path and the message.
#[derive(Debug, Clone)]
struct Finding {
    path: String,
    at_key: bool,
    message: String,
}

impl Finding {
    fn at(path: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding { path: path.into(), at_key: false, message: message.into() }
    }
}

/// Places findings at their values' positions, in the order they stand in the text.
fn locate(raw: RawDocument<'_>, findings: Vec<Finding>) -> Vec<Problem> {
    let index = PositionIndex::build(raw.text);
    let mut problems: Vec<Problem> = findings
        .into_iter()
        .map(|finding| {
            let position = if finding.at_key { index.key(&finding.path) } else { index.value(&finding.path) };
            Problem {
                source: raw.source.to_string(),
                position: Position { line: position.line + raw.first_line - 1, column: position.column },
                path: finding.path,
                message: finding.message,
            }
        })
        .collect();
    problems.sort_by_key(|p| p.position);
    problems
}

/// Places findings at serde_json's error position (its column counts bytes; ours, code points).
fn locate_serde(raw: RawDocument<'_>, error: &serde_json::Error, findings: Vec<Finding>) -> Vec<Problem> {
    let line_text = raw.text.split('\n').nth(error.line().saturating_sub(1)).unwrap_or_default();
    let byte_column = error.column().min(line_text.len());
    let mut cut = byte_column;
    while !line_text.is_char_boundary(cut) {
        cut -= 1;
    }
    let column = line_text[..cut].chars().count().max(1) as u64;
    let line = error.line().max(1) as u64 + raw.first_line - 1;
    findings
        .into_iter()
        .map(|finding| Problem {
            source: raw.source.to_string(),
            position: Position { line, column },
            path: finding.path,
            message: finding.message,
        })
        .collect()
}

/// The well-shaped parts of a document with shape problems, each item with its index.
#[derive(Default)]
struct Parts {
    format: Option<String>,
    document: Option<Document>,
    /// Section by section, as [`View::items`].
    items: Vec<(usize, OwnedItem)>,
    /// Ids of items left out for their shape problems: references to them are not reported again.
    broken_ids: HashSet<String>,
}

impl Parts {
    fn salvage(value: &Value, findings: &[Finding]) -> Parts {
        let mut parts = Parts::default();
        let Some(root) = value.as_object() else { return parts };
        let clean = |prefix: &str| {
            !findings.iter().any(|f| {
                f.path == prefix || f.path.starts_with(&format!("{prefix}.")) || f.path.starts_with(&format!("{prefix}["))
            })
        };
        if clean("$.format") {
            parts.format = root.get("format").and_then(Value::as_str).map(str::to_string);
        }
        if clean("$.document") {
            parts.document = root.get("document").and_then(|d| serde_json::from_value(d.clone()).ok());
        }
        for kind in ItemKind::SECTIONS {
            let Some(values) = root.get(kind.section()).and_then(Value::as_array) else { continue };
            for (i, value) in values.iter().enumerate() {
                let parsed = if clean(&format!("$.{}[{i}]", kind.section())) { OwnedItem::parse(kind, value) } else { None };
                match parsed {
                    Some(parsed) => parts.items.push((i, parsed)),
                    None => {
                        if let Some(id) = value.get("id").and_then(Value::as_str) {
                            parts.broken_ids.insert(id.to_string());
                        }
                        // Nested claim content has ids of its own.
                        if let Some(content) = value.get("content").and_then(Value::as_object) {
                            for nested in content.values() {
                                if let Some(id) = nested.get("id").and_then(Value::as_str) {
                                    parts.broken_ids.insert(id.to_string());
                                }
                            }
                        }
                    }
                }
            }
        }
        parts
    }

    fn view(&self) -> View<'_> {
        View {
            format: self.format.as_deref(),
            document: self.document.as_ref(),
            items: self.items.iter().map(|(i, item)| (*i, item.as_item())).collect(),
            broken_ids: self.broken_ids.iter().map(String::as_str).collect(),
        }
    }
}

/// What the semantic checks look at: a whole document, or the salvaged parts of a broken one.
struct View<'a> {
    format: Option<&'a str>,
    document: Option<&'a Document>,
    /// The items of the six sections in the order of [`ItemKind::SECTIONS`], each with its index in
    /// its section: every check walks the document through this one list.
    items: Vec<(usize, Item<'a>)>,
    broken_ids: HashSet<&'a str>,
}

impl<'a> View<'a> {
    fn complete(facts: &'a FactsDocument) -> View<'a> {
        let f = facts;
        let mut items = Vec::with_capacity(f.entities.len() + f.roles.len() + f.relations.len() + f.events.len() + f.quotes.len() + f.claims.len());
        items.extend(f.entities.iter().map(Item::Entity).enumerate());
        items.extend(f.roles.iter().map(Item::Role).enumerate());
        items.extend(f.relations.iter().map(Item::Relation).enumerate());
        items.extend(f.events.iter().map(Item::Event).enumerate());
        items.extend(f.quotes.iter().map(Item::Quote).enumerate());
        items.extend(f.claims.iter().map(Item::Claim).enumerate());
        View { format: Some(&facts.format), document: Some(&facts.document), items, broken_ids: HashSet::new() }
    }

    /// How many entities there are (they come first).
    fn entities(&self) -> usize {
        self.items.partition_point(|(_, item)| matches!(item, Item::Entity(_)))
    }
}

/// One item of a document's six sections.
#[derive(Clone, Copy)]
enum Item<'a> {
    Entity(&'a Entity),
    Role(&'a Role),
    Relation(&'a Relation),
    Event(&'a Event),
    Quote(&'a Quote),
    Claim(&'a Claim),
}

impl<'a> Item<'a> {
    fn kind(self) -> ItemKind {
        match self {
            Item::Entity(_) => ItemKind::Entity,
            Item::Role(_) => ItemKind::Role,
            Item::Relation(_) => ItemKind::Relation,
            Item::Event(_) => ItemKind::Event,
            Item::Quote(_) => ItemKind::Quote,
            Item::Claim(_) => ItemKind::Claim,
        }
    }

    fn id(self) -> &'a str {
        match self {
            Item::Entity(x) => &x.id,
            Item::Role(x) => &x.id,
            Item::Relation(x) => &x.id,
            Item::Event(x) => &x.id,
            Item::Quote(x) => &x.id,
            Item::Claim(x) => &x.id,
        }
    }
}

/// An [`Item`] salvaged from a document with shape problems.
enum OwnedItem {
    Entity(Entity),
    Role(Role),
    Relation(Relation),
    Event(Event),
    Quote(Quote),
    Claim(Claim),
}

impl OwnedItem {
    /// The item of section `kind` in `value`, if it is well shaped.
    fn parse(kind: ItemKind, value: &Value) -> Option<OwnedItem> {
        fn typed<T: DeserializeOwned>(value: &Value, wrap: fn(T) -> OwnedItem) -> Option<OwnedItem> {
            serde_json::from_value(value.clone()).ok().map(wrap)
        }
        match kind {
            ItemKind::Entity => typed(value, OwnedItem::Entity),
            ItemKind::Role => typed(value, OwnedItem::Role),
            ItemKind::Relation => typed(value, OwnedItem::Relation),
            ItemKind::Event => typed(value, OwnedItem::Event),
            ItemKind::Quote => typed(value, OwnedItem::Quote),
            ItemKind::Claim => typed(value, OwnedItem::Claim),
        }
    }

    fn as_item(&self) -> Item<'_> {
        match self {
            OwnedItem::Entity(x) => Item::Entity(x),
            OwnedItem::Role(x) => Item::Role(x),
            OwnedItem::Relation(x) => Item::Relation(x),
            OwnedItem::Event(x) => Item::Event(x),
            OwnedItem::Quote(x) => Item::Quote(x),
            OwnedItem::Claim(x) => Item::Claim(x),
        }
    }
}

/// The kinds of item a local id can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    Entity,
    Role,
    Relation,
    Event,
    Quote,
    Claim,
}

impl ItemKind {
    /// The document's sections, in the order the checks walk them.
    const SECTIONS: [ItemKind; 6] = [ItemKind::Entity, ItemKind::Role, ItemKind::Relation, ItemKind::Event, ItemKind::Quote, ItemKind::Claim];

    /// The section that holds this kind of item.
    fn section(self) -> &'static str {
        match self {
            ItemKind::Entity => "entities",
            ItemKind::Role => "roles",
            ItemKind::Relation => "relations",
            ItemKind::Event => "events",
            ItemKind::Quote => "quotes",
            ItemKind::Claim => "claims",
        }
    }

    fn with_article(self) -> &'static str {
        match self {
            ItemKind::Entity => "an entity",
            ItemKind::Role => "a role",
            ItemKind::Relation => "a relation",
            ItemKind::Event => "an event",
            ItemKind::Quote => "a quote",
            ItemKind::Claim => "a claim",
        }
    }
}

/// The JSON path of an item (`$.roles[2]`, `$.claims[0].content.event`), formatted only when a
/// message names it.
#[derive(Debug, Clone, Copy)]
struct ItemPath {
    section: &'static str,
    index: usize,
    nested: Option<&'static str>,
}

impl fmt::Display for ItemPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "$.{}[{}]", self.section, self.index)?;
        match self.nested {
            Some(nested) => write!(f, ".content.{nested}"),
            None => Ok(()),
        }
    }
}

/// What a reference may name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Entity,
    Event,
    EntityOrEvent,
}

impl Target {
    fn accepts(self, kind: ItemKind) -> bool {
        match self {
            Target::Entity => kind == ItemKind::Entity,
            Target::Event => kind == ItemKind::Event,
            Target::EntityOrEvent => matches!(kind, ItemKind::Entity | ItemKind::Event),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Target::Entity => "an entity",
            Target::Event => "an event",
            Target::EntityOrEvent => "an entity or an event",
        }
    }
}

#[derive(Default)]
struct Checker<'a> {
    findings: Vec<Finding>,
    /// Every local id: its kind and the path of the item that declares it. (A document's ids are
    /// few and short: foldhash hashes them several times faster than the default SipHash.)
    ids: HashMap<&'a str, (ItemKind, ItemPath), foldhash::fast::RandomState>,
    broken_ids: HashSet<&'a str>,
    /// The type of every entity, for the relation kinds that constrain it.
    entity_types: HashMap<&'a str, EntityType, foldhash::fast::RandomState>,
    text: Option<(String, CodePoints)>,
    /// The document says format "1": what is new in 1.1 is refused.
    version_1_0: bool,
    /// The document names a text (inline or as a file), even if it could not be read.
    text_given: bool,
    /// The offsets of the spans located by their words, in the order the checks meet them.
    located: Vec<(u64, u64)>,
}

impl<'a> Checker<'a> {
    fn report(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.findings.push(Finding::at(path, message));
    }

    fn check<E: fmt::Display>(&mut self, view: &View<'a>, read_text_file: impl FnOnce(&str) -> Result<String, E>) {
        self.broken_ids = view.broken_ids.clone();
        if let Some(format) = view.format {
            self.version_1_0 = format == FORMAT_VERSION_1_0;
            if format != FORMAT_VERSION && !self.version_1_0 {
                let message = format!("unsupported format version {}; expected \"{FORMAT_VERSION}\" or \"{FORMAT_VERSION_1_0}\"", quoted(format));
                self.report("$.format", message);
            }
        }
        if let Some(document) = view.document {
            self.document(document, read_text_file);
        }
        self.declare_ids(view);
        if let Some(publisher) = view.document.and_then(|d| d.publisher.as_deref()) {
            self.reference(&|| "$.document.publisher".to_string(), publisher, Target::Entity);
        }
        let document_id = view.document.map_or("", |d| d.id.as_str());
        let mut nodes: HashMap<String, (usize, &Entity), foldhash::fast::RandomState> =
            HashMap::with_capacity_and_hasher(view.entities(), Default::default());
        // One string for every item's path, `$.entities[3]` and so on.
        let mut path = String::new();
        for &(i, item) in &view.items {
            let path = item_path(&mut path, item.kind().section(), i);
            match item {
                Item::Entity(entity) => {
                    self.entity(path, entity);
                    let node = entity_path(document_id, entity);
                    match nodes.get(&node) {
                        Some((first, other)) => {
                            let message = format!(
                                "this entity would be the same node as $.entities[{first}] ({} {}); merge the two, or give one a \"key\" to tell them apart",
                                other.kind.as_str(),
                                quoted(&other.name)
                            );
                            self.report(path.to_string(), message);
                        }
                        None => {
                            nodes.insert(node, (i, entity));
                        }
                    }
                }
                Item::Role(role) => self.role(path, role, true),
                Item::Relation(relation) => self.relation(path, relation, true),
                Item::Event(event) => self.event(path, event, true),
                Item::Quote(quote) => self.quote(path, quote),
                Item::Claim(claim) => self.claim(path, claim),
            }
        }
    }

    fn declare_ids(&mut self, view: &View<'a>) {
        let declare = |this: &mut Self, id: &'a str, kind: ItemKind, path: ItemPath| {
            if !valid_id(id) {
                this.report(format!("{path}.id"), format!("invalid id {}; ids use letters, digits, '.', '_' and '-'", quoted(id)));
            }
            match this.ids.get(id) {
                Some((_, first)) => {
                    let message = format!("duplicate id {}; {first} already uses it", quoted(id));
                    this.report(format!("{path}.id"), message);
                }
                None => {
                    this.ids.insert(id, (kind, path));
                }
            }
        };
        for &(index, item) in &view.items {
            let at = ItemPath { section: item.kind().section(), index, nested: None };
            declare(self, item.id(), item.kind(), at);
            if let Item::Entity(entity) = item {
                self.entity_types.entry(&entity.id).or_insert(entity.kind);
            }
            let Item::Claim(Claim { content: Some(content), .. }) = item else { continue };
            let nested = |nested: &'static str| ItemPath { nested: Some(nested), ..at };
            if let Some(r) = &content.relation {
                declare(self, &r.id, ItemKind::Relation, nested("relation"));
            }
            if let Some(r) = &content.role {
                declare(self, &r.id, ItemKind::Role, nested("role"));
            }
            if let Some(e) = &content.event {
                declare(self, &e.id, ItemKind::Event, nested("event"));
            }
        }
    }

    fn document<E: fmt::Display>(&mut self, document: &Document, read_text_file: impl FnOnce(&str) -> Result<String, E>) {
        if !valid_id(&document.id) {
            self.report(
                "$.document.id",
                format!("invalid document id {}; ids use letters, digits, '.', '_' and '-'", quoted(&document.id)),
            );
        }
        self.non_empty(&|| "$.document.title".to_string(), &document.title);
        if let Some(notes) = &document.notes {
            self.portable(&|| "$.document.notes".to_string(), notes);
        }
        if let Some(url) = &document.url {
            if let Err(error) = iri_string::types::IriStr::new(url) {
                self.report("$.document.url", format!("{} is not an absolute IRI ({error})", quoted(url)));
            }
        }
        if let Some(published) = &document.published {
            self.date(&|| "$.document.published".to_string(), published);
        }
        if let Some(language) = &document.language {
            if !valid_language(language) {
                self.report("$.document.language", format!("{} is not a BCP 47 language tag such as \"en\" or \"pt-BR\"", quoted(language)));
            }
        }
        self.text_given = document.text.is_some() || document.text_file.is_some();
        match (&document.text, &document.text_file) {
            (Some(_), Some(_)) => {
                self.report("$.document.text_file", "give the text either inline (\"text\") or as \"text_file\", not both");
            }
            (Some(text), None) => {
                self.portable(&|| "$.document.text".to_string(), text);
                self.text = Some((text.clone(), CodePoints::new(text)));
            }
            (None, Some(file)) => match read_text_file(file) {
                Ok(text) => {
                    let points = CodePoints::new(&text);
                    self.text = Some((text, points));
                }
                Err(error) => self.report("$.document.text_file", error.to_string()),
            },
            (None, None) => {}
        }
    }

    fn entity(&mut self, path: &str, entity: &Entity) {
        self.non_empty(&|| format!("{path}.name"), &entity.name);
        if let Some(description) = &entity.description {
            self.portable(&|| format!("{path}.description"), description);
        }
        for (i, alias) in entity.aliases.iter().enumerate() {
            self.non_empty(&|| format!("{path}.aliases[{i}]"), alias);
        }
        if let Some(qid) = &entity.wikidata {
            self.wikidata(&|| format!("{path}.wikidata"), qid);
        }
        if let Some(key) = &entity.key {
            if !valid_id(key) {
                self.report(format!("{path}.key"), format!("invalid key {}; keys use letters, digits, '.', '_' and '-'", quoted(key)));
            }
        }
        self.evidence(path, &entity.evidence);
        self.confidence(path, entity.confidence);
    }

    fn role(&mut self, path: &str, role: &Role, asserted: bool) {
        self.reference(&|| format!("{path}.holder"), &role.holder, Target::Entity);
        self.non_empty(&|| format!("{path}.role"), &role.role);
        if let Some(organisation) = &role.organisation {
            self.reference(&|| format!("{path}.organisation"), organisation, Target::Entity);
        }
        self.period(path, role.start.as_ref(), role.end.as_ref(), role.as_of.as_ref());
        self.statement_evidence(path, &role.evidence, asserted, "a role");
        self.confidence(path, role.confidence);
    }

    fn relation(&mut self, path: &str, relation: &Relation, asserted: bool) {
        let kind = relation.predicate;
        if self.version_1_0 && kind.since_1_1() {
            let message = format!("\"{}\" is new in format 1.1; set \"format\" to \"{FORMAT_VERSION}\"", kind.as_str());
            self.report(format!("{path}.predicate"), message);
        }
        let target = match kind.joins() {
            Joins::Entities => Target::Entity,
            Joins::Events => Target::Event,
            // Format 1.0 knows part_of between entities only.
            Joins::EntitiesOrEvents if self.version_1_0 => Target::Entity,
            Joins::EntitiesOrEvents => Target::EntityOrEvent,
        };
        self.reference(&|| format!("{path}.subject"), &relation.subject, target);
        self.reference(&|| format!("{path}.object"), &relation.object, target);
        let subject = self.ids.get(relation.subject.as_str()).copied();
        let object = self.ids.get(relation.object.as_str()).copied();
        let joins_events = [subject, object].iter().any(|found| matches!(found, Some((ItemKind::Event, _))));
        if self.version_1_0 && kind.joins() == Joins::EntitiesOrEvents && joins_events {
            let message = format!("\"{}\" between events is new in format 1.1; set \"format\" to \"{FORMAT_VERSION}\"", kind.as_str());
            self.report(format!("{path}.predicate"), message);
        }
        if relation.subject == relation.object {
            let items = if target == Target::Event { "events" } else { "entities" };
            let message = format!("a relation needs two different {items}; subject and object are both {}", quoted(&relation.object));
            self.report(format!("{path}.object"), message);
        } else if let (Some((s, _)), Some((o, declared))) = (subject, object) {
            if target == Target::EntityOrEvent && s != o && target.accepts(s) && target.accepts(o) {
                let message = format!(
                    "\"{}\" joins two entities or two events; the subject is {} and {} is {} ({declared})",
                    kind.as_str(),
                    s.with_article(),
                    quoted(&relation.object),
                    o.with_article()
                );
                self.report(format!("{path}.object"), message);
            }
        }
        if asserted && target != Target::Entity {
            // The article cannot assert a link to what it only reports as claimed.
            for (field, id, found) in [("subject", &relation.subject, subject), ("object", &relation.object, object)] {
                if let Some((ItemKind::Event, declared @ ItemPath { nested: Some(_), .. })) = found {
                    let message = format!("{} is a claimed event ({declared}); a link to it belongs in that claim's content", quoted(id));
                    self.report(format!("{path}.{field}"), message);
                }
            }
        }
        self.period(path, relation.start.as_ref(), relation.end.as_ref(), relation.as_of.as_ref());
        if kind == RelationKind::GovernmentOf {
            self.government_of(path, relation);
        }
        self.statement_evidence(path, &relation.evidence, asserted, "a relation");
        self.quantities(path, &relation.quantities, asserted);
        self.confidence(path, relation.confidence);
    }

    fn event(&mut self, path: &str, event: &Event, asserted: bool) {
        let kind = &event.kind;
        let kind_ok = !kind.is_empty()
            && kind.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        if !kind_ok {
            self.report(format!("{path}.type"), format!("invalid event type {}; use lowercase words joined by '-', such as \"troop-buildup\"", quoted(kind)));
        }
        self.non_empty(&|| format!("{path}.description"), &event.description);
        if let Some(date) = &event.date {
            self.date(&|| format!("{path}.date"), date);
        }
        self.period(path, event.start.as_ref(), event.end.as_ref(), None);
        for (i, place) in event.places.iter().enumerate() {
            self.reference(&|| format!("{path}.places[{i}]"), place, Target::Entity);
        }
        for (i, participant) in event.participants.iter().enumerate() {
            self.reference(&|| format!("{path}.participants[{i}].entity"), &participant.entity, Target::Entity);
        }
        if let Some(qid) = &event.wikidata {
            self.wikidata(&|| format!("{path}.wikidata"), qid);
        }
        self.statement_evidence(path, &event.evidence, asserted, "an event");
        self.quantities(path, &event.quantities, asserted);
        self.confidence(path, event.confidence);
    }

    fn quote(&mut self, path: &str, quote: &Quote) {
        self.reference(&|| format!("{path}.speaker"), &quote.speaker, Target::Entity);
        self.non_empty(&|| format!("{path}.text"), &quote.text);
        for (i, about) in quote.about.iter().enumerate() {
            self.reference(&|| format!("{path}.about[{i}]"), about, Target::EntityOrEvent);
        }
        if let Some(date) = &quote.date {
            self.date(&|| format!("{path}.date"), date);
        }
        self.statement_evidence(path, &quote.evidence, true, "a quote");
        self.quantities(path, &quote.quantities, true);
        self.venues(path, quote.medium.as_ref(), quote.venue.as_ref());
        if !quote.text.is_empty() && !quote.evidence.is_empty() && !quote.evidence.iter().any(|e| e.text.contains(&quote.text)) {
            self.report(format!("{path}.text"), format!("the quoted words {} do not occur in any of the quote's evidence spans", quoted(&quote.text)));
        }
        self.confidence(path, quote.confidence);
    }

    fn claim(&mut self, path: &str, claim: &Claim) {
        if let Some(claimant) = &claim.claimant {
            self.reference(&|| format!("{path}.claimant"), claimant, Target::Entity);
        }
        self.non_empty(&|| format!("{path}.summary"), &claim.summary);
        for (i, about) in claim.about.iter().enumerate() {
            self.reference(&|| format!("{path}.about[{i}]"), about, Target::EntityOrEvent);
        }
        if let Some(date) = &claim.date {
            self.date(&|| format!("{path}.date"), date);
        }
        if let Some(content) = &claim.content {
            let present = [content.relation.is_some(), content.role.is_some(), content.event.is_some()];
            if present.iter().filter(|p| **p).count() != 1 {
                self.report(format!("{path}.content"), "claim content must hold exactly one of \"relation\", \"role\" or \"event\"");
            }
            if let Some(relation) = &content.relation {
                self.relation(&format!("{path}.content.relation"), relation, false);
            }
            if let Some(role) = &content.role {
                self.role(&format!("{path}.content.role"), role, false);
            }
            if let Some(event) = &content.event {
                self.event(&format!("{path}.content.event"), event, false);
            }
        }
        self.statement_evidence(path, &claim.evidence, true, "a claim");
        self.quantities(path, &claim.quantities, true);
        self.venues(path, claim.medium.as_ref(), claim.venue.as_ref());
        self.confidence(path, claim.confidence);
    }

    /// A government (format 1.1) is an organisation, and what it governs a country, city or place.
    fn government_of(&mut self, path: &str, relation: &Relation) {
        let subject = self.entity_types.get(relation.subject.as_str()).copied();
        if let Some(kind) = subject.filter(|kind| *kind != EntityType::Organisation) {
            let message = format!("\"government_of\" needs an organisation as its subject; {} is {}", quoted(&relation.subject), with_article(kind));
            self.report(format!("{path}.subject"), message);
        }
        let object = self.entity_types.get(relation.object.as_str()).copied();
        if let Some(kind) = object.filter(|kind| !matches!(kind, EntityType::Country | EntityType::City | EntityType::Place)) {
            let message = format!("\"government_of\" needs a country, city or place as its object; {} is {}", quoted(&relation.object), with_article(kind));
            self.report(format!("{path}.object"), message);
        }
    }

    /// Quantities (format 1.1): something to state, what each qualification needs, bounds in order
    /// and the value inside them, and evidence as on the item that holds them.
    fn quantities(&mut self, path: &str, quantities: &[Quantity], asserted: bool) {
        for (i, quantity) in quantities.iter().enumerate() {
            let at = format!("{path}.quantities[{i}]");
            if self.version_1_0 {
                self.report(at.clone(), format!("quantities are new in format 1.1; set \"format\" to \"{FORMAT_VERSION}\""));
            }
            self.non_empty(&|| format!("{at}.unit"), &quantity.unit);
            if let Some(qid) = &quantity.unit_wikidata {
                self.wikidata(&|| format!("{at}.unit_wikidata"), qid);
            }
            let Quantity { value, lower, upper, .. } = *quantity;
            if value.is_none() && lower.is_none() && upper.is_none() {
                self.report(at.clone(), "a quantity needs a \"value\", a \"lower\" or an \"upper\" bound");
            } else if let Some(approximation) = quantity.approximation {
                let needed = match approximation.needs() {
                    "value" => value,
                    "lower" => lower,
                    _ => upper,
                };
                if needed.is_none() {
                    let message = format!("\"{}\" needs \"{}\"", approximation.as_str(), approximation.needs());
                    self.report(format!("{at}.approximation"), message);
                }
            }
            if let (Some(lower), Some(upper)) = (lower, upper) {
                if lower > upper {
                    self.report(format!("{at}.upper"), format!("reversed bounds: upper bound {upper} is below lower bound {lower}"));
                }
            }
            if let Some(value) = value {
                if let Some(lower) = lower.filter(|lower| value < *lower) {
                    self.report(format!("{at}.value"), format!("value {value} is below its lower bound {lower}"));
                }
                if let Some(upper) = upper.filter(|upper| value > *upper) {
                    self.report(format!("{at}.value"), format!("value {value} is above its upper bound {upper}"));
                }
            }
            self.statement_evidence(&at, &quantity.evidence, asserted, "a quantity");
        }
    }

    /// The medium (an entity) and venue (an entity or event) of a quote or claim, format 1.1.
    fn venues(&mut self, path: &str, medium: Option<&Venue>, venue: Option<&Venue>) {
        for (field, found, target) in [("medium", medium, Target::Entity), ("venue", venue, Target::EntityOrEvent)] {
            let Some(found) = found else { continue };
            let at = format!("{path}.{field}");
            if self.version_1_0 {
                self.report(at.clone(), format!("\"{field}\" is new in format 1.1; set \"format\" to \"{FORMAT_VERSION}\""));
            }
            self.reference(&|| format!("{at}.ref"), &found.target, target);
            self.statement_evidence(&at, &found.evidence, true, &format!("a {field}"));
        }
    }

    /// Asserted items need evidence; claimed content must not carry its own.
    fn statement_evidence(&mut self, path: &str, evidence: &[Evidence], asserted: bool, what: &str) {
        if asserted && evidence.is_empty() {
            self.report(format!("{path}.evidence"), format!("{what} needs at least one evidence span"));
        }
        if !asserted && !evidence.is_empty() {
            self.report(format!("{path}.evidence"), "claimed content takes its evidence from the claim; move this evidence to the claim");
        }
        self.evidence(path, evidence);
    }

    fn evidence(&mut self, path: &str, evidence: &[Evidence]) {
        for (i, span) in evidence.iter().enumerate() {
            let span_path = || format!("{path}.evidence[{i}]");
            self.portable(&|| format!("{}.text", span_path()), &span.text);
            if let Some(context) = &span.context {
                self.portable(&|| format!("{}.context", span_path()), context);
            }
            match (span.start, span.end) {
                (Some(start), Some(end)) => {
                    let Some(found) = self.offsets(&span_path, span, start, end) else { continue };
                    // A span with offsets and words to locate it by: the two must agree.
                    if span.occurrence.is_some() || span.context.is_some() {
                        if let Some(located) = self.locate(&span_path(), span) {
                            if located != found {
                                let by = if span.occurrence.is_some() { "occurrence" } else { "context" };
                                let message = format!("the span is at {start}..{end}, but its \"{by}\" picks {}..{}", located.0, located.1);
                                self.report(format!("{}.start", span_path()), message);
                            }
                        }
                    }
                }
                (None, None) => {
                    if let Some(located) = self.locate(&span_path(), span) {
                        self.located.push(located);
                    }
                }
                (Some(_), None) => self.report(format!("{}.start", span_path()), "give both \"start\" and \"end\", or neither to locate the span by its text"),
                (None, Some(_)) => self.report(format!("{}.end", span_path()), "give both \"start\" and \"end\", or neither to locate the span by its text"),
            }
        }
    }

    /// Checks a span's offsets against the text; they are returned when they hold its words.
    fn offsets(&mut self, span_path: &dyn Fn() -> String, span: &Evidence, start: u64, end: u64) -> Option<(u64, u64)> {
        if start >= end {
            self.report(format!("{}.end", span_path()), format!("empty or reversed span: end {end} is not after start {start}"));
            return None;
        }
        let (text, points) = self.text.as_ref()?;
        match points.byte_range(text, start, end) {
            None => {
                let message = format!("span {start}..{end} lies outside the text, which has {} characters", points.len());
                self.report(format!("{}.end", span_path()), message);
                None
            }
            Some(range) => {
                let actual = &text[range];
                if actual == span.text {
                    return Some((start, end));
                }
                let message = match text.find(&span.text) {
                    Some(byte) => {
                        let at = text[..byte].chars().count();
                        let to = at + span.text.chars().count();
                        format!("does not match the text at {start}..{end}, which reads {}; these words stand at {at}..{to}", quoted(actual))
                    }
                    None => format!("does not match the text at {start}..{end}, which reads {}, and occurs nowhere in the text", quoted(actual)),
                };
                self.report(format!("{}.text", span_path()), message);
                None
            }
        }
    }

    /// Finds a span without offsets in the text: the only occurrence of its words, the
    /// `occurrence`-th, or the only one inside its `context`. Each way it can fail is reported.
    fn locate(&mut self, span_path: &str, span: &Evidence) -> Option<(u64, u64)> {
        if span.text.is_empty() {
            self.report(format!("{span_path}.text"), "an empty span cannot be located; give its words");
            return None;
        }
        let Some((text, _)) = &self.text else {
            if !self.text_given {
                let message = "a span without \"start\" and \"end\" is located in the document's text, and this document has none; give the offsets, or the document's \"text\" or \"text_file\"";
                self.report(span_path.to_string(), message);
            }
            return None;
        };
        let (found, problem) = match (&span.context, span.occurrence) {
            (Some(_), Some(_)) => (None, Some(("occurrence", "give \"occurrence\" or \"context\", not both".to_string()))),
            (Some(context), None) => locate_in_context(text, &span.text, context),
            (None, occurrence) => locate_occurrence(text, &span.text, occurrence),
        };
        if let Some((field, message)) = problem {
            self.report(format!("{span_path}.{field}"), message);
        }
        found
    }

    fn reference(&mut self, path: &dyn Fn() -> String, id: &str, target: Target) {
        match self.ids.get(id) {
            Some((kind, _)) if target.accepts(*kind) => {}
            Some((kind, declared)) => {
                let message = format!("{} is {} ({declared}), expected {}", quoted(id), kind.with_article(), target.expected());
                self.report(path(), message);
            }
            None if self.broken_ids.contains(id) => {}
            None => {
                let what = match target {
                    Target::Entity => "entity",
                    Target::Event => "event",
                    Target::EntityOrEvent => "entity or event",
                };
                let candidates: Vec<&str> = self.ids.iter().filter(|(_, (kind, _))| target.accepts(*kind)).map(|(id, _)| *id).collect();
                let message = match closest(id, candidates) {
                    Some(near) => format!("no {what} has the id {}; did you mean \"{near}\"?", quoted(id)),
                    None => format!("no {what} has the id {}", quoted(id)),
                };
                self.report(path(), message);
            }
        }
    }

    fn period(&mut self, path: &str, start: Option<&Date>, end: Option<&Date>, as_of: Option<&Date>) {
        let start = start.and_then(|d| Some((d, self.date(&|| format!("{path}.start"), d)?)));
        let end = end.and_then(|d| Some((d, self.date(&|| format!("{path}.end"), d)?)));
        if let Some(as_of) = as_of {
            self.date(&|| format!("{path}.as_of"), as_of);
        }
        if let (Some((start, Dating { earliest: Some(earliest), .. })), Some((end, Dating { latest: Some(latest), .. }))) = (start, end) {
            if earliest > latest {
                self.report(format!("{path}.end.value"), format!("end {} is before start {}", end.value, start.value));
            }
        }
    }

    fn date(&mut self, path: &dyn Fn() -> String, date: &Date) -> Option<Dating> {
        if let Some(text) = &date.text {
            self.portable(&|| format!("{}.text", path()), text);
        }
        let value = quoted(&date.value);
        let message = match Dating::parse(&date.value) {
            Ok(dating) if dating.plain.is_none() && self.version_1_0 => {
                format!("the EDTF date {value} is new in format 1.1; set \"format\" to \"{FORMAT_VERSION}\"")
            }
            Ok(dating) => return Some(dating),
            Err(error @ DateError::Impossible(_)) => format!("impossible date {value}: {error}"),
            Err(error @ DateError::Reversed { .. }) => format!("reversed interval {value}: {error}"),
            Err(error @ (DateError::Layout | DateError::Edtf)) => format!("malformed date {value}: {error}"),
        };
        self.report(format!("{}.value", path()), message);
        None
    }

    fn wikidata(&mut self, path: &dyn Fn() -> String, qid: &str) {
        let ok = qid.len() > 1
            && qid.starts_with('Q')
            && qid[1..].bytes().all(|b| b.is_ascii_digit())
            && !qid[1..].starts_with('0');
        if !ok {
            self.report(path(), format!("malformed Wikidata id {}; expected an item id such as \"Q7184\"", quoted(qid)));
        }
    }

    fn confidence(&mut self, path: &str, confidence: Option<f64>) {
        if let Some(c) = confidence {
            if !(0.0..=1.0).contains(&c) {
                self.report(format!("{path}.confidence"), format!("confidence {c} is outside [0, 1]"));
            }
        }
    }

    fn non_empty(&mut self, path: &dyn Fn() -> String, value: &str) {
        if value.trim().is_empty() {
            self.report(path(), "must not be empty");
        }
        self.portable(path, value);
    }

    /// Text must be writable in every RDF format: XML (and so RDF/XML) cannot carry control
    /// characters other than tab, line feed and carriage return, nor U+FFFE and U+FFFF.
    fn portable(&mut self, path: &dyn Fn() -> String, value: &str) {
        // The characters refused are single bytes below 0x20 or start with 0xEF in UTF-8.
        if !any_byte(value.as_bytes(), |b| (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r') || b == 0xef) {
            return;
        }
        let bad = value
            .chars()
            .find(|c| (c.is_control() && (*c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}'));
        if let Some(c) = bad {
            self.report(path(), format!("contains U+{:04X}, which RDF/XML and many RDF parsers cannot carry; remove it", c as u32));
        }
    }
}

/// A span's place in `text` from its words and `occurrence`, or the field to report and why not.
fn locate_occurrence(text: &str, words: &str, occurrence: Option<u64>) -> (Option<(u64, u64)>, Option<(&'static str, String)>) {
    let found = locate::occurrences(text, words);
    match (found.len(), occurrence) {
        (0, _) => (None, Some(("text", nowhere(text, words, "the span")))),
        (_, Some(0)) => (None, Some(("occurrence", "occurrences count from 1".to_string()))),
        (count, Some(n)) if n > count as u64 => {
            let message = format!("{} occurs {}; there is no occurrence {n}: {}", quoted(words), times(count), listed(text, &found));
            (None, Some(("occurrence", message)))
        }
        (1, None) => (Some(locate::code_points(text, &found)[0]), None),
        (count, None) => {
            let message = format!(
                "{} occurs {} in the text: {}; choose one with \"occurrence\" (1 to {count}) or a \"context\" around it, or give \"start\" and \"end\"",
                quoted(words),
                times(count),
                listed(text, &found)
            );
            (None, Some(("text", message)))
        }
        (_, Some(n)) => {
            let n = usize::try_from(n - 1).unwrap_or_default();
            (Some(locate::code_points(text, &found[..=n])[n]), None)
        }
    }
}

/// A span's place in `text` from its words and a `context` that holds them, or the field to report
/// and why not.
fn locate_in_context(text: &str, words: &str, context: &str) -> (Option<(u64, u64)>, Option<(&'static str, String)>) {
    let inside = locate::occurrences(context, words);
    if inside.len() != 1 {
        let message = match inside.len() {
            0 => format!("the context does not contain the span's text {}", quoted(words)),
            count => format!("the context holds {} {}; give a context around only one of them", quoted(words), times(count)),
        };
        return (None, Some(("context", message)));
    }
    let found = locate::occurrences(text, context);
    match found.len() {
        0 => (None, Some(("context", nowhere(text, context, "the context")))),
        1 => {
            let at = found[0].start + inside[0].start;
            let (start, end) = locate::code_points(text, &[at..at + words.len()])[0];
            (Some((start, end)), None)
        }
        count => {
            let message = format!("the context occurs {} in the text: {}; give a longer one", times(count), listed(text, &found));
            (None, Some(("context", message)))
        }
    }
}

/// Why `words` are not in `text`: the difference when they occur after folding quotes, dashes and
/// whitespace, else the closest passage, if any.
fn nowhere(text: &str, words: &str, holder: &str) -> String {
    let what = if holder == "the span" { quoted(words) } else { holder.to_string() };
    if let Some((range, differences)) = locate::folded_match(text, words) {
        let (start, end) = locate::code_points(text, std::slice::from_ref(&range))[0];
        let differences: Vec<String> =
            differences.iter().map(|(ours, theirs)| format!("{} where {holder} has {}", quoted(ours), quoted(theirs))).collect();
        return format!(
            "{what} occurs nowhere in the text as written; at {start}..{end} the text reads {}, with {}",
            quoted(&text[range]),
            differences.join(", and ")
        );
    }
    match locate::closest_passage(text, words) {
        Some(range) => {
            let (start, end) = locate::code_points(text, std::slice::from_ref(&range))[0];
            format!("{what} occurs nowhere in the text; the closest passage is at {start}..{end}: {}", quoted(&text[range]))
        }
        None => format!("{what} occurs nowhere in the text"),
    }
}

/// Gives the spans without offsets the ones located for them, in the order the checks walk the
/// document (a valid document's claimed content has no evidence of its own).
fn fill_offsets(facts: &mut FactsDocument, located: Vec<(u64, u64)>) {
    let mut located = located.into_iter();
    for span in facts.evidence_lists_mut().into_iter().flatten().filter(|span| span.start.is_none() && span.end.is_none()) {
        let Some((start, end)) = located.next() else { return };
        (span.start, span.end) = (Some(start), Some(end));
    }
}

/// "a person", "an organisation".
fn with_article(kind: EntityType) -> String {
    let name = kind.as_str();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {name}")
}

/// "once", "twice", "3 times".
fn times(count: usize) -> String {
    match count {
        1 => "once".to_string(),
        2 => "twice".to_string(),
        n => format!("{n} times"),
    }
}

/// Every place in `found`, with its offsets and a few words around it.
fn listed(text: &str, found: &[std::ops::Range<usize>]) -> String {
    let offsets = locate::code_points(text, found);
    found
        .iter()
        .zip(offsets)
        .enumerate()
        .map(|(i, (range, (start, end)))| {
            let words = serde_json::to_string(&locate::around(text, range.clone())).expect("a string serialises");
            format!("{} at {start}..{end} {words}", i + 1)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `$.{section}[{index}]`, written into `buffer`.
fn item_path<'b>(buffer: &'b mut String, section: &str, index: usize) -> &'b str {
    buffer.clear();
    buffer.push_str("$.");
    buffer.push_str(section);
    buffer.push('[');
    buffer.push_str(itoa::Buffer::new().format(index));
    buffer.push(']');
    buffer
}

/// Ids and keys: letters, digits, '.', '_' and '-', 1 to 256 characters.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 256 && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn valid_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=8).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader for documents that must not ask for a file.
    fn no_files(file: &str) -> Result<String, String> {
        panic!("asked for {file}")
    }

    fn raw(text: &str) -> RawDocument<'_> {
        RawDocument { source: "t", first_line: 1, text }
    }

    /// The problems of `text`, each as `line:column: path: message`.
    fn problems(text: &str, read: impl FnOnce(&str) -> Result<String, String>) -> Vec<String> {
        let problems = validate(raw(text), read).expect_err("invalid");
        problems.iter().map(|p| format!("{}:{}: {}: {}", p.position.line, p.position.column, p.path, p.message)).collect()
    }

    const MINIMAL: &str = r#"{"format": "1", "document": {"id": "a", "title": "A"}}"#;

    #[test]
    fn a_minimal_document_is_valid() {
        let valid = validate(raw(MINIMAL), no_files).unwrap();
        assert_eq!(valid.facts.document.id, "a");
        assert_eq!(valid.text, None);
    }

    #[test]
    fn the_text_of_a_text_file_comes_from_the_reader_and_spans_are_checked_against_it() {
        let text = r#"{"format": "1", "document": {"id": "a", "title": "A", "text_file": "a.txt"},
"entities": [{"id": "x", "type": "person", "name": "Ann", "evidence": [{"start": 0, "end": 3, "text": "Ann"}]}]}"#;
        let mut asked = None;
        let valid = validate(raw(text), |file| {
            asked = Some(file.to_string());
            Ok::<_, String>("Ann said so.".to_string())
        })
        .unwrap();
        assert_eq!(asked.as_deref(), Some("a.txt"));
        assert_eq!(valid.text.as_deref(), Some("Ann said so."));
        let wrong = problems(text, |_| Ok("Bob said so.".to_string()));
        assert_eq!(
            wrong,
            [r#"2:103: $.entities[0].evidence[0].text: does not match the text at 0..3, which reads "Bob", and occurs nowhere in the text"#]
        );
    }

    #[test]
    fn spans_given_by_their_words_get_their_offsets() {
        let text = r#"{"format": "1", "document": {"id": "a", "title": "A", "text": "Ann met Bo. Later Ann left."},
"entities": [{"id": "x", "type": "person", "name": "Ann", "evidence": [{"text": "Ann", "occurrence": 2}, {"text": "Ann", "context": "Ann met"}]},
  {"id": "y", "type": "person", "name": "Bo", "evidence": [{"text": "Bo"}, {"start": 8, "end": 10, "text": "Bo"}]}]}"#;
        let valid = validate(raw(text), no_files).unwrap();
        let offsets = |spans: &[Evidence]| spans.iter().map(|s| s.offsets().unwrap()).collect::<Vec<_>>();
        assert_eq!(offsets(&valid.facts.entities[0].evidence), [(18, 21), (0, 3)]);
        assert_eq!(offsets(&valid.facts.entities[1].evidence), [(8, 10), (8, 10)]);
        assert_eq!(
            problems(&text.replace(r#""occurrence": 2"#, r#""occurrence": 3"#), no_files),
            [r#"2:102: $.entities[0].evidence[0].occurrence: "Ann" occurs twice; there is no occurrence 3: 1 at 0..3 "[Ann] met Bo. Later…", 2 at 18..21 "…met Bo. Later [Ann] left.""#]
        );
    }

    #[test]
    fn a_reader_error_is_reported_at_text_file() {
        let text = r#"{"format": "1", "document": {"id": "a", "title": "A", "text_file": "a.txt"}}"#;
        assert_eq!(problems(text, |file| Err(format!("no {file}"))), ["1:68: $.document.text_file: no a.txt"]);
    }

    #[test]
    fn the_reader_is_not_asked_when_the_document_is_out_of_shape_or_has_an_inline_text_too() {
        let shape = r#"{"format": "1", "document": {"id": "a", "title": "A", "text_file": "a.txt", "x": 1}}"#;
        assert_eq!(problems(shape, no_files).len(), 1);
        let both = r#"{"format": "1", "document": {"id": "a", "title": "A", "text": "T", "text_file": "a.txt"}}"#;
        assert_eq!(
            problems(both, no_files),
            [r#"1:81: $.document.text_file: give the text either inline ("text") or as "text_file", not both"#]
        );
    }

    #[test]
    fn each_kind_of_problem_is_located_at_its_path() {
        let malformed = r#"{"format": "1", "document": {"id": "a""#;
        assert_eq!(problems(malformed, no_files), ["1:38: $: malformed JSON: EOF while parsing an object"]);
        let text = r#"{"format": "2", "document": {"id": "a b", "title": "A", "published": {"value": "2021-02-30"}},
"entities": [{"id": "x", "type": "person", "name": "Ann"}, {"id": "x", "type": "persn", "name": "Ann"}],
"roles": [{"id": "r", "holder": "ann", "role": "Mayor", "evidence": [{"start": 3, "end": 1, "text": ""}]}],
"claims": [{"id": "c", "kind": "statement", "summary": "S", "evidence": [{"start": 0, "end": 1, "text": "S"}],
  "content": {"relation": {"id": "r", "subject": "x", "object": "x", "predicate": "member_of"}}}]}"#;
        let found = problems(text, no_files);
        let expected = [
            r#"1:12: $.format: unsupported format version "2"; expected "1.1" or "1""#,
            r#"1:36: $.document.id: invalid document id "a b"; ids use letters, digits, '.', '_' and '-'"#,
            r#"1:80: $.document.published.value: impossible date "2021-02-30": February 2021 has 28 days"#,
            r#"2:80: $.entities[1].type: unknown value "persn"; expected one of: person, organisation, country, city, place, group, other; did you mean "person"?"#,
            r#"3:33: $.roles[0].holder: no entity has the id "ann""#,
            r#"3:90: $.roles[0].evidence[0].end: empty or reversed span: end 1 is not after start 3"#,
            r#"5:34: $.claims[0].content.relation.id: duplicate id "r"; $.roles[0] already uses it"#,
            r#"5:65: $.claims[0].content.relation.object: a relation needs two different entities; subject and object are both "x""#,
        ];
        assert_eq!(found, expected);
    }

    #[test]
    fn positions_count_from_the_first_line_of_the_document_in_its_source() {
        let text = r#"{"format": "1", "document": {"id": "a", "title": ""}}"#;
        let problems = validate(RawDocument { source: "t.jsonl", first_line: 7, text }, no_files).unwrap_err();
        assert_eq!(problems.iter().map(ToString::to_string).collect::<Vec<_>>(), ["t.jsonl:7:50: $.document.title: must not be empty"]);
    }
}
