#!/usr/bin/env python3
"""Write data/wikidata/seed-dump.json.gz: a tiny Wikidata dump for the seed article.

The file has the exact line layout of Wikidata's `latest-all.json.gz`: a first line `[`, one entity
JSON object per line, every entity line but the last ending with `,`, and a last line `]`. It holds
the items of the seed article whose QIDs are confirmed in shared/brief/WIKIDATA.md, three confirmed
look-alikes (distractors), the classes of MODELING.md's alignment targets, and the properties the
claims use. See data/wikidata/README.md for the honesty rules behind every value.

Usage (from the repository root; standard library only):

    python3 tools/make_seed_dump.py [OUTPUT]

OUTPUT defaults to data/wikidata/seed-dump.json.gz. The output is byte-identical on every run
(fixed gzip header: mtime 0, no file name; sorted entities; deterministic statement ids).
"""
import gzip
import json
import os
import sys
import uuid

# Statement ids in real dumps look like "Q7184$5C4E1BF0-...". Ours are synthetic but stable:
# a name-based UUID of (subject, property, value, rank), so a rerun gives the same bytes.
STATEMENT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/factgraph/seed-dump")

# --------------------------------------------------------------------------------------------
# Properties (all of datatype wikibase-item). P31, P279, P17, P463, P47 are in MODELING.md's
# verified alignment targets; P27, P36 and P1376 were checked against public texts that pair each
# id with its label ("P27 country of citizenship", "P36 capital", "P1376 capital of").
# --------------------------------------------------------------------------------------------
PROPERTIES = [
    ("P17", "country", "sovereign state that this item is in"),
    ("P27", "country of citizenship", "the object is a country that recognizes the subject as its citizen"),
    ("P31", "instance of", "that class of which this subject is a particular example and member"),
    ("P36", "capital", "seat of government of a country, province, state or other administrative territorial entity"),
    ("P47", "shares border with", "countries or administrative subdivisions of equal level that this item borders"),
    ("P279", "subclass of", "this item is a subclass of the other item"),
    ("P463", "member of", "organization, club or musical group to which the subject belongs"),
    ("P159", "headquarters location", "city or town where an organization's headquarters is or has been situated"),
    ("P1376", "capital of", "country, state, department or other administrative entity of which this item is the capital"),
]

# --------------------------------------------------------------------------------------------
# Items: (QID, English label, English description, English aliases, enwiki title or None, role).
# role is "seed" (confirmed entity of the seed article), "look-alike" (confirmed distractor) or
# "class" (MODELING.md alignment class). A None enwiki title means we could not confirm the title.
# --------------------------------------------------------------------------------------------
ITEMS = [
    # Classes named in MODELING.md's alignment targets.
    ("Q5", "human", "common name of Homo sapiens, unique extant species of the genus Homo", [], "Human", "class"),
    ("Q515", "city", "large and permanent human settlement", [], "City", "class"),
    ("Q6256", "country", "distinct territorial body or political entity", [], "Country", "class"),
    ("Q43229", "organization", "social entity established to meet needs or pursue goals", ["organisation"], "Organization", "class"),
    ("Q56061", "administrative territorial entity", "territorial entity for administration purposes, with or without its own local government", [], None, "class"),
    ("Q245065", "intergovernmental organization", "organization composed primarily of sovereign states", [], "Intergovernmental organization", "class"),
    ("Q1127126", "military alliance", "international agreement concerning national security", [], "Military alliance", "class"),
    ("Q3624078", "sovereign state", "state that has the highest authority over a territory", [], "Sovereign state", "class"),
    # Confirmed entities of the seed article.
    ("Q16", "Canada", "sovereign state in North America", [], "Canada", "seed"),
    ("Q30", "United States of America", "sovereign state in North America", ["United States", "USA", "US", "America"], "United States", "seed"),
    ("Q36", "Poland", "country in Central Europe", ["Republic of Poland"], "Poland", "seed"),
    ("Q37", "Lithuania", "sovereign state in northeastern Europe", ["Republic of Lithuania"], "Lithuania", "seed"),
    ("Q46", "Europe", "continent", [], "Europe", "seed"),
    ("Q84", "London", "capital and largest city of the United Kingdom", [], "London", "seed"),
    ("Q148", "People's Republic of China", "socialist state in East Asia", ["China", "PRC"], "China", "seed"),
    ("Q159", "Russia", "sovereign state in Eastern Europe and Northern Asia", ["Russian Federation"], "Russia", "seed"),
    ("Q166", "Black Sea", "sea between Southeastern Europe and Western Asia", [], "Black Sea", "seed"),
    ("Q184", "Belarus", "country in eastern Europe", ["Republic of Belarus"], "Belarus", "seed"),
    ("Q211", "Latvia", "sovereign state in northeastern Europe", ["Republic of Latvia"], "Latvia", "seed"),
    ("Q212", "Ukraine", "sovereign state in eastern Europe", [], "Ukraine", "seed"),
    ("Q213", "Czech Republic", "country in Central Europe", ["Czechia"], "Czech Republic", "seed"),
    # enwiki has both "Brussels" (the Brussels-Capital Region) and "City of Brussels"; we could not
    # confirm which one Q239 carries, so no sitelink is given.
    ("Q239", "Brussels", "capital of Belgium", [], None, "seed"),
    ("Q458", "European Union", "economic and political union of 27 states mostly located in Europe", ["EU"], "European Union", "seed"),
    ("Q545", "Baltic Sea", "sea in Northern Europe", [], "Baltic Sea", "seed"),
    ("Q649", "Moscow", "capital and largest city of Russia", [], "Moscow", "seed"),
    ("Q796", "Iraq", "sovereign state in Western Asia", ["Republic of Iraq"], "Iraq", "seed"),
    ("Q889", "Afghanistan", "sovereign state situated at the confluence of Western, Central, and South Asia", [], "Afghanistan", "seed"),
    # Named as in 2021, the time of the seed article; renamed X in 2023.
    ("Q918", "Twitter", "American microblogging and social networking service", [], "Twitter", "seed"),
    ("Q1899", "Kyiv", "capital and largest city of Ukraine", ["Kiev"], "Kyiv", "seed"),
    ("Q2280", "Minsk", "capital and largest city of Belarus", [], "Minsk", "seed"),
    ("Q2866", "Alexander Lukashenko", "president of Belarus", ["Alyaksandr Lukashenka"], "Alexander Lukashenko", "seed"),
    ("Q6279", "Joe Biden", "46th president of the United States", ["Joseph Robinette Biden Jr."], "Joe Biden", "seed"),
    ("Q7184", "NATO", "intergovernmental military alliance of Western states", ["North Atlantic Treaty Organization", "North Atlantic Alliance"], "NATO", "seed"),
    ("Q7747", "Vladimir Putin", "president of Russia", ["Putin", "Vladimir Vladimirovich Putin"], "Vladimir Putin", "seed"),
    ("Q7835", "Crimea", "peninsula on the northern coast of the Black Sea", ["Crimean Peninsula"], "Crimea", "seed"),
    ("Q8683", "Cold War", "geopolitical rivalry between the Eastern and Western Blocs (1947\u20131991)", [], "Cold War", "seed"),
    ("Q15180", "Soviet Union", "federal socialist country in Eastern Europe and Northern Asia (1922\u20131991)", ["USSR", "Union of Soviet Socialist Republics"], "Soviet Union", "seed"),
    ("Q41644", "Warsaw Pact", "collective defence treaty of the Soviet Union and Eastern Bloc states (1955\u20131991)", ["Warsaw Treaty Organization"], "Warsaw Pact", "seed"),
    ("Q80919", "KGB", "security agency of the Soviet Union (1954\u20131991)", ["Committee for State Security"], "KGB", "seed"),
    ("Q81299", "Organization for Security and Co-operation in Europe", "intergovernmental organization for security in Europe", ["OSCE"], "Organization for Security and Co-operation in Europe", "seed"),
    ("Q130879", "Reuters", "international news agency", [], "Reuters", "seed"),
    ("Q160642", "Salisbury", "cathedral city in Wiltshire, England", [], "Salisbury", "seed"),
    # Confirmed look-alikes: related, but not the same thing as any seed entity.
    ("Q756294", "Autonomous Republic of Crimea", "autonomous republic of Ukraine on the Crimean Peninsula", [], "Autonomous Republic of Crimea", "look-alike"),
    ("Q2012050", "Donetsk Oblast", "oblast of Ukraine", [], "Donetsk Oblast", "look-alike"),
    ("Q15966495", "Republic of Crimea", "Russian-administered republic on the Crimean Peninsula, internationally recognized as part of Ukraine", [], "Republic of Crimea", "look-alike"),
]

# --------------------------------------------------------------------------------------------
# Claims: (subject, property, value, rank, variant). value is a QID, or None for a snak without a
# value. variant is "" (normal form), "numeric-only" (item value with only numeric-id, as older
# dumps wrote it) or "novalue" (snaktype novalue, no datavalue).
# --------------------------------------------------------------------------------------------
COUNTRIES = ["Q16", "Q30", "Q36", "Q37", "Q148", "Q159", "Q184", "Q211", "Q212", "Q213", "Q796", "Q889"]
NUMERIC_ONLY = {"Q16", "Q796"}  # dump-variant exercise (a): their P31 values carry no "id"

# P31 written directly in real Wikidata (common knowledge).
CLAIMS = []
for person in ["Q2866", "Q6279", "Q7747"]:
    CLAIMS.append((person, "P31", "Q5", "normal", ""))
for country in COUNTRIES:
    variant = "numeric-only" if country in NUMERIC_ONLY else ""
    CLAIMS.append((country, "P31", "Q3624078", "normal", variant))
    CLAIMS.append((country, "P31", "Q6256", "normal", variant))
CLAIMS += [
    ("Q15180", "P31", "Q3624078", "normal", ""),
    ("Q7184", "P31", "Q1127126", "normal", ""),
    ("Q7184", "P31", "Q245065", "normal", ""),
    ("Q41644", "P31", "Q1127126", "normal", ""),
    ("Q81299", "P31", "Q245065", "normal", ""),
]
# P31 flattened: in real Wikidata these items reach the class through P31/P279* (their direct P31
# is a narrower class, e.g. "capital city", "oblast of Ukraine", "news agency", which is not in
# this file); see README.
for city in ["Q84", "Q239", "Q649", "Q1899", "Q2280", "Q160642"]:
    CLAIMS.append((city, "P31", "Q515", "normal", ""))
for organisation in ["Q80919", "Q130879"]:
    CLAIMS.append((organisation, "P31", "Q43229", "normal", ""))
for region in ["Q756294", "Q2012050", "Q15966495"]:
    CLAIMS.append((region, "P31", "Q56061", "normal", ""))

# Dump-variant exercises: (b) a novalue snak that is true (Europe lies in no single country);
# (c) a deprecated, wrong P31 (Kyiv is not a country) that readers must ignore.
CLAIMS.append(("Q46", "P17", None, "normal", "novalue"))
CLAIMS.append(("Q1899", "P31", "Q6256", "deprecated", ""))

# Relational claims (common geographic and political knowledge, values all confirmed QIDs).
CLAIMS += [
    ("Q649", "P17", "Q159", "normal", ""),
    ("Q2280", "P17", "Q184", "normal", ""),
    ("Q1899", "P17", "Q212", "normal", ""),
    ("Q2012050", "P17", "Q212", "normal", ""),
    ("Q756294", "P17", "Q212", "normal", ""),
    ("Q80919", "P17", "Q15180", "normal", ""),
    ("Q7747", "P27", "Q159", "normal", ""),
    ("Q6279", "P27", "Q30", "normal", ""),
    ("Q2866", "P27", "Q184", "normal", ""),
    ("Q159", "P36", "Q649", "normal", ""),
    ("Q184", "P36", "Q2280", "normal", ""),
    ("Q212", "P36", "Q1899", "normal", ""),
    ("Q649", "P1376", "Q159", "normal", ""),
    ("Q2280", "P1376", "Q184", "normal", ""),
    ("Q1899", "P1376", "Q212", "normal", ""),
    ("Q7184", "P159", "Q239", "normal", ""),  # NATO's headquarters are in Brussels
]
for member in ["Q16", "Q30", "Q36", "Q37", "Q211", "Q213"]:
    CLAIMS.append((member, "P463", "Q7184", "normal", ""))
for member in ["Q36", "Q37", "Q211", "Q213"]:
    CLAIMS.append((member, "P463", "Q458", "normal", ""))
BORDERS = [
    ("Q159", "Q212"),  # Russia - Ukraine
    ("Q159", "Q184"),  # Russia - Belarus
    ("Q159", "Q148"),  # Russia - China
    ("Q159", "Q211"),  # Russia - Latvia
    ("Q159", "Q37"),   # Russia (Kaliningrad) - Lithuania
    ("Q159", "Q36"),   # Russia (Kaliningrad) - Poland
    ("Q184", "Q36"),   # Belarus - Poland
    ("Q184", "Q37"),   # Belarus - Lithuania
    ("Q184", "Q211"),  # Belarus - Latvia
    ("Q184", "Q212"),  # Belarus - Ukraine
    ("Q36", "Q212"),   # Poland - Ukraine
    ("Q36", "Q213"),   # Poland - Czech Republic
    ("Q37", "Q211"),   # Lithuania - Latvia
    ("Q37", "Q36"),    # Lithuania - Poland
    ("Q16", "Q30"),    # Canada - United States
    ("Q148", "Q889"),  # China - Afghanistan
]
for a, b in BORDERS:
    CLAIMS.append((a, "P47", b, "normal", ""))
    CLAIMS.append((b, "P47", a, "normal", ""))


def numeric(entity_id):
    return int(entity_id[1:])


def statement(subject, prop, value, rank, variant):
    key = "{}|{}|{}|{}|{}".format(subject, prop, value, rank, variant)
    guid = str(uuid.uuid5(STATEMENT_NAMESPACE, key)).upper()
    if variant == "novalue":
        snak = {"snaktype": "novalue", "property": prop, "datatype": "wikibase-item"}
    else:
        item_value = {"entity-type": "item", "numeric-id": numeric(value)}
        if variant != "numeric-only":
            item_value["id"] = value
        snak = {
            "snaktype": "value",
            "property": prop,
            "datavalue": {"value": item_value, "type": "wikibase-entityid"},
            "datatype": "wikibase-item",
        }
    return {"mainsnak": snak, "type": "statement", "id": "{}${}".format(subject, guid), "rank": rank}


def monolingual(value):
    return {"language": "en", "value": value}


def property_entity(pid, label, description):
    return {
        "type": "property",
        "datatype": "wikibase-item",
        "id": pid,
        "labels": {"en": monolingual(label)},
        "descriptions": {"en": monolingual(description)},
        "aliases": {},
        "claims": {},
    }


def item_entity(qid, label, description, aliases, enwiki, claims):
    by_property = {}
    for claim in claims:
        by_property.setdefault(claim[1], []).append(statement(*claim))
    return {
        "type": "item",
        "id": qid,
        "labels": {"en": monolingual(label)},
        "descriptions": {"en": monolingual(description)},
        "aliases": {"en": [monolingual(a) for a in aliases]} if aliases else {},
        "claims": {p: by_property[p] for p in sorted(by_property, key=numeric)},
        "sitelinks": {"enwiki": {"site": "enwiki", "title": enwiki, "badges": []}} if enwiki else {},
    }


def entities():
    known_items = {row[0] for row in ITEMS}
    known_properties = {row[0] for row in PROPERTIES}
    for subject, prop, value, _rank, _variant in CLAIMS:
        assert subject in known_items, subject
        assert prop in known_properties, prop
        assert value is None or value in known_items, value
    out = [property_entity(*row) for row in sorted(PROPERTIES, key=lambda r: numeric(r[0]))]
    for qid, label, description, aliases, enwiki, _role in sorted(ITEMS, key=lambda r: numeric(r[0])):
        own = [c for c in CLAIMS if c[0] == qid]
        out.append(item_entity(qid, label, description, aliases, enwiki, own))
    return out


def dump_bytes():
    lines = [json.dumps(e, separators=(",", ":")) for e in entities()]
    return ("[\n" + ",\n".join(lines) + "\n]\n").encode("utf-8")


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    output = argv[1] if len(argv) > 1 else os.path.join(root, "data", "wikidata", "seed-dump.json.gz")
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(output, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(dump_bytes())
    print("wrote {} ({} properties, {} items)".format(output, len(PROPERTIES), len(ITEMS)))


if __name__ == "__main__":
    main(sys.argv)
