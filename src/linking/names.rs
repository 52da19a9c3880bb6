//! Names as the linker compares them: the normal form both sides of a match are reduced to, and
//! how a name matched an item. The index stores names in this form when it is built.

use unicode_normalization::UnicodeNormalization;

/// How a name matched an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NameMatch {
    /// A demonym (P1549): "Belgian" for Belgium.
    Demonym,
    /// An alias of one or two characters, or one that is a common word ("US", "Space").
    WeakAlias,
    /// Another alias.
    Alias,
    /// A label.
    Label,
}

impl NameMatch {
    /// A demonym or a weak alias: evidence only with type and context support.
    pub fn is_weak(self) -> bool {
        matches!(self, NameMatch::Demonym | NameMatch::WeakAlias)
    }
}

/// Honorifics dropped from the start of a person's name.
const HONORIFICS: [&str; 9] = ["mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "president"];

/// Common English words: an alias that is one of them is a weak match ("Space" for the universe).
const COMMON_WORDS: [&str; 64] = [
    "america", "army", "bank", "best", "big", "black", "capital", "center", "central", "centre", "city", "company",
    "council", "country", "court", "day", "east", "first", "free", "general", "government", "great", "green", "group",
    "home", "house", "human", "land", "last", "left", "life", "man", "media", "men", "national", "new", "news", "north",
    "office", "old", "one", "party", "people", "police", "power", "press", "public", "red", "right", "sea", "south",
    "space", "state", "time", "today", "two", "union", "united", "war", "water", "west", "white", "woman", "world",
];

/// Transliteration variants folded to one spelling (both sides of a match are folded alike).
const VARIANTS: [(&str, &str); 13] = [
    ("sergey", "sergei"),
    ("andrey", "andrei"),
    ("alexey", "alexei"),
    ("aleksei", "alexei"),
    ("aleksey", "alexei"),
    ("yury", "yuri"),
    ("yuriy", "yuri"),
    ("kiev", "kyiv"),
    ("dmitry", "dmitri"),
    ("dmitriy", "dmitri"),
    ("nikolay", "nikolai"),
    ("aleksandr", "alexander"),
    ("alexandr", "alexander"),
];

/// The form names are compared in: diacritics removed, lowercase, punctuation dropped (hyphens and
/// apostrophes join, the rest separate), a leading "the" dropped, and transliteration variants
/// folded (Sergey → sergei, Kiev → kyiv). Honorifics stay: see [`normalise_person`].
pub fn normalise(name: &str) -> String {
    normalise_tokens(name, false)
}

/// [`normalise`] for a person's name, which also drops leading honorifics ("Mr", "Dr",
/// "President"…). Only before a person's name: "Miss USA" is a pageant.
pub fn normalise_person(name: &str) -> String {
    normalise_tokens(name, true)
}

fn normalise_tokens(name: &str, person: bool) -> String {
    let cleaned = clean(name, name.is_ascii());
    let mut tokens: Vec<&str> = cleaned.split_whitespace().collect();
    while tokens.len() > 1 && (tokens[0] == "the" || person && HONORIFICS.contains(&tokens[0])) {
        tokens.remove(0);
    }
    let folded: Vec<&str> =
        tokens.iter().map(|t| VARIANTS.iter().find(|(from, _)| from == t).map_or(*t, |(_, to)| *to)).collect();
    folded.join(" ")
}

/// `name` lowercased without diacritics, hyphens and apostrophes, other punctuation a space.
/// `ascii` takes the short way for an ASCII name, which is its own decomposition without
/// combining marks: most names and every article's words skip the Unicode tables.
fn clean(name: &str, ascii: bool) -> String {
    let mut cleaned = String::with_capacity(name.len());
    let push = |c: char| {
        if c.is_alphanumeric() {
            cleaned.push(c);
        } else if !matches!(c, '-' | '\'' | '\u{2019}' | '\u{2010}' | '\u{2011}') {
            cleaned.push(' ');
        }
    };
    if ascii {
        name.chars().map(|c| c.to_ascii_lowercase()).for_each(push);
    } else {
        name.nfkd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).flat_map(char::to_lowercase).for_each(push);
    }
    cleaned
}

/// Whether an alias (normalised) is too short or too common to be evidence by itself.
pub fn is_weak_alias(key: &str) -> bool {
    key.chars().filter(|c| !c.is_whitespace()).count() <= 2 || COMMON_WORDS.contains(&key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_takes_the_short_way_to_the_same_form() {
        let every: String = (0..128u8).map(char::from).collect();
        for text in [every.as_str(), "The Hague", "Co-operation", "O'Neill St. Ives"] {
            assert_eq!(clean(text, true), clean(text, false), "{text:?}");
        }
        assert_eq!(clean("Dvořák", false), "dvorak");
    }
}
