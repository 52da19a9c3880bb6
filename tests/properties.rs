//! Property tests: any entity name gives a valid, stable IRI, and any such document maps to RDF that
//! every writer serialises and Oxigraph's parsers read back as the same graph.

mod util;

use factgraph::facts::{Entity, EntityType, FactsDocument};
use factgraph::facts::identity::entity_path;
use factgraph::rdf::iri::Base;
use factgraph::rdf::mapping::Mapper;
use factgraph::rdf::ontology::Ontology;
use factgraph::rdf::serialize::{write_sorted, Format, Prefixes};
use factgraph::facts::validate::ValidDocument;
use iri_string::types::IriStr;
use oxigraph::io::RdfFormat;
use proptest::prelude::*;

fn entity(kind: EntityType, name: &str) -> Entity {
    Entity {
        id: "e".into(),
        kind,
        name: name.into(),
        aliases: vec![format!("{name} alias")],
        description: Some(name.into()),
        wikidata: None,
        key: None,
        evidence: vec![],
        confidence: None,
    }
}

fn kinds() -> impl Strategy<Value = EntityType> {
    prop_oneof![
        Just(EntityType::Person),
        Just(EntityType::Organisation),
        Just(EntityType::City),
        Just(EntityType::Place),
        Just(EntityType::Group),
        Just(EntityType::Other),
    ]
}

/// Names drawn from everything that has broken IRIs and literals elsewhere.
fn names() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ <>\"{}|^`\\\\/%#?\n\r\t\u{0}\u{202e}\u{200f}a-zа-яè😀々]{1,24}",
    ]
    .prop_filter("names are not blank", |n| !n.trim().is_empty())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_name_gives_a_valid_stable_iri(name in names(), kind in kinds()) {
        let base = Base::default();
        let path = entity_path("doc", &entity(kind, &name));
        let iri = format!("{}{path}", base.as_str());
        prop_assert!(IriStr::new(&iri).is_ok(), "iri-string refuses {iri:?}");
        prop_assert!(oxigraph::model::NamedNode::new(&iri).is_ok(), "oxigraph refuses {iri:?}");
        prop_assert_eq!(path, entity_path("doc", &entity(kind, &name)));
    }

    #[test]
    fn different_identity_names_give_different_iris(a in names(), b in names()) {
        let (ka, kb) = (factgraph::text::identity_name(&a), factgraph::text::identity_name(&b));
        prop_assume!(!ka.is_empty() && !kb.is_empty());
        let (pa, pb) = (entity_path("doc", &entity(EntityType::Person, &a)), entity_path("doc", &entity(EntityType::Person, &b)));
        prop_assert_eq!(ka == kb, pa == pb, "{:?} / {:?} -> {} / {}", a, b, pa, pb);
    }

    #[test]
    fn any_name_round_trips_through_every_format(name in names(), kind in kinds()) {
        let ontology = Ontology::bundled().unwrap();
        let mapper = Mapper::new(&ontology, Base::default()).unwrap();
        let document = ValidDocument {
            facts: FactsDocument {
                format: "1".into(),
                document: factgraph::facts::Document {
                    id: "doc".into(), title: name.clone(), url: None, publisher: None, published: None,
                    language: Some("en".into()), text: None, text_file: None, notes: None,
                },
                entities: vec![entity(kind, &name)],
                roles: vec![], relations: vec![], events: vec![], quotes: vec![], claims: vec![],
            },
            text: None,
        };
        let quads = mapper.map(&document);
        let prefixes = Prefixes::standard(&ontology.prefix, &ontology.namespace, &Base::default());
        let mut reference = Vec::new();
        write_sorted(&quads, Format::NQuads, &prefixes, &mut reference).unwrap();
        let expected = util::parse_rdf(&reference, RdfFormat::NQuads, true);
        let expected_triples = util::parse_rdf(&reference, RdfFormat::NQuads, false);
        for (format, rdf_format, graphs) in [
            (Format::Turtle, RdfFormat::Turtle, false),
            (Format::TriG, RdfFormat::TriG, true),
            (Format::NTriples, RdfFormat::NTriples, false),
            (Format::RdfXml, RdfFormat::RdfXml, false),
            (Format::JsonLd, RdfFormat::JsonLd { profile: oxigraph::io::JsonLdProfile::Streaming.into() }, true),
        ] {
            let mut out = Vec::new();
            write_sorted(&quads, format, &prefixes, &mut out).unwrap();
            let parsed = util::parse_rdf(&out, rdf_format, graphs);
            prop_assert_eq!(&parsed, if graphs { &expected } else { &expected_triples }, "{:?} of {:?}", format, name);
        }
    }
}
