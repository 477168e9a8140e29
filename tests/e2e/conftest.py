"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against live_server.

Playwright's own browser download is not used (no network): we point it at the system Chromium.
Skipped with the reason when Chromium is absent, except under CI=true where that is a failure.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _on_ci

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Playwright's sync API runs an event loop in this thread; the ORM calls our fixtures make are
# still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = f"Chromium absent ({CHROMIUM}) : apt-get install chromium"
        if _on_ci():
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


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def login(page, live_server, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/connexion/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
