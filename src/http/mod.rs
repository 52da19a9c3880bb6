//! The knowledge base over HTTP: the client side (requests to other SPARQL servers, pushing graphs,
//! parameters written into queries for them) and the server side (`factgraph serve`).

pub mod inline;
pub mod push;
pub mod remote;
pub mod serve;
pub mod sparql_client;
