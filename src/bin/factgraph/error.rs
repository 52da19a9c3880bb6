//! The binary's errors: every library error as a message with its causes, the advice that helps on
//! the command line, and the documented exit code (from the error's kind, never from its text).

use std::fmt;
use std::io;
use factgraph::rdf::ContextError;

/// Documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    Success = 0,
    InvalidData = 1,
    Usage = 2,
    Failure = 3,
}

/// An error the binary reports: its message (with cause chain) and exit code.
#[derive(Debug)]
pub(crate) struct AppError {
    pub(crate) exit: Exit,
    pub(crate) message: String,
    pub(crate) broken_pipe: bool,
}

impl AppError {
    pub(crate) fn new(exit: Exit, message: impl Into<String>) -> AppError {
        AppError { exit, message: message.into(), broken_pipe: false }
    }

    pub(crate) fn usage(message: impl Into<String>) -> AppError {
        AppError::new(Exit::Usage, message)
    }

    pub(crate) fn invalid_data(message: impl Into<String>) -> AppError {
        AppError::new(Exit::InvalidData, message)
    }

    /// Any error with its whole cause chain, and the command line's advice for it (see [`advice`]).
    pub(crate) fn failure(error: impl std::error::Error + 'static) -> AppError {
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
pub(crate) fn advice(error: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
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

pub(crate) type Result<T, E = AppError> = std::result::Result<T, E>;

/// A bad base IRI is the user's mistake; an ontology that does not load is a failure.
impl From<ContextError> for AppError {
    fn from(error: ContextError) -> Self {
        match error {
            ContextError::Base(e) => AppError::usage(e.to_string()),
            e => AppError::failure(e),
        }
    }
}
