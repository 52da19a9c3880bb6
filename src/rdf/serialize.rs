//! Writing quads in the RDF formats, with deterministic, diff-friendly Turtle and TriG.
//!
//! [`SortedWriter`] (and [`write_sorted`] for quads in memory) sorts and de-duplicates before
//! writing: subjects in IRI order, `rdf:type` then `rdfs:label` first within a subject, then
//! predicates and objects in order; it declares only the prefixes the output uses. It sorts with a
//! bounded amount of memory ([`crate::rdf::sorter`]: runs beyond the budget go to temporary files), so
//! the output depends only on the set of quads, however many. [`LineWriter`] and [`write_line`]
//! stream N-Triples and N-Quads without holding them.

use crate::facts::EntityType;
use crate::rdf::iri::{Base, WIKIDATA_ENTITY};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphNameRef, NamedOrBlankNodeRef, Quad, QuadRef, TermRef};
use std::cmp::Ordering;
use std::io::{self, Write};

/// The RDF formats factgraph writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Turtle: the union of all graphs, pretty and sorted.
    Turtle,
    /// TriG: every graph kept, pretty and sorted.
    TriG,
    /// N-Triples: the union of all graphs, one triple per line.
    NTriples,
    /// N-Quads: every quad, one per line.
    NQuads,
    /// JSON-LD, graphs kept.
    JsonLd,
    /// RDF/XML: the union of all graphs.
    RdfXml,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 6] = [Format::Turtle, Format::TriG, Format::NTriples, Format::NQuads, Format::JsonLd, Format::RdfXml];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Turtle => "turtle",
            Format::TriG => "trig",
            Format::NTriples => "ntriples",
            Format::NQuads => "nquads",
            Format::JsonLd => "jsonld",
            Format::RdfXml => "rdfxml",
        }
    }

    /// Oxigraph's format.
    pub fn rdf_format(self) -> RdfFormat {
        match self {
            Format::Turtle => RdfFormat::Turtle,
            Format::TriG => RdfFormat::TriG,
            Format::NTriples => RdfFormat::NTriples,
            Format::NQuads => RdfFormat::NQuads,
            Format::JsonLd => RdfFormat::JsonLd { profile: oxigraph::io::JsonLdProfile::Streaming.into() },
            Format::RdfXml => RdfFormat::RdfXml,
        }
    }

    /// True if the format keeps named graphs.
    pub fn keeps_graphs(self) -> bool {
        matches!(self, Format::TriG | Format::NQuads | Format::JsonLd)
    }

    /// True for the line-based formats, which are streamed unsorted.
    pub fn is_line_based(self) -> bool {
        matches!(self, Format::NTriples | Format::NQuads)
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Turtle => "ttl",
            Format::TriG => "trig",
            Format::NTriples => "nt",
            Format::NQuads => "nq",
            Format::JsonLd => "jsonld",
            Format::RdfXml => "rdf",
        }
    }
}

/// Namespace prefixes offered to the pretty formats; only those used are declared.
#[derive(Debug, Clone, Default)]
pub struct Prefixes {
    entries: Vec<(String, String)>,
}

impl Prefixes {
    /// The standard set: the ontology's prefix, rdfs, xsd and wd, and prefixes for the entity nodes
    /// under `base` (`person:jens-stoltenberg`, `entity:Q7184`). Statement and article nodes, whose
    /// paths hold '/', stay full IRIs: Turtle could only abbreviate them with `\/` escapes.
    pub fn standard(ontology_prefix: &str, ontology_namespace: &str, base: &Base) -> Prefixes {
        let mut entries = vec![
            (ontology_prefix.to_string(), ontology_namespace.to_string()),
            ("rdf".into(), rdf::TYPE.as_str().trim_end_matches("type").to_string()),
            ("rdfs".into(), rdfs::LABEL.as_str().trim_end_matches("label").to_string()),
            ("xsd".into(), xsd::STRING.as_str().trim_end_matches("string").to_string()),
            ("wd".into(), WIKIDATA_ENTITY.to_string()),
        ];
        // Longer namespaces first: the serializer takes the first prefix that fits. Groups have none:
        // without a key or Wikidata id they belong to their article.
        let named = [EntityType::Person, EntityType::Organisation, EntityType::Country, EntityType::City, EntityType::Place, EntityType::Other];
        for kind in named {
            entries.push((kind.as_str().to_string(), base.entity_type_namespace(kind)));
        }
        entries.push(("entity".into(), base.entity_namespace()));
        Prefixes { entries }
    }

    /// The prefixes whose local names would not need `\/` escapes for `iri`.
    fn fits(namespace: &str, iri: &str) -> bool {
        iri.strip_prefix(namespace).is_some_and(|local| !local.is_empty() && !local.contains('/'))
    }

    /// The prefixes `usage` found used, in declaration order.
    pub fn used<'a>(&'a self, usage: &PrefixUse) -> Vec<&'a (String, String)> {
        self.entries.iter().zip(&usage.used).filter(|(_, used)| **used).map(|(entry, _)| entry).collect()
    }

    /// Notes the prefix (if any) that abbreviates `iri`: the first that fits it.
    fn note(&self, iri: &str, used: &mut Vec<bool>) {
        if let Some(i) = self.entries.iter().position(|(_, ns)| Prefixes::fits(ns, iri)) {
            if used.len() < self.entries.len() {
                used.resize(self.entries.len(), false);
            }
            used[i] = true;
        }
    }
}

/// Which prefixes of a [`Prefixes`] set some quads use: each IRI is abbreviated by the first
/// prefix that fits it, and only those prefixes are declared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrefixUse {
    used: Vec<bool>,
}

impl PrefixUse {
    /// Notes the prefixes `quad` uses when written with `prefixes` (its graph name only if
    /// `keep_graph`).
    pub fn note(&mut self, prefixes: &Prefixes, quad: QuadRef<'_>, keep_graph: bool) {
        if let NamedOrBlankNodeRef::NamedNode(n) = quad.subject {
            prefixes.note(n.as_str(), &mut self.used);
        }
        if quad.predicate != rdf::TYPE {
            prefixes.note(quad.predicate.as_str(), &mut self.used);
        }
        match quad.object {
            TermRef::NamedNode(n) => prefixes.note(n.as_str(), &mut self.used),
            TermRef::Literal(l) if !is_inline_datatype(l.datatype().as_str()) => prefixes.note(l.datatype().as_str(), &mut self.used),
            _ => {}
        }
        if keep_graph {
            if let GraphNameRef::NamedNode(n) = quad.graph_name {
                prefixes.note(n.as_str(), &mut self.used);
            }
        }
    }

    /// Adds what `other` found.
    pub fn merge(&mut self, other: &PrefixUse) {
        if self.used.len() < other.used.len() {
            self.used.resize(other.used.len(), false);
        }
        for (a, b) in self.used.iter_mut().zip(&other.used) {
            *a |= *b;
        }
    }
}

/// Datatypes Turtle writes without naming them (plain strings, integers, decimals, booleans).
fn is_inline_datatype(datatype: &str) -> bool {
    [xsd::STRING, xsd::INTEGER, xsd::DECIMAL, xsd::BOOLEAN, rdf::LANG_STRING].iter().any(|d| d.as_str() == datatype)
}

/// Sorts, de-duplicates and writes `quads` as `format` (graphs merged unless the format keeps them).
pub fn write_sorted<W: Write>(quads: &[Quad], format: Format, prefixes: &Prefixes, writer: W) -> io::Result<W> {
    let mut sorted = SortedWriter::new(format, prefixes);
    for quad in quads {
        sorted.push(quad.as_ref())?;
    }
    sorted.finish(writer).map(|(writer, _)| writer)
}

/// Sorted, de-duplicated, prefix-minimal output with bounded memory: quads are pushed in any order
/// (see [`crate::rdf::sorter`]: runs beyond a fixed budget go to temporary files) and written, in
/// [`compare_quads`] order, by [`SortedWriter::finish`]. Several writers filled on different threads
/// combine with [`SortedWriter::absorb`]; the output depends only on the set of quads pushed.
pub struct SortedWriter<'p> {
    format: Format,
    prefixes: &'p Prefixes,
    sorter: crate::rdf::sorter::Sorter,
    usage: PrefixUse,
}

impl<'p> SortedWriter<'p> {
    /// A writer for `format` (graphs merged unless the format keeps them).
    pub fn new(format: Format, prefixes: &'p Prefixes) -> SortedWriter<'p> {
        SortedWriter::with_chunk_bytes(format, prefixes, crate::rdf::sorter::DEFAULT_CHUNK_BYTES)
    }

    /// A writer that keeps at most about `chunk_bytes` of quads in memory.
    pub fn with_chunk_bytes(format: Format, prefixes: &'p Prefixes, chunk_bytes: usize) -> SortedWriter<'p> {
        SortedWriter {
            format,
            prefixes,
            sorter: crate::rdf::sorter::Sorter::with_chunk_bytes(format.keeps_graphs(), chunk_bytes),
            usage: PrefixUse::default(),
        }
    }

    /// Adds one quad.
    pub fn push(&mut self, quad: QuadRef<'_>) -> io::Result<()> {
        let keep_graphs = self.format.keeps_graphs();
        self.usage.note(self.prefixes, quad, keep_graphs);
        self.sorter.push(quad)
    }

    /// Adds the quads `keys[range]` (encoded on another thread, for the same format).
    pub fn push_keys(&mut self, keys: &QuadKeys, range: std::ops::Range<usize>) -> io::Result<()> {
        if let Some(error) = &keys.error {
            return Err(io::Error::new(error.kind(), error.to_string()));
        }
        self.usage.merge(&keys.usage);
        self.sorter.push_keys(&keys.chunk, range)
    }

    /// Adds everything `other` (for the same format) holds.
    pub fn absorb(&mut self, other: SortedWriter<'_>) -> io::Result<()> {
        self.usage.merge(&other.usage);
        self.sorter.absorb(other.sorter)
    }

    /// Writes the quads, sorted and de-duplicated; returns the writer and the number of quads written.
    pub fn finish<W: Write>(self, writer: W) -> io::Result<(W, usize)> {
        let mut serializer = RdfSerializer::from_format(self.format.rdf_format());
        if !self.format.is_line_based() {
            for (prefix, namespace) in self.prefixes.used(&self.usage) {
                serializer = serializer.with_prefix(prefix, namespace).map_err(io::Error::other)?;
            }
        }
        let mut serializer = serializer.for_writer(writer);
        let mut sorted = self.sorter.finish()?;
        let mut count = 0;
        while let Some(key) = sorted.next_key()? {
            let parts = crate::rdf::sorter::Parts::decode(key)?;
            serializer.serialize_quad(parts.quad()?)?;
            count += 1;
        }
        Ok((serializer.finish()?, count))
    }
}

/// Quads encoded for a [`SortedWriter`] on another thread (one batch of documents, say), with the
/// prefixes they use; [`SortedWriter::push_keys`] takes them over.
#[derive(Debug, Default)]
pub struct QuadKeys {
    chunk: crate::rdf::sorter::Chunk,
    usage: PrefixUse,
    error: Option<io::Error>,
}

impl QuadKeys {
    /// Adds one quad, for `format` written with `prefixes`. An error (a quad the sorted formats
    /// cannot hold) is kept and reported by [`SortedWriter::push_keys`].
    pub fn push(&mut self, quad: QuadRef<'_>, format: Format, prefixes: &Prefixes) {
        let keep_graphs = format.keeps_graphs();
        if let Err(error) = self.chunk.push(quad, keep_graphs) {
            self.error.get_or_insert(error);
            return;
        }
        self.usage.note(prefixes, quad, keep_graphs);
    }
}

impl crate::parallel::BatchOutput for QuadKeys {
    fn len(&self) -> usize {
        self.chunk.len()
    }

    fn clear(&mut self) {
        self.chunk.clear();
        self.usage = PrefixUse::default();
        self.error = None;
    }
}

/// The order of pretty output: graph, subject, predicate (`rdf:type`, `rdfs:label`, then by IRI), object.
pub fn compare_quads(a: &QuadRef<'_>, b: &QuadRef<'_>) -> Ordering {
    compare_graph(a.graph_name, b.graph_name)
        .then_with(|| compare_subject(a.subject, b.subject))
        .then_with(|| predicate_rank(a.predicate.as_str()).cmp(&predicate_rank(b.predicate.as_str())))
        .then_with(|| a.predicate.as_str().cmp(b.predicate.as_str()))
        .then_with(|| compare_term(a.object, b.object))
}

fn predicate_rank(iri: &str) -> u8 {
    if iri == rdf::TYPE.as_str() {
        0
    } else if iri == rdfs::LABEL.as_str() {
        1
    } else {
        2
    }
}

fn compare_graph(a: GraphNameRef<'_>, b: GraphNameRef<'_>) -> Ordering {
    match (a, b) {
        (GraphNameRef::DefaultGraph, GraphNameRef::DefaultGraph) => Ordering::Equal,
        (GraphNameRef::DefaultGraph, _) => Ordering::Less,
        (_, GraphNameRef::DefaultGraph) => Ordering::Greater,
        (GraphNameRef::NamedNode(a), GraphNameRef::NamedNode(b)) => a.as_str().cmp(b.as_str()),
        (GraphNameRef::NamedNode(_), _) => Ordering::Less,
        (_, GraphNameRef::NamedNode(_)) => Ordering::Greater,
        (GraphNameRef::BlankNode(a), GraphNameRef::BlankNode(b)) => a.as_str().cmp(b.as_str()),
    }
}

fn compare_subject(a: NamedOrBlankNodeRef<'_>, b: NamedOrBlankNodeRef<'_>) -> Ordering {
    compare_term(a.into(), b.into())
}

/// IRIs before blank nodes before literals; literals by value, then datatype, then language.
pub fn compare_term(a: TermRef<'_>, b: TermRef<'_>) -> Ordering {
    fn rank(t: TermRef<'_>) -> u8 {
        match t {
            TermRef::NamedNode(_) => 0,
            TermRef::BlankNode(_) => 1,
            TermRef::Literal(_) => 2,
            #[allow(unreachable_patterns)]
            _ => 3,
        }
    }
    match (a, b) {
        (TermRef::NamedNode(a), TermRef::NamedNode(b)) => a.as_str().cmp(b.as_str()),
        (TermRef::BlankNode(a), TermRef::BlankNode(b)) => a.as_str().cmp(b.as_str()),
        (TermRef::Literal(a), TermRef::Literal(b)) => a
            .value()
            .cmp(b.value())
            .then_with(|| a.datatype().as_str().cmp(b.datatype().as_str()))
            .then_with(|| a.language().cmp(&b.language())),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Streams quads as N-Quads, or as N-Triples (graph names dropped), one line each.
pub struct LineWriter<W: Write> {
    inner: W,
    buffer: Vec<u8>,
    keep_graphs: bool,
}

/// [`LineWriter`] hands its buffer to the writer whenever it holds this much.
const LINE_BUFFER: usize = 256 << 10;

impl<W: Write> LineWriter<W> {
    /// A writer for `format`, which must be N-Triples or N-Quads.
    pub fn new(format: Format, writer: W) -> LineWriter<W> {
        LineWriter { inner: writer, buffer: Vec::with_capacity(LINE_BUFFER + 4096), keep_graphs: format == Format::NQuads }
    }

    /// Writes one quad.
    pub fn write(&mut self, quad: QuadRef<'_>) -> io::Result<()> {
        write_line(quad, self.keep_graphs, &mut self.buffer);
        if self.buffer.len() >= LINE_BUFFER {
            self.inner.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    /// Flushes and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.inner.write_all(&self.buffer)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

/// Appends `quad` as one N-Quads line (N-Triples with `keep_graph: false`) to `out`, byte for byte
/// as Oxigraph's N-Quads and N-Triples serializers write it (`tests/line_format.rs` checks this for
/// arbitrary terms): IRIs and blank nodes as they are, literals quoted with the same escapes. It
/// copies unescaped runs whole, where Oxigraph's formats character by character.
pub fn write_line(quad: QuadRef<'_>, keep_graph: bool, out: &mut Vec<u8>) {
    match quad.subject {
        NamedOrBlankNodeRef::NamedNode(n) => iri(n.as_str(), out),
        NamedOrBlankNodeRef::BlankNode(b) => blank(b.as_str(), out),
        #[allow(unreachable_patterns)]
        other => display(other, out),
    }
    out.push(b' ');
    iri(quad.predicate.as_str(), out);
    out.push(b' ');
    match quad.object {
        TermRef::NamedNode(n) => iri(n.as_str(), out),
        TermRef::BlankNode(b) => blank(b.as_str(), out),
        TermRef::Literal(l) => {
            quoted(l.value(), out);
            if let Some(language) = l.language() {
                out.push(b'@');
                out.extend_from_slice(language.as_bytes());
            } else if l.datatype() != xsd::STRING {
                out.extend_from_slice(b"^^");
                iri(l.datatype().as_str(), out);
            }
        }
        #[allow(unreachable_patterns)]
        other => display(other, out),
    }
    if keep_graph {
        match quad.graph_name {
            GraphNameRef::NamedNode(n) => {
                out.push(b' ');
                iri(n.as_str(), out);
            }
            GraphNameRef::BlankNode(b) => {
                out.push(b' ');
                blank(b.as_str(), out);
            }
            GraphNameRef::DefaultGraph => {}
        }
    }
    out.extend_from_slice(b" .\n");
}

fn iri(iri: &str, out: &mut Vec<u8>) {
    out.push(b'<');
    out.extend_from_slice(iri.as_bytes());
    out.push(b'>');
}

fn blank(id: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(b"_:");
    out.extend_from_slice(id.as_bytes());
}

/// Terms this writer has no fast path for (RDF 1.2 triple terms, if enabled): Oxigraph's own text.
#[allow(dead_code)]
fn display(term: impl std::fmt::Display, out: &mut Vec<u8>) {
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{term}");
}

/// A string literal's quoted form, with Oxigraph's escapes (`oxrdf::literal::print_quoted_str`):
/// `\b \t \n \f \r \" \\`, `\uXXXX` for the other controls, U+007F, U+FFFE and U+FFFF.
fn quoted(value: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = value.as_bytes();
    // Most strings need no escape: they are copied whole.
    if !crate::text::any_byte(bytes, |b| b < 0x20 || b == b'"' || b == b'\\' || b == 0x7f || b == 0xef) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let escape: Option<&[u8]> = match b {
            0x08 => Some(b"\\b"),
            b'\t' => Some(b"\\t"),
            b'\n' => Some(b"\\n"),
            0x0c => Some(b"\\f"),
            b'\r' => Some(b"\\r"),
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            0x00..=0x1f | 0x7f => None,
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
            0xef if bytes.get(i + 1) == Some(&0xbf) && matches!(bytes.get(i + 2), Some(0xbe | 0xbf)) => None,
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        match escape {
            Some(escape) => {
                out.extend_from_slice(escape);
                i += 1;
            }
            None => {
                let (code, width) = if b == 0xef { (0xfffe + u32::from(bytes[i + 2] - 0xbe), 3) } else { (u32::from(b), 1) };
                let _ = write!(out, "\\u{code:04X}");
                i += width;
            }
        }
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}
