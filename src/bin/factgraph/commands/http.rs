//! `push` and `serve`: the store over HTTP.

use std::io;
use factgraph::rdf::Context;
use factgraph::store::KnowledgeBase;
use crate::cli;
use crate::error::{AppError, Exit, Result};
use crate::output::{self, Style};
use crate::plural;
use super::query::{query_library, remote_client};


pub(crate) fn push(args: &cli::PushArgs) -> Result<Exit> {
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

pub(crate) fn serve(args: &cli::ServeArgs) -> Result<Exit> {
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
