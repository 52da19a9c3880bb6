#!/usr/bin/env python3
"""factgraph's scale benchmark: the Wikidata index at millions of items, and link against it.

Run it through `bench/run.sh --scale [OPTIONS]`, which builds factgraph in release mode first. This
file uses the standard library only. See docs/benchmarks.md ("Scale") and docs/scaling.md.

Every command runs under /usr/bin/time (wall and CPU seconds, peak RSS). The dumps come from
tools/scale_dump.py (real items, renumbered and varied; deterministic for --seed):

  index from a file    --file-items items written to bench/work/scale/ (generator MB/s), indexed
                       (MB/s); the same file gzipped, `gzip -dc` alone and the index from the .json.gz
                       (its speed as a share of decompression alone, in the same run); with --bz2,
                       the file as pbzip2 streams: `bzip2 -dc` and `lbzip2 -dc` alone, the index
                       from it on one thread (FACTGRAPH_THREADS=1) and on every core;
  index streamed       for each of --streamed: `scale_dump.py N | factgraph wikidata index -`
                       (wall time, peak RSS, index bytes per item), no dump on disk;
  link                 for each of --articles: a store of `factgraph generate` articles (loaded here,
                       or given with --store N=DIR), linked against the largest index;
  seed                 open the largest index and link the seed article against it (--evaluate).

It writes a markdown table to bench/results/scale-<date>-<commit>.md (or --out) and prints it.
The 20 M-item stream is about 80 GB through a pipe; on 2 shared cores the whole run took 26 minutes.
"""

import argparse
import datetime
import os
import select
import shutil
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
WORK = os.path.join(BENCH, "work", "scale")
BUILT = os.path.join(ROOT, "target", "release", "factgraph")
# A private copy of the binary, so that a rebuild in the shared target folder cannot swap it mid-run.
FACTGRAPH = os.path.join(WORK, "factgraph")
DUMP = [sys.executable, os.path.join(ROOT, "tools", "scale_dump.py")]
SEED_GOLD = os.path.join(ROOT, "data", "gold", "russia-nato-split-2021.tsv")
SEED_FACTS = os.path.join(ROOT, "data", "facts")


class Run:
    """One command's wall seconds, CPU seconds (user + system), peak RSS in bytes, and the peak of
    its anonymous memory (RSS without file pages, such as those of a memory-mapped index)."""

    def __init__(self, wall, cpu, rss, anon):
        self.wall, self.cpu, self.rss, self.anon = wall, cpu, rss, anon


def anonymous(pid):
    """RssAnon of process `pid` in bytes (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next((int(l.split()[1]) * 1024 for l in status if l.startswith("RssAnon:")), 0)
    except OSError:
        return 0


def timed(cmd, log, stdin=None, stdout=subprocess.DEVNULL):
    """Runs cmd under /usr/bin/time, sampling its anonymous memory every 0.1 s; its stderr goes
    to `log`. Exits on failure."""
    times = log + ".time"
    full = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", times] + cmd
    anon = 0
    with open(log, "w") as err:
        process = subprocess.Popen(full, stdin=stdin, stdout=stdout, stderr=err)
        while process.poll() is None:
            try:
                children = open(f"/proc/{process.pid}/task/{process.pid}/children").read().split()
            except OSError:
                children = []
            anon = max([anon] + [anonymous(c) for c in children])
            time.sleep(0.1)
    if process.returncode != 0:
        sys.exit(f"failed ({process.returncode}): {' '.join(cmd)}; see {log}")
    wall, user, system, rss = open(times).read().split()[-4:]
    return Run(float(wall), float(user) + float(system), int(rss) * 1024, anon)


def streamed(generator, cmd, log):
    """Runs `generator | cmd`, cmd timed from the generator's first bytes; the generator's own
    --stats line is returned too."""
    gen_log = log + ".generator"
    with open(gen_log, "w") as err:
        producer = subprocess.Popen(generator, stdout=subprocess.PIPE, stderr=err)
        select.select([producer.stdout], [], [])  # the generator has read its sample: time from here
        run = timed(cmd, log, stdin=producer.stdout)
        producer.stdout.close()
        if producer.wait() != 0:
            sys.exit(f"failed: {' '.join(generator)}; see {gen_log}")
    return run, open(gen_log).read().strip()


def mib(b):
    return f"{b / 2**20:,.0f} MiB"


def mbps(size, seconds):
    return f"{size / 1e6 / max(seconds, 1e-9):,.0f} MB/s"


class Scale:
    def __init__(self, args):
        self.args = args
        self.memory = ["--memory", str(args.index_memory)] if args.index_memory else []
        self.rows = []  # (step, measure, wall, cpu, rss, note)
        os.makedirs(WORK, exist_ok=True)
        shutil.copy2(BUILT, FACTGRAPH + ".copy")
        os.replace(FACTGRAPH + ".copy", FACTGRAPH)

    def say(self, text):
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    def row(self, step, size, run, note):
        self.rows.append((step, size, f"{run.wall:,.1f} s", f"{run.cpu:,.1f} s", mib(run.rss), mib(run.anon), note))
        self.say(f"{step} {size}: {run.wall:.1f} s, {run.cpu:.1f} s CPU, {mib(run.rss)} ({mib(run.anon)} anonymous); {note}")

    def path(self, name):
        return os.path.join(WORK, name)

    def index_from_file(self, n):
        dump = self.path(f"items-{n}.json")
        started = time.monotonic()
        with open(dump, "wb") as out:
            subprocess.check_call(DUMP + [str(n), "--seed", str(self.args.seed)], stdout=out)
        size = os.path.getsize(dump)
        generated = time.monotonic() - started
        self.say(f"generated {n:,} items, {size / 1e9:.2f} GB, {mbps(size, generated)}")
        index = self.path(f"file-{n}.idx")
        run = timed([FACTGRAPH, "wikidata", "index", dump, "-o", index] + self.memory, self.path(f"index-file-{n}.log"))
        self.row("index, from a .json file", f"{n:,} items", run,
                 f"{mbps(size, run.wall)} of {size / 1e9:.2f} GB; the generator wrote {mbps(size, generated)}")
        if self.args.bz2:
            self.index_from_bz2(dump, size, n)
        gz = dump + ".gz"
        subprocess.check_call(["gzip", "-1", "-f", "-k", dump])
        os.remove(dump)
        gunzip = timed(["gzip", "-dc", gz], self.path(f"gunzip-{n}.log"))
        self.row("`gzip -dc` alone", f"{n:,} items", gunzip, f"{mbps(size, gunzip.wall)} of JSON out of {os.path.getsize(gz) / 1e9:.2f} GB")
        run = timed([FACTGRAPH, "wikidata", "index", gz, "-o", index] + self.memory, self.path(f"index-gz-{n}.log"))
        self.row("index, from the .json.gz", f"{n:,} items", run,
                 f"{mbps(size, run.wall)} of JSON: {100 * gunzip.wall / run.wall:.0f}% of the speed of `gzip -dc` alone")
        os.remove(gz)
        os.remove(index)

    def index_from_bz2(self, dump, size, n):
        """The dump as many bzip2 streams (pbzip2, as parallel compressors write it): `bzip2 -dc` and
        `lbzip2 -dc` alone, and the index from it on one thread and on every core."""
        if not shutil.which("pbzip2"):
            self.say("no pbzip2: the bzip2 rows are skipped (apt-get install pbzip2 lbzip2)")
            return
        bz2 = dump + ".bz2"
        with open(bz2, "wb") as out:
            subprocess.check_call(["pbzip2", "-1", "-c", dump], stdout=out)
        size_bz2 = os.path.getsize(bz2)
        for tool in ("bzip2", "lbzip2"):
            if shutil.which(tool):
                run = timed([tool, "-dc", bz2], self.path(f"{tool}-{n}.log"))
                self.row(f"`{tool} -dc` alone", f"{n:,} items", run,
                         f"{mbps(size, run.wall)} of JSON out of {size_bz2 / 1e9:.2f} GB of pbzip2 streams, {run.cpu / size * 1e9:.1f} CPU s/GB")
        index = self.path(f"file-{n}.idx")
        for threads, label in (("1", "one thread"), ("", "every core")):
            env = ["env", f"FACTGRAPH_THREADS={threads}"] if threads else []
            run = timed(env + [FACTGRAPH, "wikidata", "index", bz2, "-o", index], self.path(f"index-bz2-{threads or 'all'}-{n}.log"))
            self.row(f"index, from the .json.bz2 on {label}", f"{n:,} items", run,
                     f"{mbps(size, run.wall)} of JSON, {run.cpu / size * 1e9:.1f} CPU s/GB")
        os.remove(bz2)
        os.remove(index)

    def index_streamed(self, n):
        index = self.path(f"streamed-{n}.idx")
        run, stats = streamed(DUMP + [str(n), "--seed", str(self.args.seed), "--stats"],
                              [FACTGRAPH, "wikidata", "index", "-", "-o", index] + self.memory, self.path(f"index-streamed-{n}.log"))
        size = int(stats.split(" bytes")[0].split()[-1]) if " bytes" in stats else 0
        per_item = os.path.getsize(index) / n
        self.row("index, streamed from the generator", f"{n:,} items", run,
                 f"{mbps(size, run.wall)} of {size / 1e9:.1f} GB; index {os.path.getsize(index) / 1e6:,.0f} MB, {per_item:.0f} bytes per item")
        return index

    def store(self, articles):
        given = dict(s.split("=", 1) for s in self.args.store)
        if str(articles) in given:
            return given[str(articles)]
        store = self.path(f"store-{articles}")
        if not os.path.isdir(store):
            facts = self.path(f"facts-{articles}.jsonl")
            with open(facts, "wb") as out:
                subprocess.check_call([FACTGRAPH, "generate", "--articles", str(articles), "--seed", "1"], stdout=out)
            self.say(f"loading {articles:,} articles into {store}")
            subprocess.check_call([FACTGRAPH, "load", facts, "--store", store], stderr=subprocess.DEVNULL)
            os.remove(facts)
        return store

    def link(self, articles, index, items):
        store = self.store(articles)
        run = timed([FACTGRAPH, "link", "--store", store, "--index", index], self.path(f"link-{articles}.log"))
        summary = open(self.path(f"link-{articles}.log")).read().strip().splitlines()[-1:]
        self.row(f"link, against the {items:,}-item index", f"{articles:,} articles", run,
                 f"{run.cpu / max(run.wall, 1e-9):.1f} cores busy; {summary[0] if summary else ''}")

    def seed(self, index, items):
        run = timed([FACTGRAPH, "link", "--index", index, "--evaluate", SEED_GOLD, SEED_FACTS], self.path("seed.log"))
        self.row(f"open + link the seed article, {items:,}-item index", "1 article", run, "`link --evaluate` on data/facts")

    def main(self):
        args = self.args
        started = datetime.datetime.now(datetime.timezone.utc)
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        if args.file_items:
            self.index_from_file(args.file_items)
        largest = None
        for n in args.streamed:
            largest = (self.index_streamed(n), n)
        if largest:
            for articles in args.articles:
                self.link(articles, *largest)
            self.seed(*largest)
        lines = [
            f"# Scale benchmark, {started:%Y-%m-%d %H:%M} UTC, commit {commit}",
            "",
            f"`bench/run.sh --scale {' '.join(sys.argv[1:])}` on {os.cpu_count()} cores ({os.uname().machine}); "
            f"load average {os.getloadavg()[0]:.1f} at the end. Wall and CPU (user + system) seconds and peak RSS from /usr/bin/time; "
            "peak anonymous: the most RssAnon sampled every 0.1 s, the RSS without file pages (a memory-mapped index's pages count in RSS, but the kernel can drop them).",
            "",
            "| step | size | wall | CPU | peak RSS | peak anonymous | note |",
            "|---|---|---|---|---|---|---|",
        ] + [f"| {' | '.join(r)} |" for r in self.rows]
        table = "\n".join(lines) + "\n"
        out = args.out or os.path.join(BENCH, "results", f"scale-{started:%Y-%m-%d}-{commit}.md")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "w") as f:
            f.write(table)
        print(table)
        self.say(f"written {out}")


def count(text):
    """"20M" → 20000000, "10k" → 10000, "500" → 500."""
    text = text.strip()
    multiple = {"k": 1000, "m": 1_000_000}.get(text[-1].lower(), 1)
    return int(float(text[:-1] if multiple > 1 else text) * multiple)


def sizes(text):
    return [count(s) for s in text.split(",") if s.strip()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file-items", type=count, default=1_000_000, help="items of the file index (0: skip; default 1M)")
    parser.add_argument("--streamed", type=sizes, default=sizes("1M,5M,20M"), help="items of each streamed index (default 1M,5M,20M)")
    parser.add_argument("--articles", type=sizes, default=sizes("1k,10k,100k"), help="articles to link (default 1k,10k,100k)")
    parser.add_argument("--store", action="append", default=[], metavar="N=DIR", help="an existing store of N generated articles (seed 1) to link into")
    parser.add_argument("--bz2", action="store_true", help="also the file index from the dump as pbzip2 streams, one thread and every core, beside `bzip2 -dc` and `lbzip2 -dc` alone")
    parser.add_argument("--seed", type=int, default=1, help="the dump generator's seed")
    parser.add_argument("--index-memory", type=int, metavar="MIB", help="`wikidata index --memory MIB` (default: the command's own)")
    parser.add_argument("--out", help="the results file (default bench/results/scale-<date>-<commit>.md)")
    Scale(parser.parse_args()).main()


if __name__ == "__main__":
    main()
