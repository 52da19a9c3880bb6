"""factgraph's mapping rules, restated in plain Python for the benchmark peers.

This module is the shared half of the rdflib and pyoxigraph peer scripts (and of the flattening step
in front of Morph-KGC): it decides which node every item becomes and which quads a document gives,
exactly as src/identity.rs, src/text.rs and src/mapping.rs do, and hands each quad to a callback
with terms built by a library-specific factory. It uses the standard library only.

Keep it in step with the Rust mapper: the benchmark checks, at every run, that the peers produce the
same set of quads as `factgraph map` (bench/peers/compare_quads.py).
"""

import calendar
import json
import os
import re
import unicodedata
from decimal import Decimal

BASE = "https://factgraph.example/kb/"
FG = "https://ns.factgraph.example/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"

ENTITY_CLASS = {
    "person": "Person",
    "organisation": "Organisation",
    "country": "Country",
    "city": "City",
    "place": "Place",
    "group": "Group",
    "other": "Entity",
}
# The relation kinds of the facts format and their ontology properties (snake_case to camelCase).
RELATION_PROPERTY = {
    "member_of": "memberOf",
    "part_of": "partOf",
    "located_in": "locatedIn",
    "headquartered_in": "headquarteredIn",
    "ally_of": "allyOf",
    "affiliated_with": "affiliatedWith",
    "shares_border_with": "sharesBorderWith",
    "leads": "leads",
    "government_of": "governmentOf",
    "represents": "represents",
    "caused": "caused",
    "in_response_to": "inResponseTo",
    "prevented": "prevented",
    "follows": "follows",
}
# A quantity's numbers and their properties (format 1.1).
QUANTITY_BOUNDS = (("value", "amount"), ("lower", "lowerBound"), ("upper", "upperBound"))
# The medium and venue of quotes and claims, each with its evidence property (format 1.1).
VENUES = (("medium", "mediumEvidence"), ("venue", "venueEvidence"))
PARTICIPANT_PROPERTY = {"initiator": "initiator", "target": "target", "participant": "participant"}

# Rust's char::is_whitespace: the Unicode White_Space property (not Python's str.isspace, which also
# accepts U+001C..U+001F).
WHITE_SPACE = frozenset(
    [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
    + list(range(0x2000, 0x200B))
)
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
DROPPED = frozenset(".,'\"\u2018\u2019\u201c\u201d")


def identity_name(name):
    """src/text.rs identity_name: NFC, per-character lowercase, separators as '-', some punctuation dropped."""
    out = []
    pending = False
    for ch in unicodedata.normalize("NFC", name):
        # Rust lowercases char by char (no final-sigma context rule, unlike str.lower()).
        for c in ch.lower():
            if ord(c) in WHITE_SPACE or c in "-_":
                pending = bool(out)
            elif c in DROPPED:
                continue
            else:
                if pending:
                    out.append("-")
                    pending = False
                out.append(c)
    return "".join(out)


def _plain_ucschar(code):
    ucschar = (
        0xA0 <= code <= 0xD7FF
        or 0xF900 <= code <= 0xFDCF
        or 0xFDF0 <= code <= 0xFFEF
        or (0x10000 <= code <= 0xEFFFD and (code & 0xFFFF) <= 0xFFFD and not 0xE0000 <= code < 0xE1000)
    )
    bidi = code in (0x200E, 0x200F, 0x061C) or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069
    return (
        ucschar
        and not bidi
        and code not in WHITE_SPACE
        and not 0xFFF0 <= code <= 0xFFFF
        and code not in (0xFEFF, 0x2028, 0x2029)
    )


_SEGMENT_CACHE = {}


def iri_segment(text):
    """src/text.rs iri_segment: unreserved ASCII and plain ucschar kept, the rest percent-encoded (UTF-8)."""
    cached = _SEGMENT_CACHE.get(text)
    if cached is not None:
        return cached
    if all(c in UNRESERVED for c in text):
        out = text
    else:
        parts = []
        for c in text:
            if c in UNRESERVED or (ord(c) >= 0xA0 and _plain_ucschar(ord(c))):
                parts.append(c)
            else:
                parts.append("".join("%%%02X" % b for b in c.encode("utf-8")))
        out = "".join(parts)
    if len(_SEGMENT_CACHE) < 1_000_000:
        _SEGMENT_CACHE[text] = out
    return out


def article_path(doc_id):
    return "article/" + iri_segment(doc_id)


def entity_path(doc_id, entity):
    if entity.get("wikidata") is not None:
        return "entity/" + iri_segment(entity["wikidata"])
    if entity.get("key") is not None:
        return "entity/_" + iri_segment(entity["key"])
    if entity["type"] == "group":
        return article_path(doc_id) + "/group/" + iri_segment(entity["id"])
    name = identity_name(entity["name"])
    if not name:
        return "entity/" + entity["type"] + "/_" + iri_segment(entity["name"])
    return "entity/" + entity["type"] + "/" + iri_segment(name)


def statement_path(doc_id, kind, local_id):
    return article_path(doc_id) + "/" + kind + "/" + iri_segment(local_id)


def decimal_text(value):
    """Rust's `format!("{}", f64)`: the shortest round-trip digits, never an exponent, no '.0'."""
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def date_datatype(value):
    """The datatype of a plain date (YYYY, YYYY-MM, YYYY-MM-DD); None for an EDTF date."""
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value) or (len(value) == 7 and int(value[5:]) > 12):
        return None
    return {4: "gYear", 7: "gYearMonth"}.get(len(value), "date")


# Seasons 21 to 23 (spring, summer, autumn) as (first month, first day, last month, last day).
_SEASONS = {21: (3, 1, 5, 31), 22: (6, 1, 8, 31), 23: (9, 1, 11, 30)}


def _edtf_date_bounds(value):
    """The first and last day of one valid EDTF Level 1 date, not an interval (src/facts/date.rs)."""
    parts = value.rstrip("?~%").split("-")
    if "X" in parts[0]:
        known = parts[0].rstrip("X")
        scale = 10 ** (4 - len(known))
        first = int(known) * scale
        return (max(first, 1), 1, 1), (first + scale - 1, 12, 31)
    year = int(parts[0])
    if len(parts) == 1 or parts[1] == "XX":
        return (year, 1, 1), (year, 12, 31)
    month = int(parts[1])
    if month == 24:
        return (year, 12, 1), (year + 1, 2, calendar.monthrange(year + 1, 2)[1])
    if month in _SEASONS:
        first_month, first_day, last_month, last_day = _SEASONS[month]
        return (year, first_month, first_day), (year, last_month, last_day)
    if len(parts) == 2 or parts[2] == "XX":
        return (year, month, 1), (year, month, calendar.monthrange(year, month)[1])
    day = (year, month, int(parts[2]))
    return day, day


def date_bounds(value):
    """The earliest and latest day (YYYY-MM-DD, or None for an open or unknown end) of a valid date."""
    if "/" in value:
        start, end = value.split("/", 1)
        earliest = _edtf_date_bounds(start)[0] if start not in ("", "..") else None
        latest = _edtf_date_bounds(end)[1] if end not in ("", "..") else None
    else:
        earliest, latest = _edtf_date_bounds(value)
    day = lambda d: None if d is None else "%04d-%02d-%02d" % d  # noqa: E731
    return day(earliest), day(latest)


def read_documents(path):
    """Yields (document, folder) for a JSON Lines file (one document a line) or a JSON file."""
    folder = os.path.dirname(os.path.abspath(path))
    with open(path, encoding="utf-8") as f:
        if path.endswith(".jsonl") or path.endswith(".ndjson"):
            for line in f:
                if line.strip():
                    yield json.loads(line), folder
        else:
            yield json.load(f), folder


def document_text(document, folder):
    if document.get("text") is not None:
        return document["text"]
    if document.get("text_file") is not None:
        with open(os.path.join(folder, document["text_file"]), encoding="utf-8") as f:
            return f.read()
    return None


class Mapper:
    """Maps one facts document at a time. `terms` builds library terms:

    terms.iri(str), terms.plain(str), terms.lang(str, tag), terms.typed(str, datatype_term)
    and `start(graph_term)` returns add(subject, predicate, object) for that article's graph.
    """

    def __init__(self, terms, base=BASE):
        self.t = terms
        self.base = base
        v = lambda local: terms.iri(FG + local)  # noqa: E731
        self.type = terms.iri(RDF_TYPE)
        self.label = terms.iri(RDFS_LABEL)
        self.cls = {k: v(c) for k, c in ENTITY_CLASS.items()}
        self.c = {c: v(c) for c in ["Article", "Role", "Relation", "Event", "Quote", "Claim", "Evidence", "Quantity", "TimeSpan"]}
        names = (
            "url publisher published language text alias description wikidata source accordingTo evidence "
            "confidence beginIndex endIndex exact date start end asOf dateText subject roleName organisation "
            "eventType place participant initiator target speaker about claimant claimKind content "
            "quantity amount lowerBound upperBound approximation unitText unit medium venue mediumEvidence venueEvidence "
            "dateSpan startSpan endSpan asOfSpan publishedSpan edtf earliest latest"
        ).split()
        self.p = {n: v(n) for n in names}
        self.rel = {k: v(p) for k, p in RELATION_PROPERTY.items()}
        self.xsd = {k: terms.iri(XSD + k) for k in ["gYear", "gYearMonth", "date", "integer", "decimal"]}
        self._entity_nodes = {}

    # --- helpers -------------------------------------------------------------------------
    def node(self, path):
        return self.t.iri(self.base + path)

    def map(self, facts, folder, start):
        t, p = self.t, self.p
        document = facts["document"]
        doc_id = document["id"]
        article = self.node(article_path(doc_id))
        add = start(article)
        language = document.get("language")
        tag = language.translate(_ASCII_LOWER) if language is not None else None
        if tag is None:
            text = t.plain
        else:
            text = lambda value: t.lang(value, tag)  # noqa: E731
        self._add, self._text, self._article = add, text, article

        nodes = {}
        for entity in facts.get("entities", ()):
            nodes[entity["id"]] = self.entity_node(doc_id, entity)
        events = list(facts.get("events", ()))
        for claim in facts.get("claims", ()):
            content = claim.get("content") or {}
            if content.get("event") is not None:
                events.append(content["event"])
        for event in events:
            nodes[event["id"]] = self.node(statement_path(doc_id, "event", event["id"]))
        self._nodes = nodes

        add(article, self.type, self.c["Article"])
        add(article, self.label, text(document["title"]))
        if document.get("url") is not None:
            add(article, p["url"], t.iri(document["url"]))
        if document.get("publisher") is not None:
            add(article, p["publisher"], nodes[document["publisher"]])
        if document.get("published") is not None:
            self.date(article, self.base + article_path(doc_id), "published", document["published"])
        if language is not None:
            add(article, p["language"], t.plain(language))
        body = document_text(document, folder)
        if body is not None:
            add(article, p["text"], text(body))

        for entity in facts.get("entities", ()):
            self.entity(doc_id, nodes[entity["id"]], entity)
        for role in facts.get("roles", ()):
            self.role(doc_id, role, True)
        for relation in facts.get("relations", ()):
            self.relation(doc_id, relation, True)
        for event in facts.get("events", ()):
            self.event(doc_id, event, True)
        for quote in facts.get("quotes", ()):
            self.quote(doc_id, quote)
        for claim in facts.get("claims", ()):
            self.claim(doc_id, claim)

    def entity_node(self, doc_id, entity):
        path = entity_path(doc_id, entity)
        node = self._entity_nodes.get(path)
        if node is None:
            node = self.node(path)
            if len(self._entity_nodes) < 1_000_000:
                self._entity_nodes[path] = node
        return node

    def date(self, subject, subject_iri, name, date):
        add, p, t = self._add, self.p, self.t
        value = date["value"]
        datatype = date_datatype(value)
        add(subject, p[name], t.plain(value) if datatype is None else t.typed(value, self.xsd[datatype]))
        if date.get("text") is not None:
            add(subject, p["dateText"], self._text(date["text"]))
        span = t.iri("%s/date/%s" % (subject_iri, name))
        add(subject, p[name + "Span"], span)
        add(span, self.type, self.c["TimeSpan"])
        add(span, p["edtf"], t.plain(value))
        for bound, day in zip(("earliest", "latest"), date_bounds(value)):
            if day is not None:
                add(span, p[bound], t.typed(day, self.xsd["date"]))
        if date.get("text") is not None:
            add(span, p["dateText"], self._text(date["text"]))

    def period(self, subject, subject_iri, item, with_as_of=True):
        for key, name in (("start", "start"), ("end", "end"), ("as_of", "asOf")):
            if item.get(key) is not None and (with_as_of or key != "as_of"):
                self.date(subject, subject_iri, name, item[key])

    def evidence_node(self, node, span):
        add, p, t = self._add, self.p, self.t
        add(node, self.type, self.c["Evidence"])
        add(node, p["source"], self._article)
        add(node, p["beginIndex"], t.typed(str(span["start"]), self.xsd["integer"]))
        add(node, p["endIndex"], t.typed(str(span["end"]), self.xsd["integer"]))
        add(node, p["exact"], self._text(span["text"]))

    def provenance(self, subject, subject_iri, item, asserted):
        add, p, t = self._add, self.p, self.t
        add(subject, p["source"], self._article)
        if asserted:
            add(subject, p["accordingTo"], self._article)
        self.evidence_list(subject, p["evidence"], subject_iri, item.get("evidence", ()))
        if item.get("confidence") is not None:
            add(subject, p["confidence"], t.typed(decimal_text(item["confidence"]), self.xsd["decimal"]))

    def evidence_list(self, subject, predicate, stem, spans):
        for i, span in enumerate(spans, 1):
            node = self.t.iri("%s/evidence/%d" % (stem, i))
            self._add(subject, predicate, node)
            self.evidence_node(node, span)

    def quantities(self, subject, subject_iri, item):
        """src/rdf/mapping.rs quantities: nodes {statement}/quantity/{n}."""
        add, p, t = self._add, self.p, self.t
        for i, quantity in enumerate(item.get("quantities", ()), 1):
            iri = "%s/quantity/%d" % (subject_iri, i)
            q = t.iri(iri)
            add(subject, p["quantity"], q)
            add(q, self.type, self.c["Quantity"])
            for key, prop in QUANTITY_BOUNDS:
                if quantity.get(key) is not None:
                    add(q, p[prop], t.typed(decimal_text(quantity[key]), self.xsd["decimal"]))
            if quantity.get("approximation") is not None:
                add(q, p["approximation"], t.plain(quantity["approximation"]))
            add(q, p["unitText"], self._text(quantity["unit"]))
            if quantity.get("unit_wikidata") is not None:
                add(q, p["unit"], t.iri(WIKIDATA_ENTITY + quantity["unit_wikidata"]))
            self.evidence_list(q, p["evidence"], iri, quantity.get("evidence", ()))

    def venues(self, subject, subject_iri, item):
        """src/rdf/mapping.rs venues: the medium and venue, evidence {statement}/{field}/evidence/{n}."""
        for field, evidence in VENUES:
            venue = item.get(field)
            if venue is not None:
                self._add(subject, self.p[field], self._nodes[venue["ref"]])
                self.evidence_list(subject, self.p[evidence], "%s/%s" % (subject_iri, field), venue.get("evidence", ()))

    # --- items ---------------------------------------------------------------------------
    def entity(self, doc_id, subject, entity):
        add, p, t, text = self._add, self.p, self.t, self._text
        add(subject, self.type, self.cls[entity["type"]])
        add(subject, self.label, text(entity["name"]))
        for alias in entity.get("aliases", ()):
            add(subject, p["alias"], text(alias))
        if entity.get("description") is not None:
            add(subject, p["description"], text(entity["description"]))
        if entity.get("wikidata") is not None:
            add(subject, p["wikidata"], t.iri(WIKIDATA_ENTITY + entity["wikidata"]))
        mention = self.base + statement_path(doc_id, "mention", entity["id"])
        confidence = entity.get("confidence")
        for i, span in enumerate(entity.get("evidence", ()), 1):
            node = t.iri("%s/%d" % (mention, i))
            add(subject, p["evidence"], node)
            self.evidence_node(node, span)
            if confidence is not None:
                add(node, p["confidence"], t.typed(decimal_text(confidence), self.xsd["decimal"]))

    def role(self, doc_id, role, asserted):
        add, p, nodes = self._add, self.p, self._nodes
        iri = self.base + statement_path(doc_id, "role", role["id"])
        s = self.t.iri(iri)
        add(s, self.type, self.c["Role"])
        add(s, p["subject"], nodes[role["holder"]])
        add(s, p["roleName"], self._text(role["role"]))
        if role.get("organisation") is not None:
            add(s, p["organisation"], nodes[role["organisation"]])
        self.period(s, iri, role)
        self.provenance(s, iri, role, asserted)
        return s

    def relation(self, doc_id, relation, asserted):
        add, p, nodes = self._add, self.p, self._nodes
        iri = self.base + statement_path(doc_id, "relation", relation["id"])
        s = self.t.iri(iri)
        prop = self.rel[relation["predicate"]]
        source, target = nodes[relation["subject"]], nodes[relation["object"]]
        add(s, self.type, self.c["Relation"])
        add(s, p["subject"], source)
        add(s, prop, target)
        self.period(s, iri, relation)
        self.provenance(s, iri, relation, asserted)
        self.quantities(s, iri, relation)
        if asserted:
            add(source, prop, target)
        return s

    def event(self, doc_id, event, asserted):
        add, p, t, nodes = self._add, self.p, self.t, self._nodes
        iri = self.base + statement_path(doc_id, "event", event["id"])
        s = t.iri(iri)
        add(s, self.type, self.c["Event"])
        add(s, p["eventType"], t.plain(event["type"]))
        add(s, p["description"], self._text(event["description"]))
        if event.get("date") is not None:
            self.date(s, iri, "date", event["date"])
        self.period(s, iri, event, with_as_of=False)
        for place in event.get("places", ()):
            add(s, p["place"], nodes[place])
        for participant in event.get("participants", ()):
            add(s, p[PARTICIPANT_PROPERTY[participant["role"]]], nodes[participant["entity"]])
        if event.get("wikidata") is not None:
            add(s, p["wikidata"], t.iri(WIKIDATA_ENTITY + event["wikidata"]))
        self.provenance(s, iri, event, asserted)
        self.quantities(s, iri, event)
        return s

    def quote(self, doc_id, quote):
        add, p, nodes = self._add, self.p, self._nodes
        iri = self.base + statement_path(doc_id, "quote", quote["id"])
        s = self.t.iri(iri)
        add(s, self.type, self.c["Quote"])
        add(s, p["speaker"], nodes[quote["speaker"]])
        add(s, p["text"], self._text(quote["text"]))
        for about in quote.get("about", ()):
            add(s, p["about"], nodes[about])
        if quote.get("date") is not None:
            self.date(s, iri, "date", quote["date"])
        self.provenance(s, iri, quote, True)
        self.quantities(s, iri, quote)
        self.venues(s, iri, quote)

    def claim(self, doc_id, claim):
        add, p, t, nodes = self._add, self.p, self.t, self._nodes
        iri = self.base + statement_path(doc_id, "claim", claim["id"])
        s = t.iri(iri)
        add(s, self.type, self.c["Claim"])
        if claim.get("claimant") is not None:
            add(s, p["claimant"], nodes[claim["claimant"]])
        add(s, p["claimKind"], t.plain(claim["kind"]))
        add(s, p["description"], self._text(claim["summary"]))
        for about in claim.get("about", ()):
            add(s, p["about"], nodes[about])
        if claim.get("date") is not None:
            self.date(s, iri, "date", claim["date"])
        content = claim.get("content")
        if content is not None:
            contents = []
            if content.get("relation") is not None:
                contents.append(self.relation(doc_id, content["relation"], False))
            if content.get("role") is not None:
                contents.append(self.role(doc_id, content["role"], False))
            if content.get("event") is not None:
                contents.append(self.event(doc_id, content["event"], False))
            for node in contents:
                add(s, p["content"], node)
        self.provenance(s, iri, claim, True)
        self.quantities(s, iri, claim)
        self.venues(s, iri, claim)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
