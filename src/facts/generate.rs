//! Synthetic facts for benchmarks and stress tests: deterministic from a seed, realistic in shape.
//!
//! The entry point is [`Generator::document`]. Each article has a generated text and about 20
//! entities, 10 roles and relations, 4 events, 4 quotes and 3 claims, with evidence spans that
//! really match the text. Entity names recur across articles with a Zipf-like distribution (a few
//! are everywhere, most are rare), and about one name in fifty carries characters that are hostile
//! to IRIs and serialisers (`<>"{}|^`\`, quotes, right-to-left text, emoji). Everything here is
//! synthetic: invented names, no Wikidata ids.

use crate::facts::{
    Approximation, Claim, ClaimContent, ClaimKind, Date, Document, Entity, EntityType, Event, Evidence, FactsDocument, Participant,
    ParticipantRole, Quantity, Quote, Relation, RelationKind, Role,
};

/// SplitMix64: a small, fast, well-mixed generator; the same seed gives the same stream everywhere.
#[derive(Debug, Clone)]
pub struct Random(u64);

impl Random {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Random {
        Random(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// One element of a slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A float in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Draws ranks 0..n with probability proportional to 1 / (rank + 1)^s.
#[derive(Debug, Clone)]
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, s: f64) -> Zipf {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|k| {
                total += 1.0 / ((k + 1) as f64).powf(s);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    fn draw(&self, random: &mut Random) -> usize {
        let target = random.unit() * self.cumulative.last().copied().unwrap_or(0.0);
        self.cumulative.partition_point(|c| *c < target).min(self.cumulative.len() - 1)
    }
}

const GIVEN: [&str; 24] = [
    "Anna", "Boris", "Chen", "Dara", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kofi", "Lena", "Mateo", "Nadia",
    "Omar", "Petra", "Quentin", "Rosa", "Sergei", "Tomasz", "Uma", "Viktor", "Wen", "Yara",
];
const FAMILY: [&str; 24] = [
    "Adler", "Bakker", "Costa", "Dimitrov", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova", "Jensen", "Kowalski", "Lindqvist",
    "Moreau", "Novak", "Okafor", "Petrov", "Quinn", "Rossi", "Santos", "Tanaka", "Ulrich", "Varga", "Weber", "Zhang",
];
const SYLLABLES: [&str; 20] = [
    "bra", "cor", "dal", "ven", "mar", "tis", "lor", "qua", "sen", "val", "rin", "tho", "gal", "nor", "pel", "ves", "kar", "lun", "dor", "ost",
];
const ORG_KINDS: [&str; 8] = ["Institute", "Ministry of Trade", "Alliance", "Bank", "Agency", "Council", "Union", "Party"];
const ROLES: [&str; 8] = ["minister", "spokesperson", "director", "chair", "ambassador", "secretary general", "mayor", "analyst"];
const VERBS: [(&str, &str); 6] = [
    ("met", "meeting"),
    ("sanctioned", "sanction"),
    ("visited", "visit"),
    ("criticised", "criticism"),
    ("signed an accord with", "agreement"),
    ("attacked", "attack"),
];
const QUOTES: [&str; 6] = [
    "We will not accept this",
    "The talks were constructive",
    "Nothing has been decided yet",
    "This is a matter of security",
    "Our position has not changed",
    "We expect an answer within days",
];
const OFFENCES: [&str; 4] = ["spreading disinformation", "violating the ceasefire", "hiding the figures", "breaking the agreement"];
const HOSTILE: [&str; 10] = ["<", ">", "\"", "{", "}", "|", "^", "`", "\\", " \u{202e}"];
const DECORATIONS: [&str; 4] = ["\u{1F30D}", "\u{05E9}\u{05DC}\u{05D5}\u{05DD}", "O'", "l\u{2019}"];

/// Makes synthetic documents.
#[derive(Debug, Clone)]
pub struct Generator {
    seed: u64,
    zipf: Zipf,
    pool: usize,
}

struct TextBuilder {
    text: String,
    chars: u64,
}

impl TextBuilder {
    fn push(&mut self, part: &str) -> Evidence {
        let start = self.chars;
        self.text.push_str(part);
        self.chars += part.chars().count() as u64;
        Evidence::at(start, self.chars, part)
    }
}

impl Generator {
    /// A generator whose articles draw names from `pool` candidates per type (Zipf exponent 1.05).
    pub fn new(seed: u64, pool: usize) -> Generator {
        Generator { seed, zipf: Zipf::new(pool.max(1), 1.05), pool: pool.max(1) }
    }

    /// The pool size used for `articles` articles: names recur, and the vocabulary grows with the
    /// corpus (about one candidate name per article, at least 200).
    pub fn for_articles(seed: u64, articles: usize) -> Generator {
        Generator::new(seed, articles.max(200))
    }

    /// The name of the `rank`-th entity of a type; the same rank is the same entity in every article.
    fn name(&self, kind: EntityType, rank: usize) -> String {
        let mut random = Random::new(self.seed ^ (rank as u64).wrapping_mul(0x2545_F491_4F6C_DD1D) ^ kind as u64);
        let word = |random: &mut Random, n: usize| {
            let mut w: String = (0..n).map(|_| *random.pick(&SYLLABLES)).collect();
            w[..1].make_ascii_uppercase();
            w
        };
        let mut name = match kind {
            EntityType::Person => format!("{} {} {}", random.pick(&GIVEN), word(&mut random, 1), random.pick(&FAMILY)),
            EntityType::Organisation => format!("{} {}", word(&mut random, 2), random.pick(&ORG_KINDS)),
            EntityType::Country => format!("Republic of {}", word(&mut random, 3)),
            EntityType::City => word(&mut random, 3),
            EntityType::Place => format!("{} Valley", word(&mut random, 2)),
            EntityType::Group | EntityType::Other => format!("{} supporters", word(&mut random, 2)),
        };
        // The rank makes names unique per type; one in fifty gets hostile characters.
        name.push_str(&format!(" {rank}"));
        if rank % 50 == 7 {
            name.push_str(*random.pick(&HOSTILE));
            name.push_str(*random.pick(&DECORATIONS));
        }
        name
    }

    /// Article number `n`.
    pub fn document(&self, n: usize) -> FactsDocument {
        let mut random = Random::new(self.seed.wrapping_mul(0x9E37_79B9).wrapping_add(n as u64));
        let mut text = TextBuilder { text: String::new(), chars: 0 };
        let id = format!("synthetic-{n:07}");
        let title = format!("Synthetic report {n}");
        text.push(&format!("{title}\n\n"));

        // 20 entities: 7 people, 4 organisations, 3 countries, 3 cities, 2 places, 1 group.
        let plan = [
            (EntityType::Person, 7),
            (EntityType::Organisation, 4),
            (EntityType::Country, 3),
            (EntityType::City, 3),
            (EntityType::Place, 2),
            (EntityType::Group, 1),
        ];
        let mut entities: Vec<Entity> = Vec::new();
        let mut by_kind: Vec<(EntityType, Vec<usize>)> = Vec::new();
        for (kind, count) in plan {
            let mut chosen: Vec<usize> = Vec::new();
            while chosen.len() < count {
                let rank = self.zipf.draw(&mut random) % self.pool;
                if !chosen.contains(&rank) {
                    chosen.push(rank);
                }
            }
            let mut indexes = Vec::new();
            for rank in chosen {
                let name = self.name(kind, rank);
                let local = format!("{}-{rank}", kind.as_str());
                text.push("Reports mention ");
                let mention = text.push(&name);
                text.push(".\n");
                indexes.push(entities.len());
                entities.push(Entity {
                    id: local,
                    kind,
                    name,
                    aliases: Vec::new(),
                    description: None,
                    wikidata: None,
                    key: None,
                    evidence: vec![mention],
                    confidence: None,
                });
            }
            by_kind.push((kind, indexes));
        }
        let of = |kind: EntityType| by_kind.iter().find(|(k, _)| *k == kind).map(|(_, v)| v.clone()).unwrap_or_default();
        let people = of(EntityType::Person);
        let organisations = of(EntityType::Organisation);
        let countries = of(EntityType::Country);
        let cities = of(EntityType::City);
        let places = of(EntityType::Place);
        let group = of(EntityType::Group);
        let name_of = |i: usize| entities[i].name.clone();
        let id_of = |i: usize| entities[i].id.clone();
        let date = |random: &mut Random| Date {
            value: format!("{:04}-{:02}-{:02}", 2000 + random.below(25), 1 + random.below(12), 1 + random.below(28)),
            text: None,
        };

        // 5 roles.
        let mut roles = Vec::new();
        for k in 0..5 {
            let person = people[k];
            let organisation = *random.pick(&organisations);
            let role = *random.pick(&ROLES);
            let span = text.push(&format!("{}, the {role} of {}", name_of(person), name_of(organisation)));
            text.push(", spoke to reporters.\n");
            roles.push(Role {
                id: format!("role-{k}"),
                holder: id_of(person),
                role: role.to_string(),
                organisation: Some(id_of(organisation)),
                start: None,
                end: None,
                as_of: Some(date(&mut random)),
                evidence: vec![span],
                confidence: None,
            });
        }
        // 5 relations.
        let mut relations = Vec::new();
        let relation_plan = [
            (countries[0], RelationKind::MemberOf, organisations[0], "is a member of"),
            (cities[0], RelationKind::LocatedIn, countries[0], "lies in"),
            (cities[1], RelationKind::LocatedIn, countries[1], "lies in"),
            (organisations[1], RelationKind::HeadquarteredIn, cities[0], "is headquartered in"),
            (countries[1], RelationKind::SharesBorderWith, countries[2], "borders"),
        ];
        for (k, (subject, predicate, object, words)) in relation_plan.into_iter().enumerate() {
            let span = text.push(&format!("{} {words} {}.", name_of(subject), name_of(object)));
            text.push("\n");
            relations.push(Relation {
                id: format!("relation-{k}"),
                subject: id_of(subject),
                predicate,
                object: id_of(object),
                start: None,
                end: None,
                as_of: None,
                quantities: Vec::new(),
                evidence: vec![span],
                confidence: None,
            });
        }
        // 4 events.
        let mut events = Vec::new();
        for k in 0..4 {
            let (verb, kind) = *random.pick(&VERBS);
            let initiator = *random.pick(&countries);
            let target = *random.pick(&organisations);
            let place = if k % 2 == 0 { *random.pick(&cities) } else { *random.pick(&places) };
            let when = vague(date(&mut random), k);
            let wording = when.text.clone().unwrap_or_default();
            let span = text.push(&format!("{} {verb} {} in {} {wording}.", name_of(initiator), name_of(target), name_of(place)));
            // A number, given as an amount or as a bound, in a sentence of its own.
            let count = 1500 * (k as u64 + 1);
            let (words, approximation) = if k % 2 == 0 { ("around", Approximation::About) } else { ("more than", Approximation::MoreThan) };
            text.push(" ");
            let amount = text.push(&format!("{words} {count} people"));
            text.push(" took part.\n");
            let (value, lower) = if k % 2 == 0 { (Some(count as f64), None) } else { (None, Some(count as f64)) };
            let quantity = Quantity { value, lower, upper: None, approximation: Some(approximation), unit: "people".into(), unit_wikidata: None, evidence: vec![amount] };
            events.push(Event {
                id: format!("event-{k}"),
                kind: kind.to_string(),
                description: format!("{} {verb} {}.", name_of(initiator), name_of(target)),
                date: Some(when),
                start: None,
                end: None,
                places: vec![id_of(place)],
                participants: vec![
                    Participant { entity: id_of(initiator), role: ParticipantRole::Initiator },
                    Participant { entity: id_of(target), role: ParticipantRole::Target },
                ],
                wikidata: None,
                quantities: vec![quantity],
                evidence: vec![span],
                confidence: None,
            });
        }
        // 4 quotes.
        let mut quotes = Vec::new();
        for k in 0..4 {
            let speaker = people[k];
            let words = *random.pick(&QUOTES);
            text.push("\u{201c}");
            let span = text.push(words);
            text.push(&format!(",\u{201d} said {}.\n", name_of(speaker)));
            quotes.push(Quote {
                id: format!("quote-{k}"),
                speaker: id_of(speaker),
                text: words.to_string(),
                about: vec![id_of(*random.pick(&countries))],
                date: None,
                quantities: Vec::new(),
                medium: None,
                venue: None,
                evidence: vec![span],
                confidence: None,
            });
        }
        // 3 claims: an accusation with claimed content, a statement, and one with an unnamed claimant.
        let mut claims = Vec::new();
        for k in 0..3 {
            let claimant = if k == 2 { group[0] } else { people[5 + k % 2] };
            let accused = *random.pick(&countries);
            let offence = *random.pick(&OFFENCES);
            let sentence = format!("{} accused {} of {offence}.", name_of(claimant), name_of(accused));
            let span = text.push(&sentence);
            text.push("\n");
            claims.push(Claim {
                id: format!("claim-{k}"),
                claimant: if k == 1 { None } else { Some(id_of(claimant)) },
                kind: if k == 1 { ClaimKind::Statement } else { ClaimKind::Accusation },
                summary: format!("{} was {offence}.", name_of(accused)),
                about: vec![id_of(accused)],
                date: None,
                content: (k == 0).then(|| ClaimContent {
                    relation: None,
                    role: None,
                    event: Some(Event {
                        id: format!("claim-{k}-event"),
                        kind: "violation".into(),
                        description: format!("{} was {offence}.", name_of(accused)),
                        date: None,
                        start: None,
                        end: None,
                        places: Vec::new(),
                        participants: vec![Participant { entity: id_of(accused), role: ParticipantRole::Initiator }],
                        wikidata: None,
                        quantities: Vec::new(),
                        evidence: Vec::new(),
                        confidence: None,
                    }),
                }),
                quantities: Vec::new(),
                medium: None,
                venue: None,
                evidence: vec![span],
                confidence: (k == 1).then_some(0.8),
            });
        }
        FactsDocument {
            format: crate::facts::FORMAT_VERSION.into(),
            document: Document {
                id,
                title,
                url: Some(format!("https://news.example/synthetic/{n}")),
                publisher: None,
                published: Some(date(&mut random)),
                language: Some("en".into()),
                text: Some(text.text),
                text_file: None,
                notes: Some("Synthetic article generated by `factgraph generate`; not real news.".into()),
            },
            entities,
            roles,
            relations,
            events,
            quotes,
            claims,
        }
    }
}

/// The date of the `k`-th event of an article (from 0), worded: of every four, the second is the
/// five days from the day (an EDTF interval), the third its month, approximate ("2012-03~"), the
/// others the day itself.
fn vague(day: Date, k: usize) -> Date {
    let (month, first) = day.value.split_at(7);
    let first: u8 = first[1..].parse().expect("generated days are YYYY-MM-DD");
    let (value, text) = match k % 4 {
        1 => {
            let last = format!("{month}-{:02}", (first + 4).min(28));
            (format!("{}/{last}", day.value), format!("in the week from {} to {last}", day.value))
        }
        2 => (format!("{month}~"), format!("around {month}")),
        _ => (day.value.clone(), format!("on {}", day.value)),
    };
    Date { value, text: Some(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_documents() {
        let a = Generator::for_articles(7, 10);
        let b = Generator::for_articles(7, 10);
        assert_eq!(a.document(3), b.document(3));
        assert_ne!(a.document(3), a.document(4));
    }

    #[test]
    fn some_event_dates_are_intervals_or_approximate() {
        let document = Generator::for_articles(7, 10).document(3);
        let dates: Vec<&str> = document.events.iter().map(|e| e.date.as_ref().unwrap().value.as_str()).collect();
        assert!(dates[1].contains('/') && dates[2].ends_with('~'), "{dates:?}");
        for date in dates {
            crate::facts::date::Dating::parse(date).unwrap();
        }
    }

    #[test]
    fn zipf_prefers_low_ranks() {
        let zipf = Zipf::new(1000, 1.05);
        let mut random = Random::new(1);
        let draws: Vec<usize> = (0..10_000).map(|_| zipf.draw(&mut random)).collect();
        let top = draws.iter().filter(|&&r| r < 10).count();
        assert!(top > 2_000, "{top} of 10000 draws in the top 10");
    }
}
