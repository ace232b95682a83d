"""The law registry (db/data/laws.yml) and finding the places a text names a law."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from retskilde.db.enrich.data import DATA_DIR, DataFileError, load
from retskilde.db.enrich.scan import Scanner

_SPACE = re.compile(r"\s+")
# "bekendtgørelse nr. 1244 af 13. november 2017", "vejledning nr. 9 af 1. marts 2021": a numbered
# regulation or guideline is a law of its own, named by its number and date. Not a
# "lovbekendtgørelse nr. …", which is the consolidated text of a law named beside it.
_NUMBERED = re.compile(
    r"(?<![\w-])(?i:(bekendtgørelse|vejledning|cirkulære))\s{1,3}nr\.\s{0,2}(\d{1,6})\s{1,3}af"
    r"\s{1,3}(\d{1,2}\.\s{0,2}[a-zæø]{3,9}\s{1,3}(?:19|20)\d\d)(?!\d)"
)
_NUMBERED_SCAN = Scanner(_NUMBERED, ["bekendtgørelse", "vejledning", "cirkulære"], fold=True)
_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
# Names on -loven/-bekendtgørelsen and "barnets lov" take a genitive s ("servicelovens § 112").
_GENITIVE_ENDINGS = ("loven", "bekendtgørelsen", " lov")


@dataclass(frozen=True)
class Law:
    id: str
    title: str
    short_name: str
    names: tuple[str, ...]
    abbreviations: tuple[str, ...] = ()
    valid_from: str | None = None
    valid_to: str | None = None
    replaced_by: str | None = None
    note: str | None = None

    @property
    def is_regulation(self) -> bool:
        """A bekendtgørelse rather than a lov (for "bekendtgørelsens § 9")."""
        return self.short_name.endswith("bekendtgørelsen") or self.short_name.startswith(
            "bekendtgørelse nr."
        )

    def valid_on(self, date: str | None) -> bool:
        if date is None:
            return self.valid_to is None
        return (self.valid_from or "") <= date <= (self.valid_to or "9999")


@dataclass(frozen=True)
class LawMention:
    start: int
    end: int
    law: Law
    genitive: bool


@dataclass
class Registry:
    laws: dict[str, Law]
    by_name: dict[str, list[str]] = field(default_factory=dict)
    genitive_names: set[str] = field(default_factory=set)
    by_abbreviation: dict[str, str] = field(default_factory=dict)
    pattern: re.Pattern = field(default=re.compile("(?!)"))
    scanner: Scanner | None = None
    # Numbered regulations met in texts, kept apart from the registry's own laws so that what
    # one build saw never reaches the reference data of the next.
    numbered_laws: dict[str, Law] = field(default_factory=dict)

    def law(self, law_id: str) -> Law:
        """A law of the registry, or a numbered regulation a text named."""
        return self.laws.get(law_id) or self.numbered_laws[law_id]

    def resolve_name(self, matched: str, date: str | None = None) -> tuple[Law, bool] | None:
        """The law a matched name refers to on `date`, and whether the name was genitive."""
        if matched in self.by_abbreviation:
            return self.laws[self.by_abbreviation[matched]], False
        key = _SPACE.sub(" ", matched).lower()
        ids = self.by_name.get(key)
        if not ids:
            return None
        candidates = [self.laws[i] for i in ids]
        valid = [law for law in candidates if law.valid_on(date)] or candidates
        return valid[0], key in self.genitive_names

    def mentions(self, text: str, date: str | None = None) -> list[LawMention]:
        """Every place `text` names a law, by name, genitive, abbreviation or number, in order."""
        found = []
        matches = self.scanner.finditer(text) if self.scanner else self.pattern.finditer(text)
        for match in matches:
            resolved = self.resolve_name(match.group(), date)
            if resolved:
                found.append(LawMention(match.start(), match.end(), *resolved))
        numbered = [
            LawMention(m.start(), m.end(), self.numbered(*m.groups()), False)
            for m in _NUMBERED_SCAN.finditer(text)
        ]
        if numbered:
            found = sorted(found + numbered, key=lambda m: (m.start, -m.end))
        return found

    def numbered(self, kind: str, number: str, written_date: str) -> Law:
        """The law for a numbered regulation, added to the registry the first time it is seen."""
        kind = kind.lower()
        when = " ".join(written_date.lower().split()).replace(". ", ".").replace(".", ". ")
        short_name = f"{kind} nr. {int(number)} af {when}"
        law_id = f"{kind.translate(_ASCII)}-nr-{int(number)}-{when[-4:]}"
        law = self.numbered_laws.get(law_id)
        if law is None:
            law = Law(law_id, short_name[0].upper() + short_name[1:], short_name, (short_name,))
            self.numbered_laws[law_id] = law
        return law


def _names_pattern(names: list[str]) -> str:
    parts = []
    for name in sorted(names, key=len, reverse=True):
        words = [re.escape(w) for w in name.split()]
        parts.append(r"\s{1,3}".join(words))
    return "|".join(parts)


@cache
def registry() -> Registry:
    """The law registry built from db/data/laws.yml."""
    path = DATA_DIR / "laws.yml"
    laws: dict[str, Law] = {}
    for entry in load("laws").get("laws", []):
        try:
            law = Law(
                id=entry["id"],
                title=entry["title"],
                short_name=entry["short_name"],
                names=tuple(entry.get("names", [])),
                abbreviations=tuple(entry.get("abbreviations", [])),
                valid_from=entry.get("valid_from"),
                valid_to=entry.get("valid_to"),
                replaced_by=entry.get("replaced_by"),
                note=entry.get("note"),
            )
        except (KeyError, TypeError) as error:
            raise DataFileError(f"{path}: lov {entry!r} mangler feltet {error}") from error
        if law.id in laws:
            raise DataFileError(f"{path}: lov-id {law.id} står to gange")
        laws[law.id] = law
    reg = Registry(laws)
    for law in laws.values():
        if law.replaced_by and law.replaced_by not in laws:
            raise DataFileError(f"{path}: {law.id}.replaced_by peger på ukendt lov")
        for name in {*law.names, law.short_name} - set(law.abbreviations):
            key = _SPACE.sub(" ", name).lower()
            reg.by_name.setdefault(key, []).append(law.id)
            if key.endswith(_GENITIVE_ENDINGS):
                reg.by_name.setdefault(key + "s", []).append(law.id)
                reg.genitive_names.add(key + "s")
        for abbreviation in law.abbreviations:
            reg.by_abbreviation[abbreviation] = law.id
    for key, ids in reg.by_name.items():
        reg.by_name[key] = sorted(set(ids), key=list(laws).index)
    for law in laws.values():
        resolved = reg.resolve_name(law.short_name)
        if not resolved or resolved[0].id != law.id:
            raise DataFileError(
                f"{path}: short_name {law.short_name!r} peger ikke entydigt på {law.id}"
            )
    names = _names_pattern(list(reg.by_name))
    abbreviations = _names_pattern(list(reg.by_abbreviation))
    reg.pattern = re.compile(rf"(?<![\w§-])(?:(?i:{names})|{abbreviations})(?![\w-])")
    # Every match starts with a name's first word or an abbreviation, in any case.
    needles = [name.split()[0] for name in reg.by_name] + list(reg.by_abbreviation)
    reg.scanner = Scanner(reg.pattern, needles, fold=True)
    return reg
