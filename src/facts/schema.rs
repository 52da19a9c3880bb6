//! The JSON Schema of the facts format, generated from the Rust types in [`crate::facts`], and the
//! structural check that walks a parsed document against it to find *every* shape problem (serde stops
//! at the first).
//!
//! The checker understands the part of JSON Schema 2020-12 that schemars emits for our types:
//! `$ref` into `$defs`, `type` (one name or a list), `properties`, `required`,
//! `additionalProperties: false`, `items`, `anyOf` (optional values), `oneOf`/`enum` of constants
//! (enumerations) and `minimum`. A test keeps the checked-in `docs/facts.schema.json` equal to
//! [`json_schema`].

use crate::facts::FactsDocument;
use crate::facts::jsonpos::{push_index, push_member};
use crate::text::closest;
use serde_json::{Map, Value};

/// The JSON Schema (draft 2020-12) of facts format version 1.
pub fn json_schema() -> Value {
    let mut schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<FactsDocument>()
        .to_value();
    if let Some(object) = schema.as_object_mut() {
        object.insert(
            "$id".into(),
            Value::String("https://factgraph.example/schema/facts-1.json".into()),
        );
    }
    schema
}

/// The schema as checked in and printed by `factgraph schema`: pretty JSON with a final newline.
pub fn json_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&json_schema()).expect("a JSON value serialises");
    text.push('\n');
    text
}

/// A shape problem: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeProblem {
    /// JSON path of the offending value (or of the object missing a member).
    pub path: String,
    /// True when the problem is the member's key itself (an unknown field).
    pub at_key: bool,
    /// What is wrong, naming the offending value and what was expected.
    pub message: String,
}

/// Walks values against the facts schema.
pub struct ShapeChecker {
    root: Value,
}

impl Default for ShapeChecker {
    fn default() -> Self {
        ShapeChecker { root: json_schema() }
    }
}

impl ShapeChecker {
    /// Every shape problem of `value` as a facts document, in document order.
    pub fn check(&self, value: &Value) -> Vec<ShapeProblem> {
        let mut problems = Vec::new();
        let mut path = String::from("$");
        self.walk(&self.root, value, &mut path, &mut problems);
        problems
    }

    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        let mut schema = schema;
        while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference.trim_start_matches("#/$defs/");
            match self.root.get("$defs").and_then(|defs| defs.get(name)) {
                Some(target) => schema = target,
                None => break,
            }
        }
        schema
    }

    fn walk(&self, schema: &Value, value: &Value, path: &mut String, out: &mut Vec<ShapeProblem>) {
        let schema = self.resolve(schema);
        if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            // Optional values: `null` or the one real branch, whose problems are the useful ones.
            if value.is_null() && branches.iter().any(|b| b.get("type") == Some(&Value::from("null"))) {
                return;
            }
            let real: Vec<&Value> =
                branches.iter().filter(|b| b.get("type") != Some(&Value::from("null"))).collect();
            if let [only] = real.as_slice() {
                return self.walk(only, value, path, out);
            }
            for branch in &real {
                let mut trial = Vec::new();
                self.walk(branch, value, path, &mut trial);
                if trial.is_empty() {
                    return;
                }
            }
            if let Some(first) = real.first() {
                self.walk(first, value, path, out);
            }
            return;
        }
        if let Some(allowed) = constants(schema) {
            match value.as_str() {
                Some(text) if allowed.contains(&text) => {}
                Some(text) => {
                    let hint = match closest(text, allowed.iter().copied()) {
                        Some(near) => format!("; did you mean \"{near}\"?"),
                        None => String::new(),
                    };
                    out.push(ShapeProblem {
                        path: path.clone(),
                        at_key: false,
                        message: format!(
                            "unknown value {}; expected one of: {}{hint}",
                            quoted(text),
                            allowed.join(", ")
                        ),
                    });
                }
                None => out.push(ShapeProblem {
                    path: path.clone(),
                    at_key: false,
                    message: format!("expected one of: {}, found {}", allowed.join(", "), describe(value)),
                }),
            }
            return;
        }
        if let Some(expected) = schema.get("type") {
            if !type_matches(expected, schema, value) {
                out.push(ShapeProblem {
                    path: path.clone(),
                    at_key: false,
                    message: format!("expected {}, found {}", type_name(expected, schema), describe(value)),
                });
                return;
            }
        }
        match value {
            Value::Object(members) => self.walk_object(schema, members, path, out),
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        let length = path.len();
                        push_index(path, i);
                        self.walk(item_schema, item, path, out);
                        path.truncate(length);
                    }
                }
            }
            _ => {}
        }
    }

    fn walk_object(&self, schema: &Value, members: &Map<String, Value>, path: &mut String, out: &mut Vec<ShapeProblem>) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
        for (name, member) in members {
            let length = path.len();
            push_member(path, name);
            match properties.and_then(|p| p.get(name)) {
                Some(member_schema) => self.walk(member_schema, member, path, out),
                None if closed => {
                    let names: Vec<&str> = properties.map(|p| p.keys().map(String::as_str).collect()).unwrap_or_default();
                    let message = match closest(name, names.iter().copied()) {
                        Some(near) => format!("unknown field {}; did you mean \"{near}\"?", quoted(name)),
                        None => format!("unknown field {}; expected one of: {}", quoted(name), names.join(", ")),
                    };
                    out.push(ShapeProblem { path: path.clone(), at_key: true, message });
                }
                None => {}
            }
            path.truncate(length);
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !members.contains_key(name) {
                    out.push(ShapeProblem {
                        path: path.clone(),
                        at_key: false,
                        message: format!("missing field \"{name}\""),
                    });
                }
            }
        }
    }
}

/// The allowed strings of an enumeration schema (`enum`, or `oneOf` of `const`s).
fn constants(schema: &Value) -> Option<Vec<&str>> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values.iter().map(Value::as_str).collect();
    }
    let branches = schema.get("oneOf").and_then(Value::as_array)?;
    branches.iter().map(|b| b.get("const").and_then(Value::as_str)).collect()
}

fn type_matches(expected: &Value, schema: &Value, value: &Value) -> bool {
    match expected {
        Value::Array(names) => names.iter().any(|name| type_matches(name, schema, value)),
        Value::String(name) => match name.as_str() {
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            "number" => value.is_number(),
            "integer" => {
                if schema.get("minimum").and_then(Value::as_f64) == Some(0.0) {
                    value.is_u64()
                } else {
                    value.is_i64() || value.is_u64()
                }
            }
            _ => true,
        },
        _ => true,
    }
}

fn type_name(expected: &Value, schema: &Value) -> String {
    match expected {
        Value::Array(names) => {
            let names: Vec<String> = names
                .iter()
                .filter(|name| name.as_str() != Some("null"))
                .map(|name| type_name(name, schema))
                .collect();
            names.join(" or ")
        }
        Value::String(name) => match name.as_str() {
            "string" => "a string".into(),
            "boolean" => "true or false".into(),
            "null" => "null".into(),
            "array" => "an array".into(),
            "object" => "an object".into(),
            "number" => "a number".into(),
            "integer" if schema.get("minimum").and_then(Value::as_f64) == Some(0.0) => {
                "a non-negative integer".into()
            }
            "integer" => "an integer".into(),
            other => other.to_string(),
        },
        _ => "a value".into(),
    }
}

/// How a found value is named in messages: its kind and, for scalars, the value itself.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {}", quoted(s)),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// A value in double quotes, JSON-escaped and shortened to 60 characters.
pub fn quoted(text: &str) -> String {
    const LIMIT: usize = 60;
    let short: String = text.chars().take(LIMIT).collect();
    let mut out = serde_json::to_string(&short).expect("a string serialises");
    if text.chars().nth(LIMIT).is_some() {
        out.insert(out.len() - 1, '…');
    }
    out
}
