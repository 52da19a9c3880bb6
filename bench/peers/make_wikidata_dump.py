"""Writes a synthetic dump in Wikidata's JSON dump layout for the linker benchmark.

Usage: python make_wikidata_dump.py FACTS.jsonl OUT.json.gz [--noise K]

Nothing here comes from Wikidata: every item is invented, with ids from Q900000000 up so that they
cannot be mistaken for real ones. The items are made from the entity names of the benchmark's own
synthetic facts, so that the linker has real work to do: for each distinct (type, name), chosen by a
stable hash of the name, about 60% get an item with that label and a class the type accepts (a
candidate to link), about 15% of those also get a look-alike (same label, another class), and every
name gets K noise items with other labels (default 2), as a real dump holds mostly items that match
nothing. Layout as in latest-all.json.gz: "[" on the first line, one entity per line ending in ",",
"]" on the last line. Standard library only; the same input gives the same bytes.
"""

import gzip
import hashlib
import json
import sys

import fgmap

CLASSES = {
    "person": "Q5",
    "organisation": "Q43229",
    "country": "Q6256",
    "city": "Q515",
    "place": "Q56061",
    "other": "Q43229",
}
OTHER_CLASS = {"Q5": "Q515", "Q43229": "Q5", "Q6256": "Q43229", "Q515": "Q5", "Q56061": "Q5"}
SYLLABLES = ["ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "ve", "zu"]


def stable(text, salt=""):
    return int.from_bytes(hashlib.blake2b((salt + text).encode("utf-8"), digest_size=8).digest(), "big")


def item(qid, label, description, classes, sitelinks):
    claims = {
        "P31": [
            {
                "mainsnak": {
                    "snaktype": "value",
                    "property": "P31",
                    "datavalue": {
                        "value": {"entity-type": "item", "numeric-id": int(c[1:]), "id": c},
                        "type": "wikibase-entityid",
                    },
                    "datatype": "wikibase-item",
                },
                "type": "statement",
                "rank": "normal",
            }
            for c in classes
        ]
    }
    return {
        "type": "item",
        "id": qid,
        "labels": {"en": {"language": "en", "value": label}},
        "descriptions": {"en": {"language": "en", "value": description}},
        "aliases": {},
        "claims": claims,
        "sitelinks": {f"site{i}wiki": {"site": f"site{i}wiki", "title": label, "badges": []} for i in range(sitelinks)},
    }


def main():
    args = sys.argv[1:]
    noise = 2
    if "--noise" in args:
        i = args.index("--noise")
        noise = int(args[i + 1])
        del args[i : i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    source, target = args
    names = {}
    for facts, _ in fgmap.read_documents(source):
        for entity in facts.get("entities", ()):
            if entity["type"] != "group":
                names.setdefault((entity["type"], entity["name"]), None)
    entities = []
    next_id = 900_000_000
    for (kind, name) in sorted(names):
        h = stable(name, kind)
        cls = CLASSES[kind]
        if h % 100 < 60:
            entities.append(item(f"Q{next_id}", name, f"synthetic {kind}", [cls], 1 + h % 40))
            next_id += 1
            if (h >> 8) % 100 < 15:
                entities.append(item(f"Q{next_id}", name, "synthetic look-alike", [OTHER_CLASS[cls]], (h >> 16) % 5))
                next_id += 1
        for k in range(noise):
            r = stable(name, f"noise{k}")
            label = "".join(SYLLABLES[(r >> (4 * j)) % 10] for j in range(3 + r % 4)).capitalize() + f" {r % 1000}"
            entities.append(item(f"Q{next_id}", label, "synthetic noise", [CLASSES[kind]], r % 20))
            next_id += 1
    with gzip.GzipFile(target, "wb", mtime=0) as raw:
        raw.write(b"[\n")
        for i, entity in enumerate(entities):
            raw.write(json.dumps(entity, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
            raw.write(b",\n" if i + 1 < len(entities) else b"\n")
        raw.write(b"]\n")
    print(f"{len(entities)} items from {len(names)} names", file=sys.stderr)


if __name__ == "__main__":
    main()
