"""Parse Danish law citations ("servicelovens § 112, stk. 1", "§§ 11 og 12", "LAB § 96 a").

A citation becomes (law, paragraph, stk., nr.). The law comes from the citation itself
(genitive, abbreviation or "i <lov>"), from a list it belongs to, from "lovens"/"samme lov", or
from the context: the one law named earlier in the sentence, an earlier citation of the same
paragraph, or the one law named in the section. When the context names more than one law, the
law stays unresolved. Every pattern has bounded repetition, so the work is linear in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from retskilde.db.enrich.laws import Law, LawMention, Registry, registry
from retskilde.db.enrich.text import section_index, sentence_index

MAX_RANGE = 20
_MAX_STEPS = 64

_SIGN = re.compile(r"§§?")
_PARA = re.compile(r"\s{0,3}(\d{1,4})(?:\s?([a-hj-z])(?![\wæøå]))?(?![\d])")
_CONT_PARA = re.compile(
    r"\s{0,3}(\d{1,3})(?!\d)(?:\s?([a-hj-z])(?![\wæøå]))?(?![.,]\d|\.\s{0,3}pkt)"
)
_CONT_NUM = re.compile(r"\s{0,3}(\d{1,3})(?!\d)(?![.,]\d|\.\s{0,3}pkt)")
_STK = re.compile(r"\s{0,3}stk\.?\s{0,3}(\d{1,3})(?!\d)", re.IGNORECASE)
_NR = re.compile(r"\s{0,3}nr\.?\s{0,3}(\d{1,3})(?!\d)", re.IGNORECASE)
_PKT = re.compile(
    r"\s{0,3}\d{1,2}\.(?:\s{0,3}(?:,|og|[-–])\s{0,3}\d{1,2}\.){0,5}\s{0,3}pkt\.?", re.IGNORECASE
)
_SEP = re.compile(
    r"(?:\s{0,3},\s{0,3}(?:(?:og|eller|samt)\s{1,3})?|\s{1,3}(?:og|eller|samt)\s{1,3})",
    re.IGNORECASE,
)
_RANGE = re.compile(r"\s{0,2}[-–]\s{0,2}(\d{1,4})(?![\d\wæøå])")
_BAD_FOLLOW = re.compile(
    r"\s{0,3}(?:%|procent|pct|kr\b|år\b|uger|måneder|dage|timer|sager|gange|personer|borgere|"
    r"mio|mia|[.,]\d)",
    re.IGNORECASE,
)
_CHAIN_GAP = re.compile(r"\s{0,3}(?:,\s{0,3})?(?:(?:og|eller|samt)\s{0,3})?", re.IGNORECASE)
_ANAPHOR_BEFORE = re.compile(r"(?i:(?<![\w])(lovens|samme\s{1,3}lovs|bekendtgørelsens)\s{1,3})$")
_SUFFIX_IN = re.compile(
    r",?\s{1,3}i\s{1,3}(?:den\s{1,3}(?:dagældende|gældende|nugældende|tidligere|nye)\s{1,3})?"
    r"(?:(?:lov)?bekendtgørelse\s{1,3}af\s{1,3})?",
    re.IGNORECASE,
)
# "Lov om social service (serviceloven), senest bekendtgjort i lovbekendtgørelse nr. 1129 af
# 22. september 2025. §§ 109 og 110 …", "Lov om social bistand – lovbekendtgørelse nr. 614 af
# 26. juni 2001 - § 14": the law's title, its promulgation, then the paragraphs cited.
_PROMULGATION = re.compile(
    r"\)?\s{0,3}[,–-]?\s{0,3}(?:senest\s{1,3}bekendtgjort\s{1,3}i\s{1,3})?"
    r"(?:lovbekendtgørelse|lov)\s{1,3}nr\.\s{0,2}(?:nr\.\s{0,2})?\d{1,5}\s{1,3}af\s{1,3}"
    r"\d{1,2}\.\s{0,2}[a-zæø]{3,9}\s{1,3}\d{4}(?:\s{1,3}med\s{1,3}senere\s{1,3}ændringer)?"
    r"\s{0,3}[.,–-]?\s{0,3}",
    re.IGNORECASE,
)
_PROMULGATION_REACH = 160
# "§ 151, stk. 4, jf. stk. 2": another stk. of the same paragraph.
_JF_STK = re.compile(r"\s{0,3},?\s{0,3}jf\.\s{0,3}(?=stk)", re.IGNORECASE)
_SUFFIX_ANAPHOR = re.compile(r"(samme\s{1,3}lov|loven|bekendtgørelsen)(?![\wæøå])", re.IGNORECASE)
_SUFFIX_PAREN = re.compile(r"\s{0,2}\(")


@dataclass(frozen=True, order=True)
class LawRef:
    law_id: str | None
    paragraph: str
    stk: int | None = None
    nr: int | None = None


@dataclass(frozen=True)
class FoundRef:
    ref: LawRef
    start: int
    end: int
    raw: str
    resolution: str | None


@dataclass
class _Item:
    paragraph: str
    entries: list[tuple[int | None, int | None]]


@dataclass
class _Group:
    start: int
    end: int
    items: list[_Item]
    law: Law | None = None
    resolution: str | None = None
    attached: LawMention | None = None
    suffix_law: Law | None = None
    anaphor: str | None = None


def canonical(ref: LawRef, reg: Registry | None = None) -> str:
    """The canonical text of a reference: "serviceloven § 112, stk. 1, nr. 3" (or "§ 19")."""
    reg = reg or registry()
    text = f"§ {ref.paragraph}"
    if ref.stk is not None:
        text += f", stk. {ref.stk}"
    if ref.nr is not None:
        text += f", nr. {ref.nr}"
    if ref.law_id is None:
        return text
    return f"{reg.law(ref.law_id).short_name} {text}"


def paragraph_label(ref: LawRef, reg: Registry | None = None) -> str | None:
    """The law and paragraph without stk./nr., for facets ("serviceloven § 112")."""
    if ref.law_id is None:
        return None
    return canonical(LawRef(ref.law_id, ref.paragraph), reg)


def _paragraph(number: str, letter: str | None) -> str:
    number = str(int(number))
    return f"{number} {letter}" if letter else number


def _add_stk(item: _Item, stk: int) -> None:
    item.entries.append((stk, None))


def _add_nr(item: _Item, nr: int) -> None:
    if item.entries and item.entries[-1][1] is None:
        item.entries[-1] = (item.entries[-1][0], nr)
    elif item.entries:
        item.entries.append((item.entries[-1][0], nr))
    else:
        item.entries.append((None, nr))


def _last_value(item: _Item, mode: str) -> int | None:
    if mode == "para":
        # "§§ 12 c-14" runs from 12 c to 14: the range adds 13 and 14.
        return int(item.paragraph.split()[0])
    if not item.entries:
        return None
    return item.entries[-1][0 if mode == "stk" else 1]


def _parse_group(text: str, start: int, after_sign: int) -> _Group | None:
    first = _PARA.match(text, after_sign)
    if not first:
        return None
    items = [_Item(_paragraph(first.group(1), first.group(2)), [])]
    mode = "para"
    pos = first.end()
    for _ in range(_MAX_STEPS):
        if (jf := _JF_STK.match(text, pos)) and (match := _STK.match(text, jf.end())):
            _add_stk(items[-1], int(match.group(1)))
            mode, pos = "stk", match.end()
            continue
        sep = _SEP.match(text, pos)
        after = sep.end() if sep else pos
        if match := _PKT.match(text, after):
            pos = match.end()
            continue
        if match := _STK.match(text, after):
            _add_stk(items[-1], int(match.group(1)))
            mode, pos = "stk", match.end()
            continue
        if match := _NR.match(text, after):
            _add_nr(items[-1], int(match.group(1)))
            mode, pos = "nr", match.end()
            continue
        if (match := _RANGE.match(text, pos)) and not sep:
            low, high = _last_value(items[-1], mode), int(match.group(1))
            if low is None or not low < high <= low + MAX_RANGE:
                break
            for value in range(low + 1, high + 1):
                if mode == "para":
                    items.append(_Item(str(value), []))
                elif mode == "stk":
                    _add_stk(items[-1], value)
                else:
                    _add_nr(items[-1], value)
            pos = match.end()
            continue
        pattern = _CONT_PARA if mode == "para" else _CONT_NUM
        match = pattern.match(text, after) if sep else None
        if match and not _BAD_FOLLOW.match(text, match.end()):
            if mode == "para":
                items.append(_Item(_paragraph(match.group(1), match.group(2)), []))
            elif mode == "stk":
                _add_stk(items[-1], int(match.group(1)))
            else:
                _add_nr(items[-1], int(match.group(1)))
            pos = match.end()
            continue
        break
    return _Group(start, pos, items)


def _groups(text: str) -> list[_Group]:
    groups: list[_Group] = []
    last_end = 0
    for sign in _SIGN.finditer(text):
        if sign.start() < last_end:
            continue
        group = _parse_group(text, sign.start(), sign.end())
        if group:
            groups.append(group)
            last_end = group.end
    return groups


def _mention_ending_before(mentions: list[LawMention], ends: list[int], text: str, pos: int):
    i = bisect_right(ends, pos) - 1
    if i >= 0:
        gap = text[mentions[i].end : pos]
        if len(gap) <= 3 and not gap.strip():
            return mentions[i]
        if len(gap) <= _PROMULGATION_REACH and _PROMULGATION.fullmatch(gap):
            return mentions[i]
    return None


def _mention_starting_at(mentions: list[LawMention], starts: list[int], pos: int):
    i = bisect_left(starts, pos)
    if i < len(mentions) and mentions[i].start == pos:
        return mentions[i]
    return None


def _attach_explicit(text: str, groups: list[_Group], mentions: list[LawMention]) -> None:
    starts = [m.start for m in mentions]
    ends = [m.end for m in mentions]
    for group in groups:
        before = _mention_ending_before(mentions, ends, text, group.start)
        if before:
            group.law, group.resolution, group.attached = before.law, "eksplicit", before
            continue
        if anaphor := _ANAPHOR_BEFORE.search(text, max(0, group.start - 30), group.start):
            group.anaphor = anaphor.group(1).lower()
            continue
        suffix = _SUFFIX_IN.match(text, group.end)
        if suffix and (mention := _mention_starting_at(mentions, starts, suffix.end())):
            group.law, group.resolution, group.attached = mention.law, "eksplicit", mention
            group.suffix_law = mention.law
            continue
        if suffix and (anaphor := _SUFFIX_ANAPHOR.match(text, suffix.end())):
            group.anaphor = anaphor.group(1).lower()
            continue
        paren = _SUFFIX_PAREN.match(text, group.end)
        mention = _mention_starting_at(mentions, starts, paren.end()) if paren else None
        if mention and text.startswith(")", mention.end):
            group.law, group.resolution, group.attached = mention.law, "eksplicit", mention
            group.suffix_law = mention.law


def _chains(text: str, groups: list[_Group]) -> list[list[_Group]]:
    chains: list[list[_Group]] = []
    for group in groups:
        if chains:
            previous = chains[-1][-1]
            gap = text[previous.end : group.start]
            match = _CHAIN_GAP.fullmatch(gap)
            if match and gap.strip():
                chains[-1].append(group)
                continue
        chains.append([group])
    return chains


def _resolve_chains(chains: list[list[_Group]]) -> None:
    """In "§ 14 og § 91 i aktivloven" or "aktivlovens § 14 og § 91" every group gets the law."""
    for chain in chains:
        later: list[Law | None] = [None] * len(chain)
        following = None
        for i in range(len(chain) - 1, -1, -1):
            later[i] = following
            following = chain[i].suffix_law or following
        earlier = None
        for i, group in enumerate(chain):
            if not group.law and not group.anaphor and (later[i] or earlier):
                group.law, group.resolution = later[i] or earlier, "opremsning"
            earlier = group.law or earlier


def _resolve_anaphors(groups: list[_Group], mentions: list[LawMention]) -> None:
    ends = [m.end for m in mentions]
    for group in groups:
        if not group.anaphor or group.law:
            continue
        wants_regulation = "bekendtgørelse" in group.anaphor
        for i in range(bisect_right(ends, group.start) - 1, -1, -1):
            if mentions[i].law.is_regulation == wants_regulation:
                group.law, group.resolution = mentions[i].law, "henvisning"
                break


def _distinct(laws) -> list[Law]:
    seen: dict[str, Law] = {}
    for law in laws:
        seen.setdefault(law.id, law)
    return list(seen.values())


class _Context:
    """Lookups for resolving bare citations, each in logarithmic or constant time."""

    def __init__(
        self, text: str, groups: list[_Group], mentions: list[LawMention], about: Law | None
    ):
        self.text = text
        self.mentions = mentions
        self.document_laws = _distinct(m.law for m in mentions)
        self.about = about
        self.starts = [m.start for m in mentions]
        self.sentences = sentence_index(text)
        self.sections = section_index(text)
        self.attached = {id(g.attached) for g in groups if g.attached}
        self.earlier: dict[str, dict[str, Law]] = {}
        self._section_laws: dict[int, list[Law]] = {}

    def within(self, start: int, end: int) -> list[LawMention]:
        i, j = bisect_left(self.starts, start), bisect_left(self.starts, end)
        return [m for m in self.mentions[i:j] if m.end <= end]

    def section_laws(self, position: int) -> list[Law]:
        section = self.sections.at(position)
        if section is None:
            return []
        if section.start not in self._section_laws:
            laws = _distinct(m.law for m in self.within(section.start, section.end))
            self._section_laws[section.start] = laws
        return self._section_laws[section.start]

    def previous_sentence_laws(self, position: int) -> list[Law]:
        """For a sentence that starts with the citation, the laws the sentence before names
        without citing a paragraph of them: in "Bekendtgørelse nr. 1244 af … om … efter
        servicelovens §§ 109 og 110. §§ 2-5 om egenbetaling." the paragraphs are the
        bekendtgørelse's."""
        sentence = self.sentences.at(position)
        if sentence is None or sentence.start == 0:
            return []
        if self.text[sentence.start : position].strip():
            return []
        before = self.sentences.at(sentence.start - 1)
        if before is None:
            return []
        inside = self.within(before.start, before.end)
        return _distinct(m.law for m in inside if id(m) not in self.attached)

    def remember(self, group: _Group) -> None:
        for item in group.items:
            self.earlier.setdefault(item.paragraph, {}).setdefault(group.law.id, group.law)


def _resolve_context(
    text: str, groups: list[_Group], mentions: list[LawMention], about: Law | None = None
) -> None:
    context = _Context(text, groups, mentions, about)
    for group in groups:
        if group.law is None and not group.anaphor:
            group.law, group.resolution = _from_context(group, context)
        if group.law:
            context.remember(group)


def _from_context(group: _Group, context: _Context) -> tuple[Law | None, str | None]:
    """The law the context gives a bare citation, and how; (None, None) when ambiguous.

    A law cited with § earlier in the same sentence is the strongest hint; then an earlier
    citation of the same paragraph in the document; then a law merely named in the sentence
    ("tilbud efter lov om …"); then the only law named in the section.
    """
    sentence = context.sentences.at(group.start)
    inside = context.within(sentence.start, sentence.end) if sentence else []
    before = [m for m in inside if m.end <= group.start]
    cited_before = _distinct(m.law for m in before if id(m) in context.attached)
    if len(cited_before) == 1:
        return cited_before[0], "sætning"
    if len(cited_before) > 1:
        return None, None
    earlier = _distinct(
        law for item in group.items for law in context.earlier.get(item.paragraph, {}).values()
    )
    if len(earlier) == 1:
        return earlier[0], "tidligere henvisning"
    named_before = _distinct(m.law for m in before)
    if len(named_before) == 1:
        return named_before[0], "sætning"
    if len(named_before) > 1:
        return None, None
    after = _distinct(
        m.law for m in inside if m.start >= group.end and id(m) not in context.attached
    )
    if len(after) == 1:
        return after[0], "sætning"
    if len(after) > 1:
        return None, None
    previous = context.previous_sentence_laws(group.start)
    if len(previous) == 1:
        return previous[0], "forrige sætning"
    named = context.section_laws(group.start)
    if len(named) == 1:
        return named[0], "afsnit"
    if len(named) > 1:
        return None, None
    if len(context.document_laws) == 1:
        return context.document_laws[0], "dokument"
    if not context.document_laws and context.about is not None:
        return context.about, "dokumentets lov"
    return None, None


def find_refs(
    text: str, date: str | None = None, reg: Registry | None = None, about: str | None = None
) -> list[FoundRef]:
    """Every law citation in `text`, in order, with the law resolved where that is unambiguous.

    `about`: the id of the one law the source tags the document with; a bare paragraph gets it
    when the text itself names no law at all."""
    reg = reg or registry()
    mentions = reg.mentions(text, date)
    groups = _groups(text)
    _attach_explicit(text, groups, mentions)
    _resolve_chains(_chains(text, groups))
    _resolve_anaphors(groups, mentions)
    _resolve_context(text, groups, mentions, reg.laws.get(about) if about else None)
    found = []
    for group in groups:
        start, end = group.start, group.end
        if group.attached and group.resolution == "eksplicit":
            start, end = min(start, group.attached.start), max(end, group.attached.end)
        raw = " ".join(text[start:end].split())
        law_id = group.law.id if group.law else None
        for item in group.items:
            for stk, nr in item.entries or [(None, None)]:
                ref = LawRef(law_id, item.paragraph, stk, nr)
                found.append(FoundRef(ref, start, end, raw, group.resolution))
    return found


def parse(text: str, date: str | None = None) -> list[LawRef]:
    """The references in `text`, without positions (round-trips `canonical`)."""
    return [found.ref for found in find_refs(text, date)]
