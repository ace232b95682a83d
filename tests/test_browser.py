"""The site in a real browser: headless Chromium (Debian's `chromium`, installed by `make test`)
driven by Playwright, on a database whose titles carry scripts. Each page must load with no
JavaScript error, no Content-Security-Policy violation, and no script from the data running.

Skipped when Chromium or Playwright is missing, unless RETSKILDE_REQUIRE_BROWSER=1 (CI), where
that is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retskilde.site import datasette_serve_args
from tests.hostile import build_hostile_db

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("RETSKILDE_REQUIRE_BROWSER") == "1"
# Set by the hostile titles' scripts, if one ever runs.
XSS_FLAG = "window.__retskilde_xss"
# What the page itself reports as broken: its scripts' errors and refused resources.
_CSP_LISTENER = """
window.__csp_violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp_violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} findes ikke (make test installerer Debians chromium med apt-get)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright er ikke installeret (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # No sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if _missing() and not REQUIRED:
        pytest.skip(_missing())
    db_path = build_hostile_db(tmp_path_factory.mktemp("browser"))
    port = _free_port()
    args = [*datasette_serve_args(db_path), "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [sys.executable, "-m", "datasette", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"datasette startede ikke: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def _visit(browser, url: str, wait_for: str | None = None):
    """Load `url`; returns the page and the errors it reported."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.add_init_script(_CSP_LISTENER)
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200, url
    if wait_for:
        page.wait_for_selector(wait_for, timeout=15_000)
    errors += [f"CSP: {v}" for v in page.evaluate("window.__csp_violations")]
    return page, errors


@pytest.mark.parametrize(
    "path",
    ["/", "/-/sok?q=fleksjob", "/retskilde/documents/ast-principmeddelelse-1-20",
     "/retskilde/documents?_search=fleksjob", "/retskilde?sql=select+title+from+documents"],
)  # fmt: skip
def test_pages_load_without_errors_and_no_data_script_runs(browser, server, path):
    page, errors = _visit(browser, server + path)
    assert errors == []
    assert page.evaluate(XSS_FLAG) is None
    if path != "/":  # the hostile titles are on the page, as text
        assert "__retskilde_xss" in page.content()
    page.close()


def test_a_facet_of_a_search_narrows_it(browser, server):
    page, errors = _visit(browser, f"{server}/-/sok?q=fleksjob")
    before = page.locator(".sok-hits > li").count()
    page.locator(".sok-facetter a", has_text="Aarhus").first.click()
    page.wait_for_load_state("networkidle")
    assert "kommune" in page.url
    assert 0 < page.locator(".sok-hits > li").count() < before
    assert errors == []
    assert page.evaluate(XSS_FLAG) is None
    page.close()


@pytest.mark.parametrize(
    "path",
    ["/-/dashboards/praksis-i-tal", "/-/dashboards/praksis-i-tal/embed",
     "/-/dashboards/praksis-i-tal/mest-citerede"],
)  # fmt: skip
def test_the_dashboard_shows_hostile_titles_as_text(browser, server, path):
    # The chart's own page names its element after the dashboard.
    page, errors = _visit(browser, server + path, wait_for="[id^='chart-'] table")
    assert errors == []
    assert page.evaluate(XSS_FLAG) is None
    table = page.locator("[id^='chart-']:has(table)")
    assert '<img src=x onerror="window.__retskilde_xss=1">' in table.inner_text()
    assert table.locator("img, script, svg").count() == 0
    page.close()


def test_the_dashboard_draws_every_chart_and_shows_titles_as_text(browser, server):
    page, errors = _visit(
        browser, f"{server}/-/dashboards/praksis-i-tal", wait_for="#chart-mest-citerede table"
    )
    page.wait_for_selector("#chart-kommuner svg, #chart-kommuner canvas")
    assert errors == []
    assert page.evaluate(XSS_FLAG) is None
    table = page.locator("#chart-mest-citerede")
    assert '<img src=x onerror="window.__retskilde_xss=1">' in table.inner_text()
    assert table.locator("img, script, svg").count() == 0
    page.close()
