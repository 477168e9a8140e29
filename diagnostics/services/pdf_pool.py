"""A bounded pool of PDF renderers (issue 15): at most PDF_MAX_CONCURRENT Chromium processes on
this machine, whatever the number of concurrent PDF requests and of web worker processes.

Each slot is a lock file under PDF_SLOTS_DIR held with `flock` while its Chromium runs: the
kernel arbitrates between processes and threads, and releases the slot when its holder dies
(a killed web worker never leaks a slot). A request waits its turn for up to PDF_QUEUE_WAIT_S
(the page shows « Génération du rapport PDF… » meanwhile), then is told in French to try again
or to use « Imprimer », which needs no server-side rendering.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)


class PdfBusy(RuntimeError):
    """Every slot stayed taken for PDF_QUEUE_WAIT_S."""


@contextmanager
def pdf_slot(*, wait_s: float | None = None) -> Iterator[int]:
    """Hold one of the PDF_MAX_CONCURRENT slots while the block runs; yields its number. Waits
    for one up to `wait_s` seconds (default PDF_QUEUE_WAIT_S)."""
    slots = max(int(settings.PDF_MAX_CONCURRENT), 1)
    folder = Path(settings.PDF_SLOTS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    wait = float(settings.PDF_QUEUE_WAIT_S if wait_s is None else wait_s)
    deadline = time.monotonic() + wait
    while True:
        for slot in range(slots):
            fd = os.open(folder / f"slot-{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield slot
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            return
        if time.monotonic() >= deadline:
            logger.warning("pdf_slot: all %s slots busy for %s s", slots, wait)
            raise PdfBusy(
                f"Trop de rapports PDF sont en cours de fabrication ({slots} à la fois) : "
                "réessayez dans une minute, ou utilisez le bouton « Imprimer » de la page."
            )
        time.sleep(0.2)
