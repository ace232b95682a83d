"""Find references to Ankestyrelsen's decisions ("principmeddelelse 104-16", "AFG.101-17").

Each reference gets a kind: `cites`, `replaces` (this document replaces the cited one: "omskrivning
af", "erstatter", a "Kasserede:" list in the Praksis section) or `replaced_by` ("erstattet af").
Only a principmeddelelse can replace another; in news and agenda items every reference is `cites`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from retskilde.db.analysis.snippets import excerpt
from retskilde.db.enrich.scan import Scanner
from retskilde.db.enrich.text import SentenceIndex, blocks, is_heading, sentence_index
from retskilde.numbers import NUMBER as _NUMBER
from retskilde.numbers import canonical_number

_NUMBER_END = r"(?![\w/]|-\d)"
_KEYWORD = (
    r"(?:(?i:princip(?:afgørelse|meddelelse)(?:rne|ns|n|r|s)?|(?:sammen|om)skrivning\s{1,3}af|"
    r"sammenskriver|erstatter|erstattet\s{1,3}af|afløser|afløst\s{1,3}af|"
    r"(?:gen)?udgivet\s{1,3}som|offentliggjort\s{1,3}som)|SM|AFG\.?)"
)
_CONNECTOR = (
    r"(?:\s{0,3},\s{0,3}(?:(?:og|samt|eller)\s{1,3})?|\s{1,3}(?:og|samt|eller)\s{1,3})"
    r"(?:i\s{1,3})?"
)
_KEYWORD_LIST = re.compile(
    rf"(?<![\w.]){_KEYWORD}(?:\s{{0,2}},)?\s{{0,3}}(?:nr\.\s{{0,2}})?(?<![\w-])({_NUMBER}){_NUMBER_END}"
    rf"((?:{_CONNECTOR}(?:{_KEYWORD}\s{{0,3}})?(?:nr\.\s{{0,2}})?{_NUMBER}{_NUMBER_END}){{0,80}})"
)
_LIST_NUMBER = re.compile(rf"(?<![\w-]){_NUMBER}{_NUMBER_END}")
_LETTERED_BODY = r"[A-ZÆØ]-\d{1,4}-\d{2}(?![\w/-])"
_LETTERED = re.compile(r"(?<![\w./-])" + _LETTERED_BODY)
# Praksis lists: "15-14: Når …" at the start of a line or sentence.
_LIST_ITEM = re.compile(
    rf"(?:^|(?<=\n)|(?<=[:.]\s))[ \t]{{0,3}}(?:[-–•*][ \t]{{1,3}})?({_NUMBER})(?=:)"
)
_BULLET_ITEM = re.compile(
    rf"(?m)^[ \t]{{0,3}}[-–•*][ \t]{{1,3}}({_NUMBER})(?=[ \t]{{1,3}}(?:om|–|-)[ \t]|:)"
)
# News listing new decisions, one a line: "44-20 om kontanthjælp – …", "9-21: …".
_NEWS_LINE = re.compile(rf"(?m)^[ \t]{{0,3}}({_NUMBER}){_NUMBER_END}(?=[ \t]{{1,3}}om[ \t])")
# "… en tidligere principafgørelse om boligindretning fra marts 2012 (61-12)": a number alone in
# parentheses counts when the sentence before it speaks of a decision.
_PAREN_NUMBER = re.compile(rf"\((?:jf\.\s{{1,3}}|se\s{{1,3}})?({_NUMBER})\)")
_PAREN_CUE = re.compile(r"(?i)princip|afgørelse|meddelelse|praksis")
_PAREN_REACH = 200
_REPLACES_HEADER = re.compile(
    r"(?i)\bkasserede?\b[^.\n]{0,200}?:|\b(?:sammenskrivning|omskrivning)\s+af\s+følgende[^.\n]{0,200}?:"
)
_OTHER_HEADER = re.compile(
    r"(?i)\bse\s+også\b|\bvejledninger\b|\blove\s+og\s+bekendtgørelser\b|\bsag\s+nr\.\s*\d"
)
_REPLACED_BY = re.compile(
    r"(?i)\b(?:(?:erstattet|afløst|omskrevet|ophævet)\s+(?:af|i|ved)|genudgivet\s+som|"
    r"udgivet\s+igen\s+som)\b"
)
# "omskrivning af 27-15": the cue comes before the number it governs.
_REPLACES_BEFORE = re.compile(
    r"(?i)\b(?:omskrivning\s+af|omskriver|erstatter|afløser|sammenskrivning\s+af|sammenskriver)\b"
    r"|\(tidligere\s+princip(?:meddelelse|afgørelse)"
    r"|\btidligere\s+(?:offentliggjort|udgivet)\s+som\b"
)
# "27-15 er kasseret", "(historisk)": a status anywhere in the sentence.
_REPLACES_ANYWHERE = re.compile(
    r"(?i)\b(?:kasser\w*|gælder\s+ikke\s+længere|ikke\s+længere\s+gælder|historisk\w*)\b"
)
_NEGATED = re.compile(r"(?i)\s{1,3}ikke\b")
# A forward cue governs the numbers that follow it, up to a new clause about something else.
_CLAUSE_BREAK = re.compile(r"(?i)henvis|\bjf\.|\bse\s+også\b|\bi\s+øvrigt\b|\bdesuden\b")
_CUE_REACH = 120
# … except over a list of numbers: "sammenskrivning af D-12-04, 33-08, …" governs them all.
_LIST_GAP = re.compile(rf"(?:[\s,]|og|samt|eller|{_NUMBER})*")
_THIS = re.compile(r"(?i)\s{0,3}(?:denne|nærværende)\b")
# "… erstattet af N" says that this document is replaced only when its subject is the document:
# "Principmeddelelsen er historisk og erstattet af", "Denne principmeddelelse …", "Den er …", or
# no subject ("Erstattet af 12-24."). "Den afgørelse er nu erstattet af 7-22" and "Principmeddelelse
# 27-15 er erstattet af 12-20" are about another decision; from here both numbers are cited.
_SELF_SUBJECT = re.compile(
    r"(?i)\W*(?:(?:denne|nærværende)\s{1,3})?(?:princip(?:meddelelse|afgørelse)|meddelelse)(?:n|ns)?"
    r"\b(?!\s{0,3}(?:nr\.\s{0,2})?\d)"
    r"|\W*(?:den|denne|det)\s{1,3}(?:er|var|blev|bliver|vil|kan|har|skal)\b"
    r"|\W*$"
)

# Gates: what a pattern cannot match without, written to start with a literal so `re` finds it
# fast; a text without it skips the pattern. Every decision number has "-" and two digits.
_ANY_NUMBER = re.compile(r"-\d\d")
_LETTERED_GATE = re.compile(r"-\d{1,4}-\d\d")
_LIST_GATE = re.compile(r"-\d\d:")
_BULLET_GATE = re.compile(r"[-–•*][ \t]{1,3}(?:[A-ZÆØ]{1,3}-)?\d{1,4}-\d\d")
# The keyword patterns start with a look-behind and case-insensitive words, which `re` cannot
# skip ahead to; the scanners look for their first words instead (db/enrich/scan.py).
_KEYWORD_SCAN = Scanner(
    _KEYWORD_LIST,
    [
        "princip",
        "omskrivning",
        "sammenskriv",
        "erstatte",
        "afløs",
        "genudgivet",
        "udgivet",
        "offentliggjort",
        "sm",
        "afg",
    ],
    fold=True,
)
_LETTERED_SCAN = Scanner(_LETTERED, candidates=re.compile(_LETTERED_BODY))
_REPLACES_HEADER_SCAN = Scanner(_REPLACES_HEADER, ["kassere", "sammenskrivning", "omskrivning"])
_OTHER_HEADER_SCAN = Scanner(_OTHER_HEADER, ["se", "vejledninger", "love", "sag"])


@dataclass(frozen=True)
class DecisionRef:
    number: str
    kind: str
    start: int
    end: int
    raw: str


def normalise_number(raw: str) -> str:
    """The canonical decision number (retskilde/numbers.py): "AFG.101-17" → "101-17"."""
    return canonical_number(raw)


def _occurrences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, number) for every decision number that stands in a decision context."""
    found: dict[int, tuple[int, int, str]] = {}
    for match in _KEYWORD_SCAN.finditer(text):
        found[match.start(1)] = (match.start(1), match.end(1), match.group(1))
        for item in _LIST_NUMBER.finditer(match.group(2)):
            start = match.start(2) + item.start()
            found[start] = (start, start + len(item.group()), item.group())
    lettered = _LETTERED_SCAN.finditer(text) if _LETTERED_GATE.search(text) else ()
    for match in lettered:
        found.setdefault(match.start(), (match.start(), match.end(), match.group()))
    if "(" in text:
        for match in _PAREN_NUMBER.finditer(text):
            before = text[max(0, match.start() - _PAREN_REACH) : match.start()]
            sentence_start = max(before.rfind(". "), before.rfind("\n"))
            if _PAREN_CUE.search(before, sentence_start + 1):
                found.setdefault(match.start(1), (match.start(1), match.end(1), match.group(1)))
    for match in _NEWS_LINE.finditer(text):
        found.setdefault(match.start(1), (match.start(1), match.end(1), match.group(1)))
    for pattern, gate in ((_LIST_ITEM, _LIST_GATE), (_BULLET_ITEM, _BULLET_GATE)):
        if not gate.search(text):
            continue
        for match in pattern.finditer(text):
            found[match.start(1)] = (match.start(1), match.end(1), match.group(1))
    return [found[k] for k in sorted(found)]


def _header_states(text: str) -> list[tuple[int, str]]:
    """Positions where a Praksis sub-list starts, with the kind its items get."""
    states = [(m.end(), "replaces") for m in _REPLACES_HEADER_SCAN.finditer(text)]
    states += [(m.start(), "cites") for m in _OTHER_HEADER_SCAN.finditer(text)]
    states += [(b.start, "cites") for b in blocks(text) if is_heading(text[b.start : b.end])]
    return sorted(states)


def _state_at(states: list[tuple[int, str]], starts: list[int], position: int) -> str:
    i = bisect_right(starts, position) - 1
    return states[i][1] if i >= 0 else "cites"


class _SentenceCues:
    """The replace cues of one sentence, found once and then looked up per reference."""

    def __init__(self, text: str, start: int, end: int):
        self.text = text
        self.replaced_by = [
            (
                m.start(),
                m.end(),
                bool(_THIS.match(text, m.end())),
                bool(_SELF_SUBJECT.match(text[start : m.start()])),
            )
            for m in _REPLACED_BY.finditer(text, start, end)
        ]
        self.replaces_before = [
            m.end()
            for m in _REPLACES_BEFORE.finditer(text, start, end)
            if not _NEGATED.match(text, m.end())
        ]
        self.replaces_anywhere = any(
            not _NEGATED.match(text, m.end()) for m in _REPLACES_ANYWHERE.finditer(text, start, end)
        )

    def kind(self, position: int) -> str:
        """The kind the sentence's own wording gives a reference at `position`."""
        for cue_start, cue_end, this_follows, about_this in self.replaced_by:
            if cue_end <= position and not this_follows and about_this:
                return "replaced_by"
            if cue_start >= position and this_follows:
                return "replaces"
        for cue_end in self.replaces_before:
            gap = self.text[cue_end:position]
            in_reach = len(gap) <= _CUE_REACH or _LIST_GAP.fullmatch(gap)
            if cue_end <= position and in_reach and not _CLAUSE_BREAK.search(gap):
                return "replaces"
        return "replaces" if self.replaces_anywhere else "cites"


_PRIORITY = {"replaces": 0, "replaced_by": 1, "cites": 2}


def find_decisions(text: str, doc_type: str | None = None, own_number: str | None = None):
    """The decision references in `text`, one per cited number, strongest kind first."""
    own = normalise_number(own_number) if own_number else None
    may_replace = doc_type in (None, "principmeddelelse")
    if not _ANY_NUMBER.search(text):
        return []
    states: list[tuple[int, str]] | None = None
    state_starts: list[int] = []
    sentences = sentence_index(text)
    cues: dict[int, _SentenceCues] = {}
    best: dict[str, DecisionRef] = {}
    for start, end, raw_number in _occurrences(text):
        number = normalise_number(raw_number)
        if number == own:
            continue
        kind = "cites"
        if may_replace:
            sentence = sentences.at(start)
            if sentence:
                if sentence.start not in cues:
                    cues[sentence.start] = _SentenceCues(text, sentence.start, sentence.end)
                kind = cues[sentence.start].kind(start)
            if kind == "cites":
                if states is None:
                    states = _header_states(text)
                    state_starts = [start for start, _ in states]
                kind = _state_at(states, state_starts, start)
        raw = _raw(text, start, end, sentences)
        ref = DecisionRef(number, kind, start, end, raw)
        current = best.get(number)
        if current is None or _PRIORITY[kind] < _PRIORITY[current.kind]:
            best[number] = ref
    return sorted(best.values(), key=lambda r: r.start)


def _raw(text: str, start: int, end: int, sentences: SentenceIndex) -> str:
    """The words around the number, within its sentence, about 60 characters each side."""
    sentence = sentences.at(start)
    within = (sentence.start, sentence.end) if sentence else None
    return excerpt(text, start, end, width=120, within=within, ellipsis=False)
