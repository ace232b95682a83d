"""Find the outcome a decision reports (stadfæstet, ændret, ophævet, hjemvist, afvist; "delvis").

Principmeddelelser report their own result ("Resultatet er: …", "Ankestyrelsen stadfæstede …").
News, articles, agenda items and notes count only when a sentence names the appeal body and
reports a single case; statistics ("63 blev stadfæstet"), conditionals ("kan hjemvises") and
the municipality's own decisions ("kommunen afviste") do not count. Other document types
(praksisundersøgelser, tilsynsudtalelser, analyser, udspil) do not report one outcome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from db.enrich.text import sentences

OUTCOMES = ("stadfæstet", "ændret", "ophævet", "hjemvist", "afvist")
DECIDING = {"principmeddelelse"}
REPORTING = {"nyhed", "artikel", "dagsordenpunkt", "notat"}

_W = r"[\wæøåÆØÅ-]{1,30}"
_APPELLATE = re.compile(
    rf"\b(?:Ankestyrelsen(?:s\s{{1,3}}{_W}udvalg)?|Ankestyrelsens\s{{1,3}}{_W}|Højesteret|"
    r"[Ll]andsretten|[Vv]i|[Dd]u)\b"
)
_APPEAL_BODY = re.compile(r"\b(?:Ankestyrelsen\w*|Højesteret|[Ll]andsretten)\b")
_LOWER = re.compile(
    r"\b(?:[Aa]nkenævnet|[Nn]ævnet|[Dd]et\s{1,3}sociale\s{1,3}nævn|[Bb]eskæftigelsesankenævnet)\b"
)
_OTHER = re.compile(r"\b(?:[Kk]ommunen|Udbetaling\s{1,3}Danmark|[Ff]orvaltningen|[Jj]obcentret)(?![\wæøå])")

_ACTIVE: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\bstadfæst(?:er|ede|et)\b"), "stadfæstet"),
    (re.compile(r"\btiltr(?:æder|ådte|ådt)\b"), "stadfæstet"),
    (re.compile(rf"\b(?:er|var)\s{{1,3}}(?:{_W}\s{{1,3}})?enige?\s{{1,3}}i\s{{1,3}}(?:{_W}\s{{1,3}}){{0,3}}afgørelse"), "stadfæstet"),
    (re.compile(r"\b(?:fandt|finder)\s{1,3}ikke\s{1,3}(?:\w+\s{1,3}){0,2}grundlag\s{1,3}for\s{1,3}at\s{1,3}ændre"), "stadfæstet"),
    (re.compile(r"\b(?:giver|gav|får|fik)\s{1,3}(?:[\wæøå]+\s{1,3}){0,2}(?:delvis[t]?\s{1,3})?medhold\b"), "ændret"),
    (re.compile(rf"\bændr(?:er|ede|et)\b(?=(?:\s{{1,3}}{_W}){{0,5}}?\s{{1,3}}(?:{_W}afgørelse\w*|afgørelse\w*|sagen)\b)"), "ændret"),
    (re.compile(r"\bophæv(?:er|ede|et)\b"), "ophævet"),
    (re.compile(r"\bhjemvis(?:er|te|t)\b"), "hjemvist"),
    (re.compile(r"\bafvis(?:er|te|t)\s{1,3}(?:[\wæøå]+\s{1,3}){0,2}?(?:klage\w*|sagen|at\s{1,3}(?:realitets)?behandle)"), "afvist"),
]
_PASSIVE: list[tuple[re.Pattern, str]] = [
    (
        re.compile(
            r"\b(?:[Aa]fgørelse\w*|[Ss]agen|[Kk]lagen)\s{1,3}(?:[\wæøå]+\s{1,3}){0,2}?"
            r"(?:blev|bliver|er|var)\s{1,3}(?:[\wæøå]+\s{1,3})?"
            r"(stadfæstet|ændret|ophævet|hjemvist|afvist)\b"
        ),
        "",
    ),
    (re.compile(r"\b(?:[Ss]agen|[Kk]lagen|[Aa]fgørelsen)\s{1,3}(hjemvises|afvises|stadfæstes|ændres|ophæves)\b"), ""),
]
_PASSIVE_FORMS = {
    "hjemvises": "hjemvist",
    "afvises": "afvist",
    "stadfæstes": "stadfæstet",
    "ændres": "ændret",
    "ophæves": "ophævet",
}
_FORMULAS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\bskal\s{1,3}behandle\s{1,3}(?:din\s{1,3}|sin\s{1,3})?sag(?:en)?\s{1,3}igen\b"), "hjemvist"),
    (re.compile(r"\bkan\s{1,3}ikke\s{1,3}behandle\s{1,3}(?:din\s{1,3}|sin\s{1,3})?klage"), "afvist"),
    (re.compile(r"\b[Aa]fgørelsen\s{1,3}er\s{1,3}ugyldig\b"), "ophævet"),
    (re.compile(r"\bafgørelse\w*\s{1,3}(?:[\wæøå]+\s{1,3}){0,3}?er\s{1,3}rigtig\b"), "stadfæstet"),
]
_RESULT = re.compile(r"\b[Rr]esultatet\s{1,3}er\s{0,2}:")
_STATISTICS = re.compile(
    r"%|\bprocent\b|\bpct\b|\b\d+\s{1,3}(?:af\s{1,3}(?:de\s{1,3})?\d+\s{1,3})?"
    r"(?:blev|sager|klager|afgørelser|klagesager)\b"
)
_MODAL = re.compile(r"\b(?:kan|kunne|vil|ville|skal|skulle|bør|burde|må|forventer|afventer)\b")
_CONDITIONAL = re.compile(r"^\W*(?:[Hh]vis|[Nn]år|[Ss]åfremt|[Ee]n\s+hjemvisning)\b")
_GENERIC = re.compile(r"\b(?:ofte|typisk|normalt|generelt|sjældent|som\s+regel)\b")
_PLURAL_OBJECT = re.compile(r"^\s{1,3}sager\b")
_NEGATION = re.compile(r"\bikke\s{1,3}$")
_PARTIAL = re.compile(r"\bdelvis[t]?\b")
_THEN_REMIT = re.compile(r"^.{0,80}?\bhjemvis(?:er|te|t)\b", re.DOTALL)


@dataclass(frozen=True)
class Outcome:
    outcome: str
    sentence: str
    rule: str


@dataclass(frozen=True)
class _Candidate:
    priority: int
    position: int
    outcome: str
    partial: bool
    sentence: str
    rule: str


def _subject_kind(before: str) -> str | None:
    """Who the nearest subject before the verb is: the appeal body, a lower body or someone else."""
    last: tuple[int, str] | None = None
    for pattern, kind in ((_APPELLATE, "appeal"), (_LOWER, "lower"), (_OTHER, "other")):
        for match in pattern.finditer(before):
            if last is None or match.start() > last[0]:
                last = (match.start(), kind)
    return last[1] if last else None


def _partial(sentence: str, start: int, end: int) -> bool:
    return bool(_PARTIAL.search(sentence, max(0, start - 30), min(len(sentence), end + 45)))


def _candidates(sentence: str, base: int, formal: bool) -> list[_Candidate]:
    found: list[_Candidate] = []
    for pattern, outcome in _FORMULAS:
        for match in pattern.finditer(sentence):
            if formal or outcome != "stadfæstet":
                priority = 3 if formal else 2
                found.append(_Candidate(priority, base + match.start(), outcome, False, sentence, "formel"))
    for pattern, outcome in _ACTIVE:
        for match in pattern.finditer(sentence):
            before = sentence[: match.start()]
            text = match.group()
            if outcome == "ændret" and "medhold" in text:
                if re.search(r"\bikke\b", text):
                    outcome_here = "stadfæstet"
                else:
                    outcome_here = "ændret"
                kind = _subject_kind(before) or ("appeal" if formal else None)
            else:
                outcome_here = outcome
                kind = _subject_kind(before)
            if kind not in ("appeal", "lower"):
                continue
            window = before[-40:]
            if _MODAL.search(window) or _GENERIC.search(sentence[max(0, match.start() - 25) : match.end() + 15]):
                continue
            if _PLURAL_OBJECT.match(sentence[match.end() :]):
                continue
            if _NEGATION.search(before):
                if outcome_here != "ændret":
                    continue
                outcome_here = "stadfæstet"
            if outcome_here == "ophævet" and _THEN_REMIT.match(sentence[match.end() :]):
                outcome_here = "hjemvist"
            priority = 3 if formal and kind == "appeal" else (2 if kind == "appeal" else 1)
            partial = _partial(sentence, match.start(), match.end())
            found.append(_Candidate(priority, base + match.start(), outcome_here, partial, sentence, "handling"))
    for pattern, _ in _PASSIVE:
        for match in pattern.finditer(sentence):
            word = match.group(1)
            outcome_here = _PASSIVE_FORMS.get(word, word)
            if _MODAL.search(sentence[max(0, match.start() - 30) : match.start(1)]):
                continue
            partial = _partial(sentence, match.start(), match.end())
            found.append(_Candidate(3 if formal else 2, base + match.start(), outcome_here, partial, sentence, "passiv"))
    return found


def find_outcome(text: str, doc_type: str | None) -> Outcome | None:
    """The outcome the text reports, with the sentence it came from, or None."""
    if doc_type not in DECIDING | REPORTING:
        return None
    reporting = doc_type in REPORTING
    spans = sentences(text)
    candidates: list[_Candidate] = []
    formal_until = -1
    for i, span in enumerate(spans):
        sentence = " ".join(text[span.start : span.end].split())
        if _RESULT.search(sentence):
            formal_until = i + 1
        if _STATISTICS.search(sentence) or _CONDITIONAL.search(sentence):
            continue
        if reporting and not _APPEAL_BODY.search(sentence):
            continue
        found = _candidates(sentence, span.start, formal=i <= formal_until)
        if reporting:
            found = [c for c in found if c.priority >= 2]
        candidates.extend(found)
    if not candidates:
        return None
    best = min(candidates, key=lambda c: (-c.priority, c.position))
    outcome = f"delvis {best.outcome}" if best.partial else best.outcome
    return Outcome(outcome, best.sentence, best.rule)
