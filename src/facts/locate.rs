//! Locating an evidence span from its words: where a text occurs in the document's text, a few
//! words around each place for messages, the difference when it occurs only after folding quotes,
//! dashes or whitespace, and the closest passage when it does not occur at all. Offsets are in code
//! points, as in the facts format.

use crate::facts::jsonpos::PositionIndex;
use crate::facts::FactsDocument;
use std::ops::Range;

/// A document's JSON text `json` with `"start"` and `"end"` written into each evidence span that
/// lacks them, taken from `filled` (the same document, validated). Nothing else changes: each span
/// gets its offsets as its first members, before the ones it had.
pub fn write_offsets(json: &str, filled: &FactsDocument) -> Result<String, serde_json::Error> {
    let original: FactsDocument = serde_json::from_str(json)?;
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut index: Option<(PositionIndex, Vec<usize>)> = None;
    for ((path, before), (_, after)) in original.evidence_lists().into_iter().zip(filled.evidence_lists()) {
        for (j, (span, located)) in before.iter().zip(after).enumerate() {
            let (None, None, Some((start, end))) = (span.start, span.end, located.offsets()) else { continue };
            let (positions, lines) = index.get_or_insert_with(|| (PositionIndex::build(json), line_starts(json)));
            let at = positions.value(&format!("{path}.evidence[{j}]"));
            let line = lines[usize::try_from(at.line - 1).unwrap_or_default()];
            // The span's `{`, then the whitespace before its first member.
            let column = usize::try_from(at.column - 1).unwrap_or_default();
            let brace = json[line..].char_indices().nth(column).map_or(json.len(), |(b, _)| line + b);
            let first = json[brace + 1..].find(|c: char| !c.is_whitespace()).map_or(json.len(), |b| brace + 1 + b);
            inserts.push((first, format!("\"start\": {start}, \"end\": {end}, ")));
        }
    }
    // The lists follow the checks' order, not the text's (an item's quantities may stand before its
    // own evidence, a section before another).
    inserts.sort_unstable_by_key(|(at, _)| *at);
    let mut out = String::with_capacity(json.len() + inserts.len() * 30);
    let mut from = 0;
    for (at, text) in inserts {
        out.push_str(&json[from..at]);
        out.push_str(&text);
        from = at;
    }
    out.push_str(&json[from..]);
    Ok(out)
}

/// The byte where each line of `text` starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(b, _)| b + 1)).collect()
}

/// The byte ranges of every occurrence of `needle` in `text`, overlapping ones included.
pub fn occurrences(text: &str, needle: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    if needle.is_empty() {
        return found;
    }
    let mut from = 0;
    while let Some(at) = text[from..].find(needle) {
        let start = from + at;
        found.push(start..start + needle.len());
        // The next search starts one character later, so that "aa" occurs twice in "aaa".
        from = start + text[start..].chars().next().map_or(1, char::len_utf8);
    }
    found
}

/// Code-point offsets of byte ranges of `text`, counted in one pass (the ranges in order).
pub fn code_points(text: &str, ranges: &[Range<usize>]) -> Vec<(u64, u64)> {
    let mut counted = 0; // bytes counted so far
    let mut points = 0u64; // code points in text[..counted]
    let mut advance = |to: usize| {
        points += text[counted..to].chars().count() as u64;
        counted = to;
        points
    };
    ranges
        .iter()
        .map(|range| {
            let start = advance(range.start);
            let end = start + text[range.clone()].chars().count() as u64;
            (start, end)
        })
        .collect()
}

/// The span at `range`, bracketed, with up to three words either side, on one line
/// ("…said that [Ann] said so…").
pub fn around(text: &str, range: Range<usize>) -> String {
    const WORDS: usize = 3;
    let before = &text[..range.start];
    let mut cut = 0;
    let mut words = 0;
    let mut in_word = false;
    for (byte, c) in before.char_indices().rev() {
        if c.is_whitespace() {
            if in_word {
                words += 1;
                if words == WORDS {
                    cut = byte + c.len_utf8();
                    break;
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    let after = &text[range.end..];
    let mut end = after.len();
    let (mut words, mut in_word) = (0, false);
    for (byte, c) in after.char_indices() {
        if c.is_whitespace() {
            if in_word {
                words += 1;
                if words == WORDS {
                    end = byte;
                    break;
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    let mut out = String::new();
    if cut > 0 {
        out.push('…');
    }
    out.push_str(&text[cut..range.start]);
    out.push('[');
    out.push_str(&text[range.clone()]);
    out.push(']');
    out.push_str(&text[range.end..range.end + end]);
    if range.end + end < text.len() {
        out.push('…');
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One unit of folded text: a run of whitespace, or one character, with its folded form.
struct Unit {
    /// Byte range in the original text.
    bytes: Range<usize>,
    folded: char,
}

/// The folded form of a character: typographic quotes and apostrophes as `'` and `"`, dashes and
/// minus signs as `-`.
fn fold(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '\u{02bc}' => '\'',
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{00ab}' | '\u{00bb}' => '"',
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe63}' | '\u{ff0d}' => '-',
        c => c,
    }
}

fn units(text: &str) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    for (byte, c) in text.char_indices() {
        let end = byte + c.len_utf8();
        if c.is_whitespace() {
            if let Some(last) = units.last_mut().filter(|u| u.folded == ' ' && u.bytes.end == byte) {
                last.bytes.end = end;
                continue;
            }
            units.push(Unit { bytes: byte..end, folded: ' ' });
        } else {
            units.push(Unit { bytes: byte..end, folded: fold(c) });
        }
    }
    units
}

/// Where `needle` occurs in `text` once quotes, dashes and whitespace runs are folded (the first
/// place), and each different difference there as (the text's characters, the needle's).
pub fn folded_match(text: &str, needle: &str) -> Option<(Range<usize>, Vec<(String, String)>)> {
    let hay = units(text);
    let pins = units(needle);
    if pins.is_empty() || pins.len() > hay.len() {
        return None;
    }
    let folded: Vec<char> = hay.iter().map(|u| u.folded).collect();
    let wanted: Vec<char> = pins.iter().map(|u| u.folded).collect();
    let at = folded.windows(wanted.len()).position(|w| w == wanted.as_slice())?;
    let matched = &hay[at..at + pins.len()];
    let range = matched[0].bytes.start..matched[matched.len() - 1].bytes.end;
    let mut differences: Vec<(String, String)> = Vec::new();
    for (h, p) in matched.iter().zip(&pins) {
        let pair = (text[h.bytes.clone()].to_string(), needle[p.bytes.clone()].to_string());
        if pair.0 != pair.1 && !differences.contains(&pair) {
            differences.push(pair);
        }
    }
    (!differences.is_empty()).then_some((range, differences))
}

/// The passage of `text` closest to `needle` in edit distance, as a byte range, when it is at most a
/// third of the needle's length away. Needles over 200 characters are not searched.
pub fn closest_passage(text: &str, needle: &str) -> Option<Range<usize>> {
    let pins: Vec<char> = needle.chars().collect();
    let m = pins.len();
    if m == 0 || m > 200 {
        return None;
    }
    // Approximate substring matching (Sellers): a match may start anywhere in the text. Each cell
    // keeps its cost and the byte where its alignment started.
    let mut cost: Vec<usize> = (0..=m).collect();
    let mut start: Vec<usize> = vec![0; m + 1];
    let mut best: Option<(usize, Range<usize>)> = None;
    for (byte, c) in text.char_indices() {
        let (mut diagonal, mut diagonal_start) = (cost[0], start[0]);
        cost[0] = 0;
        start[0] = byte + c.len_utf8();
        for i in 1..=m {
            let (up, up_start) = (cost[i], start[i]);
            let substitute = diagonal + usize::from(pins[i - 1] != c);
            let (mut value, mut from) = (substitute, diagonal_start);
            if up + 1 < value {
                (value, from) = (up + 1, up_start);
            }
            if cost[i - 1] + 1 < value {
                (value, from) = (cost[i - 1] + 1, start[i - 1]);
            }
            (diagonal, diagonal_start) = (up, up_start);
            cost[i] = value;
            start[i] = from;
        }
        let end = byte + c.len_utf8();
        if best.as_ref().is_none_or(|(distance, _)| cost[m] < *distance) {
            best = Some((cost[m], start[m]..end));
        }
    }
    let limit = (m / 3).max(1);
    let (_, range) = best.filter(|(distance, range)| *distance <= limit && *distance > 0 && range.start < range.end)?;
    // Whole words: a passage that stops inside a word takes the rest of it.
    let word = |c: char| c.is_alphanumeric();
    let start = text[..range.start].rfind(|c: char| !word(c)).map_or(0, |b| b + text[b..].chars().next().map_or(1, char::len_utf8));
    let start = if text[range.start..].starts_with(word) { start } else { range.start };
    let end = if text[..range.end].ends_with(word) { text[range.end..].find(|c: char| !word(c)).map_or(text.len(), |b| range.end + b) } else { range.end };
    Some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Evidence;

    #[test]
    fn offsets_are_written_before_a_spans_first_member_and_nothing_else_changes() {
        let json = "{\"format\": \"1\", \"document\": {\"id\": \"a\", \"title\": \"A\"},\n\"entities\": [{\"id\": \"x\", \"type\": \"person\", \"name\": \"Ann\",\n  \"evidence\": [{\"start\": 0, \"end\": 3, \"text\": \"Ann\"}, { \"text\": \"Ann\", \"occurrence\": 2}]}]}";
        let mut filled: FactsDocument = serde_json::from_str(json).unwrap();
        filled.entities[0].evidence[1] = Evidence { start: Some(8), end: Some(11), ..filled.entities[0].evidence[1].clone() };
        let written = write_offsets(json, &filled).unwrap();
        assert_eq!(written, json.replace("{ \"text\": \"Ann\", \"occ", "{ \"start\": 8, \"end\": 11, \"text\": \"Ann\", \"occ"));
        assert_eq!(write_offsets(&written, &filled).unwrap(), written);
    }

    #[test]
    fn occurrences_overlap_and_count_code_points() {
        let text = "ééaaa aa";
        let found = occurrences(text, "aa");
        assert_eq!(found.len(), 3);
        assert_eq!(code_points(text, &found), [(2, 4), (3, 5), (6, 8)]);
        assert!(occurrences(text, "").is_empty());
    }

    #[test]
    fn around_keeps_three_words_either_side() {
        let text = "one two three four Ann five six seven eight";
        let at = text.find("Ann").unwrap();
        assert_eq!(around(text, at..at + 3), "…two three four [Ann] five six seven…");
        assert_eq!(around("Ann\nsaid", 0..3), "[Ann] said");
    }

    #[test]
    fn folding_names_every_difference() {
        let text = "Putin\u{2019}s  men \u{2014} all \u{2014} here";
        let (range, differences) = folded_match(text, "Putin's men - all - here").unwrap();
        assert_eq!(&text[range], text);
        let pairs = |d: &[(String, String)]| d.iter().map(|(a, b)| format!("{a}/{b}")).collect::<Vec<_>>();
        assert_eq!(pairs(&differences), ["\u{2019}/'", "  / ", "\u{2014}/-"]);
        let (_, differences) = folded_match("a\n b", "a b").unwrap();
        assert_eq!(pairs(&differences), ["\n / "]);
        assert!(folded_match("a b", "a b").is_none());
        assert!(folded_match("a b", "c").is_none());
    }

    #[test]
    fn the_closest_passage_is_found_within_a_third() {
        let text = "The Secretary General of NATO spoke.";
        let range = closest_passage(text, "Secretary-Generel").unwrap();
        assert_eq!(&text[range], "Secretary General");
        assert!(closest_passage(text, "zzzzzz").is_none());
        let range = closest_passage("met Bo Sample in town", "Bo Sampel").unwrap();
        assert_eq!(range, 4..13);
    }
}
