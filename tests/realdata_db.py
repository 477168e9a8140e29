"""The real open data loaded into the test database once per test process, then restored for
each module that needs it (see docs/adr/0012-test-speed.md).

A module describes what it needs as a *recipe*: an ordered list of steps (`TERRITORIES`, then
`imported(...)` files). The first module asking for a recipe runs it for real (the official
`territories_load` and `import_dataset` services, ≈ 20 s for the territories alone on SQLite,
more with the imports); the rows of every table that the recipe filled are then copied out of
the database (SQLite: the raw rows; PostgreSQL: `COPY … TO STDOUT (FORMAT binary)`). A later
module asking for the same recipe — or for a recipe starting with it — gets those rows written
back in a second or two instead. When the module ends, every table that was empty before is
emptied again, so that the rest of the suite still sees an empty referential.

The snapshots live in this process's memory: under xdist each worker has its own, which is
why the modules using this helper are grouped on one worker (`REALDATA_GROUP`, run with
`--dist loadgroup`): the data are then loaded once for the whole run.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings

Step = tuple[Any, ...]
Recipe = tuple[Step, ...]

TERRITORIES: Step = ("territories",)
# `open_data_load(source_dir=open_data_dir)`: every published file, as `manage.py load_open_data`
# does (from an empty database, territories included); its results are kept in `STEP_RESULTS`.
OPEN_DATA: Step = ("open_data",)

# `pytest.mark.xdist_group` name shared by the modules that use this helper: with
# `--dist loadgroup` they all run on the same xdist worker, which builds each snapshot once.
REALDATA_GROUP = pytest.mark.xdist_group("realdata")


def imported(kind: str | None, relative: str, **options: Any) -> Step:
    """An `import_dataset(kind=…, path=open_data_dir / relative, options=options, sync=True)`
    step; the batch must end `done`. `kind=None`: detected from the file, as an upload is."""
    return ("import", kind, relative, tuple(sorted(options.items())))


# The BMO 2023-2025 and the INSEE unemployment rates imported as an upload is (kind detected, no
# option: the territories already hold every bassin the BMO files name). The import, planning
# and diagnostic modules start with it: built once per run, whichever of them comes first.
BMO_AND_UNEMPLOYMENT: Recipe = (
    TERRITORIES,
    *(imported(None, f"bmo/Base_open_data_BMO_{year}.xlsx") for year in (2023, 2024, 2025)),
    imported(None, "chomage_ze/chomage-zone-t1-2003-t3-2023.xlsx"),
)
# Prefixes snapshotted whenever a build passes through them (other recipes start with them).
SHARED_PREFIXES: frozenset[Recipe] = frozenset({(TERRITORIES,), BMO_AND_UNEMPLOYMENT})


@dataclass(frozen=True)
class _Table:
    name: str
    columns: tuple[str, ...]
    data: Any  # SQLite: list of row tuples; PostgreSQL: the binary COPY stream (bytes)


@dataclass(frozen=True)
class _Snapshot:
    tables: tuple[_Table, ...]


_SNAPSHOTS: dict[Recipe, _Snapshot] = {}
# Seconds the real build of each snapshotted recipe took (from an empty database).
BUILD_SECONDS: dict[Recipe, float] = {}
# What the last step of each recipe prefix built in this process returned (`OPEN_DATA`: the
# list of `StepResult`), for the modules that check the loading itself.
STEP_RESULTS: dict[Recipe, Any] = {}


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _table_names() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in _table_names():
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _columns(table: str) -> tuple[str, ...]:
    # The cursor's description of an empty select: Django's `get_table_description` costs
    # ≈ 30 ms a table on SQLite (it parses the CREATE statement for the collations).
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {_quote(table)} WHERE 1 = 0")
        return tuple(column[0] for column in cursor.description)


def _dump(table: str) -> _Table:
    columns = _columns(table)
    listed = ", ".join(_quote(c) for c in columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {_quote(table)} ({listed}) TO STDOUT (FORMAT binary)") as copy:
                data: Any = b"".join(bytes(block) for block in copy)
    else:
        # The driver's own cursor: the values exactly as stored, no Django conversion.
        raw = connection.connection.cursor()
        try:
            data = raw.execute(f"SELECT {listed} FROM {_quote(table)}").fetchall()
        finally:
            raw.close()
    return _Table(name=table, columns=columns, data=data)


def _batches(rows: list[tuple[Any, ...]], size: int = 5000) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _load(table: _Table) -> None:
    listed = ", ".join(_quote(c) for c in table.columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(
                f"COPY {_quote(table.name)} ({listed}) FROM STDIN (FORMAT binary)"
            ) as copy:
                copy.write(table.data)
    else:
        placeholders = ", ".join("?" for _ in table.columns)
        raw = connection.connection.cursor()
        try:
            for batch in _batches(table.data):
                raw.executemany(
                    f"INSERT INTO {_quote(table.name)} ({listed}) VALUES ({placeholders})", batch
                )
        finally:
            raw.close()


def _reset_sequences(tables: Sequence[str]) -> None:
    """PostgreSQL: rows written with their ids leave the sequences behind; move them past the
    highest id (SQLite's AUTOINCREMENT follows explicit ids by itself)."""
    wanted = set(tables)
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in wanted]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _restore(snapshot: _Snapshot) -> None:
    # Django's foreign keys are deferred (both backends): one transaction, any table order.
    with transaction.atomic():
        for table in snapshot.tables:
            _load(table)
    _reset_sequences([t.name for t in snapshot.tables])


def _empty(tables: Sequence[str]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {_quote(table)}")


def _run(step: Step, open_data_dir: Path) -> Any:
    from diagnostics.services.import_requests import import_dataset
    from diagnostics.services.open_data import open_data_load
    from diagnostics.services.territories import territories_load

    if step == TERRITORIES:
        loads = territories_load(source_dir=open_data_dir)
        assert all(load.status == "done" for load in loads), [
            (load.dataset, load.message) for load in loads
        ]
        return loads
    if step == OPEN_DATA:
        return open_data_load(source_dir=open_data_dir)
    _, kind, relative, options = step
    path = open_data_dir / relative
    batch = import_dataset(
        kind=kind, path=path, file_name=path.name, sync=True, options=dict(options)
    )
    batch.refresh_from_db()
    assert batch.status == "done", (relative, batch.error_message)
    return batch


def _build(recipe: Recipe, open_data_dir: Path, baseline: dict[str, int], keep: bool) -> None:
    """Fill the (empty) database with `recipe`, from the longest recipe already snapshotted
    that starts it, and snapshot every prefix that ends on a step worth keeping (the whole
    recipe unless `keep` is false, and the `SHARED_PREFIXES`)."""
    start, seconds = 0, 0.0
    for length in range(len(recipe), 0, -1):
        if recipe[:length] in _SNAPSHOTS:
            _restore(_SNAPSHOTS[recipe[:length]])
            start, seconds = length, BUILD_SECONDS[recipe[:length]]
            break
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        for index in range(start, len(recipe)):
            began = time.perf_counter()
            on_the_way = (
                _territories_snapshotted_on_the_way(open_data_dir, baseline)
                if recipe[index] == OPEN_DATA
                else nullcontext()
            )
            with on_the_way:
                STEP_RESULTS[recipe[: index + 1]] = _run(recipe[index], open_data_dir)
            seconds += time.perf_counter() - began
            # The shared prefixes (the territories alone…) are kept too.
            if (keep and index == len(recipe) - 1) or recipe[: index + 1] in SHARED_PREFIXES:
                _snapshot(recipe[: index + 1], baseline, seconds)


def _snapshot(recipe: Recipe, baseline: dict[str, int], seconds: float) -> None:
    """Copy out every table that `recipe` filled (empty in `baseline`)."""
    counts = _counts()
    grown = [t for t, n in counts.items() if baseline.get(t, 0) and n != baseline[t]]
    assert not grown, f"recipe {recipe} writes to non-empty tables {grown}"
    filled = [t for t, n in counts.items() if n and not baseline.get(t, 0)]
    _SNAPSHOTS[recipe] = _Snapshot(tuple(_dump(t) for t in filled))
    BUILD_SECONDS[recipe] = seconds


@contextmanager
def _territories_snapshotted_on_the_way(
    open_data_dir: Path, baseline: dict[str, int]
) -> Iterator[None]:
    """`OPEN_DATA` from an empty database starts with `territories_load(source_dir=…)`, the very
    call of the `TERRITORIES` step: the state right after it is the `TERRITORIES` recipe, copied
    out then (when not taken yet) so that no module loads the territories again."""
    from diagnostics.models import ImportBatch
    from diagnostics.services import territories

    real_load = territories.territories_load

    def load_then_snapshot(**kwargs: Any) -> Any:
        began = time.perf_counter()
        loads = real_load(**kwargs)
        first = (TERRITORIES,) not in _SNAPSHOTS and not ImportBatch.objects.exists()
        if first and kwargs == {"source_dir": open_data_dir}:
            assert all(load.status == "done" for load in loads), [
                (load.dataset, load.message) for load in loads
            ]
            _snapshot((TERRITORIES,), baseline, time.perf_counter() - began)
        return loads

    territories.territories_load = load_then_snapshot  # type: ignore[assignment]
    try:
        yield
    finally:
        territories.territories_load = real_load  # type: ignore[assignment]


@contextmanager
def real_database(
    open_data_dir: Path, recipe: Sequence[Step], *, keep: bool = True
) -> Iterator[None]:
    """The test database holding `recipe` applied to an empty database, committed (call it
    inside `django_db_blocker.unblock()`, from a module-scoped fixture); emptied again after.

    Every table that was empty before is emptied after, the module's own rows included (basins,
    runs, sites it created): a module needs no clean-up of its own. `keep=False` for a recipe
    only one module uses: it is built and not copied out (the territories still are)."""
    from diagnostics.selectors import diagnostic_frames

    key = tuple(recipe)
    baseline = _counts()
    try:
        if key in _SNAPSHOTS:
            _restore(_SNAPSHOTS[key])
        else:
            _build(key, open_data_dir, baseline, keep)
        diagnostic_frames.frames_cache_clear()
        yield
    finally:
        diagnostic_frames.frames_cache_clear()
        # Every table that was empty before the module is emptied (the module's own rows too).
        counts = _counts()
        _empty([t for t, n in counts.items() if n and not baseline.get(t, 0)])
