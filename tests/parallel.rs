//! `map` validates and maps on worker threads; its output, its problems and its exit code must be
//! the same for any number of threads (determinism is an invariant, see ARCHITECTURE.md).

mod util;

use util::Sandbox;

/// Generated articles (with hostile names), the seed, the mapping fixtures, plus documents with
/// problems of every kind, a duplicate document id and invalid UTF-8: all in one run.
fn inputs(sandbox: &Sandbox) -> Vec<String> {
    let generated = sandbox.generate("generated.jsonl", 300, 7);
    vec![generated.display().to_string(), "data/facts".into(), "tests/fixtures/map".into()]
}

#[test]
fn map_output_is_byte_identical_for_any_number_of_threads() {
    let sandbox = Sandbox::new();
    let inputs = inputs(&sandbox);
    for format in ["nquads", "ntriples", "turtle", "trig", "jsonld", "rdfxml"] {
        let mut args: Vec<&str> = vec!["map", "--format", format];
        args.extend(inputs.iter().map(String::as_str));
        let one = sandbox.run(&[args.as_slice(), &["--threads", "1"]].concat()).success();
        assert!(!one.stdout.is_empty());
        for threads in ["2", "3", "8"] {
            let many = sandbox.run(&[args.as_slice(), &["--threads", threads]].concat()).success();
            assert!(one.stdout == many.stdout, "{format}: output with {threads} threads differs from one thread");
        }
        let default = sandbox.run(&args).success();
        assert!(one.stdout == default.stdout, "{format}: output with the default threads differs from one thread");
    }
}

#[test]
fn map_problems_are_the_same_for_any_number_of_threads() {
    let sandbox = Sandbox::new();
    let mut inputs = inputs(&sandbox);
    // Every check fixture (shape, references, spans, malformed JSON, invalid UTF-8, JSON Lines...),
    // and the generated file twice: every one of its ids is then a duplicate.
    inputs.push("tests/fixtures/check".into());
    inputs.push(inputs[0].clone());
    let out = sandbox.path().join("out.nq");
    let mut args: Vec<&str> = vec!["map", "--format", "nquads", "-o", out.to_str().unwrap()];
    args.extend(inputs.iter().map(String::as_str));
    let one = sandbox.run(&[args.as_slice(), &["--threads", "1"]].concat()).code(1);
    assert!(one.stderr.contains("duplicate document id"), "{}", one.stderr);
    for threads in ["2", "5"] {
        let many = sandbox.run(&[args.as_slice(), &["--threads", threads]].concat()).code(1);
        assert_eq!(one.stderr, many.stderr, "problems with {threads} threads differ from one thread");
        assert_eq!(one.stdout, many.stdout);
    }
    assert!(!out.exists(), "a failed map left its output");
}
