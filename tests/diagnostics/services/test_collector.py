"""The cyclic garbage collector is paused while the engine computes, and its state restored
afterwards, also when the computation fails or the block is nested."""

import gc

import pytest

from diagnostics.services.collector import collector_paused


@pytest.fixture(autouse=True)
def _collector_enabled():
    enabled = gc.isenabled()
    gc.enable()
    yield
    if not enabled:
        gc.disable()


def test_collector_paused_inside_and_enabled_after():
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_enabled_again_after_a_failure():
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_collector_left_disabled_when_it_was():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
