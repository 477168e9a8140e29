"""PDF rendering through a bounded pool (issue 15): N concurrent PDF requests never start more
than PDF_MAX_CONCURRENT Chromium processes; the others wait their turn, and past
PDF_QUEUE_WAIT_S are told in French to try again. A fake `chromium` (CHROMIUM_PATH) records how
many copies of itself run at once."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from diagnostics.services.pdf_pool import PdfBusy, pdf_slot
from diagnostics.services.pdf_render import render_pdf

FAKE_CHROMIUM = """#!/usr/bin/env python3
import os, sys, time
running = os.environ["FAKE_CHROMIUM_DIR"]
marker = os.path.join(running, "run-%d" % os.getpid())
open(marker, "w").close()
with open(os.path.join(running, "..", "seen.log"), "a") as log:
    log.write("%d\\n" % len([f for f in os.listdir(running) if f.startswith("run-")]))
time.sleep(0.4)
out = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--print-to-pdf=")][0]
with open(out, "wb") as pdf:
    pdf.write(b"%PDF-1.4 faux")
os.remove(marker)
"""


@pytest.fixture
def fake_chromium(tmp_path: Path, monkeypatch, settings) -> Path:  # type: ignore[no-untyped-def]
    script = tmp_path / "chromium"
    script.write_text(FAKE_CHROMIUM)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    running = tmp_path / "running"
    running.mkdir()
    monkeypatch.setenv("CHROMIUM_PATH", str(script))
    monkeypatch.setenv("FAKE_CHROMIUM_DIR", str(running))
    settings.PDF_SLOTS_DIR = tmp_path / "slots"
    return tmp_path / "seen.log"


def _render_concurrently(n: int) -> tuple[list[bytes], list[BaseException]]:
    pdfs: list[bytes] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def one() -> None:
        barrier.wait(timeout=30)
        try:
            pdfs.append(render_pdf("<html><body>rapport</body></html>"))
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return pdfs, errors


def test_six_concurrent_pdfs_never_run_more_than_two_chromium(
    fake_chromium: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.PDF_MAX_CONCURRENT = 2
    settings.PDF_QUEUE_WAIT_S = 30

    pdfs, errors = _render_concurrently(6)

    assert errors == []
    assert pdfs == [b"%PDF-1.4 faux"] * 6  # every request served, in turn
    seen = [int(line) for line in fake_chromium.read_text().split()]
    assert len(seen) == 6
    assert max(seen) <= 2


def test_a_request_waiting_too_long_is_told_to_try_again(fake_chromium: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PDF_MAX_CONCURRENT = 1
    settings.PDF_QUEUE_WAIT_S = 0.3

    with pdf_slot(), pytest.raises(PdfBusy) as busy:  # the only slot is taken
        render_pdf("<html></html>")

    assert "Trop de rapports PDF sont en cours de fabrication (1 à la fois)" in str(busy.value)
    assert not fake_chromium.exists()  # no Chromium started


def test_a_slot_is_free_again_after_use(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.PDF_MAX_CONCURRENT = 1
    settings.PDF_QUEUE_WAIT_S = 0
    settings.PDF_SLOTS_DIR = tmp_path / "slots"

    with pdf_slot() as first:
        pass
    with pdf_slot() as second:
        assert first == second == 0
