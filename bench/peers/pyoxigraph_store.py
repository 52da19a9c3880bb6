"""Peer: pyoxigraph 0.5's own store operations, for the load and export comparisons.

Usage:
    python pyoxigraph_store.py bulk_load FILE.nq|FILE.nt STORE   # Store.bulk_load into a new store
    python pyoxigraph_store.py dump STORE OUT turtle|nquads       # Store.dump
    python pyoxigraph_store.py count STORE                        # number of quads

bulk_load reads N-Quads (one named graph per article, as `factgraph map --format nquads` writes) or
N-Triples (into the default graph). The Turtle dump is pyoxigraph's plain one of the default graph
(`store.dump(format=RdfFormat.TURTLE, from_graph=DefaultGraph())`): Turtle has no named graphs, so the
store for it holds the union of the article graphs in its default graph.
"""

import sys

from pyoxigraph import DefaultGraph, RdfFormat, Store


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "bulk_load":
        source, path = args[1], args[2]
        fmt = RdfFormat.N_TRIPLES if source.endswith(".nt") else RdfFormat.N_QUADS
        store = Store(path)
        store.bulk_load(path=source, format=fmt)
        store.flush()
    elif len(args) == 4 and args[0] == "dump":
        store = Store.read_only(args[1])
        if args[3] == "turtle":
            store.dump(args[2], format=RdfFormat.TURTLE, from_graph=DefaultGraph())
        elif args[3] == "nquads":
            store.dump(args[2], format=RdfFormat.N_QUADS)
        else:
            sys.exit(__doc__)
    elif len(args) == 2 and args[0] == "count":
        print(len(Store.read_only(args[1])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
