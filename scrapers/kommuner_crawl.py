"""`retskilde scrape kommuner`: every collected municipality's committee agendas in one run.

Each municipality is crawled by its platform's source (the registry's platform key names the
source) with a fetcher of its own: its own rate limit, robots.txt and retries per host. A
bounded pool crawls several hosts side by side. A municipality that fails (its site is down,
discovery finds nothing, a page fails) is reported and never stops the others; each keeps its
own crawl state, so a stopped run resumes per municipality where it stopped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from retskilde.scrapers.fetcher import Fetcher, FetchResult
from retskilde.scrapers.kommuner import PLATFORMS, Kommune, all_kommuner, find_kommune, in_region


class SelectionError(Exception):
    """The municipalities asked for cannot be collected (unknown, or not on a platform we read)."""


def select(
    names: Iterable[str] = (),
    region: str | None = None,
    platform: str | None = None,
    base_urls: dict[str, str] | None = None,
) -> list[Kommune]:
    """The municipalities to collect: those named (each must be collected), else every
    collected one, narrowed by region and platform; sites replaced by `base_urls` (key → URL)."""
    names = list(names)
    if platform is not None and platform not in PLATFORMS:
        raise SelectionError(
            f"ukendt platform {platform!r} (kendte: {', '.join(sorted(PLATFORMS))})"
        )
    if names:
        chosen = []
        for name in names:
            kommune = find_kommune(name)
            if kommune is None:
                raise SelectionError(f"ukendt kommune {name!r}; se `retskilde kommuner`")
            if not kommune.collected:
                raise SelectionError(
                    f"{kommune.name} Kommune bruger {kommune.platform_label}, som Retskilde "
                    "endnu ikke henter"
                )
            chosen.append(kommune)
    else:
        chosen = [k for k in all_kommuner() if k.collected]
    if region is not None:
        wanted = {k.key for k in in_region(region)}
        if not wanted:
            raise SelectionError(f"ukendt region {region!r}")
        chosen = [k for k in chosen if k.key in wanted]
    if platform is not None:
        chosen = [k for k in chosen if k.platform == platform]
    if not chosen:
        raise SelectionError("ingen kommuner matcher udvalget af kommune, region og platform")
    overrides = base_urls or {}
    return [
        _with_site(k, overrides[k.key]) if k.key in overrides else k
        for k in sorted(chosen, key=lambda k: k.name)
    ]


def _with_site(kommune: Kommune, base_url: str) -> Kommune:
    return replace(kommune, base_url=base_url.rstrip("/"))


class Stopped(BaseException):
    """Raised in a crawl's thread at its next request once the run is stopped (Ctrl-C).

    A BaseException, like KeyboardInterrupt, so no source's error handling records it as a
    failed page: the page stays queued and the next run fetches it."""


class StoppableFetcher(Fetcher):
    """A fetcher that refuses further requests once `stop` is set, so a crawl in another
    thread ends at its next page with its state as after the last finished one."""

    def __init__(self, *args: Any, stop: threading.Event, **kwargs: Any):
        # Waiting for a host's turn or a retry's backoff ends at once when the run stops.
        kwargs.setdefault("sleep", stop.wait)
        super().__init__(*args, **kwargs)
        self.stop = stop

    def get(self, url: str, *, conditional: bool = True, keep: bool = True) -> FetchResult:
        if self.stop.is_set():
            raise Stopped(url)
        return super().get(url, conditional=conditional, keep=keep)


@dataclass
class MunicipalityRun:
    """How one municipality's crawl went: its summary, or the error that stopped it."""

    kommune: Kommune
    summary: Any = None  # the source's Tally
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and self.summary is not None and self.summary.ok


def crawl_municipality(
    kommune: Kommune,
    corpus: Path,
    values: dict[str, Any],
    since: str | None,
    limit: int | None,
    make_fetcher: Callable[[Path], Any],
) -> MunicipalityRun:
    """One municipality, by its platform's source; never raises for a failing site."""
    from retskilde.scrapers.registry import load
    from retskilde.scrapers.runner import CrawlError, SilentProgress
    from retskilde.scrapers.state import StateLocked

    started = time.monotonic()
    run = MunicipalityRun(kommune)
    source = load(kommune.platform)
    try:
        with make_fetcher(corpus / source.folder / "raw") as fetcher:
            run.summary = source.crawl(
                fetcher,
                corpus,
                base_url=kommune.base_url,
                since=since,
                limit=limit,
                values={**values, "kommune": kommune.key},
                progress=SilentProgress(),
            )
    except (CrawlError, StateLocked) as exc:
        run.error = str(exc)
    except Exception as exc:  # one municipality's bug must not stop the other 90
        run.error = f"uventet fejl ({type(exc).__name__}: {exc})"
    run.seconds = time.monotonic() - started
    return run


class Interrupted(Exception):
    """The run was stopped (Ctrl-C); `runs`: the municipalities whose crawl had ended."""

    def __init__(self, runs: list[MunicipalityRun]):
        super().__init__("afbrudt")
        self.runs = runs


def crawl_all(
    kommuner: list[Kommune],
    corpus: Path,
    values: dict[str, Any],
    since: str | None,
    limit: int | None,
    make_fetcher: Callable[[Path], Any],
    hosts: int = 4,
    done: Callable[[MunicipalityRun], None] | None = None,
    stop: threading.Event | None = None,
    stopping: Callable[[], None] | None = None,
) -> list[MunicipalityRun]:
    """Crawl the municipalities, at most `hosts` at once; results in the given order.

    On Ctrl-C (or a crawl raising Stopped) `stop` is set and `stopping` called, municipalities
    not yet begun are dropped, the running ones end at their next request (their fetchers see
    `stop`), and Interrupted is raised once every thread has let go of its crawl state."""
    stop = stop or threading.Event()
    pool = ThreadPoolExecutor(max_workers=max(1, hosts), thread_name_prefix="kommune")
    futures = []
    try:
        futures = [
            pool.submit(crawl_municipality, k, corpus, values, since, limit, make_fetcher)
            for k in kommuner
        ]
        runs = []
        for future in futures:
            run = future.result()
            if done is not None:
                done(run)
            runs.append(run)
    except (KeyboardInterrupt, Stopped) as exc:
        stop.set()
        if stopping is not None:
            stopping()
        pool.shutdown(wait=True, cancel_futures=True)
        finished = [
            f.result() for f in futures if f.done() and not f.cancelled() and not f.exception()
        ]
        raise Interrupted(finished) from exc
    finally:
        pool.shutdown(wait=True)
    return runs


def summary_line(run: MunicipalityRun) -> str:
    """One line per municipality, in Danish."""
    label = PLATFORMS[run.kommune.platform][0] if run.kommune.platform in PLATFORMS else ""
    head = f"{run.kommune.name:<18} {label:<25}"
    if run.error is not None:
        return f"{head} FEJL: {run.error}"
    s = run.summary
    failed = len(s.failed)
    meetings = getattr(s, "meetings", 0)
    verdict = "ok" if failed == 0 else f"{failed} fejl"
    if getattr(s, "resumed", False):
        verdict += " (genoptaget)"
    return (
        f"{head} møder {meetings:>4}  nye {s.new:>5}  ændrede {s.changed:>4}  "
        f"uændrede {s.unchanged:>5}  {verdict}"
    )


def total_line(runs: list[MunicipalityRun]) -> str:
    """The whole run in one line."""
    summaries = [r.summary for r in runs if r.summary is not None]
    failing = sum(not r.ok for r in runs)
    return (
        f"I alt {len(runs)} kommuner: nye {sum(s.new for s in summaries)}, ændrede "
        f"{sum(s.changed for s in summaries)}, uændrede {sum(s.unchanged for s in summaries)}; "
        f"{failing} kommuner med fejl"
    )
