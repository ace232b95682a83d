"""Assign topics from the taxonomy in db/data/topics.yml, recording the rule that fired and why.

The rules, tried in this order for each topic (the first that fires is recorded):
emneord, document type, outcome, law reference, a term in the title, in the summary, in a heading
of the text (before the lists of sources), one unambiguous phrase ("strong_terms") anywhere in
the text, a term as the subject of a study, guidance or statement ("praksisundersøgelse om
ressourceforløbsydelse"), and finally `min_hits` mentions of the terms in the text. A parent
topic follows from its subtopics.

Not a rule: one mention in the section "Principmeddelelsen fastslår". That section is running
text, where "med den begrundelse, at" and passing lists ("jobafklaringsforløb, ressourceforløb
eller andre tilbud") are common; on the sample corpus it only added such mentions.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache, lru_cache

from retskilde.db.analysis.snippets import excerpt as snippet
from retskilde.db.enrich.data import DATA_DIR, DataFileError, load
from retskilde.db.enrich.lawrefs import LawRef
from retskilde.db.enrich.laws import registry
from retskilde.db.enrich.scan import Scanner, ScannerGroup
from retskilde.db.enrich.text import Span, blocks, is_heading

DEFAULT_MIN_HITS = 2
_RULE_KEYS = {
    "emneord",
    "doc_types",
    "outcomes",
    "laws",
    "terms",
    "strong_terms",
    "children",
    "min_hits",
}
# Headings that start lists of other sources (laws, decisions, attachments); headings from there
# on name those sources, not what the document is about.
_REFERENCE_HEADINGS = {"praksis", "love og bekendtgørelser", "se også", "bilag", "bilag:"}
# "en praksisundersøgelse om X", "vejledningen om X": X is what the study or guidance is about.
_SUBJECT = re.compile(
    r"(?i)(?<![\w])(praksisundersøgelse|undersøgelse|vejledning|udtalelse|rapport)"
    r"(?:en|n|r|rne|erne)?\s{1,3}om\s{1,3}"
)


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    description: str
    parent: str | None
    emneord: frozenset[str]
    doc_types: frozenset[str]
    outcomes: frozenset[str]
    laws: tuple[tuple[str, str | None], ...]
    terms: tuple[re.Pattern, ...]
    children: tuple[str, ...]
    min_hits: int
    # Phrases that only occur when a document deals with the topic: one in the text is enough.
    strong_terms: tuple[re.Pattern, ...] = ()
    # The terms, each with the literal start it is looked for by (see db/enrich/scan.py).
    scanners: tuple[Scanner, ...] = field(default=(), compare=False, repr=False)
    strong_scanners: tuple[Scanner, ...] = field(default=(), compare=False, repr=False)
    # Terms and strong terms: everything that names the topic in a title, heading or principle.
    naming: tuple[Scanner, ...] = field(default=(), compare=False, repr=False)
    scanner_ids: frozenset[int] = field(default=frozenset(), compare=False, repr=False)
    law_ids: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    # `outcomes` with and without "delvis ", so "delvis hjemvist" counts for "hjemvist".
    outcome_keys: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True)
class Assignment:
    topic_id: str
    rule: str
    evidence: str


@dataclass
class DocumentFacts:
    """What the topic rules look at in one document."""

    title: str
    text: str
    doc_type: str
    summary: str | None = None
    keywords: list[str] = field(default_factory=list)
    law_refs: list[tuple[LawRef, str]] = field(default_factory=list)
    outcome: str | None = None


def _compile_term(term: str, path, topic_id: str) -> re.Pattern:
    try:
        return re.compile(rf"(?<![\w])(?:{term})(?![\w])", re.IGNORECASE)
    except re.error as error:
        message = f"{path}: emne {topic_id}: ugyldigt udtryk {term!r}: {error}"
        raise DataFileError(message) from error


def _law_rule(rule: str, path, topic_id: str) -> tuple[str, str | None]:
    law_id, _, paragraph = (part.strip() for part in rule.partition("§"))
    if law_id not in registry().laws:
        raise DataFileError(f"{path}: emne {topic_id}: ukendt lov {law_id!r}")
    return law_id, paragraph or None


@cache
def taxonomy() -> tuple[Topic, ...]:
    """The topics from db/data/topics.yml, in file order, checked for unknown references."""
    path = DATA_DIR / "topics.yml"
    topics = []
    for entry in load("topics").get("topics", []):
        try:
            topic_id, label = entry["id"], entry["label"]
        except (KeyError, TypeError) as error:
            raise DataFileError(f"{path}: emne {entry!r} mangler {error}") from error
        rules = entry.get("rules") or {}
        unknown = set(rules) - _RULE_KEYS
        if unknown:
            raise DataFileError(f"{path}: emne {topic_id}: ukendte regler {sorted(unknown)}")
        terms = tuple(_compile_term(t, path, topic_id) for t in rules.get("terms", []))
        strong = tuple(_compile_term(t, path, topic_id) for t in rules.get("strong_terms", []))
        scanners = tuple(Scanner(term) for term in terms)
        strong_scanners = tuple(Scanner(term) for term in strong)
        outcomes = frozenset(rules.get("outcomes", []))
        laws = tuple(_law_rule(r, path, topic_id) for r in rules.get("laws", []))
        topics.append(
            Topic(
                id=topic_id,
                label=label,
                description=" ".join(str(entry.get("description", "")).split()),
                parent=entry.get("parent"),
                emneord=frozenset(k.lower() for k in rules.get("emneord", [])),
                doc_types=frozenset(rules.get("doc_types", [])),
                outcomes=outcomes,
                laws=laws,
                terms=terms,
                children=tuple(rules.get("children", [])),
                min_hits=int(rules.get("min_hits", DEFAULT_MIN_HITS)),
                strong_terms=strong,
                scanners=scanners,
                strong_scanners=strong_scanners,
                naming=scanners + strong_scanners,
                scanner_ids=frozenset(id(s) for s in scanners + strong_scanners),
                law_ids=frozenset(law_id for law_id, _ in laws),
                outcome_keys=outcomes | {o.removeprefix("delvis ") for o in outcomes},
            )
        )
    ids = {t.id for t in topics}
    for topic in topics:
        for other in (*topic.children, *([topic.parent] if topic.parent else [])):
            if other not in ids:
                raise DataFileError(f"{path}: emne {topic.id} henviser til ukendt emne {other!r}")
    if len(ids) != len(topics):
        raise DataFileError(f"{path}: et emne-id står to gange")
    return tuple(topics)


@cache
def _all_terms() -> ScannerGroup:
    return ScannerGroup(s for topic in taxonomy() for s in topic.naming)


class _Hits:
    """Every match of every term in one text, found once and shared by the rules."""

    def __init__(self, text: str):
        self.text = text
        self.possible = _all_terms().possible(text)
        self._found: dict[str, list[tuple[int, int, re.Match]]] = {}

    def found(self, topic: Topic) -> list[tuple[int, int, re.Match]]:
        """(start, term number, match) of every match of the topic's terms, strong terms after
        the others, in order: the first is the earliest match, on a tie the term listed first."""
        if topic.id not in self._found:
            found = []
            if not self.possible.isdisjoint(topic.scanner_ids):
                for number, scanner in enumerate(topic.naming):
                    if id(scanner) in self.possible:
                        found += [(m.start(), number, m) for m in scanner.finditer(self.text)]
                found.sort(key=lambda hit: hit[:2])
            self._found[topic.id] = found
        return self._found[topic.id]

    def first(self, topic: Topic, accept=None) -> re.Match | None:
        """The first match (see `found`) that `accept(start, term number)` accepts."""
        for start, number, match in self.found(topic):
            if accept is None or accept(start, number):
                return match
        return None

    def count(self, topic: Topic) -> int:
        """Distinct places the (not strong) terms match; two terms on the same words count once."""
        terms = len(topic.scanners)
        return len({m.span() for _, number, m in self.found(topic) if number < terms})


@lru_cache(maxsize=4096)
def _keyword_topics(keyword: str) -> frozenset[str]:
    """The topics a source keyword names, by emneord or by a term (keywords repeat a lot)."""
    lowered = keyword.lower()
    return frozenset(
        t.id
        for t in taxonomy()
        if lowered in t.emneord or any(s.search(keyword) for s in t.scanners)
    )


class _Layout:
    """Where a text's own headings and its subject phrases are."""

    def __init__(self, text: str):
        self.text = text
        self._headings: list[Span] | None = None
        self.heading_starts: list[int] = []
        self._subjects: dict[int, str] | None = None

    @property
    def headings(self) -> list[Span]:
        """Heading blocks, up to the first heading of a list of sources ("Praksis", "Bilag")."""
        if self._headings is None:
            self._headings = []
            for block in blocks(self.text):
                content = self.text[block.start : block.end]
                if not is_heading(content):
                    continue
                if " ".join(content.split()).lower() in _REFERENCE_HEADINGS:
                    break
                self._headings.append(block)
            self.heading_starts = [h.start for h in self._headings]
        return self._headings

    @property
    def subjects(self) -> dict[int, str]:
        """End of each "praksisundersøgelse om " → the words ("praksisundersøgelse om")."""
        if self._subjects is None:
            self._subjects = {
                m.end(): " ".join(m.group().split()) for m in _SUBJECT_SCAN.finditer(self.text)
            }
        return self._subjects


_SUBJECT_SCAN = Scanner(
    _SUBJECT, ["praksisundersøgelse", "undersøgelse", "vejledning", "udtalelse", "rapport"]
)


@cache
def _topics_of_law() -> dict[str, tuple[Topic, ...]]:
    """Law id → the topics with a rule on that law."""
    found: dict[str, list[Topic]] = {}
    for topic in taxonomy():
        for law_id in sorted(topic.law_ids):
            found.setdefault(law_id, []).append(topic)
    return {law_id: tuple(topics) for law_id, topics in found.items()}


def _by_law(law_refs: list[tuple[LawRef, str]]) -> dict[str, Assignment]:
    """Topic id → the assignment its first matching law reference gives (refs in order)."""
    found: dict[str, Assignment] = {}
    for ref, raw in law_refs:
        for topic in _topics_of_law().get(ref.law_id, ()):
            if topic.id in found:
                continue
            for law_id, paragraph in topic.laws:
                if ref.law_id == law_id and (paragraph is None or ref.paragraph == paragraph):
                    rule = f"{law_id} § {paragraph}" if paragraph else law_id
                    found[topic.id] = Assignment(topic.id, f"lovhenvisning: {rule}", raw)
                    break
    return found


def _direct(
    topic: Topic, facts: DocumentFacts, named: dict, by_law: dict, hits: dict, layout: _Layout
) -> Assignment | None:
    if topic.id in named:
        return Assignment(topic.id, f"emneord: {named[topic.id]}", named[topic.id])
    if facts.doc_type in topic.doc_types:
        return Assignment(topic.id, f"dokumenttype: {facts.doc_type}", facts.title)
    if facts.outcome and facts.outcome.removeprefix("delvis ") in topic.outcome_keys:
        return Assignment(topic.id, f"udfald: {facts.outcome}", facts.outcome)
    if topic.id in by_law:
        return by_law[topic.id]
    for field_name, value in (("titel", facts.title), ("resumé", facts.summary or "")):
        if hit := hits[field_name].first(topic):
            return Assignment(topic.id, f"{field_name}: {hit.group()}", value)
    text = hits["tekst"]
    if not text.found(topic):
        return None
    headings, heading_starts = layout.headings, layout.heading_starts

    def heading_at(start: int, _number: int = 0) -> Span | None:
        i = bisect_right(heading_starts, start) - 1
        return headings[i] if i >= 0 and start < headings[i].end else None

    if headings and (hit := text.first(topic, heading_at)):
        heading = heading_at(hit.start())
        evidence = " ".join(facts.text[heading.start : heading.end].split())
        return Assignment(topic.id, f"overskrift: {hit.group()}", evidence)
    terms = len(topic.scanners)
    if hit := text.first(topic, lambda _, number: number >= terms):
        evidence = snippet(facts.text, hit.start(), hit.end(), width=160)
        return Assignment(topic.id, f"entydigt udtryk: {hit.group()}", evidence)
    subjects = layout.subjects
    if subjects and (hit := text.first(topic, lambda start, _: start in subjects)):
        evidence = snippet(facts.text, hit.start(), hit.end(), width=160)
        return Assignment(topic.id, f"emne: {subjects[hit.start()]} {hit.group()}", evidence)
    count = text.count(topic)
    if terms and count >= topic.min_hits:
        first = text.first(topic, lambda _, number: number < terms)
        return Assignment(
            topic.id,
            f"tekst: {count} forekomster",
            snippet(facts.text, first.start(), first.end(), width=160),
        )
    return None


def assign_topics(facts: DocumentFacts) -> list[Assignment]:
    """The topics of one document, in taxonomy order, each with the rule that fired and evidence."""
    topics = taxonomy()
    labels = {t.id: t.label for t in topics}
    found: dict[str, Assignment] = {}
    hits = {
        "titel": _Hits(facts.title),
        "resumé": _Hits(facts.summary or ""),
        "tekst": _Hits(facts.text),
    }
    layout = _Layout(facts.text)
    named: dict[str, str] = {}  # topic id → the first keyword that names it
    for keyword in facts.keywords:
        for topic_id in _keyword_topics(keyword):
            named.setdefault(topic_id, keyword)
    by_law = _by_law(facts.law_refs)
    # Most topics have nothing to go on in a document; they are passed over without a look.
    possible = set().union(*(h.possible for h in hits.values()))
    outcome = facts.outcome.removeprefix("delvis ") if facts.outcome else None
    for topic in topics:
        if (
            topic.id not in named
            and topic.id not in by_law
            and facts.doc_type not in topic.doc_types
            and outcome not in topic.outcome_keys
            and possible.isdisjoint(topic.scanner_ids)
            and topic.min_hits > 0
        ):
            continue
        if assignment := _direct(topic, facts, named, by_law, hits, layout):
            found[topic.id] = assignment
    for topic in topics:
        if topic.id in found:
            continue
        child = next((c for c in topic.children if c in found), None)
        if child:
            found[topic.id] = Assignment(topic.id, f"underemne: {labels[child]}", labels[child])
    return [found[t.id] for t in topics if t.id in found]
