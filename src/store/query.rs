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
//!
//! A query run as given (a file, a string: [`SavedQuery::ad_hoc`]) needs no header; when it has
//! one, it is checked the same way. Its variables can be bound without a declaration, given a type:
//! `name:type` (see [`SavedQuery::bind`]).
//!
//! The page: parameters named `limit` and `offset` (declared as `integer`) are not variables. Their
//! values, parsed as non-negative integers, are written after the query as its `LIMIT` and
//! `OFFSET` (see [`page_text`]), so nothing but digits reaches the text. They apply only when a value
//! is given: their defaults are the page that views for people use (the page, the entity page), and
//! a result asked for without them is whole.
//!
//! A query whose order a sub-select can give marks that sub-select's end with a comment line,
//! `# page`: the `LIMIT` and `OFFSET` are written there instead, so that the sub-select chooses the
//! page's rows before the rest of the query reads their columns. The outer query must then give
//! one row per row of the sub-select, in its order, for a page to be a slice of the whole result.
//!
//! ```sparql
//! # param: limit integer = 100 | Rows per page.
//! # param: offset integer = 0 | Rows skipped before the page.
//! ```
//!
//! A query whose result comes in sections, each section's rows sorting before the next's, may mark
//! the UNION that makes them: a line `# sections: …` before its first `{` and a line
//! `# end sections` after its last `}`, the branches parted by `} UNION {` lines indented as that
//! `{`. A page (a `limit`) is then read section by section, each section run on its own and only
//! until the page is full (`entity`: its first page reads the entity's names, not its every fact).

use crate::facts::date::DateValue;
use crate::rdf::iri::Base;
use oxigraph::model::vocab::xsd;
use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator, Variable};
use oxigraph::store::Store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A request the library cannot serve as asked: a query it does not have, or parameter values that
/// do not fit the query. The caller's mistake, not a failure (see [`BindError::kind`]).
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    /// No saved query by that name.
    #[error("no saved query named {name:?}{}", near.as_ref().map(|n| format!(" (did you mean {n:?}?)")).unwrap_or_default())]
    Unknown {
        /// The name asked for.
        name: String,
        /// The closest saved query's name, if one is close.
        near: Option<String>,
    },
    /// A name with characters a saved query's name cannot have (such as `../`).
    #[error("{0:?} is not a saved query name (names use a-z, 0-9, '-' and '_')")]
    BadName(String),
    /// A value for a parameter the query does not declare.
    #[error("query {query:?} has no parameter {name:?}; its parameters: {}", if declared.is_empty() { "none".to_string() } else { declared.join(", ") })]
    UnknownParam {
        /// The query.
        query: String,
        /// The parameter given.
        name: String,
        /// The declared ones, in declaration order.
        declared: Vec<String>,
    },
    /// A parameter without a default was given no value.
    #[error("query {query:?} needs a value for its parameter {name} ({description})")]
    MissingParam {
        /// The query.
        query: String,
        /// The parameter.
        name: String,
        /// Its description.
        description: String,
    },
    /// A variable bound in a query run as given that it does not select (only those can be bound).
    #[error("query {query:?} does not select a variable ?{name}, so it cannot be bound")]
    NoVariable {
        /// The query.
        query: String,
        /// The name given.
        name: String,
    },
    /// A variable bound in a query run as given, which does not declare it, without a type.
    #[error("query {query:?} does not declare parameter {name}, and no type was given for it")]
    Untyped {
        /// The query.
        query: String,
        /// The parameter.
        name: String,
    },
    /// A type name that is not one of the parameter types.
    #[error("parameter {name}: unknown type {given:?}; the types are iri, string, integer, decimal and date")]
    UnknownType {
        /// The parameter.
        name: String,
        /// The type given.
        given: String,
    },
    /// A type given for a declared parameter that is not its declared type.
    #[error("parameter {name} is declared as {declared}, not {given}")]
    WrongType {
        /// The parameter.
        name: String,
        /// Its declared type.
        declared: &'static str,
        /// The type given.
        given: &'static str,
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
}

/// What kind of mistake a [`BindError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindErrorKind {
    /// The query asked for does not exist (or its name cannot be one).
    NotFound,
    /// A parameter is unknown, missing, or its value is not of its type.
    Invalid,
}

impl BindError {
    /// What kind of mistake this is.
    pub fn kind(&self) -> BindErrorKind {
        match self {
            BindError::Unknown { .. } | BindError::BadName(_) => BindErrorKind::NotFound,
            BindError::UnknownParam { .. }
            | BindError::MissingParam { .. }
            | BindError::NoVariable { .. }
            | BindError::Untyped { .. }
            | BindError::UnknownType { .. }
            | BindError::WrongType { .. }
            | BindError::BadParam { .. } => BindErrorKind::Invalid,
        }
    }
}

/// Failures of the query layer: a query file that cannot be read or parsed, or an evaluation that
/// failed or was cancelled (see [`QueryError::kind`]).
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
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
    /// An update (INSERT, DELETE, DROP, …) where a query was expected: queries only read.
    #[error("{origin}: this is a SPARQL update, not a query; updates are refused")]
    Update {
        /// The query file.
        origin: String,
    },
    /// Evaluation failed or was cancelled.
    #[error("query {query:?} failed: {source}")]
    Evaluation {
        /// The query.
        query: String,
        /// Oxigraph's error.
        source: oxigraph::sparql::QueryEvaluationError,
    },
    /// Oxigraph's plan of a query could not be read (`explain`).
    #[error("the plan of query {0:?} is not in the shape Oxigraph 0.5 writes")]
    Plan(String),
}

/// What kind of failure a [`QueryError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryErrorKind {
    /// The query text (or a saved query's header) does not parse, or is an update.
    Invalid,
    /// The evaluation was stopped through its cancellation token.
    Cancelled,
    /// Reading a file, evaluating or reading the plan failed.
    Failed,
}

impl QueryError {
    /// What kind of failure this is.
    pub fn kind(&self) -> QueryErrorKind {
        match self {
            QueryError::Header { .. } | QueryError::Syntax { .. } | QueryError::Update { .. } => QueryErrorKind::Invalid,
            QueryError::Evaluation { source: oxigraph::sparql::QueryEvaluationError::Cancelled, .. } => QueryErrorKind::Cancelled,
            QueryError::Io { .. } | QueryError::Evaluation { .. } | QueryError::Plan(_) => QueryErrorKind::Failed,
        }
    }
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

/// A saved query, or a query run as given.
#[derive(Debug, Clone)]
pub struct SavedQuery {
    /// Its name: the file name without `.rq`.
    pub name: String,
    /// Where it came from (a path, or `bundled:NAME`).
    pub origin: String,
    /// One-line title (empty for a query run as given without one).
    pub title: String,
    /// What it answers (empty for a query run as given without one).
    pub description: String,
    /// Its parameters.
    pub params: Vec<Param>,
    /// The SPARQL text (header included: it is a comment).
    pub text: String,
    /// A query run as given rather than from the library: [`SavedQuery::bind`] also binds the
    /// variables it does not declare, given with a type.
    pub ad_hoc: bool,
}

impl SavedQuery {
    /// Parses a saved query's header, which must give a title and a description, and checks its
    /// SPARQL.
    pub fn parse(name: &str, origin: &str, text: &str) -> Result<SavedQuery, QueryError> {
        let query = SavedQuery::parse_header(name, origin, text)?;
        let header_error = |message: &str| QueryError::Header { origin: origin.to_string(), line: 1, message: message.to_string() };
        if query.title.is_empty() {
            return Err(header_error("the header has no `# title:` line"));
        }
        if query.description.is_empty() {
            return Err(header_error("the header has no `# description:` line"));
        }
        check_syntax(origin, text)?;
        check_page(origin, text, &query.params)?;
        Ok(query)
    }

    /// A query run as given (a file, a string): the header is optional, and checked when present.
    pub fn ad_hoc(name: &str, origin: &str, text: &str) -> Result<SavedQuery, QueryError> {
        let query = SavedQuery { ad_hoc: true, ..SavedQuery::parse_header(name, origin, text)? };
        check_syntax(origin, text)?;
        check_page(origin, text, &query.params)?;
        Ok(query)
    }

    /// The title, description and parameters of the header (the leading comment lines).
    fn parse_header(name: &str, origin: &str, text: &str) -> Result<SavedQuery, QueryError> {
        let mut title = String::new();
        let mut description = String::new();
        let mut params = Vec::new();
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
                let param = parse_param(value).map_err(|message| QueryError::Header { origin: origin.to_string(), line: i + 1, message })?;
                params.push(param);
                in_description = false;
            } else if in_description && !comment.is_empty() {
                description.push(' ');
                description.push_str(comment);
            } else {
                in_description = false;
            }
        }
        Ok(SavedQuery { name: name.to_string(), origin: origin.to_string(), title, description, params, text: text.to_string(), ad_hoc: false })
    }

    /// Binds the parameters to the values given as name/value pairs (a name may carry a leading
    /// `?`; the last value of a name wins), filling in defaults, except for the page (`limit`,
    /// `offset`), which is bound only when given. A name may also carry a type, `name:type`, which
    /// must be the declared one; a query run as given can bind its undeclared variables this way.
    /// Every value is parsed as its parameter's type; nothing but the page's digits is written into
    /// the query text.
    pub fn bind(&self, given: &[(&str, &str)], base: &Base) -> Result<Vec<(Variable, Term)>, BindError> {
        let mut values: BTreeMap<&str, &str> = BTreeMap::new();
        let mut undeclared: Vec<Param> = Vec::new();
        for &(name, value) in given {
            let name = name.trim().trim_start_matches('?');
            let (name, kind) = match name.split_once(':') {
                Some((name, kind)) => {
                    let unknown = || BindError::UnknownType { name: name.to_string(), given: kind.to_string() };
                    (name, Some(ParamKind::parse(kind).ok_or_else(unknown)?))
                }
                None => (name, None),
            };
            match (self.params.iter().find(|p| p.name == name), kind) {
                (Some(param), Some(kind)) if param.kind != kind => {
                    return Err(BindError::WrongType { name: name.to_string(), declared: param.kind.name(), given: kind.name() })
                }
                (Some(_), _) => {}
                (None, _) if !self.ad_hoc => {
                    return Err(BindError::UnknownParam {
                        query: self.name.clone(),
                        name: name.to_string(),
                        declared: self.params.iter().map(|p| p.name.clone()).collect(),
                    })
                }
                (None, _) if Variable::new(name).is_err() => {
                    return Err(BindError::NoVariable { query: self.name.clone(), name: name.to_string() })
                }
                (None, None) => return Err(BindError::Untyped { query: self.name.clone(), name: name.to_string() }),
                (None, Some(kind)) => {
                    undeclared.retain(|p| p.name != name);
                    undeclared.push(Param { name: name.to_string(), kind, default: None, description: String::new() });
                }
            }
            values.insert(name, value);
        }
        let prefixes = declared_prefixes(&self.text);
        let mut bindings = Vec::new();
        for param in self.params.iter().chain(&undeclared) {
            let value = match (values.get(param.name.as_str()), &param.default) {
                (None, _) if is_page(&param.name) => continue,
                (Some(value), _) => *value,
                (None, Some(default)) => default.as_str(),
                (None, None) => {
                    return Err(BindError::MissingParam {
                        query: self.name.clone(),
                        name: param.name.clone(),
                        description: param.description.clone(),
                    })
                }
            };
            let term = parse_value(param, value, &prefixes, base)?;
            bindings.push((Variable::new_unchecked(param.name.clone()), term));
        }
        if self.ad_hoc {
            self.check_substitution(&bindings)?;
        }
        Ok(bindings)
    }

    /// Oxigraph binds only the variables a query selects (for ASK, CONSTRUCT and DESCRIBE, those
    /// of its pattern): tries the bindings on an empty dataset, where evaluation checks them first.
    fn check_substitution(&self, bindings: &[(Variable, Term)]) -> Result<(), BindError> {
        let Ok(mut prepared) = SparqlEvaluator::new().parse_query(&self.text) else { return Ok(()) };
        let (_, bindings) = split_page(&self.text, bindings);
        for (variable, term) in &bindings {
            prepared = prepared.substitute_variable(variable.clone(), term.clone());
        }
        let empty = oxigraph::model::Dataset::new();
        match prepared.on_queryable_dataset(&empty).execute() {
            Err(oxigraph::sparql::QueryEvaluationError::NotExistingSubstitutedVariable(variable)) => {
                Err(BindError::NoVariable { query: self.name.clone(), name: variable.as_str().to_string() })
            }
            _ => Ok(()),
        }
    }

    /// Reads a query file to run as given; its name is the file name without `.rq`.
    pub fn read(path: &Path) -> Result<SavedQuery, QueryError> {
        let (name, text) = read_file(path)?;
        SavedQuery::ad_hoc(name, &path.display().to_string(), &text)
    }

    /// The error of this query's evaluation failing with `source`, as when reading its results.
    pub fn failed(&self, source: oxigraph::sparql::QueryEvaluationError) -> QueryError {
        QueryError::Evaluation { query: self.name.clone(), source }
    }

    /// SPARQL text as given, named `query`.
    pub fn free(text: &str) -> Result<SavedQuery, QueryError> {
        SavedQuery::ad_hoc("query", "query", text)
    }

    /// Runs the query to the end, counting its results, and returns Oxigraph's plan with the rows
    /// and time of each step (`factgraph query --explain`).
    pub fn explain(&self, store: &Store, bindings: &[(Variable, Term)]) -> Result<Explained, QueryError> {
        let evaluation = |source| self.failed(source);
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

    /// Runs the query, stopping when `cancellation` is cancelled. A page of a query with marked
    /// sections (see the module's documentation) is read section by section.
    pub fn execute_with<'a>(
        &self,
        store: &'a Store,
        bindings: &[(Variable, Term)],
        cancellation: Option<oxigraph::sparql::CancellationToken>,
    ) -> Result<QueryResults<'a>, QueryError> {
        let (page, rest) = split_page(&self.text, bindings);
        if let (Some(limit), Some(sections)) = (page.limit, sections(&self.text)) {
            if let Some(results) = self.execute_sections(store, &sections, page, limit, &rest, cancellation.clone())? {
                return Ok(results);
            }
        }
        self.prepare(cancellation, bindings)?
            .on_store(store)
            .execute()
            .map_err(|source| self.failed(source))
    }

    /// The page `page` (at most `limit` rows) of a query whose result is `sections` in turn: each
    /// section runs with a `LIMIT` of the rows still skipped and wanted, and the next runs only if
    /// the page is not yet full. `None` for a query that gives no solutions (its page is cut from
    /// the whole).
    fn execute_sections<'a>(
        &self,
        store: &'a Store,
        sections: &[String],
        page: Page,
        limit: u64,
        bindings: &[(Variable, Term)],
        cancellation: Option<oxigraph::sparql::CancellationToken>,
    ) -> Result<Option<QueryResults<'a>>, QueryError> {
        let (mut skip, mut rows, mut variables) = (page.offset, Vec::new(), None);
        for text in sections {
            let section = SavedQuery { text: text.clone(), ..self.clone() };
            let wanted = Literal::new_typed_literal(skip.saturating_add(limit - rows.len() as u64).to_string(), xsd::INTEGER);
            let paged: Vec<_> = bindings.iter().cloned().chain([(Variable::new_unchecked("limit"), wanted.into())]).collect();
            let QueryResults::Solutions(solutions) = section.execute_with(store, &paged, cancellation.clone())? else {
                return Ok(None);
            };
            variables.get_or_insert_with(|| solutions.variables().to_vec());
            for solution in solutions {
                let solution = solution.map_err(|source| self.failed(source))?;
                if skip > 0 {
                    skip -= 1;
                } else {
                    rows.push(Ok(solution));
                }
            }
            if rows.len() as u64 >= limit {
                break;
            }
        }
        Ok(Some(QueryResults::Solutions(oxigraph::sparql::QuerySolutionIter::new(variables.unwrap_or_default().into(), rows))))
    }

    /// The query as the store at `kb` answers it. A query may mark the group that finds the names
    /// containing a parameter's text between a line `# names: ?VAR contains ?PARAM` and a line
    /// `# end names`, and right after it the group that finds the entities bearing them, with a
    /// label and class each, between `# entities: ?ENTITY ?LABEL ?CLASS` and `# end entities`.
    /// When the store has a name index ([`super::names`]) and `PARAM` is bound to a string, the
    /// marked lines become `VALUES` with what the index finds (case and accents ignored): the
    /// entities with their names, labels and classes when its rows are exact, otherwise the names
    /// alone in place of the first group. A line `# local: SPARQL` is SPARQL for this store only: a
    /// test that gives the same rows faster here, which other servers may not evaluate. Otherwise,
    /// and for other servers, the query's own SPARQL runs.
    pub fn for_store(&self, kb: &super::KnowledgeBase, bindings: &[(Variable, Term)]) -> std::borrow::Cow<'_, SavedQuery> {
        if NameSearch::find(&self.text).is_none() {
            return self.with_local_lines();
        }
        self.with_names(super::names::NameIndex::open(kb.path()).as_ref(), bindings)
    }

    /// [`SavedQuery::for_store`] with the store's name index already open (`None`: it has none),
    /// for a reader that keeps it (`serve`: the store cannot change while it holds it).
    pub fn with_names(&self, index: Option<&super::names::NameIndex>, bindings: &[(Variable, Term)]) -> std::borrow::Cow<'_, SavedQuery> {
        use std::fmt::Write;
        let local = self.with_local_lines();
        let Some(search) = NameSearch::find(&local.text) else { return local };
        let text = bindings.iter().find(|(v, _)| v.as_str() == search.param).and_then(|(_, term)| match term {
            Term::Literal(literal) => Some(literal.value()),
            _ => None,
        });
        let Some((text, index)) = text.zip(index) else { return local };
        let (values, lines) = match search.entities.as_ref().zip(index.bearers(text)) {
            Some((entities, bearers)) => {
                let [entity, label, class] = entities.variables;
                let mut values = format!("VALUES (?{} ?{entity} ?{label} ?{class}) {{", search.variable);
                for bearer in bearers {
                    let (matched, label) = (super::names::literal(bearer.matched), super::names::literal(bearer.label));
                    let _ = write!(values, " ({matched} <{}> {label} <{}>)", bearer.entity, bearer.class);
                }
                (values, search.lines.start..entities.lines.end)
            }
            None => {
                let mut values = format!("VALUES ?{} {{", search.variable);
                for name in index.containing(text) {
                    let _ = write!(values, " {}", super::names::literal(name));
                }
                (values, search.lines.clone())
            }
        };
        let values = values + " }";
        let all: Vec<&str> = local.text.lines().collect();
        let text = [&all[..lines.start], &[values.as_str()], &all[lines.end..]].concat().join("\n");
        std::borrow::Cow::Owned(SavedQuery { text, ..self.clone() })
    }

    /// The query with its `# local:` lines made SPARQL (see [`SavedQuery::for_store`]).
    fn with_local_lines(&self) -> std::borrow::Cow<'_, SavedQuery> {
        if !self.text.lines().any(|line| local_line(line).is_some()) {
            return std::borrow::Cow::Borrowed(self);
        }
        let lines: Vec<String> = self
            .text
            .lines()
            .map(|line| match local_line(line) {
                Some((indent, sparql)) => format!("{}{sparql}", &line[..indent]),
                None => line.to_string(),
            })
            .collect();
        std::borrow::Cow::Owned(SavedQuery { text: lines.join("\n"), ..self.clone() })
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
        let (text, bindings) = page_text(&self.text, bindings);
        let mut prepared = evaluator
            .parse_query(&text)
            .map_err(|source| QueryError::Syntax { origin: self.origin.clone(), source })?;
        prepared.dataset_mut().set_default_graph_as_union();
        for (variable, term) in &bindings {
            prepared = prepared.substitute_variable(variable.clone(), term.clone());
        }
        Ok(prepared)
    }
}

/// The start of a line of SPARQL for the local store only (see [`SavedQuery::for_store`]).
const LOCAL_LINE: &str = "# local: ";

/// A `# local:` line's indent and SPARQL.
fn local_line(line: &str) -> Option<(usize, &str)> {
    let code = line.trim_start();
    code.strip_prefix(LOCAL_LINE).map(|sparql| (line.len() - code.len(), sparql))
}

/// A query's marked name search (see [`SavedQuery::for_store`]).
struct NameSearch<'a> {
    /// The variable the names bind.
    variable: &'a str,
    /// The parameter whose text they contain.
    param: &'a str,
    /// The marked lines, the two markers included.
    lines: std::ops::Range<usize>,
    /// The group that finds the entities bearing the names, if marked.
    entities: Option<EntitySearch<'a>>,
}

/// The marked group that finds the entities bearing a name search's names.
struct EntitySearch<'a> {
    /// The variables it binds: the entity, its label and its class.
    variables: [&'a str; 3],
    /// The marked lines, the two markers included.
    lines: std::ops::Range<usize>,
}

impl<'a> NameSearch<'a> {
    fn find(text: &'a str) -> Option<NameSearch<'a>> {
        let lines: Vec<&str> = text.lines().collect();
        let (start, arguments, end) = marked_block(&lines, "names", 0)?;
        let (variable, param) = arguments.split_once(" contains ")?;
        let (variable, param) = (variable.trim().strip_prefix('?')?, param.trim().strip_prefix('?')?);
        let entities = marked_block(&lines, "entities", end + 1).filter(|(first, _, _)| *first == end + 1).and_then(|(first, arguments, last)| {
            let variables: Vec<&str> = arguments.split_whitespace().map(|v| v.strip_prefix('?')).collect::<Option<_>>()?;
            let variables: [&str; 3] = variables.try_into().ok()?;
            variables.iter().all(|v| Variable::new(*v).is_ok()).then_some(EntitySearch { variables, lines: first..last + 1 })
        });
        let variables = [variable, param];
        variables.iter().all(|v| Variable::new(*v).is_ok()).then_some(NameSearch { variable, param, lines: start..end + 1, entities })
    }
}

/// The texts of a query's marked sections (see the module's documentation), each the query with its
/// marked UNION cut to one branch; `None` without sections.
fn sections(text: &str) -> Option<Vec<String>> {
    let lines: Vec<&str> = text.lines().collect();
    let (start, _, end) = marked_block(&lines, "sections", 0)?;
    let (open, inner) = lines[start + 1..end].split_first()?;
    let (close, body) = inner.split_last()?;
    let separator = open.replace('{', "} UNION {");
    if open.trim() != "{" || close.trim() != "}" {
        return None;
    }
    let branches: Vec<&[&str]> = body.split(|line| *line == separator).collect();
    (branches.len() > 1).then(|| branches.iter().map(|branch| [&lines[..start], &[*open], branch, &[*close], &lines[end + 1..]].concat().join("\n")).collect())
}

/// The first block of `lines` from `from` on marked by a line `# KIND: ARGUMENTS` and a line
/// `# end KIND` (each alone on its line, indented or not): the two markers' indexes and the
/// arguments. The query's marks (`names`, `entities`, `sections`) are all read this way.
fn marked_block<'a>(lines: &[&'a str], kind: &str, from: usize) -> Option<(usize, &'a str, usize)> {
    let (open, close) = (format!("# {kind}:"), format!("# end {kind}"));
    let start = from + lines.get(from..)?.iter().position(|line| line.trim().starts_with(&open))?;
    let end = start + lines[start..].iter().position(|line| line.trim() == close)?;
    Some((start, lines[start].trim()[open.len()..].trim(), end))
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

/// A query file's name (the file name without `.rq`) and text.
fn read_file(path: &Path) -> Result<(&str, String), QueryError> {
    let text = std::fs::read_to_string(path).map_err(|source| QueryError::Io { path: path.display().to_string(), source })?;
    Ok((path.file_stem().and_then(|s| s.to_str()).unwrap_or_default(), text))
}

/// A page (`limit`, `offset`) is declared as integers, and the query leaves room for the `LIMIT` and
/// `OFFSET` written after it.
fn check_page(origin: &str, text: &str, params: &[Param]) -> Result<(), QueryError> {
    let header_error = |message: String| QueryError::Header { origin: origin.to_string(), line: 1, message };
    if let Some(page) = params.iter().find(|p| is_page(&p.name)) {
        if params.iter().any(|p| is_page(&p.name) && p.kind != ParamKind::Integer) {
            return Err(header_error(format!("parameter {} is the page and must be an integer", page.name)));
        }
        if SparqlEvaluator::new().parse_query(&paged(text, "LIMIT 1 OFFSET 1")).is_err() {
            return Err(header_error("a query with a limit or offset parameter cannot end with its own LIMIT or OFFSET".into()));
        }
    }
    Ok(())
}

/// Checks that `text` parses as a query; an update is refused as one.
fn check_syntax(origin: &str, text: &str) -> Result<(), QueryError> {
    match SparqlEvaluator::new().parse_query(text) {
        Ok(_) => Ok(()),
        Err(_) if SparqlEvaluator::new().parse_update(text).is_ok() => Err(QueryError::Update { origin: origin.to_string() }),
        Err(source) => Err(QueryError::Syntax { origin: origin.to_string(), source }),
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

/// True for the names of the page's parameters, `limit` and `offset`.
fn is_page(name: &str) -> bool {
    name == "limit" || name == "offset"
}

/// The page of a query's bindings: the rows to skip and the most to give.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Page {
    /// `LIMIT`: the most rows to give (all when `None`).
    pub limit: Option<u64>,
    /// `OFFSET`: the rows skipped first.
    pub offset: u64,
}

impl Page {
    /// True when the page is the whole result.
    pub fn is_whole(&self) -> bool {
        self.limit.is_none() && self.offset == 0
    }
}

/// Splits `bindings` into the page and the variables to bind: the bindings of `limit` and `offset`
/// to non-negative integers are the page, unless `text` uses them as variables.
pub fn split_page(text: &str, bindings: &[(Variable, Term)]) -> (Page, Vec<(Variable, Term)>) {
    let mut page = Page::default();
    let mut rest = Vec::new();
    for (variable, term) in bindings {
        let name = variable.as_str();
        let count = match term {
            Term::Literal(l) if l.datatype() == xsd::INTEGER && is_page(name) && !uses_variable(text, name) => l.value().parse::<u64>().ok(),
            _ => None,
        };
        match (name, count) {
            ("limit", Some(count)) => page.limit = Some(count),
            ("offset", Some(count)) => page.offset = count,
            _ => rest.push((variable.clone(), term.clone())),
        }
    }
    (page, rest)
}

/// A query's text with its page written in: the page of [`split_page`] becomes `LIMIT` and
/// `OFFSET` after the text; the other bindings are returned to be bound as variables. Local
/// evaluation and [`crate::http::inline`] both write the page this way.
pub fn page_text<'a>(text: &'a str, bindings: &[(Variable, Term)]) -> (std::borrow::Cow<'a, str>, Vec<(Variable, Term)>) {
    let (page, rest) = split_page(text, bindings);
    if page.is_whole() {
        return (text.into(), rest);
    }
    let limit = page.limit.map(|n| format!("LIMIT {n} ")).unwrap_or_default();
    (paged(text, &format!("{limit}OFFSET {}", page.offset)).into(), rest)
}

/// The line that marks where a query's page is written (see the module's documentation).
const PAGE_MARKER: &str = "# page";

/// `text` with `page` (`LIMIT … OFFSET …`) written after its first `# page` line, or after the
/// text when it has none.
fn paged(text: &str, page: &str) -> String {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        at += line.len();
        if line.trim() == PAGE_MARKER {
            return format!("{}{page}\n{}", &text[..at], &text[at..]);
        }
    }
    format!("{text}\n{page}\n")
}

/// True if `text` holds `?name` or `$name` as a whole variable.
fn uses_variable(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        matches!(before, Some('?' | '$')) && !after.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '\u{b7}')
    })
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
pub fn parse_value(param: &Param, value: &str, prefixes: &BTreeMap<String, String>, base: &Base) -> Result<Term, BindError> {
    let bad = |expected: &str| BindError::BadParam { name: param.name.clone(), value: value.to_string(), expected: expected.to_string() };
    Ok(match param.kind {
        ParamKind::String => Literal::new_simple_literal(value).into(),
        ParamKind::Integer if is_page(&param.name) => {
            let n: u64 = value.trim().parse().map_err(|_| bad("a number of rows (0 or more)"))?;
            Literal::new_typed_literal(n.to_string(), xsd::INTEGER).into()
        }
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
            let (name, text) = read_file(&path)?;
            let query = SavedQuery::parse(name, &path.display().to_string(), &text)?;
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

    /// A query by name. Names cannot leave the library: a path is not a name (read a file with
    /// [`SavedQuery::read`]).
    pub fn resolve(&self, name: &str) -> Result<SavedQuery, BindError> {
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
            return Err(BindError::BadName(name.to_string()));
        }
        self.queries.get(name).cloned().ok_or_else(|| BindError::Unknown {
            name: name.to_string(),
            near: crate::text::closest(name, self.queries.keys().map(String::as_str)).map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The marked name search: both markers and the lines between them, or nothing when a marker
    /// is missing or malformed.
    #[test]
    fn name_search_markers() {
        let text = "SELECT * WHERE {\n  # names: ?matched contains ?name\n  { ?x ?p ?matched }\n  # end names\n}\n";
        let search = NameSearch::find(text).unwrap();
        assert_eq!((search.variable, search.param, search.lines), ("matched", "name", 1..4));
        for broken in [
            text.replace("# end names", ""),
            text.replace(" contains ", " in "),
            text.replace("?name", "name"),
            text.replace("?matched contains", "?a-b contains"),
        ] {
            assert!(NameSearch::find(&broken).is_none(), "{broken}");
        }
        assert!(search.entities.is_none());
        let text = text.replace("  # end names\n", "  # end names\n  # entities: ?e ?l ?c\n  { ?e ?p ?matched }\n  # end entities\n");
        let entities = NameSearch::find(&text).unwrap().entities.unwrap();
        assert_eq!((entities.variables, entities.lines), (["e", "l", "c"], 4..7));
        for broken in [text.replace(" ?c", ""), text.replace("# end entities", "")] {
            let search = NameSearch::find(&broken).unwrap();
            assert!(search.entities.is_none(), "{broken}");
        }
    }

    /// A `# local:` line is SPARQL for the local store, with its indent; the query as written (for
    /// other servers) keeps it as a comment, and a query without one is not copied.
    #[test]
    fn local_lines_are_sparql_here_only() {
        let text = "# title: t\n# description: d\nSELECT ?o WHERE {\n  ?s ?p ?o\n  # local: FILTER (?o != 2)\n  #local: not this one\n}\n";
        let query = SavedQuery::parse_header("t", "test", text).unwrap();
        let local = query.with_local_lines();
        assert_eq!(local.text, "# title: t\n# description: d\nSELECT ?o WHERE {\n  ?s ?p ?o\n  FILTER (?o != 2)\n  #local: not this one\n}");
        assert_eq!(query.text, text);
        let plain = SavedQuery::parse_header("t", "test", "# title: t\n# description: d\nASK {}\n").unwrap();
        assert!(matches!(plain.with_local_lines(), std::borrow::Cow::Borrowed(_)));
        let store = Store::new().unwrap();
        for o in [1, 2] {
            store.insert(oxigraph::model::QuadRef::new(NamedNode::new_unchecked("http://e/s").as_ref(), NamedNode::new_unchecked("http://e/p").as_ref(), Literal::from(o).as_ref(), oxigraph::model::GraphNameRef::DefaultGraph)).unwrap();
        }
        let count = |q: &SavedQuery| match q.execute(&store, &[]).unwrap() {
            QueryResults::Solutions(rows) => rows.count(),
            _ => unreachable!("a SELECT"),
        };
        assert_eq!((count(&query), count(&local)), (2, 1));
    }

    /// The marked sections: the query once per branch of the marked UNION; nothing when a marker or
    /// the braces are missing, or the UNION has one branch. A page of them is the page of the whole.
    #[test]
    fn sections_are_read_until_the_page_is_full() {
        let text = "SELECT ?o WHERE {\n  # sections: by ?o\n  {\n    { ?s ?p ?o } UNION { ?o ?p ?s }\n  } UNION {\n    BIND (2 AS ?o)\n  } UNION {\n    BIND (3 AS ?o)\n  }\n  # end sections\n}\nORDER BY ?o\n";
        let cut = sections(text).unwrap();
        assert_eq!(cut.len(), 3);
        assert_eq!(cut[1], "SELECT ?o WHERE {\n  {\n    BIND (2 AS ?o)\n  }\n}\nORDER BY ?o");
        assert!(cut[0].contains("{ ?s ?p ?o } UNION { ?o ?p ?s }"), "a UNION inside a branch stays");
        for broken in [text.replace("# end sections", ""), text.replace("  } UNION {\n", "  }\n  UNION\n  {\n"), text.replace("  {\n    {", "  {{\n    {")] {
            assert!(sections(&broken).is_none(), "{broken}");
        }
        let store = Store::new().unwrap();
        store.insert(oxigraph::model::QuadRef::new(NamedNode::new_unchecked("http://e/s").as_ref(), NamedNode::new_unchecked("http://e/p").as_ref(), Literal::from(1).as_ref(), oxigraph::model::GraphNameRef::DefaultGraph)).unwrap();
        let query = SavedQuery::ad_hoc("sections", "sections.rq", text).unwrap();
        let page = |limit: Option<u64>, offset: u64| {
            let mut bindings = vec![(Variable::new_unchecked("offset"), Literal::new_typed_literal(offset.to_string(), xsd::INTEGER).into())];
            bindings.extend(limit.map(|n| (Variable::new_unchecked("limit"), Literal::new_typed_literal(n.to_string(), xsd::INTEGER).into())));
            let QueryResults::Solutions(solutions) = query.execute(&store, &bindings).unwrap() else { panic!("solutions") };
            assert_eq!(solutions.variables(), [Variable::new_unchecked("o")]);
            solutions.map(|s| s.unwrap().get("o").unwrap().to_string()).collect::<Vec<_>>()
        };
        let whole = page(None, 0);
        assert_eq!(whole.len(), 4, "{whole:?}");
        for limit in 0..6 {
            for offset in 0..6 {
                assert_eq!(page(Some(limit), offset), whole.iter().skip(offset as usize).take(limit as usize).cloned().collect::<Vec<_>>(), "limit {limit} offset {offset}");
            }
        }
    }

    const QUERY: &str = "# title: People\n# description: People by name.\n# param: name string | A name.\n# param: since date = 2020 | A year.\n# param: who iri = entity/x | An entity.\nPREFIX ex: <http://example.org/>\nSELECT ?name ?since ?who WHERE { ?who ex:name ?name }\n";

    fn query() -> SavedQuery {
        SavedQuery::parse("people", "people.rq", QUERY).unwrap()
    }

    fn base() -> Base {
        Base::new("https://kb.example/").unwrap()
    }

    #[test]
    fn bind_takes_pairs_and_fills_defaults() {
        let bindings = query().bind(&[("?name", "a=b"), ("who", "ex:y"), ("name", "Ann")], &base()).unwrap();
        let bound: Vec<(String, String)> = bindings.iter().map(|(v, t)| (v.as_str().to_string(), t.to_string())).collect();
        assert_eq!(
            bound,
            [
                ("name".to_string(), "\"Ann\"".to_string()),
                ("since".to_string(), "\"2020\"^^<http://www.w3.org/2001/XMLSchema#gYear>".to_string()),
                ("who".to_string(), "<http://example.org/y>".to_string()),
            ]
        );
        let relative = query().bind(&[("name", "x"), ("who", "entity/Q1")], &base()).unwrap();
        assert_eq!(relative[2].1.to_string(), "<https://kb.example/entity/Q1>");
    }

    #[test]
    fn bind_errors_are_invalid_and_name_no_flags() {
        let cases: [(&[(&str, &str)], &str); 4] = [
            (&[("nmae", "x")], "query \"people\" has no parameter \"nmae\"; its parameters: name, since, who"),
            (&[], "query \"people\" needs a value for its parameter name (A name.)"),
            (&[("name", "x"), ("since", "2021-02-30")], "parameter since: \"2021-02-30\" is not a date"),
            (&[("name", "x"), ("who", "<a b>")], "parameter who: \"<a b>\" is not an IRI"),
        ];
        for (given, message) in cases {
            let error = query().bind(given, &base()).unwrap_err();
            assert_eq!(error.kind(), BindErrorKind::Invalid, "{error}");
            assert!(error.to_string().starts_with(message), "{error}");
            assert!(!error.to_string().contains("--"), "{error}");
        }
        let wrong = query().bind(&[("name:string", "x"), ("since:iri", "2020")], &base()).unwrap_err();
        assert_eq!(wrong.to_string(), "parameter since is declared as date, not iri");
        let closed = query().bind(&[("name", "x"), ("other:string", "y")], &base()).unwrap_err();
        assert_eq!(closed.to_string(), "query \"people\" has no parameter \"other\"; its parameters: name, since, who");
    }

    #[test]
    fn a_query_run_as_given_needs_no_header_and_binds_typed_variables() {
        let query = SavedQuery::ad_hoc("count", "count.rq", "# Any comment.\nSELECT ?s ?n WHERE { ?s ?p ?n }").unwrap();
        assert!(query.ad_hoc && query.title.is_empty() && query.params.is_empty());
        let bindings = query.bind(&[("n:integer", "7"), ("?s:iri", "entity/Q1"), ("n:integer", "8")], &base()).unwrap();
        let bound: Vec<String> = bindings.iter().map(|(v, t)| format!("{v}={t}")).collect();
        assert_eq!(bound, ["?s=<https://kb.example/entity/Q1>", "?n=\"8\"^^<http://www.w3.org/2001/XMLSchema#integer>"]);
        let cases: [(&[(&str, &str)], &str); 4] = [
            (&[("n", "7")], "query \"count\" does not declare parameter n, and no type was given for it"),
            (&[("n:int", "7")], "parameter n: unknown type \"int\"; the types are iri, string, integer, decimal and date"),
            (&[("p:iri", "entity/Q1")], "query \"count\" does not select a variable ?p, so it cannot be bound"),
            (&[("n:date", "soon")], "parameter n: \"soon\" is not a date"),
        ];
        for (given, message) in cases {
            let error = query.bind(given, &base()).unwrap_err();
            assert_eq!(error.kind(), BindErrorKind::Invalid, "{error}");
            assert!(error.to_string().starts_with(message), "{error}");
        }
        // ASK binds any variable of its pattern; a header, when there is one, declares as usual.
        let ask = SavedQuery::ad_hoc("ask", "ask.rq", "ASK { ?s ?p ?o }").unwrap();
        assert_eq!(ask.bind(&[("p:iri", "<http://example.org/p>")], &base()).unwrap().len(), 1);
        let headed = SavedQuery::ad_hoc("people", "people.rq", QUERY).unwrap();
        assert_eq!(headed.bind(&[("name", "Ann")], &base()).unwrap().len(), 3);
        let bad = SavedQuery::ad_hoc("q", "q.rq", "# param: when datetime | A time.\nSELECT ?when WHERE {}").unwrap_err();
        assert_eq!(bad.to_string(), "q.rq:1: parameter when has unknown type \"datetime\"; expected iri, string, integer, decimal or date");
    }

    #[test]
    fn an_update_is_refused_and_a_syntax_error_says_where() {
        for update in ["INSERT DATA { <http://a.example/s> <http://a.example/p> 1 }", "DELETE WHERE { ?s ?p ?o }", "DROP ALL", "CLEAR DEFAULT"] {
            let error = SavedQuery::ad_hoc("u", "u.rq", update).unwrap_err();
            assert!(matches!(error, QueryError::Update { .. }), "{update}: {error:?}");
            assert_eq!(error.to_string(), "u.rq: this is a SPARQL update, not a query; updates are refused");
            assert_eq!(error.kind(), QueryErrorKind::Invalid);
        }
        let error = SavedQuery::ad_hoc("s", "s.rq", "SELECT ?s\nWHERE { ?s ?p }").unwrap_err();
        assert!(error.to_string().starts_with("s.rq: error at 2:16: expected one of LATERAL, SERVICE"), "{error}");
    }

    #[test]
    fn the_page_is_bound_only_when_given_and_written_as_limit_and_offset() {
        let text = "# title: T\n# description: D.\n# param: limit integer = 100 | Rows.\n# param: offset integer = 0 | Skipped.\nSELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\n";
        let paged = SavedQuery::parse("paged", "paged.rq", text).unwrap();
        assert!(paged.bind(&[], &base()).unwrap().is_empty());
        let bindings = paged.bind(&[("limit", "2"), ("offset", "3")], &base()).unwrap();
        let (written, rest) = page_text(&paged.text, &bindings);
        assert_eq!(written, format!("{text}\nLIMIT 2 OFFSET 3\n"));
        assert!(rest.is_empty());
        for bad in ["-1", "1e3", "2 OFFSET 0"] {
            let error = paged.bind(&[("limit", bad)], &base()).unwrap_err();
            assert_eq!(error.to_string(), format!("parameter limit: {bad:?} is not a number of rows (0 or more)"));
        }
        let own_limit = SavedQuery::parse("own", "own.rq", &format!("{text}LIMIT 5")).unwrap_err();
        assert!(own_limit.to_string().contains("cannot end with its own LIMIT"), "{own_limit}");
        let typed = SavedQuery::parse("typed", "typed.rq", &text.replace("limit integer", "limit string")).unwrap_err();
        assert!(typed.to_string().contains("parameter limit is the page and must be an integer"), "{typed}");
        // A marked sub-select takes the page; the text without a page is the whole query as written.
        let marked = text.replace("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\n", "SELECT ?s WHERE {\n  { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\n    # page\n  }\n} ORDER BY ?s\n");
        let marked = SavedQuery::parse("marked", "marked.rq", &marked).unwrap();
        let (written, _) = page_text(&marked.text, &bindings);
        assert!(written.ends_with("ORDER BY ?s\n    # page\nLIMIT 2 OFFSET 3\n  }\n} ORDER BY ?s\n"), "{written}");
        assert_eq!(page_text(&marked.text, &[]).0, marked.text);
        let own = SavedQuery::parse("own", "own.rq", &marked.text.replace("# page\n", "# page\n    LIMIT 5\n")).unwrap_err();
        assert!(own.to_string().contains("cannot end with its own LIMIT"), "{own}");

        // Rows are the whole result's, sliced.
        let store = Store::new().unwrap();
        for i in 0..6 {
            let node = NamedNode::new(format!("http://example.org/s{i}")).unwrap();
            store.insert(oxigraph::model::QuadRef::new(&node, &node, &node, oxigraph::model::GraphNameRef::DefaultGraph)).unwrap();
        }
        let QueryResults::Solutions(solutions) = paged.execute(&store, &bindings).unwrap() else { panic!("a SELECT") };
        let rows: Vec<String> = solutions.map(|s| s.unwrap().get("s").unwrap().to_string()).collect();
        assert_eq!(rows, ["<http://example.org/s3>", "<http://example.org/s4>"]);
    }

    #[test]
    fn unknown_and_bad_names_are_not_found() {
        let library = QueryLibrary::bundled().unwrap();
        let unknown = library.resolve("roles-as-off").unwrap_err();
        assert!(matches!(&unknown, BindError::Unknown { near: Some(near), .. } if near == "roles-as-of"), "{unknown:?}");
        assert_eq!(unknown.to_string(), "no saved query named \"roles-as-off\" (did you mean \"roles-as-of\"?)");
        let far = library.resolve("zzzzzzzzzz").unwrap_err();
        assert_eq!(far.to_string(), "no saved query named \"zzzzzzzzzz\"");
        for name in ["../../etc/passwd", "queries/articles.rq", ""] {
            let error = library.resolve(name).unwrap_err();
            assert!(matches!(error, BindError::BadName(_)), "{error:?}");
            assert_eq!(error.kind(), BindErrorKind::NotFound);
        }
        assert_eq!(unknown.kind(), BindErrorKind::NotFound);
        assert_eq!(library.resolve("articles").unwrap().name, "articles");
    }

    #[test]
    fn query_error_kinds() {
        let syntax = SavedQuery::free("SELECT * WHERE { ?s ?p }").unwrap_err();
        assert_eq!(syntax.kind(), QueryErrorKind::Invalid);
        let header = SavedQuery::parse("q", "q.rq", "# title: T\nSELECT * WHERE {}").unwrap_err();
        assert_eq!(header.kind(), QueryErrorKind::Invalid, "{header}");
        let missing = SavedQuery::read(Path::new("no/such/query.rq")).unwrap_err();
        assert_eq!(missing.kind(), QueryErrorKind::Failed);
        assert_eq!(QueryError::Plan("q".into()).kind(), QueryErrorKind::Failed);

        // A cancelled evaluation is told apart from a failed one by Oxigraph's variant.
        let store = Store::new().unwrap();
        let node = NamedNode::new("http://example.org/s").unwrap();
        store.insert(oxigraph::model::QuadRef::new(&node, &node, &node, oxigraph::model::GraphNameRef::DefaultGraph)).unwrap();
        let query = SavedQuery::free("SELECT * WHERE { ?s ?p ?o }").unwrap();
        let token = oxigraph::sparql::CancellationToken::new();
        let failure = match query.execute_with(&store, &[], Some(token.clone())) {
            Ok(QueryResults::Solutions(mut solutions)) => {
                token.cancel();
                let source = solutions.next().expect("a result").unwrap_err();
                query.failed(source)
            }
            Ok(_) => panic!("a SELECT gives solutions"),
            Err(error) => error,
        };
        assert_eq!(failure.kind(), QueryErrorKind::Cancelled, "{failure}");
        let failed = QueryError::Evaluation { query: "q".into(), source: oxigraph::sparql::QueryEvaluationError::UnboundService };
        assert_eq!(failed.kind(), QueryErrorKind::Failed);
    }
}
