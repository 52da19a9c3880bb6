"""Compares two N-Quads files as sets of quads, after normalising literals.

Usage: python compare_quads.py OURS.nq THEIRS.nq [--json]

Both files are parsed with pyoxigraph (so escapes and spellings of the same term agree). Typed
literals are compared by value where the lexical form may differ without the value differing:
xsd:decimal ("1.0" and "1"), xsd:integer ("036" and "36") and xsd:double. Duplicates inside a file
collapse (a set). Prints the counts (lines, distinct quads, in both, only in one) and up to five
examples of each difference; exits 1 when the sets differ.
"""

import json
import sys
from decimal import Decimal, InvalidOperation

from pyoxigraph import Literal, Quad, RdfFormat, parse

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + "decimal", XSD + "integer", XSD + "double", XSD + "float"}


def canonical(quad):
    o = quad.object
    if isinstance(o, Literal) and o.datatype.value in NUMERIC:
        try:
            value = Decimal(o.value)
            text = format(value.normalize(), "f")
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            o = Literal(text, datatype=o.datatype)
        except InvalidOperation:
            pass
        return str(Quad(quad.subject, quad.predicate, o, quad.graph_name))
    return str(quad)


def read(path):
    lines = 0
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                lines += 1
    quads = set()
    for quad in parse(path=path, format=RdfFormat.N_QUADS):
        quads.add(canonical(quad))
    return lines, quads


def compare(ours_path, theirs_path):
    ours_lines, ours = read(ours_path)
    theirs_lines, theirs = read(theirs_path)
    only_ours = ours - theirs
    only_theirs = theirs - ours
    return {
        "ours_lines": ours_lines,
        "ours_distinct": len(ours),
        "theirs_lines": theirs_lines,
        "theirs_distinct": len(theirs),
        "common": len(ours & theirs),
        "only_ours": len(only_ours),
        "only_theirs": len(only_theirs),
        "only_ours_examples": sorted(only_ours)[:5],
        "only_theirs_examples": sorted(only_theirs)[:5],
        "equal": not only_ours and not only_theirs,
    }


def main():
    args = [a for a in sys.argv[1:] if a != "--json"]
    if len(args) != 2:
        sys.exit(__doc__)
    result = compare(*args)
    if "--json" in sys.argv:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            if isinstance(value, list):
                for example in value:
                    print(f"{key}: {example}")
            else:
                print(f"{key}: {value}")
    sys.exit(0 if result["equal"] else 1)


if __name__ == "__main__":
    main()
