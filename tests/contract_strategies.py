"""Hypothesis strategies for Document records, read off corpus/document.schema.json.

Every property of the schema gets a strategy from its own rules (enum, type, pattern, format,
bounds, items), so a field added to the schema is generated without touching this file; a
rule this file does not know fails loudly instead of being skipped. Free text is drawn from an
alphabet that holds what real data and hostile data hold: Danish letters, combining marks,
control characters, right-to-left text, digits of other scripts, emoji and markup.
"""

from __future__ import annotations

import datetime
import re

from hypothesis import strategies as st

from retskilde.contract import LETTER_OR_DIGIT, MAX_INTEGER_DIGITS, load_schema

SCHEMA = load_schema()

# Markup that must never reach a page unescaped; each carries a marker the tests look for.
MARKER = "rsx9"
PAYLOADS = (
    f"<script>alert('{MARKER}')</script>",
    f"<img src=x onerror=alert('{MARKER}')>",
    f'"><svg onload=alert("{MARKER}")>',
    f"'><iframe srcdoc='{MARKER}'>",
    f"</textarea></title><b>{MARKER}</b>",
    f"javascript:alert('{MARKER}')",
    f'=HYPERLINK("http://x/{MARKER}")',
    f"{{{{ {MARKER} }}}}{{% if 1 %}}",
)

_PIECES = [
    *"abcæøåÆØÅé§.,;:-–/()\"'<>&=*0123456789 \n\t",
    "fleksjob",
    "Hjælpemidler",
    "aa",
    "\u0301",  # combining acute
    "\u0000",
    "\u0001",
    "\u001f",
    "\u007f",
    "\u00a0",
    "\u200b",  # zero-width space
    "\u202e",  # right-to-left override
    "\ufeff",
    "\ufffd",
    "שלום",
    "٤٥٦٧",  # Arabic-Indic digits
    "İ",
    "ß",
    "😀",
    "ﬁ",
    *PAYLOADS,
]
free_text = st.lists(
    st.one_of(st.sampled_from(_PIECES), st.characters(exclude_categories=("Cs",))),
    max_size=30,
).map("".join)


def _letter_or_digit_text(min_size: int, max_size: int | None) -> st.SearchStrategy[str]:
    """Free text with at least one letter or digit somewhere, within the length bounds."""
    word = st.sampled_from(["fleksjob", "Ærø", "a", "7", "ﬁ", "٤", "שלום", "İ"])
    text = st.tuples(free_text, word, free_text).map("".join)
    if max_size is not None:
        text = text.map(lambda s: s[:max_size])
    return text.filter(lambda s: len(s) >= min_size and re.search(LETTER_OR_DIGIT, s))


def _date() -> st.SearchStrategy[str]:
    return st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)).map(
        datetime.date.isoformat
    )


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        schema = {**SCHEMA["$defs"][name], **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def strategy_for(schema: dict) -> st.SearchStrategy:
    """Values that satisfy `schema` (the subset of JSON Schema the contract uses)."""
    schema = _resolve(schema)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "array":
        items = strategy_for(schema["items"])
        unique = schema.get("uniqueItems", False)
        return st.lists(items, max_size=4, unique=unique)
    if kind == "object":
        return record_like(schema)
    if kind == "string":
        return _string(schema)
    raise NotImplementedError(f"no strategy for {schema!r}: extend tests/contract_strategies.py")


def _date_time() -> st.SearchStrategy[str]:
    offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(
        lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
    )
    moments = st.datetimes(datetime.datetime(1, 1, 2), datetime.datetime(9999, 12, 30))
    return st.builds(lambda moment, zone: moment.replace(tzinfo=zone).isoformat(), moments, offsets)


def _string(schema: dict) -> st.SearchStrategy[str]:
    if schema.get("format") == "date":
        return _date()
    if schema.get("format") == "date-time":
        return _date_time()
    pattern = schema.get("pattern")
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if pattern == LETTER_OR_DIGIT:
        return _letter_or_digit_text(low, high)
    if pattern is not None:
        if not (pattern.startswith("^") and pattern.endswith("$")):
            raise NotImplementedError(f"unanchored pattern {pattern!r}")
        strategy = st.from_regex(pattern, fullmatch=True)
        if pattern.startswith("^https?://"):
            # A URL is mostly a URL, sometimes one with markup in it.
            strategy = st.one_of(
                st.sampled_from(["https://eksempel.retskilde.dk/a", "http://x.dk/?q=<b>&a=1"]),
                strategy,
            )
        return strategy.filter(lambda s: low <= len(s) <= (high or len(s)))
    text = free_text if not low else free_text.filter(lambda s: len(s) >= low)
    return text.map(lambda s: s[:high]) if high else text


def record_like(schema: dict = SCHEMA) -> st.SearchStrategy[dict]:
    """Objects with every required property and each optional one present or absent."""
    properties = schema["properties"]
    required = set(schema.get("required", ()))
    return st.fixed_dictionaries(
        {name: strategy_for(properties[name]) for name in properties if name in required},
        optional={
            name: strategy_for(properties[name]) for name in properties if name not in required
        },
    )


@st.composite
def corpora(draw, max_records: int = 4) -> list[dict]:
    """A few records with distinct ids, each file-named by its id as the contract requires."""
    records = draw(st.lists(record_like(), min_size=1, max_size=max_records))
    for number, record in enumerate(records):
        # Distinct, and still matching the id pattern.
        record["id"] = f"{record['id'][:190]}-{number}"
    return records


# -- ways to break a valid record -------------------------------------------------------------

_STRING_FIELDS = [
    name for name, rule in SCHEMA["properties"].items() if _resolve(rule).get("type") == "string"
]


@st.composite
def broken(draw, record: dict) -> dict:
    """`record` broken in one way the contract must catch before the build would fail."""
    record = dict(record)
    how = draw(
        st.sampled_from(
            [
                "surrogate",
                "huge_integer",
                "beyond_sqlite",
                "blank_title",
                "blank_text",
                "nested",
                "wrong_type",
                "unknown_field",
                "missing",
            ]
        )
    )
    if how == "surrogate":
        field = draw(st.sampled_from(_STRING_FIELDS))
        value = record.get(field) or "x"
        at = draw(st.integers(0, len(value)))
        record[field] = value[:at] + chr(draw(st.integers(0xD800, 0xDFFF))) + value[at:]
    elif how == "huge_integer":
        record["item_number"] = int("9" * draw(st.integers(MAX_INTEGER_DIGITS + 1, 400)))
    elif how == "beyond_sqlite":
        record["item_number"] = draw(st.integers(2**63, 2**64))
    elif how == "blank_title":
        record["title"] = draw(st.text(st.sampled_from(" \t\n\u0001\u00a0_-.·"), min_size=3))
    elif how == "blank_text":
        record["text"] = draw(st.text(st.sampled_from(" \t\n\u0001\u0007\u00a0_–"), min_size=20))
    elif how == "nested":
        nested: list = []
        for _ in range(draw(st.integers(40, 300))):
            nested = [nested]
        record["keywords"] = nested
    elif how == "wrong_type":
        field, value = draw(
            st.sampled_from(
                [("title", 12), ("item_number", "4"), ("example", "ja"), ("keywords", "Fleksjob")]
            )
        )
        record[field] = value
    elif how == "unknown_field":
        record["topics"] = ["fleksjob"]
    else:
        del record[draw(st.sampled_from(sorted(SCHEMA["required"])))]
    return record
