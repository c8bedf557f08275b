#!/usr/bin/env python3
"""Checks a FHIR R4 Bundle that Alongside exported, with a validator that is not our own code.

Usage: fhir_validate.py [FILE]   (reads standard input without FILE)

1. PyPI's `fhir.resources` parses the Bundle and then every resource in it with its own model
   class (its R4B models: R4B changed nothing in the resources we write). That checks every
   element's name, type, cardinality and format (dates, ids, URIs), and refuses any element
   FHIR does not define.
2. Our own rules, which a structural parser does not check:
   - every reference resolves inside the Bundle (a `urn:uuid:` fullUrl of one of its entries),
     and each entry's fullUrl is `urn:uuid:` + its resource's id, with no id twice;
   - every coding names its system and has a code;
   - every Quantity is UCUM (system http://unitsofmeasure.org, and a code that parses as UCUM
     made of units we know);
   - codes bound "required" in R4 for the statuses we write take one of R4's values.

Prints each problem and exits 1, or prints a one-line summary and exits 0. Exits 2 when the
library is missing (`make setup-test` installs it into .venv).
"""
import json
import re
import sys

try:
    from fhir.resources.R4B import get_fhir_model_class
except ImportError:  # pragma: no cover - the message is the point
    sys.stderr.write(
        "fhir.resources is not installed for this Python. Run `make setup-test` "
        "(it installs scripts/fhir-requirements.txt into .venv).\n"
    )
    sys.exit(2)

UCUM = "http://unitsofmeasure.org"

# R4's required bindings for the codes we write (from the R4 specification's value sets).
REQUIRED = {
    ("Bundle", "type"): {
        "document", "message", "transaction", "transaction-response", "batch",
        "batch-response", "history", "searchset", "collection",
    },
    ("Observation", "status"): {
        "registered", "preliminary", "final", "amended", "corrected", "cancelled",
        "entered-in-error", "unknown",
    },
    ("CarePlan", "status"): {
        "draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown",
    },
    ("CarePlan", "intent"): {"proposal", "plan", "order", "option"},
    ("Goal", "lifecycleStatus"): {
        "proposed", "planned", "accepted", "active", "on-hold", "completed", "cancelled",
        "entered-in-error", "rejected",
    },
    ("Consent", "status"): {
        "draft", "proposed", "active", "rejected", "inactive", "entered-in-error",
    },
    ("DocumentReference", "status"): {"current", "superseded", "entered-in-error"},
}
ACTIVITY_STATUS = {
    "not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled", "stopped",
    "unknown", "entered-in-error",
}
COMPARATORS = {"<", "<=", ">=", ">"}

# UCUM: the grammar of a unit expression, and the atoms we know. Metric atoms take a prefix.
METRIC_ATOMS = {
    "m", "g", "L", "l", "mol", "s", "Cel", "K", "Pa", "bar", "eq", "U", "[iU]", "m[Hg]",
    "m[H2O]", "Hz", "J", "W", "N", "cal", "kat", "osm",
}
OTHER_ATOMS = {
    "min", "h", "d", "wk", "mo", "a", "%", "[lb_av]", "[oz_av]", "[in_i]", "[ft_i]",
    "[degF]", "[ppm]", "[ppb]", "[pH]", "[drp]",
}
PREFIXES = ["da", "Y", "Z", "E", "P", "T", "G", "M", "k", "h", "d", "c", "m", "u", "n", "p", "f", "a"]


class UcumError(ValueError):
    pass


def _atom(text):
    """True when `text` is a UCUM atom, with a prefix if the atom takes one."""
    if text in METRIC_ATOMS or text in OTHER_ATOMS:
        return True
    for prefix in PREFIXES:
        if text.startswith(prefix) and text[len(prefix):] in METRIC_ATOMS:
            return True
    return False


def ucum_ok(code):
    """Whether `code` parses as a UCUM expression of known units (annotations allowed)."""
    pos = 0

    def peek():
        return code[pos] if pos < len(code) else ""

    def annotation():
        nonlocal pos
        end = code.find("}", pos)
        if end < 0 or re.search(r"[{}]", code[pos + 1:end]) or not code[pos + 1:end].isascii():
            raise UcumError("a bad annotation")
        pos = end + 1

    def component():
        nonlocal pos
        if peek() == "(":
            pos += 1
            term()
            if peek() != ")":
                raise UcumError("an unclosed bracket")
            pos += 1
        elif peek() == "{":
            annotation()
            return
        elif peek().isdigit():  # a factor, such as the 1000 of 1000/L
            while peek().isdigit():
                pos += 1
        else:
            start = pos
            while peek() and peek() not in "./(){}" and not peek().isdigit() and peek() not in "+-":
                if peek() == "[":
                    end = code.find("]", pos)
                    if end < 0:
                        raise UcumError("an unclosed [")
                    pos = end + 1
                else:
                    pos += 1
            unit = code[start:pos]
            if not unit or not _atom(unit):
                raise UcumError(f"{unit!r} is not a UCUM unit we know")
            exponent()
        if peek() == "{":
            annotation()

    def exponent():
        nonlocal pos
        if peek() and peek() in "+-":
            pos += 1
            if not peek().isdigit():
                raise UcumError("a sign without an exponent")
        while peek().isdigit():
            pos += 1

    def term():
        nonlocal pos
        component()
        while peek() and peek() in "./":
            pos += 1
            component()

    if not code or not code.isascii() or " " in code:
        return False
    try:
        if peek() == "/":
            pos += 1
        term()
        return pos == len(code)
    except UcumError:
        return False


def walk(value, path, found):
    """Every reference, coding and Quantity anywhere in a resource, with where it is."""
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            found["references"].append((path, value["reference"]))
        for c in value.get("coding", []) if isinstance(value.get("coding"), list) else []:
            found["codings"].append((path + ".coding", c))
        for key, child in value.items():
            if key.endswith("Quantity") and isinstance(child, dict):
                found["quantities"].append((f"{path}.{key}", child))
            walk(child, f"{path}.{key}", found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            walk(item, f"{path}[{i}]", found)


def check(bundle):
    problems = []
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return ["this is not a FHIR Bundle"], 0
    try:
        get_fhir_model_class("Bundle").model_validate(bundle)
    except Exception as e:  # the library's own message says what and where
        problems.append(f"Bundle: {e}")
    entries = bundle.get("entry") or []
    full_urls = set()
    ids = set()
    for i, entry in enumerate(entries):
        resource = entry.get("resource") or {}
        kind = resource.get("resourceType", "?")
        where = f"entry[{i}] {kind}"
        rid = resource.get("id")
        if entry.get("fullUrl") != f"urn:uuid:{rid}":
            problems.append(f"{where}: fullUrl {entry.get('fullUrl')!r} is not urn:uuid:{rid}")
        if rid in ids:
            problems.append(f"{where}: id {rid} is used twice")
        ids.add(rid)
        full_urls.add(entry.get("fullUrl"))
        try:
            get_fhir_model_class(kind).model_validate(resource)
        except KeyError:
            problems.append(f"{where}: {kind} is not an R4 resource")
        except Exception as e:
            problems.append(f"{where}: {e}")
    if (bundle.get("type") not in REQUIRED[("Bundle", "type")]):
        problems.append(f"Bundle.type {bundle.get('type')!r} is not an R4 bundle type")
    for i, entry in enumerate(entries):
        resource = entry.get("resource") or {}
        kind = resource.get("resourceType", "?")
        where = f"entry[{i}] {kind}"
        for (rtype, element), allowed in REQUIRED.items():
            if rtype == kind and element in resource and resource[element] not in allowed:
                problems.append(f"{where}.{element}: {resource[element]!r} is not one of R4's codes")
        if kind == "CarePlan":
            for j, activity in enumerate(resource.get("activity", [])):
                status = (activity.get("detail") or {}).get("status")
                if status is not None and status not in ACTIVITY_STATUS:
                    problems.append(f"{where}.activity[{j}].detail.status: {status!r} is not one of R4's codes")
        found = {"references": [], "codings": [], "quantities": []}
        walk(resource, where, found)
        for path, ref in found["references"]:
            if ref not in full_urls:
                problems.append(f"{path}: the reference {ref} is not in the Bundle")
        for path, coding in found["codings"]:
            if not isinstance(coding, dict) or not coding.get("system") or not coding.get("code"):
                problems.append(f"{path}: a coding without a system or a code: {coding}")
        for path, q in found["quantities"]:
            if q.get("system") != UCUM:
                problems.append(f"{path}: the unit's system is {q.get('system')!r}, not UCUM")
            elif not ucum_ok(q.get("code") or ""):
                problems.append(f"{path}: {q.get('code')!r} is not a UCUM unit")
            if "comparator" in q and q["comparator"] not in COMPARATORS:
                problems.append(f"{path}: comparator {q['comparator']!r} is not one of R4's")
    return problems, len(entries)


def main(argv):
    source = open(argv[1], encoding="utf-8") if len(argv) > 1 else sys.stdin
    try:
        bundle = json.load(source)
    except json.JSONDecodeError as e:
        print(f"not JSON: {e}")
        return 1
    problems, count = check(bundle)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problems in a Bundle of {count} resources")
        return 1
    kinds = {}
    for entry in bundle.get("entry") or []:
        kind = (entry.get("resource") or {}).get("resourceType", "?")
        kinds[kind] = kinds.get(kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    print(f"valid FHIR R4: {count} resources ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
