//! Binding a saved query's parameters *into its text*, for servers that have no way to pre-bind a
//! variable (the SPARQL 1.1 Protocol has none).
//!
//! Locally a parameter is bound with Oxigraph's `substitute_variable`: evaluation starts with the
//! variable bound, so every pattern and expression sees the value. [`inline`] gives the same
//! meaning in plain SPARQL while keeping the author's query as written (servers differ in what
//! they accept, and a regenerated query trips some of them): it reads the text token by token —
//! strings, IRIs and comments are never touched — and replaces each use of the variable by the
//! value written as an RDF term by Oxigraph (so a value can only ever be one term):
//!
//! - in a pattern or an expression, `?v` becomes the value, and `BOUND(?v)` becomes `true`;
//! - in the query's own `SELECT`, `?v` becomes `(value AS ?v)`, so the result keeps its column;
//!   in a sub-select's, it is dropped (outside, every use is the value already);
//! - in `GROUP BY` and `ORDER BY`, `?v` becomes `(value)`: a constant that changes nothing;
//! - a query that assigns the variable (`AS ?v`, `VALUES ?v`) is refused.
//!
//! The page (`limit` and `offset`) is written after the query as `LIMIT` and `OFFSET`, or at its
//! `# page` line, as locally ([`crate::store::query::page_text`]). The result is parsed again before it is sent. `tests/push.rs` checks that every saved query
//! inlined this way gives, on the Oxigraph server and on Virtuoso, exactly the bound query's rows.

use oxigraph::model::Term;
use oxigraph::sparql::{SparqlEvaluator, Variable};

/// Why a query could not be inlined.
#[derive(Debug, thiserror::Error)]
pub enum InlineError {
    /// The query assigns the variable itself.
    #[error("parameter ?{variable} is assigned in the query ({how}), so it cannot be bound")]
    Assigned {
        /// The variable.
        variable: String,
        /// `AS` or `VALUES`.
        how: &'static str,
    },
    /// Something other than an IRI or a literal.
    #[error("parameter ?{variable}: only an IRI or a literal can be written into a query, not {value}")]
    NotATerm {
        /// The variable.
        variable: String,
        /// The value.
        value: String,
    },
    /// The rewritten query does not parse (a bug, or a construct this rewriting does not know).
    #[error("the query with its parameters written in does not parse: {0}")]
    Syntax(#[from] oxigraph::sparql::SparqlSyntaxError),
}

/// What a query returns, which decides what to ask a server for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryForm {
    /// SELECT: solutions.
    Solutions,
    /// ASK: a boolean.
    Boolean,
    /// CONSTRUCT or DESCRIBE: triples.
    Graph,
}

/// The form of a query's text.
pub fn form(text: &str) -> Result<QueryForm, InlineError> {
    Ok(match spargebra::SparqlParser::new().parse_query(text)? {
        spargebra::Query::Select { .. } => QueryForm::Solutions,
        spargebra::Query::Ask { .. } => QueryForm::Boolean,
        spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. } => QueryForm::Graph,
    })
}

/// `text` with each `(variable, value)` written into it.
pub fn inline(text: &str, bindings: &[(Variable, Term)]) -> Result<String, InlineError> {
    let (text, bindings) = crate::store::query::page_text(text, bindings);
    let mut text = text.into_owned();
    for (variable, value) in &bindings {
        if !matches!(value, Term::NamedNode(_) | Term::Literal(_)) {
            return Err(InlineError::NotATerm { variable: variable.as_str().into(), value: value.to_string() });
        }
        text = substitute(&text, variable.as_str(), &value.to_string())?;
    }
    let _checked = SparqlEvaluator::new().parse_query(&text)?;
    Ok(text)
}

/// Where in the query a token stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clause {
    /// A pattern, an expression, anything else.
    Body,
    /// A SELECT's projection: the query's own (`top`) or a sub-select's.
    Projection { top: bool },
    /// GROUP BY or ORDER BY.
    Condition,
}

fn substitute(text: &str, name: &str, value: &str) -> Result<String, InlineError> {
    let assigned = |how| InlineError::Assigned { variable: name.to_string(), how };
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + value.len() * 4);
    let mut clause = Clause::Body;
    let mut braces = 0usize;
    // Parentheses opened inside the current projection: a bare variable sits at depth 0.
    let mut parens = 0usize;
    // The previous word (keyword, prefixed name) and whether a `(` followed it.
    let mut last_word = String::new();
    // Where the previous word starts in `out`.
    let mut last_word_at = 0usize;
    let mut i = 0;
    let is_name = |c: char| c.is_alphanumeric() || c == '_' || c == '\u{B7}' || ('\u{300}'..='\u{36F}').contains(&c) || c == '\u{203F}' || c == '\u{2040}';
    while i < chars.len() {
        let c = chars[i];
        match c {
            '#' => {
                // A comment, to the end of the line.
                while i < chars.len() && chars[i] != '\n' {
                    out.push(chars[i]);
                    i += 1;
                }
                continue;
            }
            '"' | '\'' => {
                let long = i + 2 < chars.len() && chars[i + 1] == c && chars[i + 2] == c;
                let quote_len = if long { 3 } else { 1 };
                out.extend(&chars[i..i + quote_len]);
                i += quote_len;
                while i < chars.len() {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        out.push(chars[i]);
                        out.push(chars[i + 1]);
                        i += 2;
                        continue;
                    }
                    if chars[i] == c && (!long || (i + 2 < chars.len() && chars[i + 1] == c && chars[i + 2] == c)) {
                        out.extend(&chars[i..i + quote_len]);
                        i += quote_len;
                        break;
                    }
                    out.push(chars[i]);
                    i += 1;
                }
                last_word.clear();
                continue;
            }
            '<' => {
                // An IRI if what follows up to '>' can be one; else the operator.
                let end = chars[i + 1..].iter().position(|&d| d == '>' || d.is_whitespace() || "<\"{}|^`\\".contains(d)).map(|p| i + 1 + p);
                if let Some(end) = end.filter(|&e| chars[e] == '>') {
                    out.extend(&chars[i..=end]);
                    i = end + 1;
                    last_word.clear();
                    continue;
                }
            }
            '?' | '$' if i + 1 < chars.len() && is_name(chars[i + 1]) => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && is_name(chars[end]) {
                    end += 1;
                }
                let token: String = chars[start..end].iter().collect();
                if token != name {
                    out.extend(&chars[i..end]);
                    i = end;
                    last_word.clear();
                    continue;
                }
                if last_word.eq_ignore_ascii_case("AS") {
                    // `(expr AS ?v)` or `BIND(expr AS ?v)`.
                    return Err(assigned("AS"));
                }
                if last_word.eq_ignore_ascii_case("VALUES") || last_word.eq_ignore_ascii_case("VALUES(") {
                    return Err(assigned("VALUES"));
                }
                if last_word.eq_ignore_ascii_case("BOUND(") {
                    // BOUND(?v) → true: drop "BOUND(" already written, and the ")".
                    out.truncate(last_word_at);
                    out.push_str("true");
                    i = end;
                    while i < chars.len() && chars[i].is_whitespace() {
                        i += 1;
                    }
                    if i < chars.len() && chars[i] == ')' {
                        i += 1;
                    }
                    last_word.clear();
                    continue;
                }
                match clause {
                    Clause::Projection { top } if parens == 0 => {
                        if top {
                            out.push_str(&format!("({value} AS ?{name})"));
                        }
                    }
                    Clause::Condition => out.push_str(&format!("({value})")),
                    _ => out.push_str(value),
                }
                i = end;
                last_word.clear();
                continue;
            }
            '{' => {
                if matches!(clause, Clause::Projection { .. }) {
                    clause = Clause::Body;
                }
                braces += 1;
            }
            '}' => {
                braces = braces.saturating_sub(1);
                if clause == Clause::Condition {
                    clause = Clause::Body;
                }
            }
            '(' => {
                parens += 1;
                if !last_word.is_empty() && !last_word.ends_with('(') {
                    last_word.push('(');
                }
                out.push(c);
                i += 1;
                continue;
            }
            ')' => parens = parens.saturating_sub(1),
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                let mut end = i;
                while end < chars.len() && (chars[end].is_alphanumeric() || matches!(chars[end], '_' | ':' | '-' | '.')) {
                    end += 1;
                }
                // A word ending in '.' is a word and a triple's full stop.
                while end > start + 1 && chars[end - 1] == '.' {
                    end -= 1;
                }
                let word: String = chars[start..end].iter().collect();
                let upper = word.to_ascii_uppercase();
                match upper.as_str() {
                    "SELECT" => {
                        clause = Clause::Projection { top: braces == 0 };
                        parens = 0;
                    }
                    "WHERE" if matches!(clause, Clause::Projection { .. }) => clause = Clause::Body,
                    "BY" if last_word.eq_ignore_ascii_case("GROUP") || last_word.eq_ignore_ascii_case("ORDER") => clause = Clause::Condition,
                    "HAVING" | "LIMIT" | "OFFSET" | "VALUES" if clause == Clause::Condition => clause = Clause::Body,
                    _ => {}
                }
                last_word_at = out.len();
                out.push_str(&word);
                last_word = word;
                i = end;
                continue;
            }
            c if c.is_whitespace() => {
                out.push(c);
                i += 1;
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
        last_word.clear();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{Literal, NamedNode};

    fn date(value: &str) -> Term {
        Literal::new_typed_literal(value, oxigraph::model::vocab::xsd::DATE).into()
    }

    fn var(name: &str) -> Variable {
        Variable::new_unchecked(name)
    }

    const DATE: &str = "\"2021-10-21\"^^<http://www.w3.org/2001/XMLSchema#date>";

    #[test]
    fn uses_become_the_value_and_the_column_stays() {
        let text = inline("SELECT ?s ?d WHERE { ?s <http://x/p> ?o FILTER(STR(?o) = STR(?d) && BOUND( ?d )) } ORDER BY ?d ?s", &[(var("d"), date("2021-10-21"))]).unwrap();
        assert_eq!(
            text,
            format!("SELECT ?s ({DATE} AS ?d) WHERE {{ ?s <http://x/p> ?o FILTER(STR(?o) = STR({DATE}) && true) }} ORDER BY ({DATE}) ?s")
        );
    }

    #[test]
    fn strings_iris_comments_and_longer_names_are_left_alone() {
        let text = "# ?d in a comment\nSELECT ?d ?dd WHERE { ?s <http://x/?d> \"?d\" , '''?d''' ; <http://x/q> $d . FILTER(?x < ?d) }";
        let done = inline(text, &[(var("d"), NamedNode::new_unchecked("http://x/a").into())]).unwrap();
        assert_eq!(
            done,
            "# ?d in a comment\nSELECT (<http://x/a> AS ?d) ?dd WHERE { ?s <http://x/?d> \"?d\" , '''?d''' ; <http://x/q> <http://x/a> . FILTER(?x < <http://x/a>) }"
        );
    }

    #[test]
    fn a_subselect_drops_the_variable_and_grouping_keeps_working() {
        let text = "SELECT ?r (COUNT(*) AS ?n) ?d WHERE { { SELECT ?d ?r WHERE { ?r <http://x/at> ?at FILTER(?at <= ?d) } } } GROUP BY ?r ?d";
        let done = inline(text, &[(var("d"), date("2021-10-21"))]).unwrap();
        assert_eq!(
            done,
            format!("SELECT ?r (COUNT(*) AS ?n) ({DATE} AS ?d) WHERE {{ {{ SELECT  ?r WHERE {{ ?r <http://x/at> ?at FILTER(?at <= {DATE}) }} }} }} GROUP BY ?r ({DATE})")
        );
    }

    #[test]
    fn hostile_strings_stay_one_literal() {
        let done = inline("SELECT ?n WHERE { ?s <http://x/name> ?n }", &[(var("n"), Literal::new_simple_literal("\"} ; DROP ALL #").into())]).unwrap();
        assert_eq!(done, r#"SELECT ("\"} ; DROP ALL #" AS ?n) WHERE { ?s <http://x/name> "\"} ; DROP ALL #" }"#);
    }

    #[test]
    fn assigning_the_variable_is_refused() {
        let error = inline("SELECT ?d WHERE { BIND(1 AS ?d) }", &[(var("d"), date("2021"))]).unwrap_err();
        assert_eq!(error.to_string(), "parameter ?d is assigned in the query (AS), so it cannot be bound");
        assert!(inline("SELECT ?d WHERE { VALUES ?d { 1 } }", &[(var("d"), date("2021"))]).is_err());
    }

    #[test]
    fn a_literal_in_a_predicate_position_does_not_parse() {
        assert!(matches!(inline("SELECT * WHERE { ?s ?p ?o }", &[(var("p"), Literal::new_simple_literal("x").into())]), Err(InlineError::Syntax(_))));
    }

    #[test]
    fn the_page_is_written_after_the_query() {
        let count = |n: &str| Term::from(Literal::new_typed_literal(n, oxigraph::model::vocab::xsd::INTEGER));
        let text = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s # the end";
        let done = inline(text, &[(var("limit"), count("2")), (var("offset"), count("4"))]).unwrap();
        assert_eq!(done, format!("{text}\nLIMIT 2 OFFSET 4\n"));
        // A query that uses ?limit as a variable gets it bound as one.
        let used = inline("SELECT ?limit WHERE { ?s ?p ?limit }", &[(var("limit"), count("2"))]).unwrap();
        let two = count("2").to_string();
        assert_eq!(used, format!("SELECT ({two} AS ?limit) WHERE {{ ?s ?p {two} }}"));
    }
}
