"""The real principmeddelelser in ../shared/samples/ankestyrelsen/, as records of the contract.

The files are another scraper's normalised output (`_id`, `decision_number`, `categories`, …); this
maps them onto the project's record so the build can index them beside the sample corpus. They are
read from the shared folder only, never copied into the repository; without that folder (a user's
clone) `available()` is false and the benches and tests that use them skip.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL_DIR = ROOT.parent / "shared" / "samples" / "ankestyrelsen"
STATUS_TAGS = {"Gældende": "gældende", "Historisk": "historisk"}
AUTHORITY_TAGS = {"Kommunal", "Udbetaling Danmark", "Arbejdsskade"}


def available() -> bool:
    return REAL_DIR.is_dir() and any(REAL_DIR.glob("*.json"))


def _is_law_tag(tag: str) -> bool:
    lowered = tag.lower()
    return lowered.endswith("loven") or lowered.startswith("lov om") or lowered == "barnets lov"


def to_record(raw: dict) -> dict:
    """One real record in the corpus contract (`sha256` of the text: there is no raw snapshot)."""
    number = raw["decision_number"]
    tags = raw.get("categories") or []
    record = {
        "id": f"ast-principmeddelelse-{number.lower()}",
        "source": "ast",
        "doc_type": "principmeddelelse",
        "title": raw["title"],
        "url": raw["url"],
        "fetched_at": raw["_fetched_at"],
        "sha256": hashlib.sha256(raw["text"].encode("utf-8")).hexdigest(),
        "text": raw["text"],
        "number": number,
        "date": raw["date"],
        "keywords": [t for t in tags if t not in STATUS_TAGS and t not in AUTHORITY_TAGS],
        "law_names": [t for t in tags if _is_law_tag(t)],
    }
    record["keywords"] = [t for t in record["keywords"] if t not in record["law_names"]]
    status = STATUS_TAGS.get(raw.get("status") or "")
    if status:
        record["status"] = status
    authority = next((t for t in tags if t in AUTHORITY_TAGS), None)
    if authority:
        record["authority"] = authority
    for field in ("journal_number", "paragraph"):
        if raw.get(field):
            record[field] = raw[field]
    return record


def real_records() -> dict[str, dict]:
    """File name → record, for every real record in the shared folder."""
    return {
        path.name: to_record(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(REAL_DIR.glob("*.json"))
    }


def write_corpus(target: Path, with_samples: bool = True) -> Path:
    """A corpus folder with the real records (and, as distractors, the bundled sample corpus)."""
    if with_samples:
        shutil.copytree(ROOT / "corpus", target, dirs_exist_ok=True)
    folder = target / "ast"
    folder.mkdir(parents=True, exist_ok=True)
    for record in real_records().values():
        path = folder / f"{record['id']}.json"
        path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return target
