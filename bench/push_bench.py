#!/usr/bin/env python3
"""Push throughput: `factgraph push` of one store to real SPARQL servers on loopback.

For each server it starts a fresh instance with a private data folder, then times:
  first push    every graph sent (Graph Store Protocol PUT, or SPARQL Update);
  second push   nothing changed: the manifest is read, every graph hashed, none sent;
and checks that the server then holds as many triples as the store. Servers: Virtuoso 7 (Debian's
virtuoso-opensource: /sparql-graph-crud-auth with Digest authentication) and the Oxigraph server
(oxigraph-cli: /store, and /update for SPARQL Update). Standard library only.

  bench/push_bench.py --articles 10000 --out bench/results/push.txt
  bench/push_bench.py --smoke          # 200 articles, one run: checks that everything works

The store is made with `factgraph generate` + `factgraph load` unless --store is given.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
WORK = os.path.join(BENCH, "work", "push")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, proc, what, timeout=120):
    started = time.time()
    while time.time() - started < timeout:
        if proc.poll() is not None:
            sys.exit(f"{what} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "?query=" + urllib.parse.quote("ASK {}"), timeout=5) as r:
                if r.status == 200:
                    return time.time() - started
        except Exception:
            pass
        time.sleep(0.2)
    sys.exit(f"{what} did not answer at {url}")


def count_triples(endpoint, base):
    """Triples in the graphs under the knowledge base's base IRI (the manifest left out)."""
    query = (
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(!STRENDS(STR(?g), "push-manifest")) FILTER(STRSTARTS(STR(?g), "{base}") || STRSTARTS(STR(?g), "https://ns.factgraph.example/")) }}'
    )
    data = urllib.parse.urlencode({"query": query}).encode()
    req = urllib.request.Request(endpoint, data=data, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        return int(json.load(r)["results"]["bindings"][0]["n"]["value"])


class Virtuoso:
    name = "virtuoso 7"

    def __init__(self):
        self.http = free_port()

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="virtuoso-", dir=WORK)
        sql = free_port()
        section = ""
        lines = []
        for line in open("/etc/virtuoso-opensource-7/virtuoso.ini"):
            stripped = line.strip()
            if stripped.startswith("["):
                section = stripped
            line = line.replace("/var/lib/virtuoso-opensource-7/db", self.dir)
            if stripped.startswith("ServerPort") and section == "[Parameters]":
                line = f"ServerPort = 127.0.0.1:{sql}\n"
            elif stripped.startswith("ServerPort") and section == "[HTTPServer]":
                line = f"ServerPort = 127.0.0.1:{self.http}\n"
            elif stripped.startswith("NumberOfBuffers"):
                line = "NumberOfBuffers = 340000\n"  # 2.6 GB of buffers: the ini's advice for 4 GB free
            elif stripped.startswith("MaxDirtyBuffers"):
                line = "MaxDirtyBuffers = 250000\n"
            lines.append(line)
        ini = os.path.join(self.dir, "virtuoso.ini")
        open(ini, "w").writelines(lines)
        self.proc = subprocess.Popen(["virtuoso-t", "+configfile", ini, "+foreground"], cwd=self.dir,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.startup = wait_http(self.endpoint(), self.proc, "Virtuoso")
        return self

    def endpoint(self):
        return f"http://127.0.0.1:{self.http}/sparql"

    def methods(self):
        return [("graph store (digest auth)", ["--graph-store", f"http://127.0.0.1:{self.http}/sparql-graph-crud-auth", "--user", "dba"])]

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Oxigraph:
    name = "oxigraph server"

    def __init__(self, binary):
        self.binary = binary
        self.port = free_port()

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="oxigraph-", dir=WORK)
        self.proc = subprocess.Popen([self.binary, "serve", "--location", os.path.join(self.dir, "data"),
                                      "--bind", f"127.0.0.1:{self.port}", "--union-default-graph"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.startup = wait_http(self.endpoint(), self.proc, "the Oxigraph server")
        return self

    def endpoint(self):
        return f"http://127.0.0.1:{self.port}/query"

    def methods(self):
        return [("graph store", ["--graph-store", f"http://127.0.0.1:{self.port}/store"]),
                ("sparql update", ["--endpoint", self.endpoint(), "--update", f"http://127.0.0.1:{self.port}/update"])]

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_push(factgraph, store, args, jobs):
    env = dict(os.environ, FACTGRAPH_PASSWORD="dba", NO_COLOR="1")
    command = [factgraph, "push", "--store", store, "--jobs", str(jobs)] + args
    started = time.time()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.time() - started
    if done.returncode != 0:
        sys.exit(f"push failed ({done.returncode}): {' '.join(command)}\n{done.stderr}")
    return elapsed, done.stderr.strip().splitlines()[-1], " ".join(command)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--store", help="an existing store to push (default: generate and load --articles)")
    parser.add_argument("--jobs", type=int, default=4, help="factgraph push --jobs")
    parser.add_argument("--oxigraph", default=shutil.which("oxigraph") or os.path.expanduser("~/.cargo/bin/oxigraph"))
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    if args.smoke:
        args.articles = 200
    os.makedirs(WORK, exist_ok=True)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    factgraph = os.path.join(WORK, "factgraph")
    shutil.copy2(os.path.join(ROOT, "target", "release", "factgraph"), factgraph)

    store = args.store
    if store is None:
        facts = os.path.join(WORK, f"facts-{args.articles}.jsonl")
        store = os.path.join(WORK, f"store-{args.articles}")
        if not os.path.exists(store):
            subprocess.run([factgraph, "generate", "--articles", str(args.articles), "--seed", "1", "-o", facts], check=True)
            subprocess.run([factgraph, "load", facts, "--store", store], check=True)
    stats = subprocess.run([factgraph, "stats", "--store", store], capture_output=True, text=True, check=True).stdout
    local = subprocess.run([factgraph, "export", "--format", "nquads", "--with-ontology", "--store", store, "-o", "-"],
                           capture_output=True, check=True).stdout.count(b"\n")

    rows = []
    servers = [Virtuoso(), Oxigraph(args.oxigraph)]
    for server in servers:
        for method, push_args in server.methods():
            with server as running:
                first, first_line, command = run_push(factgraph, store, push_args, args.jobs)
                held = count_triples(running.endpoint(), "https://factgraph.example/kb/")
                second, second_line, _ = run_push(factgraph, store, push_args, args.jobs)
                rows.append((server.name, method, first, second, held, first_line, second_line, command))
                print(f"{server.name}, {method}: first push {first:.1f} s, unchanged push {second:.1f} s, server holds {held}", flush=True)
                if held != local:
                    sys.exit(f"{server.name} holds {held} triples after the push, the store {local}")

    lines = [
        "factgraph push throughput",
        "",
        f"date: {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}",
        f"command: bench/push_bench.py {' '.join(sys.argv[1:])}",
        f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, {platform.platform()}",
        f"virtuoso: {subprocess.run(['virtuoso-t', '-?'], capture_output=True, text=True).stderr.splitlines()[1:2]}",
        f"oxigraph: {subprocess.run([args.oxigraph, '--version'], capture_output=True, text=True).stdout.strip()}",
        f"store: {store}, {local} quads in all graphs (articles, ontology, links)",
        "store stats:",
        *["  " + l for l in stats.strip().splitlines()],
        f"push --jobs {args.jobs}; server, pusher and the store share the machine's cores",
        "",
        f"{'server':<16} {'method':<26} {'first push s':>12} {'triples/s':>10} {'unchanged push s':>16} {'server holds':>12}",
    ]
    for name, method, first, second, held, first_line, second_line, command in rows:
        lines.append(f"{name:<16} {method:<26} {first:>12.1f} {local / first:>10.0f} {second:>16.1f} {held:>12}")
    lines.append("")
    for name, method, first, second, held, first_line, second_line, command in rows:
        lines += [f"{name}, {method}:", f"  $ {command}", f"  {first_line}", f"  again: {second_line}"]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
