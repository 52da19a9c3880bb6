//! A SPARQL 1.1 client over [`Remote`]: queries with the SPARQL Protocol (results read by the
//! answer's `Content-Type`), updates, and graphs read, replaced and deleted with the Graph Store
//! HTTP Protocol. `push` and `factgraph query --endpoint` send everything through it.

use crate::http::inline::QueryForm;
use crate::http::remote::{with_query_param, Answer, Outgoing, Remote, RemoteError};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Quad, Term};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};
use oxigraph::sparql::{QuerySolution, Variable};
use oxhttp::model::{Method, StatusCode};

/// What a graph is asked for in: N-Triples, else Turtle.
const GRAPH_ACCEPT: &str = "application/n-triples, text/turtle;q=0.9";
/// What solutions and booleans are asked for in: SPARQL JSON results, else XML.
const RESULTS_ACCEPT: &str = "application/sparql-results+json, application/sparql-results+xml;q=0.9";

/// What a query returned.
#[derive(Debug, PartialEq)]
pub enum Results {
    /// CONSTRUCT or DESCRIBE: triples (in the default graph).
    Graph(Vec<Quad>),
    /// SELECT: the variables, and the solutions in the server's order.
    Solutions {
        /// The variables, in the query's order.
        variables: Vec<Variable>,
        /// The solutions.
        solutions: Vec<QuerySolution>,
    },
    /// ASK.
    Boolean(bool),
}

/// Runs `query`, of form `form`, at `endpoint` and reads the answer by its `Content-Type`:
/// N-Triples or Turtle as a graph, SPARQL XML results, else SPARQL JSON results.
pub fn query(remote: &Remote, endpoint: &str, query: &str, form: QueryForm) -> Result<Results, RemoteError> {
    let accept = if form == QueryForm::Graph { GRAPH_ACCEPT } else { RESULTS_ACCEPT };
    let answer = post_query(remote, endpoint, query, accept)?;
    read_results(endpoint, &answer)
}

/// Runs a SELECT at `endpoint`; each row has the query's variables in order.
pub fn select(remote: &Remote, endpoint: &str, query: &str) -> Result<Vec<Vec<Option<Term>>>, RemoteError> {
    let answer = post_query(remote, endpoint, query, "application/sparql-results+json")?;
    match read_solutions(endpoint, QueryResultsFormat::Json, &answer.body)? {
        Results::Solutions { variables, solutions } => Ok(solutions.iter().map(|s| variables.iter().map(|v| s.get(v).cloned()).collect()).collect()),
        _ => Err(bad(endpoint, "a boolean where solutions were expected".into())),
    }
}

/// Sends a SPARQL Update to `endpoint`; returns the attempts it took.
pub fn update(remote: &Remote, endpoint: &str, update: &str) -> Result<u32, RemoteError> {
    let body = format!("update={}", crate::http::remote::percent_encode(update));
    let answer = remote.send(&Outgoing {
        method: Method::POST,
        url: endpoint,
        content_type: Some("application/x-www-form-urlencoded"),
        accept: None,
        body: body.as_bytes(),
        allow_not_found: false,
    })?;
    Ok(answer.attempts)
}

/// The triples of graph `graph` of the Graph Store at `store`, or `None` if it has no such graph.
pub fn get_graph(remote: &Remote, store: &str, graph: &str) -> Result<Option<Vec<Quad>>, RemoteError> {
    let url = with_query_param(store, "graph", graph);
    let answer = remote.send(&Outgoing { method: Method::GET, url: &url, content_type: None, accept: Some(GRAPH_ACCEPT), body: b"", allow_not_found: true })?;
    if answer.status == StatusCode::NOT_FOUND {
        return Ok(None);
    }
    read_graph(&url, content_type(&answer).as_str(), &answer.body).map(Some)
}

/// Replaces graph `graph` of the Graph Store at `store` with `ntriples`; returns the attempts it took.
pub fn put_graph(remote: &Remote, store: &str, graph: &str, ntriples: &[u8]) -> Result<u32, RemoteError> {
    // N-Triples needs no prefixes or escapes a server could misread.
    let url = with_query_param(store, "graph", graph);
    let answer = remote.send(&Outgoing {
        method: Method::PUT,
        url: &url,
        content_type: Some("application/n-triples"),
        accept: None,
        body: ntriples,
        allow_not_found: false,
    })?;
    Ok(answer.attempts)
}

/// Deletes graph `graph` from the Graph Store at `store` (a graph it does not have is no error).
pub fn delete_graph(remote: &Remote, store: &str, graph: &str) -> Result<(), RemoteError> {
    let url = with_query_param(store, "graph", graph);
    remote.send(&Outgoing { method: Method::DELETE, url: &url, content_type: None, accept: None, body: b"", allow_not_found: true })?;
    Ok(())
}

/// Sends a query with the SPARQL 1.1 Protocol (POST, form-encoded), asking for `accept`.
fn post_query(remote: &Remote, endpoint: &str, query: &str, accept: &str) -> Result<Answer, RemoteError> {
    let body = format!("query={}", crate::http::remote::percent_encode(query));
    remote.send(&Outgoing {
        method: Method::POST,
        url: endpoint,
        content_type: Some("application/x-www-form-urlencoded"),
        accept: Some(accept),
        body: body.as_bytes(),
        allow_not_found: false,
    })
}

/// The answer's `Content-Type`, lowercase (empty if it has none).
fn content_type(answer: &Answer) -> String {
    answer.content_type.as_deref().unwrap_or_default().to_ascii_lowercase()
}

/// A query's answer from `url`, read by its `Content-Type`.
fn read_results(url: &str, answer: &Answer) -> Result<Results, RemoteError> {
    let content_type = content_type(answer);
    if content_type.contains("n-triples") || content_type.contains("turtle") {
        return read_graph(url, &content_type, &answer.body).map(Results::Graph);
    }
    let format = if content_type.contains("xml") { QueryResultsFormat::Xml } else { QueryResultsFormat::Json };
    read_solutions(url, format, &answer.body)
}

/// A graph in N-Triples (a `Content-Type` naming it) or Turtle (any other).
fn read_graph(url: &str, content_type: &str, body: &[u8]) -> Result<Vec<Quad>, RemoteError> {
    let format = if content_type.contains("n-triples") { RdfFormat::NTriples } else { RdfFormat::Turtle };
    RdfParser::from_format(format).for_slice(body).collect::<Result<_, _>>().map_err(|e| bad(url, e.to_string()))
}

/// Solutions or a boolean in a SPARQL results format.
fn read_solutions(url: &str, format: QueryResultsFormat, body: &[u8]) -> Result<Results, RemoteError> {
    match QueryResultsParser::from_format(format).for_slice(body).map_err(|e| bad(url, e.to_string()))? {
        SliceQueryResultsParserOutput::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let solutions = solutions.collect::<Result<_, _>>().map_err(|e| bad(url, e.to_string()))?;
            Ok(Results::Solutions { variables, solutions })
        }
        SliceQueryResultsParserOutput::Boolean(value) => Ok(Results::Boolean(value)),
    }
}

fn bad(url: &str, message: String) -> RemoteError {
    RemoteError::BadResponse { url: url.to_string(), message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(content_type: Option<&str>, body: &str) -> Answer {
        Answer { status: StatusCode::OK, content_type: content_type.map(str::to_string), body: body.as_bytes().to_vec(), attempts: 1 }
    }

    const JSON: &str = r#"{"head":{"vars":["x","y"]},"results":{"bindings":[{"x":{"type":"uri","value":"http://e/a"}}]}}"#;

    #[test]
    fn answers_are_read_by_their_content_type() {
        let Results::Graph(quads) = read_results("u", &answer(Some("application/n-triples"), "<http://e/s> <http://e/p> \"o\" .\n")).unwrap() else { panic!() };
        assert_eq!(quads.len(), 1);
        let turtle = "@prefix e: <http://e/> . e:s e:p e:o , e:q .";
        let Results::Graph(quads) = read_results("u", &answer(Some("Text/Turtle; charset=utf-8"), turtle)).unwrap() else { panic!() };
        assert_eq!(quads.len(), 2);
        let Results::Solutions { variables, solutions } = read_results("u", &answer(Some("application/sparql-results+json"), JSON)).unwrap() else { panic!() };
        assert_eq!(variables.iter().map(Variable::as_str).collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(solutions.len(), 1);
        assert_eq!(solutions[0].get("x").map(Term::to_string), Some("<http://e/a>".into()));
        assert_eq!(solutions[0].get("y"), None);
        // No content type: JSON results.
        assert!(matches!(read_results("u", &answer(None, JSON)).unwrap(), Results::Solutions { .. }));
        let xml = r#"<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/><boolean>true</boolean></sparql>"#;
        assert_eq!(read_results("u", &answer(Some("application/sparql-results+xml"), xml)).unwrap(), Results::Boolean(true));
        assert_eq!(read_results("u", &answer(None, r#"{"head":{},"boolean":false}"#)).unwrap(), Results::Boolean(false));
    }

    #[test]
    fn unreadable_answers_are_bad_responses() {
        for (content_type, body) in [(Some("text/turtle"), "<a"), (Some("application/sparql-results+json"), "<html>"), (None, "")] {
            let error = read_results("http://h/sparql", &answer(content_type, body)).unwrap_err();
            assert!(matches!(&error, RemoteError::BadResponse { url, .. } if url == "http://h/sparql"), "{error:?}");
        }
    }

    #[test]
    fn graphs_without_a_known_type_are_read_as_turtle() {
        assert_eq!(read_graph("u", "", b"<http://e/s> <http://e/p> 1 .").unwrap().len(), 1);
        assert!(read_graph("u", "application/n-triples", b"<http://e/s> <http://e/p> 1 .").is_err(), "N-Triples has no bare numbers");
    }
}
