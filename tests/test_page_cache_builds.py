"""One build of a cached fragment at a time (issue 15, « Load held »,
`diagnostics.selectors.page_cache.cached`): the readers of a page whose fragment is being built
wait for that build instead of rendering the same fragment beside it; never for long, never
behind a builder of lower CPU priority, and a build that fails leaves nothing claimed."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache

from diagnostics.selectors.page_cache import cached


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def _readers(key: str, build, count: int) -> list[object]:  # type: ignore[no-untyped-def]
    results: list[object] = [None] * count

    def read(i: int) -> None:
        results[i] = cached(key, build)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
        time.sleep(0.02)  # the first one claims the build
    for thread in threads:
        thread.join(timeout=10)
    return results


def _slow_build(calls: list[int], seconds: float = 0.4):  # type: ignore[no-untyped-def]
    def build() -> str:
        calls.append(1)
        number = len(calls)
        time.sleep(seconds)
        return f"rapport n° {number}"

    return build


def test_readers_of_a_fragment_being_built_wait_for_that_build(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAGE_BUILD_WAIT_SECONDS = 5
    calls: list[int] = []

    results = _readers("fragment:report:1", _slow_build(calls), 4)

    assert calls == [1]  # built once, not four times side by side
    assert results == ["rapport n° 1"] * 4
    assert cache.get("fragment:report:1:building") is None  # the claim is released


def test_without_waiting_each_reader_builds(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAGE_BUILD_WAIT_SECONDS = 0
    calls: list[int] = []

    results = _readers("fragment:report:2", _slow_build(calls), 3)

    assert len(calls) == 3
    assert sorted(map(str, results)) == ["rapport n° 1", "rapport n° 2", "rapport n° 3"]


def test_a_reader_waits_no_longer_than_the_setting_then_builds(settings) -> None:  # type: ignore[no-untyped-def]
    # A builder that went away without releasing its claim (killed): same priority as ours.
    import os

    settings.PAGE_BUILD_WAIT_SECONDS = 0.3
    cache.set("fragment:report:3:building", os.getpriority(os.PRIO_PROCESS, 0), 60)
    started = time.monotonic()

    value = cached("fragment:report:3", lambda: "construit ici")

    assert value == "construit ici"
    assert 0.3 <= time.monotonic() - started < 2
    assert cache.get("fragment:report:3") == "construit ici"


def test_a_reader_never_waits_behind_a_lower_priority_builder(settings) -> None:  # type: ignore[no-untyped-def]
    import os

    settings.PAGE_BUILD_WAIT_SECONDS = 5
    # The Celery worker's warm-up (WORKER_NICENESS) is building the same fragment.
    cache.set("fragment:report:4:building", os.getpriority(os.PRIO_PROCESS, 0) + 10, 60)
    started = time.monotonic()

    value = cached("fragment:report:4", lambda: "construit ici")

    assert value == "construit ici" and time.monotonic() - started < 1
    # The worker's claim is left to the worker.
    assert cache.get("fragment:report:4:building") == os.getpriority(os.PRIO_PROCESS, 0) + 10


def test_a_failed_build_releases_its_claim(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAGE_BUILD_WAIT_SECONDS = 5

    def broken() -> str:
        raise RuntimeError("rendu impossible")

    with pytest.raises(RuntimeError):
        cached("fragment:report:5", broken)

    assert cache.get("fragment:report:5:building") is None
    assert cached("fragment:report:5", lambda: "reconstruit") == "reconstruit"
