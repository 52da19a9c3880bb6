//! The command-line interface: clap definitions only. `main.rs` carries them out.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Turn facts extracted from news articles into a linked, queryable RDF knowledge base.
///
/// The pipeline: facts (JSON) → check → map (RDF) → load (embedded Oxigraph store) → query / export.
/// `factgraph build` runs it all on the bundled data/.
#[derive(Debug, Parser)]
#[command(name = "factgraph", version, propagate_version = true, max_term_width = 100)]
#[command(after_help = "Exit codes: 0 success, 1 invalid input data, 2 usage error, 3 any other failure.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate facts files and report every problem as file:line:column: json.path: message.
    #[command(after_help = "Examples:\n  factgraph check data/\n  factgraph check article.json more.jsonl\n  cat facts.json | factgraph check -")]
    Check(CheckArgs),
    /// Map facts to RDF without a store and write it (Turtle by default).
    #[command(after_help = "Examples:\n  factgraph map data/facts/ > kb.ttl\n  factgraph map data/facts/ --format nquads -o kb.nq\n  factgraph map --base https://example.org/kb/ article.json")]
    Map(MapArgs),
    /// Check, map and load facts into the store: one named graph per article, reloads replace.
    #[command(after_help = "Examples:\n  factgraph load data/facts/\n  factgraph load --store /tmp/kb article.json")]
    Load(LoadArgs),
    /// Prepare the store for reading: compact it (queries and exports read a freshly loaded store two
    /// to three times faster afterwards), write its name index, and keep the listings' results
    /// (saved queries without parameters), so that their pages and whole results are read, not
    /// evaluated. The content does not change; the next load, remove or link drops the listings.
    #[command(after_help = "Examples:\n  factgraph optimize --store factgraph-store\n  factgraph optimize --no-compact")]
    Optimize(OptimizeArgs),
    /// Delete an article (its named graph) from the store.
    #[command(after_help = "Example:\n  factgraph remove russia-nato-split-2021")]
    Remove(RemoveArgs),
    /// List the saved queries with their titles and parameters.
    #[command(after_help = "Example:\n  factgraph queries")]
    Queries(QueriesArgs),
    /// Run a saved query (by name), a .rq file, SPARQL from standard input (-) or given with
    /// --sparql, on the store. Queries only read: an update is refused.
    #[command(after_help = "Examples:\n  factgraph query roles-as-of --param asOf=2021-10-21\n  factgraph query entity --param entity=entity/Q7184 --format csv\n  factgraph query my-question.rq --format json\n  factgraph query --sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'\n  factgraph query --sparql 'SELECT ?p ?o WHERE { ?s ?p ?o }' --param s:iri=entity/Q7184\n  echo 'ASK { ?s ?p ?o }' | factgraph query -")]
    Query(QueryArgs),
    /// Export the knowledge base (or one article's graph) as RDF.
    #[command(after_help = "Examples:\n  factgraph export -o kb.ttl\n  factgraph export --format trig -o kb.trig\n  factgraph export --graph https://factgraph.example/kb/article/russia-nato-split-2021 --format nquads")]
    Export(ExportArgs),
    /// Counts: articles, entities by type, statements, links, store size.
    Stats(StoreArgs),
    /// The main job: check data/, load it, answer a showcase query, write the Turtle export.
    #[command(after_help = "Example:\n  factgraph build            # uses data/facts, writes factgraph-store/ and out/knowledge-base.ttl")]
    Build(BuildArgs),
    /// Link the store's entities to Wikidata items, review or accept links, or evaluate the linker.
    #[command(after_help = "Examples:\n  factgraph link                                   # store entities, with the dumps in data/wikidata/\n  factgraph link --index wikidata.idx --explain\n  factgraph link --review links.tsv                # write a sheet to check, change nothing\n  factgraph link --accept links.tsv                # apply a reviewed sheet\n  factgraph link --evaluate data/gold/russia-nato-split-2021.tsv data/facts")]
    Link(LinkArgs),
    /// Serve the store over HTTP: a read-only SPARQL endpoint, saved queries, and a page for people.
    #[command(after_help = "Examples:\n  factgraph serve                          # http://127.0.0.1:7878/\n  factgraph serve --bind 127.0.0.1:8080 --timeout 10\n  curl -H 'Accept: text/csv' 'http://127.0.0.1:7878/queries/roles-as-of?asOf=2021-10-21'")]
    Serve(ServeArgs),
    /// Send the knowledge base to an existing SPARQL 1.1 server, one graph per article; unchanged graphs are skipped.
    #[command(after_help = "Examples:\n  factgraph push --graph-store http://127.0.0.1:7878/store                                        # Oxigraph server\n  factgraph push --graph-store http://127.0.0.1:8890/sparql-graph-crud-auth --user dba            # Virtuoso (password in FACTGRAPH_PASSWORD)\n  factgraph push --endpoint http://localhost:3030/kb/query --update http://localhost:3030/kb/update  # SPARQL Update only\n  factgraph push --graph-store ... --dry-run                                                       # what would be sent\n\nSee docs/servers.md for each server's URLs and settings.")]
    Push(PushArgs),
    /// Wikidata dump tools.
    #[command(subcommand)]
    Wikidata(WikidataCommand),
    /// Generate synthetic facts (JSON Lines) for benchmarks and stress tests; deterministic from --seed.
    #[command(after_help = "Examples:\n  factgraph generate --articles 1000 -o synthetic.jsonl\n  factgraph generate --articles 10 --seed 42 | factgraph check -")]
    Generate(GenerateArgs),
    /// Turn extractor output (spaCy, NIF, brat) into facts documents (JSON Lines) that pass check.
    #[command(after_help = "Examples:\n  python3 tools/spacy_ner.py article.txt > ner.jsonl && factgraph import spacy ner.jsonl -o facts.jsonl\n  factgraph import nif RSS-500_wd.ttl --skip-invalid -o rss.jsonl\n  factgraph import brat corpus/ --mapping brat.map -o facts.jsonl\n\nThe formats, label tables and mapping files: docs/importing.md.")]
    Import(ImportArgs),
    /// Print the JSON Schema of the facts format.
    #[command(after_help = "Example:\n  factgraph schema > facts.schema.json")]
    Schema(OutputArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of articles.
    #[arg(short = 'n', long, default_value_t = 1000)]
    pub articles: usize,
    /// Random seed: the same seed and count give byte-identical output.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The input format.
    #[arg(value_enum)]
    pub format: ImportFormat,
    /// Input files or folders: spacy .json/.jsonl (- for stdin); nif RDF files; brat .ann files
    /// (beside their .txt) or folders of them.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Where to write the facts documents (JSON Lines; - for stdout).
    #[arg(short, long, value_name = "FACTS.jsonl")]
    pub output: PathBuf,
    /// Extra entity label lines (LABEL = TYPE, or LABEL = - to leave it out) over the default table.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
    /// Extra brat mapping lines (relation TYPE = kind, event TYPE = type, role ROLE = role).
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Leave out mentions whose offsets do not give their text, listing each, instead of failing.
    #[arg(long)]
    pub skip_invalid: bool,
}

/// The formats `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// spaCy's Doc.to_json(): JSON, JSON arrays or JSON Lines.
    Spacy,
    /// NIF 2.0 in any RDF syntax (by file extension; Turtle otherwise).
    Nif,
    /// brat standoff: .ann files with their .txt.
    Brat,
}

#[derive(Debug, Subcommand)]
pub enum WikidataCommand {
    /// Build a linker index from Wikidata JSON dumps (.json, .json.gz, .json.bz2, or - for stdin).
    #[command(after_help = "Examples:\n  factgraph wikidata index latest-all.json.gz -o wikidata.idx\n  bzcat latest-all.json.bz2 | factgraph wikidata index - -o wikidata.idx --languages en,de")]
    Index(IndexArgs),
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Dump files in Wikidata's JSON dump layout (one entity per line), or - for stdin.
    #[arg(required = true, value_name = "DUMP")]
    pub dumps: Vec<PathBuf>,
    /// Where to write the index (a binary file `link --index` maps into memory).
    #[arg(short, long, value_name = "INDEX")]
    pub output: PathBuf,
    /// Label languages to keep, in order of preference.
    #[arg(long, value_delimiter = ',', default_value = "en")]
    pub languages: Vec<String>,
    /// Memory for sorting names and ids, in MiB; beyond it sorted runs go to temporary files.
    #[arg(long, value_name = "MIB", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(16..))]
    pub memory: u32,
    /// Which items to keep: all; types (instances of the linker's type classes through P279);
    /// languages (items with a name in --languages). Combine the last two: types,languages.
    #[arg(long, value_delimiter = ',', default_value = "all", value_name = "WHICH")]
    pub keep: Vec<KeepItems>,
}

/// Items `wikidata index --keep` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeepItems {
    /// Every item.
    All,
    /// Instances of a class the linker accepts for some type (through P279), and the classes it walks.
    Types,
    /// Items with a label, alias or demonym in --languages.
    Languages,
}

#[derive(Debug, Args)]
pub struct LinkArgs {
    /// With --evaluate: the facts to link (default data/facts).
    #[arg(value_name = "FACTS")]
    pub paths: Vec<PathBuf>,
    /// A linker index built by `factgraph wikidata index`.
    #[arg(long, value_name = "INDEX", conflicts_with = "dump")]
    pub index: Option<PathBuf>,
    /// Dump files or folders to index on the fly (default: data/wikidata when no --index is given).
    #[arg(long, value_name = "DUMP")]
    pub dump: Vec<PathBuf>,
    /// Label languages to keep when indexing --dump.
    #[arg(long, value_delimiter = ',', default_value = "en")]
    pub languages: Vec<String>,
    /// Score the linker against a gold file (document, entity, expected QID or NIL) on FACTS.
    #[arg(long, value_name = "GOLD.tsv", conflicts_with_all = ["review", "accept"])]
    pub evaluate: Option<PathBuf>,
    /// Write a review sheet of every decision instead of writing links.
    #[arg(long, value_name = "FILE.tsv", conflicts_with = "accept")]
    pub review: Option<PathBuf>,
    /// Apply a reviewed sheet (its `chosen` column) to the store.
    #[arg(long, value_name = "FILE.tsv")]
    pub accept: Option<PathBuf>,
    /// Show every decision with its features and runners-up.
    #[arg(long)]
    pub explain: bool,
    /// Index items (and their classes) to keep decoded while linking, the most recently used.
    #[arg(long, value_name = "N", default_value_t = factgraph::linking::linker::DEFAULT_CACHE)]
    pub cache: usize,
    /// Memory for the decisions while linking the store, in MiB; beyond it they are sorted in
    /// temporary files.
    #[arg(long, value_name = "MIB", default_value_t = factgraph::linking::links::DEFAULT_MEMORY_MIB)]
    pub memory: usize,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub base: BaseArgs,
    #[command(flatten)]
    pub text_root: TextRootArgs,
}

#[derive(Debug, Args)]
pub struct StoreArgs {
    /// The store folder (created by load/build if missing).
    #[arg(long, value_name = "DIR", env = "FACTGRAPH_STORE", default_value = factgraph::store::DEFAULT_STORE)]
    pub store: PathBuf,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Facts files, folders, or - for stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub tuning: LoadTuning,
    #[command(flatten)]
    pub base: BaseArgs,
    #[command(flatten)]
    pub text_root: TextRootArgs,
}

/// How `load` and `build` use memory, and whether they compact the store.
#[derive(Debug, Args)]
pub struct LoadTuning {
    /// Megabytes of quads the bulk loader holds in its batches, over all its threads: 1200 is
    /// 600,000 quads a batch on two cores. The peak memory of a load is about this (1.4-1.7 GB for
    /// 10,000 benchmark articles, 1.7 GB for 100,000); smaller batches leave more files to read
    /// until the store is optimized. Oxigraph's own default (a million quads a batch per thread)
    /// peaked 25-50% higher.
    #[arg(long, value_name = "MB", default_value_t = 1200, value_parser = clap::value_parser!(u32).range(16..))]
    pub batch_memory: u32,
    /// Optimize the store after loading, as `factgraph optimize` does: compact it (queries and
    /// exports then read it two to three times faster) and keep the listings' results.
    #[arg(long)]
    pub optimize: bool,
}

#[derive(Debug, Args)]
pub struct OptimizeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Leave the store's files as they are: write the name index and keep the listings only.
    /// Opens the store for reading, so it can run while `serve` or queries read it.
    #[arg(long)]
    pub no_compact: bool,
    /// Do not keep the listings (their pages are then evaluated at each question).
    #[arg(long)]
    pub no_listings: bool,
    /// Folder of saved queries whose listings to keep (default: ./queries if it exists, else the
    /// bundled ones). Only a query of the same text uses a kept listing.
    #[arg(long, value_name = "DIR")]
    pub queries: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Document ids (as in the facts' document.id) or article graph IRIs.
    #[arg(required = true, value_name = "DOC-ID")]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub base: BaseArgs,
}

#[derive(Debug, Args)]
pub struct QueriesArgs {
    /// Folder of saved queries (default: ./queries if it exists, else the bundled ones).
    #[arg(long, value_name = "DIR")]
    pub queries: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// A saved query's name (see `factgraph queries`), the path of a .rq file, or - to read the
    /// query from standard input.
    #[arg(value_name = "NAME|FILE.rq|-", required_unless_present = "sparql", conflicts_with = "sparql")]
    pub query: Option<String>,
    /// The query itself, as SPARQL text.
    #[arg(long, value_name = "QUERY")]
    pub sparql: Option<String>,
    /// A parameter value, NAME=VALUE, or NAME:TYPE=VALUE with TYPE one of iri, string, integer,
    /// decimal, date (repeatable). Values are bound, never spliced into the query. A query from a
    /// file, --sparql or - binds any of its variables this way; those its header does not declare
    /// need the TYPE.
    #[arg(short, long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Result format.
    #[arg(short, long, value_enum, default_value_t = ResultFormatArg::Table)]
    pub format: ResultFormatArg,
    /// With the table format: show every column and whole cells. Without it, the table fits the
    /// terminal (100 columns when not writing to one): IRI columns beside their labels and empty
    /// columns are left out, long cells cut, and the rightmost columns dropped if need be.
    #[arg(long)]
    pub wide: bool,
    /// Folder of saved queries (default: ./queries if it exists, else the bundled ones).
    #[arg(long, value_name = "DIR")]
    pub queries: Option<PathBuf>,
    /// Run the query at this SPARQL endpoint instead of the local store (parameters are written
    /// into the query as terms; the server's default graph should be the union of its graphs).
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Instead of the results, print how Oxigraph ran the query: its plan, with the rows and
    /// seconds of each step (a tree; or JSON with --format json).
    #[arg(long, conflicts_with = "endpoint")]
    pub explain: bool,
    #[command(flatten)]
    pub remote: RemoteArgs,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub base: BaseArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// How to reach a SPARQL server.
#[derive(Debug, Args)]
pub struct RemoteArgs {
    /// User name for the server (HTTP Basic or Digest, whichever it asks for).
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Password for --user (better: the FACTGRAPH_PASSWORD environment variable).
    #[arg(long, value_name = "PASSWORD", env = "FACTGRAPH_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Seconds before a request is given up (and retried).
    #[arg(long = "request-timeout", value_name = "SECONDS", default_value_t = 60.0)]
    pub request_timeout: f64,
    /// Retries of a request after a connection failure, 408, 429 or 5xx, with exponential backoff.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub retries: u32,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The server's Graph Store HTTP Protocol endpoint: each graph is PUT to URL?graph=IRI.
    #[arg(long = "graph-store", value_name = "URL", required_unless_present = "endpoint")]
    pub graph_store: Option<String>,
    /// Without --graph-store: the SPARQL query endpoint, where the push manifest is read; graphs
    /// are sent as SPARQL Update to --update, or to this URL.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Without --graph-store: the SPARQL Update endpoint (default: --endpoint).
    #[arg(long, value_name = "URL", conflicts_with = "graph_store", requires = "endpoint")]
    pub update: Option<String>,
    /// Requests in flight at once.
    #[arg(short, long, value_name = "N", default_value_t = 4)]
    pub jobs: usize,
    /// Send every graph, even those the server's manifest says are unchanged.
    #[arg(long)]
    pub force: bool,
    /// Say what would be sent; send nothing.
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    /// Also delete from the server the graphs pushed before that the store no longer has.
    #[arg(long)]
    pub prune: bool,
    /// Leave out the Wikidata links graph (a shard pushing its articles to a shared server).
    #[arg(long = "no-links")]
    pub no_links: bool,
    #[command(flatten)]
    pub remote: RemoteArgs,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub base: BaseArgs,
}

/// Query result formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ResultFormatArg {
    /// An aligned table for people.
    Table,
    /// SPARQL 1.1 CSV results.
    Csv,
    /// SPARQL 1.1 TSV results.
    Tsv,
    /// SPARQL 1.1 JSON results.
    Json,
    /// SPARQL 1.1 XML results.
    Xml,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = RdfFormatArg::Turtle)]
    pub format: RdfFormatArg,
    /// Export only this graph (an article's IRI, or a document id).
    #[arg(long, value_name = "IRI|DOC-ID")]
    pub graph: Option<String>,
    /// Include the ontology's own graph.
    #[arg(long)]
    pub with_ontology: bool,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub base: BaseArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The facts to build from.
    #[arg(value_name = "PATH", default_value = "data/facts")]
    pub paths: Vec<PathBuf>,
    /// Where to write the Turtle export.
    #[arg(long, value_name = "FILE", default_value = "out/knowledge-base.ttl")]
    pub export: PathBuf,
    /// The showcase query to answer.
    #[arg(long, value_name = "NAME", default_value = "roles-as-of")]
    pub showcase: String,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub tuning: LoadTuning,
    #[command(flatten)]
    pub base: BaseArgs,
    #[command(flatten)]
    pub text_root: TextRootArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Facts files (.json: one document; .jsonl/.ndjson: one per line), folders, or - for stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print only the problems, not the closing summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// When there is no problem, write the documents back with every evidence span's offsets filled
    /// in (spans given only by their words get "start" and "end"); nothing else changes.
    #[arg(long)]
    pub write_offsets: bool,
    /// Where --write-offsets writes the documents (- is standard output).
    #[arg(short, long, value_name = "FILE", requires = "write_offsets")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub text_root: TextRootArgs,
}

#[derive(Debug, Args)]
pub struct MapArgs {
    /// Facts files, folders, or - for stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = RdfFormatArg::Turtle)]
    pub format: RdfFormatArg,
    /// Worker threads that validate and map (default: the cores available); the output is the same
    /// for any number.
    #[arg(long, value_name = "N")]
    pub threads: Option<std::num::NonZeroUsize>,
    #[command(flatten)]
    pub base: BaseArgs,
    #[command(flatten)]
    pub text_root: TextRootArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Where facts files may read their article texts from.
#[derive(Debug, Args)]
pub struct TextRootArgs {
    /// The folder every `text_file` must lie in (default: the current folder). A facts file cannot
    /// read a file outside it, through `..` or a symbolic link, nor by an absolute path.
    #[arg(long, value_name = "DIR")]
    pub text_root: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BaseArgs {
    /// Base IRI of the knowledge base's nodes (an absolute IRI ending in / or #).
    #[arg(long, value_name = "IRI", default_value = factgraph::rdf::iri::DEFAULT_BASE)]
    pub base: String,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Write to FILE instead of standard output (- is standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// RDF output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RdfFormatArg {
    /// Turtle: all graphs merged, sorted, with prefixes.
    Turtle,
    /// TriG: one graph per article, sorted, with prefixes.
    Trig,
    /// N-Triples, streamed.
    Ntriples,
    /// N-Quads, streamed, one graph per article.
    Nquads,
    /// JSON-LD, one graph per article.
    Jsonld,
    /// RDF/XML, all graphs merged.
    Rdfxml,
}

impl RdfFormatArg {
    pub fn format(self) -> factgraph::rdf::serialize::Format {
        use factgraph::rdf::serialize::Format;
        match self {
            RdfFormatArg::Turtle => Format::Turtle,
            RdfFormatArg::Trig => Format::TriG,
            RdfFormatArg::Ntriples => Format::NTriples,
            RdfFormatArg::Nquads => Format::NQuads,
            RdfFormatArg::Jsonld => Format::JsonLd,
            RdfFormatArg::Rdfxml => Format::RdfXml,
        }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Loopback by default; anything else exposes the store to the network.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7878")]
    pub bind: std::net::SocketAddr,
    /// Longest a query may run, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Most result rows (or triples) a query may return.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub max_results: usize,
    /// Largest request body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub max_request_bytes: u64,
    /// Most connections served at once.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_connections: usize,
    /// Seconds a client may leave its connection silent (while sending its request, or reading
    /// the answer) before the connection is closed: slow or stalled clients cannot hold a slot.
    #[arg(long = "client-timeout", value_name = "SECONDS", default_value_t = 30.0)]
    pub client_timeout: f64,
    /// Folder of saved queries (default: ./queries if it exists, else the bundled ones).
    #[arg(long, value_name = "DIR")]
    pub queries: Option<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub base: BaseArgs,
}
