"""The run log: what every crawl did, one JSON line per source and kind (and municipality) in
`<corpus>/.runs/<log name>.jsonl`, appended at the end of each run. The build can read it back
with `read_runs` to show when a source has gone quiet."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

RUNS_FOLDER = ".runs"


@dataclass(frozen=True)
class KindRun:
    """One kind of one source in one run."""

    source: str  # the record source (corpus folder): ast, star, kommune
    kind: str
    started: str
    finished: str
    municipality: str | None = None
    discovered: int | None = None  # None: a resumed run, which discovers nothing
    fetched: int = 0  # pages whose body came (not 304)
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)  # {"url": …, "reason": …}


def runs_path(corpus: Path, name: str) -> Path:
    """The log of one crawl-state name (a source, or one municipality's FirstAgenda)."""
    return corpus / RUNS_FOLDER / f"{name}.jsonl"


def append_runs(path: Path, runs: list[KindRun]) -> None:
    """Add one line per kind; earlier runs stay as they were."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        for run in runs:
            log.write(json.dumps(asdict(run), ensure_ascii=False, sort_keys=True) + "\n")


def read_runs(corpus: Path) -> list[KindRun]:
    """Every logged run of every source, oldest first within each log; a damaged line names
    its file and line."""
    runs = []
    for path in sorted((corpus / RUNS_FOLDER).glob("*.jsonl")):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                runs.append(KindRun(**json.loads(line)))
            except (ValueError, TypeError) as exc:
                raise ValueError(
                    f"{path}:{number}: ulæselig linje i kørselsloggen ({exc})"
                ) from exc
    return runs
