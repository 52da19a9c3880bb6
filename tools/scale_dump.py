#!/usr/bin/env python3
"""Writes a large Wikidata-layout dump for index measurements: the items of a small dump (by default
tests/fixtures/link-real/dump.json, trimmed real items) copied again and again, each copy renumbered
(every item id it holds or points to shifted by the copy's offset), so relations stay inside a copy.

    python3 tools/scale_dump.py 100000 > /tmp/items-100k.json
"""
import re
import sys

count = int(sys.argv[1])
source = sys.argv[2] if len(sys.argv) > 2 else "tests/fixtures/link-real/dump.json"
lines = [l.rstrip(",\n") for l in open(source, encoding="utf-8") if l.startswith("{")]
items = [l for l in lines if '"type":"item"' in l]
offset = 10 ** (len(str(max(int(m) for l in items for m in re.findall(r'"Q(\d+)"', l)))) + 1)
ids = re.compile(r'"Q(\d+)"')
numbers = re.compile(r'"numeric-id":(\d+)')
out = sys.stdout
out.write("[\n")
written = 0
copy = 0
while written < count:
    shift = copy * offset
    for line in items:
        if written == count:
            break
        line = ids.sub(lambda m: f'"Q{int(m.group(1)) + shift}"', line)
        line = numbers.sub(lambda m: f'"numeric-id":{int(m.group(1)) + shift}', line)
        out.write(line + (",\n" if written + 1 < count else "\n"))
        written += 1
    copy += 1
out.write("]\n")
