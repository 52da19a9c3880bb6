//! The `factgraph` binary: parses the command line (`cli.rs`), runs the library, and owns the wording,
//! exit codes, colour and progress display (`output.rs`).

mod cli;
mod commands;
mod error;
mod output;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use clap::Parser;
use cli::{Cli, Command};
use commands::{facts, http, link, query, store};
use error::{Exit, Result};
use output::{Output, Style};

/// mimalloc, for Rust and (the crate's `override` feature) for C and C++ alike. Both must be one
/// allocator: Oxigraph takes RocksDB's `malloc`ed error messages into `CString::from_raw`, so they
/// are freed by Rust's allocator (`tests/reliability.rs`, the full-disk test, catches a mismatch).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        Command::Check(args) => facts::check(&args),
        Command::Map(args) => facts::map(&args),
        Command::Load(args) => store::load(&args),
        Command::Remove(args) => store::remove(&args),
        Command::Optimize(args) => store::optimize(&args),
        Command::Queries(args) => query::list_queries(&args),
        Command::Query(args) => query::query(&args),
        Command::Export(args) => store::export(&args),
        Command::Stats(args) => store::stats(&args),
        Command::Build(args) => store::build(&args),
        Command::Link(args) => link::link(&args),
        Command::Generate(args) => facts::generate(&args),
        Command::Import(args) => facts::import(&args),
        Command::Serve(args) => http::serve(&args),
        Command::Push(args) => http::push(&args),
        Command::Wikidata(cli::WikidataCommand::Index(args)) => link::wikidata_index(&args),
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

fn display_paths(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" ")
}
