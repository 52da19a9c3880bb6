#!/usr/bin/env python3
"""Endpoint latency: `factgraph serve` and Oxigraph's own server on the same store, under wrk.

    bench/serve_bench.py                 # 10,000 synthetic articles, 15 s per level (about 15 minutes)
    bench/serve_bench.py --smoke         # 200 articles, 2 s per level (under a minute)
    bench/serve_bench.py --store DIR     # an existing store instead of generating and loading one

Steps: `factgraph generate` writes N synthetic articles, `factgraph load` puts them into a fresh store
(unless --store is given). Then each server in turn opens that store read-only on loopback:

  factgraph  `factgraph serve --store DIR --bind 127.0.0.1:PORT --queries QUERIES`
  oxigraph   `oxigraph serve-read-only --location DIR --bind 127.0.0.1:PORT --union-default-graph --timeout-s 30`

(--union-default-graph makes Oxigraph's default graph the union of all graphs, as factgraph's is, so
the same SPARQL gives the same answer on both; --timeout-s 30 is factgraph serve's default --timeout). One selective saved query is timed,
article-entities with article=article/synthetic-0000000:

  factgraph  GET /queries/article-entities?article=...   (factgraph binds the parameter itself)
  factgraph  GET /sparql?query=TEXT                      (TEXT: the same query, value written in)
  oxigraph   GET /query?query=TEXT                       (the identical TEXT)

Oxigraph has no parameter binding, so TEXT is queries/article-entities.rq with its comment lines
dropped and the IRI written in where the variable is bound: `GRAPH ?article { ... }` becomes
`GRAPH <IRI> { ... } BIND(<IRI> AS ?article)`, the same solutions with the same columns and the graph
a constant in the pattern, as factgraph's variable substitution has it. A second text, the "VALUES
form" (`VALUES ?article { <IRI> }` just before `GRAPH ?article {`), also means the same thing but
leaves the graph a variable to join on; it is timed too (at --values-levels, default 1 connection),
on both servers, because engines plan it very differently (where a server stops it at the 30 s
timeout, the report says so and it is not timed there). Before any timing the script fetches the
saved query and all four texts as CSV and stops unless they are the same rows, in order (and not
none), and checks that a query over the default graph gives the same count on both servers.

The page's entity view (`GET /entity?iri=IRI`, --entity, by default the most-mentioned entity of the
synthetic data) is timed on factgraph alone as whole requests, one at a time (--entity-runs, median
reported): it is the summary (the `entity-summary` query), and for an entity with at most 2,000 facts
the first page of each section (the `entity` query).

Each endpoint gets a warm-up, then `wrk --latency` at 1, 8 and 32 connections (-t1 -c1, -t2 -c8,
-t2 -c32), each for --duration seconds, with `Accept: application/sparql-results+json`. Parsed: p50
and p99 latency (wrk prints 50/75/90/99%), requests/s, non-2xx responses and socket errors, and the
server process's CPU time per request (from /proc, all threads), which depends far less than latency
on what else the machine is doing. wrk and the server share the machine's cores (2 here), so wrk's
own CPU time is part of what the latencies measure.

The table and everything needed to read it (machine, versions, store size, the exact commands, the
raw wrk output) go to --out (default bench/results/serve-latency.txt). Standard library only, plus
`wrk` (Debian package wrk). Exit status 1 if a check fails or a server does not come up.
"""

import argparse
import csv
import datetime
import io
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
QUERY_NAME = "article-entities"
PARAM = "article"
ACCEPT_JSON = "application/sparql-results+json"
CANCELLED = b"The SPARQL operation has been cancelled"  # what Oxigraph writes into a body when it times out
VALUES_TIMEOUT = 60  # wrk --timeout (s) for the VALUES form, which can take seconds a request


class Failure(Exception):
    pass


# --------------------------------------------------------------------------------------------
# Running commands, recording them
# --------------------------------------------------------------------------------------------
COMMANDS = []  # (what, command line) in the order they ran
ALIASES = {}  # long URL -> $URL_NAME, so that the record stays readable


def shown(cmd):
    return " ".join(ALIASES[part] if part in ALIASES else shlex.quote(part) for part in cmd)


def record(what, cmd):
    COMMANDS.append((what, shown(cmd)))


def run(what, cmd, **kwargs):
    record(what, cmd)
    print(f"$ {shown(cmd)}", file=sys.stderr, flush=True)
    started = time.monotonic()
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise Failure(f"{what} failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result, seconds


def first_line(cmd):
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except OSError as e:
        return f"(cannot run {cmd[0]}: {e})"
    text = (result.stdout or result.stderr).strip()
    return text.splitlines()[0] if text else f"(no output, exit {result.returncode})"


def cpu_seconds(pid):
    """User + system CPU seconds of a process so far, all its threads (from /proc/PID/stat)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def children_cpu_seconds():
    import resource
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------
def http_get(url, accept, timeout=60):
    """(status, body bytes) of a GET; HTTP errors are answers, not exceptions."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def csv_rows(body):
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


class Server:
    """One server process on loopback, its log, and a way to stop it."""

    def __init__(self, name, cmd, probe_url, log_path):
        self.name, self.cmd, self.probe_url, self.log_path = name, cmd, probe_url, log_path
        self.process = None
        self.startup_seconds = None

    def __enter__(self):
        record(f"start {self.name}", self.cmd)
        print(f"$ {shlex.join(self.cmd)} &", file=sys.stderr, flush=True)
        self.log = open(self.log_path, "ab")
        started = time.monotonic()
        self.process = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT, cwd=os.path.dirname(self.log_path))
        deadline = started + 180
        while True:
            if self.process.poll() is not None:
                raise Failure(f"{self.name} exited with {self.process.returncode} before answering; see {self.log_path}")
            try:
                status, _ = http_get(self.probe_url, ACCEPT_JSON, timeout=5)
                if status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
                pass
            if time.monotonic() > deadline:
                raise Failure(f"{self.name} did not answer within 180 s; see {self.log_path}")
            time.sleep(0.1)
        self.startup_seconds = time.monotonic() - started
        return self

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return False


# --------------------------------------------------------------------------------------------
# The query, with the parameter value written into its text
# --------------------------------------------------------------------------------------------
IRIREF = re.compile(r'[^\x00-\x20<>"{}|^`\\]+')


def resolve_iri(value, base):
    """factgraph's reading of an `iri` parameter given as a path under the base or an absolute IRI."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
        iri = value
    else:
        iri = base + value
    if not IRIREF.fullmatch(iri):
        raise Failure(f"{iri!r} cannot be written as an IRIREF")
    return iri


def params_of(query_text):
    """{name: type} from the `# param: NAME TYPE = default | description` header lines."""
    params = {}
    for line in query_text.splitlines():
        m = re.match(r"^#\s*param:\s*\??(\w+)\s+(\w+)", line)
        if m:
            params[m.group(1)] = m.group(2)
    return params


def _without_comments(query_text):
    return "\n".join(line for line in query_text.splitlines() if not line.lstrip().startswith("#")) + "\n"


def _the_graph_block(text, variable):
    """(start, open brace, end) of the one `GRAPH ?variable { ... }` in text; end is just after its `}`."""
    needle = f"GRAPH ?{variable} {{"
    if text.count(needle) != 1:
        raise Failure(f"expected exactly one {needle!r} in the query, found {text.count(needle)}")
    start = text.index(needle)
    brace = start + len(needle) - 1
    depth, i, in_string = 0, brace, None
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == in_string:
                in_string = None
        elif ch in "\"'":
            in_string = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return start, brace, i + 1
        i += 1
    raise Failure(f"unbalanced braces after {needle!r}")


def with_value_written_in(query_text, variable, iri):
    """The query with the value written in as a constant: `GRAPH <iri> { ... } BIND(<iri> AS ?variable)`.

    In the saved query ?article occurs in the sub-SELECT only as the graph name of its one
    `GRAPH ?article { ... }` (it is projected from there and grouped and ordered by outside). Writing
    the IRI in as that graph name and binding ?article to it right after the block gives the same
    solutions with the same ?article column, with the graph as a constant in the pattern, which is
    what factgraph's variable substitution gives the engine. Comment lines are dropped."""
    text = _without_comments(query_text)
    start, brace, end = _the_graph_block(text, variable)
    line_start = text.rindex("\n", 0, start) + 1
    indent = text[line_start:start]
    if indent.strip():
        raise Failure(f"GRAPH ?{variable} does not start its line; the substitution would need another rule")
    block = f"GRAPH <{iri}> " + text[brace:end]
    if f"?{variable}" in block:
        raise Failure(f"?{variable} also occurs inside its GRAPH block; the substitution would need another rule")
    return text[:start] + block + f"\n{indent}BIND(<{iri}> AS ?{variable})" + text[end:]


def with_values_block(query_text, variable, iri):
    """The query with `VALUES ?variable { <iri> }` just before its one `GRAPH ?variable {` (the same
    solutions again, but the graph stays a variable for the engine to join on). Comment lines dropped."""
    text = _without_comments(query_text)
    start, _, _ = _the_graph_block(text, variable)
    line_start = text.rindex("\n", 0, start) + 1
    indent = text[line_start:start]
    return text[:line_start] + f"{indent}VALUES ?{variable} {{ <{iri}> }}\n" + text[line_start:]


# --------------------------------------------------------------------------------------------
# wrk
# --------------------------------------------------------------------------------------------
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def to_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not m:
        raise Failure(f"cannot read the wrk duration {text!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_wrk(output):
    result = {"p50": None, "p75": None, "p90": None, "p99": None, "rps": None, "requests": None,
              "non2xx": 0, "socket_errors": 0, "socket_detail": ""}
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)\s*$", output, re.M)
        if m:
            result["p" + pct] = to_ms(m.group(1))
    m = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    if m:
        result["rps"] = float(m.group(1))
    m = re.search(r"^\s+(\d+) requests in", output, re.M)
    if m:
        result["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if m:
        result["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if m:
        connect, read, write, timeout = map(int, m.groups())
        result["socket_errors"] = connect + read + write + timeout
        result["socket_detail"] = f"connect {connect}, read {read}, write {write}, timeout {timeout}"
    if result["p50"] is None or result["rps"] is None:
        raise Failure(f"cannot read wrk's output:\n{output}")
    return result


def wrk(args, url, connections, seconds, what, timeout=None):
    threads = 1 if connections == 1 else min(args.threads, connections)
    cmd = [args.wrk, "--latency", f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
           "--timeout", f"{timeout or args.wrk_timeout:g}s", "-H", f"Accept: {ACCEPT_JSON}", url]
    if args.pin:
        cmd = ["taskset", "-c", args.pin_wrk] + cmd
    result, _ = run(what, cmd)
    return cmd, result.stdout


# --------------------------------------------------------------------------------------------
# Machine and versions
# --------------------------------------------------------------------------------------------
def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    return "unknown RAM"


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def default_binary(candidates):
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
        if c and not os.path.sep in c and shutil.which(c):
            return shutil.which(c)
    return candidates[-1]


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="See the module docstring (head -40 bench/serve_bench.py) for what is measured.")
    parser.add_argument("--smoke", action="store_true", help="200 articles, 2 s per level, 1 s warm-up")
    parser.add_argument("--articles", type=int, default=None, help="synthetic articles to generate (10000; 200 with --smoke)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--store", help="use this existing store; nothing is generated or loaded")
    parser.add_argument("--work", default=os.path.join(BENCH, "work", "serve"), help="folder for the facts, the store and the logs (default bench/work/serve)")
    parser.add_argument("--factgraph", default=None, help="factgraph binary (default $FACTGRAPH, /work/servebench/factgraph, target/release/factgraph)")
    parser.add_argument("--oxigraph", default=None, help="oxigraph binary from oxigraph-cli 0.5.13 (default $OXIGRAPH, /work/servebench/oxigraph-cli/bin/oxigraph, oxigraph on PATH)")
    parser.add_argument("--wrk", default="wrk")
    parser.add_argument("--queries", default=os.path.join(ROOT, "queries"), help="the saved-query folder factgraph serves (default queries/)")
    parser.add_argument("--article", default="article/synthetic-0000000", help="the article parameter's value")
    parser.add_argument("--base", default="https://factgraph.example/kb/", help="base IRI the store was loaded with")
    parser.add_argument("--connections", default="1,8,32", help="concurrency levels (default 1,8,32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads above one connection (default 2)")
    parser.add_argument("--duration", type=float, default=None, help="seconds per level (15; 2 with --smoke)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds per endpoint at 8 connections (5; 1 with --smoke)")
    parser.add_argument("--wrk-timeout", type=float, default=10, help="wrk's per-request timeout in seconds (10)")
    parser.add_argument("--values-levels", default="1", help="levels at which the VALUES form is also timed (default 1; empty: not timed)")
    parser.add_argument("--servers", default="factgraph,oxigraph", help="which servers to time (default factgraph,oxigraph)")
    parser.add_argument("--pin", action="store_true", help="pin the server to --pin-server CPUs and wrk to --pin-wrk (taskset)")
    parser.add_argument("--pin-server", default="1")
    parser.add_argument("--pin-wrk", default="0")
    parser.add_argument("--entity", default="entity/person/nadia-pel-zhang-0",
                        help="the entity whose page is timed (default: the most-mentioned entity of the synthetic data, seeds 1)")
    parser.add_argument("--entity-runs", type=int, default=3, help="requests of the entity view, one at a time (3; 0: not timed)")
    parser.add_argument("--entity-timeout", type=float, default=120, help="client timeout per entity-view request in seconds (120)")
    parser.add_argument("--out", default=os.path.join(BENCH, "results", "serve-latency.txt"))
    args = parser.parse_args()

    args.articles = args.articles if args.articles is not None else (200 if args.smoke else 10000)
    args.duration = args.duration if args.duration is not None else (2 if args.smoke else 15)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.smoke else 5)
    duration = int(args.duration) if float(args.duration).is_integer() else args.duration
    warmup = int(args.warmup) if float(args.warmup).is_integer() else args.warmup
    levels = [int(c) for c in args.connections.split(",") if c.strip()]
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    for s in servers:
        if s not in ("factgraph", "oxigraph"):
            parser.error(f"unknown server {s!r}")
    args.factgraph = os.path.abspath(default_binary([args.factgraph, os.environ.get("FACTGRAPH"), "/work/servebench/factgraph",
                                                     os.path.join(ROOT, "target", "release", "factgraph")]))
    args.oxigraph = default_binary([args.oxigraph, os.environ.get("OXIGRAPH"), "/work/servebench/oxigraph-cli/bin/oxigraph", "oxigraph"])
    if not shutil.which(args.wrk):
        raise Failure("wrk is not installed (Debian: apt-get install -y wrk)")
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    started_at = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    load_start = loadavg()
    notes = []

    # ---- the store
    if args.store:
        store = os.path.abspath(args.store)
        built = f"existing store {store} (given with --store)"
    else:
        facts = os.path.join(work, f"synthetic-{args.articles}-seed{args.seed}.jsonl")
        store = os.path.join(work, f"store-{args.articles}-seed{args.seed}")
        generate = [args.factgraph, "generate", "--articles", str(args.articles), "--seed", str(args.seed), "-o", facts]
        if os.path.exists(facts):
            record("generate (skipped: the file exists; generate is deterministic from --seed and --articles)", generate)
        else:
            run("generate", generate)
        if os.path.exists(store):
            shutil.rmtree(store)
        _, load_seconds = run("load into a fresh store", [args.factgraph, "load", facts, "--store", store])
        built = f"fresh store {store}, loaded in {load_seconds:.1f} s"
    stats, _ = run("store statistics", [args.factgraph, "stats", "--store", store])
    m = re.search(r"^articles\s+([\d,]+)", stats.stdout, re.M)
    articles_in_store = int(m.group(1).replace(",", "")) if m else None
    m = re.search(r"^store\s+.*\(([^,()]+), ([\d,]+) quads\)", stats.stdout, re.M)
    store_size, stats_quads = (m.group(1), int(m.group(2).replace(",", ""))) if m else ("?", None)

    # ---- the query text
    with open(os.path.join(args.queries, f"{QUERY_NAME}.rq"), encoding="utf-8") as f:
        saved_text = f.read()
    params = params_of(saved_text)
    if params.get(PARAM) != "iri":
        raise Failure(f"{QUERY_NAME}.rq has parameters {params}; expected {PARAM} of type iri")
    iri = resolve_iri(args.article, args.base)
    text = with_value_written_in(saved_text, PARAM, iri)
    values_text = with_values_block(saved_text, PARAM, iri)
    fg_port, ox_port = free_port(), free_port()
    fg = f"http://127.0.0.1:{fg_port}"
    ox = f"http://127.0.0.1:{ox_port}"
    urls = {
        "SAVED": f"{fg}/queries/{QUERY_NAME}?{urllib.parse.urlencode({PARAM: args.article})}",
        "FG_SPARQL": f"{fg}/sparql?{urllib.parse.urlencode({'query': text})}",
        "OX_QUERY": f"{ox}/query?{urllib.parse.urlencode({'query': text})}",
        "FG_SPARQL_VALUES": f"{fg}/sparql?{urllib.parse.urlencode({'query': values_text})}",
        "OX_QUERY_VALUES": f"{ox}/query?{urllib.parse.urlencode({'query': values_text})}",
    }
    ALIASES.update({url: f"$URL_{name}" for name, url in urls.items()})
    ask = urllib.parse.urlencode({"query": "ASK {}"})

    server_prefix = ["taskset", "-c", args.pin_server] if args.pin else []
    fg_cmd = server_prefix + [args.factgraph, "serve", "--store", store, "--bind", f"127.0.0.1:{fg_port}", "--queries", os.path.abspath(args.queries)]
    ox_cmd = server_prefix + [args.oxigraph, "serve-read-only", "--location", store, "--bind", f"127.0.0.1:{ox_port}"]
    ox_help = subprocess.run([args.oxigraph, "serve-read-only", "--help"], capture_output=True, text=True).stdout
    if "--union-default-graph" in ox_help:
        ox_cmd.append("--union-default-graph")
    else:
        notes.append("oxigraph serve-read-only has no --union-default-graph option here: default-graph queries differ")
    if "--timeout-s" in ox_help:
        # factgraph serve stops a query after 30 s by default (--timeout); give Oxigraph the same limit, so that
        # a slow query (the VALUES form on a big store) ends the same way on both
        ox_cmd += ["--timeout-s", "30"]

    def factgraph_server():
        return Server("factgraph serve", fg_cmd, f"{fg}/sparql?{ask}", os.path.join(work, "factgraph-serve.log"))

    def oxigraph_server():
        return Server("oxigraph serve-read-only", ox_cmd, f"{ox}/query?{ask}", os.path.join(work, "oxigraph-serve.log"))

    # ---- same rows before any timing
    union_query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"
    quads_query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    answers = {}
    fetch_seconds = {}
    startup = {}

    failed = {}  # optional checks that did not answer 200: key -> message

    def fetch(key, url, optional=False):
        started = time.monotonic()
        status, body = http_get(url, "text/csv", timeout=300)
        fetch_seconds[key] = time.monotonic() - started
        message = None
        if status != 200:
            message = f"HTTP {status} after {fetch_seconds[key]:.1f} s: {body[:200].decode('utf-8', 'replace').strip()}"
        elif CANCELLED in body:
            # Oxigraph streams results: when --timeout-s stops a query, the 200 and the header are already sent,
            # and the error text is written into the body, so the answer is truncated but looks successful
            message = (f"HTTP 200 after {fetch_seconds[key]:.1f} s, but the body is truncated and ends with "
                       f"{CANCELLED.decode()!r} (the server's timeout)")
        if message:
            if not optional:
                raise Failure(f"{key}: {message}")
            failed[key] = message
            print(f"  {key}: {message}", file=sys.stderr)
            return
        answers[key] = csv_rows(body)
        print(f"  {key}: {len(answers[key]) - 1} rows in {fetch_seconds[key]:.3f} s", file=sys.stderr)

    with factgraph_server() as server:
        startup["factgraph"] = server.startup_seconds
        fetch("factgraph saved", urls["SAVED"])
        fetch("factgraph /sparql", urls["FG_SPARQL"])
        fetch("factgraph /sparql VALUES", urls["FG_SPARQL_VALUES"], optional=True)
        fetch("factgraph union", f"{fg}/sparql?{urllib.parse.urlencode({'query': union_query})}")
        fetch("factgraph quads", f"{fg}/sparql?{urllib.parse.urlencode({'query': quads_query})}")
        status, listing = http_get(f"{fg}/queries", "application/json")
        listed = json.loads(listing) if status == 200 else None
    with oxigraph_server() as server:
        startup["oxigraph"] = server.startup_seconds
        fetch("oxigraph /query", urls["OX_QUERY"])
        fetch("oxigraph /query VALUES", urls["OX_QUERY_VALUES"], optional=True)
        fetch("oxigraph union", f"{ox}/query?{urllib.parse.urlencode({'query': union_query})}")
    reference = answers["factgraph saved"]
    if len(reference) < 2:
        raise Failure(f"the saved query gave no rows for {args.article}: {reference}")
    for key in ("factgraph /sparql", "oxigraph /query", "factgraph /sparql VALUES", "oxigraph /query VALUES"):
        if key in failed:
            continue
        if answers[key] != reference:
            only_a = [r for r in reference if r not in answers[key]]
            only_b = [r for r in answers[key] if r not in reference]
            raise Failure(f"{key} differs from the saved query: {len(reference) - 1} vs {len(answers[key]) - 1} rows; "
                          f"only in the saved query's: {only_a[:3]}; only in {key}: {only_b[:3]}")
    header = reference[0]
    article_col = header.index(PARAM) if PARAM in header else None
    if article_col is None or any(row[article_col] != iri for row in reference[1:]):
        raise Failure(f"the saved query's ?{PARAM} column is not {iri} on every row")
    if answers["factgraph union"] != answers["oxigraph union"]:
        raise Failure(f"default graph differs: factgraph {answers['factgraph union']} oxigraph {answers['oxigraph union']}")
    quads = int(answers["factgraph quads"][1][0])
    rows = len(reference) - 1
    declared = None
    if isinstance(listed, dict):
        listed = listed.get("queries")
    if isinstance(listed, list):
        for q in listed:
            if isinstance(q, dict) and q.get("name") == QUERY_NAME:
                declared = [p.get("name") for p in q.get("params", q.get("parameters", [])) if isinstance(p, dict)]
    if not failed:
        forms = "both forms below"
    else:
        forms = "the IRI written in; the VALUES form: " + "; ".join(f"{k} {v}" for k, v in failed.items())
        agreed = [k for k in ("factgraph /sparql VALUES", "oxigraph /query VALUES") if k not in failed]
        if agreed:
            forms += "; " + ", ".join(agreed) + " gave the same rows"
    check = (f"same {rows} rows (CSV, in order) from factgraph /queries/{QUERY_NAME}?{PARAM}=..., and from factgraph /sparql and "
             f"oxigraph /query with the value written in ({forms}); ?{PARAM} = <{iri}> on every row; default graph: "
             f"`{union_query}` = {answers['factgraph union'][1][0]} on both servers")
    if declared is not None:
        check += f"; factgraph /queries lists {QUERY_NAME} with parameters {declared}"
    print(check, file=sys.stderr)

    # ---- timing
    values_levels = [int(c) for c in args.values_levels.split(",") if c.strip()]
    endpoints = []
    if "factgraph" in servers:
        endpoints.append(("factgraph", factgraph_server, [
            (f"/queries/{QUERY_NAME}", urls["SAVED"], levels, None),
            ("/sparql", urls["FG_SPARQL"], levels, None),
            ("/sparql (VALUES form)", urls["FG_SPARQL_VALUES"], [] if "factgraph /sparql VALUES" in failed else values_levels, VALUES_TIMEOUT)]))
    if "oxigraph" in servers:
        endpoints.append(("oxigraph", oxigraph_server, [
            ("/query", urls["OX_QUERY"], levels, None),
            ("/query (VALUES form)", urls["OX_QUERY_VALUES"], [] if "oxigraph /query VALUES" in failed else values_levels, VALUES_TIMEOUT)]))
    results = []
    raw = []
    for name, make, server_urls in endpoints:
        with make() as server:
            for endpoint, url, endpoint_levels, timeout in server_urls:
                if not endpoint_levels:
                    continue
                status, body = http_get(url, ACCEPT_JSON, timeout=300)
                if status != 200:
                    raise Failure(f"{name} {endpoint}: HTTP {status} before timing")
                response_bytes = len(body)
                if args.warmup > 0:
                    c = min(8, max(endpoint_levels))
                    cmd, out = wrk(args, url, c, warmup, f"warm-up {name} {endpoint} c={c}", timeout)
                    raw.append((f"{name} {endpoint} warm-up c={c}", cmd, out))
                for c in endpoint_levels:
                    load_before = loadavg()
                    server_cpu, wrk_cpu = cpu_seconds(server.process.pid), children_cpu_seconds()
                    cmd, out = wrk(args, url, c, duration, f"wrk {name} {endpoint} c={c}", timeout)
                    parsed = parse_wrk(out)
                    after = cpu_seconds(server.process.pid)
                    parsed["server_cpu"] = after - server_cpu if after is not None and server_cpu is not None else None
                    parsed["wrk_cpu"] = children_cpu_seconds() - wrk_cpu
                    raw.append((f"{name} {endpoint} c={c} (load average before: {load_before}; after: {loadavg()}; "
                                f"CPU seconds: server {parsed['server_cpu'] if parsed['server_cpu'] is not None else float('nan'):.2f}, "
                                f"wrk {parsed['wrk_cpu']:.2f})", cmd, out))
                    results.append({"server": name, "endpoint": endpoint, "clients": c, "bytes": response_bytes, **parsed})
                    print(f"{name:9} {endpoint:27} c={c:<3} {parsed['rps']:9.1f} req/s  p50 {parsed['p50']:.2f} ms  "
                          f"p99 {parsed['p99']:.2f} ms  requests {parsed['requests']}  non-2xx {parsed['non2xx']}  "
                          f"socket errors {parsed['socket_errors']}", file=sys.stderr, flush=True)
                status, _ = http_get(url, ACCEPT_JSON, timeout=300)
                if status != 200:
                    raise Failure(f"{name} {endpoint}: HTTP {status} after timing")

    # ---- the entity view, whole requests one at a time
    entity_url = f"{fg}/entity?{urllib.parse.urlencode({'iri': resolve_iri(args.entity, args.base)})}"
    entity_runs = []  # (seconds, status, bytes, has the summary)
    if "factgraph" in servers and args.entity_runs > 0:
        with factgraph_server():
            for _ in range(args.entity_runs):
                started = time.monotonic()
                try:
                    status, body = http_get(entity_url, "text/html", timeout=args.entity_timeout)
                except (TimeoutError, socket.timeout, urllib.error.URLError) as e:
                    status, body = f"no answer ({e})", b""
                seconds = time.monotonic() - started
                entity_runs.append((seconds, status, len(body), b'id="summary"' in body))
                print(f"  entity view: HTTP {status} in {seconds:.3f} s, {len(body)} bytes", file=sys.stderr, flush=True)
    entity_ok = sorted(r[0] for r in entity_runs if r[1] == 200 and r[3])
    entity_line = ("entity view: not timed" if not entity_runs else
                   f"entity view GET /entity?iri=<{resolve_iri(args.entity, args.base)}>: "
                   + (f"median {entity_ok[len(entity_ok) // 2]:.3f} s of {len(entity_ok)} answers with the summary; " if entity_ok else "no answer with the summary; ")
                   + "each: " + ", ".join(f"HTTP {st} {sec:.3f} s {size} bytes" for sec, st, size, _ in entity_runs))
    print(entity_line)

    # ---- report
    table = [("server", "endpoint", "clients", "requests/s", "p50 ms", "p99 ms", "server CPU ms/req", "errors")]
    for r in results:
        errors = r["non2xx"] + r["socket_errors"]
        detail = []
        if r["non2xx"]:
            detail.append(f"{r['non2xx']} non-2xx")
        if r["socket_errors"]:
            detail.append(r["socket_detail"])
        if not r["requests"]:
            detail.append("no request completed in the time")
        done = bool(r["requests"])
        cpu = f"{1000 * r['server_cpu'] / r['requests']:.2f}" if done and r.get("server_cpu") is not None else "-"
        table.append((r["server"], r["endpoint"], str(r["clients"]), f"{r['rps']:,.1f}",
                      f"{r['p50']:.2f}" if done else "-", f"{r['p99']:.2f}" if done else "-", cpu,
                      str(errors) + (f" ({'; '.join(detail)})" if detail else "")))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    right = {2, 3, 4, 5, 6}
    lines = []
    for k, row in enumerate(table):
        lines.append("  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    table_text = "\n".join(lines)
    print(table_text)

    fg_version = first_line([args.factgraph, "--version"])
    ox_version = first_line([args.oxigraph, "--version"])
    wrk_version = first_line([args.wrk, "-v"])
    git = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "src"], capture_output=True, text=True).stdout.strip()
    built_at = datetime.datetime.fromtimestamp(os.path.getmtime(args.factgraph), datetime.timezone.utc).replace(microsecond=0).isoformat()
    invocation = shlex.join([sys.executable, os.path.relpath(os.path.abspath(__file__), ROOT)] + sys.argv[1:])
    report = [
        "factgraph endpoint latency (bench/serve_bench.py)",
        "",
        f"date: {started_at}",
        f"command: {invocation}",
        f"machine: {os.cpu_count()} cores (nproc {first_line(['nproc'])}), {cpu_model()}, {mem_total()}, {platform.platform()}",
        f"load average at start: {load_start}; at end: {loadavg()}",
        f"factgraph: {args.factgraph} ({fg_version}; binary modified {built_at}; repository at {git}"
        f"{', src/ has uncommitted changes' if dirty else ''})",
        f"oxigraph: {args.oxigraph} ({ox_version})",
        f"wrk: {wrk_version}",
        f"store: {built}; {articles_in_store if articles_in_store is not None else '?'} articles, {quads:,} quads in all graphs "
        f"(articles, ontology, links; counted with {quads_query!r}; factgraph stats: "
        f"{stats_quads if stats_quads is not None else '?'} quads, {store_size} on disk)",
        f"query: {QUERY_NAME} with {PARAM}={args.article} (<{iri}>): {rows} rows, JSON answer {results[0]['bytes'] if results else '?'} bytes",
        f"check before timing: {check}",
        "servers came up (first answer to ASK) in: " + ", ".join(f"{k} {v:.2f} s" for k, v in startup.items()),
        "single CSV requests during the check (cold, one each): " + ", ".join(f"{k} {v:.3f} s" for k, v in fetch_seconds.items()),
        f"levels: {', '.join(str(c) for c in levels)} connections (wrk -t1 at 1, -t{args.threads} above), {duration} s each after a "
        f"{warmup} s warm-up at min(8, highest level) connections per endpoint; the VALUES form at "
        f"{', '.join(str(c) for c in values_levels) or 'no level'}; Accept: {ACCEPT_JSON}; wrk --timeout {args.wrk_timeout:g}s "
        f"({VALUES_TIMEOUT} s for the VALUES form)",
        "cores: " + (f"server pinned to CPU {args.pin_server}, wrk to CPU {args.pin_wrk} (taskset)" if args.pin else
                     f"not pinned: wrk and the server share the {os.cpu_count()} cores (and the machine is shared with other work); wrk's own "
                     "CPU time is in the raw output, and from 8 connections on the levels are bounded by the CPU the server gets, not by the server alone"),
        "errors: wrk's 'Non-2xx or 3xx responses' plus its socket errors (connect, read, write, timeout); 0 means every response was 2xx",
        "p50/p99: wrk --latency's 50% and 99% lines (from request written to response read, per connection); '-': no request completed",
        "server CPU ms/req: the server process's user + system CPU time during the level (/proc/PID/stat, all threads) divided by the "
        "requests wrk completed; unlike latency it hardly depends on what else the machine runs (wrk's own CPU time is in the raw output)",
    ]
    report += [f"note: {n}" for n in notes]
    report += ["", entity_line]
    report += ["", table_text, "", "URLs (wrk sent GET requests to these):", ""]
    report += [f"  $URL_{name} = {url}" for name, url in urls.items()]
    report += ["", "Commands, in the order they ran:", ""]
    report += [f"  {what}: {cmd}" for what, cmd in COMMANDS]
    report += ["", "SPARQL text sent to factgraph /sparql and oxigraph /query, the value written in (URL-encoded as ?query=):", ""]
    report += ["    " + line for line in text.rstrip("\n").splitlines()]
    report += ["", "The VALUES form (the same, with `VALUES ?article { <IRI> }` before `GRAPH ?article {` instead):", ""]
    report += ["    " + line for line in values_text.rstrip("\n").splitlines()]
    report += ["", "Raw wrk output:", ""]
    for label, cmd, out in raw:
        report.append(f"--- {label}: {shown(cmd)}")
        report += ["    " + line for line in out.rstrip("\n").splitlines()]
    out_path = os.path.abspath(args.out)
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(report) + "\n")
    os.replace(tmp, out_path)
    print(f"wrote {out_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as e:
        print(f"serve_bench: {e}", file=sys.stderr)
        sys.exit(1)
