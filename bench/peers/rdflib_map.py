"""Peer: factgraph's mapping as a Python script on rdflib 7, JSON Lines to N-Quads (or Turtle).

Usage:
    python rdflib_map.py FACTS.jsonl OUT.nq             # N-Quads, one named graph per article
    python rdflib_map.py --turtle FACTS.jsonl OUT.ttl   # Turtle of the union of the article graphs

The mapping rules are bench/peers/fgmap.py (the same as src/rdf/mapping.rs); terms are rdflib's URIRef
and Literal. N-Quads: every BATCH articles go into an rdflib Dataset, one graph per article, which
rdflib serialises and appends to the output, so memory stays flat as the input grows. Turtle needs
the whole graph at once: all triples go into one rdflib Graph, serialised at the end (rdflib's
Turtle writer is slower than linear in the graph's size).
"""

import sys

from rdflib import Dataset, Graph, Literal, URIRef

import fgmap

BATCH = 100


class Terms:
    iri = staticmethod(URIRef)
    plain = staticmethod(Literal)

    @staticmethod
    def lang(value, tag):
        return Literal(value, lang=tag)

    @staticmethod
    def typed(value, datatype):
        return Literal(value, datatype=datatype)


def nquads(source, target):
    mapper = fgmap.Mapper(Terms)
    dataset = Dataset()

    def start(graph):
        add = dataset.graph(graph).add
        return lambda s, p, o: add((s, p, o))

    with open(target, "wb") as out:
        pending = 0
        for facts, folder in fgmap.read_documents(source):
            mapper.map(facts, folder, start)
            pending += 1
            if pending == BATCH:
                dataset.serialize(out, format="nquads", encoding="utf-8")
                dataset = Dataset()
                pending = 0
        if pending:
            dataset.serialize(out, format="nquads", encoding="utf-8")


def turtle(source, target):
    mapper = fgmap.Mapper(Terms)
    graph = Graph()
    graph.bind("fg", fgmap.FG)
    add = graph.add

    def start(_article):
        return lambda s, p, o: add((s, p, o))

    for facts, folder in fgmap.read_documents(source):
        mapper.map(facts, folder, start)
    graph.serialize(target, format="turtle", encoding="utf-8")


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--turtle":
        turtle(args[1], args[2])
    elif len(args) == 2:
        nquads(args[0], args[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
