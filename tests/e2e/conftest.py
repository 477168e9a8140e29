"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against live_server.

Playwright's own browser download is not used (no network): we point it at the system Chromium.
Skipped with the reason when Chromium is absent, except under CI=true where that is a failure.
"""

import contextlib
import os
import shutil
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.conftest import on_ci
from tests.db_state import DatabaseState, database_state, put_back

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Playwright's sync API runs an event loop in this thread; the ORM calls our fixtures make are
# still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# `expect(locator)` retries until its condition holds, for 5 s by default: short for a page
# waiting on the server (a run's thread, a poll every second) on CI's loaded cores. A wait on a
# condition costs nothing once it holds; one that never holds still fails, after 15 s.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = f"Chromium absent ({CHROMIUM}) : apt-get install chromium"
        if on_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# Every Content-Security-Policy violation becomes a console error, whatever Chromium itself
# logs: the tests that collect console errors (the walk…) then fail on it. Playwright's init
# scripts are not subject to the page's CSP.
CSP_VIOLATIONS_TO_CONSOLE = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + (e.sourceFile || document.location.pathname) + ":" + e.lineNumber);
});
"""


def new_context(browser, **kwargs):  # type: ignore[no-untyped-def]
    """A browser context that reports CSP violations in the console (see above)."""
    context = browser.new_context(**kwargs)
    context.add_init_script(CSP_VIOLATIONS_TO_CONSOLE)
    return context


@pytest.fixture
def page(chromium_browser):  # type: ignore[no-untyped-def]
    context = new_context(chromium_browser, viewport={"width": 1280, "height": 900}, locale="fr-FR")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


# The rows of the full demo as the first browser test that asked for it built them (this
# worker's; the browser tests share one worker under --dist loadgroup).
_DEMO_BUILT: list[DatabaseState] = []


@pytest.fixture
def demo(settings: Any) -> None:
    """The full demo (`manage.py demo` on the synthetic territory, diagnostics computed at once)
    in the database of this transactional test. The first test that asks for it builds it and
    its rows are recorded; the next ones get those rows back (tests/db_state.py: every table
    holds exactly the built rows) instead of building it again (≈ 20 s of CPU a build). The
    files the demo imported stay in MEDIA_ROOT, where the recorded rows point (the walk checks
    their download links)."""
    settings.OPEN_DATA_DIR = None
    settings.DIAGNOSTIC_EAGER_IN_THREAD = False
    from diagnostics.selectors import diagnostic_frames

    if _DEMO_BUILT:
        put_back(_DEMO_BUILT[0])
    else:
        call_command("demo", stdout=StringIO())
        _DEMO_BUILT.append(database_state())
    diagnostic_frames.frames_cache_clear()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def wait_for_charts(page: Any) -> None:
    # A chart that never draws shows up in the console and axe checks. A function, not a string:
    # Playwright polls a string expression with eval, which the page's Content-Security-Policy
    # refuses (an EvalError, and a CSP violation in the console) when the charts are not drawn
    # yet at the first check (a loaded machine).
    with contextlib.suppress(Exception):
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.cnam-chart, .cnam-map, [data-figure]'))"
            ".filter(e => e.offsetParent !== null)"
            # A chart far from the window waits to be drawn (cnam/charts.js): its box is there.
            ".every(e => e.querySelector('.main-svg') || e.hasAttribute('data-chart-pending'))",
            timeout=5_000,
        )


def settle(page: Any) -> None:
    """Two animation frames then the task queue: the scripts that start on load (DSFR's) have
    run their first steps, and any error they throw is in the console. A condition, not a fixed
    sleep (it was `wait_for_timeout(150)`)."""
    page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame("
        "() => setTimeout(done, 0))))"
    )


def login(page, live_server, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/connexion/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
