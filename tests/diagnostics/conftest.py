"""Fixtures of the diagnostics tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from diagnostics.models import DiagnosticRun
from diagnostics.selectors import diagnostic_frames
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from tests.factories.diagnostic_runs import DiagnosticWorld, diagnostic_world


@pytest.fixture
def fresh_frames_cache() -> Iterator[None]:
    """The diagnostics frames cache emptied before and after the test: a run reads the rows the
    test wrote, and the next test does not read them."""
    diagnostic_frames.frames_cache_clear()
    yield
    diagnostic_frames.frames_cache_clear()


@pytest.fixture
def world() -> DiagnosticWorld:
    """A basin with the data a diagnostic reads (tests.factories.diagnostic_runs); a module
    that needs another world defines its own `world`."""
    return diagnostic_world()


@pytest.fixture
def done_run(world: DiagnosticWorld) -> DiagnosticRun:
    """The world's basin diagnosed: a done run."""
    return diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)
