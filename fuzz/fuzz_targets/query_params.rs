//! Query parameter parsing: a fixed saved query with one parameter of every type, bound with
//! arbitrary name/value pairs. `bind` must never panic; it returns bindings or a typed error. A bound
//! string is exactly the given text (never spliced into the query), every IRI is a valid IRI, and the
//! bound query runs on an in-memory store without error.

#![no_main]

use factgraph::rdf::iri::Base;
use factgraph::store::query::{BindError, SavedQuery};
use libfuzzer_sys::fuzz_target;
use oxigraph::model::{Literal, Term};
use oxigraph::store::Store;
use std::sync::OnceLock;

const QUERY: &str = "# title: Every parameter type\n\
# description: A fuzz target's query: one parameter of each type, all selected.\n\
# param: label string | a label\n\
# param: entity iri = entity/Q7184 | an entity\n\
# param: count integer = 3 | a number\n\
# param: score decimal = 0.5 | a score\n\
# param: asOf date = 2021-10-21 | a date\n\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\
PREFIX wd: <http://www.wikidata.org/entity/>\n\
SELECT ?label ?entity ?count ?score ?asOf ?s WHERE {\n\
  OPTIONAL { ?s rdfs:label ?l . FILTER(STR(?l) = ?label) }\n\
  OPTIONAL { ?entity rdfs:label ?el }\n\
} ORDER BY ?s\n";

struct Setup {
    query: SavedQuery,
    base: Base,
    store: Store,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let query = SavedQuery::parse("fuzz", "fuzz", QUERY).expect("the fixed query parses");
        assert_eq!(query.params.len(), 5);
        let store = Store::new().expect("an in-memory store");
        store
            .load_from_slice(
                oxigraph::io::RdfFormat::NTriples,
                "<https://factgraph.example/kb/entity/Q7184> <http://www.w3.org/2000/01/rdf-schema#label> \"NATO\" .\n",
            )
            .expect("one triple loads");
        Setup { query, base: Base::default(), store }
    })
}

/// The name/value pairs: the input split at NUL bytes (argv cannot hold NUL), each lossily decoded,
/// the first byte choosing whether a known name is paired with it (so most inputs reach the value
/// parsers); otherwise it is split at its first `=` as `--param` is (no `=`: all name, no value).
fn arguments(data: &[u8]) -> Vec<(String, String)> {
    const NAMES: [&str; 6] = ["label", "entity", "count", "score", "asOf", "?label"];
    let Some((&first, rest)) = data.split_first() else { return Vec::new() };
    rest.split(|b| *b == 0)
        .enumerate()
        .map(|(i, part)| {
            let text = String::from_utf8_lossy(part).into_owned();
            if first & (1 << (i % 8)) != 0 {
                (NAMES[(first as usize + i) % NAMES.len()].to_string(), text)
            } else {
                match text.split_once('=') {
                    Some((name, value)) => (name.to_string(), value.to_string()),
                    None => (text, String::new()),
                }
            }
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let setup = setup();
    let args = arguments(data);
    let pairs: Vec<(&str, &str)> = args.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    match setup.query.bind(&pairs, &setup.base) {
        Ok(bindings) => {
            assert_eq!(bindings.len(), 5, "every parameter is bound");
            for (variable, term) in &bindings {
                match (variable.as_str(), term) {
                    ("label", Term::Literal(literal)) => {
                        // The last `label=` given wins; the value is bound verbatim.
                        let given = pairs.iter().rfind(|(n, _)| n.trim().trim_start_matches('?') == "label").map(|(_, v)| *v);
                        if let Some(given) = given {
                            assert_eq!(literal, &Literal::new_simple_literal(given));
                        }
                    }
                    ("entity", Term::NamedNode(node)) => {
                        assert!(oxigraph::model::NamedNode::new(node.as_str()).is_ok(), "invalid IRI {node}");
                    }
                    ("count" | "score" | "asOf", Term::Literal(_)) => {}
                    (name, term) => panic!("{name} bound to {term}"),
                }
            }
            let results = setup.query.execute(&setup.store, &bindings).expect("a bound query runs");
            if let oxigraph::sparql::QueryResults::Solutions(solutions) = results {
                for solution in solutions {
                    solution.expect("a solution");
                }
            }
        }
        Err(BindError::UnknownParam { .. } | BindError::MissingParam { .. } | BindError::BadParam { .. }) => {}
        Err(other) => panic!("unexpected error kind: {other}"),
    }
});
