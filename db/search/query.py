"""Read what a caseworker types into the search box.

The language: words (all must match), "quoted phrases", OR between words, -exclusion, prefix*,
field filters (type: emne: lov: kommune: år: status: kilde: udfald: område:), decision numbers
in any common form (101-17, AFG.101-17, principafgørelse 101-17, C-34-07) and § citations (§ 112,
servicelovens § 112, stk. 1). Parsing never fails: whatever cannot be used is dropped with a
note in Danish, and every word goes through the analyzer, so FTS5 syntax typed by a user is only
ever text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from retskilde.db.analysis.analyzer import Analyzer, default_analyzer
from retskilde.numbers import NUMBER_PARTS, canonical_parts

FIELDS = {
    "type": "type",
    "emne": "emne",
    "lov": "lov",
    "kommune": "kommune",
    "år": "år",
    "aar": "år",
    "status": "status",
    "kilde": "kilde",
    "udfald": "udfald",
    "område": "område",
    "omraade": "område",
    "retsområde": "område",
}
OR_WORDS = {"OR", "ELLER", "|"}
MAX_GROUPS = 24
MIN_PREFIX = 2
# Words that only introduce the number after them ("principafgørelse 101-17").
_NUMBER_INTRODUCERS = {"principafgørelse", "principmeddelelse", "afgørelse", "afg", "nr", "sag"}

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "＂": '"'})
_DASHES = re.compile(r"(?<=\d)\s*[\u2010-\u2015\u2212]\s*(?=\d)")
_LEXER = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<paragraph>§§?\s*(?P<par>\d{1,4}(?:\s?[a-hj-z])?)(?![\w-])
        (?:\s*,?\s*stk\.?\s*(?P<stk>\d{1,3}))?(?:\s*,?\s*nr\.?\s*(?P<nr>\d{1,3}))?)
    | (?P<neg_number>-)?(?P<number>(?<![\w.-])(?:afg\.?\s*)?
        """
    + NUMBER_PARTS
    + r"""(?![\w-]|[.,]\d))
    | (?P<neg_field>-)?(?P<field>[^\W\d_]+):(?P<value>"[^"]*"?|[^\s"]*)
    | (?P<neg_phrase>-)?"(?P<phrase>[^"]*)"?
    | (?P<chunk>[^\s"]+)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_TRAILING_PUNCT = ".,;:!?)]}'"


@dataclass(frozen=True)
class Alternative:
    """One way a group can match: a term (with compounds), a phrase or a prefix."""

    kind: str  # "term", "phrase" or "prefix"
    terms: tuple[str, ...]
    expand: bool = False


@dataclass(frozen=True)
class Paragraph:
    """A § citation: the paragraph, and stk./nr. when given."""

    paragraph: str
    stk: str | None = None
    nr: str | None = None

    @property
    def spellings(self) -> list[str]:
        """The ways a letter paragraph is written: "68 a" and "68a" (the canonical first)."""
        match = re.fullmatch(r"(\d+)\s?([a-z])", self.paragraph)
        if not match:
            return [self.paragraph]
        return [f"{match.group(1)} {match.group(2)}", f"{match.group(1)}{match.group(2)}"]

    def __str__(self) -> str:
        text = f"§ {self.paragraph}"
        if self.stk:
            text += f", stk. {self.stk}"
        if self.nr:
            text += f", nr. {self.nr}"
        return text


@dataclass
class Group:
    """Something the document must (or, negated, must not) contain: any of its alternatives."""

    alternatives: list[Alternative]
    label: str
    negated: bool = False
    numbers: list[str] = field(default_factory=list)
    paragraph: Paragraph | None = None
    stopword: bool = False
    quoted: bool = False
    word: bool = False  # a single plain word, open to synonym and OR merging


@dataclass(frozen=True)
class FieldFilter:
    """A field filter such as type:principmeddelelse or -status:historisk."""

    field: str
    value: str
    negated: bool = False

    def __str__(self) -> str:
        value = f'"{self.value}"' if " " in self.value else self.value
        return f"{'-' if self.negated else ''}{self.field}:{value}"


@dataclass
class ParsedQuery:
    """A query as understood: text groups, field filters, and notes for the user."""

    text: str
    groups: list[Group] = field(default_factory=list)
    filters: list[FieldFilter] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def positive(self) -> list[Group]:
        return [g for g in self.groups if not g.negated]

    @property
    def negative(self) -> list[Group]:
        return [g for g in self.groups if g.negated]

    @property
    def numbers(self) -> list[str]:
        return list(dict.fromkeys(n for g in self.positive for n in g.numbers))

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [g.paragraph for g in self.positive if g.paragraph is not None]

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.filters


def normalise_query(text: str) -> str:
    """NFC, straight quotes, and dashes between digits as hyphens ("101–17" -> "101-17")."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return _DASHES.sub("-", text)


def decision_number(series: str | None, running: str, year: str) -> str:
    """The canonical form of a decision number, as stored in documents.number."""
    return canonical_parts(series, running, year)


class _Parser:
    def __init__(self, text: str, analyzer: Analyzer):
        self.analyzer = analyzer
        self.query = ParsedQuery(text)
        self.items: list[Group | FieldFilter | str] = []

    def note(self, message: str) -> None:
        if message not in self.query.notes:
            self.query.notes.append(message)

    def run(self) -> ParsedQuery:
        for match in _LEXER.finditer(normalise_query(self.query.text)):
            kind = match.lastgroup
            if kind == "space":
                continue
            if match.group("paragraph"):
                self._paragraph(match)
            elif match.group("number"):
                self._number(match)
            elif match.group("field") is not None and match.group("value") is not None:
                self._field(match)
            elif match.group(0).lstrip("-").startswith('"'):
                negated = bool(match.group("neg_phrase"))
                self._phrase(match.group("phrase") or "", negated, match.group(0))
            else:
                self._chunk(match.group("chunk") or match.group(0))
        self._drop_number_introducers()
        self._merge_synonyms()
        self._merge_or()
        self._drop_stopwords()
        groups = [item for item in self.items if isinstance(item, Group)]
        if len(groups) > MAX_GROUPS:
            self.note(f"Kun de første {MAX_GROUPS} søgeord er brugt.")
            groups = groups[:MAX_GROUPS]
        self.query.groups = groups
        self.query.filters = [item for item in self.items if isinstance(item, FieldFilter)]
        return self.query

    # -- the pieces -----------------------------------------------------------------------

    def _paragraph(self, match: re.Match) -> None:
        # As typed: "§ 68a" or "§ 68 a" (the compiler searches both spellings).
        written = " ".join(match.group("par").lower().split())
        paragraph = Paragraph(written, match.group("stk"), match.group("nr"))
        terms = written.split()
        if paragraph.stk:
            terms += ["stk", paragraph.stk]
        if paragraph.nr:
            terms += ["nr", paragraph.nr]
        phrase = tuple(self.analyzer.term(t) for t in terms)
        self.items.append(
            Group([Alternative("phrase", phrase)], str(paragraph), paragraph=paragraph)
        )

    def _number(self, match: re.Match) -> None:
        number = decision_number(match.group("series"), match.group("running"), match.group("year"))
        terms = tuple(self.analyzer.term(t) for t in self.analyzer.tokens(number))
        self.items.append(
            Group(
                [Alternative("phrase", terms)],
                number,
                negated=bool(match.group("neg_number")),
                numbers=[number],
            )
        )

    def _field(self, match: re.Match) -> None:
        name = self.analyzer.fold(match.group("field"))
        value = match.group("value").strip('"').strip()
        if name not in FIELDS:
            self._chunk(match.group(0))
            return
        if not value:
            self.note(f"{match.group('field')}: mangler en værdi, fx {name}:…")
            return
        negated = bool(match.group("neg_field"))
        for part in value.split(","):
            if part.strip():
                self.items.append(FieldFilter(FIELDS[name], part.strip(), negated))

    def _phrase(self, text: str, negated: bool, raw: str) -> None:
        tokens = self.analyzer.tokens(text)
        if not tokens:
            if raw.strip('"-'):
                self.note(f"{raw} indeholder ingen ord og er sprunget over.")
            return
        terms = tuple(self.analyzer.term(t) for t in tokens)
        kind = "phrase" if len(terms) > 1 else "term"
        self.items.append(
            Group([Alternative(kind, terms)], f'"{text.strip()}"', negated=negated, quoted=True)
        )

    def _chunk(self, chunk: str) -> None:
        if chunk in OR_WORDS:
            self.items.append("OR")
            return
        negated = chunk.startswith("-") and len(chunk) > 1 and chunk[1] != "-"
        body = chunk[1:] if negated else chunk
        body = body.rstrip(_TRAILING_PUNCT)
        prefix = body.endswith("*")
        body = body.rstrip("*")
        matches = list(self.analyzer.finditer(body))
        if not matches:
            if prefix:
                self.note("Et * skal stå efter mindst to bogstaver, fx hjælpemid*.")
            return
        # A hyphen between tokens makes one word of them (e-mail, lab-loven); any other
        # separator (/, ., +) just separates words.
        runs: list[list[tuple[int, int, str]]] = [[matches[0]]]
        for previous, current in zip(matches, matches[1:], strict=False):
            if body[previous[1] : current[0]] == "-":
                runs[-1].append(current)
            else:
                runs.append([current])
        for index, run in enumerate(runs):
            is_last = index == len(runs) - 1
            label = body[run[0][0] : run[-1][1]]
            if prefix and is_last and len(run) == 1:
                self._prefix(run[0][2], negated)
                continue
            terms = tuple(self.analyzer.term(token) for _, _, token in run)
            if len(terms) > 1:
                self.items.append(Group([Alternative("phrase", terms)], label, negated=negated))
                continue
            folded = self.analyzer.fold(run[0][2])
            self.items.append(
                Group(
                    [Alternative("term", terms, expand=True)],
                    label,
                    negated=negated,
                    stopword=folded in self.analyzer.stopwords,
                    word=True,
                )
            )

    def _prefix(self, token: str, negated: bool) -> None:
        folded = self.analyzer.fold(token)
        if len(folded) < MIN_PREFIX:
            self.note("Et * skal stå efter mindst to bogstaver, fx hjælpemid*.")
            return
        # "afgørelse*" must also find the indexed stem "afgør", which is shorter than the prefix.
        stems = dict.fromkeys([folded, self.analyzer.term(token)])
        alternatives = [Alternative("prefix", (stem,)) for stem in stems]
        self.items.append(Group(alternatives, f"{token}*", negated=negated))

    # -- passes over the items ------------------------------------------------------------

    def _drop_number_introducers(self) -> None:
        # Right to left, so "principmeddelelse nr. 101-17" drops both words before the number.
        kept: list[Group | FieldFilter | str] = []
        before_number = False
        for item in reversed(self.items):
            if isinstance(item, Group) and item.numbers:
                before_number = True
            elif (
                before_number
                and isinstance(item, Group)
                and item.word
                and self.analyzer.fold(item.label) in _NUMBER_INTRODUCERS
            ):
                continue
            else:
                before_number = False
            kept.append(item)
        self.items = kept[::-1]

    def _merge_synonyms(self) -> None:
        lookup = {member: group for group in self.analyzer.equivalent_groups for member in group}
        quoted = {member: group for group in self.analyzer.synonym_groups for member in group}
        longest = max((len(member) for member in lookup), default=1)
        merged: list[Group | FieldFilter | str] = []
        index = 0
        while index < len(self.items):
            found = self._synonym_at(index, lookup, quoted, longest)
            if found is None:
                merged.append(self.items[index])
                index += 1
                continue
            size, members = found
            window: list[Group] = self.items[index : index + size]  # type: ignore[assignment]
            typed = window[0].alternatives[0].terms if size == 1 else None
            alternatives = [
                Alternative("term", member, expand=member == typed)
                if len(member) == 1
                else Alternative("phrase", member)
                for member in members
            ]
            merged.append(Group(alternatives, " ".join(w.label for w in window)))
            index += size
        self.items = merged

    def _synonym_at(
        self,
        index: int,
        lookup: dict[tuple[str, ...], tuple],
        quoted: dict[tuple[str, ...], tuple],
        longest: int,
    ) -> tuple[int, tuple] | None:
        first = self.items[index]
        if not isinstance(first, Group) or first.negated:
            return None
        if first.quoted:
            # A quoted phrase means exactly that: only the synonyms proper, not the equivalents.
            key = first.alternatives[0].terms
            return (1, quoted[key]) if key in quoted else None
        if not first.word:
            return None
        for size in range(longest, 0, -1):
            window = self.items[index : index + size]
            if len(window) < size or not all(
                isinstance(w, Group) and w.word and not w.negated for w in window
            ):
                continue
            key = tuple(w.alternatives[0].terms[0] for w in window)  # type: ignore[union-attr]
            if key in lookup:
                return size, lookup[key]
        return None

    def _merge_or(self) -> None:
        merged: list[Group | FieldFilter | str] = []
        pending_or = False
        for item in self.items:
            if item == "OR":
                if merged and isinstance(merged[-1], Group) and not merged[-1].negated:
                    pending_or = True
                else:
                    self.note("OR skal stå mellem to søgeord; det er sprunget over.")
                continue
            if pending_or:
                pending_or = False
                previous = merged[-1]
                if isinstance(item, Group) and not item.negated and isinstance(previous, Group):
                    previous.alternatives = previous.alternatives + item.alternatives
                    previous.numbers = previous.numbers + item.numbers
                    previous.label = f"{previous.label} OR {item.label}"
                    previous.word = previous.stopword = False
                    if previous.paragraph is None:
                        previous.paragraph = item.paragraph
                    continue
                self.note("OR skal stå mellem to søgeord; det er sprunget over.")
            merged.append(item)
        if pending_or:
            self.note("OR skal stå mellem to søgeord; det er sprunget over.")
        self.items = merged

    def _drop_stopwords(self) -> None:
        positive = [i for i in self.items if isinstance(i, Group) and not i.negated]
        if all(g.stopword for g in positive):
            return
        self.items = [i for i in self.items if not (isinstance(i, Group) and i.stopword)]


def parse(text: str, analyzer: Analyzer | None = None) -> ParsedQuery:
    """Parse a search as typed; never raises for any string."""
    return _Parser(text or "", analyzer or default_analyzer()).run()
