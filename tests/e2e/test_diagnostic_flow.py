"""Browser: a delegate opens a basin, runs its diagnostic, watches the progress, reads the report
(sorts a table, sees the charts and maps) — Celery eager, the run computed in a thread beside the
request as in the embedded default, held at its test pause until the progress has been seen."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from diagnostics.models import DiagnosticRun
from diagnostics.selectors import diagnostic_frames
from diagnostics.services import diagnostic_document
from tests.e2e.conftest import login
from tests.factories.diagnostic_runs import diagnostic_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Written under var/ (ignored by git): a test run must not change tracked files.
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_delegate_runs_a_diagnostic_and_reads_the_report(live_server, page, settings, monkeypatch):
    settings.DIAGNOSTIC_EAGER_IN_THREAD = True
    # The run (a thread beside the request) stops at its test pause until the test has seen the
    # progress page: a condition, not a fixed sleep (it was DIAGNOSTIC_TEST_PAUSE_S = 2.5 s).
    progress_seen = threading.Event()
    monkeypatch.setattr(diagnostic_document, "_test_pause", lambda: progress_seen.wait(timeout=60))
    diagnostic_frames.frames_cache_clear()
    world = diagnostic_world()
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    # The DSFR header script's own error on every page (base template) is not this page's.
    page.on(
        "pageerror",
        lambda exc: errors.append(str(exc)) if "dsfr.module" not in (exc.stack or "") else None,
    )

    login(page, live_server, "delegue-44", "motdepasse-tres-long-42")
    page.goto(f"{live_server.url}/bassins/{world.basin.pk}/")
    page.get_by_role("button", name="Lancer le diagnostic").click()

    # The run's page shows the progress while the worker (a thread here) computes.
    page.wait_for_url(f"{live_server.url}/diagnostics/*/")
    progress = page.locator("#diagnostic-progress")
    progress.wait_for(state="visible")
    # The page may be built while the run is still queued (the thread has not started yet): the
    # polled progress then turns the heading and the step to the running run's, held at its pause.
    # The step reaches « Calcul des indicateurs » once the thread has read the data: seconds on a
    # loaded machine (expect's own default, 5 s, failed when reading took 7 s).
    expect(progress.locator("[data-progress-title]")).to_have_text(
        "Calcul en cours", timeout=30_000
    )
    expect(progress.locator("[data-progress-step]")).to_have_text(
        "Calcul des indicateurs", timeout=30_000
    )
    expect(progress.locator("[data-progress-percent]")).to_contain_text("35")
    page.screenshot(path=str(DOCS_SCREENSHOTS / "diagnostic-progression.png"))
    assert DiagnosticRun.objects.get().status != DiagnosticRun.Status.DONE
    progress_seen.set()

    # Polled every second, the page reloads itself with the report when the run is done.
    page.locator("#chiffres-cles").wait_for(state="visible", timeout=60_000)
    run = DiagnosticRun.objects.get()
    assert run.status == DiagnosticRun.Status.DONE
    # The section is visible while the rest of the long page may still be on its way: the
    # cards are counted once all six are there (a count read at once could see fewer).
    figures = page.locator(".cnam-kpi-card")
    expect(figures).to_have_count(6)
    assert "150" in figures.nth(1).inner_text().replace("\u202f", "")
    # The charts far from the window wait to be drawn (cnam/charts.js), their caption and data
    # table already there; plotly draws each one as the reader scrolls to it, both maps too.
    charts = page.locator("[data-figure]")
    assert charts.count() >= 6
    assert page.locator("[data-figure][data-chart-pending]").count() >= 1
    # Every chart's extras are there before its plot: its tools, and its caption (the main
    # message) and data table where its data give one.
    assert page.locator(".cnam-chart-tools").count() == charts.count()
    assert page.locator("[data-figure][data-chart-pending][aria-describedby]").count() >= 1
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
        # A function, not a string: Playwright polls a string expression with eval, which the
        # page's Content-Security-Policy refuses (EvalError) while the condition is false.
        page.wait_for_function(
            "(i) => document.querySelectorAll('[data-figure]')[i].querySelector('.main-svg')",
            arg=i,
            timeout=30_000,
        )
    assert page.locator("[data-figure][data-chart-pending]").count() == 0
    page.locator("#chiffres-cles").scroll_into_view_if_needed()
    page.locator("#chiffres-cles").screenshot(
        path=str(DOCS_SCREENSHOTS / "diagnostic-rapport-e2e.png")
    )

    # A sortable table: job seekers by month, sorted by value, descending.
    page.locator("#tableau-job_seekers summary").click()
    button = page.locator("#tableau-job_seekers button.cnam-sort", has_text="Valeur").first
    assert button.inner_text() == "Valeur"
    button.click()
    button.click()
    assert button.locator("xpath=..").get_attribute("aria-sort") == "descending"
    first = page.locator("#tableau-job_seekers tbody tr").first.inner_text()
    assert "2024-02" in first and "650" in first
    assert errors == []
