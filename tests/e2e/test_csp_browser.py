"""Content-Security-Policy in a real browser: the pages of Django's admin, which the browser walk
(test_walk.py) leaves out, run without a single CSP violation (reported to the console by the
init script of tests/e2e/conftest.py). Every other page of the site is walked, and fails the
walk on any console error, a CSP violation included (tests/test_walk_coverage.py checks that
every page is walked): this test used to load eight of them a second time. A control proves the
listener sees a violation."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.e2e.conftest import login, new_context, settle, wait_for_charts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "territoires-demo-2026"


# The admin's pages (the walk's NOT_WALKED): its index, a change list and an add form.
ADMIN_PAGES = ["/admin/", "/admin/diagnostics/user/", "/admin/diagnostics/user/add/"]


def _violations(browser: Any, base: str, username: str, paths: list[str]) -> dict[str, list[str]]:
    context = new_context(browser, viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(60_000)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    login(page, type("Live", (), {"url": base})(), username, PASSWORD)
    found: dict[str, list[str]] = {}
    for path in paths:
        console.clear()
        response = page.goto(base + path, wait_until="load")
        assert response is not None and response.status < 400, (
            f"{path}: {response and response.status}"
        )
        wait_for_charts(page)  # charts drawn, DSFR scripts run: conditions, not a fixed wait
        settle(page)
        if csp := [c for c in console if "Content Security Policy" in c or "CSP violation" in c]:
            found[path] = csp
    context.close()
    return found


@pytest.mark.timeout(900)
def test_admin_pages_raise_no_csp_violation(live_server, chromium_browser, db) -> None:  # type: ignore[no-untyped-def]
    from diagnostics.models import Role
    from tests.factories.diagnostics import UserFactory

    UserFactory(
        username="admin-csp",
        role=Role.NATIONAL_ADMIN,
        is_staff=True,
        is_superuser=True,
        password=PASSWORD,
    )
    found = {
        f"admin-csp {p}": v
        for p, v in _violations(chromium_browser, live_server.url, "admin-csp", ADMIN_PAGES).items()
    }
    if found:
        import json
        from pathlib import Path

        Path("var").mkdir(exist_ok=True)
        Path("var/csp_violations.json").write_text(json.dumps(found, indent=1, ensure_ascii=False))
    assert found == {}


def test_an_inline_script_is_blocked_and_reported(live_server, chromium_browser, db) -> None:  # type: ignore[no-untyped-def]
    context = new_context(chromium_browser)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/connexion/")

    # Resolves once the violation event has fired (after the init script's listener logged it),
    # or after 5 s without one: a condition, not a fixed wait (it was 200 ms).
    page.evaluate(
        "() => new Promise(done => {"
        " document.addEventListener('securitypolicyviolation', () => done(), {once: true});"
        " setTimeout(done, 5000);"
        " const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        " document.body.appendChild(s); })"
    )
    deadline = time.monotonic() + 5
    while not any("CSP violation" in c for c in console) and time.monotonic() < deadline:
        page.wait_for_timeout(10)  # the console message is on its way from the browser

    assert page.evaluate("() => window.__ran") is None  # not executed
    assert any("CSP violation: script-src" in c for c in console), console
    context.close()


def test_plotly_global_css_is_current(chromium_browser) -> None:  # type: ignore[no-untyped-def]
    """cnam/plotly-global.css holds exactly the rules plotly.js would insert itself (they
    change with plotly's version: regenerate the file from `rules` when this fails)."""
    from pathlib import Path

    import plotly

    package = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    ours = Path(__file__).resolve().parents[2] / "cnam_territoires/static/cnam/plotly-global.css"
    page = chromium_browser.new_page()
    page.set_content("<html><head></head><body></body></html>")
    page.add_script_tag(path=str(package))
    rules = page.evaluate(
        "Array.from(document.getElementById('plotly.js-style-global').sheet.cssRules)"
        ".map(r => r.cssText).reverse()"
    )
    page.close()

    text = ours.read_text(encoding="utf-8")
    written = [line for line in text.splitlines() if line.startswith(".")]
    assert written == rules
