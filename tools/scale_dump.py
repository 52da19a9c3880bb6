#!/usr/bin/env python3
"""Writes a large dump in Wikidata's layout for scale measurements, to stdout: `[`, one item a line
followed by a comma, `]`. It scales the 100 real items of the shared sample
(shared/real/sample_wikidata_items.json.bz2 beside the repository or its parent folder; else the trimmed real items of
tests/fixtures/link-real/dump.json). Each generated item is a copy of one of them, trimmed to the size
of an average item of the real dump (a few KB: labels and descriptions in a few languages, the
linker's relations P31, P279, P17, P131, P36, P1376, P463 and demonyms, a few other claims, some
sitelinks), renumbered (every item id it holds or points to moved by its copy's offset, so relations
stay inside a copy) and varied: its English label gets a word of its own in most copies, it keeps some
of its aliases and relations, and its sitelink count is drawn from a long-tailed distribution. The
same count and seed give the same bytes.

    python3 tools/scale_dump.py 1000000 > items-1m.json
    python3 tools/scale_dump.py 20000000 --seed 1 | factgraph wikidata index - -o items-20m.idx
    python3 tools/scale_dump.py 100000 --stats > /dev/null     # items, bytes and MB/s on stderr
"""
import argparse
import bz2
import json
import os
import random
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = [os.path.join(ROOT, *[".."] * up, "shared", "real", "sample_wikidata_items.json.bz2") for up in (1, 2)]
FALLBACK = os.path.join(ROOT, "tests", "fixtures", "link-real", "dump.json")
RELATIONS = ("P31", "P279", "P17", "P131", "P36", "P1376", "P463")
CLASS_PROPERTIES = ("P31", "P279")
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "ru", "ja")
OTHER_CLAIMS = 6  # statements of other properties kept per item: what the index build parses and skips
SYLLABLES = ["ka", "lo", "mer", "vin", "tas", "bru", "del", "or", "sen", "qui", "ran", "tol", "ep", "nor", "ual", "is"]
IDS = re.compile(r'"Q(\d+)"|"numeric-id": ?(\d+)')


def read_items(path):
    opener = bz2.open if path.endswith(".bz2") else open
    with opener(path, "rt", encoding="utf-8") as source:
        for line in source:
            line = line.strip().rstrip(",")
            if line.startswith("{"):
                item = json.loads(line)
                if item.get("type") == "item":
                    yield item


def statement(snak, rank):
    keep = {k: v for k, v in snak.items() if k in ("snaktype", "property", "datavalue", "datatype")}
    return {"mainsnak": keep, "type": "statement", "rank": rank}


MARK = "\x01"  # where a copy's number goes in front of an item id; JSON text never holds it raw
VARIANTS = 16  # alias and relation subsets prepared per item; each copy picks one


def renumbered(text, width):
    """`text` with every item id n written MARK + n padded to `width` digits: a copy's number in place
    of MARK moves it by copy × 10^width."""
    def number(m):
        if m.group(1):
            return f'"Q{MARK}{int(m.group(1)):0{width}d}"'
        return f'"numeric-id":{MARK}{int(m.group(2)):0{width}d}'
    return IDS.sub(number, text)


class Template:
    """One real item, trimmed, as text a copy fills in: a head, its label, one of a few variants of
    aliases and claims, and a share of its sitelinks."""

    def __init__(self, item, width, seed, shared_classes=False):
        number = int(item["id"][1:])
        pick = lambda m: {k: m[k] for k in LANGUAGES if k in m}
        dumps = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))
        labels = pick(item.get("labels") or {})
        label = labels.pop("en", {"value": item["id"]})["value"]
        self.label = dumps(label)
        self.label_open = self.label[:-1] + " "
        self.head = renumbered(f'{{"type":"item","id":"Q{number}","labels":{{"en":{{"language":"en","value":', width)
        descriptions = pick(item.get("descriptions") or {})
        self.after_label = "}" + "".join(f",{dumps(k)}:{dumps(v)}" for k, v in labels.items()) + "}," + f'"descriptions":{dumps(descriptions) if descriptions else "[]"},"aliases":'
        aliases = [a["value"] for a in (item.get("aliases") or {}).get("en", [])][:6]
        claims = item.get("claims") or {}
        relations = []
        for prop in RELATIONS + ("P1549",):
            kept = [statement(s["mainsnak"], s.get("rank", "normal")) for s in claims.get(prop, []) if s.get("rank") != "deprecated"]
            if prop == "P1549":
                kept = [s for s in kept if s["mainsnak"].get("datavalue", {}).get("value", {}).get("language") == "en"]
            if kept:
                relations.append((prop, dumps(kept[:8])))
        other = [(p, [statement(s[0]["mainsnak"], s[0].get("rank", "normal"))]) for p, s in claims.items() if p not in RELATIONS and p != "P1549"]
        other = "".join(f',"{p}":{dumps(s)}' for p, s in other[:OTHER_CLAIMS])
        # Variants: each keeps some of the aliases and, besides P31, about four in five relations.
        rng = random.Random(f"{seed}/{number}")
        self.variants = []
        for _ in range(VARIANTS):
            kept_aliases = aliases[: rng.randrange(len(aliases) + 1)]
            alias_text = '{"en":[' + ",".join(f'{{"language":"en","value":{dumps(a)}}}' for a in kept_aliases) + "]}" if kept_aliases else "[]"
            chosen = [(p, t) for p, t in relations if p == "P31" or rng.random() < 0.8]
            # With shared classes, P31 and P279 keep their real ids: every copy is an instance of the same classes.
            moved = ",".join(f'"{p}":{t}' for p, t in chosen if not (shared_classes and p in CLASS_PROPERTIES))
            fixed = ",".join(f'"{p}":{t}' for p, t in chosen if shared_classes and p in CLASS_PROPERTIES)
            kept = ",".join(filter(None, [moved, fixed]))
            claim_text = renumbered(moved, width) + ("," if moved and fixed else "") + fixed + (renumbered(other, width) if kept else renumbered(other[1:], width))
            self.variants.append(renumbered(f'{alias_text},"claims":{{', width) + claim_text + '},"sitelinks":{')
        sites = list((item.get("sitelinks") or {}).values())
        entries = [f'{dumps(s["site"])}:{{"site":{dumps(s["site"])},"title":{dumps(s.get("title", label))},"badges":[]}}' for s in sites]
        # sitelinks[n]: the first n entries.
        self.sitelinks = [",".join(entries[:n]) + "}}" for n in range(len(entries) + 1)]


def word(n):
    """A made-up word for copy `n`: "kalo", "mervin", …, distinct for distinct n."""
    syllables = []
    while True:
        syllables.append(SYLLABLES[n % len(SYLLABLES)])
        n //= len(SYLLABLES)
        if n == 0:
            return "".join(syllables).capitalize()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="items to write")
    parser.add_argument("--seed", type=int, default=1, help="the same count and seed give the same bytes")
    parser.add_argument("--source", help="a dump of real items (default: the shared sample, else the link-real fixture)")
    parser.add_argument("--stats", action="store_true", help="print items, bytes, bytes per item and MB/s to stderr")
    parser.add_argument("--shared-classes", action="store_true", help="keep P31 and P279 values as they are (copies are instances of the real classes, as for `wikidata index --keep types`) instead of renumbering them with the copy")
    args = parser.parse_args()
    source = args.source or next((s for s in SAMPLES if os.path.exists(s)), FALLBACK)
    items = list(read_items(source))
    if not items:
        sys.exit(f"{source}: no items")
    width = len(str(max(int(i["id"][1:]) for i in items))) + 1
    templates = [Template(item, width, args.seed, args.shared_classes) for item in items]
    # Sitelink counts: most items have none or a few, some many (the real dump's long tail).
    rng = random.Random(args.seed)
    tail = [int(rng.paretovariate(1.2)) - 1 for _ in range(4096)]
    out = sys.stdout.buffer
    started, written, size = time.monotonic(), 0, 2
    out.write(b"[\n")
    copy = 0
    while written < args.count:
        parts = []
        varied = word(copy) + '"'
        for t in templates[: args.count - written]:
            bits = rng.getrandbits(32)
            parts.append(t.head)
            parts.append(t.label if copy == 0 or bits % 10 == 0 else t.label_open + varied)
            parts.append(t.after_label)
            parts.append(t.variants[(bits >> 4) % VARIANTS])
            parts.append(t.sitelinks[min(tail[bits >> 20], len(t.sitelinks) - 1)])
            written += 1
            parts.append(",\n" if written < args.count else "\n")
        text = "".join(parts).replace(MARK, str(copy + 1)).encode("utf-8")
        size += len(text)
        out.write(text)
        copy += 1
    out.write(b"]\n")
    out.flush()
    if args.stats:
        seconds = time.monotonic() - started
        print(f"{written} items, {size} bytes, {size / max(written, 1):.0f} bytes per item, {seconds:.2f} s, "
              f"{size / 1e6 / max(seconds, 1e-9):.1f} MB/s", file=sys.stderr)


if __name__ == "__main__":
    main()
