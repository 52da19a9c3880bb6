//! factgraph writes N-Quads and N-Triples lines itself (Oxigraph's serializers format character by
//! character, which was half of `map`'s time): these properties check that the bytes are exactly
//! Oxigraph's, for arbitrary terms, in both formats.

use factgraph::rdf::serialize::{write_line, Format, LineWriter};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use proptest::prelude::*;

/// Strings with everything an escape exists for, and the rest of Unicode.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\u{0}-\u{1f}\u{7f}\u{fffe}\u{ffff}\u{fffd}\"\\\\a-z é😀\u{202e}]{0,24}",
    ]
}

fn iri() -> impl Strategy<Value = NamedNode> {
    // The writer copies IRIs as they are, as Oxigraph does; any text stands in for one here.
    prop_oneof![text().prop_map(|t| format!("https://factgraph.example/kb/{t}")), Just("http://www.w3.org/2001/XMLSchema#string".to_string())]
        .prop_map(NamedNode::new_unchecked)
}

fn blank() -> impl Strategy<Value = BlankNode> {
    "[a-zA-Z0-9_]{1,12}".prop_map(BlankNode::new_unchecked)
}

fn subject() -> impl Strategy<Value = NamedOrBlankNode> {
    prop_oneof![iri().prop_map(NamedOrBlankNode::from), blank().prop_map(NamedOrBlankNode::from)]
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        text().prop_map(Literal::new_simple_literal),
        (text(), "[a-z]{2,3}(-[A-Za-z0-9]{1,8})?").prop_map(|(t, l)| Literal::new_language_tagged_literal_unchecked(t, l)),
        (text(), iri()).prop_map(|(t, d)| Literal::new_typed_literal(t, d)),
    ]
}

fn object() -> impl Strategy<Value = Term> {
    prop_oneof![iri().prop_map(Term::from), blank().prop_map(Term::from), literal().prop_map(Term::from)]
}

fn graph() -> impl Strategy<Value = GraphName> {
    prop_oneof![Just(GraphName::DefaultGraph), iri().prop_map(GraphName::from), blank().prop_map(GraphName::from)]
}

fn quad() -> impl Strategy<Value = Quad> {
    (subject(), iri(), object(), graph()).prop_map(|(s, p, o, g)| Quad::new(s, p, o, g))
}

fn oxigraph(quads: &[Quad], format: RdfFormat) -> Vec<u8> {
    let mut serializer = RdfSerializer::from_format(format).for_writer(Vec::new());
    for quad in quads {
        if format == RdfFormat::NTriples {
            serializer.serialize_triple(quad.as_ref()).unwrap();
        } else {
            serializer.serialize_quad(quad).unwrap();
        }
    }
    serializer.finish().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn lines_are_oxigraphs_bytes(quads in proptest::collection::vec(quad(), 1..8)) {
        let mut nquads = Vec::new();
        let mut ntriples = Vec::new();
        for quad in &quads {
            write_line(quad.as_ref(), true, &mut nquads);
            write_line(quad.as_ref(), false, &mut ntriples);
        }
        let (expected_nquads, expected_ntriples) = (oxigraph(&quads, RdfFormat::NQuads), oxigraph(&quads, RdfFormat::NTriples));
        prop_assert_eq!(String::from_utf8_lossy(&nquads), String::from_utf8_lossy(&expected_nquads));
        prop_assert_eq!(String::from_utf8_lossy(&ntriples), String::from_utf8_lossy(&expected_ntriples));
        let mut writer = LineWriter::new(Format::NQuads, Vec::new());
        for quad in &quads {
            writer.write(quad.as_ref()).unwrap();
        }
        prop_assert_eq!(writer.finish().unwrap(), nquads);
    }
}
