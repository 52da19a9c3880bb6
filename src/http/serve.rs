//! The read-only HTTP service: a SPARQL 1.1 Protocol endpoint over the store, saved queries as
//! endpoints, and a page for people. Built on oxhttp (Oxigraph's HTTP stack); this module only maps
//! requests to responses, so it is tested without sockets.
//!
//! Routes:
//! - `GET /` — the page (HTML and JavaScript compiled in; no external assets).
//! - `GET /entity?iri=IRI` — everything known about one entity, rendered on the server.
//! - `GET|POST /sparql` — SPARQL 1.1 Protocol queries (`query` parameter, form or
//!   `application/sparql-query` body); results by content negotiation.
//! - `GET /queries` — the saved queries with titles, descriptions and parameters, as JSON.
//! - `GET|POST /queries/NAME?param=value…` — a saved query with its parameters bound by
//!   substitution, as the CLI does. With `limit` (and `offset`) it answers one page of the result
//!   and the whole result's row count in the `X-Total-Rows` header; the cap on rows applies to the
//!   page.
//!
//! Updates are refused. Every query runs with a timeout, a cap on result rows, and a cap on the
//! request body; each limit answers with a clear HTTP error.

use crate::http::remote::percent_encode;
use crate::rdf::iri;
use crate::store::query::{self, BindError, BindErrorKind, QueryError, QueryErrorKind, QueryLibrary, SavedQuery};
use crate::rdf::serialize::{self, Format, Prefixes};
use crate::store::listings::Listing;
use crate::store::names::NameIndex;
use crate::store::KnowledgeBase;
use oxhttp::model::header::{ACCEPT, CONTENT_TYPE};
use oxhttp::model::{Body, Method, Request, Response, StatusCode};
use oxigraph::model::{GraphName, Term};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryResults, Variable};
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The header that gives a paged result's whole row count.
const TOTAL_ROWS: &str = "x-total-rows";

/// The page served at `/`.
pub const INDEX_HTML: &str = include_str!("../../web/index.html");

/// Limits and settings of the service.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Longest a query may run.
    pub timeout: Duration,
    /// Most rows (or triples) a result may have.
    pub max_results: usize,
    /// Largest request body accepted, in bytes.
    pub max_request_bytes: u64,
    /// The knowledge base's base IRI (for parameters given as paths, and for the page's links).
    pub base: crate::rdf::iri::Base,
    /// Prefixes for Turtle results.
    pub prefixes: Prefixes,
}

/// Cancels queries that outlive their deadline, from one watchdog thread for all requests.
#[derive(Clone, Default)]
struct Watchdog {
    running: Arc<Mutex<Vec<(Instant, CancellationToken, Arc<()>)>>>,
}

impl Watchdog {
    fn start() -> Watchdog {
        let watchdog = Watchdog::default();
        let running = Arc::clone(&watchdog.running);
        std::thread::Builder::new()
            .name("factgraph query watchdog".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_millis(50));
                let now = Instant::now();
                let mut running = running.lock().unwrap_or_else(|e| e.into_inner());
                running.retain(|(deadline, token, alive)| {
                    if Arc::strong_count(alive) == 1 {
                        return false; // the query finished
                    }
                    if *deadline <= now {
                        token.cancel();
                        return false;
                    }
                    true
                });
            })
            .expect("a thread can be started");
        watchdog
    }

    /// A token that is cancelled at `deadline`, unless the returned guard is dropped first.
    fn watch(&self, deadline: Instant) -> (CancellationToken, Arc<()>) {
        let token = CancellationToken::new();
        let guard = Arc::new(());
        self.running.lock().unwrap_or_else(|e| e.into_inner()).push((deadline, token.clone(), Arc::clone(&guard)));
        (token, guard)
    }
}

/// The service: a read-only store, the saved queries and the limits.
pub struct Service {
    kb: KnowledgeBase,
    /// The store's name index, read once: the store does not change while `serve` holds it.
    names: Option<NameIndex>,
    library: QueryLibrary,
    config: ServeConfig,
    watchdog: Watchdog,
}

/// An error answer: status and a plain-text message.
#[derive(Debug)]
struct Failure(StatusCode, String);

impl From<BindError> for Failure {
    /// The client's mistake: 404 for a query the service does not have, 400 for parameters.
    fn from(error: BindError) -> Self {
        match error.kind() {
            BindErrorKind::NotFound => Failure(StatusCode::NOT_FOUND, format!("{error}; GET /queries lists the saved queries")),
            BindErrorKind::Invalid => Failure(StatusCode::BAD_REQUEST, error.to_string()),
        }
    }
}

/// A failed query as an answer: 400 for a query that does not parse, 503 for one stopped at its
/// deadline (`timeout`), 500 otherwise.
fn query_failure(error: QueryError, timeout: Duration) -> Failure {
    match error.kind() {
        QueryErrorKind::Invalid => Failure(StatusCode::BAD_REQUEST, error.to_string()),
        QueryErrorKind::Cancelled => timed_out(timeout),
        QueryErrorKind::Failed => Failure(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()),
    }
}

/// The answer to a query stopped at its deadline.
fn timed_out(timeout: Duration) -> Failure {
    Failure(StatusCode::SERVICE_UNAVAILABLE, format!("the query ran longer than {} s and was stopped", timeout.as_secs_f64()))
}

impl Service {
    /// A service over `kb` (opened read-only) with `library`'s saved queries.
    pub fn new(kb: KnowledgeBase, library: QueryLibrary, config: ServeConfig) -> Service {
        Service { names: NameIndex::open(kb.path()), kb, library, config, watchdog: Watchdog::start() }
    }

    fn query_failure(&self, error: QueryError) -> Failure {
        query_failure(error, self.config.timeout)
    }

    /// Answers one request.
    pub fn handle(&self, request: &mut Request<Body>) -> Response<Body> {
        match self.route(request) {
            Ok(response) => response,
            Err(Failure(status, message)) => text(status, &message),
        }
    }

    fn route(&self, request: &mut Request<Body>) -> Result<Response<Body>, Failure> {
        let path = request.uri().path().to_string();
        let method = request.method().clone();
        match (method.as_str(), path.as_str()) {
            ("GET" | "HEAD", "/") => Ok(html(StatusCode::OK, INDEX_HTML.to_string())),
            ("GET" | "HEAD", "/entity") => self.entity_page(request),
            ("GET" | "HEAD", "/queries") => Ok(self.query_list()),
            ("GET" | "POST", "/sparql") => self.sparql(request),
            ("GET" | "POST", p) if p.starts_with("/queries/") => self.saved(request, &p["/queries/".len()..]),
            (_, "/update") => Err(Failure(StatusCode::FORBIDDEN, "this endpoint is read-only: updates are refused".into())),
            (_, "/" | "/entity" | "/queries" | "/sparql") => {
                Err(Failure(StatusCode::METHOD_NOT_ALLOWED, format!("{method} is not allowed on {path}; the service is read-only")))
            }
            _ => Err(Failure(StatusCode::NOT_FOUND, format!("no such page: {path}"))),
        }
    }

    /// The parameters of a request: the URL's query string, and a form body for POST.
    fn parameters(&self, request: &mut Request<Body>) -> Result<(Vec<(String, String)>, Option<String>), Failure> {
        let mut parameters = parse_form(request.uri().query().unwrap_or_default());
        let mut sparql_body = None;
        if request.method() == Method::POST {
            let content_type = request
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
                .unwrap_or_default();
            let limit = self.config.max_request_bytes;
            if request.body().len().is_some_and(|n| n > limit) {
                return Err(Failure(StatusCode::PAYLOAD_TOO_LARGE, format!("the request body is larger than {limit} bytes")));
            }
            let mut body = Vec::new();
            request
                .body_mut()
                .take(limit + 1)
                .read_to_end(&mut body)
                .map_err(|e| Failure(StatusCode::BAD_REQUEST, format!("cannot read the request body: {e}")))?;
            if body.len() as u64 > limit {
                return Err(Failure(StatusCode::PAYLOAD_TOO_LARGE, format!("the request body is larger than {limit} bytes")));
            }
            let body = String::from_utf8(body).map_err(|_| Failure(StatusCode::BAD_REQUEST, "the request body is not UTF-8".into()))?;
            match content_type.as_str() {
                "application/x-www-form-urlencoded" => parameters.extend(parse_form(&body)),
                "application/sparql-query" => sparql_body = Some(body),
                other => {
                    return Err(Failure(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        format!("unsupported content type {other:?}: use application/sparql-query or application/x-www-form-urlencoded"),
                    ))
                }
            }
        }
        Ok((parameters, sparql_body))
    }

    fn sparql(&self, request: &mut Request<Body>) -> Result<Response<Body>, Failure> {
        let (parameters, body) = self.parameters(request)?;
        if parameters.iter().any(|(k, _)| k == "update") {
            return Err(Failure(StatusCode::FORBIDDEN, "this endpoint is read-only: updates are refused".into()));
        }
        let queries: Vec<&String> = parameters.iter().filter(|(k, _)| k == "query").map(|(_, v)| v).collect();
        let text = match (body, queries.as_slice()) {
            (Some(body), []) => body,
            (None, [one]) => (*one).clone(),
            (None, []) => return Err(Failure(StatusCode::BAD_REQUEST, "no query: give a `query` parameter".into())),
            _ => return Err(Failure(StatusCode::BAD_REQUEST, "give exactly one query".into())),
        };
        let query = SavedQuery::free(&text).map_err(|e| self.query_failure(e))?;
        self.run(request, &query, &[], &parameters)
    }

    fn saved(&self, request: &mut Request<Body>, name: &str) -> Result<Response<Body>, Failure> {
        let query = self.library.resolve(name)?;
        let (parameters, _) = self.parameters(request)?;
        let given: Vec<(&str, &str)> = parameters.iter().filter(|(k, _)| k != "format").map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let bindings = query.bind(&given, &self.config.base)?;
        self.run(request, &query, &bindings, &parameters)
    }

    fn run(&self, request: &Request<Body>, query: &SavedQuery, bindings: &[(Variable, Term)], parameters: &[(String, String)]) -> Result<Response<Body>, Failure> {
        let accept = parameters
            .iter()
            .find(|(k, _)| k == "format")
            .map(|(_, v)| v.clone())
            .or_else(|| request.headers().get(ACCEPT).and_then(|v| v.to_str().ok()).map(str::to_string))
            .unwrap_or_default();
        let limit = self.config.max_results;
        // A page is cut from the whole result, which is counted as it streams by: the count costs
        // little beside the evaluation, which an ordered result needs in full anyway.
        let (page, variables_bound) = query::split_page(&query.text, bindings);
        if page.limit.is_some_and(|n| n > limit as u64) {
            return Err(Failure(StatusCode::BAD_REQUEST, format!("limit {} is more than the {limit} rows this service answers at once", page.limit.unwrap_or_default())));
        }
        if let Some((listing, page)) = Listing::open(self.kb.path(), query, bindings) {
            return self.kept(&listing, page, &accept);
        }
        let query = query.with_names(self.names.as_ref(), &variables_bound).into_owned();
        let (store, timeout, prefixes) = (self.kb.store().clone(), self.config.timeout, self.config.prefixes.clone());
        let (media, body, total) = self.within_deadline(move |token| {
            let results = query.execute_with(&store, &variables_bound, Some(token)).map_err(|e| query_failure(e, timeout))?;
            let evaluation = |source| query_failure(query.failed(source), timeout);
            let too_many = || Failure(StatusCode::BAD_REQUEST, format!("the result has more than {limit} rows; add a LIMIT or narrow the query"));
            let mut out = Vec::new();
            match results {
                QueryResults::Solutions(solutions) => {
                    let (format, media) = negotiate_results(&accept)?;
                    let variables = solutions.variables().to_vec();
                    let mut rows = Vec::new();
                    let mut total = 0u64;
                    for solution in solutions {
                        let solution = solution.map_err(evaluation)?;
                        if total >= page.offset && page.limit.is_none_or(|n| (rows.len() as u64) < n) {
                            rows.push(solution);
                        }
                        total += 1;
                        if rows.len() > limit {
                            return Err(too_many());
                        }
                    }
                    let mut serializer = QueryResultsSerializer::from_format(format)
                        .serialize_solutions_to_writer(&mut out, variables)
                        .map_err(internal)?;
                    for row in &rows {
                        serializer.serialize(row).map_err(internal)?;
                    }
                    serializer.finish().map_err(internal)?;
                    Ok((media, out, (!page.is_whole()).then_some(total)))
                }
                QueryResults::Boolean(value) => {
                    let (format, media) = negotiate_results(&accept)?;
                    QueryResultsSerializer::from_format(format).serialize_boolean_to_writer(&mut out, value).map_err(internal)?;
                    Ok((media, out, None))
                }
                QueryResults::Graph(triples) => {
                    let (format, media) = negotiate_graph(&accept)?;
                    let mut quads = Vec::new();
                    for triple in triples {
                        quads.push(triple.map_err(evaluation)?.in_graph(GraphName::DefaultGraph));
                        if quads.len() > limit {
                            return Err(too_many());
                        }
                    }
                    serialize::write_sorted(&quads, format, &prefixes, &mut out).map_err(internal)?;
                    Ok((media, out, None))
                }
            }
        })?;
        let mut response = bytes(StatusCode::OK, media, body);
        if let Some(total) = total {
            response.headers_mut().insert(TOTAL_ROWS, total.into());
        }
        Ok(response)
    }

    /// A page of a kept listing (the whole of it without a `limit`), read from its file, with the
    /// whole result's row count.
    fn kept(&self, listing: &Listing, page: query::Page, accept: &str) -> Result<Response<Body>, Failure> {
        let (format, media) = negotiate_results(accept)?;
        let limit = self.config.max_results;
        let rows = listing.rows().saturating_sub(page.offset).min(page.limit.unwrap_or(u64::MAX));
        if rows > limit as u64 {
            return Err(Failure(StatusCode::BAD_REQUEST, format!("the result has more than {limit} rows; add a LIMIT or narrow the query")));
        }
        let solutions = listing.solutions(page).map_err(internal)?;
        let mut out = Vec::new();
        let mut serializer =
            QueryResultsSerializer::from_format(format).serialize_solutions_to_writer(&mut out, solutions.variables().to_vec()).map_err(internal)?;
        for solution in solutions {
            serializer.serialize(&solution.map_err(internal)?).map_err(internal)?;
        }
        serializer.finish().map_err(internal)?;
        let mut response = bytes(StatusCode::OK, media, out);
        if !page.is_whole() {
            response.headers_mut().insert(TOTAL_ROWS, listing.rows().into());
        }
        Ok(response)
    }

    /// A SELECT query's variables and rows, within the timeout.
    fn rows(&self, query: &SavedQuery, bindings: Vec<(Variable, Term)>) -> Result<(Vec<Variable>, Vec<Vec<Option<Term>>>), Failure> {
        let (store, timeout, query) = (self.kb.store().clone(), self.config.timeout, query.clone());
        self.within_deadline(move |token| {
            let QueryResults::Solutions(solutions) = query.execute_with(&store, &bindings, Some(token)).map_err(|e| query_failure(e, timeout))? else {
                return Err(internal(format!("query {:?} is not a SELECT", query.name)));
            };
            let variables = solutions.variables().to_vec();
            let mut rows = Vec::new();
            for solution in solutions {
                let solution = solution.map_err(|source| query_failure(query.failed(source), timeout))?;
                rows.push(variables.iter().map(|v| solution.get(v).cloned()).collect::<Vec<_>>());
            }
            Ok((variables, rows))
        })
    }

    /// Runs `work`, a query's evaluation given its cancellation token, on a thread of its own and
    /// waits for it until the timeout. Oxigraph checks the token as it reads the store, but a sort
    /// or a grouping reads its whole input (errors included) before it yields anything, so a
    /// cancelled query can run on long after its deadline: the request is answered 503 at the
    /// deadline all the same, and the cancelled evaluation ends on its own thread, unseen.
    fn within_deadline<T: Send + 'static>(&self, work: impl FnOnce(CancellationToken) -> Result<T, Failure> + Send + 'static) -> Result<T, Failure> {
        let deadline = Instant::now() + self.config.timeout;
        let (token, guard) = self.watchdog.watch(deadline);
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("factgraph query".into())
            .spawn(move || {
                let _guard = guard;
                let _ = sender.send(work(token));
            })
            .map_err(internal)?;
        match receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(answer) => answer,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(timed_out(self.config.timeout)),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(internal("the query's evaluation stopped without an answer")),
        }
    }

    fn query_list(&self) -> Response<Body> {
        let queries: Vec<serde_json::Value> = self
            .library
            .iter()
            .map(|q| {
                serde_json::json!({
                    "name": q.name,
                    "title": q.title,
                    "description": q.description,
                    "parameters": q.params.iter().map(|p| serde_json::json!({
                        "name": p.name,
                        "type": p.kind.name(),
                        "default": p.default,
                        "description": p.description,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let body = serde_json::json!({ "base": self.config.base.as_str(), "queries": queries });
        bytes(StatusCode::OK, "application/json", serde_json::to_vec_pretty(&body).unwrap_or_default())
    }

    /// Everything known about one entity as an HTML page: a summary first, from the saved query
    /// `entity-summary` (the names, the Wikidata link, counts by kind), then the facts of each kind
    /// in a section of its own, from the saved query `entity`, paged (`section=KIND&offset=N` moves
    /// one section; `limit` sets the rows a section shows, by default the query's `limit` default),
    /// with the most recent roles. The facts are read only for an entity with at most
    /// [`FACTS_ON_FIRST_VIEW`] of them, or when a section is asked for: the entity query sorts all of
    /// them before its first row (92.7 s for the most-mentioned entity of 100,000 articles), the
    /// summary reads one range of the store a kind.
    fn entity_page(&self, request: &mut Request<Body>) -> Result<Response<Body>, Failure> {
        let parameters = parse_form(request.uri().query().unwrap_or_default());
        let given = |name: &str| parameters.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let iri = given("iri").ok_or_else(|| Failure(StatusCode::BAD_REQUEST, "give the entity as ?iri=…".into()))?;
        let query = self.library.resolve("entity")?;
        let count = |name: &str, default: u64| -> Result<u64, Failure> {
            match given(name) {
                Some(v) => v.trim().parse().map_err(|_| Failure(StatusCode::BAD_REQUEST, format!("{name}: {v:?} is not a number of rows (0 or more)"))),
                None => Ok(default),
            }
        };
        let default_limit = query.params.iter().find(|p| p.name == "limit").and_then(|p| p.default.as_deref()?.parse().ok()).unwrap_or(100);
        let page_size = count("limit", default_limit)?.clamp(1, self.config.max_results as u64);
        let (section, offset) = (given("section").unwrap_or_default(), count("offset", 0)?);
        let entity = format!("<{iri}>");
        let summary_query = self.library.resolve("entity-summary")?;
        let (summary_variables, summary) = self.rows(&summary_query, summary_query.bind(&[("entity", &entity)], &self.config.base)?)?;
        let summary_text = |row: &[Option<Term>], name: &str| {
            summary_variables.iter().position(|v| v.as_str() == name).and_then(|i| row[i].as_ref()).map(term_text).unwrap_or_default()
        };
        // Counts by kind, in the query's order (its rows come ordered by kind).
        let mut counts: Vec<(String, u64)> = Vec::new();
        let (mut names, mut wikidata) = (Vec::new(), Vec::new());
        for row in &summary {
            let (kind, facts) = (summary_text(row, "kind"), summary_text(row, "facts").parse::<u64>().unwrap_or(0));
            match counts.last_mut() {
                Some((last, total)) if *last == kind => *total += facts,
                _ => counts.push((kind, facts)),
            }
            match summary_text(row, "property").as_str() {
                "name" => names.push(summary_text(row, "value")),
                "Wikidata item" if !wikidata.contains(&summary_text(row, "value")) => wikidata.push(summary_text(row, "value")),
                _ => {}
            }
        }
        let facts: u64 = counts.iter().map(|(_, n)| n).sum();
        let (variables, rows) = if facts <= FACTS_ON_FIRST_VIEW || !section.is_empty() {
            self.rows(&query, query.bind(&[("entity", &entity)], &self.config.base)?)?
        } else {
            (Vec::new(), Vec::new())
        };
        let column = |name: &str| variables.iter().position(|v| v.as_str() == name);
        let value_text = |row: &[Option<Term>], name: &str| column(name).and_then(|i| row[i].as_ref()).map(term_text).unwrap_or_default();
        // The facts of each kind read, in the summary's order.
        let kinds: Vec<(String, u64, Vec<&Vec<Option<Term>>>)> = counts
            .iter()
            .map(|(kind, n)| (kind.clone(), *n, rows.iter().filter(|row| value_text(row, "kind") == *kind).collect()))
            .collect();
        let title = names.first().cloned().unwrap_or_else(|| iri.clone());
        let fact_row = |row: &[Option<Term>]| {
            let value = match column("valueNode").and_then(|i| row[i].as_ref()) {
                Some(Term::NamedNode(n)) if n.as_str().starts_with(self.config.base.as_str()) => format!(
                    "<a class=\"entity\" href=\"/entity?iri={}\">{}</a>",
                    percent_encode(n.as_str()),
                    escape(&value_text(row, "value"))
                ),
                _ => escape(&value_text(row, "value")),
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{value}</td><td>{}</td><td class=\"evidence\">{}</td></tr>",
                escape(&value_text(row, "kind")),
                escape(&value_text(row, "property")),
                escape(&value_text(row, "when")),
                escape(&value_text(row, "evidence")),
            )
        };
        const FACTS_HEAD: &str = "<thead><tr><th>kind</th><th>property</th><th>value</th><th>when</th><th>from the article</th></tr></thead>";

        let mut page = String::new();
        page.push_str(&format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{}</style></head><body>",
            escape(&title),
            PAGE_STYLE
        ));
        page.push_str("<p><a href=\"/\">← saved queries</a></p>");
        page.push_str(&format!("<h1 id=\"entity-name\">{}</h1><p class=\"iri\">{}</p>", escape(&title), escape(&iri)));
        for qid in &wikidata {
            page.push_str(&format!(
                "<p class=\"wikidata\">Wikidata: <a href=\"{0}\">{1}</a></p>",
                escape(&iri::wikidata_page(qid)),
                escape(qid)
            ));
        }
        if counts.is_empty() {
            page.push_str("<p>The knowledge base holds nothing about this IRI.</p>");
        } else {
            page.push_str("<h2>Summary</h2><table id=\"summary\"><thead><tr><th>kind</th><th>facts</th></tr></thead><tbody>");
            for (kind, n) in &counts {
                page.push_str(&format!("<tr><td><a href=\"#{}\">{}</a></td><td>{n}</td></tr>", section_id(kind), escape(kind)));
            }
            page.push_str("</tbody></table>");
            // The most recent roles: those with the latest dates (the when column starts with the
            // date or period), undated ones last.
            if let Some((_, _, roles)) = kinds.iter().find(|(kind, _, roles)| kind == "role" && !roles.is_empty()) {
                let mut recent: Vec<&&Vec<Option<Term>>> = roles.iter().collect();
                recent.sort_by_key(|row| std::cmp::Reverse(value_text(row, "when")));
                page.push_str(&format!("<h3>Most recent roles</h3><table id=\"recent-roles\">{FACTS_HEAD}<tbody>"));
                for row in recent.into_iter().take(5) {
                    page.push_str(&fact_row(row));
                }
                page.push_str("</tbody></table>");
            }
        }
        let link = |kind: &str, offset: u64| {
            format!("/entity?iri={}&amp;section={}&amp;offset={offset}&amp;limit={page_size}#{}", percent_encode(&iri), percent_encode(kind), section_id(kind))
        };
        for (i, (kind, total, members)) in kinds.iter().enumerate() {
            if members.is_empty() {
                // Not read: a link reads it.
                page.push_str(&format!("<section id=\"{}\"><h2>{}</h2>", section_id(kind), escape(kind)));
                page.push_str(&format!("<p class=\"rows\">{total} facts <a class=\"show\" href=\"{}\">show</a></p></section>", link(kind, 0)));
                continue;
            }
            let total = members.len() as u64;
            let start = if *kind == section { offset.min(total.saturating_sub(1)) } else { 0 };
            let end = (start + page_size).min(total);
            page.push_str(&format!("<section id=\"{}\"><h2>{}</h2>", section_id(kind), escape(kind)));
            page.push_str(&format!("<p class=\"rows\">rows {}–{end} of {total}", start + 1));
            if start > 0 {
                page.push_str(&format!(" <a class=\"previous\" href=\"{}\">previous</a>", link(kind, start.saturating_sub(page_size))));
            }
            if end < total {
                page.push_str(&format!(" <a class=\"next\" href=\"{}\">next</a>", link(kind, end)));
            }
            page.push_str("</p>");
            // The first section's table keeps the id the facts table always had.
            let id = if i == 0 { " id=\"facts\"" } else { "" };
            page.push_str(&format!("<table{id} class=\"facts\">{FACTS_HEAD}<tbody>"));
            for row in &members[start as usize..end as usize] {
                page.push_str(&fact_row(row));
            }
            page.push_str("</tbody></table></section>");
        }
        page.push_str("</body></html>");
        Ok(html(StatusCode::OK, page))
    }
}

/// The most facts an entity may have for its page to show them without a section asked for.
pub const FACTS_ON_FIRST_VIEW: u64 = 2_000;

/// The HTML id of an entity page's section for a kind of fact: `kind-` and the kind's letters.
fn section_id(kind: &str) -> String {
    let words: Vec<String> = kind.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    format!("kind-{}", words.join("-"))
}

const PAGE_STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f4f4f4}.evidence{color:#555;font-style:italic}.iri{color:#777;font-family:monospace}";

fn term_text(term: &Term) -> String {
    match term {
        Term::Literal(l) => l.value().to_string(),
        Term::NamedNode(n) => n.as_str().to_string(),
        other => other.to_string(),
    }
}

fn internal(error: impl std::fmt::Display) -> Failure {
    Failure(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
}

/// The SPARQL results format asked for: a `format` value or an Accept header (JSON by default).
fn negotiate_results(accept: &str) -> Result<(QueryResultsFormat, &'static str), Failure> {
    for (media, _) in accept_list(accept) {
        let found = match media.as_str() {
            "application/sparql-results+json" | "application/json" | "json" | "*/*" | "application/*" => Some(QueryResultsFormat::Json),
            "application/sparql-results+xml" | "application/xml" | "xml" => Some(QueryResultsFormat::Xml),
            "text/csv" | "csv" => Some(QueryResultsFormat::Csv),
            "text/tab-separated-values" | "tsv" => Some(QueryResultsFormat::Tsv),
            _ => None,
        };
        if let Some(format) = found {
            return Ok((format, format.media_type()));
        }
    }
    if accept.trim().is_empty() || accept_list(accept).iter().any(|(m, _)| m == "text/html" || m.starts_with("text/*")) {
        return Ok((QueryResultsFormat::Json, QueryResultsFormat::Json.media_type()));
    }
    Err(Failure(
        StatusCode::NOT_ACCEPTABLE,
        format!("cannot answer {accept:?}: results come as application/sparql-results+json, application/sparql-results+xml, text/csv or text/tab-separated-values"),
    ))
}

/// The RDF format asked for a CONSTRUCT or DESCRIBE result (Turtle by default).
fn negotiate_graph(accept: &str) -> Result<(Format, &'static str), Failure> {
    for (media, _) in accept_list(accept) {
        let found = match media.as_str() {
            "text/turtle" | "turtle" | "*/*" | "text/*" => Some((Format::Turtle, "text/turtle; charset=utf-8")),
            "application/n-triples" | "ntriples" => Some((Format::NTriples, "application/n-triples")),
            "application/ld+json" | "jsonld" => Some((Format::JsonLd, "application/ld+json")),
            "application/rdf+xml" | "rdfxml" => Some((Format::RdfXml, "application/rdf+xml")),
            _ => None,
        };
        if let Some(found) = found {
            return Ok(found);
        }
    }
    if accept.trim().is_empty() {
        return Ok((Format::Turtle, "text/turtle; charset=utf-8"));
    }
    Err(Failure(
        StatusCode::NOT_ACCEPTABLE,
        format!("cannot answer {accept:?}: graphs come as text/turtle, application/n-triples, application/ld+json or application/rdf+xml"),
    ))
}

/// Media types of an Accept header, highest quality first (stable for equal qualities).
fn accept_list(accept: &str) -> Vec<(String, f32)> {
    let mut list: Vec<(String, f32)> = accept
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let media = pieces.next()?.trim().to_ascii_lowercase();
            if media.is_empty() {
                return None;
            }
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .next()
                .unwrap_or(1.0);
            Some((media, q))
        })
        .collect();
    list.sort_by(|a, b| b.1.total_cmp(&a.1));
    list
}

/// Decodes `application/x-www-form-urlencoded` pairs (also URL query strings).
pub fn parse_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Decodes `%XX` sequences (any other `%` stays as it is) after `+` to space, as forms mean it.
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn bytes(status: StatusCode, media: &str, body: Vec<u8>) -> Response<Body> {
    Response::builder().status(status).header(CONTENT_TYPE, media).body(Body::from(body)).expect("a valid response")
}

fn html(status: StatusCode, page: String) -> Response<Body> {
    bytes(status, "text/html; charset=utf-8", page.into_bytes())
}

fn text(status: StatusCode, message: &str) -> Response<Body> {
    bytes(status, "text/plain; charset=utf-8", format!("{message}\n").into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_accept_headers() {
        assert_eq!(parse_form("a=1+2&b=%3C%7D&c"), vec![("a".into(), "1 2".into()), ("b".into(), "<}".into()), ("c".into(), String::new())]);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(negotiate_results("text/csv;q=0.5, application/sparql-results+xml").unwrap().0, QueryResultsFormat::Xml);
        assert!(negotiate_results("image/png").is_err());
        assert_eq!(escape("<a href=\"x\">"), "&lt;a href=&quot;x&quot;&gt;");
    }

    #[test]
    fn errors_become_statuses_without_command_line_flags() {
        let library = QueryLibrary::bundled().unwrap();
        let base = crate::rdf::iri::Base::default();
        let roles = library.resolve("roles-as-of").unwrap();
        let needy = SavedQuery::parse("needy", "needy.rq", "# title: T\n# description: D.\n# param: who iri | Someone.\nSELECT ?who WHERE {}").unwrap();
        let cases = [
            (Failure::from(library.resolve("roles-as-off").unwrap_err()), StatusCode::NOT_FOUND, "did you mean \"roles-as-of\"?); GET /queries lists"),
            (Failure::from(library.resolve("../x.rq").unwrap_err()), StatusCode::NOT_FOUND, "is not a saved query name"),
            (Failure::from(needy.bind(&[], &base).unwrap_err()), StatusCode::BAD_REQUEST, "needs a value for its parameter who (Someone.)"),
            (Failure::from(roles.bind(&[("asOf", "soon")], &base).unwrap_err()), StatusCode::BAD_REQUEST, "is not a date"),
            (Failure::from(roles.bind(&[("when", "2021")], &base).unwrap_err()), StatusCode::BAD_REQUEST, "has no parameter \"when\""),
            (query_failure(SavedQuery::free("SELECT").unwrap_err(), Duration::from_secs(1)), StatusCode::BAD_REQUEST, "query: "),
            (
                query_failure(roles.failed(oxigraph::sparql::QueryEvaluationError::Cancelled), Duration::from_millis(1500)),
                StatusCode::SERVICE_UNAVAILABLE,
                "the query ran longer than 1.5 s and was stopped",
            ),
            (
                query_failure(roles.failed(oxigraph::sparql::QueryEvaluationError::UnboundService), Duration::from_secs(1)),
                StatusCode::INTERNAL_SERVER_ERROR,
                "query \"roles-as-of\" failed",
            ),
        ];
        for (Failure(status, message), expected, text) in cases {
            assert_eq!(status, expected, "{message}");
            assert!(message.contains(text), "{message}");
            assert!(!message.contains("--") && !message.contains("factgraph "), "{message}");
        }
    }
}
