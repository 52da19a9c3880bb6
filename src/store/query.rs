//! Saved SPARQL queries: files in `queries/` with a header comment that gives a title, a description
//! and typed parameters, which are bound with Oxigraph's variable substitution (never spliced into
//! the query text).
//!
//! A saved query starts like this:
//!
//! ```sparql
//! # title: Roles held as of a date
//! # description: People and the positions the articles say they held on a given day.
//! # param: asOf date = 2021-10-21 | The day to ask about (YYYY, YYYY-MM or YYYY-MM-DD).
//! PREFIX fg: <https://ns.factgraph.example/ontology#>
//! SELECT ?person ?role ?asOf WHERE { … }
//! ```
//!
//! Parameter types: `iri` (an `<IRI>`, a prefixed name using the query's PREFIXes, an absolute IRI,
//! or a path relative to the knowledge base's base IRI such as `entity/Q7184`), `string`, `integer`,
//! `decimal` and `date`. A declared parameter must be a variable the query selects.

use crate::facts::date::DateValue;
use crate::rdf::iri::Base;
use oxigraph::model::vocab::xsd;
use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator, Variable};
use oxigraph::store::Store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Errors of the query layer: each names the query and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// No saved query by that name.
    #[error("no saved query named {name:?}{hint}; `factgraph queries` lists them")]
    Unknown {
        /// The name asked for.
        name: String,
        /// A "did you mean" hint, or empty.
        hint: String,
    },
    /// A name with characters a saved query's name cannot have (such as `../`).
    #[error("{0:?} is not a saved query name (names use a-z, 0-9, '-' and '_'); to run a file, give its path ending in .rq")]
    BadName(String),
    /// A query file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A header line that does not parse.
    #[error("{origin}:{line}: {message}")]
    Header {
        /// The query file.
        origin: String,
        /// Line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The SPARQL does not parse.
    #[error("{origin}: {source}")]
    Syntax {
        /// The query file.
        origin: String,
        /// The parser's error.
        source: oxigraph::sparql::SparqlSyntaxError,
    },
    /// A `--param` value names no declared parameter.
    #[error("query {query:?} has no parameter {name:?}; its parameters: {declared}")]
    UnknownParam {
        /// The query.
        query: String,
        /// The parameter given.
        name: String,
        /// The declared ones.
        declared: String,
    },
    /// A required parameter was not given.
    #[error("query {query:?} needs --param {name}=VALUE ({description})")]
    MissingParam {
        /// The query.
        query: String,
        /// The parameter.
        name: String,
        /// Its description.
        description: String,
    },
    /// A parameter value that is not of the declared type.
    #[error("parameter {name}: {value:?} is not {expected}")]
    BadParam {
        /// The parameter.
        name: String,
        /// The value given.
        value: String,
        /// What was expected.
        expected: String,
    },
    /// A `--param` argument without `=`.
    #[error("--param expects NAME=VALUE, got {0:?}")]
    ParamSyntax(String),
    /// Evaluation failed.
    #[error("query {query:?} failed: {source}")]
    Evaluation {
        /// The query.
        query: String,
        /// Oxigraph's error.
        source: oxigraph::sparql::QueryEvaluationError,
    },
    /// Oxigraph's plan of a query could not be read (`--explain`).
    #[error("the plan of query {0:?} is not in the shape Oxigraph 0.5 writes")]
    Plan(String),
}

/// The type of a query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// An IRI.
    Iri,
    /// A plain string literal.
    String,
    /// An xsd:integer.
    Integer,
    /// An xsd:decimal.
    Decimal,
    /// A date: xsd:gYear, xsd:gYearMonth or xsd:date by its precision.
    Date,
}

impl ParamKind {
    fn parse(text: &str) -> Option<ParamKind> {
        Some(match text {
            "iri" => ParamKind::Iri,
            "string" => ParamKind::String,
            "integer" => ParamKind::Integer,
            "decimal" => ParamKind::Decimal,
            "date" => ParamKind::Date,
            _ => return None,
        })
    }

    /// The name used in headers.
    pub fn name(self) -> &'static str {
        match self {
            ParamKind::Iri => "iri",
            ParamKind::String => "string",
            ParamKind::Integer => "integer",
            ParamKind::Decimal => "decimal",
            ParamKind::Date => "date",
        }
    }
}

/// A declared parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The variable name, without `?`.
    pub name: String,
    /// Its type.
    pub kind: ParamKind,
    /// The value used when none is given; without one the parameter is required.
    pub default: Option<String>,
    /// What it is for.
    pub description: String,
}

/// A saved query.
#[derive(Debug, Clone)]
pub struct SavedQuery {
    /// Its name: the file name without `.rq`.
    pub name: String,
    /// Where it came from (a path, or `bundled:NAME`).
    pub origin: String,
    /// One-line title.
    pub title: String,
    /// What it answers.
    pub description: String,
    /// Its parameters.
    pub params: Vec<Param>,
    /// The SPARQL text (header included: it is a comment).
    pub text: String,
}

impl SavedQuery {
    /// Parses a saved query's header and checks its SPARQL.
    pub fn parse(name: &str, origin: &str, text: &str) -> Result<SavedQuery, QueryError> {
        let mut title = String::new();
        let mut description = String::new();
        let mut params = Vec::new();
        let header_error = |line: usize, message: String| QueryError::Header { origin: origin.to_string(), line, message };
        let mut in_description = false;
        for (i, line) in text.lines().enumerate() {
            let Some(comment) = line.trim_start().strip_prefix('#') else {
                if line.trim().is_empty() {
                    continue;
                }
                break;
            };
            let comment = comment.trim();
            if let Some(value) = comment.strip_prefix("title:") {
                title = value.trim().to_string();
                in_description = false;
            } else if let Some(value) = comment.strip_prefix("description:") {
                description = value.trim().to_string();
                in_description = true;
            } else if let Some(value) = comment.strip_prefix("param:") {
                params.push(parse_param(value).map_err(|m| header_error(i + 1, m))?);
                in_description = false;
            } else if in_description && !comment.is_empty() {
                description.push(' ');
                description.push_str(comment);
            } else {
                in_description = false;
            }
        }
        if title.is_empty() {
            return Err(header_error(1, "the header has no `# title:` line".into()));
        }
        if description.is_empty() {
            return Err(header_error(1, "the header has no `# description:` line".into()));
        }
        let _checked = SparqlEvaluator::new()
            .parse_query(text)
            .map_err(|source| QueryError::Syntax { origin: origin.to_string(), source })?;
        Ok(SavedQuery { name: name.to_string(), origin: origin.to_string(), title, description, params, text: text.to_string() })
    }

    /// Parses `--param name=value` arguments against the declared parameters, filling in defaults.
    pub fn bind(&self, args: &[String], base: &Base) -> Result<Vec<(Variable, Term)>, QueryError> {
        let mut given: BTreeMap<&str, &str> = BTreeMap::new();
        for arg in args {
            let (name, value) = arg.split_once('=').ok_or_else(|| QueryError::ParamSyntax(arg.clone()))?;
            let name = name.trim().trim_start_matches('?');
            if !self.params.iter().any(|p| p.name == name) {
                let declared = if self.params.is_empty() {
                    "none".to_string()
                } else {
                    self.params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
                };
                return Err(QueryError::UnknownParam { query: self.name.clone(), name: name.to_string(), declared });
            }
            given.insert(name, value);
        }
        let prefixes = declared_prefixes(&self.text);
        let mut bindings = Vec::new();
        for param in &self.params {
            let value = match (given.get(param.name.as_str()), &param.default) {
                (Some(value), _) => *value,
                (None, Some(default)) => default.as_str(),
                (None, None) => {
                    return Err(QueryError::MissingParam {
                        query: self.name.clone(),
                        name: param.name.clone(),
                        description: param.description.clone(),
                    })
                }
            };
            let term = parse_value(param, value, &prefixes, base)?;
            bindings.push((Variable::new_unchecked(param.name.clone()), term));
        }
        Ok(bindings)
    }

    /// A query that is not saved (free SPARQL text): no header, no parameters.
    pub fn free(text: &str) -> Result<SavedQuery, QueryError> {
        let _checked = SparqlEvaluator::new()
            .parse_query(text)
            .map_err(|source| QueryError::Syntax { origin: "query".into(), source })?;
        Ok(SavedQuery {
            name: "query".into(),
            origin: "query".into(),
            title: String::new(),
            description: String::new(),
            params: Vec::new(),
            text: text.to_string(),
        })
    }

    /// Runs the query to the end, counting its results, and returns Oxigraph's plan with the rows
    /// and time of each step (`factgraph query --explain`).
    pub fn explain(&self, store: &Store, bindings: &[(Variable, Term)]) -> Result<Explained, QueryError> {
        let evaluation = |source| QueryError::Evaluation { query: self.name.clone(), source };
        let started = std::time::Instant::now();
        let (results, explanation) = self.prepare(None, bindings)?.on_store(store).compute_statistics().explain();
        let mut rows = 0;
        match results.map_err(evaluation)? {
            QueryResults::Solutions(solutions) => {
                for solution in solutions {
                    solution.map_err(evaluation)?;
                    rows += 1;
                }
            }
            QueryResults::Graph(triples) => {
                for triple in triples {
                    triple.map_err(evaluation)?;
                    rows += 1;
                }
            }
            QueryResults::Boolean(_) => rows = 1,
        }
        let elapsed = started.elapsed();
        // Oxigraph's JSON is the documented form of the plan (its Debug form is not meant to be read).
        let mut json = Vec::new();
        let plan = explanation
            .write_in_json(&mut json)
            .ok()
            .and_then(|()| serde_json::from_slice::<serde_json::Value>(&json).ok())
            .and_then(|value| PlanNode::from_json(value.get("plan")?))
            .ok_or_else(|| QueryError::Plan(self.name.clone()))?;
        Ok(Explained { rows, elapsed, plan })
    }

    /// Runs the query on `store` with the union of all graphs as the default graph.
    pub fn execute<'a>(&self, store: &'a Store, bindings: &[(Variable, Term)]) -> Result<QueryResults<'a>, QueryError> {
        self.execute_with(store, bindings, None)
    }

    /// Runs the query, stopping when `cancellation` is cancelled.
    pub fn execute_with<'a>(
        &self,
        store: &'a Store,
        bindings: &[(Variable, Term)],
        cancellation: Option<oxigraph::sparql::CancellationToken>,
    ) -> Result<QueryResults<'a>, QueryError> {
        self.prepare(cancellation, bindings)?
            .on_store(store)
            .execute()
            .map_err(|source| QueryError::Evaluation { query: self.name.clone(), source })
    }

    /// The query parsed, its default graph the union of all graphs, its parameters bound.
    fn prepare(
        &self,
        cancellation: Option<oxigraph::sparql::CancellationToken>,
        bindings: &[(Variable, Term)],
    ) -> Result<oxigraph::sparql::PreparedSparqlQuery, QueryError> {
        let mut evaluator = SparqlEvaluator::new();
        if let Some(token) = cancellation {
            evaluator = evaluator.with_cancellation_token(token);
        }
        let mut prepared = evaluator
            .parse_query(&self.text)
            .map_err(|source| QueryError::Syntax { origin: self.origin.clone(), source })?;
        prepared.dataset_mut().set_default_graph_as_union();
        for (variable, term) in bindings {
            prepared = prepared.substitute_variable(variable.clone(), term.clone());
        }
        Ok(prepared)
    }
}

/// A query run to the end with statistics: see [`SavedQuery::explain`].
#[derive(Debug, Clone)]
pub struct Explained {
    /// Solutions (or triples, for CONSTRUCT and DESCRIBE; 1 for ASK).
    pub rows: u64,
    /// From planning to the last result.
    pub elapsed: std::time::Duration,
    /// Oxigraph's plan, the root first.
    pub plan: PlanNode,
}

/// One step of Oxigraph's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanNode {
    /// What the step does, as Oxigraph names it (`QuadPattern(?s <p> ?o)`, `ForLoopLeftJoin`, …).
    pub name: String,
    /// Rows the step gave.
    pub rows: Option<u64>,
    /// Seconds spent in the step, its children included.
    pub seconds: Option<f64>,
    /// The steps it reads from.
    pub children: Vec<PlanNode>,
}

impl PlanNode {
    fn from_json(value: &serde_json::Value) -> Option<PlanNode> {
        let number = |key: &str| value.get(key).and_then(|v| v.as_f64().or_else(|| v.as_str()?.parse().ok()));
        Some(PlanNode {
            name: value.get("name")?.as_str()?.to_string(),
            rows: number("number of results").map(|n| n as u64),
            seconds: number("duration in seconds"),
            children: value.get("children")?.as_array()?.iter().map(PlanNode::from_json).collect::<Option<_>>()?,
        })
    }
}

fn parse_param(text: &str) -> Result<Param, String> {
    let (signature, description) = match text.split_once('|') {
        Some((s, d)) => (s.trim(), d.trim().to_string()),
        None => (text.trim(), String::new()),
    };
    let (signature, default) = match signature.split_once('=') {
        Some((s, d)) => (s.trim(), Some(d.trim().to_string())),
        None => (signature, None),
    };
    let mut words = signature.split_whitespace();
    let name = words.next().ok_or("a `# param:` line needs a name and a type")?.trim_start_matches('?');
    let kind_text = words.next().ok_or_else(|| format!("parameter {name} needs a type (iri, string, integer, decimal or date)"))?;
    let kind = ParamKind::parse(kind_text)
        .ok_or_else(|| format!("parameter {name} has unknown type {kind_text:?}; expected iri, string, integer, decimal or date"))?;
    if Variable::new(name).is_err() {
        return Err(format!("parameter name {name:?} is not a SPARQL variable name"));
    }
    Ok(Param { name: name.to_string(), kind, default, description })
}

/// The `PREFIX p: <iri>` declarations of a query.
fn declared_prefixes(text: &str) -> BTreeMap<String, String> {
    let mut prefixes = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("PREFIX").or_else(|| line.strip_prefix("prefix")) else { continue };
        let Some((prefix, iri)) = rest.split_once(':') else { continue };
        let iri = iri.trim();
        if let Some(iri) = iri.strip_prefix('<').and_then(|i| i.split_once('>')).map(|(i, _)| i) {
            prefixes.insert(prefix.trim().to_string(), iri.to_string());
        }
    }
    prefixes
}

/// Parses one parameter value as its declared type.
pub fn parse_value(param: &Param, value: &str, prefixes: &BTreeMap<String, String>, base: &Base) -> Result<Term, QueryError> {
    let bad = |expected: &str| QueryError::BadParam { name: param.name.clone(), value: value.to_string(), expected: expected.to_string() };
    Ok(match param.kind {
        ParamKind::String => Literal::new_simple_literal(value).into(),
        ParamKind::Integer => {
            let n: i64 = value.trim().parse().map_err(|_| bad("an integer"))?;
            Literal::new_typed_literal(n.to_string(), xsd::INTEGER).into()
        }
        ParamKind::Decimal => {
            let n: f64 = value.trim().parse().map_err(|_| bad("a decimal number"))?;
            if !n.is_finite() {
                return Err(bad("a finite decimal number"));
            }
            Literal::new_typed_literal(format!("{n}"), xsd::DECIMAL).into()
        }
        ParamKind::Date => {
            let date = DateValue::parse(value.trim()).map_err(|e| bad(&format!("a date as YYYY, YYYY-MM or YYYY-MM-DD ({e})")))?;
            let datatype = match date.xsd_type() {
                "gYear" => xsd::G_YEAR,
                "gYearMonth" => xsd::G_YEAR_MONTH,
                _ => xsd::DATE,
            };
            Literal::new_typed_literal(date.to_string(), datatype).into()
        }
        ParamKind::Iri => resolve_iri(value.trim(), prefixes, base)
            .ok_or_else(|| bad("an IRI (<http://…>, a prefixed name such as wd:Q7184, or a path under the base such as entity/Q7184)"))?
            .into(),
    })
}

fn resolve_iri(value: &str, prefixes: &BTreeMap<String, String>, base: &Base) -> Option<NamedNode> {
    if let Some(inner) = value.strip_prefix('<') {
        let inner = inner.strip_suffix('>')?;
        return resolve_iri(inner, &BTreeMap::new(), base).filter(|_| !inner.contains(['<', '>']));
    }
    if let Some((prefix, local)) = value.split_once(':') {
        if let Some(namespace) = prefixes.get(prefix) {
            return NamedNode::new(format!("{namespace}{local}")).ok();
        }
        if iri_string::types::IriStr::new(value).is_ok() {
            return NamedNode::new(value).ok();
        }
        return None;
    }
    let relative = iri_string::types::IriRelativeStr::new(value).ok()?;
    let base_iri = iri_string::types::IriAbsoluteStr::new(base.as_str()).ok()?;
    let resolved = iri_string::format::ToDedicatedString::to_dedicated_string(&relative.resolve_against(base_iri));
    NamedNode::new(resolved.as_str()).ok()
}

/// Where saved queries come from.
#[derive(Debug, Clone)]
pub struct QueryLibrary {
    queries: BTreeMap<String, SavedQuery>,
}

/// The queries compiled into the binary from `queries/`.
pub const BUNDLED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/bundled_queries.rs"));

impl QueryLibrary {
    /// The bundled queries.
    pub fn bundled() -> Result<QueryLibrary, QueryError> {
        let mut queries = BTreeMap::new();
        for (name, text) in BUNDLED {
            queries.insert(name.to_string(), SavedQuery::parse(name, &format!("bundled:{name}"), text)?);
        }
        Ok(QueryLibrary { queries })
    }

    /// Every `*.rq` file of a folder.
    pub fn from_dir(dir: &Path) -> Result<QueryLibrary, QueryError> {
        let io = |source| QueryError::Io { path: dir.display().to_string(), source };
        let mut queries = BTreeMap::new();
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir).map_err(io)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if path.extension().and_then(|e| e.to_str()) != Some("rq") {
                continue;
            }
            let query = read_query_file(&path)?;
            queries.insert(query.name.clone(), query);
        }
        Ok(QueryLibrary { queries })
    }

    /// The queries in name order.
    pub fn iter(&self) -> impl Iterator<Item = &SavedQuery> {
        self.queries.values()
    }

    /// Number of queries.
    pub fn len(&self) -> usize {
        self.queries.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.queries.is_empty()
    }

    /// A query by name, or by path when `name_or_path` ends in `.rq`. Names cannot leave the library.
    pub fn resolve(&self, name_or_path: &str) -> Result<SavedQuery, QueryError> {
        if name_or_path.ends_with(".rq") && Path::new(name_or_path).is_file() {
            return read_query_file(Path::new(name_or_path));
        }
        if name_or_path.is_empty()
            || !name_or_path.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err(QueryError::BadName(name_or_path.to_string()));
        }
        self.queries.get(name_or_path).cloned().ok_or_else(|| {
            let hint = match crate::text::closest(name_or_path, self.queries.keys().map(String::as_str)) {
                Some(near) => format!(" (did you mean {near:?}?)"),
                None => String::new(),
            };
            QueryError::Unknown { name: name_or_path.to_string(), hint }
        })
    }
}

fn read_query_file(path: &Path) -> Result<SavedQuery, QueryError> {
    let text = std::fs::read_to_string(path).map_err(|source| QueryError::Io { path: path.display().to_string(), source })?;
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    SavedQuery::parse(name, &path.display().to_string(), &text)
}
