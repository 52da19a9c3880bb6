//! The Wikidata linker at its boundaries: dump → index file → links in the store, review sheets,
//! and evaluation against gold files (the bundled seed and the synthetic hard cases).

mod util;

use util::{expect_file, root, Sandbox};

#[test]
fn the_seed_links_perfectly_against_its_gold() {
    let run = Sandbox::new()
        .run(&["link", "--evaluate", "data/gold/russia-nato-split-2021.tsv", "data/facts"])
        .success();
    expect_file(&root().join("tests/expected/link/seed-evaluation.txt"), &run.stdout);
    assert!(run.stdout.contains("precision       1.000") && run.stdout.contains("NIL accuracy    1.000"), "{}", run.stdout);
}

/// Synthetic hard cases: a city and a region sharing a name, a person and a place sharing one, an
/// alias colliding with another item's label, popularity against context, a class reached through
/// three P279 steps, abstention, and spelling variants.
#[test]
fn the_hard_cases_link_as_expected() {
    let run = Sandbox::new()
        .run(&[
            "link",
            "--evaluate",
            "tests/fixtures/link/gold.tsv",
            "--dump",
            "tests/fixtures/link/dump.json",
            "tests/fixtures/link/facts",
        ])
        .success();
    expect_file(&root().join("tests/expected/link/hard-cases-evaluation.txt"), &run.stdout);
}

/// Real Wikidata items (trimmed) with synthetic look-alikes: a capital and a namesake village, a
/// country and a U.S. state of one name, a person and a city, a label against a more popular
/// item's alias, alias-only matches with context, demonyms, "Miss USA", a language named like a
/// place, and short and common-word aliases. Main's linker before issue 15 scored precision 0.882,
/// recall 0.789 here.
#[test]
fn real_items_with_look_alikes_link_as_expected() {
    let run = Sandbox::new()
        .run(&[
            "link",
            "--evaluate",
            "tests/fixtures/link-real/gold.tsv",
            "--dump",
            "tests/fixtures/link-real/dump.json",
            "tests/fixtures/link-real/facts",
        ])
        .success();
    expect_file(&root().join("tests/expected/link/real-evaluation.txt"), &run.stdout);
    assert!(run.stdout.contains("precision       1.000") && run.stdout.contains("recall          1.000"), "{}", run.stdout);
}

#[test]
fn an_index_file_links_the_store_and_a_review_sheet_round_trips() {
    let sandbox = Sandbox::new();
    let index = sandbox.path().join("wikidata.idx");
    let index_arg = index.to_str().unwrap();
    sandbox
        .run(&["wikidata", "index", "tests/fixtures/link/dump.json", "-o", index_arg])
        .success()
        .stderr_has("indexed: 50 items from 55 lines (3 skipped, 0 malformed)");
    sandbox.run_in_store(&["load", "tests/fixtures/link/facts"]).success();
    // In the store the two articles' "Vellmar" are one node (same type and name, no key): the
    // articles disagree on which item it is, so it stays NIL. 35 mentions are 31 nodes.
    sandbox.run_in_store(&["link", "--index", index_arg]).success().stderr_has("linked: 23 linked, 8 left unlinked (NIL)");
    let links = sandbox.run_in_store(&["query", "wikidata-links", "--format", "tsv"]).success().stdout;
    assert!(links.contains("Q900000050") && links.contains("Q900000011"), "{links}");
    assert!(!links.contains("Q900000041") && !links.contains("Q900000040"), "{links}");

    // A review sheet changes nothing until it is accepted; a person's edit then wins.
    let sheet = sandbox.path().join("review.tsv");
    let sheet_arg = sheet.to_str().unwrap();
    sandbox.run_in_store(&["link", "--index", index_arg, "--review", sheet_arg]).success().stderr_has("the store is unchanged");
    let text = std::fs::read_to_string(&sheet).unwrap();
    assert!(text.starts_with("entity\tname\ttype\tcontext\tchosen\tscore\talternatives\treason\n"), "{text}");
    assert!(text.lines().any(|l| l.contains("Vellmar") && l.contains("articles disagree")), "{text}");
    let edited: String = text
        .lines()
        .map(|line| {
            let mut cells: Vec<String> = line.split('\t').map(str::to_string).collect();
            if cells[1] == "Maria Castellan" {
                cells[4] = "Q900000071".into();
            }
            if cells[4] == "Q900000010" {
                cells[4] = "NIL".into();
            }
            cells.join("\t") + "\n"
        })
        .collect();
    std::fs::write(&sheet, edited).unwrap();
    sandbox.run_in_store(&["link", "--accept", sheet_arg]).success().stderr_has("accepted: 23 reviewed links, 8 entities set to NIL");
    let after = sandbox.run_in_store(&["query", "wikidata-links", "--format", "tsv"]).success().stdout;
    assert!(after.contains("Q900000071"), "{after}");
    assert!(!after.contains("Q900000010"), "{after}");
    // Relinking replaces the linker's links but keeps the reviewed ones.
    sandbox.run_in_store(&["link", "--index", index_arg]).success();
    let relinked = sandbox.run_in_store(&["query", "wikidata-links", "--format", "tsv"]).success().stdout;
    assert!(relinked.contains("Q900000071"), "{relinked}");
    assert!(!relinked.contains("Q900000010"), "a reviewed NIL stays NIL: {relinked}");
}

#[test]
fn malformed_dump_lines_are_reported_with_their_numbers_and_skipped() {
    let sandbox = Sandbox::new();
    let dump = sandbox.path().join("dump.json");
    std::fs::write(
        &dump,
        "[\n{\"type\":\"item\",\"id\":\"Q1\",\"labels\":{\"en\":{\"value\":\"One\"}}},\n{\"type\":\"item\",\"id\":\n{\"type\":\"item\",\"id\":\"Q2\"}\n]\n",
    )
    .unwrap();
    let index = sandbox.path().join("out.idx");
    sandbox
        .run(&["wikidata", "index", dump.to_str().unwrap(), "-o", index.to_str().unwrap()])
        .success()
        .stderr_has(&format!("warning: {}:3: malformed entity", dump.display()))
        .stderr_has("indexed: 2 items from 5 lines (0 skipped, 1 malformed)");
    // The same dump through gzip and through stdin.
    let gz = sandbox.path().join("dump.json.gz");
    let mut encoder = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, &std::fs::read(&dump).unwrap()).unwrap();
    encoder.finish().unwrap();
    sandbox.run(&["wikidata", "index", gz.to_str().unwrap(), "-o", index.to_str().unwrap()]).success().stderr_has("2 items");
    let bytes = std::fs::read(&dump).unwrap();
    sandbox
        .run_from(&root(), &["wikidata", "index", "-", "-o", index.to_str().unwrap()], Some(&bytes))
        .success()
        .stderr_has("2 items");
}

/// A bzip2 dump written as many streams (as parallel compressors write it) builds the same index,
/// byte for byte, as the JSON it was made from; truncated or corrupt bzip2 data is an error that
/// names the file and the byte, not an index of what came before.
#[test]
fn a_multistream_bzip2_dump_indexes_as_its_json_does() {
    let sandbox = Sandbox::new();
    let json = root().join("tests/fixtures/link-real/dump.json");
    let text = std::fs::read(&json).unwrap();
    let lines: Vec<&[u8]> = text.split_inclusive(|b| *b == b'\n').collect();
    let mut data = Vec::new();
    let mut stream_starts = Vec::new();
    for group in lines.chunks(lines.len().div_ceil(7)) {
        stream_starts.push(data.len());
        let mut encoder = bzip2::write::BzEncoder::new(&mut data, bzip2::Compression::new(1));
        std::io::Write::write_all(&mut encoder, &group.concat()).unwrap();
        encoder.finish().unwrap();
    }
    assert_eq!(stream_starts.len(), 7);
    let bz2 = sandbox.path().join("dump.json.bz2");
    std::fs::write(&bz2, &data).unwrap();
    let index = |dump: &std::path::Path, out: &str| {
        let out = sandbox.path().join(out);
        let run = sandbox.run(&["wikidata", "index", dump.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        (run, out)
    };
    let (from_json, json_index) = index(&json, "json.idx");
    let (from_bz2, bz2_index) = index(&bz2, "bz2.idx");
    from_json.success();
    from_bz2.success();
    assert!(std::fs::read(&json_index).unwrap() == std::fs::read(&bz2_index).unwrap(), "the indexes differ");

    let truncated = sandbox.path().join("truncated.json.bz2");
    std::fs::write(&truncated, &data[..data.len() - 20]).unwrap();
    let (run, _) = index(&truncated, "truncated.idx");
    run.code(3).stderr_has(&format!(
        "{}: truncated bzip2 data: the stream starting at byte {} is cut off at byte {}",
        truncated.display(),
        stream_starts[6],
        data.len() - 20
    ));
    let corrupt = sandbox.path().join("corrupt.json.bz2");
    let mut bad = data.clone();
    bad[stream_starts[3] + 100] ^= 0x55;
    std::fs::write(&corrupt, &bad).unwrap();
    let (run, _) = index(&corrupt, "corrupt.idx");
    run.code(3).stderr_has(&format!("{}: bad bzip2 data in the stream starting at byte {}", corrupt.display(), stream_starts[3]));
}

#[test]
fn the_build_checks_the_extractors_wikidata_ids() {
    let sandbox = Sandbox::new();
    let export = sandbox.path().join("kb.ttl");
    sandbox
        .run_in_store(&["build", "--export", export.to_str().unwrap()])
        .success()
        .stderr_has("31 with the extractor's Wikidata id checked (0 problems)");
}

/// `link` records the Wikidata ids the extractor gave in the links graph, with method "extractor"
/// and no score; relinking replaces them, and `wikidata-links` shows the method.
#[test]
fn the_extractors_links_are_recorded_with_their_method_and_no_score() {
    let sandbox = Sandbox::new();
    let index = sandbox.path().join("wikidata.idx.gz");
    let index_arg = index.to_str().unwrap();
    sandbox.run(&["wikidata", "index", "tests/fixtures/link/dump.json", "-o", index_arg]).success();
    sandbox.run_in_store(&["load", "data/facts"]).success();
    let methods = sandbox.path().join("methods.rq");
    std::fs::write(
        &methods,
        "# title: Link methods\n# description: Link nodes by method, and how many have a score.\n\n\
         PREFIX fg: <https://ns.factgraph.example/ontology#>\n\
         SELECT ?method (COUNT(?link) AS ?links) (COUNT(?score) AS ?scored)\n\
         WHERE { ?link a fg:Link ; fg:method ?method OPTIONAL { ?link fg:score ?score } } GROUP BY ?method\n",
    )
    .unwrap();
    let methods_arg = methods.to_str().unwrap();
    let before = sandbox.run_in_store(&["query", methods_arg, "--format", "tsv"]).success().stdout;
    assert_eq!(before, "?method\t?links\t?scored\n", "a load records no link nodes");
    // Shown as the extractor's before `link` records them.
    let listed = sandbox.run_in_store(&["query", "wikidata-links", "--format", "tsv"]).success().stdout;
    assert!(listed.lines().skip(1).all(|l| l.ends_with("\t\"extractor\"")), "{listed}");
    for _ in 0..2 {
        sandbox.run_in_store(&["link", "--index", index_arg]).success().stderr_has("31 with the extractor's Wikidata id checked");
        let recorded = sandbox.run_in_store(&["query", methods_arg, "--format", "tsv"]).success().stdout;
        assert_eq!(recorded, "?method\t?links\t?scored\n\"extractor\"\t31\t0\n");
    }
}

/// `wikidata index --keep` on a synthetic dump (tests/fixtures/keep/README.md): the exact items each
/// setting keeps, and the report's counts.
#[test]
fn keep_drops_the_items_no_mention_could_link() {
    use factgraph::linking::index::{Index, IndexWriter};
    use factgraph::linking::keep::Keep;
    use factgraph::linking::linker::type_classes;
    use factgraph::linking::wikidata::IndexBuilder;
    let languages = vec!["en".to_string()];
    for (name, keep) in [
        ("all", Keep::default()),
        ("types", Keep { types: Some(type_classes()), languages: false }),
        ("languages", Keep { types: None, languages: true }),
        ("types,languages", Keep { types: Some(type_classes()), languages: true }),
    ] {
        let writer = IndexWriter::new(&languages, 1 << 20).unwrap().keep(keep);
        let mut builder = IndexBuilder::with_sink(languages.clone(), writer);
        builder.read_path(&root().join("tests/fixtures/keep/dump.json")).unwrap();
        let (writer, _) = builder.into_parts();
        let mut bytes = Vec::new();
        let report = writer.finish(&mut bytes).unwrap();
        let index = Index::from_bytes(name, bytes).unwrap();
        let mut listed = format!("{report:?}\n");
        for row in 0..index.len() as u32 {
            let item = index.item(row).unwrap();
            listed.push_str(&format!("{}\t{}\n", item.id, item.labels.first().map_or("", String::as_str)));
        }
        expect_file(&root().join(format!("tests/expected/keep/{}.txt", name.replace(',', "-"))), &listed);
    }
    let sandbox = Sandbox::new();
    let out = sandbox.path().join("kept.idx");
    sandbox
        .run(&["wikidata", "index", "tests/fixtures/keep/dump.json", "-o", out.to_str().unwrap(), "--keep", "types,languages"])
        .success()
        .stderr_has("kept: 12 of 26 items (7 only as classes the linker walks); dropped 2 without a name in en and 12 of no type the linker accepts");
    sandbox
        .run(&["wikidata", "index", "tests/fixtures/keep/dump.json", "-o", out.to_str().unwrap(), "--keep", "all,types"])
        .code(2)
        .stderr_has("--keep all keeps every item");
}

/// The seed links as well against an index that keeps only the items of the linker's types.
#[test]
fn the_seed_links_perfectly_against_an_index_of_its_types() {
    let sandbox = Sandbox::new();
    let index = sandbox.path().join("types.idx");
    let index = index.to_str().unwrap();
    sandbox.run(&["wikidata", "index", "data/wikidata", "-o", index, "--keep", "types"]).success().stderr_has("kept: 45 of 45 items");
    let run = sandbox.run(&["link", "--evaluate", "data/gold/russia-nato-split-2021.tsv", "data/facts", "--index", index]).success();
    expect_file(&root().join("tests/expected/link/seed-evaluation.txt"), &run.stdout);
}
