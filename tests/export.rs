//! `export` reads the store on several threads (through SPARQL projections, falling back to the
//! store's iterator for IRIs SPARQL cannot write) and sorts with bounded memory. Its output must not
//! depend on the number of threads, and must be exactly what sorting everything in memory gave
//! (the sorted formats) or the store's graph-by-graph key order (the line formats), also for stores
//! that factgraph did not write: a default graph, blank-node graph names, unusual IRIs.

mod util;

use factgraph::rdf::serialize::{write_sorted, Format, LineWriter, Prefixes};
use oxigraph::model::{BlankNode, GraphName, GraphNameRef, Literal, NamedNode, NamedOrBlankNode, Quad};
use oxigraph::store::Store;
use std::path::Path;
use std::process::Command;
use util::Sandbox;

const FORMATS: [(&str, Format); 6] = [
    ("turtle", Format::Turtle),
    ("trig", Format::TriG),
    ("ntriples", Format::NTriples),
    ("nquads", Format::NQuads),
    ("jsonld", Format::JsonLd),
    ("rdfxml", Format::RdfXml),
];

fn export(store: &Path, format: &str, threads: &str, extra: &[&str]) -> Vec<u8> {
    let output = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .args(["export", "--store", store.to_str().unwrap(), "--format", format])
        .args(extra)
        .env("FACTGRAPH_THREADS", threads)
        .env("NO_COLOR", "1")
        .output()
        .expect("the factgraph binary runs");
    assert!(output.status.success(), "export {format} with {threads} threads failed: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// What the export wrote before it read in parallel: every quad of the selected graphs in memory,
/// sorted (pretty formats), or each named graph in IRI order, each in the store's key order.
fn expected(store: &Path, format: Format, skip: &[NamedNode], graph: Option<&NamedNode>) -> Vec<u8> {
    let store = Store::open_read_only(store).unwrap();
    let ontology = factgraph::rdf::ontology::Ontology::bundled().unwrap();
    let prefixes = Prefixes::standard(&ontology.prefix, &ontology.namespace, &factgraph::rdf::iri::Base::default());
    if format.is_line_based() {
        let mut graphs: Vec<NamedNode> = match graph {
            Some(g) => vec![g.clone()],
            None => store
                .named_graphs()
                .filter_map(|g| match g.unwrap() {
                    NamedOrBlankNode::NamedNode(n) if !skip.contains(&n) => Some(n),
                    _ => None,
                })
                .collect(),
        };
        graphs.sort();
        let mut writer = LineWriter::new(format, Vec::new());
        for g in graphs {
            for quad in store.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g.as_ref()))) {
                writer.write(quad.unwrap().as_ref()).unwrap();
            }
        }
        writer.finish().unwrap()
    } else {
        let quads: Vec<Quad> = store
            .quads_for_pattern(None, None, None, graph.map(|g| GraphNameRef::NamedNode(g.as_ref())))
            .map(Result::unwrap)
            .filter(|q| !matches!(&q.graph_name, GraphName::NamedNode(g) if skip.contains(g)))
            .collect();
        write_sorted(&quads, format, &prefixes, Vec::new()).unwrap()
    }
}

#[test]
fn factgraph_store_exports_are_the_same_for_any_number_of_threads_and_as_before() {
    let sandbox = Sandbox::new();
    let generated = sandbox.generate("generated.jsonl", 120, 3);
    sandbox.run_in_store(&["load", "data/facts", generated.to_str().unwrap()]).success();
    let ontology = factgraph::rdf::ontology::Ontology::bundled().unwrap().iri;
    let store = sandbox.store();
    for (name, format) in FORMATS {
        let one = export(&store, name, "1", &[]);
        assert!(one == expected(&store, format, std::slice::from_ref(&ontology), None), "{name}: not what the in-memory export wrote");
        for threads in ["2", "3"] {
            assert!(one == export(&store, name, threads, &[]), "{name}: {threads} threads differ from one");
        }
        let with_ontology = export(&store, name, "2", &["--with-ontology"]);
        assert!(with_ontology == expected(&store, format, &[], None), "{name} --with-ontology");
        let article = NamedNode::new("https://factgraph.example/kb/article/russia-nato-split-2021").unwrap();
        let one_graph = export(&store, name, "2", &["--graph", "russia-nato-split-2021"]);
        assert!(one_graph == expected(&store, format, &[], Some(&article)), "{name} --graph");
    }
}

#[test]
fn foreign_stores_export_as_they_did() {
    let sandbox = Sandbox::new();
    let path = sandbox.path().join("foreign");
    {
        let store = Store::open(&path).unwrap();
        let kb = "https://factgraph.example/kb/";
        let node = |p: &str| NamedNode::new_unchecked(format!("{kb}{p}"));
        let odd = NamedNode::new_unchecked("http://example.org/odd{predicate}|with^chars");
        let graphs: Vec<GraphName> = vec![
            GraphName::DefaultGraph,
            node("article/a").into(),
            node("article/b").into(),
            BlankNode::new_unchecked("g1").into(),
            NamedNode::new_unchecked("http://example.org/graph with space").into(),
        ];
        for (i, graph) in graphs.iter().enumerate() {
            for j in 0..5 {
                let subject = node(&format!("entity/person/p{}", j % 3));
                store.insert(&Quad::new(subject.clone(), oxigraph::model::vocab::rdfs::LABEL, Literal::new_language_tagged_literal_unchecked(format!("P{j}"), "en"), graph.clone())).unwrap();
                store.insert(&Quad::new(subject.clone(), odd.clone(), Literal::new_simple_literal(format!("v{i}\u{0}{j}")), graph.clone())).unwrap();
                store.insert(&Quad::new(BlankNode::new_unchecked(format!("b{j}")), node("ontology#x"), subject, graph.clone())).unwrap();
            }
        }
    }
    for (name, format) in FORMATS {
        let one = export(&path, name, "1", &[]);
        assert!(one == expected(&path, format, &[], None), "{name}: not what the in-memory export wrote\n{}", String::from_utf8_lossy(&one));
        assert!(one == export(&path, name, "2", &[]), "{name}: two threads differ from one");
    }
}
