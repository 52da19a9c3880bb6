//! Integration tests of the `factgraph` binary at its boundaries: facts in, problems, RDF, store,
//! queries and exports out. One test binary; each test gets its own temporary folder.

mod util;

use oxigraph::io::RdfFormat;
use std::collections::BTreeSet;
use std::path::Path;
use util::{expect_file, parse_rdf, root, run_binary, Sandbox};

const SEED_FACTS: &str = "data/facts";
const SEED_ARTICLE: &str = "https://factgraph.example/kb/article/russia-nato-split-2021";

// ---------------------------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------------------------

/// Every fixture under tests/fixtures/check gives exactly its expected output and exit code.
#[test]
fn check_fixtures_report_every_problem_exactly() {
    let dir = root().join("tests/fixtures/check");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") || n.ends_with(".jsonl"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "fixtures found: {names:?}");
    for name in names {
        let run = run_binary(&dir, &["check", "--quiet", &name], None);
        let actual = format!("{}exit: {}\n", run.stdout, run.status);
        let stem = name.rsplit_once('.').unwrap().0;
        expect_file(&dir.join(format!("{stem}.expected")), &actual);
        assert_eq!(run.status, 1, "{name} must be refused");
    }
}

#[test]
fn seed_data_checks_clean() {
    Sandbox::new().run(&["check", "data/"]).success().stderr_has("ok: 1 document in 1 file, no problems");
}

#[test]
fn check_reads_stdin_as_one_document_or_json_lines() {
    let sandbox = Sandbox::new();
    let pretty = std::fs::read(root().join("data/facts/russia-nato-split-2021.json")).unwrap();
    // Pretty JSON on stdin is one document; its text_file is relative to the working folder (and
    // lies outside it: the text root must be widened).
    sandbox.run_from(&root().join("data/facts"), &["check", "-", "--text-root", ".."], Some(&pretty)).success();
    let lines = b"{\"format\":\"1\",\"document\":{\"id\":\"a\",\"title\":\"A\"}}\n{\"format\":\"1\",\"document\":{\"id\":\"b\",\"title\":\"B\",\"x\":1}}\n";
    sandbox
        .run_from(&root(), &["check", "-"], Some(lines))
        .code(1)
        .stdout_has("-:2:48: $.document.x: unknown field \"x\"; expected one of: id, title, url, publisher, published, language, text, text_file, notes");
}

/// `check --write-offsets` writes a document whose spans give only their words back with their
/// offsets first in each span and nothing else changed; the result checks clean and maps to the same
/// RDF. A document with problems writes nothing.
#[test]
fn check_writes_located_offsets_back_in_place() {
    let sandbox = Sandbox::new();
    let by_words = "{\"format\": \"1\",\n \"document\": {\"id\": \"w\", \"title\": \"W\", \"text\": \"Ann met Bo. Later Ann left.\"},\n \"entities\": [{\"id\": \"ann\", \"type\": \"person\", \"name\": \"Ann\",\n   \"evidence\": [{\"text\": \"Ann\", \"occurrence\": 1}, { \"text\": \"Ann\", \"context\": \"Later Ann\"}]},\n  {\"id\": \"bo\", \"type\": \"person\", \"name\": \"Bo\", \"evidence\": [{\"start\": 8, \"end\": 10, \"text\": \"Bo\"}]}]}\n";
    let input = sandbox.path().join("words.json");
    std::fs::write(&input, by_words).unwrap();
    let output = sandbox.path().join("offsets.json");
    sandbox.run(&["check", "--write-offsets", "-o", output.to_str().unwrap(), input.to_str().unwrap()]).success();
    let written = std::fs::read_to_string(&output).unwrap();
    let expected = by_words
        .replace("[{\"text\": \"Ann\", \"occ", "[{\"start\": 0, \"end\": 3, \"text\": \"Ann\", \"occ")
        .replace("{ \"text\": \"Ann\", \"context", "{ \"start\": 18, \"end\": 21, \"text\": \"Ann\", \"context");
    assert_eq!(written, expected);
    sandbox.run(&["check", output.to_str().unwrap()]).success();
    let map = |path: &Path| sandbox.run(&["map", "--format", "nquads", path.to_str().unwrap()]).success().stdout;
    assert_eq!(map(&input), map(&output));
    std::fs::write(&input, by_words.replace("Later Ann", "Later Bo")).unwrap();
    std::fs::remove_file(&output).unwrap();
    sandbox
        .run(&["check", "--write-offsets", "-o", output.to_str().unwrap(), input.to_str().unwrap()])
        .code(1)
        .stdout_has("context: the context does not contain the span's text \"Ann\"");
    assert!(!output.exists());
}

/// `check --write-offsets` also fills the spans of quantities, media and venues (format 1.1), which
/// stand in the JSON before their item's own evidence: every span gets its offsets and the RDF is
/// the same.
#[test]
fn check_writes_offsets_of_quantities_and_venues() {
    let sandbox = Sandbox::new();
    let input = root().join("tests/fixtures/map/quantities-and-venues.json");
    let output = sandbox.path().join("offsets.json");
    sandbox.run(&["check", "--write-offsets", "-o", output.to_str().unwrap(), input.to_str().unwrap()]).success();
    let written = std::fs::read_to_string(&output).unwrap();
    let original = std::fs::read_to_string(&input).unwrap();
    let by_words = original.matches("{\"text\": ").count();
    assert!(by_words >= 8);
    assert_eq!(written.matches("{\"text\": ").count(), 0, "{written}");
    assert_eq!(written.matches("{\"start\": ").count(), original.matches("{\"start\": ").count() + by_words);
    let map = |path: &Path| sandbox.run(&["map", "--format", "nquads", path.to_str().unwrap()]).success().stdout;
    assert_eq!(map(&input), map(&output));
}

/// A `text_file` is read only inside the text root, the current folder unless `--text-root` widens
/// it: a path that climbs out or a symbolic link that leads out is refused, with the root and the
/// flag named, and nothing is written; with `--text-root` the same facts read their texts.
#[test]
fn text_files_are_read_only_inside_the_text_root() {
    let sandbox = Sandbox::new();
    let project = sandbox.path().join("project");
    std::fs::create_dir_all(project.join("texts")).unwrap();
    std::fs::create_dir_all(sandbox.path().join("articles")).unwrap();
    std::fs::write(sandbox.path().join("articles/outside.txt"), "Words from outside.").unwrap();
    std::fs::write(project.join("texts/inside.txt"), "Words from inside.").unwrap();
    std::os::unix::fs::symlink("../articles/outside.txt", project.join("escape.txt")).unwrap();
    std::os::unix::fs::symlink("texts/inside.txt", project.join("inside.txt")).unwrap();
    for (id, text_file) in [("linked", "escape.txt"), ("climbing", "../articles/outside.txt"), ("kept", "inside.txt")] {
        let document = format!("{{\"format\":\"1\",\"document\":{{\"id\":\"{id}\",\"title\":\"T\",\"text_file\":\"{text_file}\"}}}}\n");
        std::fs::write(project.join(format!("{id}.json")), document).unwrap();
    }
    let inputs = ["linked.json", "climbing.json", "kept.json"];
    let resolved = project.canonicalize().unwrap();
    let hint = format!("hint: 2 text_files outside the text root {} (the current folder); to read them, give --text-root DIR", resolved.display());
    let run = sandbox.run_from(&project, &[&["check"], &inputs[..]].concat(), None).code(1).stderr_has(&hint);
    assert_eq!(
        run.stdout,
        "linked.json:1:65: $.document.text_file: escape.txt is outside the text root ./\n\
         climbing.json:1:67: $.document.text_file: ../articles/outside.txt is outside the text root ./\n"
    );
    let store = sandbox.store();
    let load = [&["load"], &inputs[..], &["--store", store.to_str().unwrap()]].concat();
    sandbox.run_from(&project, &load, None).code(1).stderr_has(&hint).stderr_has("nothing was written");
    assert!(!store.exists(), "a refused load made the store");
    // Widened to the sandbox, both outside texts are read; a root the folder itself leaves is refused.
    let map = [&["map", "--format", "nquads"], &inputs[..]].concat();
    let run = sandbox.run_from(&project, &[&map[..], &["--text-root", ".."]].concat(), None).success();
    assert_eq!(run.stdout.matches("\"Words from outside.\"").count(), 2, "{}", run.stdout);
    assert!(run.stdout.contains("\"Words from inside.\""), "{}", run.stdout);
    sandbox.run_from(&project, &[&map[..], &["--text-root", "texts"]].concat(), None).code(1).stderr_has("(given by --text-root)");
    sandbox.run_from(&project, &["check", "kept.json", "--text-root", "no-such-folder"], None).code(2).stderr_has("--text-root");
}

#[test]
fn check_of_a_missing_path_is_a_clear_failure() {
    Sandbox::new().run(&["check", "no/such/file.json"]).code(3).stderr_has("cannot read no/such/file.json");
}

#[test]
fn schema_is_checked_in_and_current() {
    let run = Sandbox::new().run(&["schema"]).success();
    expect_file(&root().join("docs/facts.schema.json"), &run.stdout);
}

// ---------------------------------------------------------------------------------------------
// map
// ---------------------------------------------------------------------------------------------

#[test]
fn map_is_byte_identical_across_runs_in_every_format() {
    let sandbox = Sandbox::new();
    for format in ["turtle", "trig", "ntriples", "nquads", "jsonld", "rdfxml"] {
        let first = sandbox.run(&["map", SEED_FACTS, "--format", format]).success();
        let second = sandbox.run(&["map", SEED_FACTS, "--format", format]).success();
        assert!(!first.stdout.is_empty());
        assert_eq!(first.stdout, second.stdout, "{format} output differs between runs");
    }
}

/// Each mapping fixture (synthetic facts) maps to exactly the graph of its expected Turtle.
#[test]
fn map_fixtures_give_their_expected_graphs() {
    let dir = root().join("tests/fixtures/map");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= 4, "fixtures found: {names:?}");
    for name in names {
        let run = run_binary(&dir, &["map", &name], None).success();
        let expected_path = dir.join(name.replace(".json", ".ttl"));
        if std::env::var_os("FACTGRAPH_BLESS").is_some() {
            std::fs::write(&expected_path, &run.stdout).unwrap();
            continue;
        }
        let expected = std::fs::read(&expected_path).unwrap();
        let expected_graph = parse_rdf(&expected, RdfFormat::Turtle, false);
        let actual_graph = parse_rdf(run.stdout.as_bytes(), RdfFormat::Turtle, false);
        let missing: Vec<_> = expected_graph.difference(&actual_graph).collect();
        let extra: Vec<_> = actual_graph.difference(&expected_graph).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{name}: missing {missing:#?}\nextra {extra:#?}");
    }
}

/// The mapper writes no class or property that the ontology does not declare.
#[test]
fn every_term_the_mapper_writes_is_declared_in_the_ontology() {
    let ontology = factgraph::rdf::ontology::Ontology::bundled().unwrap();
    let (classes, properties) = ontology.size();
    assert!((10..=18).contains(&classes), "{classes} classes");
    assert!((24..=72).contains(&properties), "{properties} properties");
    let mut inputs = vec![root().join(SEED_FACTS)];
    inputs.push(root().join("tests/fixtures/map"));
    let text_root = factgraph::facts::input::TextRoot::new(&root()).unwrap();
    let checked = factgraph::facts::stream::check(&inputs, &text_root).unwrap();
    assert!(checked.is_clean(), "{:?}", checked.problems);
    let mapper = factgraph::rdf::mapping::Mapper::new(&ontology, factgraph::rdf::iri::Base::default()).unwrap();
    let mut used_classes = BTreeSet::new();
    let mut used_properties = BTreeSet::new();
    for (_, document) in &checked.documents {
        for quad in mapper.map(document) {
            assert!(ontology.declares_property(quad.predicate.as_ref()), "undeclared property {}", quad.predicate);
            used_properties.insert(quad.predicate.to_string());
            if quad.predicate == oxigraph::model::vocab::rdf::TYPE {
                let oxigraph::model::Term::NamedNode(class) = &quad.object else { panic!("type {}", quad.object) };
                assert!(ontology.declares_class(class.as_ref()), "undeclared class {class}");
                used_classes.insert(class.to_string());
            }
        }
    }
    // The fixtures exercise most of the vocabulary.
    assert!(used_classes.len() >= 12, "{used_classes:?}");
    assert!(used_properties.len() >= 35, "{used_properties:?}");
}

/// The seed's Turtle is read by an independent parser (raptor's rapper) as the same number of triples.
#[test]
fn seed_turtle_parses_with_rapper() {
    let sandbox = Sandbox::new();
    let turtle = sandbox.path().join("seed.ttl");
    sandbox.run(&["map", SEED_FACTS, "-o", turtle.to_str().unwrap()]).success();
    let ntriples = sandbox.run(&["map", SEED_FACTS, "--format", "ntriples"]).success();
    let expected: BTreeSet<&str> = ntriples.stdout.lines().collect();
    let output = std::process::Command::new("rapper")
        .args(["-q", "-i", "turtle", "-o", "ntriples"])
        .arg(&turtle)
        .output()
        .expect("rapper (Debian package raptor2-utils) must be installed: .ci/run installs it");
    assert!(output.status.success(), "rapper refused the Turtle: {}", String::from_utf8_lossy(&output.stderr));
    let rapper = String::from_utf8(output.stdout).unwrap();
    let parsed: BTreeSet<String> = parse_rdf(rapper.as_bytes(), RdfFormat::NTriples, false);
    let ours: BTreeSet<String> = parse_rdf(expected.into_iter().collect::<Vec<_>>().join("\n").as_bytes(), RdfFormat::NTriples, false);
    assert_eq!(parsed, ours, "rapper read a different graph");
}

// ---------------------------------------------------------------------------------------------
// store: load, reload, remove, atomicity
// ---------------------------------------------------------------------------------------------

fn store_nquads(sandbox: &Sandbox) -> String {
    sandbox.run_in_store(&["export", "--format", "nquads", "--with-ontology"]).success().stdout
}

#[test]
fn reload_leaves_the_same_store_and_remove_leaves_only_the_ontology() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success().stderr_has("1 article (1 new, 0 replaced)");
    let once = store_nquads(&sandbox);
    sandbox.run_in_store(&["load", SEED_FACTS]).success().stderr_has("(0 new, 1 replaced)");
    let twice = store_nquads(&sandbox);
    assert_eq!(parse_rdf(once.as_bytes(), RdfFormat::NQuads, true), parse_rdf(twice.as_bytes(), RdfFormat::NQuads, true));
    sandbox.run_in_store(&["remove", "russia-nato-split-2021"]).success();
    let after = store_nquads(&sandbox);
    let graphs = util::graph_names(after.as_bytes());
    assert_eq!(graphs, BTreeSet::from(["<https://ns.factgraph.example/ontology>".to_string()]));
    sandbox.run_in_store(&["remove", "russia-nato-split-2021"]).code(2).stderr_has("not in the store");
}

/// Small bulk-loader batches (many of them: 60 synthetic articles are 32,760 quads, 8,000 a batch)
/// give the same store as the default; a batch budget below the floor is a usage error.
#[test]
fn small_load_batches_give_the_same_store() {
    let small = Sandbox::new();
    let facts = small.generate("generated.jsonl", 60, 7);
    let facts = facts.to_str().unwrap();
    small.run_in_store(&["load", facts, "--batch-memory", "16"]).success().stderr_has("60 articles (60 new, 0 replaced), 32760 quads");
    let default = Sandbox::new();
    default.run_in_store(&["load", facts]).success();
    assert_eq!(store_nquads(&small), store_nquads(&default));
    small.run_in_store(&["load", facts, "--batch-memory", "8"]).code(2).stderr_has("8 is not in 16..");
}

/// `load --optimize` and `optimize` compact the store and change nothing in it; `optimize` of a
/// missing store says so and creates nothing.
#[test]
fn optimize_changes_nothing_in_the_store() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let before = store_nquads(&sandbox);
    sandbox.run_in_store(&["optimize"]).success().stderr_has("optimized:");
    assert_eq!(store_nquads(&sandbox), before);
    sandbox.run_in_store(&["load", SEED_FACTS, "--optimize"]).success().stderr_has("(0 new, 1 replaced)").stderr_has("optimized:");
    assert_eq!(store_nquads(&sandbox), before);
    let missing = sandbox.path().join("no-store");
    sandbox.run(&["optimize", "--store", missing.to_str().unwrap()]).code(3).stderr_has("no-store");
    assert!(!missing.exists());
}

#[test]
fn invalid_facts_write_nothing_to_the_store() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let before = store_nquads(&sandbox);
    let bad = root().join("tests/fixtures/check/references.json");
    sandbox
        .run_in_store(&["load", SEED_FACTS, bad.to_str().unwrap()])
        .code(1)
        .stderr_has("nothing was written");
    assert_eq!(before, store_nquads(&sandbox));
}

#[test]
fn a_store_in_use_is_refused_clearly() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let kb = factgraph::store::KnowledgeBase::open(&sandbox.store()).unwrap();
    sandbox.run_in_store(&["load", SEED_FACTS]).code(3).stderr_has("is in use by another process");
    sandbox.run_in_store(&["query", "articles"]).code(3).stderr_has("is in use by another process");
    drop(kb);
    sandbox.run_in_store(&["query", "articles"]).success();
}

#[test]
fn querying_a_missing_store_says_how_to_make_one() {
    Sandbox::new().run_in_store(&["query", "articles"]).code(3).stderr_has("create one with `factgraph load`");
}

// ---------------------------------------------------------------------------------------------
// queries
// ---------------------------------------------------------------------------------------------

/// Every saved query gives its expected results on the seed data (tests/expected/queries/NAME.tsv).
#[test]
fn every_saved_query_answers_as_expected_on_the_seed() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let library = factgraph::store::query::QueryLibrary::from_dir(&root().join("queries")).unwrap();
    assert!(library.len() >= 10, "{} saved queries", library.len());
    for query in library.iter() {
        let run = sandbox.run_in_store(&["query", &query.name, "--format", "tsv"]).success();
        assert!(run.stdout.lines().count() > 1, "{} returned no rows", query.name);
        expect_file(&root().join(format!("tests/expected/queries/{}.tsv", query.name)), &run.stdout);
    }
}

/// Answers that depend on a parameter, pinned as the saved queries' own are
/// (tests/expected/queries/NAME.PARAMETER.tsv): the entity query of a country includes what is said
/// about its government, marked as such (Russia, whose government the seed calls "Moscow" and "the
/// Kremlin").
#[test]
fn parameterised_queries_answer_as_expected_on_the_seed() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    for (query, parameter, name) in [("entity", "entity=entity/Q159", "Q159")] {
        let run = sandbox.run_in_store(&["query", query, "--param", parameter, "--format", "tsv"]).success();
        assert!(run.stdout.contains("\"government (claim)\""), "{query} {parameter}: no government rows");
        expect_file(&root().join(format!("tests/expected/queries/{query}.{name}.tsv")), &run.stdout);
    }
}

/// The seed's quantities are xsd:decimal, so SPARQL compares them as numbers: "100000" sorts above
/// "13000" and "2000", which as text it would not.
#[test]
fn quantities_compare_as_numbers_in_sparql() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let sparql = "PREFIX fg: <https://ns.factgraph.example/ontology#>
        SELECT ?counts WHERE { ?q fg:unitText ?counts ; fg:lowerBound|fg:amount ?n FILTER (?n >= 2000) } ORDER BY ?n STR(?counts)";
    let run = sandbox.run_in_store(&["query", "--sparql", sparql, "--format", "tsv"]).success();
    let counted: Vec<&str> = run.stdout.lines().skip(1).collect();
    assert_eq!(counted, ["\"additional Polish troops\"@en", "\"asylum seekers\"@en", "\"lives\"@en", "\"troops\"@en"]);
}

/// A quantity inside a claim's content is marked as claimed and shown with the claim's evidence
/// (it has none of its own); the others with their own words (the synthetic mapping fixture).
#[test]
fn the_quantities_query_marks_claimed_numbers() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", "tests/fixtures/map/quantities-and-venues.json"]).success();
    let run = sandbox.run_in_store(&["query", "quantities", "--format", "csv"]).success();
    let rows: Vec<&str> = run.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 5, "{}", run.stdout);
    assert!(rows[4].starts_with("people,,,30,at_most,claimed event,At most 30 people were arrested.,The police said on radio that at most 30 were arrested.,186,"), "{}", rows[4]);
    assert!(rows[1].starts_with("km,2.5,,,,event,\"About 2,000 people marched 2.5 km.\",2.5 km,28,"), "{}", rows[1]);
}

/// `find-entity` through the store's name index gives what the query's own SPARQL gives (the saved
/// query without its marker lines) after a load, a reload, a remove, without the index file (and
/// after the load that makes it again from the store), after `optimize` and after a load of new
/// articles; the index's rows stand in for the store when they are exact (after a load of new
/// articles, from the store, after `optimize`) and its names alone otherwise (after a reload or a
/// remove); the index also ignores accents, which the SPARQL does not.
#[test]
fn find_entity_through_the_name_index_agrees_with_its_sparql() {
    let sandbox = Sandbox::new();
    let saved = std::fs::read_to_string(root().join("queries/find-entity.rq")).unwrap();
    let markers = ["# names: ?matched contains ?name", "# end names", "# entities: ?entity ?label ?type", "# end entities"];
    assert!(markers.iter().all(|marker| saved.lines().any(|l| l.trim() == *marker)), "{saved}");
    let plain: String = saved.lines().filter(|l| !markers.contains(&l.trim())).map(|l| format!("{l}\n")).collect();
    let plain_file = sandbox.path().join("find-entity-sparql.rq");
    std::fs::write(&plain_file, plain).unwrap();
    let index = sandbox.store().join(factgraph::store::names::NAMES_FILE);
    let agree = |stage: &str, rows: bool, exact: Option<bool>| {
        let opened = factgraph::store::names::NameIndex::open(&sandbox.store());
        assert_eq!(opened.map(|index| index.is_exact()), exact, "{stage}: the index's rows");
        for name in ["putin", "NATO", "stoltenberg", "a", "mr. ", "nobody at all", "synthetic"] {
            let param = format!("name={name}");
            let through_index = sandbox.run_in_store(&["query", "find-entity", "--format", "tsv", "--param", &param]).success().stdout;
            let own = sandbox.run_in_store(&["query", plain_file.to_str().unwrap(), "--format", "tsv", "--param", &param]).success().stdout;
            assert_eq!(through_index, own, "{stage}: name={name}");
            if name == "putin" {
                assert_eq!(through_index.lines().count() > 1, rows, "{stage}: {through_index}");
            }
        }
    };
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    assert!(index.exists());
    agree("load", true, Some(true));
    sandbox.run_in_store(&["load", SEED_FACTS]).success().stderr_has("(0 new, 1 replaced)");
    agree("reload", true, Some(false));
    sandbox.run_in_store(&["remove", "russia-nato-split-2021"]).success();
    assert!(index.exists(), "remove keeps the index: its names find nothing now");
    agree("remove", false, Some(false));
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    std::fs::remove_file(&index).unwrap();
    agree("no index", true, None);
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    assert!(index.exists(), "a load makes the index from the store");
    agree("index made from the store", true, Some(true));
    sandbox.run_in_store(&["optimize"]).success();
    agree("optimize", true, Some(true));
    let generated = sandbox.generate("generated.jsonl", 20, 5);
    sandbox.run_in_store(&["load", generated.to_str().unwrap()]).success();
    agree("load of new articles", true, Some(true));
    let accented = sandbox.run_in_store(&["query", "find-entity", "--format", "tsv", "--param", "name=STÖLTENBÉRG"]).success().stdout;
    assert!(accented.contains("\"Jens Stoltenberg\"@en"), "{accented}");
    let own = sandbox.run_in_store(&["query", plain_file.to_str().unwrap(), "--format", "tsv", "--param", "name=STÖLTENBÉRG"]).success().stdout;
    assert_eq!(own.lines().count(), 1, "{own}");
}

/// Dates are compared by their bounds: the seed's "this week" (2021-10-18/2021-10-22) holds on the
/// 19th but not the 25th, while "2021-10" holds on both; the timeline starts with "the end of the
/// Cold War" (1989~/1991~) and puts "this week" after "2021-10" (whose earliest day is earlier) and
/// before the Thursday in it.
#[test]
fn roles_as_of_and_timeline_use_the_date_bounds() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let people = |day: &str| {
        let csv = sandbox.run_in_store(&["query", "roles-as-of", "--param", &format!("asOf={day}"), "--format", "csv"]).success().stdout;
        csv.lines().skip(1).map(|line| line.split(',').next().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(people("2021-10-19"), ["Joe Biden", "Keir Giles", "Lloyd Austin", "Mikhail Ulyanov", "Sergey Utkin"]);
    assert_eq!(people("2021-10-25"), ["Joe Biden", "Keir Giles", "Sergey Utkin"]);
    assert_eq!(people("2021-09"), ["Joe Biden"]);
    let csv = sandbox.run_in_store(&["query", "timeline", "--format", "csv"]).success().stdout;
    let dated: Vec<String> = csv.lines().skip(1).map(|line| line.split(',').take(5).collect::<Vec<_>>().join(",")).collect();
    assert_eq!(dated[0], "1989~/1991~,,,1989-01-01,1991-12-31");
    let position = |row: &str| dated.iter().position(|r| r == row).unwrap_or_else(|| panic!("no {row} in\n{csv}"));
    let month = position("2021-10,,,2021-10-01,2021-10-31");
    let week = position("2021-10-18/2021-10-22,,,2021-10-18,2021-10-22");
    let thursday = position("2021-10-21,,,2021-10-21,2021-10-21");
    assert!(month < week && week < thursday, "{csv}");
}

/// `entity-summary` counts, for every entity of the seed, the rows of each kind (and, for names,
/// type, roles and quotes, each property) that `entity` lists, and names what `entity` names.
#[test]
fn the_entity_summary_counts_the_entity_querys_rows() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let every = "SELECT DISTINCT ?e WHERE { GRAPH ?g { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?name } } ORDER BY ?e";
    let entities = sandbox.run_in_store(&["query", "--sparql", every, "--format", "tsv"]).success().stdout;
    let entities: Vec<&str> = entities.lines().skip(1).map(|l| l.trim_matches(['<', '>'])).collect();
    assert!(entities.len() > 100, "{} entities", entities.len());
    for entity in entities {
        let param = format!("entity={entity}");
        let facts = sandbox.run_in_store(&["query", "entity", "--format", "tsv", "--param", &param]).success().stdout;
        let mut expected = std::collections::BTreeMap::<(String, String), u64>::new();
        let mut names = std::collections::BTreeSet::new();
        for row in facts.lines().skip(1) {
            let cells: Vec<&str> = row.split('\t').collect();
            let property = if ["\"entity\"", "\"role\"", "\"quote\""].contains(&cells[0]) { cells[1] } else { "\"\"" };
            *expected.entry((cells[0].to_string(), property.to_string())).or_default() += 1;
            if cells[1] == "\"name\"" {
                names.insert(cells[2].to_string());
            }
        }
        let summary = sandbox.run_in_store(&["query", "entity-summary", "--format", "tsv", "--param", &param]).success().stdout;
        let mut counted = std::collections::BTreeMap::<(String, String), u64>::new();
        let mut summary_names = std::collections::BTreeSet::new();
        for row in summary.lines().skip(1) {
            let cells: Vec<&str> = row.split('\t').collect();
            *counted.entry((cells[0].to_string(), cells[1].to_string())).or_default() += cells[3].parse::<u64>().unwrap();
            if cells[1] == "\"name\"" {
                summary_names.insert(cells[2].to_string());
            }
        }
        assert_eq!(counted, expected, "{entity}");
        assert_eq!(summary_names, names, "{entity}");
    }
}

/// Every saved query pages: `limit` and `offset` give exactly those rows of its expected whole
/// result, in its order (a page past the end is empty); without them the result is whole (above).
#[test]
fn every_saved_query_pages_through_its_expected_rows() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let library = factgraph::store::query::QueryLibrary::from_dir(&root().join("queries")).unwrap();
    for query in library.iter() {
        let whole = std::fs::read_to_string(root().join(format!("tests/expected/queries/{}.tsv", query.name))).unwrap();
        let mut lines = whole.lines();
        let header = lines.next().unwrap();
        let rows: Vec<&str> = lines.collect();
        for (limit, offset) in [(2, 0), (2, 1), (3, rows.len() - 1), (5, rows.len())] {
            let page = sandbox
                .run_in_store(&["query", &query.name, "--format", "tsv", "--param", &format!("limit={limit}"), "--param", &format!("offset={offset}")])
                .success()
                .stdout;
            let expected: Vec<&str> = std::iter::once(header).chain(rows.iter().skip(offset).take(limit).copied()).collect();
            assert_eq!(page.lines().collect::<Vec<_>>(), expected, "{} limit {limit} offset {offset}", query.name);
        }
    }
    sandbox.run_in_store(&["query", "claims", "--param", "limit=-1"]).code(2).stderr_has("is not a number of rows (0 or more)");
}

/// The listings `optimize` keeps answer as the store does, whole and paged, in every results
/// format; `load` and `remove` forget them (the answers follow the store), and `optimize
/// --no-compact` keeps them again while the store is only read.
#[test]
fn kept_listings_answer_as_the_store_does_until_a_write() {
    let sandbox = Sandbox::new();
    let generated = sandbox.generate("generated.jsonl", 3, 5);
    let generated = generated.to_str().unwrap();
    sandbox.run_in_store(&["load", SEED_FACTS, generated]).success();
    let library = factgraph::store::query::QueryLibrary::from_dir(&root().join("queries")).unwrap();
    let listings: Vec<&str> = library.iter().filter(|q| factgraph::store::listings::is_listing(q)).map(|q| q.name.as_str()).collect();
    assert!(listings.len() >= 10 && listings.contains(&"claims") && !listings.contains(&"entity"), "{listings:?}");
    let pages: [&[&str]; 5] = [&[], &["--param", "limit=3"], &["--param", "limit=4", "--param", "offset=5"], &["--param", "offset=7"], &["--param", "limit=2", "--param", "offset=100000"]];
    let answers = |sandbox: &Sandbox| -> Vec<String> {
        let mut answers = Vec::new();
        for name in &listings {
            for page in pages {
                let args: Vec<&str> = ["query", name, "--format", "tsv"].into_iter().chain(page.iter().copied()).collect();
                answers.push(sandbox.run_in_store(&args).success().stdout);
            }
            for format in ["csv", "json", "table"] {
                answers.push(sandbox.run_in_store(&["query", name, "--format", format, "--wide", "--param", "offset=2"]).success().stdout);
            }
        }
        answers
    };
    let kept = sandbox.store().join(factgraph::store::LISTINGS_DIR);
    let live = answers(&sandbox);
    sandbox.run_in_store(&["optimize", "--queries", root().join("queries").to_str().unwrap()]).success().stderr_has(&format!("{} listings kept", listings.len()));
    assert!(kept.join("claims.tsv").is_file() && kept.join("claims.json").is_file());
    let from_files = answers(&sandbox);
    for (i, (live, kept)) in live.iter().zip(&from_files).enumerate() {
        assert_eq!(live, kept, "answer {i}: {} {}", listings[i / 8], i % 8);
    }
    let whole = |sandbox: &Sandbox| sandbox.run_in_store(&["query", "claims", "--format", "tsv"]).success().stdout.lines().count();
    let before = whole(&sandbox);
    sandbox.run_in_store(&["remove", "russia-nato-split-2021"]).success().stderr_has("the kept listings were dropped");
    assert!(!kept.exists(), "remove forgets the kept listings");
    assert!(whole(&sandbox) < before);
    sandbox.run_in_store(&["optimize", "--no-compact"]).success().stderr_has("listings kept");
    assert!(kept.join("claims.tsv").is_file());
    sandbox.run_in_store(&["load", SEED_FACTS]).success().stderr_has("`factgraph optimize --no-compact` keeps them again");
    assert!(!kept.exists(), "load forgets the kept listings");
    assert_eq!(whole(&sandbox), before);
    sandbox.run_in_store(&["optimize", "--no-compact"]).success();
    assert_eq!(whole(&sandbox), before);
    // A refused load writes nothing, but opening the store for writing dropped the listings: it says so.
    let refused = root().join("tests/fixtures/check/claims.json");
    sandbox.run_in_store(&["load", refused.to_str().unwrap()]).code(1).stderr_has("nothing was written").stderr_has("the kept listings were dropped");
    assert!(!kept.exists());
    assert_eq!(whole(&sandbox), before);
    // Compacting without keeping them again drops them too, and says so.
    sandbox.run_in_store(&["optimize", "--no-compact"]).success();
    sandbox.run_in_store(&["optimize", "--no-listings"]).success().stderr_has("the kept listings were dropped");
    assert!(!kept.exists());
}

/// `entity` reads a page section by section (kind after kind, `# sections:` in the query): a page
/// of 4 rows at every offset, across every boundary between kinds, is those rows of the whole.
#[test]
fn entity_pages_read_section_by_section_give_the_whole_results_rows() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    for (parameter, expected) in [("entity=entity/Q7184", "entity.tsv"), ("entity=entity/Q159", "entity.Q159.tsv")] {
        let whole = std::fs::read_to_string(root().join("tests/expected/queries").join(expected)).unwrap();
        let (header, rows) = whole.split_once('\n').unwrap();
        let rows: Vec<&str> = rows.lines().collect();
        for offset in 0..=rows.len() {
            let args = ["query", "entity", "--param", parameter, "--param", "limit=4", "--param", &format!("offset={offset}"), "--format", "tsv"];
            let page = sandbox.run_in_store(&args).success().stdout;
            let expected: Vec<&str> = std::iter::once(header).chain(rows.iter().skip(offset).take(4).copied()).collect();
            assert_eq!(page.lines().collect::<Vec<_>>(), expected, "{parameter} offset {offset}");
        }
    }
}

/// `--explain` runs every saved query to the end and prints Oxigraph's plan: the root's rows and
/// the total are the query's own row count, every step has rows and seconds; `--format json` gives
/// the same as JSON; with `--endpoint` it is refused.
#[test]
fn explain_prints_each_queries_plan_with_its_rows() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let library = factgraph::store::query::QueryLibrary::from_dir(&root().join("queries")).unwrap();
    for query in library.iter() {
        let rows = sandbox.run_in_store(&["query", &query.name, "--format", "tsv"]).success().stdout.lines().count() - 1;
        let plan = sandbox.run_in_store(&["query", &query.name, "--explain"]).success().stdout;
        let lines: Vec<&str> = plan.lines().collect();
        assert!(lines[0].ends_with(&format!("[{rows} rows")) || lines[0].contains(&format!("[{rows} rows, ")), "{}: {}", query.name, lines[0]);
        // find-entity's rows come from the name index (exact after a load): it reads no quads.
        let reads = if query.name == "find-entity" { "StaticBindings((?matched, ?entity, ?label, ?type)" } else { "QuadPattern(" };
        assert!(plan.contains(reads), "{}: {plan}", query.name);
        assert!(lines[..lines.len() - 1].iter().all(|l| l.contains(" rows") && l.ends_with(']')), "{}: {plan}", query.name);
        assert!(lines.last().unwrap().starts_with(&format!("{rows} rows in ")), "{}: {plan}", query.name);
        let json = sandbox.run_in_store(&["query", &query.name, "--explain", "--format", "json"]).success().stdout;
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["rows"], rows as u64, "{}", query.name);
        assert_eq!(value["plan"]["rows"], rows as u64, "{}", query.name);
        assert!(value["plan"]["children"].as_array().is_some_and(|c| !c.is_empty()), "{}", query.name);
    }
    sandbox
        .run_in_store(&["query", "articles", "--explain", "--endpoint", "http://127.0.0.1:9/sparql"])
        .code(2)
        .stderr_has("cannot be used with");
}

#[test]
fn queries_lists_titles_and_parameters() {
    Sandbox::new().run(&["queries"]).success().stdout_has("roles-as-of").stdout_has("--param asOf=<date> = 2021-10-21");
}

#[test]
fn hostile_parameter_values_are_matched_as_plain_values() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let dir = sandbox.path();
    let query = dir.join("by-label.rq");
    std::fs::write(
        &query,
        "# title: Entities by label\n# description: Test query.\n# param: label string | a label\n\
         PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\
         SELECT ?label ?e WHERE { ?e rdfs:label ?l . FILTER(STR(?l) = ?label) } ORDER BY ?e\n",
    )
    .unwrap();
    let query = query.to_str().unwrap();
    for hostile in ["\"} ; DROP ALL #", "<x> } UNION { ?e ?p ?o", "NATO\n} UNION {", "' OR 1=1 --"] {
        let run = sandbox.run_in_store(&["query", query, "--param", &format!("label={hostile}"), "--format", "tsv"]).success();
        assert_eq!(run.stdout.lines().count(), 1, "{hostile:?} matched something:\n{}", run.stdout);
    }
    let run = sandbox.run_in_store(&["query", query, "--param", "label=NATO", "--format", "tsv"]).success();
    assert!(run.stdout.contains("<https://factgraph.example/kb/entity/Q7184>"), "{}", run.stdout);
    // As an IRI parameter, SPARQL syntax is not an IRI at all.
    sandbox
        .run_in_store(&["query", "entity", "--param", "entity=<x> } UNION { ?s ?p ?o"])
        .code(2)
        .stderr_has("is not an IRI");
}

#[test]
fn parameter_mistakes_are_usage_errors() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    sandbox.run_in_store(&["query", "roles-as-of", "--param", "asof=2021"]).code(2).stderr_has("has no parameter \"asof\"");
    sandbox.run_in_store(&["query", "roles-as-of", "--param", "asOf=2021-02-30"]).code(2).stderr_has("February 2021 has 28 days");
    sandbox.run_in_store(&["query", "roles-as-of", "--param", "asOf"]).code(2).stderr_has("expects NAME=VALUE");
    sandbox.run_in_store(&["query", "../../etc/passwd"]).code(2).stderr_has("is not a saved query name");
    sandbox.run_in_store(&["query", "roles-as-off"]).code(2).stderr_has("did you mean \"roles-as-of\"");
}

/// Any query runs as given: with --sparql, from standard input (-), or from a .rq file without a
/// header, named by its file; --param binds its variables with a type; --explain and --endpoint
/// take it too.
#[test]
fn ad_hoc_queries_run_from_sparql_stdin_and_files() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let store = sandbox.store();
    let store = store.to_str().unwrap();
    let count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }";
    let total = sandbox.run_in_store(&["query", "--sparql", count, "--format", "tsv"]).success().stdout;
    assert!(total.strip_prefix("?n\n").and_then(|n| n.trim_end().parse::<u64>().ok()).is_some_and(|n| n > 2000), "{total}");
    let piped = sandbox.run_from(&root(), &["query", "-", "--format", "tsv", "--store", store], Some(count.as_bytes())).success().stdout;
    assert_eq!(piped, total);
    let file = sandbox.path().join("adhoc.rq");
    std::fs::write(&file, format!("# How many quads the articles hold.\n{count}\n")).unwrap();
    let file = file.to_str().unwrap();
    assert_eq!(sandbox.run_in_store(&["query", file, "--format", "tsv"]).success().stdout, total);

    // A variable the query selects is bound with a type; the value is never spliced.
    let label = "SELECT ?e ?label WHERE { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label";
    let nato = sandbox.run_in_store(&["query", "--sparql", label, "--param", "e:iri=entity/Q7184", "--format", "tsv"]).success().stdout;
    assert_eq!(nato, "?e\t?label\n<https://factgraph.example/kb/entity/Q7184>\t\"NATO\"@en\n");
    let ask = "ASK { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?label }";
    sandbox.run_in_store(&["query", "--sparql", ask, "--param", "label:string=} UNION { ?s ?p ?o"]).success().stdout_has("false");
    let explained = sandbox.run_in_store(&["query", "--sparql", label, "--param", "e:iri=entity/Q7184", "--explain"]).success().stdout;
    assert!(explained.contains("QuadPattern(") && explained.lines().last().unwrap().starts_with("1 rows in "), "{explained}");
    // The query is sent as it is with --endpoint (nothing listens on port 9: a connection failure).
    sandbox
        .run_in_store(&["query", "--sparql", count, "--endpoint", "http://127.0.0.1:9/sparql", "--retries", "0"])
        .code(3)
        .stderr_has("127.0.0.1:9");

    let mistakes: [(&[&str], &str); 7] = [
        (&["--sparql", label, "--param", "e=entity/Q7184"], "error: query \"sparql\" does not declare parameter e, and no type was given for it; give it as --param e:TYPE=VALUE, TYPE one of iri, string, integer, decimal, date\n"),
        (&["--sparql", label, "--param", "x:iri=entity/Q7184"], "error: query \"sparql\" does not select a variable ?x, so it cannot be bound\n"),
        (&["--sparql", label, "--param", "e:uri=entity/Q7184"], "error: parameter e: unknown type \"uri\"; the types are iri, string, integer, decimal and date\n"),
        (&["roles-as-of", "--param", "asOf:string=2021"], "error: parameter asOf is declared as date, not string\n"),
        (&["--sparql", "SELECT ?s\nWHERE { ?s ?p }"], "error: --sparql: error at 2:16: expected one of LATERAL, SERVICE, [_]\n"),
        (&["--sparql", "INSERT DATA { <http://a.example/s> <http://a.example/p> 1 }"], "error: --sparql: this is a SPARQL update, not a query; updates are refused\n"),
        (&["--sparql", "DROP ALL"], "error: --sparql: this is a SPARQL update, not a query; updates are refused\n"),
    ];
    for (args, message) in mistakes {
        let run = sandbox.run_in_store(&[&["query"], args].concat()).code(2);
        assert_eq!(run.stderr, message, "{args:?}");
    }
    let update = sandbox.run_from(&root(), &["query", "-", "--store", store], Some(b"DELETE WHERE { ?s ?p ?o }")).code(2);
    assert_eq!(update.stderr, "error: stdin: this is a SPARQL update, not a query; updates are refused\n");
    let headed = sandbox.path().join("bad-header.rq");
    std::fs::write(&headed, "# param: when datetime | A time.\nSELECT ?when WHERE {}\n").unwrap();
    let run = sandbox.run_in_store(&["query", headed.to_str().unwrap()]).code(2);
    assert_eq!(run.stderr, format!("error: {}:1: parameter when has unknown type \"datetime\"; expected iri, string, integer, decimal or date\n", headed.display()));
    sandbox.run_in_store(&["query", "no/such/query.rq"]).code(3).stderr_has("cannot read no/such/query.rq");
    sandbox.run_in_store(&["query", "articles", "--sparql", count]).code(2).stderr_has("cannot be used with");
    // Nothing was changed.
    assert_eq!(sandbox.run_in_store(&["query", "--sparql", count, "--format", "tsv"]).success().stdout, total);
}

#[test]
fn result_formats_are_the_standard_ones() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let json = sandbox.run_in_store(&["query", "articles", "--format", "json"]).success().stdout;
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(parsed["head"]["vars"].is_array() && parsed["results"]["bindings"].is_array(), "{json}");
    let xml = sandbox.run_in_store(&["query", "articles", "--format", "xml"]).success().stdout;
    assert!(xml.starts_with("<?xml") && xml.contains("http://www.w3.org/2005/sparql-results#"), "{xml}");
    let csv = sandbox.run_in_store(&["query", "articles", "--format", "csv"]).success().stdout;
    assert!(csv.contains("\r\n"), "SPARQL CSV uses CRLF: {csv:?}");
    let table = sandbox.run_in_store(&["query", "articles"]).success().stdout;
    assert!(table.contains("(1 row)") && table.lines().nth(1).unwrap().starts_with("---"), "{table}");
}

// ---------------------------------------------------------------------------------------------
// export
// ---------------------------------------------------------------------------------------------

/// Every export format parses back into exactly what the store holds.
#[test]
fn every_export_format_round_trips_to_the_store_content() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let quads = parse_rdf(sandbox.run_in_store(&["export", "--format", "nquads"]).success().stdout.as_bytes(), RdfFormat::NQuads, true);
    let triples: BTreeSet<String> = parse_rdf(
        sandbox.run_in_store(&["export", "--format", "nquads"]).success().stdout.as_bytes(),
        RdfFormat::NQuads,
        false,
    );
    assert!(quads.len() > 1000, "{} quads", quads.len());
    for (format, rdf_format, graphs) in [
        ("turtle", RdfFormat::Turtle, false),
        ("ntriples", RdfFormat::NTriples, false),
        ("trig", RdfFormat::TriG, true),
        ("jsonld", RdfFormat::JsonLd { profile: oxigraph::io::JsonLdProfile::Streaming.into() }, true),
        ("rdfxml", RdfFormat::RdfXml, false),
    ] {
        let out = sandbox.run_in_store(&["export", "--format", format]).success().stdout;
        let parsed = parse_rdf(out.as_bytes(), rdf_format, graphs);
        assert_eq!(parsed, if graphs { quads.clone() } else { triples.clone() }, "{format} differs from the store");
    }
}

#[test]
fn turtle_export_is_deterministic_and_declares_only_used_prefixes() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let a = sandbox.run_in_store(&["export"]).success().stdout;
    let b = sandbox.run_in_store(&["export"]).success().stdout;
    assert_eq!(a, b);
    let prefixes: Vec<&str> = a.lines().filter(|l| l.starts_with("@prefix")).collect();
    assert!(prefixes.iter().any(|p| p.starts_with("@prefix fg:")), "{prefixes:?}");
    assert!(!prefixes.iter().any(|p| p.starts_with("@prefix rdf:")), "rdf: is unused (rdf:type is written `a`): {prefixes:?}");
    // Sorted by subject: every subject line appears once.
    let subjects: Vec<&str> = a.lines().filter(|l| !l.starts_with(['\t', ' ', '@']) && !l.is_empty()).collect();
    let unique: BTreeSet<&str> = subjects.iter().copied().collect();
    assert_eq!(subjects.len(), unique.len(), "a subject is split into several blocks");
}

#[test]
fn export_of_one_article_graph() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let one = sandbox.run_in_store(&["export", "--graph", "russia-nato-split-2021", "--format", "nquads"]).success().stdout;
    assert!(one.lines().all(|l| l.ends_with(&format!("<{SEED_ARTICLE}> ."))));
    sandbox.run_in_store(&["export", "--graph", "no-such-article"]).code(2).stderr_has("has no graph");
}

#[test]
fn output_files_appear_whole_or_not_at_all() {
    let sandbox = Sandbox::new();
    let target = sandbox.path().join("out/kb.ttl");
    sandbox.run_in_store(&["export", "-o", target.to_str().unwrap()]).code(3);
    assert!(!target.exists(), "a failed export left a file");
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    sandbox.run_in_store(&["export", "-o", target.to_str().unwrap()]).success();
    let leftovers: Vec<_> = std::fs::read_dir(target.parent().unwrap()).unwrap().filter_map(|e| e.ok()).collect();
    assert_eq!(leftovers.len(), 1, "temporary files left behind");
}

// ---------------------------------------------------------------------------------------------
// the main job and stats
// ---------------------------------------------------------------------------------------------

/// `-o /dev/null` (a device, not a file) is written to, not replaced by a renamed file.
#[test]
fn output_to_a_device_leaves_the_device() {
    use std::os::unix::fs::FileTypeExt;
    Sandbox::new().run(&["map", SEED_FACTS, "--format", "nquads", "-o", "/dev/null"]).success();
    let kind = std::fs::metadata("/dev/null").unwrap().file_type();
    assert!(kind.is_char_device(), "/dev/null is no longer a device");
}

#[test]
fn build_runs_the_whole_pipeline() {
    let sandbox = Sandbox::new();
    let export = sandbox.path().join("kb.ttl");
    let run = sandbox.run_in_store(&["build", "--export", export.to_str().unwrap()]).success();
    assert!(run.stderr.contains("done: 1 article"), "{}", run.stderr);
    assert!(run.stdout.contains("Jens Stoltenberg  Secretary General    NATO"), "{}", run.stdout);
    assert!(Path::new(&export).exists());
    let stats = sandbox.run_in_store(&["stats"]).success().stdout;
    assert!(stats.contains("articles    1"), "{stats}");

    // The showcase fits 100 columns, and the commands it and the "next:" hint print run as printed
    // (from the folder the build ran in). The command line after "all of it:" is as long as the
    // binary's and the store's paths (absolute when the binary is not under the folder), so it is
    // left out of the width.
    let widest = run.stdout.lines().filter(|l| !l.starts_with("all of it: ")).map(|l| l.chars().count()).max().unwrap();
    assert!(widest <= 100, "{widest} columns:\n{}", run.stdout);
    let everything = run.stdout.lines().find_map(|l| l.strip_prefix("all of it: ")).expect("a note on what is not shown");
    let next = run.stderr.split_once("next: ").expect("a next: hint").1;
    let commands: Vec<&str> = next.lines().map(str::trim).chain([everything]).collect();
    assert_eq!(commands.len(), 4, "{}", run.stderr);
    let binary = std::fs::canonicalize(env!("CARGO_BIN_EXE_factgraph")).unwrap();
    for command in commands {
        let words: Vec<&str> = command.split_whitespace().collect();
        assert_eq!(std::fs::canonicalize(root().join(words[0])).unwrap(), binary, "{command}");
        let result = run_binary(&root(), &words[1..], None).success();
        assert!(!result.stdout.is_empty(), "{command}");
        if command == everything {
            assert!(result.stdout.contains("Jens Stoltenberg  Secretary General  "), "{}", result.stdout);
        }
    }
}

/// The table for people fits 100 columns when not written to a terminal: IRI columns beside their
/// labels and empty columns are left out, then the rightmost columns, and long cells are cut; a
/// note says so and how to see everything. IRIs are never cut.
#[test]
fn tables_fit_the_width_and_say_what_they_leave_out() {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["load", SEED_FACTS]).success();
    let table = sandbox.run_in_store(&["query", "roles-as-of"]).success().stdout;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "personLabel       roleName             organisationLabel    roleAsOf             dateWording");
    assert_eq!(lines[3], "Jens Stoltenberg  Secretary General    NATO                 2021-10-21           October 21, 2021");
    assert_eq!(
        lines[lines.len() - 4..],
        [
            "(7 rows)",
            "not shown: person, organisation, role (IRIs beside their labels); roleStart, roleEnd (empty);",
            "  evidence, article, asOf (no room); cells cut at 19 characters",
            "all of it: --wide or --format tsv",
        ]
    );
    assert!(lines.iter().all(|l| l.chars().count() <= 100), "{table}");
    // A file gets the same; --wide gives every column, whole.
    let file = sandbox.path().join("roles.txt");
    sandbox.run_in_store(&["query", "roles-as-of", "-o", file.to_str().unwrap()]).success();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), table);
    let wide = sandbox.run_in_store(&["query", "roles-as-of", "--wide"]).success().stdout;
    let header: Vec<&str> = wide.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header.len(), 13, "{wide}");
    assert!(wide.contains("Sergey Utkin, head of strategic evaluation at the Primakov Institute of World Economy and International Relations"));
    assert!(wide.lines().nth_back(0).unwrap() == "(7 rows)");
    // An IRI column is shown whole or not at all.
    let found = sandbox.run_in_store(&["query", "find-entity"]).success().stdout;
    assert!(found.ends_with("(6 rows)\nnot shown: entity (no room)\nall of it: --wide or --format tsv\n"), "{found}");
    let long = "x".repeat(90);
    let query = format!("SELECT ?e ?text WHERE {{ VALUES (?e ?text) {{ (<{SEED_ARTICLE}/group/putin-regime-enemies> \"{long}\") }} }}");
    let table = sandbox.run_in_store(&["query", "--sparql", &query]).success().stdout;
    let row = format!("article/russia-nato-split-2021/group/putin-regime-enemies  {}…", "x".repeat(40));
    assert_eq!(table.lines().nth(2), Some(row.as_str()), "{table}");
    assert!(table.ends_with("(1 row)\ncells cut at 41 characters\nall of it: --wide or --format tsv\n"), "{table}");
}

/// The complete example in docs/facts-format.md is valid and maps.
#[test]
fn the_documented_example_is_valid() {
    let doc = std::fs::read_to_string(root().join("docs/facts-format.md")).unwrap();
    let start = doc.find("```json\n").expect("the example block") + "```json\n".len();
    let example = &doc[start..start + doc[start..].find("```").unwrap()];
    let sandbox = Sandbox::new();
    sandbox.run_from(&root(), &["check", "-"], Some(example.as_bytes())).success();
    sandbox.run_from(&root(), &["map", "-"], Some(example.as_bytes())).success().stdout_has("fg:Claim");
}
