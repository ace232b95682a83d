"""Find the Danish municipalities a text mentions ("Aarhus Kommune", "Københavns Kommunes")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from db.enrich.data import DATA_DIR, DataFileError, load

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


@cache
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    names = _alternation(_forms())
    single = re.compile(
        rf"(?<![\wÆØÅæøå-])({names})[ \t\u00a0]{{1,2}}"
        r"(?:[Kk]ommunes?|[Rr]egionskommunes?)(?![\wæøå])"
    )
    listed = re.compile(
        rf"(?<![\wÆØÅæøå-])((?:{names})(?:\s{{0,2}},\s{{0,2}}(?:{names})){{0,12}}"
        rf"\s{{1,3}}og\s{{1,3}}(?:{names}))\s{{1,2}}[Kk]ommuner(?![\wæøå])"
    )
    return single, listed, re.compile(names)


@cache
def _spaced_forms() -> dict[str, str]:
    return {form.replace("-", " "): name for form, name in _forms().items()}


def _name_of(form: str) -> str | None:
    return _forms().get(form) or _spaced_forms().get(form.replace("-", " "))


def find_municipalities(text: str) -> list[MunicipalityMention]:
    """Every mention of a municipality with "Kommune"/"kommune", genitive or in a list."""
    single, listed, any_name = _patterns()
    found: list[MunicipalityMention] = []
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
