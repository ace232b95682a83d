"""Metadata read from an imported document's own text, where the user gave none.

The rules look where documents of this kind state their metadata, not at the whole text:
the head of the document (a memo's "Til/Fra/Sagsnr." block, a letterhead, a cover, the date
line) and its foot (a signature, an address). A municipality or organisation that is only
mentioned in the body is what the document is about, not who wrote it; the build's enrichment
finds those mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from retskilde.scrapers.dates import MONTH_NAMES, is_date_only, parse_date, parse_month

HEAD = 15  # paragraphs at the top where a memo block, letterhead, title and date stand
FOOT = 5  # paragraphs at the end: signature, address, "Aarhus, den …"
MAX_TITLE = 200
SHORT_LINE = 60  # a date or month in a line this short is the document's date, not a sentence's

# Memo block labels: "Til", "Kopi til", "Fra", "Sagsnr.", "Dato" … each opening its own line.
_LABEL = re.compile(
    r"^(?P<label>kopi til|cc|til|fra|afsender|sagsnr|sags nr|sagsnummer|j\.? ?nr|journalnr|"
    r"dok\.? ?nr|dokumentnr|dato|udgivet af|udgiver|udgivet|offentliggjort|init|initialer|"
    r"ref|vedr|vedrørende|"
    r"emne|titel|sagsbehandler|udarbejdet af|forfatter|kontakt|udvalg|mødedato|mødested|møde)"
    r"\b\.?\s*:?\s*(?P<value>.*)$",
    re.I,
)
_SUBJECT_LABELS = {"vedr", "vedrørende", "emne", "titel"}
_DATE_LABELS = {"dato", "udgivet", "offentliggjort"}
_CASE_LABELS = {"sagsnr", "sags nr", "sagsnummer", "j.nr", "j. nr", "jnr", "j nr", "journalnr"}
# A later label on the same line ("Sagsnr. 27.00.00 Init.: kaj") ends a value.
_NEXT_LABEL = re.compile(r"\s+(?:Init|Initialer|Ref|Dato|Sagsbehandler)\b\.?\s*:?.*$")
# One word that names what the document is, alone on its line (a memo's "NOTAT").
_TYPE_WORDS = {
    "notat": "notat",
    "nyhedsbrev": "nyhedsbrev",
    "udspil": "udspil",
    "høringssvar": "udspil",
    "pressemeddelelse": "nyhed",
    "nyhed": "nyhed",
    "nyheder": "nyhed",
    "analyse": "analyse",
    "rapport": "analyse",
    # A committee's agenda or minutes: the schema's type for agenda material.
    "dagsorden": "dagsordenpunkt",
    "referat": "dagsordenpunkt",
    "tillægsdagsorden": "dagsordenpunkt",
}
# Title words that say what a document is, in order of precedence.
_TITLE_CUES = (
    ("nyhedsbrev", re.compile(r"\bnyhedsbrev", re.I)),
    ("notat", re.compile(r"^notat\b", re.I)),
    ("dagsordenpunkt", re.compile(r"^(?:dagsorden|referat|tillægsdagsorden)\b", re.I)),
    (
        "udspil",
        re.compile(r"\b(?:udspil|høringssvar|forslag til|anbefalinger|vores forslag)", re.I),
    ),
    ("fokusrevision", re.compile(r"\bfokusrevision", re.I)),
    (
        "analyse",
        re.compile(r"\b(?:analyse|rapport|undersøgelse|evaluering|kortlægning|statistik)\w*", re.I),
    ),
)
# Body headings that only a committee agenda item has, and only a report has.
_AGENDA_HEADINGS = {"sagsfremstilling", "indstilling", "beslutning", "sagsresume", "sagsresumé"}
_REPORT_HEADINGS = {"indholdsfortegnelse", "sammenfatning", "metode", "resumé", "konklusion"}
# Web-page leftovers and page furniture that are never a title.
_NOISE = re.compile(
    r"^(?:(?:gå|spring) (?:til|over) \w+|skip to (?:main )?content|til forsiden|menu|søg|"
    r"print|del|side \d+(?: af \d+)?|"
    r"\d+|forside|du er her:?.*|(?:https?://|www\.)\S+|\S+@\S+\.\w+|(?:tlf|telefon)\.?\s*:?.*)$",
    re.I,
)
# A line that ends in the kind of word an organisation's name ends in.
_ORG_WORDS = (
    r"forening|foreningen|forbund|forbundet|organisation|organisationer|styrelsen|styrelse|"
    r"ministeriet|rådet|råd|sammenslutning|institut|instituttet|centret|center|fonden|netværk|"
    r"netværket|sekretariat|sekretariatet|forvaltning|forvaltningen|afdeling|afdelingen|"
    r"kommune|regionskommune"
)
_ORG_END = re.compile(rf"(?i:{_ORG_WORDS})$|^(?:KL|STAR)$")
# "Foreningen af …", "Landsforeningen for …", "Rådet for …": the name starts with what it is.
_ORG_START = re.compile(rf"^(?:[A-ZÆØÅ]\w*)?(?i:{_ORG_WORDS})\s+(?:af|for|i|mod)\s")
_NATIONAL_SOURCES = {
    "ankestyrelsen": "ast",
    "star": "star",
    "styrelsen for arbejdsmarked og rekruttering": "star",
}
_COMMITTEE = re.compile(
    r"((?:[A-ZÆØÅ][\wæøå]*-\s(?:og|,)\s)?[A-ZÆØÅ][\wæøå]*udvalg(?:et)?|"
    r"Byrådet|Kommunalbestyrelsen|Borgerrepræsentationen|Regionsrådet)"
)
_POSTCODE_CITY = re.compile(r"\b\d{4}\s+([A-ZÆØÅ][\wæøå-]+(?:\s[A-ZÆØÅ][\wæøå-]+)?)")
_JOBCENTER = re.compile(r"\bJobcenter\s+([A-ZÆØÅ][\wæøå-]+(?:[ -][A-ZÆØÅ][\wæøå-]+)?)")
_COUNCIL = re.compile(
    r"\b(?:([A-ZÆØÅ][\wæøå-]+)\s+(?:Byråd|Kommunalbestyrelse)|"
    r"(?:Byrådet|Kommunalbestyrelsen)\s+i\s+([A-ZÆØÅ][\wæøå-]+))"
)
# Where the postcode-and-city of an address says which municipality wrote it: a jobcenter's or
# a municipal department's address, not an organisation's head office.
_MUNICIPAL_LINE = re.compile(r"jobcenter|kommune|forvaltning|rådhus|borgerservice", re.I)
_STREET_THEN_NUMBER = re.compile(r"\s+[A-ZÆØÅ][\wæøå.-]*\s+\d.*$")
DEFAULT_DOC_TYPE = {"kommune": "notat", "organisation": "udspil", "ast": "nyhed", "star": "analyse"}


@dataclass(frozen=True)
class Inferred:
    """What the document says about itself; None where it says nothing."""

    title: str | None = None
    date: str | None = None
    municipality: str | None = None
    issuer: str | None = None
    committee: str | None = None
    case_number: str | None = None
    doc_type: str | None = None
    source: str | None = None


@cache
def _municipality_names() -> dict[str, str]:
    """Every written form of a municipality's name (Aarhus, Århus, Københavns …) → its name."""
    from retskilde.db.enrich.municipalities import _forms

    return {form.replace("-", " ").casefold(): name for form, name in _forms().items()}


def municipality_name(text: str) -> str | None:
    """The municipality `text` names ("Aalborg", "Aalborg Kommune", "Københavns"), else None."""
    text = re.sub(r"\s+(?:Kommune|Regionskommune)$", "", text.strip(), flags=re.I)
    return _municipality_names().get(text.replace("-", " ").casefold())


def _official(name: str) -> str:
    from retskilde.db.enrich.municipalities import municipalities

    return next(m.official for m in municipalities() if m.name == name)


def _memo_labels(head: list[str]) -> dict[str, str]:
    """The memo block's labels → values, first of each."""
    found: dict[str, str] = {}
    for paragraph in (line for row in head for line in _label_lines(row)):
        match = _LABEL.match(paragraph)
        if match and len(paragraph) <= MAX_TITLE:
            label = re.sub(r"[.\s]+", " ", match.group("label").lower()).strip()
            label = label.replace("j nr", "j.nr")
            found.setdefault(label, match.group("value").strip())
    return found


def _label_lines(paragraph: str) -> list[str]:
    """A memo line as it is, or a table row's label-value pairs as lines: Word memos often set
    the block as a table ("Til | Beskæftigelsesudvalget | Dato | 26.05.2014")."""
    if " | " not in paragraph:
        return [paragraph]
    cells = [cell.strip() for cell in paragraph.split(" | ")]
    lines: list[str] = []
    position = 0
    while position < len(cells):
        match = _LABEL.match(cells[position])
        if match and not match.group("value").strip(" :") and position + 1 < len(cells):
            lines.append(f"{cells[position]} {cells[position + 1]}")
            position += 2
        else:
            lines.append(cells[position])
            position += 1
    return lines


def _is_furniture(paragraph: str) -> bool:
    """A line that is never the title: memo label, type word, date, web leftover, letterhead."""
    stripped = paragraph.strip(" :")
    return bool(
        _LABEL.match(paragraph)
        or stripped.casefold() in _TYPE_WORDS
        or is_date_only(stripped)
        or is_date_line(stripped)
        or _NOISE.match(stripped)
        or municipality_name(stripped)
        or _is_organisation_line(stripped)
    )


def is_date_line(paragraph: str) -> bool:
    """A line that is a date with at most a place or weekday ("Aalborg, den 26. maj 2014",
    "Maj 2014"), not a sentence or title that happens to hold a date."""
    if len(paragraph) > SHORT_LINE or not (parse_date(paragraph) or parse_month(paragraph)):
        return False
    words = [
        w
        for w in re.findall(r"[^\W\d_]+", paragraph.casefold())
        if w not in _DATE_WORDS and w[:3] not in _MONTH_STEMS
    ]
    return len(words) <= 2


_DATE_WORDS = {
    "den",
    "d",
    "dato",
    "mandag",
    "tirsdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lørdag",
    "søndag",
}
_MONTH_STEMS = {name[:3] for name in MONTH_NAMES}


def _is_organisation_line(paragraph: str) -> bool:
    words = paragraph.split()
    if not 1 <= len(words) <= 7 or not paragraph[:1].isupper() or not words[-1][:1].isupper():
        return False
    return bool(_ORG_END.search(paragraph) or _ORG_START.match(paragraph))


def _name_at_end(line: str) -> str:
    """The proper name a line ends with: "Formand for Dansk Socialrådgiverforening" → the
    organisation, "Styrelsen for Arbejdsmarked og Rekruttering" whole."""
    words = line.split()
    start = len(words) - 1
    while start > 0 and (
        words[start - 1][:1].isupper()
        or (words[start - 1] in _NAME_LINKS and words[start][:1].isupper())
    ):
        start -= 1
    while start < len(words) - 1 and words[start] in _NAME_LINKS:
        start += 1
    name = " ".join(words[start:])
    # "Formand for Dansk Socialrådgiverforening" is a role before the name;
    # "Styrelsen for Arbejdsmarked og Rekruttering" is the name.
    before, link, after = name.partition(" for ")
    if link and after and not _ORG_END.search(before):
        return after
    return name


_NAME_LINKS = {"og", "for", "i", "af"}


def _looks_like_title(paragraph: str) -> bool:
    words = re.findall(r"[^\W\d_]{2,}", paragraph)
    if len(words) < 2 or len(paragraph) > MAX_TITLE:
        return False
    # A sentence of body text ends in a full stop and runs long; a heading does neither.
    return not (paragraph.endswith(".") and len(paragraph) > 80)


def infer_title(paragraphs: list[str], heading: str | None) -> str | None:
    """The format's own heading; else a memo's "Vedr.:" line; else the first heading-like line
    after the memo block, letterhead and date line."""
    if heading and len(heading) >= 3:
        return heading[:MAX_TITLE]
    labels = _memo_labels(paragraphs[:HEAD])
    for label in _SUBJECT_LABELS:
        if len(labels.get(label, "")) >= 3:
            return labels[label][:MAX_TITLE]
    for paragraph in paragraphs[:HEAD]:
        if _is_furniture(paragraph) or len(paragraph.split()) < 2:
            continue  # a lone word ("Dagsordenpunkter") is a section label, not the title
        if _looks_like_title(paragraph):
            return paragraph
        break
    # No heading: the opening sentence, cut at a word.
    for paragraph in paragraphs:
        if not _is_furniture(paragraph) and len(re.findall(r"[^\W\d_]{2,}", paragraph)) >= 2:
            sentence = re.split(r"(?<=[.!?])\s", paragraph, maxsplit=1)[0]
            if len(sentence) > 120:
                sentence = sentence[:120].rsplit(" ", 1)[0] + " …"
            return sentence
    return None


def infer_date(paragraphs: list[str], hint: str | None = None) -> str | None:
    """The document's date: a "Dato:" line, a date line of its own (at the head or the foot),
    the format's own date, then a month on a short line ("Maj 2014" → the 1st)."""
    head, foot = paragraphs[:HEAD], paragraphs[-FOOT:]
    labels = _memo_labels(head)
    for label in _DATE_LABELS:
        if label in labels and (found := parse_date(labels[label])):
            return found
    for paragraph in [*head, *foot]:
        if (is_date_line(paragraph) or is_date_only(paragraph)) and (
            found := parse_date(paragraph)
        ):
            return found
    if hint:
        return hint
    for paragraph in head:
        if is_date_line(paragraph) and (month := parse_month(paragraph)):
            return f"{month[0]:04d}-{month[1]:02d}-01"
    return None


def _municipality_in(line: str, address: bool) -> str | None:
    from retskilde.db.enrich.municipalities import find_municipalities

    candidates: list[tuple[int, str]] = [(m.start, m.name) for m in find_municipalities(line)]
    for pattern in (_JOBCENTER, _COUNCIL):
        for match in pattern.finditer(line):
            value = next(g for g in match.groups() if g)
            if name := municipality_name(value) or municipality_name(value.split()[0]):
                candidates.append((match.start(), name))
    if address:
        for match in _POSTCODE_CITY.finditer(line):
            city = re.sub(r"\s+[A-ZÆØÅ]$", "", match.group(1))  # "8000 Aarhus C"
            if name := municipality_name(city) or municipality_name(city.split()[0]):
                candidates.append((match.start(), name))
    return min(candidates)[1] if candidates else None


def infer_municipality(paragraphs: list[str]) -> str | None:
    """The municipality that wrote the document: its name with "Kommune", a jobcenter, its
    council, a committee addressed in "Til", or a municipal address, at the head or the foot."""
    head, foot = paragraphs[:HEAD], paragraphs[-FOOT:]
    labels = _memo_labels(head)
    memo_lines = [labels[k] for k in ("fra", "til", "afsender", "kopi til") if k in labels]
    for line in [*memo_lines, *head, *foot]:
        if name := _municipality_in(line, address=bool(_MUNICIPAL_LINE.search(line))):
            return name
    # A memo's sender is municipal by being a memo's: "Fra Jobcentersekretariatet, 9000 Aalborg".
    for line in memo_lines:
        if name := _municipality_in(line, address=True):
            return name
    return None


def infer_issuer(paragraphs: list[str], municipality: str | None) -> str | None:
    """Who wrote it: the memo's "Fra", else an organisation's name on a line of its own at the
    head or foot, else the municipality."""
    head, foot = paragraphs[:HEAD], paragraphs[-FOOT:]
    labels = _memo_labels(head)
    sender = next(
        (
            labels[k]
            for k in ("fra", "afsender", "udgivet af", "udgiver", "udarbejdet af")
            if k in labels
        ),
        None,
    )
    if sender:
        sender = _NEXT_LABEL.sub("", _STREET_THEN_NUMBER.sub("", sender)).strip(" ,")
        if len(sender) >= 2 and re.search(r"[^\W\d_]{2,}", sender):
            if municipality and "kommune" not in sender.casefold():
                return f"{sender}, {_official(municipality)}"
            return sender
    for paragraph in [*head, *foot]:
        stripped = paragraph.strip(" ,.")
        if _is_organisation_line(stripped) and not _LABEL.match(stripped):
            if name := municipality_name(stripped):
                return _official(name)
            return _name_at_end(stripped)
    return _official(municipality) if municipality else None


def infer_committee(paragraphs: list[str]) -> str | None:
    """The committee (or council) a memo is addressed to in its "Til" line."""
    labels = _memo_labels(paragraphs[:HEAD])
    for label in ("til", "udvalg", "kopi til"):
        if label in labels and (match := _COMMITTEE.search(labels[label])):
            return match.group(1)
    return None


def infer_case_number(paragraphs: list[str]) -> str | None:
    """The memo's "Sagsnr." when it holds a number (templates leave "Indtast sagsnr." there)."""
    labels = _memo_labels(paragraphs[:HEAD])
    for label in _CASE_LABELS:
        value = _NEXT_LABEL.sub("", labels.get(label, "")).strip()
        if re.search(r"\d", value):
            return value
    return None


def infer_source(issuer: str | None, municipality: str | None) -> str:
    """Which source folder: a national body by name, a municipality, else an organisation."""
    if issuer:
        national = _NATIONAL_SOURCES.get(issuer.casefold())
        if national:
            return national
        if municipality is None and not re.search(r"kommune|jobcenter", issuer, re.I):
            return "organisation"
    return "kommune" if municipality else "organisation"


def infer_doc_type(paragraphs: list[str], title: str | None, source: str) -> str:
    """What kind of document: a type word on its own line, a memo block, the title's words,
    an agenda item's or report's headings; else the usual kind for the source."""
    head = paragraphs[:HEAD]
    for paragraph in head:
        # "NOTAT", "Nyhedsbrev nr. 11 · november 2025": a short line opening with what it is.
        first = re.match(r"[^\W\d_]+", paragraph)
        kind = _TYPE_WORDS.get(first.group().casefold()) if first else None
        if kind and (
            len(paragraph) <= SHORT_LINE
            and kind != "analyse"
            or first.end() == len(paragraph.strip(" :"))
        ):
            return kind
    labels = _memo_labels(head)
    if len({"til", "fra"} & labels.keys()) == 2:
        return "notat"
    headings = {p.strip(" :").casefold() for p in paragraphs if len(p) < 40}
    if len(headings & _AGENDA_HEADINGS) >= 2:
        return "dagsordenpunkt"
    for kind, cue in _TITLE_CUES:
        if title and cue.search(title):
            return kind
    # The lead under the title says what the document is as often as the title does
    # ("Socialrådgivernes forslag til …"); only the strong cues count there.
    lead = _lead(paragraphs, title)
    for kind, cue in _TITLE_CUES:
        if lead and kind in _LEAD_KINDS and cue.search(lead):
            return kind
    if len(headings & _REPORT_HEADINGS) >= 2:
        return "analyse"
    return DEFAULT_DOC_TYPE.get(source, "notat")


_LEAD_KINDS = {"nyhedsbrev", "udspil"}
MAX_LEAD = 300


def _lead(paragraphs: list[str], title: str | None) -> str | None:
    """The paragraph right after the title, when it is short enough to be a lead."""
    for position, paragraph in enumerate(paragraphs[:HEAD]):
        if paragraph == title and position + 1 < len(paragraphs):
            following = paragraphs[position + 1]
            return following if len(following) <= MAX_LEAD else None
    return None


def infer(
    paragraphs: list[str],
    heading: str | None = None,
    date: str | None = None,
    headings: tuple[str, ...] = (),
) -> Inferred:
    """Every field the document states about itself. `headings`: lines set larger than the text
    (a PDF's), largest first; the first that is not a type word, letterhead or date is the
    title when the format marks none."""
    if heading is None:
        heading = next((h for h in headings if not _is_furniture(h) and _looks_like_title(h)), None)
    title = infer_title(paragraphs, heading)
    municipality = infer_municipality(paragraphs)
    issuer = infer_issuer(paragraphs, municipality)
    source = infer_source(issuer, municipality)
    return Inferred(
        title=title,
        date=infer_date(paragraphs, date),
        municipality=municipality,
        issuer=issuer,
        committee=infer_committee(paragraphs),
        case_number=infer_case_number(paragraphs),
        doc_type=infer_doc_type(paragraphs, title, source),
        source=source,
    )
