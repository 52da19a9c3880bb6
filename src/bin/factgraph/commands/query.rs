//! `queries` and `query`: saved and ad-hoc queries, on the store or at a SPARQL endpoint, and the
//! results as tables or in the SPARQL results formats.

use std::io::{self, Read, Write};
use std::path::Path;
use factgraph::rdf::Context;
use factgraph::rdf::serialize;
use factgraph::store::KnowledgeBase;
use factgraph::store::listings::Listing;
use factgraph::store::query::{QueryLibrary, SavedQuery};
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use crate::cli::{self, ResultFormatArg};
use crate::error::{AppError, Exit, Result};
use crate::output::{self, Output, Style};

pub(crate) fn query_library(dir: Option<&Path>) -> Result<QueryLibrary> {
    let local = Path::new("queries");
    Ok(match dir {
        Some(dir) => QueryLibrary::from_dir(dir)?,
        None if local.is_dir() => QueryLibrary::from_dir(local)?,
        None => QueryLibrary::bundled()?,
    })
}

pub(crate) fn list_queries(args: &cli::QueriesArgs) -> Result<Exit> {
    let library = query_library(args.queries.as_deref())?;
    let style = Style::stderr();
    let mut out = io::stdout().lock();
    for query in library.iter() {
        writeln!(out, "{}  {}", style.bold(&query.name), query.title)?;
        writeln!(out, "    {}", query.description)?;
        for param in &query.params {
            let default = param.default.as_deref().map(|d| format!(" = {d}")).unwrap_or_default();
            writeln!(out, "    --param {}=<{}>{default}  {}", param.name, param.kind.name(), param.description)?;
        }
    }
    Ok(Exit::Success)
}

pub(crate) fn query(args: &cli::QueryArgs) -> Result<Exit> {
    let setup = Context::new(&args.base.base)?;
    let saved = match (&args.sparql, args.query.as_deref()) {
        (Some(text), _) => SavedQuery::ad_hoc("sparql", "--sparql", text)?,
        (None, Some("-")) => {
            let mut text = String::new();
            io::stdin().read_to_string(&mut text).map_err(|e| AppError::failure(io::Error::new(e.kind(), format!("cannot read the query from standard input: {e}"))))?;
            SavedQuery::ad_hoc("stdin", "stdin", &text)?
        }
        (None, Some(file)) if file.ends_with(".rq") => SavedQuery::read(Path::new(file))?,
        (None, Some(name)) => query_library(args.queries.as_deref())?.resolve(name)?,
        (None, None) => return Err(AppError::usage("give a saved query's name, a .rq file, - or --sparql")),
    };
    let bindings = saved.bind(&param_pairs(&args.params)?, setup.mapper.base())?;
    let to_stdout = args.output.output.as_ref().is_none_or(|path| path.as_os_str() == "-");
    let layout = output::Layout::new(args.wide, to_stdout, "--wide or --format tsv".into());
    if let Some(endpoint) = &args.endpoint {
        return query_remote(&saved, &bindings, endpoint, &args.remote, args.format, &layout, &setup, args.output.output.as_deref());
    }
    let kb = KnowledgeBase::open_read_only(&args.store.store)?;
    let mut output = Output::open(args.output.output.as_deref())?;
    if args.explain {
        let explained = saved.for_store(&kb, &bindings).explain(kb.store(), &bindings)?;
        output::write_plan(&explained, matches!(args.format, cli::ResultFormatArg::Json), &mut output)?;
    } else {
        write_results(&saved, &kb, &bindings, args.format, &layout, &setup, &mut output)?;
    }
    output.commit()?;
    Ok(Exit::Success)
}

/// `--param NAME=VALUE` arguments as name/value pairs.
pub(crate) fn param_pairs(params: &[String]) -> Result<Vec<(&str, &str)>> {
    params.iter().map(|arg| arg.split_once('=').ok_or_else(|| AppError::usage(format!("--param expects NAME=VALUE, got {arg:?}")))).collect()
}

/// Runs a saved query on the store and writes its results.
pub(crate) fn write_results(
    saved: &SavedQuery,
    kb: &KnowledgeBase,
    bindings: &[(oxigraph::sparql::Variable, Term)],
    format: ResultFormatArg,
    layout: &output::Layout,
    setup: &Context,
    out: &mut impl Write,
) -> Result<()> {
    let evaluation = |e| AppError::from(saved.failed(e));
    if let Some((listing, page)) = Listing::open(kb.path(), saved, bindings) {
        // A kept listing: its rows are read from its file, in TSV as they were written.
        if matches!(format, ResultFormatArg::Tsv) {
            io::copy(&mut listing.tsv(page).map_err(AppError::failure)?, out)?;
            return Ok(());
        }
        let solutions = listing.solutions(page).map_err(AppError::failure)?;
        let variables = solutions.variables().to_vec();
        return write_solutions(variables, solutions.map(|s| s.map_err(evaluation)), format, layout, setup, out);
    }
    match saved.for_store(kb, bindings).execute(kb.store(), bindings)? {
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            write_solutions(variables, solutions.map(|s| s.map_err(evaluation)), format, layout, setup, out)
        }
        QueryResults::Boolean(value) => write_boolean(value, format, out),
        QueryResults::Graph(triples) => {
            let quads: Vec<_> = triples
                .map(|t| t.map(|t| t.in_graph(oxigraph::model::GraphName::DefaultGraph)))
                .collect::<Result<_, _>>()
                .map_err(evaluation)?;
            serialize::write_sorted(&quads, serialize::Format::Turtle, &setup.prefixes, out)?;
            Ok(())
        }
    }
}

/// Runs a saved query at a SPARQL endpoint, its parameters written into the query as terms.
pub(crate) fn query_remote(
    saved: &SavedQuery,
    bindings: &[(oxigraph::sparql::Variable, Term)],
    endpoint: &str,
    remote_args: &cli::RemoteArgs,
    format: ResultFormatArg,
    layout: &output::Layout,
    setup: &Context,
    output: Option<&Path>,
) -> Result<Exit> {
    use factgraph::http::sparql_client::{self, Results};
    factgraph::http::remote::Remote::check_url(endpoint)?;
    let remote = remote_client(remote_args)?;
    let text = factgraph::http::inline::inline(&saved.text, bindings)
        .map_err(|e| AppError::usage(format!("query {:?} cannot be sent to a server: {e}", saved.name)))?;
    let form = factgraph::http::inline::form(&text).map_err(|e| AppError::usage(format!("query {:?}: {e}", saved.name)))?;
    let results = sparql_client::query(&remote, endpoint, &text, form)?;
    let mut out = Output::open(output)?;
    match results {
        Results::Graph(quads) => {
            serialize::write_sorted(&quads, serialize::Format::Turtle, &setup.prefixes, &mut out)?;
        }
        Results::Solutions { variables, solutions } => write_solutions(variables, solutions.into_iter().map(Ok), format, layout, setup, &mut out)?,
        Results::Boolean(value) => write_boolean(value, format, &mut out)?,
    }
    out.commit()?;
    Ok(Exit::Success)
}

/// Writes solutions as a table or one of the SPARQL results formats.
pub(crate) fn write_solutions(
    variables: Vec<oxigraph::sparql::Variable>,
    solutions: impl Iterator<Item = Result<oxigraph::sparql::QuerySolution>>,
    format: ResultFormatArg,
    layout: &output::Layout,
    setup: &Context,
    out: &mut impl Write,
) -> Result<()> {
    let results_format = match format {
        ResultFormatArg::Table => None,
        ResultFormatArg::Csv => Some(QueryResultsFormat::Csv),
        ResultFormatArg::Tsv => Some(QueryResultsFormat::Tsv),
        ResultFormatArg::Json => Some(QueryResultsFormat::Json),
        ResultFormatArg::Xml => Some(QueryResultsFormat::Xml),
    };
    match results_format {
        Some(results_format) => {
            let mut serializer = QueryResultsSerializer::from_format(results_format).serialize_solutions_to_writer(out, variables)?;
            for solution in solutions {
                serializer.serialize(&solution?)?;
            }
            serializer.finish()?;
        }
        None => {
            let prefixes = &setup.table_prefixes;
            let base = setup.mapper.base().as_str();
            let header: Vec<String> = variables.iter().map(|v| v.as_str().to_string()).collect();
            let mut rows = Vec::new();
            for solution in solutions {
                let solution = solution?;
                let cell = |v| {
                    let term = solution.get(v);
                    output::Cell { text: output::cell(term, prefixes, base), iri: matches!(term, Some(Term::NamedNode(_))) }
                };
                rows.push(variables.iter().map(cell).collect());
            }
            output::write_table(out, &header, &rows, layout)?;
        }
    }
    Ok(())
}

pub(crate) fn write_boolean(value: bool, format: ResultFormatArg, out: &mut impl Write) -> Result<()> {
    let results_format = match format {
        ResultFormatArg::Table => {
            writeln!(out, "{value}")?;
            return Ok(());
        }
        ResultFormatArg::Csv => QueryResultsFormat::Csv,
        ResultFormatArg::Tsv => QueryResultsFormat::Tsv,
        ResultFormatArg::Xml => QueryResultsFormat::Xml,
        ResultFormatArg::Json => QueryResultsFormat::Json,
    };
    QueryResultsSerializer::from_format(results_format).serialize_boolean_to_writer(out, value)?;
    Ok(())
}

/// The HTTP client of `query --endpoint` and `push`, with the command line's timeout, retries and credentials.
pub(crate) fn remote_client(args: &cli::RemoteArgs) -> Result<factgraph::http::remote::Remote> {
    use factgraph::http::remote::{Credentials, Remote, RetryPolicy};
    if !(args.request_timeout.is_finite() && args.request_timeout > 0.0) {
        return Err(AppError::usage(format!("--request-timeout must be a positive number of seconds, not {}", args.request_timeout)));
    }
    // A password without --user (FACTGRAPH_PASSWORD set for another server, say) is not used: a
    // server that wants credentials answers 401, and the error says to give --user.
    let credentials = args.user.as_ref().map(|user| Credentials { user: user.clone(), password: args.password.clone().unwrap_or_default() });
    let retry = RetryPolicy { retries: args.retries, ..RetryPolicy::default() };
    Ok(Remote::new(std::time::Duration::from_secs_f64(args.request_timeout), credentials, retry))
}
