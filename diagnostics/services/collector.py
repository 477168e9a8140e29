"""Python's cyclic garbage collector paused while the engine computes (issue 16, engine speed).

A diagnostic allocates hundreds of thousands of small pandas objects; each time the young
generation fills, the collector walks them, and every few hundred times it walks every object
of the process (Django, pandas, the France-wide frames: millions). Measured on 80 zones
d'emploi of the real data: 14 % of a national batch's CPU went to the collector. Reference
counting still frees almost everything at once; only reference cycles wait for the collector,
which runs again when the block ends (a run's or a chunk's cycles: a few megabytes).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector's state is restored after it
    (a nested block leaves it to the outer one)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
