//! The facts format, version 1.1: the Rust types an extractor's JSON deserialises into.
//!
//! The entry point of this module is [`FactsDocument`]: one news article and everything an extractor
//! found in it. The JSON Schema printed by `factgraph schema` is generated from these types (see
//! [`crate::facts::schema`]), so the doc comments below are also the schema's descriptions.
//!
//! These types say what is *shaped* right; [`crate::facts::validate`] checks what must hold between fields
//! (references resolve, spans match the text, dates exist). Only a validated document reaches the mapper.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The version of the facts format these types describe.
pub const FORMAT_VERSION: &str = "1.1";

/// The first version, which 1.1 extends: every valid 1.0 document is a valid 1.1 document.
pub const FORMAT_VERSION_1_0: &str = "1";

/// One news article and the facts extracted from it.
///
/// Every item (entity, role, relation, event, quote, claim) has a local `id` that is unique within the
/// document; items refer to entities by those ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "factgraph facts document, format version 1.1")]
pub struct FactsDocument {
    /// The facts format version: "1.1", or "1" for a document that uses nothing new in 1.1.
    pub format: String,
    /// The article the facts were extracted from.
    pub document: Document,
    /// The people, organisations, places and groups the article mentions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<Entity>,
    /// Positions held by people at a time ("NATO Secretary General Jens Stoltenberg").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    /// Other relations that the article itself states: between two entities (member of, leads…) or
    /// between two events (caused, in response to…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    /// Things that happened, as the article itself reports them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// Verbatim quotations with their speaker.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotes: Vec<Quote>,
    /// Statements the article attributes to someone else, which it does not assert itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<Claim>,
}

/// The article: its identity, publication data and, optionally, its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Identifier of the article, unique across the knowledge base: letters, digits, '.', '_' and '-'.
    /// It names the article's graph, so reloading a document with the same id replaces it.
    pub id: String,
    /// The headline.
    pub title: String,
    /// Where the article was published, as an absolute IRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Local id of the entity (usually an organisation) that published the article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// Publication date, at the precision the source gives it. Leave it out when the text does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Date>,
    /// Language of the text as a BCP 47 tag, such as "en".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The full text that evidence spans point into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Instead of `text`: a UTF-8 text file holding it, relative to the facts file and inside the
    /// text root (by default the folder factgraph runs in; absolute paths are refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_file: Option<String>,
    /// Free-form notes on the source or the extraction (scraping noise, what the text does not state).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A calendar date at a known precision, or (format 1.1) an EDTF date, with the wording the text used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Date {
    /// "YYYY" (year precision), "YYYY-MM" (month) or "YYYY-MM-DD" (day), in the proleptic Gregorian
    /// calendar. Relative wording ("on Thursday") is resolved only where the text fixes the reference.
    /// Format 1.1 also takes EDTF Level 1 (ISO 8601-2): an interval ("2021-10-18/2021-10-22" for
    /// "this week"; ".." for an open end, nothing for an unknown one), an uncertain ("2021?"),
    /// approximate ("2020~") or both ("2020%") date, unspecified digits ("199X" for "the 1990s",
    /// "2004-XX") and seasons ("2020-21" spring to "2020-24" winter).
    pub value: String,
    /// The wording in the text of this date, such as "seven years ago" or "on Thursday".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Where in the text a fact comes from.
///
/// Offsets count Unicode code points (as W3C Web Annotation's TextPositionSelector does), `start`
/// inclusive and `end` exclusive; `text` is exactly the characters between them. When the document
/// has its text, the offsets may be left out: validation locates `text` in it (the only
/// occurrence, the `occurrence`-th, or the only one inside `context`) and fills them in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Offset of the first character, in code points from the start of the text. Left out, it is
    /// located from `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<u64>,
    /// Offset just past the last character, in code points. Given exactly when `start` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<u64>,
    /// The exact text of the span.
    pub text: String,
    /// Which occurrence of `text` in the document's text is meant, from 1, when it occurs more than once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrence: Option<u64>,
    /// A longer passage of the text that contains `text` exactly once and occurs in the text exactly
    /// once: it tells apart a span that occurs more than once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

impl Evidence {
    /// A span at known offsets.
    pub fn at(start: u64, end: u64, text: impl Into<String>) -> Evidence {
        Evidence { start: Some(start), end: Some(end), text: text.into(), occurrence: None, context: None }
    }

    /// The span's offsets, when it has both (every span of a validated document does).
    pub fn offsets(&self) -> Option<(u64, u64)> {
        self.start.zip(self.end)
    }
}

/// What kind of thing an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntityType {
    /// A human being.
    Person,
    /// A company, government, agency, alliance, institute or other organisation.
    Organisation,
    /// A country or sovereign state, present or historical.
    Country,
    /// A city or town.
    City,
    /// Any other place: a region, peninsula, sea, continent or site.
    Place,
    /// A collective or unnamed actor ("Western governments", "separatists"). Scoped to its article
    /// unless it has a `key` or a Wikidata id.
    Group,
    /// A named thing of another kind (a service, a product, a programme).
    Other,
}

impl EntityType {
    /// The lowercase name used in the facts format and in IRIs.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Person => "person",
            EntityType::Organisation => "organisation",
            EntityType::Country => "country",
            EntityType::City => "city",
            EntityType::Place => "place",
            EntityType::Group => "group",
            EntityType::Other => "other",
        }
    }
}

/// A person, organisation, place or group mentioned in the article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    /// Local id, unique within the document.
    pub id: String,
    /// What kind of entity this is.
    #[serde(rename = "type")]
    pub kind: EntityType,
    /// The canonical name ("Vladimir Putin"); for a group, a description ("Western governments").
    pub name: String,
    /// Other names the article uses for it ("Mr Putin", "the Kremlin").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// A short description from the article ("senior Russian diplomat").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Wikidata item id ("Q7184"), when known for certain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wikidata: Option<String>,
    /// A global key that tells this entity apart from others of the same type and name in other
    /// documents (letters, digits, '.', '_' and '-'). Entities with the same key are one node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Mentions of the entity in the text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// The extractor's confidence, from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// A position held by a person (or an office held by an organisation) at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Local id, unique within the document.
    pub id: String,
    /// Local id of the entity holding the role.
    pub holder: String,
    /// The role as the text names it ("Secretary General", "Russia expert").
    pub role: String,
    /// Local id of the organisation or country the role is held in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// When the role began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Date>,
    /// When the role ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    /// A time at which the text says the role was held (usually the article's time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
    /// Where the text says so. Required for roles the article asserts; not allowed inside a claim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// The extractor's confidence, from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// The relations between two entities that the format knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// The subject is a member of the object (a country of an alliance). Wikidata P463.
    MemberOf,
    /// The subject is a part of the object (an institute of an academy; in format 1.1 also an event
    /// of a larger one). Wikidata P361.
    PartOf,
    /// The subject lies in the object (a city in a country). Wikidata P131 / P17.
    LocatedIn,
    /// The subject's headquarters are in the object. Wikidata P159.
    HeadquarteredIn,
    /// The subject is an ally of the object.
    AllyOf,
    /// The subject is affiliated with the object (works for it, represents it). Wikidata P1416.
    AffiliatedWith,
    /// The subject shares a border with the object. Wikidata P47.
    SharesBorderWith,
    /// The subject leads, commands or heads the object (a country a battle group, a person a party).
    /// Wikidata P488 (chairperson) / P1037 (director or manager), seen from the leader. Format 1.1.
    Leads,
    /// The subject, an organisation, governs or represents the object, a country (the Government of
    /// Russia, Russia). Wikidata P208 (executive body), seen from the government. Format 1.1.
    GovernmentOf,
    /// The subject, a person or organisation, speaks for the object (a spokesperson for a ministry).
    /// Format 1.1.
    Represents,
    /// Between two events: the subject caused the object. Wikidata P1542 (has effect); P1536
    /// (immediate cause of) is the narrower kind. Format 1.1.
    Caused,
    /// Between two events: the subject was done in response to the object. Format 1.1.
    InResponseTo,
    /// Between two events: the subject prevented or defused the object. Format 1.1.
    Prevented,
    /// Between two events: the subject follows the object in time. Wikidata P155. Format 1.1.
    Follows,
}

impl RelationKind {
    /// Every relation kind, in declaration order.
    pub const ALL: [RelationKind; 14] = [
        RelationKind::MemberOf,
        RelationKind::PartOf,
        RelationKind::LocatedIn,
        RelationKind::HeadquarteredIn,
        RelationKind::AllyOf,
        RelationKind::AffiliatedWith,
        RelationKind::SharesBorderWith,
        RelationKind::Leads,
        RelationKind::GovernmentOf,
        RelationKind::Represents,
        RelationKind::Caused,
        RelationKind::InResponseTo,
        RelationKind::Prevented,
        RelationKind::Follows,
    ];

    /// What the subject and object of this kind name: entities, events, or (`part_of`) either,
    /// both of one kind.
    pub fn joins(self) -> Joins {
        match self {
            RelationKind::PartOf => Joins::EntitiesOrEvents,
            RelationKind::Caused | RelationKind::InResponseTo | RelationKind::Prevented | RelationKind::Follows => Joins::Events,
            _ => Joins::Entities,
        }
    }

    /// Whether this kind is new in format 1.1.
    pub fn since_1_1(self) -> bool {
        !matches!(
            self,
            RelationKind::MemberOf
                | RelationKind::PartOf
                | RelationKind::LocatedIn
                | RelationKind::HeadquarteredIn
                | RelationKind::AllyOf
                | RelationKind::AffiliatedWith
                | RelationKind::SharesBorderWith
        )
    }

    /// The snake_case name used in the facts format.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::MemberOf => "member_of",
            RelationKind::PartOf => "part_of",
            RelationKind::LocatedIn => "located_in",
            RelationKind::HeadquarteredIn => "headquartered_in",
            RelationKind::AllyOf => "ally_of",
            RelationKind::AffiliatedWith => "affiliated_with",
            RelationKind::SharesBorderWith => "shares_border_with",
            RelationKind::Leads => "leads",
            RelationKind::GovernmentOf => "government_of",
            RelationKind::Represents => "represents",
            RelationKind::Caused => "caused",
            RelationKind::InResponseTo => "in_response_to",
            RelationKind::Prevented => "prevented",
            RelationKind::Follows => "follows",
        }
    }
}

/// What a relation kind joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joins {
    /// Two entities.
    Entities,
    /// Two events.
    Events,
    /// Two entities or two events.
    EntitiesOrEvents,
}

/// A relation between two entities, such as "Poland is a member of NATO", or (format 1.1) between
/// two events, such as "the border closure was in response to the migrant push". A relation
/// between events the article only attributes to someone goes into that claim's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    /// Local id, unique within the document.
    pub id: String,
    /// Local id of the subject entity (the subject event, for a relation between events).
    pub subject: String,
    /// The relation.
    pub predicate: RelationKind,
    /// Local id of the object entity (the object event, for a relation between events).
    pub object: String,
    /// When the relation began to hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Date>,
    /// When it stopped holding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    /// A time at which the text says it held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
    /// Numbers the text gives about it ("more than 13,000 lives"). Format 1.1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quantities: Vec<Quantity>,
    /// Where the text says so. Required for relations the article asserts; not allowed inside a claim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// The extractor's confidence, from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// How an entity takes part in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ParticipantRole {
    /// The actor who carries the event out (CAMEO "source").
    Initiator,
    /// The one it is done to (CAMEO "target").
    Target,
    /// Any other participant.
    Participant,
}

/// One participant of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    /// Local id of the participating entity.
    pub entity: String,
    /// How it takes part.
    pub role: ParticipantRole,
}

/// Something that happened: an annexation, a meeting, an attack, an announcement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Local id, unique within the document.
    pub id: String,
    /// The kind of event as a lowercase word or phrase joined by '-' ("annexation", "troop-buildup").
    #[serde(rename = "type")]
    pub kind: String,
    /// One sentence saying what happened.
    pub description: String,
    /// When it happened, at the precision the text gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// For a lasting event: when it began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Date>,
    /// For a lasting event: when it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    /// Local ids of the places where it happened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<String>,
    /// Who took part, and how.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<Participant>,
    /// Wikidata item id of the event itself, when it has one ("Q8683" for the Cold War).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wikidata: Option<String>,
    /// Numbers the text gives about it ("more than 13,000 lives"). Format 1.1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quantities: Vec<Quantity>,
    /// Where the text reports it. Required for events the article asserts; not allowed inside a claim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// The extractor's confidence, from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// A verbatim quotation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    /// Local id, unique within the document.
    pub id: String,
    /// Local id of the entity who said it.
    pub speaker: String,
    /// The quoted words exactly as printed (without the quotation marks). When the document has a
    /// text, these words must occur in it.
    pub text: String,
    /// Local ids of the entities or events the quote is about.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub about: Vec<String>,
    /// When it was said, at the precision the text gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// Numbers the text gives about it ("more than 13,000 lives"). Format 1.1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quantities: Vec<Quantity>,
    /// The platform or outlet through which it was said or published ("on Twitter", "in an
    /// interview with Reuters"): an entity. Format 1.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<Venue>,
    /// The place or occasion where it was said ("at a press conference in Brussels"): an entity or
    /// an event. Format 1.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<Venue>,
    /// Where the quote stands in the text.
    pub evidence: Vec<Evidence>,
    /// The extractor's confidence, from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// What kind of speech act a claim is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ClaimKind {
    /// A plain assertion ("Moscow claims…", "X said…").
    Statement,
    /// A report of what others found or plan ("Reuters said it would involve…").
    Report,
    /// An accusation or blame laid on someone (CAMEO 112).
    Accusation,
    /// A denial of something.
    Denial,
    /// A warning of consequences.
    Warning,
    /// A threat.
    Threat,
}

impl ClaimKind {
    /// The lowercase name used in the facts format.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimKind::Statement => "statement",
            ClaimKind::Report => "report",
            ClaimKind::Accusation => "accusation",
            ClaimKind::Denial => "denial",
            ClaimKind::Warning => "warning",
            ClaimKind::Threat => "threat",
        }
    }
}

/// Something the article attributes to a claimant without asserting it. The claimed content is kept
/// apart from the article's own facts: it is never stated as true in the knowledge base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// Local id, unique within the document.
    pub id: String,
    /// Local id of who makes the claim; leave it out when the text does not say ("has been accused").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimant: Option<String>,
    /// What kind of claim this is.
    pub kind: ClaimKind,
    /// The claimed content in one sentence, as the claimant would put it.
    pub summary: String,
    /// Local ids of the entities or events the claim is about; for an accusation, who is accused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub about: Vec<String>,
    /// When the claim was made, at the precision the text gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// The claimed content in structured form, when it fits a relation, a role or an event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<ClaimContent>,
    /// Numbers the text gives about it ("more than 13,000 lives"). Format 1.1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quantities: Vec<Quantity>,
    /// The platform or outlet through which it was said or published ("on Twitter", "in an
    /// interview with Reuters"): an entity. Format 1.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<Venue>,
    /// The place or occasion where it was said ("at a press conference in Brussels"): an entity or
    /// an event. Format 1.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<Venue>,
    /// Where the text reports the claim.
    pub evidence: Vec<Evidence>,
    /// The extractor's confidence, from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// The structured content of a claim: exactly one of `relation`, `role` or `event`. Its items have
/// their own ids but no evidence (the claim's evidence covers them), and they are not asserted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimContent {
    /// A claimed relation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<Relation>,
    /// A claimed role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// A claimed event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Event>,
}

/// A number the text gives: an amount, or bounds with an approximation ("more than 13,000 lives",
/// "around 100,000 troops", "dozens of ceasefire violations"), and what it counts or measures. After
/// Wikidata's quantity (amount, lower and upper bound, unit) and schema.org's QuantitativeValue.
/// Format 1.1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Quantity {
    /// The amount, when the text gives one ("100,000" in "around 100,000 troops" is 100000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The lowest amount the text allows ("more than 13,000" is 13000; "dozens of" is 24).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower: Option<f64>,
    /// The highest amount the text allows ("fewer than 50" is 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper: Option<f64>,
    /// How the text qualifies the number; left out when it gives the number as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximation: Option<Approximation>,
    /// What is counted or measured, as the text says it ("lives", "troops", "km").
    pub unit: String,
    /// Wikidata item id of the unit or of the counted thing ("Q577" for year), when known for certain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_wikidata: Option<String>,
    /// Where the text gives the number. Required on what the article asserts; not allowed inside a
    /// claim's content.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

/// How the text qualifies a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Approximation {
    /// "around", "about", "some", "roughly": near `value`.
    About,
    /// "more than", "over": above `lower`.
    MoreThan,
    /// "at least": `lower` or above.
    AtLeast,
    /// "fewer than", "less than", "under": below `upper`.
    LessThan,
    /// "at most", "up to": `upper` or below.
    AtMost,
    /// An indefinite plural of a round number ("dozens of", "hundreds of", "thousands of"): at least
    /// two of them, so `lower` is 24, 200 or 2000.
    Indefinite,
}

impl Approximation {
    /// The snake_case name used in the facts format and in RDF.
    pub fn as_str(self) -> &'static str {
        match self {
            Approximation::About => "about",
            Approximation::MoreThan => "more_than",
            Approximation::AtLeast => "at_least",
            Approximation::LessThan => "less_than",
            Approximation::AtMost => "at_most",
            Approximation::Indefinite => "indefinite",
        }
    }

    /// The field this qualification needs: `value`, `lower` or `upper`.
    pub fn needs(self) -> &'static str {
        match self {
            Approximation::About => "value",
            Approximation::MoreThan | Approximation::AtLeast | Approximation::Indefinite => "lower",
            Approximation::LessThan | Approximation::AtMost => "upper",
        }
    }
}

/// Where a quote or claim was said or published: the medium (an entity) or the venue (an entity
/// or an event). Format 1.1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Venue {
    /// Local id of the entity (for a venue, also an event).
    #[serde(rename = "ref")]
    pub target: String,
    /// Where the text says so ("on Twitter").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

impl FactsDocument {
    /// Every list of evidence spans with its JSON path, in the order validation checks them: item by
    /// item, section by section, each item's own spans, then its quantities', its medium's and its
    /// venue's.
    pub fn evidence_lists(&self) -> Vec<(String, &[Evidence])> {
        fn add<'a>(lists: &mut Vec<(String, &'a [Evidence])>, path: String, spans: &'a [Evidence], quantities: &'a [Quantity], venues: [Option<&'a Venue>; 2]) {
            lists.push((path.clone(), spans));
            for (j, quantity) in quantities.iter().enumerate() {
                lists.push((format!("{path}.quantities[{j}]"), quantity.evidence.as_slice()));
            }
            for (field, venue) in ["medium", "venue"].into_iter().zip(venues) {
                if let Some(venue) = venue {
                    lists.push((format!("{path}.{field}"), venue.evidence.as_slice()));
                }
            }
        }
        let mut lists = Vec::new();
        let f = self;
        for (i, x) in f.entities.iter().enumerate() {
            add(&mut lists, format!("$.entities[{i}]"), &x.evidence, &[], [None, None]);
        }
        for (i, x) in f.roles.iter().enumerate() {
            add(&mut lists, format!("$.roles[{i}]"), &x.evidence, &[], [None, None]);
        }
        for (i, x) in f.relations.iter().enumerate() {
            add(&mut lists, format!("$.relations[{i}]"), &x.evidence, &x.quantities, [None, None]);
        }
        for (i, x) in f.events.iter().enumerate() {
            add(&mut lists, format!("$.events[{i}]"), &x.evidence, &x.quantities, [None, None]);
        }
        for (i, x) in f.quotes.iter().enumerate() {
            add(&mut lists, format!("$.quotes[{i}]"), &x.evidence, &x.quantities, [x.medium.as_ref(), x.venue.as_ref()]);
        }
        for (i, x) in f.claims.iter().enumerate() {
            add(&mut lists, format!("$.claims[{i}]"), &x.evidence, &x.quantities, [x.medium.as_ref(), x.venue.as_ref()]);
        }
        lists
    }

    /// The same lists as [`FactsDocument::evidence_lists`], in the same order, to fill in.
    pub fn evidence_lists_mut(&mut self) -> Vec<&mut Vec<Evidence>> {
        fn add<'a>(lists: &mut Vec<&'a mut Vec<Evidence>>, spans: &'a mut Vec<Evidence>, quantities: &'a mut [Quantity], medium: Option<&'a mut Venue>, venue: Option<&'a mut Venue>) {
            lists.push(spans);
            lists.extend(quantities.iter_mut().map(|q| &mut q.evidence));
            lists.extend(medium.into_iter().chain(venue).map(|v| &mut v.evidence));
        }
        let mut lists = Vec::new();
        let f = self;
        for x in &mut f.entities {
            add(&mut lists, &mut x.evidence, &mut [], None, None);
        }
        for x in &mut f.roles {
            add(&mut lists, &mut x.evidence, &mut [], None, None);
        }
        for x in &mut f.relations {
            add(&mut lists, &mut x.evidence, &mut x.quantities, None, None);
        }
        for x in &mut f.events {
            add(&mut lists, &mut x.evidence, &mut x.quantities, None, None);
        }
        for x in &mut f.quotes {
            add(&mut lists, &mut x.evidence, &mut x.quantities, x.medium.as_mut(), x.venue.as_mut());
        }
        for x in &mut f.claims {
            add(&mut lists, &mut x.evidence, &mut x.quantities, x.medium.as_mut(), x.venue.as_mut());
        }
        lists
    }
}
