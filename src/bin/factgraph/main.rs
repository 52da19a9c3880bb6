//! The `factgraph` binary: parses the command line (`cli.rs`), runs the library, and owns the wording,
//! exit codes, colour and progress display (`output.rs`).

mod cli;
mod output;

use clap::Parser;
use cli::{Cli, Command, ResultFormatArg};
use factgraph::rdf::{Context, ContextError};
use factgraph::facts::input::TextRoot;
use factgraph::facts::stream::{self, Checked};
use factgraph::parallel;
use factgraph::store::query::{QueryLibrary, SavedQuery};
use factgraph::rdf::serialize;
use factgraph::store::KnowledgeBase;
use oxigraph::model::{NamedNode, Term};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::QueryResults;
use output::{Output, Style};
use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// mimalloc, for Rust and (the crate's `override` feature) for C and C++ alike. Both must be one
/// allocator: Oxigraph takes RocksDB's `malloc`ed error messages into `CString::from_raw`, so they
/// are freed by Rust's allocator (`tests/reliability.rs`, the full-disk test, catches a mismatch).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    Success = 0,
    InvalidData = 1,
    Usage = 2,
    Failure = 3,
}

/// An error the binary reports: its message (with cause chain) and exit code.
#[derive(Debug)]
struct AppError {
    exit: Exit,
    message: String,
    broken_pipe: bool,
}

impl AppError {
    fn new(exit: Exit, message: impl Into<String>) -> AppError {
        AppError { exit, message: message.into(), broken_pipe: false }
    }

    fn usage(message: impl Into<String>) -> AppError {
        AppError::new(Exit::Usage, message)
    }

    fn invalid_data(message: impl Into<String>) -> AppError {
        AppError::new(Exit::InvalidData, message)
    }

    /// Any error with its whole cause chain, and the command line's advice for it (see [`advice`]).
    fn failure(error: impl std::error::Error + 'static) -> AppError {
        let mut message = error.to_string();
        let mut advised = advice(&error);
        let mut cause = error.source();
        while let Some(inner) = cause {
            let text = inner.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            advised = advised.or_else(|| advice(inner));
            cause = inner.source();
        }
        message.push_str(advised.unwrap_or_default());
        AppError::new(Exit::Failure, message)
    }
}

/// What the command line adds to a library error (the library's messages name no flags or
/// commands): the flag or command that helps, written after the whole message.
fn advice(error: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    use factgraph::http::remote::RemoteError;
    use factgraph::store::{StoreError, StoreErrorKind};
    if let Some(error) = error.downcast_ref::<StoreError>() {
        return match error.kind() {
            StoreErrorKind::InUse => Some("; wait for it to finish, or use another --store"),
            StoreErrorKind::NotFound => Some("; create one with `factgraph load` or `factgraph build`"),
            StoreErrorKind::Invalid | StoreErrorKind::Failed => None,
        };
    }
    match error.downcast_ref::<RemoteError>() {
        Some(RemoteError::Unauthorized { user: None, status, .. }) if *status == oxhttp::model::StatusCode::UNAUTHORIZED => {
            Some(": give --user (and --password or FACTGRAPH_PASSWORD)")
        }
        _ => None,
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<factgraph::facts::input::InputError> for AppError {
    fn from(error: factgraph::facts::input::InputError) -> Self {
        AppError::failure(error)
    }
}

impl From<io::Error> for AppError {
    fn from(error: io::Error) -> Self {
        let broken_pipe = error.kind() == io::ErrorKind::BrokenPipe;
        AppError { broken_pipe, ..AppError::failure(error) }
    }
}

impl From<factgraph::store::StoreError> for AppError {
    fn from(error: factgraph::store::StoreError) -> Self {
        use factgraph::store::StoreErrorKind as K;
        let exit = match error.kind() {
            K::InUse | K::NotFound | K::Invalid | K::Failed => Exit::Failure,
        };
        AppError { exit, ..AppError::failure(error) }
    }
}

impl From<factgraph::linking::wikidata::WikidataError> for AppError {
    fn from(error: factgraph::linking::wikidata::WikidataError) -> Self {
        AppError::failure(error)
    }
}

impl From<factgraph::linking::links::LinkError> for AppError {
    fn from(error: factgraph::linking::links::LinkError) -> Self {
        let exit = match error {
            factgraph::linking::links::LinkError::Syntax { .. } => Exit::InvalidData,
            _ => Exit::Failure,
        };
        AppError { exit, ..AppError::failure(error) }
    }
}

impl From<factgraph::http::remote::RemoteError> for AppError {
    fn from(error: factgraph::http::remote::RemoteError) -> Self {
        let exit = match error {
            factgraph::http::remote::RemoteError::BadUrl { .. } => Exit::Usage,
            _ => Exit::Failure,
        };
        AppError { exit, ..AppError::failure(error) }
    }
}

impl From<factgraph::store::query::BindError> for AppError {
    fn from(error: factgraph::store::query::BindError) -> Self {
        use factgraph::store::query::{BindError as B, BindErrorKind as K};
        let exit = match error.kind() {
            K::NotFound | K::Invalid => Exit::Usage,
        };
        let message = match &error {
            B::Unknown { .. } => format!("{error}; `factgraph queries` lists them"),
            B::BadName(_) => format!("{error}; to run a file, give its path ending in .rq"),
            B::MissingParam { query, name, description } => format!("query {query:?} needs --param {name}=VALUE ({description})"),
            B::Untyped { name, .. } => format!("{error}; give it as --param {name}:TYPE=VALUE, TYPE one of iri, string, integer, decimal, date"),
            B::UnknownParam { .. } | B::NoVariable { .. } | B::UnknownType { .. } | B::WrongType { .. } | B::BadParam { .. } => error.to_string(),
        };
        AppError::new(exit, message)
    }
}

impl From<factgraph::store::query::QueryError> for AppError {
    fn from(error: factgraph::store::query::QueryError) -> Self {
        use factgraph::store::query::QueryErrorKind as K;
        let exit = match error.kind() {
            K::Invalid => Exit::Usage,
            K::Cancelled | K::Failed => Exit::Failure,
        };
        AppError { exit, ..AppError::failure(error) }
    }
}

type Result<T, E = AppError> = std::result::Result<T, E>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(error) if error.broken_pipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{} {}", Style::stderr().red("error:"), error);
            ExitCode::from(error.exit as u8)
        }
    }
}

fn run(cli: Cli) -> Result<Exit> {
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Map(args) => map(&args),
        Command::Load(args) => load(&args),
        Command::Remove(args) => remove(&args),
        Command::Optimize(args) => optimize(&args),
        Command::Queries(args) => list_queries(&args),
        Command::Query(args) => query(&args),
        Command::Export(args) => export(&args),
        Command::Stats(args) => stats(&args),
        Command::Build(args) => build(&args),
        Command::Link(args) => link(&args),
        Command::Generate(args) => generate(&args),
        Command::Import(args) => import(&args),
        Command::Serve(args) => serve(&args),
        Command::Push(args) => push(&args),
        Command::Wikidata(cli::WikidataCommand::Index(args)) => wikidata_index(&args),
        Command::Schema(args) => {
            let mut output = Output::open(args.output.as_deref())?;
            output.write_all(factgraph::facts::schema::json_schema_text().as_bytes())?;
            output.commit()?;
            Ok(Exit::Success)
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn read_and_check(paths: &[PathBuf], root: &TextRoot) -> Result<Checked> {
    stream::check(paths, root).map_err(AppError::failure)
}

/// The folder `text_file`s must lie in: `--text-root`, or the current folder.
fn open_text_root(args: &cli::TextRootArgs) -> Result<TextRoot> {
    match &args.text_root {
        Some(dir) => TextRoot::new(dir).map_err(|e| AppError::usage(format!("--text-root: {e}"))),
        None => TextRoot::new(Path::new("./")).map_err(AppError::failure),
    }
}

/// When `text_file`s were refused for lying outside the text root: which folder that is and how
/// to widen it.
fn text_root_hint(root: &TextRoot, args: &cli::TextRootArgs) -> Option<String> {
    let refused = root.refused();
    let which = if args.text_root.is_some() { "given by --text-root" } else { "the current folder" };
    let them = if refused == 1 { "it" } else { "them" };
    (refused > 0).then(|| {
        format!(
            "{} {refused} text_file{} outside the text root {} ({which}); to read {them}, give --text-root DIR with a folder that holds {them}",
            Style::stderr().bold("hint:"),
            plural(refused),
            root.resolved().display(),
        )
    })
}

fn check(args: &cli::CheckArgs) -> Result<Exit> {
    let root = open_text_root(&args.text_root)?;
    let (checked, written) = if args.write_offsets {
        let (checked, written) = stream::check_writing_offsets(&args.paths, &root).map_err(AppError::failure)?;
        (checked, Some(written))
    } else {
        (read_and_check(&args.paths, &root)?, None)
    };
    if let Some(written) = written.filter(|_| checked.is_clean()) {
        let mut output = Output::open(args.output.as_deref())?;
        output.write_all(written.as_bytes())?;
        output.commit()?;
    }
    let stdout = io::stdout();
    let mut stdout = stdout.lock();
    for problem in &checked.problems {
        writeln!(stdout, "{problem}")?;
    }
    if !args.quiet {
        if let Some(hint) = text_root_hint(&root, &args.text_root) {
            eprintln!("{hint}");
        }
        let style = Style::stderr();
        if checked.is_clean() {
            eprintln!(
                "{} {} document{} in {} file{}, no problems",
                style.green("ok:"),
                checked.seen,
                plural(checked.seen),
                checked.sources,
                plural(checked.sources)
            );
        } else {
            let invalid = checked.seen - checked.documents.len();
            eprintln!(
                "{} {} problem{} in {invalid} of {} document{} ({} file{})",
                style.red("invalid:"),
                checked.problems.len(),
                plural(checked.problems.len()),
                checked.seen,
                plural(checked.seen),
                checked.sources,
                plural(checked.sources)
            );
        }
    }
    Ok(if checked.is_clean() { Exit::Success } else { Exit::InvalidData })
}

/// A bad base IRI is the user's mistake; an ontology that does not load is a failure.
impl From<ContextError> for AppError {
    fn from(error: ContextError) -> Self {
        match error {
            ContextError::Base(e) => AppError::usage(e.to_string()),
            e => AppError::failure(e),
        }
    }
}

fn map(args: &cli::MapArgs) -> Result<Exit> {
    let setup = Context::new(&args.base.base)?;
    let format = args.format.format();
    let threads = args.threads.map_or_else(parallel::default_threads, std::num::NonZeroUsize::get);
    let root = open_text_root(&args.text_root)?;
    let mut output = Output::open(args.output.output.as_deref())?;
    // Documents are validated and mapped on `threads` workers; their output is taken in input order.
    let summary = if format.is_line_based() {
        // Streamed: each document's lines are written as soon as the documents before it are. With a
        // problem anywhere, an output file is not put in place (stdout has what was streamed so far).
        let keep_graphs = format == serialize::Format::NQuads;
        let work = |document: &factgraph::facts::validate::ValidDocument, lines: &mut Vec<u8>| {
            setup.mapper.map_into(document, &mut |quad| serialize::write_line(quad, keep_graphs, lines));
        };
        stream::stream_parallel::<_, AppError>(&args.paths, &root, threads, work, |lines, new| Ok(output.write_all(&lines[new])?))?
    } else {
        // Sorted with bounded memory (see serialize::SortedWriter); the workers encode the quads.
        let mut sorted = serialize::SortedWriter::new(format, &setup.prefixes);
        let work = |document: &factgraph::facts::validate::ValidDocument, keys: &mut serialize::QuadKeys| {
            setup.mapper.map_into(document, &mut |quad| keys.push(quad, format, &setup.prefixes));
        };
        let summary = stream::stream_parallel::<_, AppError>(&args.paths, &root, threads, work, |keys, new| Ok(sorted.push_keys(keys, new)?))?;
        if summary.is_clean() {
            sorted.finish(&mut output)?;
        }
        summary
    };
    refuse_problems(&summary.problems, text_root_hint(&root, &args.text_root))?;
    output.commit()?;
    Ok(Exit::Success)
}

/// Prints every problem to stderr, and then `hint`; returns the error that ends the run if there
/// were any.
fn refuse_problems(problems: &[factgraph::facts::problem::Problem], hint: Option<String>) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let stderr = io::stderr();
    let mut stderr = stderr.lock();
    for problem in problems {
        let _ = writeln!(stderr, "{problem}");
    }
    if let Some(hint) = hint {
        let _ = writeln!(stderr, "{hint}");
    }
    Err(AppError::invalid_data(format!(
        "{} problem{} in the input; nothing was written (see `factgraph check`)",
        problems.len(),
        plural(problems.len()),
    )))
}

/// Checks, maps and loads; prints the one-line summary. Returns the open store for further steps.
fn load_into(
    paths: &[PathBuf],
    text_root: &cli::TextRootArgs,
    store: &Path,
    tuning: &cli::LoadTuning,
    setup: &Context,
) -> Result<(KnowledgeBase, stream::Summary)> {
    let root = open_text_root(text_root)?;
    let bar = output::quad_progress(0);
    let reporter = bar.clone();
    let progress = move |n: u64| {
        reporter.set_length(n.max(reporter.length().unwrap_or(0)));
        reporter.set_position(n);
    };
    let batch = Some(tuning.batch_memory as usize);
    let (loaded, kb) = factgraph::store::load::load_into(store, &setup.ontology, &setup.mapper, paths, &root, batch, progress)
        .map_err(AppError::failure)?;
    bar.finish_and_clear();
    refuse_problems(&loaded.summary.problems, text_root_hint(&root, text_root))?;
    let kb = kb.expect("a clean load keeps its store");
    let summary = loaded.load;
    let seconds = summary.elapsed.as_secs_f64();
    let articles = summary.added + summary.replaced;
    eprintln!(
        "{} {articles} article{} ({} new, {} replaced), {} quads in {seconds:.2} s ({:.0} quads/s) into {}",
        Style::stderr().green("loaded:"),
        plural(articles),
        summary.added,
        summary.replaced,
        summary.quads,
        summary.quads as f64 / seconds.max(1e-9),
        store.display()
    );
    if tuning.optimize {
        optimize_store(&kb, store)?;
    }
    Ok((kb, loaded.summary))
}

/// Compacts the store, with a spinner, and says how long it took.
fn optimize_store(kb: &KnowledgeBase, store: &Path) -> Result<()> {
    let started = Instant::now();
    let spinner = output::spinner("optimizing the store");
    kb.optimize()?;
    spinner.finish_and_clear();
    eprintln!("{} {} in {:.2} s", Style::stderr().green("optimized:"), store.display(), started.elapsed().as_secs_f64());
    Ok(())
}

fn optimize(args: &cli::OptimizeArgs) -> Result<Exit> {
    let kb = KnowledgeBase::open_existing(&args.store.store)?;
    optimize_store(&kb, &args.store.store)?;
    Ok(Exit::Success)
}

fn load(args: &cli::LoadArgs) -> Result<Exit> {
    let setup = Context::new(&args.base.base)?;
    load_into(&args.paths, &args.text_root, &args.store.store, &args.tuning, &setup)?;
    Ok(Exit::Success)
}

/// A document id or an article IRI, as the article's graph.
fn article_graph(id_or_iri: &str, setup: &Context) -> Result<NamedNode> {
    if id_or_iri.contains(':') {
        NamedNode::new(id_or_iri).map_err(|e| AppError::usage(format!("{id_or_iri:?} is not an IRI: {e}")))
    } else if factgraph::facts::validate::valid_id(id_or_iri) {
        Ok(setup.mapper.base().article(id_or_iri))
    } else {
        Err(AppError::usage(format!("{id_or_iri:?} is neither a document id nor an IRI")))
    }
}

fn remove(args: &cli::RemoveArgs) -> Result<Exit> {
    let setup = Context::new(&args.base.base)?;
    let kb = KnowledgeBase::open(&args.store.store)?;
    let mut missing = Vec::new();
    for id in &args.ids {
        let graph = article_graph(id, &setup)?;
        if kb.remove(graph.as_ref())? {
            eprintln!("{} {}", Style::stderr().green("removed:"), graph.as_str());
        } else {
            missing.push(id.clone());
        }
    }
    if missing.is_empty() {
        Ok(Exit::Success)
    } else {
        Err(AppError::usage(format!("not in the store: {}", missing.join(", "))))
    }
}

fn query_library(dir: Option<&Path>) -> Result<QueryLibrary> {
    let local = Path::new("queries");
    Ok(match dir {
        Some(dir) => QueryLibrary::from_dir(dir)?,
        None if local.is_dir() => QueryLibrary::from_dir(local)?,
        None => QueryLibrary::bundled()?,
    })
}

fn list_queries(args: &cli::QueriesArgs) -> Result<Exit> {
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

fn query(args: &cli::QueryArgs) -> Result<Exit> {
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
        let explained = saved.explain(kb.store(), &bindings)?;
        output::write_plan(&explained, matches!(args.format, cli::ResultFormatArg::Json), &mut output)?;
    } else {
        write_results(&saved, &kb, &bindings, args.format, &layout, &setup, &mut output)?;
    }
    output.commit()?;
    Ok(Exit::Success)
}

/// `--param NAME=VALUE` arguments as name/value pairs.
fn param_pairs(params: &[String]) -> Result<Vec<(&str, &str)>> {
    params.iter().map(|arg| arg.split_once('=').ok_or_else(|| AppError::usage(format!("--param expects NAME=VALUE, got {arg:?}")))).collect()
}

/// Runs a saved query on the store and writes its results.
fn write_results(
    saved: &SavedQuery,
    kb: &KnowledgeBase,
    bindings: &[(oxigraph::sparql::Variable, Term)],
    format: ResultFormatArg,
    layout: &output::Layout,
    setup: &Context,
    out: &mut impl Write,
) -> Result<()> {
    let evaluation = |e| AppError::from(saved.failed(e));
    match saved.execute(kb.store(), bindings)? {
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

fn remote_client(args: &cli::RemoteArgs) -> Result<factgraph::http::remote::Remote> {
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

/// Runs a saved query at a SPARQL endpoint, its parameters written into the query as terms.
fn query_remote(
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
fn write_solutions(
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

fn write_boolean(value: bool, format: ResultFormatArg, out: &mut impl Write) -> Result<()> {
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

fn push(args: &cli::PushArgs) -> Result<Exit> {
    use factgraph::http::push::{PushError, PushOptions, PushTarget};
    let setup = Context::new(&args.base.base)?;
    for url in [args.endpoint.as_ref(), args.graph_store.as_ref(), args.update.as_ref()].into_iter().flatten() {
        factgraph::http::remote::Remote::check_url(url)?;
    }
    if args.jobs == 0 {
        return Err(AppError::usage("--jobs must be at least 1"));
    }
    let remote = remote_client(&args.remote)?;
    let kb = KnowledgeBase::open_read_only(&args.store.store)?;
    let target = PushTarget { endpoint: args.endpoint.clone(), graph_store: args.graph_store.clone(), update: args.update.clone() };
    let skip = if args.no_links { vec![setup.base.links_graph()] } else { Vec::new() };
    let options = PushOptions { jobs: args.jobs, force: args.force, dry_run: args.dry_run, prune: args.prune, skip, ..PushOptions::default() };
    let manifest = setup.base.manifest_graph();
    let vocabulary = &setup.vocabulary;
    let bar = output::graph_progress(0);
    let reporter = bar.clone();
    let result = factgraph::http::push::push(&kb, &remote, &target, manifest.as_ref(), vocabulary.content_hash.as_ref(), &options, move |report| {
        reporter.set_length(report.graphs as u64);
        reporter.set_position((report.sent + report.unchanged) as u64);
    });
    bar.finish_and_clear();
    let describe = |r: &factgraph::http::push::PushReport| {
        let seconds = r.elapsed.as_secs_f64();
        format!(
            "{} of {} graph{} sent ({} unchanged{}), {} triples, {:.1} MB in {seconds:.2} s ({:.0} triples/s) by {}{}",
            r.sent,
            r.graphs,
            plural(r.graphs),
            r.unchanged,
            if r.pruned > 0 { format!(", {} deleted from the server", r.pruned) } else { String::new() },
            r.triples,
            r.bytes as f64 / 1e6,
            r.triples as f64 / seconds.max(1e-9),
            r.method,
            if r.retried > 0 { format!("; {} request{} retried", r.retried, plural(r.retried as usize)) } else { String::new() },
        )
    };
    match result {
        Ok(report) if args.dry_run => {
            eprintln!(
                "{} {} of {} graph{} would be sent ({} triples, {:.1} MB), {} unchanged{}; nothing was sent",
                Style::stderr().green("dry run:"),
                report.sent,
                report.graphs,
                plural(report.graphs),
                report.triples,
                report.bytes as f64 / 1e6,
                report.unchanged,
                if args.prune { format!(", {} would be deleted from the server", report.pruned) } else { String::new() }
            );
            Ok(Exit::Success)
        }
        Ok(report) => {
            eprintln!("{} {} to {}", Style::stderr().green("pushed:"), describe(&report), args.graph_store.as_deref().or(args.update.as_deref()).or(args.endpoint.as_deref()).unwrap_or_default());
            Ok(Exit::Success)
        }
        Err(PushError::Send { graph, source, report }) => {
            eprintln!("{} {} before the failure; the server's manifest records them, so a new push resumes", Style::stderr().bold("partial:"), describe(&report));
            Err(AppError::failure(PushError::Send { graph, source, report }))
        }
        Err(error) => Err(AppError::failure(error)),
    }
}

/// Writes the store (or one graph) in `format`; returns the number of quads written.
fn export_to(kb: &KnowledgeBase, setup: &Context, graph: Option<&NamedNode>, with_ontology: bool, format: serialize::Format, out: &mut impl Write) -> Result<usize> {
    use factgraph::store::export::{self, ExportError, Selection};
    let skip: Vec<NamedNode> = if with_ontology || graph.is_some() { Vec::new() } else { vec![setup.ontology.iri.clone()] };
    let selection = match graph {
        Some(graph) => Selection::Graph(graph.as_ref()),
        None => Selection::All { skip: &skip },
    };
    // Read on every core; the output does not depend on the number of threads.
    let threads = parallel::default_threads();
    let written = if format.is_line_based() {
        export::write_lines(kb, selection, format, threads, out)
    } else {
        export::write_sorted(kb, selection, format, &setup.prefixes, threads, out)
    };
    match written {
        Ok((_, count)) => Ok(count),
        Err(ExportError::Io(e)) => Err(e.into()),
        Err(e) => Err(AppError::failure(e)),
    }
}

fn export(args: &cli::ExportArgs) -> Result<Exit> {
    let setup = Context::new(&args.base.base)?;
    let kb = KnowledgeBase::open_read_only(&args.store.store)?;
    let graph = match &args.graph {
        Some(graph) => {
            let graph = article_graph(graph, &setup)?;
            if !kb.store().contains_named_graph(graph.as_ref()).map_err(AppError::failure)? {
                return Err(AppError::usage(format!("the store has no graph {}", graph.as_str())));
            }
            Some(graph)
        }
        None => None,
    };
    let mut output = Output::open(args.output.output.as_deref())?;
    export_to(&kb, &setup, graph.as_ref(), args.with_ontology, args.format.format(), &mut output)?;
    output.commit()?;
    Ok(Exit::Success)
}

fn stats(args: &cli::StoreArgs) -> Result<Exit> {
    let setup = Context::new(factgraph::rdf::iri::DEFAULT_BASE)?;
    let kb = KnowledgeBase::open_read_only(&args.store)?;
    let stats = factgraph::store::stats::Stats::collect(&kb, &setup.vocabulary)?;
    let mut out = io::stdout().lock();
    write!(out, "{}", stats.render(kb.path()))?;
    Ok(Exit::Success)
}

fn build(args: &cli::BuildArgs) -> Result<Exit> {
    let started = Instant::now();
    let style = Style::stderr();
    let setup = Context::new(&args.base.base)?;
    eprintln!("{} {}", style.bold("1. check"), display_paths(&args.paths));
    let (kb, checked) = load_into(&args.paths, &args.text_root, &args.store.store, &args.tuning, &setup)?;
    eprintln!("   {} document{} valid", checked.valid, plural(checked.valid));
    let wikidata = Path::new("data/wikidata");
    if wikidata.is_dir() {
        eprintln!("{} with the dumps in {}", style.bold("2. link"), wikidata.display());
        let (index, report) = build_index(&[wikidata.to_path_buf()], &["en".to_string()])?;
        report_dump_problems(&report);
        let outcome = link_store(&kb, &setup, &index.index(), None, false)?;
        eprintln!("   {outcome}");
    } else {
        eprintln!("{} skipped: no data/wikidata folder", style.bold("2. link"));
    }
    eprintln!("{} saved query {:?}", style.bold("3. query"), args.showcase);
    let library = query_library(None)?;
    let saved = library.resolve(&args.showcase)?;
    let bindings = saved.bind(&[], setup.mapper.base())?;
    eprintln!("   {}", saved.title);
    let program = program();
    let store = if args.store.store == Path::new(factgraph::store::DEFAULT_STORE) {
        String::new()
    } else {
        format!(" --store {}", shell_word(&args.store.store.display().to_string()))
    };
    let layout = output::Layout::new(false, true, format!("{program} query {}{store} --wide", shell_word(&args.showcase)));
    let mut stdout = io::stdout().lock();
    write_results(&saved, &kb, &bindings, ResultFormatArg::Table, &layout, &setup, &mut stdout)?;
    stdout.flush()?;
    eprintln!("{} {}", style.bold("4. export"), args.export.display());
    let mut output = Output::open(Some(&args.export))?;
    let triples = export_to(&kb, &setup, None, false, serialize::Format::Turtle, &mut output)?;
    output.commit()?;
    let stats = factgraph::store::stats::Stats::collect(&kb, &setup.vocabulary)?;
    eprintln!(
        "{} {} article{}, {} entities, {} statements, {} Wikidata links; {} quads exported as Turtle; {:.2} s",
        style.green("done:"),
        stats.articles,
        plural(stats.articles),
        stats.entities(),
        stats.statements(),
        stats.links,
        triples,
        started.elapsed().as_secs_f64()
    );
    eprintln!("   next: {program} queries\n         {program} query articles{store}\n         {program} stats{store}");
    Ok(Exit::Success)
}

/// How to run this binary again from the current folder: its name when it was found on the PATH,
/// else its path (relative to the current folder when it is inside it).
fn program() -> String {
    let invoked = std::env::args().next().unwrap_or_else(|| "factgraph".into());
    let path = Path::new(&invoked);
    let relative = std::env::current_dir().ok().and_then(|dir| path.strip_prefix(dir).ok().map(Path::to_path_buf));
    match relative {
        Some(relative) => shell_word(&Path::new(".").join(relative).display().to_string()),
        None => shell_word(&invoked),
    }
}

/// `text` as one shell word: quoted when it holds anything but letters, digits and `/._-+=:,`.
fn shell_word(text: &str) -> String {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=:,".contains(c)) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

fn display_paths(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" ")
}

/// Reads dump files (folders: their .json, .json.gz and .json.bz2 files) into the items of an
/// index in memory, with a progress bar in MB/s on a terminal.
fn build_index(paths: &[PathBuf], languages: &[String]) -> Result<(factgraph::linking::wikidata::Items, factgraph::linking::wikidata::BuildReport)> {
    let mut builder = factgraph::linking::wikidata::IndexBuilder::new(languages.to_vec());
    read_dumps(&mut builder, paths)?;
    Ok(builder.finish())
}

/// Reads dump files (folders: their .json, .json.gz and .json.bz2 files) into `builder`, with a
/// progress bar in MB/s on a terminal.
fn read_dumps<S: factgraph::linking::wikidata::ItemSink>(builder: &mut factgraph::linking::wikidata::IndexBuilder<S>, paths: &[PathBuf]) -> Result<()> {
    use factgraph::linking::wikidata::{self, WikidataError};
    let files = wikidata::dump_files(paths).map_err(|e| match e {
        WikidataError::NoDumps { .. } => AppError::usage(e.to_string()),
        e => e.into(),
    })?;
    let total: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    let counter = builder.progress();
    let bar = output::byte_progress(total);
    let ticker = {
        let bar = bar.clone();
        let counter = std::sync::Arc::clone(&counter);
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = std::sync::Arc::clone(&done);
        let handle = std::thread::spawn(move || {
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                bar.set_position(counter.load(std::sync::atomic::Ordering::Relaxed));
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        (done, handle)
    };
    let result = files.iter().try_for_each(|file| builder.read_path(file));
    ticker.0.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = ticker.1.join();
    bar.finish_and_clear();
    Ok(result?)
}

fn report_dump_problems(report: &factgraph::linking::wikidata::BuildReport) {
    for problem in report.problems.iter().take(20) {
        eprintln!("warning: {problem}");
    }
    if report.problems.len() > 20 {
        eprintln!("warning: … and {} more malformed lines", report.problems.len() - 20);
    }
}

fn wikidata_index(args: &cli::IndexArgs) -> Result<Exit> {
    let started = Instant::now();
    let writer = factgraph::linking::index::IndexWriter::new(&args.languages, (args.memory as usize) << 20)?;
    let mut builder = factgraph::linking::wikidata::IndexBuilder::with_sink(args.languages.clone(), writer);
    read_dumps(&mut builder, &args.dumps)?;
    let (writer, report) = builder.into_parts();
    let mut output = Output::open(Some(&args.output))?;
    let items = writer.finish(&mut output)?;
    report_dump_problems(&report);
    output.commit()?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "{} {} items from {} lines ({} skipped, {} malformed), {:.1} MB in {seconds:.2} s ({:.1} MB/s) into {}",
        Style::stderr().green("indexed:"),
        items,
        report.lines,
        report.skipped,
        report.problems.len(),
        report.bytes as f64 / 1e6,
        report.bytes as f64 / 1e6 / seconds.max(1e-9),
        args.output.display()
    );
    Ok(Exit::Success)
}

/// The index named by --index, or built from --dump (default data/wikidata).
fn link_index(args: &cli::LinkArgs) -> Result<factgraph::linking::index::Index> {
    if let Some(path) = &args.index {
        return Ok(factgraph::linking::index::Index::open(path)?);
    }
    let dumps = if args.dump.is_empty() { vec![PathBuf::from("data/wikidata")] } else { args.dump.clone() };
    if args.dump.is_empty() && !dumps[0].is_dir() {
        return Err(AppError::usage("give --index INDEX or --dump DUMP (there is no data/wikidata folder here)"));
    }
    let (items, report) = build_index(&dumps, &args.languages)?;
    report_dump_problems(&report);
    Ok(items.index())
}

/// Links the store's entities and writes the links (or a review sheet). Returns a summary line.
fn link_store(kb: &KnowledgeBase, setup: &Context, index: &factgraph::linking::index::Index, review: Option<&Path>, explain: bool) -> Result<String> {
    let plan = factgraph::linking::policy::plan_links(kb, setup, index)?;
    if explain {
        for (entity, decision) in &plan.decided {
            let verdict = decision.link.as_ref().map_or("NIL".to_string(), |c| format!("{} {}", c.qid, c.label));
            eprintln!("{}  {}  ->  {verdict}: {}", entity.node.as_str(), entity.mention.names.join(" / "), decision.reason);
            for c in decision.candidates.iter().take(4) {
                eprintln!("    {} {:?} score {} = {}", c.qid, c.label, factgraph::linking::linker::points(c.points), c.features.describe());
            }
        }
    }
    for warning in &plan.warnings {
        eprintln!("warning: {warning}");
    }
    let (linked, nil) = (plan.linked(), plan.nil());
    if let Some(path) = review {
        let mut output = Output::open(Some(path))?;
        plan.write_sheet(&mut output)?;
        output.commit()?;
        return Ok(format!(
            "review sheet {} written: {linked} proposed links, {nil} NIL; the store is unchanged (apply with --accept)",
            path.display()
        ));
    }
    plan.apply(kb, setup)?;
    let kept = if plan.reviewed == 0 { String::new() } else { format!(", {} kept as reviewed", plan.reviewed) };
    Ok(format!(
        "{linked} linked, {nil} left unlinked (NIL), {} with the extractor's Wikidata id checked ({} problem{}){kept}",
        plan.supplied,
        plan.warnings.len(),
        plural(plan.warnings.len())
    ))
}

fn link(args: &cli::LinkArgs) -> Result<Exit> {
    use factgraph::linking::{links, policy};
    let setup = Context::new(&args.base.base)?;
    let style = Style::stderr();
    if let Some(gold_path) = &args.evaluate {
        let gold = links::read_gold(gold_path)?;
        let paths = if args.paths.is_empty() { vec![PathBuf::from("data/facts")] } else { args.paths.clone() };
        let root = open_text_root(&args.text_root)?;
        let checked = read_and_check(&paths, &root)?;
        refuse_problems(&checked.problems, text_root_hint(&root, &args.text_root))?;
        let index = link_index(args)?;
        let documents: Vec<_> = checked.documents.iter().map(|(_, d)| d).collect();
        let report = policy::evaluate(&documents, &index, &gold).map_err(|e| AppError::invalid_data(e.to_string()))?;
        let evaluation = &report.evaluation;
        let mut out = io::stdout().lock();
        for (key, expected, got) in &evaluation.errors {
            writeln!(out, "error  {key}: expected {expected}, got {got} ({})", report.reason(key))?;
        }
        if args.explain {
            for d in &report.decisions {
                let got = d.link.as_ref().map_or("NIL", |c| c.qid.as_str());
                writeln!(out, "{}  {got}  {}", d.key, d.reason)?;
            }
        }
        writeln!(out, "entities        {}", evaluation.total)?;
        writeln!(out, "gold links      {}", evaluation.gold_links)?;
        writeln!(out, "gold NIL        {}", evaluation.gold_nils)?;
        writeln!(out, "correct links   {}", evaluation.correct_links)?;
        writeln!(out, "wrong links     {}", evaluation.wrong_links)?;
        writeln!(out, "missed links    {}", evaluation.missed)?;
        writeln!(out, "precision       {:.3}", evaluation.precision())?;
        writeln!(out, "recall          {:.3}", evaluation.recall())?;
        writeln!(out, "F1              {:.3}", evaluation.f1())?;
        writeln!(out, "NIL accuracy    {:.3}", evaluation.nil_accuracy())?;
        return Ok(Exit::Success);
    }
    if !args.paths.is_empty() {
        return Err(AppError::usage("FACTS paths go with --evaluate; to link facts, load them first (`factgraph load`), then run `factgraph link`"));
    }
    let kb = KnowledgeBase::open(&args.store.store)?;
    if let Some(sheet) = &args.accept {
        let accepted = policy::accept(&kb, &setup, sheet)?;
        eprintln!("{} {} reviewed links, {} entities set to NIL", style.green("accepted:"), accepted.linked, accepted.nil);
        return Ok(Exit::Success);
    }
    let index = link_index(args)?;
    let summary = link_store(&kb, &setup, &index, args.review.as_deref(), args.explain)?;
    eprintln!("{} {summary}", style.green("linked:"));
    Ok(Exit::Success)
}

fn generate(args: &cli::GenerateArgs) -> Result<Exit> {
    let generator = factgraph::facts::generate::Generator::for_articles(args.seed, args.articles);
    let mut output = Output::open(args.output.output.as_deref())?;
    for n in 0..args.articles {
        serde_json::to_writer(&mut output, &generator.document(n)).map_err(io::Error::from)?;
        output.write_all(b"\n")?;
    }
    output.commit()?;
    Ok(Exit::Success)
}

fn import(args: &cli::ImportArgs) -> Result<Exit> {
    use factgraph::import::{self, BratMapping, ImportError, Labels};
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| AppError::usage(format!("cannot read {}: {e}", path.display())))
    };
    let labels_text = args.labels.as_deref().map(read).transpose()?;
    let mapping_text = args.mapping.as_deref().map(read).transpose()?;
    let named = |path: &Option<PathBuf>, text: &Option<String>| -> Option<(String, String)> {
        Some((path.as_ref()?.display().to_string(), text.clone()?))
    };
    let (labels_file, mapping_file) = (named(&args.labels, &labels_text), named(&args.mapping, &mapping_text));
    let style = Style::stderr();
    let mapping_problems = |problems: Vec<import::ImportProblem>| {
        for problem in &problems {
            eprintln!("{problem}");
        }
        AppError::usage(format!("{} problem{} in the label or mapping file", problems.len(), plural(problems.len())))
    };
    let labels = Labels::new(labels_file.as_ref().map(|(n, t)| (n.as_str(), t.as_str()))).map_err(mapping_problems)?;
    let mapping = BratMapping::new(mapping_file.as_ref().map(|(n, t)| (n.as_str(), t.as_str()))).map_err(mapping_problems)?;
    let options = import::Options { labels, mapping, skip_invalid: args.skip_invalid };
    let format = match args.format {
        cli::ImportFormat::Spacy => import::Format::Spacy,
        cli::ImportFormat::Nif => import::Format::Nif,
        cli::ImportFormat::Brat => import::Format::Brat,
    };
    let imported = match import::import(format, &args.inputs, &options) {
        Ok(imported) => imported,
        Err(ImportError::Invalid(problems)) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            let n = problems.len();
            return Err(AppError::invalid_data(format!("{n} problem{} in the input; nothing written", plural(n))));
        }
        Err(error) => return Err(AppError::failure(error)),
    };
    let mut output = Output::open(Some(&args.output))?;
    for document in &imported.documents {
        serde_json::to_writer(&mut output, document).map_err(io::Error::from)?;
        output.write_all(b"\n")?;
    }
    output.commit()?;
    let s = &imported.summary;
    eprintln!(
        "{} {} document{} from {} file{}: {} mention{} read, {} kept as {} entit{} ({} merged, {} of them by surname; {} with a Wikidata id), {} relation{}, {} event{}",
        style.green("imported"),
        s.documents,
        plural(s.documents),
        s.files,
        plural(s.files),
        s.mentions,
        plural(s.mentions),
        s.kept,
        s.entities,
        if s.entities == 1 { "y" } else { "ies" },
        s.merged,
        s.surnames,
        s.wikidata,
        s.relations,
        plural(s.relations),
        s.events,
        plural(s.events),
    );
    if s.possessives > 0 {
        eprintln!("  trimmed {} trailing possessive{} (\"Putin’s\" → \"Putin\")", s.possessives, plural(s.possessives));
    }
    if !s.dropped.is_empty() {
        eprintln!("  left out:");
        for (reason, count) in &s.dropped {
            eprintln!("  {count:>7}  {reason}");
        }
    }
    if !s.invalid.is_empty() {
        let n = s.invalid.len();
        eprintln!("  dropped {n} mention{} whose offsets do not give their text (--skip-invalid):", plural(n));
        for invalid in &s.invalid {
            eprintln!("    {}", invalid.at);
        }
    }
    Ok(Exit::Success)
}

fn serve(args: &cli::ServeArgs) -> Result<Exit> {
    let setup = Context::new(&args.base.base)?;
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        return Err(AppError::usage("--timeout must be a positive number of seconds"));
    }
    if !(args.client_timeout > 0.0 && args.client_timeout.is_finite()) {
        return Err(AppError::usage("--client-timeout must be a positive number of seconds"));
    }
    let library = query_library(args.queries.as_deref())?;
    let kb = KnowledgeBase::open_read_only(&args.store.store)?;
    let config = factgraph::http::serve::ServeConfig {
        timeout: std::time::Duration::from_secs_f64(args.timeout),
        max_results: args.max_results,
        max_request_bytes: args.max_request_bytes,
        base: setup.mapper.base().clone(),
        prefixes: setup.prefixes.clone(),
    };
    let service = std::sync::Arc::new(factgraph::http::serve::Service::new(kb, library, config));
    let handler = std::sync::Arc::clone(&service);
    let server = oxhttp::Server::new(move |request| handler.handle(request))
        .bind(args.bind)
        // Per read and per write on the socket: a query's own time is bounded by --timeout.
        .with_global_timeout(std::time::Duration::from_secs_f64(args.client_timeout))
        .with_max_concurrent_connections(args.max_connections)
        .with_server_name(concat!("factgraph/", env!("CARGO_PKG_VERSION")))
        .map_err(AppError::failure)?;
    let listening = server.spawn().map_err(|e| AppError::failure(io::Error::new(e.kind(), format!("cannot listen on {}: {e}", args.bind))))?;
    let style = Style::stderr();
    if !args.bind.ip().is_loopback() {
        eprintln!("{} listening on {}, which is not loopback: anyone who can reach it can query the store", style.red("warning:"), args.bind);
    }
    eprintln!(
        "{} http://{}/ (SPARQL endpoint /sparql, saved queries /queries; read-only; Ctrl-C to stop)",
        style.green("serving:"),
        args.bind
    );
    listening.join().map_err(AppError::failure)?;
    Ok(Exit::Success)
}
