//! The tables that say what an extractor's labels become: entity labels to entity types
//! (`labels.conf`, extended by `--labels FILE`) and brat's relation types, event types and argument
//! roles to the facts format's (`brat-mapping.conf`, extended by `--mapping FILE`).

use crate::facts::problem::Position;
use crate::facts::{EntityType, ParticipantRole, RelationKind};
use crate::import::summary::ImportProblem;
use std::collections::HashMap;

/// The default label table, as documented in `docs/importing.md`.
pub const DEFAULT_LABELS: &str = include_str!("labels.conf");

/// The default brat mapping, as documented in `docs/importing.md`.
pub const DEFAULT_BRAT_MAPPING: &str = include_str!("brat-mapping.conf");

/// The form labels and types are compared in: ASCII lowercase, without '_' and '-'.
fn key(label: &str) -> String {
    label.chars().filter(|c| !matches!(c, '_' | '-')).flat_map(char::to_lowercase).collect()
}

/// What an entity label becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// An entity of this type.
    Entity(EntityType),
    /// Not an entity: the mention is left out and counted.
    Skip,
}

/// Entity labels to entity types.
#[derive(Debug, Clone)]
pub struct Labels {
    table: HashMap<String, Label>,
}

impl Labels {
    /// The default table plus the lines of `extra` (a `--labels` file's text, named `source`).
    pub fn new(extra: Option<(&str, &str)>) -> Result<Labels, Vec<ImportProblem>> {
        let mut table = HashMap::new();
        let mut problems = Vec::new();
        for (source, text) in [("labels.conf", DEFAULT_LABELS)].into_iter().chain(extra) {
            for line in lines(source, text, &mut problems) {
                match entity_type(line.value) {
                    Some(label) => {
                        table.insert(key(line.name), label);
                    }
                    None => problems.push(line.problem(format!(
                        "unknown entity type \"{}\"; expected person, organisation, country, city, place, group, other or -",
                        line.value
                    ))),
                }
            }
        }
        problems.sort_by_key(|p| p.position);
        if problems.is_empty() { Ok(Labels { table }) } else { Err(problems) }
    }

    /// What `label` becomes, if the table knows it.
    pub fn get(&self, label: &str) -> Option<Label> {
        self.table.get(&key(label)).copied()
    }
}

impl Default for Labels {
    fn default() -> Labels {
        Labels::new(None).expect("the default label table parses")
    }
}

fn entity_type(name: &str) -> Option<Label> {
    Some(Label::Entity(match name {
        "-" => return Some(Label::Skip),
        "person" => EntityType::Person,
        "organisation" => EntityType::Organisation,
        "country" => EntityType::Country,
        "city" => EntityType::City,
        "place" => EntityType::Place,
        "group" => EntityType::Group,
        "other" => EntityType::Other,
        _ => return None,
    }))
}

/// How an event argument takes part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgumentRole {
    /// A participant with this role.
    Participant(ParticipantRole),
    /// A place where the event happened.
    Place,
}

/// brat relation types, event types and argument roles to the facts format's.
#[derive(Debug, Clone)]
pub struct BratMapping {
    relations: HashMap<String, RelationKind>,
    events: HashMap<String, String>,
    roles: HashMap<String, ArgumentRole>,
}

impl BratMapping {
    /// The default mapping plus the lines of `extra` (a `--mapping` file's text, named `source`).
    pub fn new(extra: Option<(&str, &str)>) -> Result<BratMapping, Vec<ImportProblem>> {
        let mut mapping = BratMapping { relations: HashMap::new(), events: HashMap::new(), roles: HashMap::new() };
        let mut problems = Vec::new();
        for (source, text) in [("brat-mapping.conf", DEFAULT_BRAT_MAPPING)].into_iter().chain(extra) {
            for line in lines(source, text, &mut problems) {
                let Some((section, name)) = line.name.split_once(char::is_whitespace) else {
                    problems.push(line.problem("expected \"relation TYPE = kind\", \"event TYPE = type\" or \"role ROLE = role\""));
                    continue;
                };
                let name = key(name.trim());
                match section {
                    "relation" => match RelationKind::ALL.iter().find(|k| k.as_str() == line.value) {
                        Some(kind) => {
                            mapping.relations.insert(name, *kind);
                        }
                        None => problems.push(line.problem(format!("unknown relation kind \"{}\"", line.value))),
                    },
                    "event" => {
                        if valid_event_type(line.value) {
                            mapping.events.insert(name, line.value.to_string());
                        } else {
                            problems.push(line.problem(format!(
                                "invalid event type \"{}\"; use lowercase words joined by '-'",
                                line.value
                            )));
                        }
                    }
                    "role" => {
                        let role = match line.value {
                            "initiator" => ArgumentRole::Participant(ParticipantRole::Initiator),
                            "target" => ArgumentRole::Participant(ParticipantRole::Target),
                            "participant" => ArgumentRole::Participant(ParticipantRole::Participant),
                            "place" => ArgumentRole::Place,
                            other => {
                                problems.push(line.problem(format!(
                                    "unknown role \"{other}\"; expected initiator, target, participant or place"
                                )));
                                continue;
                            }
                        };
                        mapping.roles.insert(name, role);
                    }
                    other => problems.push(line.problem(format!("unknown section \"{other}\"; expected relation, event or role"))),
                }
            }
        }
        problems.sort_by_key(|p| p.position);
        if problems.is_empty() { Ok(mapping) } else { Err(problems) }
    }

    /// The relation kind of a brat relation type.
    pub fn relation(&self, brat_type: &str) -> Option<RelationKind> {
        self.relations.get(&key(brat_type)).copied()
    }

    /// The event type of a brat event type.
    pub fn event(&self, brat_type: &str) -> Option<&str> {
        self.events.get(&key(brat_type)).map(String::as_str)
    }

    /// How an argument with this role takes part (a participant when no line names the role).
    pub fn role(&self, brat_role: &str) -> ArgumentRole {
        // Repeated roles are numbered in brat (Participant2): the number is not part of the role.
        let role = brat_role.trim_end_matches(|c: char| c.is_ascii_digit());
        self.roles.get(&key(role)).copied().unwrap_or(ArgumentRole::Participant(ParticipantRole::Participant))
    }
}

impl Default for BratMapping {
    fn default() -> BratMapping {
        BratMapping::new(None).expect("the default brat mapping parses")
    }
}

/// Event types as the facts format has them: lowercase words joined by '-'.
fn valid_event_type(kind: &str) -> bool {
    !kind.is_empty() && kind.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// One `NAME = VALUE` line of a table file.
struct Line<'a> {
    source: &'a str,
    number: u64,
    name: &'a str,
    value: &'a str,
    value_column: u64,
}

impl Line<'_> {
    fn problem(&self, message: impl Into<String>) -> ImportProblem {
        ImportProblem {
            source: self.source.to_string(),
            position: Position { line: self.number, column: self.value_column },
            message: message.into(),
        }
    }
}

/// The `NAME = VALUE` lines of a table file; blank lines and `#` comments are skipped, other lines
/// are problems.
fn lines<'a>(source: &'a str, text: &'a str, problems: &mut Vec<ImportProblem>) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let number = i as u64 + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match raw.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() && !value.trim().is_empty() => {
                let value_start = raw.len() - value.trim_start().len();
                let value_column = raw[..value_start].chars().count() as u64 + 1;
                out.push(Line { source, number, name: name.trim(), value: value.trim(), value_column });
            }
            _ => {
                let column = (raw.len() - raw.trim_start().len()) as u64 + 1;
                problems.push(ImportProblem {
                    source: source.to_string(),
                    position: Position { line: number, column },
                    message: "expected a line \"LABEL = TYPE\"".to_string(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_tables_parse_and_compare_loosely() {
        let labels = Labels::default();
        assert_eq!(labels.get("PERSON"), Some(Label::Entity(EntityType::Person)));
        assert_eq!(labels.get("work-of-art"), Some(Label::Skip));
        assert_eq!(labels.get("Organization"), Some(Label::Entity(EntityType::Organisation)));
        assert_eq!(labels.get("SPORTS_TEAM"), None);
        let mapping = BratMapping::default();
        assert_eq!(mapping.relation("MemberOf"), Some(RelationKind::MemberOf));
        assert_eq!(mapping.event("be_born"), Some("birth"));
        assert_eq!(mapping.role("Attacker2"), ArgumentRole::Participant(ParticipantRole::Initiator));
        assert_eq!(mapping.role("Instrument"), ArgumentRole::Participant(ParticipantRole::Participant));
    }

    #[test]
    fn a_labels_file_overrides_and_its_mistakes_are_located() {
        let labels = Labels::new(Some(("my.labels", "# mine\nGPE = country\nTEAM = organisation\n"))).unwrap();
        assert_eq!(labels.get("GPE"), Some(Label::Entity(EntityType::Country)));
        assert_eq!(labels.get("team"), Some(Label::Entity(EntityType::Organisation)));
        let problems = Labels::new(Some(("bad.labels", "GPE = nation\njust words\n"))).unwrap_err();
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "bad.labels:1:7: unknown entity type \"nation\"; expected person, organisation, country, city, place, group, other or -",
                "bad.labels:2:1: expected a line \"LABEL = TYPE\""
            ]
        );
    }
}
