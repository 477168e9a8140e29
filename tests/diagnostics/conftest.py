"""Fixtures of the diagnostics tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from diagnostics.selectors import diagnostics as selectors


@pytest.fixture
def fresh_frames_cache() -> Iterator[None]:
    """The diagnostics frames cache emptied before and after the test: a run reads the rows the
    test wrote, and the next test does not read them."""
    selectors.frames_cache_clear()
    yield
    selectors.frames_cache_clear()
