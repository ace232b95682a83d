from __future__ import annotations

import io
import sys

from retskilde.scrapers.progress import BarProgress, LogProgress, make_progress, summary_lines
from retskilde.scrapers.sources.ast import CrawlSummary
from retskilde.scrapers.state import ItemOutcome


def test_progress_is_a_bar_on_a_terminal_and_log_lines_otherwise(monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert isinstance(make_progress(), BarProgress)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert isinstance(make_progress(), LogProgress)


def test_log_lines_count_pages_and_name_failures():
    stream = io.StringIO()
    progress = LogProgress(stream)
    progress.start(total=3, done=1)
    progress.advance("https://a", ItemOutcome("https://a", "new", None, True))
    progress.advance("https://b", ItemOutcome("https://b", "failed", "HTTP 500", True))
    assert stream.getvalue().splitlines() == [
        "[2/3] ny https://a",
        "[3/3] FEJL https://b (HTTP 500)",
    ]


def test_summary_names_every_failure_by_url():
    summary = CrawlSummary(total=3, fetched=2, new=1, failed=[("https://b", "HTTP 500")])
    lines = summary_lines(summary)
    assert any(line.split() == ["nye", "1"] for line in lines)
    assert any(line.split()[:2] == ["fejl", "1"] for line in lines)
    assert lines[-1] == "  https://b: HTTP 500"
    assert not summary.ok and CrawlSummary().ok
