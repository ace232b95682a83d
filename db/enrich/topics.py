"""Assign topics from the taxonomy in db/data/topics.yml, recording the rule that fired and why."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from db.enrich.data import DATA_DIR, DataFileError, load
from db.enrich.lawrefs import LawRef
from db.enrich.laws import registry
from db.enrich.text import snippet

DEFAULT_MIN_HITS = 2
_RULE_KEYS = {"emneord", "doc_types", "outcomes", "laws", "terms", "children", "min_hits"}


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
        topics.append(
            Topic(
                id=topic_id,
                label=label,
                description=" ".join(str(entry.get("description", "")).split()),
                parent=entry.get("parent"),
                emneord=frozenset(k.lower() for k in rules.get("emneord", [])),
                doc_types=frozenset(rules.get("doc_types", [])),
                outcomes=frozenset(rules.get("outcomes", [])),
                laws=tuple(_law_rule(r, path, topic_id) for r in rules.get("laws", [])),
                terms=tuple(_compile_term(t, path, topic_id) for t in rules.get("terms", [])),
                children=tuple(rules.get("children", [])),
                min_hits=int(rules.get("min_hits", DEFAULT_MIN_HITS)),
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


def _first_hit(topic: Topic, text: str) -> re.Match | None:
    hits = [m for term in topic.terms if (m := term.search(text))]
    return min(hits, key=lambda m: m.start()) if hits else None


def _count_hits(topic: Topic, text: str) -> int:
    spans = {m.span() for term in topic.terms for m in term.finditer(text)}
    return len(spans)


def _direct(topic: Topic, facts: DocumentFacts) -> Assignment | None:
    for keyword in facts.keywords:
        if keyword.lower() in topic.emneord or any(t.search(keyword) for t in topic.terms):
            return Assignment(topic.id, f"emneord: {keyword}", keyword)
    if facts.doc_type in topic.doc_types:
        return Assignment(topic.id, f"dokumenttype: {facts.doc_type}", facts.title)
    if facts.outcome and facts.outcome.removeprefix("delvis ") in topic.outcomes | {
        o.removeprefix("delvis ") for o in topic.outcomes
    }:
        return Assignment(topic.id, f"udfald: {facts.outcome}", facts.outcome)
    for ref, raw in facts.law_refs:
        for law_id, paragraph in topic.laws:
            if ref.law_id == law_id and (paragraph is None or ref.paragraph == paragraph):
                rule = f"{law_id} § {paragraph}" if paragraph else law_id
                return Assignment(topic.id, f"lovhenvisning: {rule}", raw)
    for field_name, value in (("titel", facts.title), ("resumé", facts.summary or "")):
        if hit := _first_hit(topic, value):
            return Assignment(topic.id, f"{field_name}: {hit.group()}", value)
    hits = _count_hits(topic, facts.text)
    if topic.terms and hits >= topic.min_hits:
        first = _first_hit(topic, facts.text)
        return Assignment(
            topic.id,
            f"tekst: {hits} forekomster",
            snippet(facts.text, first.start(), first.end(), width=160),
        )
    return None


def assign_topics(facts: DocumentFacts) -> list[Assignment]:
    """The topics of one document, in taxonomy order, each with the rule that fired and evidence."""
    topics = taxonomy()
    labels = {t.id: t.label for t in topics}
    found: dict[str, Assignment] = {}
    for topic in topics:
        if assignment := _direct(topic, facts):
            found[topic.id] = assignment
    for topic in topics:
        if topic.id in found:
            continue
        child = next((c for c in topic.children if c in found), None)
        if child:
            found[topic.id] = Assignment(topic.id, f"underemne: {labels[child]}", labels[child])
    return [found[t.id] for t in topics if t.id in found]
