#!/usr/bin/env python3
"""factgraph's benchmark harness: our commands and the peers, side by side, on the same input.

Run it through bench/run.sh, which builds factgraph in release mode and installs the peers into
bench/work/venv-oxi (pyoxigraph 0.5 + rdflib) and bench/work/venv-morph (Morph-KGC 2.10, which pins
pyoxigraph < 0.4) first. This file uses the standard library only. See docs/benchmarks.md.

For each size it generates synthetic facts (`factgraph generate`), then measures, every command under
/usr/bin/time -v (peak RSS of the largest process) while a watchdog samples the RSS of the whole
process tree (Morph-KGC runs several processes) and kills a command that goes over the memory cap or
the time limit:

  ours   map to N-Quads (also pinned to one core with taskset -c 0), load into a fresh store, export
         Turtle and N-Quads, wikidata index and link (on a synthetic dump), saved queries;
  peers  the pyoxigraph script, the rdflib script (and its Turtle at the smallest size), the
         flattening + Morph-KGC, pyoxigraph's Store.bulk_load of our N-Quads, pyoxigraph's dumps.

Each peer's output is compared with ours as a set of quads (up to --equivalence-max articles; above
that, the counts). Times are the median of the runs, which follow one untimed warm-up run (--warmup)
when a row has two runs or more; the ratio column is the peer's median time
divided by ours for the same operation (above 1: we are faster).
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
WORK = os.path.join(BENCH, "work")
PEERS = os.path.join(BENCH, "peers")
BUILT = os.path.join(ROOT, "target", "release", "factgraph")
# A private copy of the binary, so that a rebuild in the shared target folder cannot swap it mid-run.
FACTGRAPH = os.path.join(WORK, "bin", "factgraph")
PY_OXI = os.path.join(WORK, "venv-oxi", "bin", "python")
PY_MORPH = os.path.join(WORK, "venv-morph", "bin", "python")
GIB = 1024**3

sys.path.insert(0, PEERS)
import fgmap  # noqa: E402


# --------------------------------------------------------------------------------------------
# Measuring one command
# --------------------------------------------------------------------------------------------
def process_tree_rss(root_pid):
    """Sum of the resident set sizes (bytes) of root_pid and all its descendants."""
    children = {}
    rss = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after its closing ')'.
        fields = stat[stat.rfind(b")") + 2 :].split()
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * page
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total


class Measurement:
    def __init__(self, wall, max_rss, tree_peak, status, exit_code, cpu=None):
        self.wall = wall
        self.cpu = cpu  # seconds of user + system time (/usr/bin/time -v), of the command and its children
        self.max_rss = max_rss  # bytes, /usr/bin/time -v "Maximum resident set size"
        self.tree_peak = tree_peak  # bytes, sampled sum over the process tree
        self.status = status  # "ok", "failed", "killed: …"
        self.exit_code = exit_code


def measure(cmd, log, cwd=None, cap=12 * GIB, timeout=3600, pin=None):
    """Runs cmd under /usr/bin/time -v with a memory/time watchdog; returns a Measurement."""
    time_file = log + ".time"
    full = ["/usr/bin/time", "-v", "-o", time_file]
    if pin is not None:
        full += ["taskset", "-c", pin]
    full += [str(c) for c in cmd]
    with open(log, "ab") as out:
        out.write(("$ " + " ".join(full) + "\n").encode())
        out.flush()
        start = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        state = {"peak": 0, "killed": None}

        def watch():
            while proc.poll() is None:
                try:
                    rss = process_tree_rss(proc.pid)
                except Exception:  # noqa: BLE001 (a process vanishing mid-scan)
                    rss = 0
                state["peak"] = max(state["peak"], rss)
                elapsed = time.perf_counter() - start
                reason = None
                if rss > cap:
                    reason = f"killed: over the memory cap ({rss / GIB:.1f} GiB after {elapsed:.0f} s)"
                elif elapsed > timeout:
                    reason = f"killed: over the time limit ({timeout:.0f} s, {rss / GIB:.1f} GiB)"
                if reason:
                    state["killed"] = reason
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    return
                time.sleep(0.1)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        proc.wait()
        wall = time.perf_counter() - start
        watcher.join()
    max_rss = 0
    cpu = 0.0
    exit_code = proc.returncode
    try:
        with open(time_file) as f:
            for line in f:
                line = line.strip()
                if line.startswith("Maximum resident set size (kbytes):"):
                    max_rss = int(line.split(":")[1]) * 1024
                elif line.startswith("User time (seconds):") or line.startswith("System time (seconds):"):
                    cpu += float(line.split(":")[1])
                elif line.startswith("Exit status:"):
                    exit_code = int(line.split(":")[1]) or exit_code
                elif line.startswith("Command terminated by signal"):
                    # GNU time then still says "Exit status: 0".
                    exit_code = exit_code or 128 + int(line.rsplit(" ", 1)[1])
        os.remove(time_file)
    except (OSError, ValueError):
        pass
    if state["killed"]:
        status = state["killed"]
    elif exit_code != 0:
        status = f"failed (exit {exit_code}, see {os.path.relpath(log, ROOT)})"
    else:
        status = "ok"
    return Measurement(wall, max_rss, max(state["peak"], max_rss), status, exit_code, cpu)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
class Row:
    def __init__(self, group, tool, op, articles, quads=None, baseline=None, note=""):
        self.group = group  # "ours" or "peer"
        self.tool = tool
        self.op = op
        self.articles = articles
        self.quads = quads
        self.baseline = baseline  # (tool, op) of our row this peer row is compared with
        self.note = note
        self.runs = []

    @property
    def ok_runs(self):
        return [m for m in self.runs if m.status == "ok"]

    @property
    def median(self):
        ok = self.ok_runs
        return statistics.median(m.wall for m in ok) if ok else None

    @property
    def cpu(self):
        ok = [m.cpu for m in self.ok_runs if m.cpu is not None]
        return statistics.median(ok) if ok else None

    @property
    def status(self):
        bad = [m.status for m in self.runs if m.status != "ok"]
        return bad[0] if bad else ("ok" if self.runs else (self.note or "not run"))

    @property
    def max_rss(self):
        return max((m.max_rss for m in self.runs), default=0)

    @property
    def tree_peak(self):
        return max((m.tree_peak for m in self.runs), default=0)


def fmt_seconds(s):
    if s is None:
        return "-"
    return f"{s:.3f}" if s < 10 else f"{s:.1f}"


def fmt_rate(quads, seconds):
    if not quads or not seconds:
        return "-"
    rate = quads / seconds
    return f"{rate / 1e6:.2f} M" if rate >= 1e6 else f"{rate / 1e3:.0f} k"


def fmt_mib(b):
    return f"{b / 2**20:,.0f}" if b else "-"


def locked_version(crate):
    """The version of `crate` in Cargo.lock."""
    with open(os.path.join(ROOT, "Cargo.lock")) as f:
        for package in f.read().split("[[package]]"):
            fields = dict(line.split(" = ", 1) for line in package.strip().splitlines() if " = " in line)
            if fields.get("name") == f'"{crate}"':
                return fields.get("version", "?").strip('"')
    return "?"


# --------------------------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------------------------
class Bench:
    def __init__(self, args):
        self.args = args
        self.rows = []
        self.equivalence = []
        self.notes = []
        self.data = os.path.join(WORK, "data")
        self.logs = os.path.join(WORK, "logs")
        for d in (self.data, self.logs):
            os.makedirs(d, exist_ok=True)
        self.peak_export_turtle = None  # (articles, bytes) of our last Turtle export
        if args.turtle_peak:
            prev_n, prev_gib = args.turtle_peak.split(":")
            self.peak_export_turtle = (int(prev_n), float(prev_gib) * GIB)
        self.triples = {}  # articles -> distinct triples of the union of the article graphs

    # --- helpers -----------------------------------------------------------------------------
    def say(self, text):
        print(text, file=sys.stderr, flush=True)

    def runs_for(self, articles, slow=False):
        if slow and articles >= 100_000:
            return self.args.runs_100k
        return self.args.runs

    def row(self, *a, **k):
        r = Row(*a, **k)
        self.rows.append(r)
        return r

    def run(self, row, cmd, cwd=None, before=None, after=None, pin=None, timeout=None, cap=None, runs=1, enough=None):
        """Measures `cmd` `runs` times into `row`; stops after a failed or killed run. A row of two
        runs or more first gets `--warmup` untimed runs, as hyperfine's `--warmup` does."""
        log = os.path.join(self.logs, f"{row.tool}-{row.op}-{row.articles}.log".replace(" ", "_").replace("/", "_"))
        warmups = self.args.warmup if runs > 1 else 0
        for i in range(warmups + runs):
            warm = i < warmups
            if before:
                before()
            load1 = os.getloadavg()[0]
            m = measure(cmd, log, cwd=cwd, cap=cap or self.args.memory_cap * GIB, timeout=timeout or self.args.timeout, pin=pin)
            m.load1 = load1
            ok = m.status == "ok"
            if warm:
                self.say(f"  {row.tool:<12} {row.op:<28} {row.articles:>7}  warm-up {i + 1}/{warmups}: {m.wall:8.2f} s  "
                         f"{'(not counted)' if ok else m.status}")
            else:
                rate = fmt_rate(row.quads, m.wall) if ok else ""
                self.say(f"  {row.tool:<12} {row.op:<28} {row.articles:>7}  run {i - warmups + 1}/{runs}: {m.wall:8.2f} s  "
                         f"cpu {m.cpu:7.2f} s  {m.max_rss / 2**20:7.0f} MiB (tree {m.tree_peak / 2**20:.0f})  {rate}  {'' if ok else m.status}")
            if after:
                after()
            if not warm or not ok:
                row.runs.append(m)  # a failed warm-up is the row's result: the timed runs would fail the same way
            if not ok or (not warm and enough is not None and m.wall > enough):
                break  # failed, or one run this long is enough
        return row

    def rm(self, *paths):
        for p in paths:
            if os.path.isdir(p):
                shutil.rmtree(p, ignore_errors=True)
            elif os.path.exists(p):
                os.remove(p)

    def count_lines(self, path):
        n = 0
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 24), b""):
                n += block.count(b"\n")
        return n

    def count_quad_lines(self, path):
        """Lines that are not blank (rdflib ends each serialisation with an empty line)."""
        n = 0
        with open(path, "rb") as f:
            for line in f:
                if line.strip():
                    n += 1
        return n

    def compare(self, tool, articles, ours, theirs, ours_lines=None):
        """Set comparison up to --equivalence-max articles; above that, line counts only."""
        if articles <= self.args.equivalence_max and os.path.exists(ours):
            out = subprocess.run([PY_OXI, os.path.join(PEERS, "compare_quads.py"), ours, theirs, "--json"],
                                 capture_output=True, text=True)
            try:
                result = json.loads(out.stdout)
            except ValueError:
                result = {"error": (out.stderr or out.stdout).strip()[-500:], "equal": False}
            result["method"] = "quad sets"
        else:
            ours_lines = self.count_quad_lines(ours) if os.path.exists(ours) else ours_lines
            theirs_lines = self.count_quad_lines(theirs)
            result = {"ours_lines": ours_lines, "theirs_lines": theirs_lines, "equal": ours_lines == theirs_lines,
                      "method": "line counts"}
        result.update(tool=tool, articles=articles)
        self.equivalence.append(result)
        verdict = "SAME" if result.get("equal") else "DIFFERENT"
        self.say(f"  equivalence {tool} at {articles}: {verdict} ({result['method']}: "
                 + ", ".join(f"{k} {v}" for k, v in result.items() if isinstance(v, int) and not isinstance(v, bool)) + ")")
        return result

    # --- one size ------------------------------------------------------------------------------
    def size(self, n):
        a = self.args
        self.say(f"\n== {n} articles")
        facts = os.path.join(self.data, f"facts-{n}.jsonl")
        dump = os.path.join(self.data, f"wikidata-{n}.json.gz")
        # Made again when the binary is newer than them: a changed generator writes other facts.
        stale = not os.path.exists(facts) or os.path.getmtime(facts) < os.path.getmtime(FACTGRAPH)
        if stale or self.count_lines(facts) != n or not os.path.exists(facts + f".seed{a.seed}"):
            self.rm(facts, dump)
            subprocess.run([FACTGRAPH, "generate", "--articles", str(n), "--seed", str(a.seed), "-o", facts], check=True)
            open(facts + f".seed{a.seed}", "w").close()
        out = os.path.join(WORK, "out", str(n))
        self.rm(out)
        os.makedirs(out)
        # About 300 kB of disk per article at the peak (N-Quads, two stores and an export at once).
        need, free = 300_000 * n, shutil.disk_usage(WORK).free
        if free < need:
            self.notes.append(f"{n} articles: not run, {free / 1e9:.0f} GB free on disk and about {need / 1e9:.0f} GB needed")
            self.say(self.notes[-1])
            return
        ours_nq = os.path.join(out, "ours.nq")
        runs = self.runs_for(n)
        slow = self.runs_for(n, slow=True)

        # -- map -----------------------------------------------------------------------------
        r = self.row("ours", "factgraph", "map nquads", n)
        # Every tool writes a new file, as Morph-KGC's runs do: rewriting the last run's file costs
        # the kernel its old pages first (0.3-0.8 s at 10,000 articles).
        ours_map = [FACTGRAPH, "map", facts, "--format", "nquads", "-o", ours_nq]
        self.run(r, ours_map, runs=runs, before=lambda: self.rm(ours_nq))
        quads = self.count_lines(ours_nq)
        r.quads = quads
        r1 = self.row("ours", "factgraph", "map nquads (1 core)", n, quads)
        pinned_nq = os.path.join(out, "ours-1core.nq")
        self.run(r1, [FACTGRAPH, "map", facts, "--format", "nquads", "-o", pinned_nq], pin="0", runs=runs,
                 after=lambda: self.rm(pinned_nq))
        rt = None
        if n <= a.turtle_peer_max:
            rt = self.row("ours", "factgraph", "map turtle", n)
            self.run(rt, [FACTGRAPH, "map", facts, "--format", "turtle", "-o", os.path.join(out, "ours.ttl")], runs=runs,
                     before=lambda: self.rm(os.path.join(out, "ours.ttl")))
            self.rm(os.path.join(out, "ours.ttl"))

        # -- load, side by side with pyoxigraph's bulk_load ----------------------------------
        store = os.path.join(out, "store")
        pystore = os.path.join(out, "pyox-store")
        load = self.row("ours", "factgraph", "load", n, quads)
        bulk = self.row("peer", "pyoxigraph", "bulk_load nquads", n, quads, baseline=("factgraph", "load"))
        for i in range(slow):
            self.run(load, [FACTGRAPH, "load", facts, "--store", store], before=lambda: self.rm(store))
            self.run(bulk, [PY_OXI, os.path.join(PEERS, "pyoxigraph_store.py"), "bulk_load", ours_nq, pystore],
                     before=lambda: self.rm(pystore))

        if n > a.equivalence_max:
            # Above this size the peers are compared by counts only: free the disk for the stores.
            self.rm(ours_nq)

        # -- exports, side by side with pyoxigraph's dumps -----------------------------------
        export_file = os.path.join(out, "export.out")
        enq = self.row("ours", "factgraph", "export nquads", n, quads)
        dump_nq = self.row("peer", "pyoxigraph", "dump nquads", n, quads, baseline=("factgraph", "export nquads"))
        for i in range(slow):
            self.run(enq, [FACTGRAPH, "export", "--store", store, "--format", "nquads", "-o", export_file],
                     after=lambda: self.rm(export_file))
            self.run(dump_nq, [PY_OXI, os.path.join(PEERS, "pyoxigraph_store.py"), "dump", pystore, export_file, "nquads"],
                     after=lambda: self.rm(export_file))
        self.rm(pystore)

        # Our Turtle export holds every quad in memory to sort it: skip it where the last size's peak,
        # scaled, would pass the memory cap (and pyoxigraph's Turtle dump with it: no ratio to take).
        skip_turtle = None
        if self.peak_export_turtle:
            prev_n, prev_peak = self.peak_export_turtle
            predicted = prev_peak * n / prev_n
            if predicted > a.memory_cap * GIB:
                skip_turtle = (f"not run: its peak was {prev_peak / GIB:.1f} GiB at {prev_n:,} articles, so about "
                               f"{predicted / GIB:.0f} GiB here, over the {a.memory_cap:g} GiB cap (it holds every quad in memory to sort)")
        ttl = self.row("ours", "factgraph", "export turtle", n, note=skip_turtle or "")
        dump_ttl = self.row("peer", "pyoxigraph", "dump turtle", n, baseline=("factgraph", "export turtle"),
                            note="not run: nothing to compare with (our Turtle export was not run)" if skip_turtle else "")
        if not skip_turtle:
            # pyoxigraph's plain Turtle dump needs the triples in one graph: a store with the union of
            # the article graphs (our N-Triples output loaded into the default graph). Building it is
            # measured too, for information.
            union = os.path.join(out, "pyox-union")
            nt = os.path.join(out, "ours.nt")
            subprocess.run([FACTGRAPH, "map", facts, "--format", "ntriples", "-o", nt], check=True)
            setup = self.row("peer", "pyoxigraph", "bulk_load ntriples (union)", n, self.count_lines(nt),
                             note="setup for the Turtle dump")
            self.run(setup, [PY_OXI, os.path.join(PEERS, "pyoxigraph_store.py"), "bulk_load", nt, union],
                     before=lambda: self.rm(union))
            self.rm(nt)
            triples = None
            try:
                triples = int(subprocess.run([PY_OXI, os.path.join(PEERS, "pyoxigraph_store.py"), "count", union],
                                             capture_output=True, text=True, check=True).stdout.strip())
            except (subprocess.CalledProcessError, ValueError):
                pass
            self.triples[n] = triples
            ttl.quads = dump_ttl.quads = triples
            if rt is not None:
                rt.quads = triples
            for i in range(slow):
                self.run(ttl, [FACTGRAPH, "export", "--store", store, "--format", "turtle", "-o", export_file],
                         after=lambda: self.rm(export_file))
                self.run(dump_ttl, [PY_OXI, os.path.join(PEERS, "pyoxigraph_store.py"), "dump", union, export_file, "turtle"],
                         after=lambda: self.rm(export_file))
            if ttl.ok_runs:
                self.peak_export_turtle = (n, ttl.max_rss)
            self.rm(union)

        # -- linker --------------------------------------------------------------------------
        if not os.path.exists(dump):
            subprocess.run([sys.executable, os.path.join(PEERS, "make_wikidata_dump.py"), facts, dump], check=True)
        index = os.path.join(out, "wikidata.idx")
        ri = self.row("ours", "factgraph", "wikidata index", n, note=f"dump {os.path.getsize(dump) / 1e6:.1f} MB gzip")
        self.run(ri, [FACTGRAPH, "wikidata", "index", dump, "-o", index], runs=runs)
        rl = self.row("ours", "factgraph", "link", n)
        self.run(rl, [FACTGRAPH, "link", "--index", index, "--store", store], runs=slow, timeout=a.link_timeout)

        # -- optimize: compaction, the name index, the kept listings ---------------------------
        ro = self.row("ours", "factgraph", "optimize", n, note="compact, name index, keep the listings")
        self.run(ro, [FACTGRAPH, "optimize", "--store", store], runs=1, timeout=a.optimize_timeout)

        # -- saved queries: each whole, then its first page -------------------------------------
        if n >= a.query_min:
            for name, params in self.queries(facts):
                for page in ([], ["limit=100"]):
                    label = f"query {name}" + (" first page" if page else "")
                    rq = self.row("ours", "factgraph", label, n, note=" ".join(params + page))
                    cmd = [FACTGRAPH, "query", name, "--store", store, "--format", "tsv", "-o", os.path.join(out, "query.tsv")]
                    for p in params + page:
                        cmd += ["--param", p]
                    self.run(rq, cmd, runs=runs, timeout=a.query_timeout, cap=a.query_memory_cap * GIB, enough=60)
                    if rq.ok_runs:
                        rq.note = (rq.note + f" ({self.count_lines(os.path.join(out, 'query.tsv')) - 1} rows)").strip()
        self.rm(store)

        # -- peers that map --------------------------------------------------------------------
        if not a.no_peers:
            self.peer_maps(n, facts, out, ours_nq, quads, slow, r, ours_map)
        if not a.keep:
            self.rm(out)

    def peer_maps(self, n, facts, out, ours_nq, quads, slow, ours_row, ours_map):
        a = self.args
        runs = self.runs_for(n)
        theirs = os.path.join(out, "peer.nq")

        def in_turn(*paths):
            """Before each run of a peer that maps (warm-ups too): one more run of our map, into our
            row, so that its median spans the same minutes of this shared machine as the peers' do
            (as load and bulk_load take turns); then the peer's old output goes."""
            def before():
                self.run(ours_row, ours_map, runs=1, before=lambda: self.rm(ours_nq))
                self.rm(*paths)
            return before

        r = self.row("peer", "pyoxigraph", "map script", n, quads, baseline=("factgraph", "map nquads"))
        self.run(r, [PY_OXI, os.path.join(PEERS, "pyoxigraph_map.py"), facts, theirs], cwd=PEERS, runs=slow, before=in_turn(theirs))
        if r.ok_runs:
            self.compare("pyoxigraph script", n, ours_nq, theirs, quads)
        self.rm(theirs)

        r = self.row("peer", "rdflib", "map script", n, quads, baseline=("factgraph", "map nquads"))
        if n <= a.rdflib_max:
            self.run(r, [PY_OXI, os.path.join(PEERS, "rdflib_map.py"), facts, theirs], cwd=PEERS, runs=runs, before=in_turn(theirs))
            if r.ok_runs:
                self.compare("rdflib script", n, ours_nq, theirs, quads)
            self.rm(theirs)
        else:
            r.note = f"not run above {a.rdflib_max} articles (too slow: see the smaller sizes)"
        if n <= a.turtle_peer_max:
            r = self.row("peer", "rdflib", "map script to turtle", n, self.triples.get(n), baseline=("factgraph", "map turtle"))
            self.run(r, [PY_OXI, os.path.join(PEERS, "rdflib_map.py"), "--turtle", facts, os.path.join(out, "rdflib.ttl")],
                     cwd=PEERS, runs=runs, timeout=a.rdflib_turtle_timeout)
            self.rm(os.path.join(out, "rdflib.ttl"))

        flat = os.path.join(out, "flat")
        fl = self.row("peer", "morph-kgc", "flatten (python)", n, quads, baseline=("factgraph", "map nquads"))
        mk = self.row("peer", "morph-kgc", "rml (after flatten)", n, quads, baseline=("factgraph", "map nquads"))
        if n <= a.morph_max:
            self.run(fl, [PY_MORPH, os.path.join(PEERS, "flatten_for_rml.py"), facts, flat], cwd=PEERS, runs=runs, before=in_turn())
            config = os.path.join(flat, "config.ini")
            with open(config, "w") as f:
                f.write(
                    "[CONFIGURATION]\n"
                    f"output_file = {theirs}\n"
                    "output_format = N-QUADS\n"
                    # Morph-KGC treats '' and 'nan' as missing by default; nothing is missing here.
                    "na_values = __factgraph_no_missing_values__\n"
                    "logging_level = WARNING\n\n"
                    "[factgraph]\n"
                    f"mappings = {os.path.join(BENCH, 'rml', 'factgraph.rml.ttl')}\n"
                )
            self.run(mk, [PY_MORPH, "-m", "morph_kgc", config], cwd=flat, runs=runs, before=in_turn(theirs))
            if mk.ok_runs:
                self.compare("morph-kgc (rml)", n, ours_nq, theirs, quads)
            self.rm(theirs, flat)
            if fl.ok_runs and mk.ok_runs:
                total = self.row("peer", "morph-kgc", "flatten + rml", n, quads, baseline=("factgraph", "map nquads"))
                total.runs = [Measurement(f.wall + m.wall, max(f.max_rss, m.max_rss), max(f.tree_peak, m.tree_peak), "ok", 0,
                                          f.cpu + m.cpu)
                              for f, m in zip(fl.ok_runs, mk.ok_runs)]
        else:
            fl.note = mk.note = f"not run above {a.morph_max} articles (too slow: see the smaller sizes)"

    def queries(self, facts):
        """Every saved query, with parameters that exist in the data."""
        # The entity mentioned in the most articles: the worst case for the entity query.
        counts = {}
        first = None
        for facts_doc, _ in fgmap.read_documents(facts):
            doc_id = facts_doc["document"]["id"]
            first = first or doc_id
            for entity in facts_doc.get("entities", ()):
                path = fgmap.entity_path(doc_id, entity)
                counts[path] = counts.get(path, 0) + 1
        hub = max(sorted(counts), key=counts.get)
        chosen = {
            "article-entities": [f"article=article/{first}"],
            "find-entity": ["name=tanaka"],
            "entity": [f"entity={hub}"],
            # The summary the page shows first, before (or instead of) the entity's facts.
            "entity-summary": [f"entity={hub}"],
            "roles-as-of": ["asOf=2021-10-21"],
            "relations": [],
            "timeline": [],
            "claims": [],
            "articles": [],
            "accusations": [],
            "claimed-events": [],
            "co-mentions": [],
            "quotes": [],
            "unlinked-entities": [],
            "quantities": [],
            "wikidata-links": [],
        }
        wanted = self.args.queries.split(",") if self.args.queries else list(chosen)
        return [(q, chosen.get(q, [])) for q in wanted]

    # --- whole run ---------------------------------------------------------------------------
    def environment(self):
        def cmd(*c):
            try:
                return subprocess.run(c, capture_output=True, text=True, cwd=ROOT).stdout.strip()
            except OSError:
                return "?"

        cpu = "?"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) * 1024
        versions = {}
        for venv, py in (("venv-oxi", PY_OXI), ("venv-morph", PY_MORPH)):
            if os.path.exists(py):
                versions[venv] = cmd(py, "-m", "pip", "freeze", "--disable-pip-version-check").replace("\n", " ")
                versions[venv + " python"] = cmd(py, "--version")
        dirty = cmd("git", "status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock", "queries", "ontology")
        return {
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": " ".join(["bench/run.sh"] + self.args.argv),
            "machine": f"{os.cpu_count()} cores, {cpu}, {mem / GIB:.1f} GiB RAM, {platform.platform()}",
            "rustc": cmd("rustc", "--version"),
            "factgraph": cmd("git", "rev-parse", "--short", "HEAD") + (" (with uncommitted changes to src/)" if dirty else ""),
            "oxigraph (Rust)": locked_version("oxigraph"),
            "python": platform.python_version(),
            **versions,
            "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        }

    def main(self):
        os.makedirs(os.path.dirname(FACTGRAPH), exist_ok=True)
        shutil.copy2(BUILT, FACTGRAPH)
        env = self.environment()
        env["factgraph binary"] = f"{BUILT} built {datetime.datetime.fromtimestamp(os.path.getmtime(BUILT)).isoformat(timespec='seconds')}"
        for n in self.args.sizes:
            self.size(n)
        env["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        text = self.report(env)
        print(text)
        if self.args.out:
            os.makedirs(os.path.dirname(os.path.abspath(self.args.out)), exist_ok=True)
            with open(self.args.out + ".txt", "w") as f:
                f.write(text)
            with open(self.args.out + ".tsv", "w") as f:
                f.write(self.tsv(env))
            self.say(f"results: {self.args.out}.txt and {self.args.out}.tsv")
        different = [e for e in self.equivalence if not e.get("equal")]
        failed = [r for r in self.rows if r.runs and r.status.startswith("failed")]
        if self.args.strict and (different or failed):
            self.say(f"{len(different)} peer outputs differ from ours, {len(failed)} commands failed")
            return 1
        return 0

    def ours(self, articles, op):
        return next((r for r in self.rows if r.group == "ours" and r.op == op and r.articles == articles), None)

    def ratio(self, r):
        if not r.baseline or r.median is None:
            return None
        base = self.ours(r.articles, r.baseline[1])
        if base is None or base.median is None:
            return None
        return r.median / base.median

    def report(self, env):
        lines = ["factgraph benchmark", ""]
        lines += [f"{k}: {v}" for k, v in env.items()]
        warm = f"after {self.args.warmup} untimed warm-up run(s) when a row has two runs or more" if self.args.warmup else "no warm-up runs"
        lines += ["", f"Times are medians of the runs (wall seconds), {warm}; rate = quads (or triples) / median; "
                  "cpu = median user + system seconds (all threads and child processes); RSS = peak of the largest process (/usr/bin/time -v); tree = peak of the sampled sum over the process tree; "
                  "ratio = peer's median / ours for the same operation (above 1: factgraph is faster).", ""]
        header = ["tool", "operation", "articles", "quads", "runs", "median s", "min-max s", "rate/s", "cpu s", "RSS MiB",
                  "tree MiB", "ratio", "status / note"]
        table = []
        for r in self.rows:
            ok = r.ok_runs
            spread = f"{fmt_seconds(min(m.wall for m in ok))}-{fmt_seconds(max(m.wall for m in ok))}" if ok else "-"
            ratio = self.ratio(r)
            note = r.status if r.status != "ok" else r.note
            if r.status != "ok" and r.note and r.note != r.status:
                note = f"{r.status}; {r.note}"
            table.append([r.tool, r.op, f"{r.articles:,}", f"{r.quads:,}" if r.quads else "-", str(len(ok)),
                          fmt_seconds(r.median), spread, fmt_rate(r.quads, r.median), fmt_seconds(r.cpu), fmt_mib(r.max_rss),
                          fmt_mib(r.tree_peak), f"{ratio:.1f}x" if ratio else "-", note])
        widths = [max(len(h), *(len(row[i]) for row in table)) if table else len(h) for i, h in enumerate(header)]
        fmt_row = lambda row: "  ".join(c.ljust(w) if i in (0, 1, 12) else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))  # noqa: E731
        lines.append(fmt_row(header))
        lines.append("  ".join("-" * w for w in widths))
        lines += [fmt_row(row).rstrip() for row in table]
        lines += [""] + [f"Note: {note}" for note in self.notes]
        lines += ["", "Equivalence of the peers' quads with ours:"]
        for e in self.equivalence:
            details = ", ".join(f"{k} {v}" for k, v in e.items() if isinstance(v, int) and not isinstance(v, bool) and k != "articles")
            lines.append(f"  {e['tool']:<20} {e['articles']:>7} articles: {'same' if e.get('equal') else 'DIFFERENT'} "
                         f"({e['method']}: {details})")
            for key in ("only_ours_examples", "only_theirs_examples"):
                for example in e.get(key, []):
                    lines.append(f"      {key.replace('_examples', '')}: {example}")
            if "error" in e:
                lines.append(f"      error: {e['error']}")
        return "\n".join(lines) + "\n"

    def tsv(self, env):
        lines = [f"# {k}: {v}" for k, v in env.items()]
        lines.append("\t".join(["tool", "operation", "articles", "quads", "runs_ok", "median_s", "min_s", "max_s", "quads_per_s",
                                "cpu_s", "max_rss_bytes", "tree_peak_bytes", "ratio_peer_over_ours", "status", "note", "walls_s", "load1_before_runs"]))
        for r in self.rows:
            ok = r.ok_runs
            ratio = self.ratio(r)
            lines.append("\t".join(str(x) for x in [
                r.tool, r.op, r.articles, r.quads or "", len(ok), f"{r.median:.4f}" if r.median is not None else "",
                f"{min(m.wall for m in ok):.4f}" if ok else "", f"{max(m.wall for m in ok):.4f}" if ok else "",
                f"{r.quads / r.median:.0f}" if r.quads and r.median else "", f"{r.cpu:.3f}" if r.cpu is not None else "", r.max_rss or "", r.tree_peak or "",
                f"{ratio:.3f}" if ratio else "", r.status, r.note, ",".join(f"{m.wall:.4f}" for m in r.runs),
                ",".join(f"{getattr(m, 'load1', 0):.2f}" for m in r.runs)]))
        for e in self.equivalence:
            lines.append("# equivalence\t" + json.dumps(e, ensure_ascii=False))
        return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="1000,10000,100000", help="article counts, comma-separated")
    p.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is reported)")
    p.add_argument("--warmup", type=int, default=1,
                   help="untimed runs before the timed ones of every row of two runs or more (default 1)")
    p.add_argument("--runs-100k", type=int, default=1, dest="runs_100k",
                   help="runs of the slow store operations (load, bulk_load, exports, dumps, link, the pyoxigraph script) from 100k articles up")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rdflib-max", type=int, default=10_000, help="largest size the rdflib script runs at")
    p.add_argument("--morph-max", type=int, default=10_000, help="largest size Morph-KGC runs at")
    p.add_argument("--turtle-peer-max", type=int, default=1000, help="largest size of the Turtle mapping comparison with rdflib")
    p.add_argument("--equivalence-max", type=int, default=1000, help="largest size whose quads are compared as sets")
    p.add_argument("--query-min", type=int, default=1000, help="smallest size the saved queries run at")
    p.add_argument("--queries", default="", help="saved queries to run, comma-separated (default: a fixed set)")
    p.add_argument("--memory-cap", type=float, default=12, help="GiB: a command whose process tree goes over it is killed")
    p.add_argument("--query-memory-cap", type=float, default=6, help="GiB: the same for one saved query")
    p.add_argument("--timeout", type=float, default=3600, help="seconds: a command running longer is killed")
    p.add_argument("--query-timeout", type=float, default=120, help="seconds: the same for one saved query")
    p.add_argument("--rdflib-turtle-timeout", type=float, default=600, help="seconds: the same for the rdflib Turtle script")
    p.add_argument("--link-timeout", type=float, default=1800, help="seconds: the same for link")
    p.add_argument("--optimize-timeout", type=float, default=5400, help="seconds: the same for optimize (compaction and the kept listings)")
    p.add_argument("--turtle-peak", default="", metavar="ARTICLES:GIB",
                   help="peak memory of our Turtle export at a smaller size measured earlier (for a run of larger sizes alone)")
    p.add_argument("--no-peers", action="store_true", help="skip the peers that map (pyoxigraph, rdflib, Morph-KGC scripts)")
    p.add_argument("--keep", action="store_true", help="keep outputs and stores under bench/work/out")
    p.add_argument("--strict", action="store_true", help="exit 1 when a peer's quads differ from ours or a command fails")
    p.add_argument("--out", default="", help="write the report to OUT.txt and OUT.tsv")
    args = p.parse_args()
    args.argv = sys.argv[1:]
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    sys.exit(Bench(args).main())


if __name__ == "__main__":
    main()
