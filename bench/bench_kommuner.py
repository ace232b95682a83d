"""`retskilde scrape kommuner` against a local stand-in for many municipalities.

    .venv/bin/python bench/bench_kommuner.py [--n-kommuner 92] [--meetings 20] [--items 10]
                                             [--hosts 8] [--rate 1000]

One local server plays every municipality's FirstAgenda site, each under its own path prefix
(`/k/<key>`), with a committee list of M meetings and agendas of I open items each (built from
the project's recorded answer in tests/scrapers/firstagenda/). The crawl runs in a child process
(the same code as the command, through the CLI) so its peak memory is its own. Printed: wall
time of the first crawl and of a second one where nothing changed, pages/s, records written,
peak RSS. At a `--rate` far above 1/s the figures are the code's cost, not the politeness sleep.
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retskilde.scrapers.kommuner import all_kommuner  # noqa: E402
from tests.scrapers import fakesite  # noqa: E402

TEMPLATE = ROOT / "tests" / "scrapers" / "firstagenda" / "dagsorden"
TEMPLATE = TEMPLATE / "hvidovre-beskaeftigelse-referat.json"
_CHILD = """
import json, resource, sys, time
from click.testing import CliRunner
sys.path.insert(0, sys.argv[1])
from retskilde.cli import cli
start = time.perf_counter()
result = CliRunner().invoke(cli, sys.argv[2:])
print(json.dumps({
    "seconds": time.perf_counter() - start,
    "exit_code": result.exit_code,
    "output": result.output[-2000:],
    "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
"""


def _meeting_id(kommune: str, number: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{kommune}/{number}"))


def _agenda(template: dict, kommune: str, number: int, items: int, day: str) -> dict:
    agenda = copy.deepcopy(template)
    agenda["Id"] = _meeting_id(kommune, number)
    agenda["Udvalg"]["Navn"] = "Beskæftigelsesudvalget"
    agenda["Moede"]["Dato"] = agenda["Moede"]["MeetingBeginUtc"] = day
    # Only the template's items with a text of their own: the approval of the agenda and an
    # empty "Meddelelser" give no record, and every generated item should give one.
    source_items = [
        i
        for i in template["Dagsordenpunkter"]
        if i.get("IsOpen", True) and sum(len(f.get("Html") or "") for f in i["Felter"]) > 500
    ]
    made = []
    for index in range(items):
        item = copy.deepcopy(source_items[index % len(source_items)])
        item["Id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{kommune}/{number}/{index}"))
        item["Punktnummer"] = str(index + 1)
        item["Bilag"] = []
        made.append(item)
    agenda["Dagsordenpunkter"] = made
    return agenda


def serve(site: fakesite.FakeSite, keys: list[str], meetings: int, items: int) -> int:
    """Put every municipality's committee list and agendas on the site; pages served."""
    template = json.loads(TEMPLATE.read_text("utf-8"))
    pages = 0
    for key in keys:
        listed = []
        for number in range(meetings):
            day = f"2025-{(number % 12) + 1:02d}-{(number % 27) + 1:02d}T16:00:00+01:00"
            meeting_id = _meeting_id(key, number)
            listed.append(
                {
                    "Id": meeting_id,
                    "MeetingBeginUtc": day,
                    "ReleasedDate": "2025-12-01T12:00:00+01:00",
                    "Dato": day,
                    "Navn": "Referat",
                    "Afsluttet": True,
                    "IsSupplementaryAgenda": False,
                }
            )
            agenda = _agenda(template, key, number, items, day)
            site.add(
                f"/k/{key}/api/agenda/dagsorden/{meeting_id}",
                json.dumps(agenda, ensure_ascii=False),
                content_type="application/json; charset=utf-8",
            )
            pages += 1
        committees = {
            "Udvalg 2022-2025": [{"Id": key, "Navn": "Beskæftigelsesudvalget", "Moeder": listed}]
        }
        site.add(
            f"/k/{key}/api/agenda/udvalgsliste",
            json.dumps({"Udvalg": committees}, ensure_ascii=False),
            content_type="application/json",
        )
        pages += 1
    return pages


def crawl(urls: Path, corpus: Path, keys: list[str], hosts: int, rate: float) -> dict:
    args = ["scrape", "kommuner", "--base-url-file", str(urls), "--corpus", str(corpus)]
    args += ["--rate", str(rate), "--retries", "0", "--hosts", str(hosts)]
    for key in keys:
        args += ["--kommune", key]
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(ROOT), *args], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-kommuner", "--kommuner", dest="kommuner", type=int, default=92)
    parser.add_argument("--meetings", type=int, default=20)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--rate", type=float, default=1000.0)
    args = parser.parse_args()
    keys = [k.key for k in all_kommuner() if k.platform == "firstagenda"][: args.kommuner]
    if len(keys) < args.kommuner:
        # The stand-in speaks FirstAgenda, and the registry has only so many FirstAgenda
        # municipalities: the others would be crawled by their own platform's source.
        print(f"(registret har {len(keys)} FirstAgenda-kommuner; der måles på dem)")
    site = fakesite.FakeSite()
    server, thread = fakesite.start(site)
    try:
        pages = serve(site, keys, args.meetings, args.items)
        with tempfile.TemporaryDirectory() as tmp:
            urls = Path(tmp) / "adresser.json"
            urls.write_text(json.dumps({k: f"{site.base_url}/k/{k}" for k in keys}))
            corpus = Path(tmp) / "corpus"
            first = crawl(urls, corpus, keys, args.hosts, args.rate)
            records = len(list((corpus / "kommune").glob("*.json")))
            second = crawl(urls, corpus, keys, args.hosts, args.rate)
    finally:
        site.release.set()
        server.shutdown()
        server.server_close()
    print(
        f"{len(keys)} kommuner × {args.meetings} møder × {args.items} punkter "
        f"({pages} sider), --hosts {args.hosts}, --rate {args.rate:g}"
    )
    for name, run in (("første kørsel", first), ("uændret igen", second)):
        print(
            f"  {name:<14} {run['seconds']:7.1f} s  {pages / run['seconds']:7.1f} sider/s  "
            f"kode {run['exit_code']}  top-RSS {run['peak_kb'] / 1024:6.0f} MB"
        )
    ratio = second["seconds"] / first["seconds"]
    print(f"  poster skrevet: {records}; gentagelsen/første: {ratio:.2f}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  benchmark-processens top-RSS (serveren): {own:.0f} MB")


if __name__ == "__main__":
    main()
