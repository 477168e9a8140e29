"""HTML → PDF through headless Chromium's print engine (the report's A4 print stylesheet applies
and plotly draws the charts first). `chromium_path` says whether the server has one. At most
PDF_MAX_CONCURRENT Chromium run at once on a machine (`diagnostics.services.pdf_pool`); the PDF
jobs (`diagnostics.services.pdf_jobs`) call it from a worker."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from diagnostics.services.pdf_pool import pdf_slot

PDF_TIMEOUT_S = 90
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--allow-file-access-from-files",
    "--no-pdf-header-footer",
    "--virtual-time-budget=20000",
]


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    for candidate in (configured, shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def render_pdf(
    html: str, *, wait_s: float | None = None, on_start: Callable[[], None] | None = None
) -> bytes:
    """HTML (with file:// resources) → PDF through headless Chromium's print engine, which
    applies the report's A4 print stylesheet and lets plotly draw the charts first. Waits for a
    free slot of the pool up to `wait_s` (default PDF_QUEUE_WAIT_S), then raises `PdfBusy`;
    `on_start` is called once the slot is held (a job's progress)."""
    chromium = chromium_path()
    if chromium is None:
        raise RuntimeError("Chromium est introuvable sur le serveur.")
    with tempfile.TemporaryDirectory(prefix="cnam-pdf-") as tmp:
        page = Path(tmp) / "rapport.html"
        page.write_text(html, encoding="utf-8")
        out = Path(tmp) / "rapport.pdf"
        profile = Path(tmp) / "profil"
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        # At most PDF_MAX_CONCURRENT Chromium at once on this machine (a queue, issue 15).
        with pdf_slot(wait_s=wait_s):
            if on_start is not None:
                on_start()
            completed = subprocess.run(  # noqa: S603 (fixed argument list, no shell)
                command, capture_output=True, timeout=PDF_TIMEOUT_S, check=False
            )
        if not out.exists() or out.stat().st_size == 0:
            raise RuntimeError(
                f"Chromium n'a pas produit de PDF (code {completed.returncode}) : "
                + completed.stderr.decode(errors="replace")[-500:]
            )
        return out.read_bytes()
