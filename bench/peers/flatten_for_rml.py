"""Pre-flattens facts (JSON Lines) into the flat JSON tables that bench/rml/factgraph.rml.ttl maps.

Usage: python flatten_for_rml.py FACTS.jsonl OUT_DIR

Why a flattening step at all: Morph-KGC reads JSON, not JSON Lines, and RML's JSONPath iterators
cannot do what factgraph's mapping needs. From `$[*].relations[*]` a mapping cannot see the parent
article's id, nor which entity a local id refers to (an RML join resolves one end of a relation, not
both), and RML has no function for factgraph's identity rules (NFC, per-character lowercase,
separator folding, its own percent-encoding). So this step, in plain Python (standard library), does
the part of the mapping that RML cannot:

- computes every node's IRI (src/facts/identity.rs, through bench/peers/fgmap.py) and resolves local ids
  to those IRIs;
- says which named graph (the article) each row belongs to, and the language tag of its texts;
- splits each date by precision into `year`, `month` or `day` (or `vague`, an EDTF date written as a
  plain string), since RML picks a datatype per object map, not per value, and computes its time
  span's node and bounds (`earliest`, `latest`), which RML has no function for;
- spells the relation kind and the participant role as the ontology's local name (memberOf,
  initiator), used in predicate templates, and so the property of each evidence span (evidence,
  mediumEvidence, venueEvidence) and of a statement's quantities, medium and venue;
- writes a quantity's numbers as factgraph writes xsd:decimal (no exponent, no trailing ".0");
- names the fields so that none is `subject`, `predicate` or `object`: those names collide with
  Morph-KGC 2.10's internal columns and silently produce broken IRIs.

Everything else (which classes and properties, literal kinds, datatypes, language tags, graphs,
evidence nodes, the direct triple of asserted relations, claim content) is in the RML mapping.
Optional values are left out of a row (Morph-KGC drops a row for a term map whose reference is
missing). Each table is its own file, because Morph-KGC re-reads a source file once per mapping rule.
"""

import json
import os
import sys

import fgmap

TABLES = [
    "articles",
    "entities",
    "aliases",
    "evidence",
    "dates",
    "statements",
    "roles",
    "relations",
    "events",
    "event_links",
    "quotes",
    "claims",
    "about",
    "contents",
    "quantities",
]


class Flattener:
    def __init__(self, base=fgmap.BASE):
        self.base = base
        self.rows = {name: [] for name in TABLES}

    def node(self, path):
        return self.base + path

    def document(self, facts, folder):
        rows = self.rows
        document = facts["document"]
        doc_id = document["id"]
        g = self.node(fgmap.article_path(doc_id))
        language = document.get("language")
        lang = language.translate(fgmap._ASCII_LOWER) if language is not None else None
        self.g, self.lang = g, lang

        nodes = {}
        for entity in facts.get("entities", ()):
            nodes[entity["id"]] = self.node(fgmap.entity_path(doc_id, entity))
        events = list(facts.get("events", ()))
        for claim in facts.get("claims", ()):
            content = claim.get("content") or {}
            if content.get("event") is not None:
                events.append(content["event"])
        for event in events:
            nodes[event["id"]] = self.node(fgmap.statement_path(doc_id, "event", event["id"]))
        self.nodes = nodes

        article = self.row(g=g, lang=lang, title=document["title"])
        if document.get("url") is not None:
            article["url"] = document["url"]
        if document.get("publisher") is not None:
            article["publisher"] = nodes[document["publisher"]]
        if language is not None:
            article["language"] = language
        text = fgmap.document_text(document, folder)
        if text is not None:
            article["text"] = text
        rows["articles"].append(article)
        if document.get("published") is not None:
            self.date(g, "published", document["published"])

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

    def row(self, **fields):
        return {k: v for k, v in fields.items() if v is not None}

    def date(self, node, prop, date):
        value = date["value"]
        earliest, latest = fgmap.date_bounds(value)
        row = self.row(g=self.g, lang=self.lang, node=node, prop=prop, text=date.get("text"),
                       span="%s/date/%s" % (node, prop), edtf=value, earliest=earliest, latest=latest)
        kind = {"gYear": "year", "gYearMonth": "month", "date": "day", None: "vague"}[fgmap.date_datatype(value)]
        row[kind] = value
        self.rows["dates"].append(row)

    def period(self, node, item, with_as_of=True):
        for key, prop in (("start", "start"), ("end", "end"), ("as_of", "asOf")):
            if item.get(key) is not None and (with_as_of or key != "as_of"):
                self.date(node, prop, item[key])

    def evidence(self, owner, node, span, confidence=None, prop="evidence"):
        self.rows["evidence"].append(
            self.row(g=self.g, lang=self.lang, owner=owner, node=node, begin=span["start"], end=span["end"],
                     exact=span["text"], confidence=confidence, prop=prop)
        )

    def link(self, node, prop, target):
        """A row of event_links: `node fg:{prop} target`."""
        self.rows["event_links"].append({"g": self.g, "node": node, "prop": prop, "target": target})

    def quantities(self, node, item):
        for i, quantity in enumerate(item.get("quantities", ()), 1):
            q = "%s/quantity/%d" % (node, i)
            self.link(node, "quantity", q)
            row = self.row(g=self.g, lang=self.lang, node=q, approximation=quantity.get("approximation"),
                           unit_text=quantity["unit"],
                           unit=fgmap.WIKIDATA_ENTITY + quantity["unit_wikidata"] if quantity.get("unit_wikidata") is not None else None)
            for key, prop in fgmap.QUANTITY_BOUNDS:
                if quantity.get(key) is not None:
                    row[prop] = fgmap.decimal_text(quantity[key])
            self.rows["quantities"].append(row)
            for j, span in enumerate(quantity.get("evidence", ()), 1):
                self.evidence(q, "%s/evidence/%d" % (q, j), span)

    def venues(self, node, item):
        for field, prop in fgmap.VENUES:
            venue = item.get(field)
            if venue is not None:
                self.link(node, field, self.nodes[venue["ref"]])
                for j, span in enumerate(venue.get("evidence", ()), 1):
                    self.evidence(node, "%s/%s/evidence/%d" % (node, field, j), span, prop=prop)

    def statement(self, node, cls, item, asserted):
        self.rows["statements"].append(
            self.row(g=self.g, node=node, cls=cls, according=self.g if asserted else None,
                     confidence=item.get("confidence"))
        )
        for i, span in enumerate(item.get("evidence", ()), 1):
            self.evidence(node, "%s/evidence/%d" % (node, i), span)

    def entity(self, doc_id, node, entity):
        self.rows["entities"].append(
            self.row(g=self.g, lang=self.lang, node=node, cls=fgmap.ENTITY_CLASS[entity["type"]], name=entity["name"],
                     description=entity.get("description"),
                     wikidata=fgmap.WIKIDATA_ENTITY + entity["wikidata"] if entity.get("wikidata") is not None else None)
        )
        for alias in entity.get("aliases", ()):
            self.rows["aliases"].append(self.row(g=self.g, lang=self.lang, node=node, alias=alias))
        mention = self.node(fgmap.statement_path(doc_id, "mention", entity["id"]))
        for i, span in enumerate(entity.get("evidence", ()), 1):
            self.evidence(node, "%s/%d" % (mention, i), span, entity.get("confidence"))

    def role(self, doc_id, role, asserted):
        node = self.node(fgmap.statement_path(doc_id, "role", role["id"]))
        nodes = self.nodes
        self.rows["roles"].append(
            self.row(g=self.g, lang=self.lang, node=node, holder=nodes[role["holder"]], role=role["role"],
                     organisation=nodes[role["organisation"]] if role.get("organisation") is not None else None)
        )
        self.period(node, role)
        self.statement(node, "Role", role, asserted)
        return node

    def relation(self, doc_id, relation, asserted):
        node = self.node(fgmap.statement_path(doc_id, "relation", relation["id"]))
        source, target = self.nodes[relation["subject"]], self.nodes[relation["object"]]
        self.rows["relations"].append(
            self.row(g=self.g, node=node, source=source, target=target,
                     prop=fgmap.RELATION_PROPERTY[relation["predicate"]],
                     # The direct triple: only for relations the article asserts.
                     direct=source if asserted else None)
        )
        self.period(node, relation)
        self.statement(node, "Relation", relation, asserted)
        self.quantities(node, relation)
        return node

    def event(self, doc_id, event, asserted):
        node = self.node(fgmap.statement_path(doc_id, "event", event["id"]))
        self.rows["events"].append(
            self.row(g=self.g, lang=self.lang, node=node, kind=event["type"], description=event["description"],
                     wikidata=fgmap.WIKIDATA_ENTITY + event["wikidata"] if event.get("wikidata") is not None else None)
        )
        if event.get("date") is not None:
            self.date(node, "date", event["date"])
        self.period(node, event, with_as_of=False)
        for place in event.get("places", ()):
            self.link(node, "place", self.nodes[place])
        for participant in event.get("participants", ()):
            self.link(node, fgmap.PARTICIPANT_PROPERTY[participant["role"]], self.nodes[participant["entity"]])
        self.statement(node, "Event", event, asserted)
        self.quantities(node, event)
        return node

    def quote(self, doc_id, quote):
        node = self.node(fgmap.statement_path(doc_id, "quote", quote["id"]))
        self.rows["quotes"].append(
            self.row(g=self.g, lang=self.lang, node=node, speaker=self.nodes[quote["speaker"]], words=quote["text"])
        )
        for about in quote.get("about", ()):
            self.rows["about"].append({"g": self.g, "node": node, "target": self.nodes[about]})
        if quote.get("date") is not None:
            self.date(node, "date", quote["date"])
        self.statement(node, "Quote", quote, True)
        self.quantities(node, quote)
        self.venues(node, quote)

    def claim(self, doc_id, claim):
        node = self.node(fgmap.statement_path(doc_id, "claim", claim["id"]))
        self.rows["claims"].append(
            self.row(g=self.g, lang=self.lang, node=node, kind=claim["kind"], summary=claim["summary"],
                     claimant=self.nodes[claim["claimant"]] if claim.get("claimant") is not None else None)
        )
        for about in claim.get("about", ()):
            self.rows["about"].append({"g": self.g, "node": node, "target": self.nodes[about]})
        if claim.get("date") is not None:
            self.date(node, "date", claim["date"])
        content = claim.get("content")
        if content is not None:
            parts = []
            if content.get("relation") is not None:
                parts.append(self.relation(doc_id, content["relation"], False))
            if content.get("role") is not None:
                parts.append(self.role(doc_id, content["role"], False))
            if content.get("event") is not None:
                parts.append(self.event(doc_id, content["event"], False))
            for part in parts:
                self.rows["contents"].append({"g": self.g, "node": node, "content": part})
        self.statement(node, "Claim", claim, True)
        self.quantities(node, claim)
        self.venues(node, claim)

    def write(self, folder):
        os.makedirs(folder, exist_ok=True)
        for name, rows in self.rows.items():
            with open(os.path.join(folder, name + ".json"), "w", encoding="utf-8") as f:
                json.dump(rows, f, ensure_ascii=False)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    flattener = Flattener()
    for facts, folder in fgmap.read_documents(sys.argv[1]):
        flattener.document(facts, folder)
    flattener.write(sys.argv[2])


if __name__ == "__main__":
    main()
