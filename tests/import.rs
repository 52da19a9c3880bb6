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
