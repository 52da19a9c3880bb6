#!/usr/bin/env python3
"""The benchmark's table, made again from the log of a run (what bench/run.sh prints).

bench.py writes its table when the whole run ends; a run stopped early (by hand, or by a machine's
time limit) leaves only its log. This reads the log's per-run lines and prints the same table:
median wall time, spread, rate, median CPU, peak memory and the ratio of each peer to factgraph for
the same operation. Standard library only.

    bench/log_table.py LOG [--triples ARTICLES=N ...]

--triples gives the distinct triples of the Turtle rows (the log does not print them; bench.py
counts them from its union store), for example --triples 1000=415248. The quads of a size are our
N-Quads' lines as its equivalence line gives them ("ours_lines"); for a size without one (the peers
had not run yet), the articles times the quads an article of the sizes that have one, or times
--quads-per-article (546, `factgraph generate`'s articles in facts format 1.1) if none has.
"""
import argparse
import re
import statistics
import sys

RUN = re.compile(r"^  (\S+(?: \S+)?)\s{2,}(.+?)\s+(\d+)  run (\d+)/(\d+):\s+([\d.]+) s  cpu\s+([\d.]+) s\s+(\d+) MiB \(tree (\d+)\)\s+(?:[\d.]+ [kM]|-)?\s*(.*)$")
# A warm-up that failed is its row's one result (bench.py stops the row there); one that ran is not counted.
WARMUP = re.compile(r"^  (\S+(?: \S+)?)\s{2,}(.+?)\s+(\d+)  warm-up \d+/\d+:\s+([\d.]+) s  (.*)$")
EQUIVALENCE = re.compile(r"^  equivalence (.+?) at (\d+): (SAME|DIFFERENT) \((.*)\)$")
# Each peer's operation and the operation of ours it is compared with (bench.py's baselines).
BASELINES = {
    ("pyoxigraph", "bulk_load nquads"): "load",
    ("pyoxigraph", "dump nquads"): "export nquads",
    ("pyoxigraph", "dump turtle"): "export turtle",
    ("pyoxigraph", "map script"): "map nquads",
    ("rdflib", "map script"): "map nquads",
    ("rdflib", "map script to turtle"): "map turtle",
    ("morph-kgc", "flatten (python)"): "map nquads",
    ("morph-kgc", "rml (after flatten)"): "map nquads",
    ("morph-kgc", "flatten + rml"): "map nquads",
}
QUADS_PER_ARTICLE = 546
OURS_LINES = re.compile(r"ours_lines (\d+)")
TURTLE = ("map turtle", "export turtle", "dump turtle", "map script to turtle")
NO_QUADS = ("wikidata index", "link")


def fmt_seconds(s):
    return "-" if s is None else (f"{s:.3f}" if s < 10 else f"{s:.1f}")


def fmt_rate(quads, seconds):
    if not quads or not seconds:
        return "-"
    rate = quads / seconds
    return f"{rate / 1e6:.2f} M" if rate >= 1e6 else f"{rate / 1e3:.0f} k"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("log")
    p.add_argument("--triples", action="append", default=[], metavar="ARTICLES=N")
    p.add_argument("--quads-per-article", type=int, default=QUADS_PER_ARTICLE, metavar="N")
    a = p.parse_args()
    triples = {int(k): int(v) for k, v in (t.split("=") for t in a.triples)}
    rows = {}  # (tool, op, articles) -> list of (wall, cpu, rss, tree, status)
    order = []
    equivalence = []
    lines_at = {}  # articles -> our N-Quads' lines, from the equivalence lines

    def add(key, run):
        if key not in rows:
            rows[key] = []
            order.append(key)
        rows[key].append(run)

    for line in open(a.log, encoding="utf-8"):
        line = line.rstrip("\n")
        m = RUN.match(line)
        if m:
            tool, op, n = m.group(1).strip(), m.group(2).strip(), int(m.group(3))
            status = m.group(10).strip() or "ok"
            add((tool, op, n), (float(m.group(6)), float(m.group(7)), int(m.group(8)), int(m.group(9)), status))
            continue
        m = WARMUP.match(line)
        if m:
            status = m.group(5).strip()
            if status != "(not counted)":
                add((m.group(1).strip(), m.group(2).strip(), int(m.group(3))), (float(m.group(4)), 0.0, 0, 0, status))
            continue
        m = EQUIVALENCE.match(line)
        if m:
            equivalence.append(f"  {m.group(1):<20} {int(m.group(2)):>7} articles: {m.group(3).lower()} ({m.group(4)})")
            lines = OURS_LINES.search(m.group(4))
            if lines:
                lines_at[int(m.group(2))] = int(lines.group(1))
    # Morph-KGC's total is its two steps, run by run, as bench.py reports it.
    for n in sorted({k[2] for k in rows}):
        f, r = rows.get(("morph-kgc", "flatten (python)", n)), rows.get(("morph-kgc", "rml (after flatten)", n))
        if f and r:
            ok = [(a_[0] + b[0], a_[1] + b[1], max(a_[2], b[2]), max(a_[3], b[3]), "ok")
                  for a_, b in zip(f, r) if a_[4] == "ok" and b[4] == "ok"]
            if ok:
                key = ("morph-kgc", "flatten + rml", n)
                rows[key] = ok
                order.insert(order.index(("morph-kgc", "rml (after flatten)", n)) + 1, key)

    def median(key):
        ok = [r for r in rows.get(key, []) if r[4] == "ok"]
        return statistics.median(r[0] for r in ok) if ok else None

    header = ["tool", "operation", "articles", "quads", "runs", "median s", "min-max s", "rate/s", "cpu s", "RSS MiB",
              "tree MiB", "ratio", "status / note"]
    per_article = next((lines // n for n, lines in sorted(lines_at.items()) if lines % n == 0), a.quads_per_article)
    table = []
    for key in order:
        tool, op, n = key
        runs = rows[key]
        ok = [r for r in runs if r[4] == "ok"]
        quads = None
        if op.startswith("query") or op in NO_QUADS:
            quads = None
        elif op in TURTLE:
            quads = triples.get(n)
        else:
            quads = lines_at.get(n) or n * per_article
        med = statistics.median(r[0] for r in ok) if ok else None
        base = BASELINES.get((tool, op))
        ours = median(("factgraph", base, n)) if base else None
        ratio = f"{med / ours:.1f}x" if med and ours else "-"
        failed = [r[4] for r in runs if r[4] != "ok"]
        table.append([tool, op, f"{n:,}", f"{quads:,}" if quads else "-", str(len(ok)), fmt_seconds(med),
                      f"{fmt_seconds(min(r[0] for r in ok))}-{fmt_seconds(max(r[0] for r in ok))}" if ok else "-",
                      fmt_rate(quads, med), fmt_seconds(statistics.median(r[1] for r in ok)) if ok else "-",
                      f"{max(r[2] for r in runs):,}", f"{max(r[3] for r in runs):,}", ratio, "; ".join(failed)])
    widths = [max(len(h), *(len(row[i]) for row in table)) if table else len(h) for i, h in enumerate(header)]
    out = sys.stdout
    out.write("  ".join(c.ljust(w) if i in (0, 1, 12) else c.rjust(w) for i, (c, w) in enumerate(zip(header, widths))).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in table:
        out.write("  ".join(c.ljust(w) if i in (0, 1, 12) else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip() + "\n")
    if equivalence:
        out.write("\nEquivalence of the peers' quads with ours:\n" + "\n".join(equivalence) + "\n")


if __name__ == "__main__":
    main()
