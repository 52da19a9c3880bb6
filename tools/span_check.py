#!/usr/bin/env python3
"""Compute and verify evidence spans of a factgraph facts file (format "1" or "1.1").

Offsets are Unicode code points (Python str indices), start inclusive, end exclusive.

  span_check.py find TEXT_FILE SNIPPET [CONTEXT]
      Print {"start", "end", "text"} for SNIPPET. Without CONTEXT the snippet must occur exactly once;
      with CONTEXT, the context must occur exactly once and the snippet exactly once inside it.

  span_check.py check FACTS_JSON
      Check that the file parses; ids are unique across the document (nested claim content included);
      every reference names an entity (`about`, and a relation between events, name events); every evidence span matches
      the text; every quote text occurs in the text; every date (document, roles, relations, events,
      quotes, claims, nested content included) has only `value` and `text`, its value is a real YYYY,
      YYYY-MM or YYYY-MM-DD date and its `text`, if given, occurs in the article; every object's keys
      are known and in the field order of the Rust structs (src/facts/format.rs); an asserted role's name is
      worded as in its evidence (its words occur in order in one of its spans); nested claim content
      has no evidence and holds exactly one of relation/role/event.
"""
import datetime
import json
import os
import re
import sys


def find(text, snippet, context=None):
    """Return the evidence object for a snippet, insisting on an unambiguous match."""
    base = 0
    if context is not None:
        assert text.count(context) == 1, f"context occurs {text.count(context)} times: {context!r}"
        base = text.index(context)
        hay = context
    else:
        hay = text
    assert hay.count(snippet) == 1, f"snippet occurs {hay.count(snippet)} times: {snippet!r}"
    start = base + hay.index(snippet)
    return {"start": start, "end": start + len(snippet), "text": snippet}


DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

# Field order of the structs in src/facts/format.rs (serde writes and the schema lists them in this order).
FIELDS = {
    "document_root": ["format", "document", "entities", "roles", "relations", "events", "quotes", "claims"],
    "document": ["id", "title", "url", "publisher", "published", "language", "text", "text_file", "notes"],
    "date": ["value", "text"],
    "evidence": ["start", "end", "text"],
    "entity": ["id", "type", "name", "aliases", "description", "wikidata", "key", "evidence", "confidence"],
    "role": ["id", "holder", "role", "organisation", "start", "end", "as_of", "evidence", "confidence"],
    "relation": ["id", "subject", "predicate", "object", "start", "end", "as_of", "evidence", "confidence"],
    "participant": ["entity", "role"],
    "event": ["id", "type", "description", "date", "start", "end", "places", "participants", "wikidata",
              "evidence", "confidence"],
    "quote": ["id", "speaker", "text", "about", "date", "evidence", "confidence"],
    "claim": ["id", "claimant", "kind", "summary", "about", "date", "content", "evidence", "confidence"],
    "content": ["relation", "role", "event"],
}
WORD_RE = re.compile(r"\w+")


# Relation kinds between two events (format 1.1); part_of joins two entities or two events.
EVENT_PREDICATES = {"caused", "in_response_to", "prevented", "follows"}


def check(path):
    errors = []
    doc = json.load(open(path, encoding="utf-8"))
    d = doc["document"]
    text = d.get("text")
    if text is None:  # text_file is relative to the facts file
        text = open(os.path.join(os.path.dirname(path), d["text_file"]), encoding="utf-8").read()
    if doc.get("format") not in ("1", "1.1"):
        errors.append("format must be \"1\" or \"1.1\"")

    ids, entity_ids, event_ids = [], set(), set()
    for e in doc.get("entities", []):
        entity_ids.add(e["id"])
    for ev in doc.get("events", []):
        event_ids.add(ev["id"])

    def keys(where, obj, kind):
        order = FIELDS[kind]
        ks = list(obj)
        unknown = [k for k in ks if k not in order]
        if unknown:
            errors.append(f"{where}: unknown {kind} field(s) {unknown}")
        known = [k for k in ks if k in order]
        if known != sorted(known, key=order.index):
            errors.append(f"{where}: {kind} fields out of order {known}, expected order {order}")

    def date(where, dt):
        if dt is None:
            return
        keys(where, dt, "date")
        if "value" not in dt:
            errors.append(f"{where}: date without value")
            return
        if "text" in dt and dt["text"] not in text:
            errors.append(f"{where}: date wording {dt['text']!r} not in article")
        v = dt["value"]
        if not DATE_RE.match(v):
            errors.append(f"{where}: bad date {v!r}")
            return
        parts = [int(p) for p in v.split("-")] + [1, 1]
        try:
            datetime.date(parts[0], parts[1], parts[2])
        except ValueError:
            errors.append(f"{where}: impossible date {v!r}")

    def spans(where, evs, required=True, nested=False):
        if nested:
            if evs:
                errors.append(f"{where}: nested item must not carry evidence")
            return
        if required and not evs:
            errors.append(f"{where}: no evidence")
        for s in evs or []:
            keys(where, s, "evidence")
            if text[s["start"]:s["end"]] != s["text"]:
                errors.append(f"{where}: span {s['start']}-{s['end']} is "
                              f"{text[s['start']:s['end']]!r}, not {s['text']!r}")

    def ent(where, ref, events_ok=False):
        if ref not in entity_ids and not (events_ok and ref in event_ids):
            errors.append(f"{where}: unknown reference {ref!r}")

    def role(r, nested=False):
        ids.append(r["id"])
        keys(r["id"], r, "role")
        words = WORD_RE.findall(r["role"].lower())
        def worded(span):
            it = iter(WORD_RE.findall(span.lower()))
            return all(w in it for w in words)
        if r.get("evidence") and not any(worded(s["text"]) for s in r["evidence"]):
            errors.append(f"{r['id']}: role {r['role']!r} is not worded as in its evidence")
        ent(r["id"], r["holder"])
        if "organisation" in r:
            ent(r["id"], r["organisation"])
        for k in ("start", "end", "as_of"):
            date(r["id"], r.get(k))
        spans(r["id"], r.get("evidence"), nested=nested)

    def relation(r, nested=False):
        ids.append(r["id"])
        keys(r["id"], r, "relation")
        between_events = r["predicate"] in EVENT_PREDICATES or (r["predicate"] == "part_of" and r["subject"] in event_ids)
        for ref in (r["subject"], r["object"]):
            if between_events and ref not in event_ids:
                errors.append(f"{r['id']}: {ref!r} is not an event")
            elif not between_events:
                ent(r["id"], ref)
        for k in ("start", "end", "as_of"):
            date(r["id"], r.get(k))
        spans(r["id"], r.get("evidence"), nested=nested)

    def event(e, nested=False):
        ids.append(e["id"])
        keys(e["id"], e, "event")
        if not re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", e["type"]):
            errors.append(f"{e['id']}: bad event type {e['type']!r}")
        for k in ("date", "start", "end"):
            date(e["id"], e.get(k))
        for p in e.get("places", []):
            ent(e["id"], p)
        for p in e.get("participants", []):
            keys(e["id"], p, "participant")
            ent(e["id"], p["entity"])
        spans(e["id"], e.get("evidence"), nested=nested)

    keys("document", doc, "document_root")
    keys("document", d, "document")
    date("document.published", d.get("published"))
    for e in doc.get("entities", []):
        ids.append(e["id"])
        keys(e["id"], e, "entity")
        spans(e["id"], e.get("evidence"))
    for r in doc.get("roles", []):
        role(r)
    for r in doc.get("relations", []):
        relation(r)
    for e in doc.get("events", []):
        event(e)
    for q in doc.get("quotes", []):
        ids.append(q["id"])
        keys(q["id"], q, "quote")
        ent(q["id"], q["speaker"])
        for a in q.get("about", []):
            ent(q["id"], a, events_ok=True)
        date(q["id"], q.get("date"))
        if q["text"] not in text:
            errors.append(f"{q['id']}: quote text not in article")
        spans(q["id"], q.get("evidence"))
    for c in doc.get("claims", []):
        ids.append(c["id"])
        keys(c["id"], c, "claim")
        if "claimant" in c:
            ent(c["id"], c["claimant"])
        for a in c.get("about", []):
            ent(c["id"], a, events_ok=True)
        date(c["id"], c.get("date"))
        spans(c["id"], c.get("evidence"))
        content = c.get("content")
        if content:
            keys(c["id"], content, "content")
            if len(content) != 1:
                errors.append(f"{c['id']}: content must hold exactly one item")
            if "role" in content:
                role(content["role"], nested=True)
            if "relation" in content:
                relation(content["relation"], nested=True)
            if "event" in content:
                event(content["event"], nested=True)

    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        errors.append(f"duplicate ids: {dup}")
    for msg in errors:
        print("ERROR", msg)
    counts = {k: len(doc.get(k, [])) for k in
              ("entities", "roles", "relations", "events", "quotes", "claims")}
    print(("FAIL" if errors else "OK"), counts, f"{len(ids)} ids")
    return not errors


if __name__ == "__main__":
    if sys.argv[1] == "find":
        t = open(sys.argv[2], encoding="utf-8").read()
        print(json.dumps(find(t, *sys.argv[3:5]), ensure_ascii=False))
    elif sys.argv[1] == "check":
        sys.exit(0 if check(sys.argv[2]) else 1)
    else:
        sys.exit(__doc__)
