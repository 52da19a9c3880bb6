//! Small text utilities shared by validation, mapping and linking: edit distance for "did you mean"
//! hints, code-point spans, and name normalisation.

use unicode_normalization::UnicodeNormalization;

/// Edit distance in characters, counting a swap of two neighbours as one edit (optimal string
/// alignment), so "nmae" is one edit from "name".
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=b.len() {
        d[0][j] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a likely typo (at most a third of
/// its length, and at most 3 edits, away).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, candidate)| (*distance, *candidate))
        .map(|(_, candidate)| candidate)
}

/// True when `test` holds for some byte of `bytes`. Meant for the scans that usually find nothing
/// (is there a character to escape, to refuse?): it checks a chunk at a time without an early exit
/// inside the chunk, which the compiler vectorises.
pub fn any_byte(bytes: &[u8], test: impl Fn(u8) -> bool) -> bool {
    bytes.chunks(32).any(|chunk| chunk.iter().fold(false, |found, &b| found | test(b)))
}

/// Where the code points of a text start, for slicing spans given in code points. An ASCII text
/// needs no table (its code points are its bytes); any other keeps the byte offset of every
/// [`STRIDE`]th code point and walks the few characters from there.
pub struct CodePoints {
    /// Byte offsets of code points 0, STRIDE, 2 * STRIDE...; empty for an ASCII text.
    marks: Vec<usize>,
    len: usize,
}

/// Code points between two marks of [`CodePoints`].
const STRIDE: usize = 16;

impl CodePoints {
    /// Indexes `text`.
    pub fn new(text: &str) -> CodePoints {
        if text.is_ascii() {
            return CodePoints { marks: Vec::new(), len: text.len() };
        }
        let mut marks = Vec::with_capacity(text.len() / STRIDE + 1);
        let mut len = 0;
        for (byte, _) in text.char_indices() {
            if len % STRIDE == 0 {
                marks.push(byte);
            }
            len += 1;
        }
        CodePoints { marks, len }
    }

    /// Number of code points in the text.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for the empty text.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The byte range in `text` (the text this was made from) of the code-point span `start..end`,
    /// if it lies inside the text.
    pub fn byte_range(&self, text: &str, start: u64, end: u64) -> Option<std::ops::Range<usize>> {
        let start = usize::try_from(start).ok()?;
        let end = usize::try_from(end).ok()?;
        if start > end || end > self.len() {
            return None;
        }
        if self.marks.is_empty() {
            return Some(start..end);
        }
        Some(self.offset(text, start)..self.offset(text, end))
    }

    /// The byte offset of code point `index` (at most the text's length).
    fn offset(&self, text: &str, index: usize) -> usize {
        if index == self.len {
            return text.len();
        }
        let mark = self.marks[index / STRIDE];
        text[mark..].char_indices().nth(index % STRIDE).map_or(text.len(), |(byte, _)| mark + byte)
    }
}

/// The form names are searched in: compatibility-decomposed, diacritics removed, lowercase, and
/// control characters as spaces, so that "Zelenskyy" finds "ZELENSKÝY" and no folded name holds
/// NUL. A text contains another when its folded form contains the other's folded form.
pub fn search_fold(text: &str) -> String {
    if text.is_ascii() {
        return text.bytes().map(|b| if b.is_ascii_control() { ' ' } else { char::from(b.to_ascii_lowercase()) }).collect();
    }
    text.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The identity form of a name: NFC, lowercase, runs of spaces, hyphens and underscores as one '-',
/// and the punctuation that varies between spellings of one name (`.`, `,`, quotes, apostrophes)
/// dropped. "Jean-Claude  Juncker", "jean claude juncker" and "Jean-Claude Juncker." agree.
pub fn identity_name(name: &str) -> String {
    // Most names are already in NFC (all ASCII ones are): skip the normalizer for them.
    if name.is_ascii() {
        fold_name(name.bytes().map(|b| char::from(b.to_ascii_lowercase())), name.len())
    } else if unicode_normalization::is_nfc_quick(name.chars()) == unicode_normalization::IsNormalized::Yes {
        fold_name(name.chars().flat_map(char::to_lowercase), name.len())
    } else {
        fold_name(name.nfc().flat_map(char::to_lowercase), name.len())
    }
}

/// The separator folding and punctuation dropping of [`identity_name`], on lowercase NFC characters.
fn fold_name(chars: impl Iterator<Item = char>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    let mut pending_separator = false;
    for c in chars {
        if c.is_whitespace() || c == '-' || c == '_' {
            pending_separator = !out.is_empty();
        } else if matches!(c, '.' | ',' | '\'' | '"' | '\u{2018}' | '\u{2019}' | '\u{201c}' | '\u{201d}') {
            continue;
        } else {
            if pending_separator {
                out.push('-');
                pending_separator = false;
            }
            out.push(c);
        }
    }
    out
}

/// Makes any string safe as one IRI path segment. ASCII letters, digits and `-._~` stay; other
/// characters that RFC 3987 allows in IRIs stay as they are (so names in any script remain readable);
/// everything else — spaces, `<>"{}|^`\`, `/?#%`, controls, bidirectional formatting marks, private
/// use and non-characters — is percent-encoded as UTF-8. Distinct inputs give distinct segments.
pub fn iri_segment(text: &str, out: &mut String) {
    // The common case, a segment that needs no escape, is copied whole.
    if text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~') || is_plain_ucschar(c) {
            out.push(c);
        } else {
            let mut buffer = [0u8; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                out.push('%');
                out.push(char::from(b"0123456789ABCDEF"[usize::from(byte >> 4)]));
                out.push(char::from(b"0123456789ABCDEF"[usize::from(byte & 15)]));
            }
        }
    }
}

/// RFC 3987 `ucschar`, less the characters that are legal but harmful in an IRI a person reads:
/// bidirectional formatting marks (RFC 3987 §4.1 forbids them) and space-like characters.
fn is_plain_ucschar(c: char) -> bool {
    let code = u32::from(c);
    let ucschar = matches!(code,
        0xA0..=0xD7FF | 0xF900..=0xFDCF | 0xFDF0..=0xFFEF
        | 0x10000..=0x1FFFD | 0x20000..=0x2FFFD | 0x30000..=0x3FFFD
        | 0x40000..=0x4FFFD | 0x50000..=0x5FFFD | 0x60000..=0x6FFFD
        | 0x70000..=0x7FFFD | 0x80000..=0x8FFFD | 0x90000..=0x9FFFD
        | 0xA0000..=0xAFFFD | 0xB0000..=0xBFFFD | 0xC0000..=0xCFFFD
        | 0xD0000..=0xDFFFD | 0xE1000..=0xEFFFD);
    let bidi = matches!(code, 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0x061C);
    ucschar && !bidi && !c.is_whitespace() && !matches!(code, 0xFFF0..=0xFFFF | 0xFEFF | 0x2028 | 0x2029)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_only() {
        assert_eq!(closest("nmae", ["id", "name", "aliases"]), Some("name"));
        assert_eq!(closest("langauge", ["language", "title"]), Some("language"));
        assert_eq!(closest("zzzzzz", ["id", "name"]), None);
    }

    #[test]
    fn identity_names_agree_across_spellings() {
        assert_eq!(identity_name("Jean-Claude  Juncker"), "jean-claude-juncker");
        assert_eq!(identity_name(" jean claude juncker."), "jean-claude-juncker");
        assert_eq!(identity_name("U.S."), "us");
        assert_eq!(identity_name("Владимир Путин"), "владимир-путин");
        // Decomposed input is composed first (the quick check sends it through the normalizer).
        assert_eq!(identity_name("Cafe\u{301} Noir"), "caf\u{e9}-noir");
        assert_eq!(identity_name("CAF\u{c9}"), "caf\u{e9}");
    }

    #[test]
    fn segments_escape_what_iris_cannot_hold() {
        let mut out = String::new();
        iri_segment("a b<>\"{}|^`\\/%é😀\u{202e}", &mut out);
        assert_eq!(out, "a%20b%3C%3E%22%7B%7D%7C%5E%60%5C%2F%25é😀%E2%80%AE");
    }

    #[test]
    fn code_point_spans() {
        let text = "a’b";
        let points = CodePoints::new(text);
        assert_eq!(points.len(), 3);
        assert_eq!(points.byte_range(text, 1, 3), Some(1..5));
        assert_eq!(points.byte_range(text, 3, 3), Some(5..5));
        assert_eq!(points.byte_range(text, 2, 4), None);
        // Past the first mark: every span of a long text agrees with counting from the start.
        let long: String = (0..300).map(|i| if i % 7 == 0 { '’' } else { 'x' }).collect();
        let points = CodePoints::new(&long);
        let offsets: Vec<usize> = long.char_indices().map(|(b, _)| b).chain([long.len()]).collect();
        for start in 0..=300u64 {
            for end in [start, start + 1, start + 15, start + 16, start + 17, start + 64, 300] {
                let expected = (end <= 300).then(|| offsets[start as usize]..offsets[end as usize]);
                assert_eq!(points.byte_range(&long, start, end), expected, "{start}..{end}");
            }
        }
        let ascii = CodePoints::new("abc");
        assert_eq!(ascii.byte_range("abc", 1, 3), Some(1..3));
        assert_eq!(ascii.byte_range("abc", 1, 4), None);
    }
}
