"""A memo for the duration of one computation of many runs (a chunk of a national batch,
issue 16): reads and reference figures that every basin of the chunk would otherwise repeat
(the ROME referential, the départements of a region, the zones d'emploi of a region, France's
age bands…) are computed once and handed to every basin.

    with chunk_memo():
        … every `memoised(key, build)` inside returns the first result built for `key` …

Outside a `chunk_memo()` block (a lone run) `memoised` just calls `build()`: a lone run and a
batch call the very same function, so their figures are the same. The memo lives only as long
as its block (one chunk, a few seconds): the data cannot change under it the way a per-process
cache could see it change, and nothing is kept between chunks. Memoised values are shared by
the basins: callers never modify them.

A second, longer-lived store serves the reads that depend only on the imported data (the ROME
referential, the job titles shared by several codes, the ROME → FAP pairing, a region's zones
d'emploi and départements, the pools of a lone run's bassins): inside a
`data_scope(version)` block (a lone run, a chunk) `memoised(key, build, versioned=True)` keeps
the value per process under (version, key), where the version names every import batch with
its status and file hash (`selectors.data_version`): an import, a superseded batch or a
rollback changes it, and the value is read again. A lone run thus reads them once per process,
as a batch does once per chunk.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import pandas as pd

from diagnostics.analytics.row_index import RowIndex, row_index

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("chunk_memo", default=None)
_version: ContextVar[Hashable | None] = ContextVar("data_version", default=None)
_VERSIONED_SIZE = 64
_versioned: OrderedDict[tuple[Hashable, Hashable], Any] = OrderedDict()
_versioned_lock = threading.Lock()


@contextmanager
def chunk_memo() -> Iterator[dict[Hashable, Any]]:
    """Open a memo for the block (nested blocks share the outer one)."""
    current = _memo.get()
    if current is not None:
        yield current
        return
    store: dict[Hashable, Any] = {}
    token = _memo.set(store)
    try:
        yield store
    finally:
        _memo.reset(token)


def memo_active() -> bool:
    return _memo.get() is not None


@contextmanager
def data_scope(version: Hashable) -> Iterator[None]:
    """Open the per-process store of `version` for the block (nested blocks keep the outer
    one: the data of a run or a chunk is read once, at its start)."""
    if _version.get() is not None:
        yield
        return
    token = _version.set(version)
    try:
        yield
    finally:
        _version.reset(token)


def scope_version() -> Hashable | None:
    """The data version of the open `data_scope` block (None outside)."""
    return _version.get()


def versioned_clear() -> None:
    with _versioned_lock:
        _versioned.clear()
    _indexes.clear()


def lru_cached(
    store: OrderedDict[Any, Any],
    lock: threading.Lock,
    key: Hashable,
    build: Callable[[], T],
    size: int,
) -> T:
    """`store[key]`, built on a miss and kept, the least recently used entries dropped past
    `size`. `build()` runs outside the lock: two first callers may both build (same value);
    nobody waits on a build. Shared by the per-process stores (here and `diagnostic_frames`)."""
    with lock:
        if key in store:
            store.move_to_end(key)
            return store[key]  # type: ignore[no-any-return]
    built = build()
    with lock:
        store[key] = built
        while len(store) > size:
            store.popitem(last=False)
    return built


def memoised(key: Hashable, build: Callable[[], T], *, versioned: bool = False) -> T:
    """`build()` once per `key` inside a `chunk_memo()` block; `build()` every time outside.
    `versioned` (a value depending only on the imported data): inside a `data_scope` block,
    once per process and data version."""
    version = _version.get() if versioned else None
    if version is not None:
        return lru_cached(_versioned, _versioned_lock, (version, key), build, _VERSIONED_SIZE)
    store = _memo.get()
    if store is None:
        return build()
    if key not in store:
        store[key] = build()
    value: T = store[key]
    return value


def memoised_on(
    frame: Any, key: tuple[Hashable, ...], build: Callable[[], T], *, versioned: bool = False
) -> T:
    """`memoised` of a value computed from `frame` (a frame kept per process: the crosswalk,
    the tension rows…): the key holds the frame's id and the frame is kept beside the value,
    so that a value is never handed out for another frame that reused a freed frame's id (it
    is then built again)."""
    found = memoised((*key, id(frame)), lambda: (frame, build()), versioned=versioned)
    return found[1] if found[0] is frame else build()


# The bassins BMO of every basin of the chunk (`services.national_compute`): the pools of
# per-bassin figures (`analytics.saturation_pool`, `analytics.tensions_pool`) are computed on
# these bassins' rows, not all of France's.
CHUNK_BASSINS = ("chunk_bassins",)
# The communes of every basin of the chunk (a frozenset): the basins overlapping them are read
# at once (`selectors.diagnostics.overlapping_runs`).
CHUNK_COMMUNES = ("chunk_communes",)


def memo_set(key: Hashable, value: Any) -> None:
    """Put `value` in the open memo (nothing outside a `chunk_memo()` block)."""
    store = _memo.get()
    if store is not None:
        store[key] = value


def memo_get(key: Hashable) -> Any:
    """The value of `key` in the open memo, None when absent or outside a block."""
    store = _memo.get()
    return None if store is None else store.get(key)


_indexes: dict[str, tuple[pd.DataFrame, RowIndex]] = {}


def memo_row_index(frame: pd.DataFrame, column: str) -> RowIndex | None:
    """The index of `frame`'s rows by `column` (`analytics.row_index`): inside a
    `chunk_memo()` block built once for the chunk; outside (a lone run) kept per process for
    the last frame asked by column (the crosswalk, itself kept per process). The frame is kept
    with its index, so an index is never handed out for another frame that reused a freed
    frame's id."""
    if not memo_active():
        # Outside a chunk (a lone run), one index per column is kept per process for the last
        # frame asked (the per-process crosswalk: built once, not at every run).
        kept = _indexes.get(column)
        if kept is None or kept[0] is not frame:
            kept = (frame, row_index(frame, column))
            _indexes[column] = kept
        return kept[1]
    return memoised_on(frame, ("row_index", column), lambda: row_index(frame, column))
