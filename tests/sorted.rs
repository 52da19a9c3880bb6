//! The sorted formats are written through an external sort (`factgraph::rdf::sorter`): quads become byte
//! keys, runs beyond a memory budget go to temporary files, and a merge writes each distinct quad
//! once. These properties check that this gives exactly what sorting all quads in memory with
//! `compare_quads` gives, with any budget, for arbitrary terms (NUL bytes included).

use factgraph::rdf::serialize::{compare_quads, Format, Prefixes, SortedWriter};
use factgraph::rdf::sorter::{encode, Parts};
use oxigraph::io::RdfSerializer;
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{BlankNode, GraphName, GraphNameRef, Literal, NamedNode, NamedOrBlankNode, Quad, QuadRef, Term};
use proptest::prelude::*;

const BASE: &str = "https://factgraph.example/kb/";

fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[\u{0}\u{1}\u{ff}a-c/é]{0,6}"]
}

fn iri() -> impl Strategy<Value = NamedNode> {
    prop_oneof![
        text().prop_map(|t| NamedNode::new_unchecked(format!("{BASE}entity/person/{t}"))),
        text().prop_map(|t| NamedNode::new_unchecked(format!("{BASE}article/a/{t}"))),
        Just(rdf::TYPE.into_owned()),
        Just(rdfs::LABEL.into_owned()),
        Just(NamedNode::new_unchecked("https://factgraph.example/ontology#subject")),
    ]
}

fn subject() -> impl Strategy<Value = NamedOrBlankNode> {
    prop_oneof![iri().prop_map(NamedOrBlankNode::from), "[a-c]{1,3}".prop_map(|b| BlankNode::new_unchecked(b).into())]
}

fn object() -> impl Strategy<Value = Term> {
    prop_oneof![
        iri().prop_map(Term::from),
        "[a-c]{1,3}".prop_map(|b| BlankNode::new_unchecked(b).into()),
        text().prop_map(|t| Literal::new_simple_literal(t).into()),
        (text(), prop_oneof![Just("en"), Just("en-gb"), Just("fr")]).prop_map(|(t, l)| Literal::new_language_tagged_literal_unchecked(t, l).into()),
        (text(), prop_oneof![Just(xsd::INTEGER), Just(xsd::DATE), Just(xsd::G_YEAR)]).prop_map(|(t, d)| Literal::new_typed_literal(t, d).into()),
    ]
}

fn graph() -> impl Strategy<Value = GraphName> {
    prop_oneof![
        Just(GraphName::DefaultGraph),
        prop_oneof![Just("article/a"), Just("article/b"), Just("links")].prop_map(|g| NamedNode::new_unchecked(format!("{BASE}{g}")).into()),
        "[a-b]".prop_map(|b| BlankNode::new_unchecked(b).into()),
    ]
}

fn quads() -> impl Strategy<Value = Vec<Quad>> {
    // Few distinct terms, so that duplicates and shared subjects are common.
    proptest::collection::vec((subject(), iri(), object(), graph()).prop_map(|(s, p, o, g)| Quad::new(s, p, o, g)), 0..120)
}

fn prefixes() -> Prefixes {
    Prefixes::standard("fg", "https://factgraph.example/ontology#", &factgraph::rdf::iri::Base::new(BASE).unwrap())
}

/// What the sorted formats wrote before the external sort: everything in memory.
fn reference(quads: &[Quad], format: Format) -> Vec<u8> {
    let keep = format.keeps_graphs();
    let mut refs: Vec<QuadRef<'_>> = quads
        .iter()
        .map(|q| {
            let mut r = q.as_ref();
            if !keep {
                r.graph_name = GraphNameRef::DefaultGraph;
            }
            r
        })
        .collect();
    refs.sort_unstable_by(compare_quads);
    refs.dedup();
    // Prefixes as SortedWriter declares them: only those used (computed the same way).
    let mut probe = SortedWriter::new(format, &PREFIXES);
    for quad in &refs {
        probe.push(*quad).unwrap();
    }
    let mut declared = Vec::new();
    let (_, _) = probe.finish(&mut declared).unwrap();
    let mut serializer = RdfSerializer::from_format(format.rdf_format());
    for line in String::from_utf8(declared).unwrap().lines().filter(|l| l.starts_with("@prefix ")) {
        let (name, rest) = line["@prefix ".len()..].split_once(": <").unwrap();
        serializer = serializer.with_prefix(name, rest.trim_end_matches("> .")).unwrap();
    }
    let mut serializer = serializer.for_writer(Vec::new());
    for quad in refs {
        serializer.serialize_quad(quad).unwrap();
    }
    serializer.finish().unwrap()
}

static PREFIXES: std::sync::LazyLock<Prefixes> = std::sync::LazyLock::new(prefixes);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn key_order_is_compare_quads_order(a in (subject(), iri(), object(), graph()), b in (subject(), iri(), object(), graph())) {
        let a = Quad::new(a.0, a.1, a.2, a.3);
        let b = Quad::new(b.0, b.1, b.2, b.3);
        let (mut ka, mut kb) = (Vec::new(), Vec::new());
        encode(a.as_ref(), true, &mut ka).unwrap();
        encode(b.as_ref(), true, &mut kb).unwrap();
        prop_assert_eq!(ka.cmp(&kb), compare_quads(&a.as_ref(), &b.as_ref()));
        let decoded = Parts::decode(&ka).unwrap();
        prop_assert_eq!(decoded.quad().unwrap(), a.as_ref());
    }

    #[test]
    fn external_sort_writes_what_an_in_memory_sort_writes(quads in quads(), budget in prop_oneof![Just(1usize), Just(300), Just(4096), Just(usize::MAX)]) {
        for format in [Format::Turtle, Format::TriG, Format::NQuads] {
            let mut writer = SortedWriter::with_chunk_bytes(format, &PREFIXES, budget);
            // Two writers combined, as the export's reading threads are.
            let mut other = SortedWriter::with_chunk_bytes(format, &PREFIXES, budget);
            for (i, quad) in quads.iter().enumerate() {
                if i % 3 == 0 { other.push(quad.as_ref()).unwrap() } else { writer.push(quad.as_ref()).unwrap() }
            }
            writer.absorb(other).unwrap();
            let (out, _) = writer.finish(Vec::new()).unwrap();
            let expected = reference(&quads, format);
            prop_assert!(out == expected, "{:?}\n--- external\n{}\n--- in memory\n{}", format, String::from_utf8_lossy(&out), String::from_utf8_lossy(&expected));
        }
    }
}
