//! The `factgraph` binary: parses the command line (`cli.rs`), runs the library, and owns the wording,
//! exit codes, colour and progress display (`output.rs`).

mod cli;
mod output;

use clap::Parser;
use cli::{Cli, Command, ResultFormatArg};
use factgraph::mapping::{Base, Mapper};
use factgraph::ontology::{Ontology, Vocabulary};
use factgraph::pipeline::{self, Checked};
use factgraph::query::{QueryLibrary, SavedQuery};
use factgraph::serialize::{self, LineWriter, Prefixes};
use factgraph::store::KnowledgeBase;
use oxigraph::model::{GraphNameRef, NamedNode, Term};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::QueryResults;
use output::{Output, Style};
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

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

    /// Any error with its whole cause chain.
    fn failure(error: impl std::error::Error) -> AppError {
        let mut message = error.to_string();
        let mut cause = error.source();
        while let Some(inner) = cause {
            let text = inner.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            cause = inner.source();
        }
        AppError::new(Exit::Failure, message)
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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
        AppError::failure(error)
    }
}

impl From<factgraph::query::QueryError> for AppError {
    fn from(error: factgraph::query::QueryError) -> Self {
        use factgraph::query::QueryError as Q;
        let exit = match &error {
            Q::Unknown { .. } | Q::BadName(_) | Q::UnknownParam { .. } | Q::MissingParam { .. } | Q::BadParam { .. } | Q::ParamSyntax(_) => {
                Exit::Usage
            }
            _ => Exit::Failure,
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
        Command::Queries(args) => list_queries(&args),
        Command::Query(args) => query(&args),
        Command::Export(args) => export(&args),
        Command::Stats(args) => stats(&args),
        Command::Build(args) => build(&args),
        Command::Schema(args) => {
            let mut output = Output::open(args.output.as_deref())?;
            output.write_all(factgraph::schema::json_schema_text().as_bytes())?;
            output.commit()?;
            Ok(Exit::Success)
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn read_and_check(paths: &[PathBuf]) -> Result<Checked> {
    pipeline::check(paths).map_err(AppError::failure)
}

/// Prints every problem to stderr; returns the error that ends the run if there were any.
fn refuse_problems(checked: &Checked) -> Result<()> {
    if checked.is_clean() {
        return Ok(());
    }
    let stderr = io::stderr();
    let mut stderr = stderr.lock();
    for problem in &checked.problems {
        let _ = writeln!(stderr, "{problem}");
    }
    Err(AppError::invalid_data(format!(
        "{} problem{} in the input; nothing was written (see `factgraph check`)",
        checked.problems.len(),
        plural(checked.problems.len()),
    )))
}

fn check(args: &cli::CheckArgs) -> Result<Exit> {
    let checked = read_and_check(&args.paths)?;
    let stdout = io::stdout();
    let mut stdout = stdout.lock();
    for problem in &checked.problems {
        writeln!(stdout, "{problem}")?;
    }
    if !args.quiet {
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

/// The ontology, the mapper and the output prefixes for one run.
struct Setup {
    ontology: Ontology,
    mapper: Mapper,
    prefixes: Prefixes,
}

impl Setup {
    fn new(base: &str) -> Result<Setup> {
        let base = Base::new(base).map_err(|e| AppError::usage(e.to_string()))?;
        let ontology = Ontology::bundled().map_err(AppError::failure)?;
        let mapper = Mapper::new(&ontology, base.clone()).map_err(AppError::failure)?;
        let prefixes = Prefixes::standard(&ontology.prefix, &ontology.namespace, base.as_str());
        Ok(Setup { ontology, mapper, prefixes })
    }

    fn vocabulary(&self) -> Result<Vocabulary> {
        Vocabulary::new(&self.ontology).map_err(AppError::failure)
    }

    /// The namespaces shown as prefixes in tables.
    fn table_prefixes(&self) -> Vec<(String, String)> {
        vec![
            (self.ontology.prefix.clone(), self.ontology.namespace.clone()),
            ("wd".into(), factgraph::mapping::WIKIDATA_ENTITY.into()),
        ]
    }
}

fn map(args: &cli::MapArgs) -> Result<Exit> {
    let setup = Setup::new(&args.base.base)?;
    let checked = read_and_check(&args.paths)?;
    refuse_problems(&checked)?;
    let format = args.format.format();
    let mut output = Output::open(args.output.output.as_deref())?;
    if format.is_line_based() {
        let mut writer = LineWriter::new(format, &mut output);
        for (_, document) in &checked.documents {
            for quad in setup.mapper.map(document) {
                writer.write(quad.as_ref())?;
            }
        }
        writer.finish()?;
    } else {
        let quads: Vec<_> = checked.documents.iter().flat_map(|(_, d)| setup.mapper.map(d)).collect();
        serialize::write_sorted(&quads, format, &setup.prefixes, &mut output)?;
    }
    output.commit()?;
    Ok(Exit::Success)
}

/// Checks, maps and loads; prints the one-line summary. Returns the open store for further steps.
fn load_into(paths: &[PathBuf], store: &Path, setup: &Setup) -> Result<(KnowledgeBase, Checked)> {
    let checked = read_and_check(paths)?;
    refuse_problems(&checked)?;
    let kb = KnowledgeBase::open(store)?;
    kb.install_ontology(&setup.ontology)?;
    let documents: Vec<_> = checked.documents.iter().map(|(_, d)| d).collect();
    let bar = output::quad_progress(0);
    let reporter = bar.clone();
    let summary = kb.load(&setup.mapper, &documents, move |n| {
        reporter.set_length(n.max(reporter.length().unwrap_or(0)));
        reporter.set_position(n);
    })?;
    bar.finish_and_clear();
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
    Ok((kb, checked))
}

fn load(args: &cli::LoadArgs) -> Result<Exit> {
    let setup = Setup::new(&args.base.base)?;
    load_into(&args.paths, &args.store.store, &setup)?;
    Ok(Exit::Success)
}

/// A document id or an article IRI, as the article's graph.
fn article_graph(id_or_iri: &str, setup: &Setup) -> Result<NamedNode> {
    if id_or_iri.contains(':') {
        NamedNode::new(id_or_iri).map_err(|e| AppError::usage(format!("{id_or_iri:?} is not an IRI: {e}")))
    } else if factgraph::validate::valid_id(id_or_iri) {
        Ok(setup.mapper.base().article(id_or_iri))
    } else {
        Err(AppError::usage(format!("{id_or_iri:?} is neither a document id nor an IRI")))
    }
}

fn remove(args: &cli::RemoveArgs) -> Result<Exit> {
    let setup = Setup::new(&args.base.base)?;
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
    let setup = Setup::new(&args.base.base)?;
    let library = query_library(args.queries.as_deref())?;
    let saved = library.resolve(&args.query)?;
    let bindings = saved.bind(&args.params, setup.mapper.base())?;
    let kb = KnowledgeBase::open_read_only(&args.store.store)?;
    let mut output = Output::open(args.output.output.as_deref())?;
    write_results(&saved, &kb, &bindings, args.format, &setup, &mut output)?;
    output.commit()?;
    Ok(Exit::Success)
}

fn write_results(
    saved: &SavedQuery,
    kb: &KnowledgeBase,
    bindings: &[(oxigraph::sparql::Variable, Term)],
    format: ResultFormatArg,
    setup: &Setup,
    out: &mut impl Write,
) -> Result<()> {
    let results = saved.execute(kb.store(), bindings)?;
    let evaluation = |e| AppError::failure(factgraph::query::QueryError::Evaluation { query: saved.name.clone(), source: e });
    match results {
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
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
                        let solution = solution.map_err(evaluation)?;
                        serializer.serialize(&solution)?;
                    }
                    serializer.finish()?;
                }
                None => {
                    let prefixes = setup.table_prefixes();
                    let base = setup.mapper.base().as_str();
                    let header: Vec<String> = variables.iter().map(|v| v.as_str().to_string()).collect();
                    let mut rows = Vec::new();
                    for solution in solutions {
                        let solution = solution.map_err(evaluation)?;
                        rows.push(variables.iter().map(|v| output::cell(solution.get(v), &prefixes, base)).collect());
                    }
                    output::write_table(out, &header, &rows, 70)?;
                }
            }
        }
        QueryResults::Boolean(value) => match format {
            ResultFormatArg::Table => writeln!(out, "{value}")?,
            other => {
                let results_format = match other {
                    ResultFormatArg::Csv => QueryResultsFormat::Csv,
                    ResultFormatArg::Tsv => QueryResultsFormat::Tsv,
                    ResultFormatArg::Xml => QueryResultsFormat::Xml,
                    _ => QueryResultsFormat::Json,
                };
                QueryResultsSerializer::from_format(results_format).serialize_boolean_to_writer(out, value)?;
            }
        },
        QueryResults::Graph(triples) => {
            let quads: Vec<_> = triples
                .map(|t| t.map(|t| t.in_graph(oxigraph::model::GraphName::DefaultGraph)))
                .collect::<Result<_, _>>()
                .map_err(evaluation)?;
            serialize::write_sorted(&quads, serialize::Format::Turtle, &setup.prefixes, out)?;
        }
    }
    Ok(())
}

/// Writes the store (or one graph) in `format`; returns the number of quads written.
fn export_to(kb: &KnowledgeBase, setup: &Setup, graph: Option<&NamedNode>, with_ontology: bool, format: serialize::Format, out: &mut impl Write) -> Result<usize> {
    let skip: Vec<NamedNode> = if with_ontology || graph.is_some() { Vec::new() } else { vec![setup.ontology.iri.clone()] };
    if format.is_line_based() {
        // Streamed graph by graph, in the store's own (stable) order.
        let graphs = match graph {
            Some(graph) => vec![graph.clone()],
            None => kb.graphs()?.into_iter().filter(|g| !skip.contains(g)).collect(),
        };
        let mut writer = LineWriter::new(format, &mut *out);
        let mut count = 0;
        for graph in graphs {
            for quad in kb.store().quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(graph.as_ref()))) {
                let quad = quad.map_err(AppError::failure)?;
                writer.write(quad.as_ref())?;
                count += 1;
            }
        }
        writer.finish()?;
        Ok(count)
    } else {
        let quads = kb.quads(graph.map(NamedNode::as_ref), &skip)?;
        serialize::write_sorted(&quads, format, &setup.prefixes, out)?;
        Ok(quads.len())
    }
}

fn export(args: &cli::ExportArgs) -> Result<Exit> {
    let setup = Setup::new(&args.base.base)?;
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
    let setup = Setup::new(factgraph::mapping::DEFAULT_BASE)?;
    let kb = KnowledgeBase::open_read_only(&args.store)?;
    let v = setup.vocabulary()?;
    let stats = factgraph::stats::Stats::collect(&kb, &v)?;
    let mut out = io::stdout().lock();
    write!(out, "{}", stats.render(kb.path()))?;
    Ok(Exit::Success)
}

fn build(args: &cli::BuildArgs) -> Result<Exit> {
    let started = Instant::now();
    let style = Style::stderr();
    let setup = Setup::new(&args.base.base)?;
    eprintln!("{} {}", style.bold("1. check"), display_paths(&args.paths));
    let (kb, checked) = load_into(&args.paths, &args.store.store, &setup)?;
    eprintln!("   {} document{} valid", checked.documents.len(), plural(checked.documents.len()));
    eprintln!("{} saved query {:?}", style.bold("2. query"), args.showcase);
    let library = query_library(None)?;
    let saved = library.resolve(&args.showcase)?;
    let bindings = saved.bind(&[], setup.mapper.base())?;
    eprintln!("   {}", saved.title);
    let mut stdout = io::stdout().lock();
    write_results(&saved, &kb, &bindings, ResultFormatArg::Table, &setup, &mut stdout)?;
    stdout.flush()?;
    eprintln!("{} {}", style.bold("3. export"), args.export.display());
    let mut output = Output::open(Some(&args.export))?;
    let triples = export_to(&kb, &setup, None, false, serialize::Format::Turtle, &mut output)?;
    output.commit()?;
    let stats = factgraph::stats::Stats::collect(&kb, &setup.vocabulary()?)?;
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
    eprintln!("   next: factgraph queries | factgraph query NAME | factgraph stats");
    Ok(Exit::Success)
}

fn display_paths(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" ")
}
