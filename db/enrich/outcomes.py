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

from retskilde.db.enrich.scan import register_words, word_starts
from retskilde.db.enrich.text import sentence_index

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
_OTHER = re.compile(
    r"\b(?:[Kk]ommunen|Udbetaling\s{1,3}Danmark|[Ff]orvaltningen|[Jj]obcentret)(?![\wæøå])"
)

_S = r"\s{1,3}"
_ANY_WORDS = r"(?:[\wæøå]+\s{1,3})"


def _rx(*parts: str) -> re.Pattern:
    return re.compile("".join(parts))


# Each pattern with a word every match of it contains, to skip the pattern when it is absent.
_ACTIVE: list[tuple[re.Pattern, str, str]] = [
    (_rx(r"\bstadfæst(?:er|ede|et)\b"), "stadfæstet", "stadfæst"),
    (_rx(r"\btiltr(?:æder|ådte|ådt)\b"), "stadfæstet", "tiltr"),
    (
        _rx(rf"\b(?:er|var){_S}(?:{_W}{_S})?enige?{_S}i{_S}(?:{_W}{_S}){{0,3}}afgørelse"),
        "stadfæstet",
        "enig",
    ),
    (
        _rx(rf"\b(?:fandt|finder){_S}ikke{_S}{_ANY_WORDS}{{0,2}}grundlag{_S}for{_S}at{_S}ændre"),
        "stadfæstet",
        "grundlag",
    ),
    (
        _rx(rf"\b(?:giver|gav|får|fik){_S}{_ANY_WORDS}{{0,2}}(?:delvis[t]?{_S})?medhold\b"),
        "ændret",
        "medhold",
    ),
    (
        _rx(
            r"\bændr(?:er|ede|et)\b",
            rf"(?=(?:{_S}{_W}){{0,5}}?{_S}(?:{_W}afgørelse\w*|afgørelse\w*|sagen)\b)",
        ),
        "ændret",
        "ændr",
    ),
    (_rx(r"\bophæv(?:er|ede|et)\b"), "ophævet", "ophæv"),
    (_rx(r"\bhjemvis(?:er|te|t)\b"), "hjemvist", "hjemvis"),
    (
        _rx(
            rf"\bafvis(?:er|te|t){_S}{_ANY_WORDS}{{0,2}}?",
            rf"(?:klage\w*|sagen|at{_S}(?:realitets)?behandle)",
        ),
        "afvist",
        "afvis",
    ),
]
_PASSIVE: list[re.Pattern] = [
    _rx(
        rf"\b(?:[Aa]fgørelse\w*|[Ss]agen|[Kk]lagen){_S}{_ANY_WORDS}{{0,2}}?",
        rf"(?:blev|bliver|er|var){_S}{_ANY_WORDS}?(stadfæstet|ændret|ophævet|hjemvist|afvist)\b",
    ),
    _rx(
        rf"\b(?:[Ss]agen|[Kk]lagen|[Aa]fgørelsen){_S}",
        r"(hjemvises|afvises|stadfæstes|ændres|ophæves)\b",
    ),
]
_PASSIVE_FORMS = {
    "hjemvises": "hjemvist",
    "afvises": "afvist",
    "stadfæstes": "stadfæstet",
    "ændres": "ændret",
    "ophæves": "ophævet",
}
_FORMULAS: list[tuple[re.Pattern, str, str]] = [
    (
        _rx(rf"\bskal{_S}behandle{_S}(?:din{_S}|sin{_S})?sag(?:en)?{_S}igen\b"),
        "hjemvist",
        "behandle",
    ),
    (_rx(rf"\bkan{_S}ikke{_S}behandle{_S}(?:din{_S}|sin{_S})?klage"), "afvist", "behandle"),
    (_rx(rf"\b[Aa]fgørelsen{_S}er{_S}ugyldig\b"), "ophævet", "ugyldig"),
    (_rx(rf"\bafgørelse\w*{_S}{_ANY_WORDS}{{0,3}}?er{_S}rigtig\b"), "stadfæstet", "rigtig"),
]
_RESULT = re.compile(r"\b[Rr]esultatet\s{1,3}er\s{0,2}:")
# A word every pattern above needs, at the start of a word: a sentence without one yields no
# candidate; "resultatet" marks a sentence that may start the formal result. They are looked
# for in the lower-cased text, which finds them in every case (more sentences, same result).
_CUES = ("stadfæst", "tiltr", "enig", "medhold", "ændr", "ophæv", "hjemvis", "afvis", "behandle")
_CUES += ("ugyldig", "rigtig")
_RESULT_CUE = "resultatet"
register_words((*_CUES, _RESULT_CUE))


def _occurrences(text: str, word: str) -> list[int]:
    """Every position of `word` in `text` (`str.find` is far faster than a regex here)."""
    found = []
    position = text.find(word)
    while position >= 0:
        found.append(position)
        position = text.find(word, position + 1)
    return found


_STATISTICS = re.compile(
    r"%|\bprocent\b|\bpct\b|\b\d+\s{1,3}af\s{1,3}(?:de|disse)\b"
    r"|\b\d+\s{1,3}(?:af\s{1,3}(?:de\s{1,3})?\d+\s{1,3})?(?:[\wæøå]+\s{1,3})?"
    r"[\wæøå]*(?:blev|sager|klager|afgørelser)\b"
)
# In news and agenda items these mark a general statement, not the report of one case.
_GENERAL = re.compile(
    r"(?i)\b(?:de\s+fleste|ofte|typisk|normalt|generelt|sjældent|som\s+regel|andel\w*|antal\w*|"
    r"stigende|statistik\w*|omgørelsesprocent\w*|den\s+ene|sager\s{0,2},?\s{1,3}hvor|i\s+sager)\b"
)
_MODAL = re.compile(r"\b(?:kan|kunne|vil|ville|skal|skulle|bør|burde|må|forventer|afventer)\b")
_CONDITIONAL = re.compile(r"^\W*(?:[Hh]vis|[Nn]år|[Ss]åfremt|[Ee]n\s+hjemvisning)\b")
_GENERIC = re.compile(r"\b(?:ofte|typisk|normalt|generelt|sjældent|som\s+regel)\b")
# "ændrede, ophævede og hjemviste sager": participles used as adjectives before a plural noun.
_PLURAL_OBJECT = re.compile(
    r"(?:\s{0,2},?\s{1,3}(?:og\s{1,3}|eller\s{1,3})?[\wæøå]+(?:ede|te|et|t))*\s{1,3}"
    r"[\wæøå]*(?:sager|afgørelser|klager)\b"
)
_NEGATION = re.compile(r"\bikke\s{1,3}$")
_PARTIAL = re.compile(r"\bdelvis[t]?\b")
_THEN_REMIT = re.compile(r".{0,80}?\bhjemvis(?:er|te|t)\b", re.DOTALL)
# How far back the subject, a modal verb or a negation of an outcome verb is looked for.
_REACH = 300


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


def _formula_candidates(sentence: str, base: int, formal: bool) -> list[_Candidate]:
    found = []
    for pattern, outcome, cue in _FORMULAS:
        if cue not in sentence:
            continue
        for match in pattern.finditer(sentence):
            if not formal and _MODAL.search(sentence[max(0, match.start() - 60) : match.start()]):
                continue
            if formal or outcome != "stadfæstet":
                found.append(
                    _Candidate(
                        3 if formal else 2, base + match.start(), outcome, False, sentence, "formel"
                    )
                )
    return found


def _active_candidates(sentence: str, base: int, formal: bool) -> list[_Candidate]:
    found = []
    for pattern, outcome, cue in _ACTIVE:
        if cue not in sentence:
            continue
        for match in pattern.finditer(sentence):
            before = sentence[max(0, match.start() - _REACH) : match.start()]
            kind = _subject_kind(before)
            if "medhold" in match.group():
                # "Du får (ikke) medhold": the citizen is the subject in a decision letter.
                outcome = "stadfæstet" if re.search(r"\bikke\b", match.group()) else "ændret"
                kind = kind or ("appeal" if formal else None)
            if kind not in ("appeal", "lower"):
                continue
            near = sentence[max(0, match.start() - 25) : match.end() + 15]
            if _MODAL.search(before[-40:]) or _GENERIC.search(near):
                continue
            if _PLURAL_OBJECT.match(sentence, match.end()):
                continue
            result = outcome
            if _NEGATION.search(before):
                if result != "ændret":
                    continue
                result = "stadfæstet"
            if result == "ophævet" and _THEN_REMIT.match(sentence, match.end()):
                result = "hjemvist"
            priority = 3 if formal and kind == "appeal" else (2 if kind == "appeal" else 1)
            partial = _partial(sentence, match.start(), match.end())
            found.append(
                _Candidate(priority, base + match.start(), result, partial, sentence, "handling")
            )
    return found


def _passive_candidates(sentence: str, base: int, formal: bool) -> list[_Candidate]:
    found = []
    for pattern in _PASSIVE:
        for match in pattern.finditer(sentence):
            result = _PASSIVE_FORMS.get(match.group(1), match.group(1))
            if _MODAL.search(sentence[max(0, match.start() - 30) : match.start(1)]):
                continue
            partial = _partial(sentence, match.start(), match.end())
            priority = 3 if formal else 2
            found.append(
                _Candidate(priority, base + match.start(), result, partial, sentence, "passiv")
            )
    return found


def _candidates(sentence: str, base: int, formal: bool) -> list[_Candidate]:
    return (
        _formula_candidates(sentence, base, formal)
        + _active_candidates(sentence, base, formal)
        + _passive_candidates(sentence, base, formal)
    )


def find_outcome(text: str, doc_type: str | None) -> Outcome | None:
    """The outcome the text reports, with the sentence it came from, or None."""
    if doc_type not in DECIDING | REPORTING:
        return None
    reporting = doc_type in REPORTING
    cues = word_starts(text, _CUES)
    results = word_starts(text, (_RESULT_CUE,))
    if cues is None or results is None:
        cues = [p for word in _CUES for p in _occurrences(text, word)]
        results = _occurrences(text, _RESULT_CUE[1:])
    if not cues:
        return None
    index = sentence_index(text)
    # Only sentences with a cue or "Resultatet er:" matter; the rest are skipped unread.
    with_cue = {index.key(p) for p in cues}
    keys = with_cue | {index.key(p) for p in results}
    keys.discard(None)
    candidates: list[_Candidate] = []
    formal: tuple = ()
    for key in sorted(keys):
        span = index.span(key)
        sentence = " ".join(text[span.start : span.end].split())
        if _RESULT.search(sentence):
            # "Resultatet er:" makes this sentence and the next one the formal result.
            formal = (key, index.following(key))
        if key not in with_cue:
            continue
        if _STATISTICS.search(sentence) or _CONDITIONAL.search(sentence):
            continue
        if reporting and (not _APPEAL_BODY.search(sentence) or _GENERAL.search(sentence)):
            continue
        found = _candidates(sentence, span.start, formal=key in formal)
        if reporting:
            found = [c for c in found if c.priority >= 2]
        candidates.extend(found)
    if not candidates:
        return None
    best = min(candidates, key=lambda c: (-c.priority, c.position))
    partial, result = best.partial, best.outcome
    # "stadfæstede … og hjemviste sagen for så vidt angik …": part upheld, part changed.
    others = {c.outcome for c in candidates if c.sentence is best.sentence} - {best.outcome}
    if result == "stadfæstet" and others:
        partial, result = True, sorted(others, key=OUTCOMES.index)[0]
    elif others == {"stadfæstet"}:
        partial = True
    outcome = f"delvis {result}" if partial else result
    return Outcome(outcome, best.sentence, best.rule)
