"""Find the Danish municipalities a text mentions ("Aarhus Kommune", "Københavns Kommunes")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from retskilde.db.enrich.data import DATA_DIR, DataFileError, load
from retskilde.db.enrich.scan import Scanner

EXPECTED_COUNT = 98


@dataclass(frozen=True)
class Municipality:
    name: str
    official: str
    region: str


@dataclass(frozen=True)
class MunicipalityMention:
    name: str
    start: int
    end: int
    raw: str


@cache
def municipalities() -> tuple[Municipality, ...]:
    """The 98 municipalities from db/data/municipalities.yml."""
    path = DATA_DIR / "municipalities.yml"
    try:
        result = tuple(
            Municipality(m["name"], m["official"], m["region"])
            for m in load("municipalities")["municipalities"]
        )
    except (KeyError, TypeError) as error:
        raise DataFileError(f"{path}: mangler feltet {error}") from error
    if len(result) != EXPECTED_COUNT or len({m.name for m in result}) != EXPECTED_COUNT:
        raise DataFileError(f"{path}: forventede {EXPECTED_COUNT} forskellige kommuner")
    return result


@cache
def _forms() -> dict[str, str]:
    """Every written form before "Kommune" → the municipality's name."""
    forms: dict[str, str] = {}
    for entry in load("municipalities")["municipalities"]:
        name = entry["name"]
        variants = {name, entry["official"].rsplit(" ", 1)[0], *entry.get("forms", [])}
        for variant in list(variants):
            if not variant.endswith(("s", "x", "z")):
                variants.add(variant + "s")
        for variant in variants:
            forms[variant] = name
    return forms


def _alternation(forms) -> str:
    # Hyphen and space are interchangeable ("Høje Taastrup", "Høje-Taastrup").
    return "|".join(
        r"[ -]".join(re.escape(word) for word in re.split(r"[ -]", form))
        for form in sorted(forms, key=len, reverse=True)
    )


_NOT_AFTER = r"(?<![\wÆØÅæøå-])"


# Longest list "A, B og C Kommuner" the pattern reads, in names.
_MAX_LISTED = 14


@cache
def _patterns() -> tuple[Scanner, Scanner, re.Pattern]:
    forms = _forms()
    names = _alternation(forms)
    longest = max(len(form) for form in forms)
    single = rf"({names})[ \t\u00a0]{{1,2}}(?:[Kk]ommunes?|[Rr]egionskommunes?)(?![\wæøå])"
    listed = (
        rf"((?:{names})(?:\s{{0,2}},\s{{0,2}}(?:{names})){{0,12}}"
        rf"\s{{1,3}}og\s{{1,3}}(?:{names}))\s{{1,2}}[Kk]ommuner(?![\wæøå])"
    )
    # Every match has "ommune" right after the name(s): "Kommune", "Regionskommune", and a list
    # has "kommuner".
    # Only the stretch before each "ommune" that a match can start in is searched, with the
    # pattern minus its look-behind, so `re` skips straight to a name's first letter.
    single_reach = longest + len(" Regionsk") + 1
    listed_reach = _MAX_LISTED * (longest + 8) + 3
    return (
        Scanner(
            re.compile(_NOT_AFTER + single),
            candidates=re.compile(single),
            anchor=("ommune", single_reach, 2),
        ),
        Scanner(
            re.compile(_NOT_AFTER + listed),
            candidates=re.compile(listed),
            anchor=("ommuner", listed_reach, 1),
        ),
        re.compile(names),
    )


@cache
def _spaced_forms() -> dict[str, str]:
    return {form.replace("-", " "): name for form, name in _forms().items()}


def _name_of(form: str) -> str | None:
    return _forms().get(form) or _spaced_forms().get(form.replace("-", " "))


def find_municipalities(text: str) -> list[MunicipalityMention]:
    """Every mention of a municipality with "Kommune"/"kommune", genitive or in a list."""
    single, listed, any_name = _patterns()
    found: list[MunicipalityMention] = []
    if "ommune" not in text:  # "Kommune", "kommuner", "Regionskommune": every match has it
        return found
    for match in single.finditer(text):
        if name := _name_of(match.group(1)):
            found.append(MunicipalityMention(name, match.start(), match.end(), match.group()))
    for match in listed.finditer(text):
        for part in any_name.finditer(match.group(1)):
            if name := _name_of(part.group()):
                start = match.start(1) + part.start()
                end = start + len(part.group())
                found.append(MunicipalityMention(name, start, end, match.group()))
    return sorted(found, key=lambda m: m.start)
