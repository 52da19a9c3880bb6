//! The ontology (`ontology/factgraph.ttl`, compiled into the binary) and the [`Vocabulary`] the mapper
//! writes with.
//!
//! The Rust code names the terms it needs by local name; [`Vocabulary::new`] looks each one up in the
//! parsed ontology and fails if it is not declared there, so the mapper cannot emit a class or property
//! the ontology does not define.

use crate::facts::EntityType;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{NamedNode, NamedNodeRef, Term, Triple};
use std::collections::HashSet;

/// The ontology's Turtle source.
pub const ONTOLOGY_TURTLE: &str = include_str!("../../ontology/factgraph.ttl");

/// The OWL terms the ontology file uses (Oxigraph has no `owl` vocabulary module).
mod owl {
    use oxigraph::model::NamedNodeRef;
    pub const ONTOLOGY: NamedNodeRef<'_> = NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#Ontology");
    pub const CLASS: NamedNodeRef<'_> = NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#Class");
    pub const OBJECT_PROPERTY: NamedNodeRef<'_> = NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#ObjectProperty");
    pub const DATATYPE_PROPERTY: NamedNodeRef<'_> = NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#DatatypeProperty");
}

const VANN_NAMESPACE: &str = "http://purl.org/vocab/vann/preferredNamespaceUri";
const VANN_PREFIX: &str = "http://purl.org/vocab/vann/preferredNamespacePrefix";

/// A problem with the ontology file itself (a build-time bug, not a user error).
#[derive(Debug, thiserror::Error)]
pub enum OntologyError {
    /// The Turtle does not parse.
    #[error("the ontology does not parse: {0}")]
    Syntax(String),
    /// It lacks its `owl:Ontology` header with a vann namespace and prefix.
    #[error("the ontology does not declare its namespace (vann:preferredNamespaceUri and vann:preferredNamespacePrefix)")]
    NoNamespace,
    /// The mapper needs a term the ontology does not declare.
    #[error("the ontology does not declare {0}")]
    Undeclared(String),
}

/// The parsed ontology.
#[derive(Debug, Clone)]
pub struct Ontology {
    /// The ontology's own IRI; the store keeps the ontology in a graph of that name.
    pub iri: NamedNode,
    /// The namespace of its terms.
    pub namespace: String,
    /// The preferred prefix of that namespace.
    pub prefix: String,
    /// All its triples.
    pub triples: Vec<Triple>,
    classes: HashSet<NamedNode>,
    properties: HashSet<NamedNode>,
}

impl Ontology {
    /// Parses the bundled ontology.
    pub fn bundled() -> Result<Ontology, OntologyError> {
        Ontology::parse(ONTOLOGY_TURTLE)
    }

    /// Parses an ontology in Turtle.
    pub fn parse(turtle: &str) -> Result<Ontology, OntologyError> {
        let triples: Vec<Triple> = RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(turtle.as_bytes())
            .map(|quad| quad.map(Triple::from).map_err(|e| OntologyError::Syntax(e.to_string())))
            .collect::<Result<_, _>>()?;
        let header = triples
            .iter()
            .find(|t| t.predicate == rdf::TYPE && t.object == Term::from(owl::ONTOLOGY))
            .ok_or(OntologyError::NoNamespace)?;
        let oxigraph::model::NamedOrBlankNode::NamedNode(iri) = header.subject.clone() else {
            return Err(OntologyError::NoNamespace);
        };
        let literal_of = |property: &str| {
            triples.iter().find_map(|t| match (&t.subject, &t.object) {
                (oxigraph::model::NamedOrBlankNode::NamedNode(s), Term::Literal(l))
                    if *s == iri && t.predicate.as_str() == property =>
                {
                    Some(l.value().to_string())
                }
                _ => None,
            })
        };
        let namespace = literal_of(VANN_NAMESPACE).ok_or(OntologyError::NoNamespace)?;
        let prefix = literal_of(VANN_PREFIX).ok_or(OntologyError::NoNamespace)?;
        let mut classes = HashSet::new();
        let mut properties = HashSet::new();
        for t in &triples {
            if t.predicate != rdf::TYPE {
                continue;
            }
            let oxigraph::model::NamedOrBlankNode::NamedNode(subject) = &t.subject else { continue };
            match &t.object {
                Term::NamedNode(o) if o.as_ref() == owl::CLASS || o.as_ref() == rdfs::CLASS => {
                    classes.insert(subject.clone());
                }
                Term::NamedNode(o)
                    if o.as_ref() == owl::OBJECT_PROPERTY
                        || o.as_ref() == owl::DATATYPE_PROPERTY
                        || o.as_ref() == rdf::PROPERTY =>
                {
                    properties.insert(subject.clone());
                }
                _ => {}
            }
        }
        Ok(Ontology { iri, namespace, prefix, triples, classes, properties })
    }

    /// True if `iri` is a class the ontology declares.
    pub fn declares_class(&self, iri: NamedNodeRef<'_>) -> bool {
        self.classes.contains(&iri.into_owned())
    }

    /// True if `iri` is a property the ontology declares, or one of the few standard terms the
    /// mapper also writes (`rdf:type`, `rdfs:label`).
    pub fn declares_property(&self, iri: NamedNodeRef<'_>) -> bool {
        iri == rdf::TYPE || iri == rdfs::LABEL || self.properties.contains(&iri.into_owned())
    }

    /// Number of classes and of properties it declares.
    pub fn size(&self) -> (usize, usize) {
        (self.classes.len(), self.properties.len())
    }

    fn class(&self, local: &str) -> Result<NamedNode, OntologyError> {
        let iri = NamedNode::new_unchecked(format!("{}{local}", self.namespace));
        if self.classes.contains(&iri) { Ok(iri) } else { Err(OntologyError::Undeclared(iri.into_string())) }
    }

    fn property(&self, local: &str) -> Result<NamedNode, OntologyError> {
        let iri = NamedNode::new_unchecked(format!("{}{local}", self.namespace));
        if self.properties.contains(&iri) { Ok(iri) } else { Err(OntologyError::Undeclared(iri.into_string())) }
    }
}

macro_rules! vocabulary {
    (classes { $($cfield:ident = $clocal:literal),* $(,)? } properties { $($pfield:ident = $plocal:literal),* $(,)? }) => {
        /// The ontology terms the mapper writes, each checked to be declared.
        #[derive(Debug, Clone)]
        #[allow(missing_docs)]
        pub struct Vocabulary {
            $(pub $cfield: NamedNode,)*
            $(pub $pfield: NamedNode,)*
        }

        impl Vocabulary {
            /// Looks every term up in `ontology`.
            pub fn new(ontology: &Ontology) -> Result<Vocabulary, OntologyError> {
                Ok(Vocabulary {
                    $($cfield: ontology.class($clocal)?,)*
                    $($pfield: ontology.property($plocal)?,)*
                })
            }
        }
    };
}

impl Vocabulary {
    /// Each entity type with its class, in the facts format's order: the one table of the two.
    pub fn entity_classes(&self) -> [(EntityType, &NamedNode); 7] {
        [
            (EntityType::Person, &self.person),
            (EntityType::Organisation, &self.organisation_class),
            (EntityType::Country, &self.country),
            (EntityType::City, &self.city),
            (EntityType::Place, &self.place_class),
            (EntityType::Group, &self.group),
            (EntityType::Other, &self.entity),
        ]
    }

    /// The class of entities of type `kind`.
    pub fn entity_class(&self, kind: EntityType) -> &NamedNode {
        let classes = self.entity_classes();
        classes.iter().find(|(k, _)| *k == kind).map(|(_, class)| *class).expect("every entity type has a class")
    }

    /// The entity type whose class is `class`, if it is an entity class.
    pub fn entity_type(&self, class: NamedNodeRef<'_>) -> Option<EntityType> {
        self.entity_classes().into_iter().find(|(_, c)| c.as_ref() == class).map(|(kind, _)| kind)
    }
}

vocabulary! {
    classes {
        article = "Article",
        person = "Person",
        organisation_class = "Organisation",
        country = "Country",
        city = "City",
        place_class = "Place",
        group = "Group",
        entity = "Entity",
        role = "Role",
        relation = "Relation",
        event = "Event",
        quote = "Quote",
        claim = "Claim",
        evidence_class = "Evidence",
        link = "Link",
        quantity_class = "Quantity",
        // Dates (format 1.1).
        time_span_class = "TimeSpan",
    }
    properties {
        url = "url",
        publisher = "publisher",
        published = "published",
        language = "language",
        text = "text",
        alias = "alias",
        description = "description",
        wikidata = "wikidata",
        source = "source",
        according_to = "accordingTo",
        evidence = "evidence",
        confidence = "confidence",
        begin_index = "beginIndex",
        end_index = "endIndex",
        exact = "exact",
        date = "date",
        start = "start",
        end = "end",
        as_of = "asOf",
        date_text = "dateText",
        subject = "subject",
        role_name = "roleName",
        organisation = "organisation",
        member_of = "memberOf",
        part_of = "partOf",
        located_in = "locatedIn",
        headquartered_in = "headquarteredIn",
        ally_of = "allyOf",
        affiliated_with = "affiliatedWith",
        shares_border_with = "sharesBorderWith",
        leads = "leads",
        government_of = "governmentOf",
        represents = "represents",
        caused = "caused",
        in_response_to = "inResponseTo",
        prevented = "prevented",
        follows = "follows",
        event_type = "eventType",
        place = "place",
        participant = "participant",
        initiator = "initiator",
        target = "target",
        speaker = "speaker",
        about = "about",
        claimant = "claimant",
        claim_kind = "claimKind",
        content = "content",
        medium = "medium",
        venue = "venue",
        medium_evidence = "mediumEvidence",
        venue_evidence = "venueEvidence",
        quantity = "quantity",
        amount = "amount",
        lower_bound = "lowerBound",
        upper_bound = "upperBound",
        approximation = "approximation",
        unit_text = "unitText",
        unit = "unit",
        score = "score",
        method = "method",
        content_hash = "contentHash",
        // Dates (format 1.1).
        date_span = "dateSpan",
        start_span = "startSpan",
        end_span = "endSpan",
        as_of_span = "asOfSpan",
        published_span = "publishedSpan",
        edtf = "edtf",
        earliest = "earliest",
        latest = "latest",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entity_type_has_its_own_class() {
        let v = Vocabulary::new(&Ontology::bundled().unwrap()).unwrap();
        let classes = v.entity_classes();
        for (kind, class) in classes {
            assert_eq!(v.entity_class(kind), class);
            assert_eq!(v.entity_type(class.as_ref()), Some(kind));
        }
        let distinct: HashSet<&NamedNode> = classes.iter().map(|(_, class)| *class).collect();
        assert_eq!(distinct.len(), classes.len());
        assert_eq!(v.entity_type(v.role.as_ref()), None);
    }
}
