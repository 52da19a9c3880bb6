#!/usr/bin/env python3
"""The interactive questions of issue 16 on a store that exists: each saved query's first page and
whole result, the one-thing questions, wall and CPU seconds, medians of --runs.

    python3 bench/interactive.py --store DIR [--runs 3] [--factgraph target/release/factgraph]
        [--entity entity/person/nadia-pel-zhang-0] [--article article/synthetic-0000000]
        [--name tanaka] [--out FILE.md]

The store is only read (a store of `factgraph generate --articles 100000 --seed 1`, say, loaded and
optimized: `optimize` keeps the listings). Every command runs under /usr/bin/time; results go to
standard output as a markdown table, and to --out. Whole results are written to a file in a
temporary folder, in TSV and CSV (the CSV is read back from a kept listing's TSV and written again,
the TSV copied as kept), and their rows per second of wall time reported. Standard library only.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

LISTINGS = ["articles", "claims", "quotes", "relations", "timeline", "accusations", "claimed-events",
            "quantities", "co-mentions", "unlinked-entities", "wikidata-links"]


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (wall, cpu, peak RSS in MiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as times:
        run = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", times.name] + cmd,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if run.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd)}\n{run.stderr}")
        wall, user, system, rss = times.read().split()[-4:]
    return float(wall), float(user) + float(system), int(rss) / 1024


def rows_in(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f) - 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", required=True)
    p.add_argument("--factgraph", default=os.path.join(ROOT, "target", "release", "factgraph"))
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--entity", default="entity/person/nadia-pel-zhang-0", help="the most-mentioned entity")
    p.add_argument("--article", default="article/synthetic-0000000")
    p.add_argument("--name", default="tanaka")
    p.add_argument("--whole", default="claims,quotes,relations,timeline", help="listings whose whole result is timed")
    p.add_argument("--out")
    a = p.parse_args()
    if not shutil.which("/usr/bin/time"):
        sys.exit("/usr/bin/time is needed (Debian package `time`)")
    work = tempfile.mkdtemp(prefix="factgraph-interactive-")
    out_file = os.path.join(work, "result")

    def query(name, params, fmt="tsv"):
        cmd = [a.factgraph, "query", name, "--store", a.store, "--format", fmt, "-o", out_file]
        for param in params:
            cmd += ["--param", param]
        return cmd

    lines = ["| question | rows | wall s (median) | CPU s (median) | peak RSS MiB | rows/s |", "|---|---|---|---|---|---|"]

    def row(label, cmd, runs=a.runs, rate=False, rows=None):
        """Times cmd; its rows are counted in its TSV output unless given (CSV quotes line ends)."""
        measured = [timed(cmd) for _ in range(runs)]
        wall = statistics.median(m[0] for m in measured)
        cpu = statistics.median(m[1] for m in measured)
        rss = max(m[2] for m in measured)
        if rows is None:
            rows = rows_in(out_file) if os.path.exists(out_file) else 0
        per_second = f"{rows / wall:,.0f}" if rate and wall > 0 else ""
        lines.append(f"| {label} | {rows:,} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {per_second} |")
        print(lines[-1], flush=True)
        return rows

    print("\n".join(lines), flush=True)
    row(f"entity `{a.entity}`, first page", query("entity", [f"entity={a.entity}", "limit=100"]))
    row(f"entity-summary `{a.entity}`", query("entity-summary", [f"entity={a.entity}"]))
    row(f"find-entity `name={a.name}`", query("find-entity", [f"name={a.name}"]))
    row(f"find-entity `name={a.name}`, first page", query("find-entity", [f"name={a.name}", "limit=100"]))
    row("roles-as-of", query("roles-as-of", ["asOf=2021-10-21"]))
    row(f"article-entities `{a.article}`", query("article-entities", [f"article={a.article}"]))
    for name in LISTINGS:
        row(f"{name}, first page", query(name, ["limit=100"]))
        row(f"{name}, page at offset 100,000", query(name, ["limit=100", "offset=100000"]))
    for name in [n for n in a.whole.split(",") if n]:
        rows = row(f"{name}, whole, tsv", query(name, []), runs=1, rate=True)
        row(f"{name}, whole, csv", query(name, [], "csv"), runs=1, rate=True, rows=rows)
    shutil.rmtree(work, ignore_errors=True)
    if a.out:
        with open(a.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
