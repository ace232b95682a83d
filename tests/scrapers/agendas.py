"""Recorded FirstAgenda answers (written for the project) and a local site that serves them."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

from retskilde.scrapers import firstagenda as fa
from tests.scrapers import fakesite

FIXTURES = Path(__file__).parent / "firstagenda"
KINDS = ("udvalgsliste", "dagsorden", "moedeside")
FETCHED_AT = "2026-01-15T09:00:00+00:00"


@dataclass(frozen=True)
class Example:
    """A recorded answer or page and exactly what it must give."""

    path: Path
    expected: dict

    @property
    def kind(self) -> str:
        return self.path.parent.name

    @property
    def kommune(self) -> fa.Kommune:
        return fa.kommune_for(self.expected["kommune"])

    @property
    def name(self) -> str:
        return f"{self.kind}/{self.path.stem}"


def expected_path(path: Path) -> Path:
    return path.with_name(path.stem + ".expected.json")


def answer_files() -> list[Path]:
    return sorted(
        p
        for p in FIXTURES.glob("*/*")
        if p.suffix in (".json", ".html") and not p.name.endswith(".expected.json")
    )


def examples(kind: str | None = None) -> list[Example]:
    found = []
    for path in answer_files():
        example = Example(path, json.loads(expected_path(path).read_text("utf-8")))
        if kind is None or example.kind == kind:
            found.append(example)
    return found


def example(name: str, kind: str = "dagsorden") -> Example:
    return next(e for e in examples(kind) if e.path.stem == name)


# -- a site that serves a committee list and the agendas it names -------------------------------

LISTING = FIXTURES / "udvalgsliste" / "hvidovre.json"
TEMPLATE = FIXTURES / "dagsorden" / "hvidovre-beskaeftigelse-referat.json"
RECORDED = {
    "6b1f0e2c-3a47-4d8e-9f15-2c7a9b0d4e61": FIXTURES
    / "dagsorden"
    / "hvidovre-beskaeftigelse-referat.json",
    "2e4a6c8e-0f1b-4d3e-9a5c-7e9b1d3f5a82": FIXTURES
    / "dagsorden"
    / "hvidovre-social-tillaegsdagsorden.json",
}


def listing() -> dict:
    return json.loads(LISTING.read_text("utf-8"))


def listed_meetings(data: dict) -> list[dict]:
    """Every meeting in a committee list, with its committee's name under "_udvalg"."""
    found = []
    for committees in data["Udvalg"].values():
        for committee in committees:
            for meeting in committee["Moeder"]:
                found.append({**meeting, "_udvalg": committee["Navn"]})
    return found


def agenda_for(meeting: dict) -> dict:
    """The agenda answer of a listed meeting: recorded if we have it, else the template renamed."""
    recorded = RECORDED.get(meeting["Id"])
    data = json.loads((recorded or TEMPLATE).read_text("utf-8"))
    if recorded:
        return data
    data = copy.deepcopy(data)
    data["Id"] = meeting["Id"]
    data["Udvalg"]["Navn"] = meeting["_udvalg"]
    data["Moede"]["Dato"] = data["Moede"]["MeetingBeginUtc"] = meeting["Dato"]
    data["Moede"]["Navn"] = meeting["Navn"]
    return data


def encode(data: dict) -> bytes:
    # The platform answers compact JSON on one line.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def serve(site: fakesite.FakeSite, data: dict | None = None) -> dict[str, dict]:
    """Put the committee list and every listed meeting's agenda on the site; {id: agenda}."""
    data = data if data is not None else listing()
    site.add("/", "<html><body><h1>Dagsordener og referater (eksempel)</h1></body></html>")
    site.add("/api/agenda/udvalgsliste", encode(data), content_type="application/json")
    agendas = {}
    for meeting in listed_meetings(data):
        if not fa.is_guid(meeting["Id"]) or meeting["Id"] in agendas:
            continue
        agendas[meeting["Id"]] = agenda_for(meeting)
        site.add(
            agenda_path(meeting["Id"]),
            encode(agendas[meeting["Id"]]),
            content_type="application/json; charset=utf-8",
        )
    return agendas


def agenda_path(meeting_id: str) -> str:
    return f"/api/agenda/dagsorden/{meeting_id}"


def site_kommune(site: fakesite.FakeSite, key: str = "hvidovre") -> fa.Kommune:
    return fa.kommune_for(key, site.base_url)
