"""Peer: factgraph's mapping as a Python script on pyoxigraph 0.5, JSON Lines to N-Quads.

Usage: python pyoxigraph_map.py FACTS.jsonl OUT.nq

The mapping rules are bench/peers/fgmap.py (the same as src/rdf/mapping.rs); terms are pyoxigraph's
NamedNode and Literal, and pyoxigraph's own serializer writes the N-Quads, streamed: memory stays
flat as the input grows.
"""

import sys

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize

import fgmap


class Terms:
    iri = staticmethod(NamedNode)
    plain = staticmethod(Literal)

    @staticmethod
    def lang(value, tag):
        return Literal(value, language=tag)

    @staticmethod
    def typed(value, datatype):
        return Literal(value, datatype=datatype)


def quads(path):
    mapper = fgmap.Mapper(Terms)
    for facts, folder in fgmap.read_documents(path):
        batch = []

        def start(graph):
            append = batch.append
            return lambda s, p, o: append(Quad(s, p, o, graph))

        mapper.map(facts, folder, start)
        yield from batch


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    serialize(quads(sys.argv[1]), sys.argv[2], RdfFormat.N_QUADS)


if __name__ == "__main__":
    main()
