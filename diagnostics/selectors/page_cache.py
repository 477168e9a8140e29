"""Cached fragments of the heavy pages (issue 15, « Load held »).

A done run's report (its tables, charts, maps and the « Parcours prioritaires » section) costs
hundreds of milliseconds to build and render, and reads the same for every reader with the same
scope. It is rendered once and kept in the default cache (Redis when CACHE_URL or a Redis broker
says so, else per process) under a key made of everything it depends on:

- the run (id and finish time: a run recomputed in place gets a new key);
- what the reader may see (`scope`): the basins left in the region map by
  `diagnostic_run_scoped`, the role (which links and notes show) and the flags the view passes;
- the data read at render time (`data_version`): the communes (territory loads), the import
  batches in force (vintages, local supply), plus what other apps register with
  `version_register` (the catalogue, for the gap section); and, for a report, the basins its
  maps draw (`basins_stamp`: their outline and communes).

Nothing per request goes into a fragment (no CSRF token, no message, no user name): the pages
render those around it. A stale fragment is never served: a change of any input changes the
key; the old entry just ages out (`FRAGMENT_SECONDS`).

One build at a time per key (`cached`): when a change of data makes the fragments of many
pages miss at once (a national batch registering reference basins changes every report's map),
the readers of the same page arrived during a build wait for it (polling the cache, their
thread asleep: no CPU) instead of each rendering the same report again beside it, up to
`settings.PAGE_BUILD_WAIT_SECONDS` (0: never wait); past it, or when the builder is gone (its
claim expires, `BUILD_CLAIM_SECONDS`), they build it themselves. A reader never waits for a
builder of lower CPU priority (the Celery worker's warm-up at WORKER_NICENESS): it would be
served after the batch.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max

from diagnostics.models import Basin, Commune, DiagnosticRun, ImportBatch, TerritoryLoad

T = TypeVar("T")
FRAGMENT_SECONDS = 3600
_VERSIONS: dict[str, Callable[[], Any]] = {}
_BUILT = [0]  # fragments rendered by this process (misses): the warm-up counts its work with it
# A build's claim on its key lasts at most this long (a builder killed mid-build frees it).
BUILD_CLAIM_SECONDS = 60
BUILD_POLL_SECONDS = 0.05


def fragments_built() -> int:
    """How many fragments this process has built on a miss since it started."""
    return _BUILT[0]


def version_register(name: str, version: Callable[[], Any]) -> None:
    """Another app's data that cached fragments read (e.g. the catalogue, for the gap): its
    `version()` (cheap, a query or two) joins every fragment key. Called from `AppConfig.ready`."""
    _VERSIONS[name] = version


def _own_version() -> tuple[Any, ...]:
    """This app's part of `data_version`, in one query (every page with a fragment reads it):
    the import batches in force (count, sums and highest id: a batch added, superseded or
    replaced changes one of them) and the territories (`territories_version`: the communes'
    count and population, the last territory load)."""
    quote = connection.ops.quote_name
    batch, commune, load = (
        quote(model._meta.db_table) for model in (ImportBatch, Commune, TerritoryLoad)
    )
    sql = (
        "SELECT b.n, b.s, b.s2, b.last, c.n, c.population, t.last FROM "
        f"(SELECT COUNT(id) AS n, SUM(id) AS s, SUM(id * id) AS s2, MAX(id) AS last FROM {batch}"
        f" WHERE {quote('status')} = %s) b, "
        f"(SELECT COUNT(code) AS n, SUM(population) AS population FROM {commune}) c, "
        f"(SELECT MAX(id) AS last FROM {load}) t"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ImportBatch.Status.DONE.value])
        row = cursor.fetchone()
    return tuple("" if v is None else str(v) for v in row)


def data_version() -> tuple[Any, ...]:
    """What changes when the data a fragment reads at render time does: this app's
    (`_own_version`) and the registered apps' (`version_register`)."""
    return (
        _own_version(),
        tuple((name, version()) for name, version in sorted(_VERSIONS.items())),
    )


def basins_stamp(ids: list[int]) -> tuple[Any, ...]:
    """What changes when one of these basins does (its outline, its communes: `updated_at`),
    for a fragment that draws them (a run's region map). One query."""
    stamp = Basin.objects.filter(pk__in=ids).aggregate(n=Count("id"), last=Max("updated_at"))
    return (stamp["n"], str(stamp["last"]))


def run_map_basins(run: DiagnosticRun) -> list[int]:
    """The run's basin and the basins its region map draws."""
    payload = (run.tables or {}).get("region_map") or {}
    columns = payload.get("columns") or []
    ids = {run.basin_id}
    if "kind" in columns and "code" in columns:
        kind, code = columns.index("kind"), columns.index("code")
        ids |= {
            int(row[code])
            for row in payload.get("rows") or []
            if row[kind] == "basin" and str(row[code]).isdigit()
        }
    return sorted(ids)


def run_scope(run: DiagnosticRun, scoped: DiagnosticRun) -> str:
    """The part of a run that depends on the reader: the basins left in its region map (the
    whole map when `scoped` is the run itself, see `diagnostic_run_scoped`)."""
    if scoped is run:
        return "all"
    payload = (scoped.tables or {}).get("region_map") or {}
    columns = payload.get("columns") or []
    if "code" not in columns:
        return "none"
    code = columns.index("code")
    codes = sorted(str(row[code]) for row in payload.get("rows") or [])
    return "only:" + ",".join(codes)


def fragment_key(name: str, *parts: Any, data: bool = True) -> str:
    """A cache key for the fragment `name` made of `parts` and `data_version()` (unless `data`
    is false: a fragment of stored documents only, such as a run's exports)."""
    raw = repr((name, parts, data_version() if data else None))
    return f"fragment:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"


def _claim(claim: str, niceness: int) -> bool:
    """Whether this process may build now: it claimed the key, or the key's builder runs at a
    lower CPU priority than this process (never wait behind the batch)."""
    if cache.add(claim, niceness, BUILD_CLAIM_SECONDS):
        return True
    holder = cache.get(claim)
    return isinstance(holder, int) and holder > niceness


def cached(key: str, build: Callable[[], T]) -> T:
    """The value cached under `key` (picklable: text, dicts, lists), built (and kept) on a
    miss; one build at a time per key (see the module's docstring)."""
    value = cache.get(key)
    if value is not None:
        return value  # type: ignore[no-any-return]
    claim = f"{key}:building"
    niceness = os.getpriority(os.PRIO_PROCESS, 0)
    claimed = _claim(claim, niceness)
    deadline = time.monotonic() + float(getattr(settings, "PAGE_BUILD_WAIT_SECONDS", 0))
    while not claimed and time.monotonic() < deadline:
        time.sleep(BUILD_POLL_SECONDS)
        value = cache.get(key)
        if value is not None:
            return value  # type: ignore[no-any-return]
        claimed = _claim(claim, niceness)  # the builder failed or went away
    try:
        value = build()
        _BUILT[0] += 1
        cache.set(key, value, FRAGMENT_SECONDS)
    finally:
        if claimed and cache.get(claim) == niceness:
            cache.delete(claim)
    return value  # type: ignore[no-any-return]


def fragment(key: str, build: Callable[[], str]) -> str:
    """The cached text under `key`, built (and kept) on a miss."""
    return str(cached(key, build))
