import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.db_template import MigrateOncePerRun, xdist_run_id
from tests.live_server import use_no_delay_server

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("OPEN_DATA_DIR_TESTS", ROOT.parent / "shared" / "data"))


def pytest_configure(config: pytest.Config) -> None:
    """A fast password hasher for the whole run: PBKDF2's 1,000,000 iterations cost ≈ 0.3 s per
    user created or logged in. The tests check passwords through `check_password`, never the
    algorithm (the production setting is untouched)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    config.addinivalue_line(
        "markers",
        "realdata_first: run before the other real-data tests (its build leaves snapshots "
        "they restore: tests/realdata_db.py)",
    )
    _postgresql_commits_without_waiting(settings.DATABASES["default"])
    # The live server answers without the 40 ms of Nagle + delayed ACK per request.
    use_no_delay_server()


def _postgresql_commits_without_waiting(database: dict) -> None:  # type: ignore[type-arg]
    """PostgreSQL (the second phase of .ci/run): the test sessions commit without waiting for
    the WAL to reach the disk (`synchronous_commit = off`, a per-session setting: a crash may
    lose the last commits, never corrupt; the throwaway test databases lose nothing that
    matters). Every migration, flush of a transactional test and module fixture commits; each
    commit otherwise waits for an fsync. What the tests see is unchanged."""
    if database.get("ENGINE") != "django.db.backends.postgresql":
        return
    options = database.setdefault("OPTIONS", {})
    if "synchronous_commit" not in options.get("options", ""):
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


# Fixtures that give a test the database (pytest-django refuses any query to a test without
# one of them or the `django_db` marker). `django_db_blocker` is autouse (in every test's
# closure): a fixture that unblocks it also asks for `django_db_setup`, listed here.
DB_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "django_db_setup",
        "live_server",
        "admin_user",
        "admin_client",
    }
)
# xdist groups given by marker (--dist loadgroup): the browser tests share one worker, hence one
# Chromium (the `chromium_browser` fixture is per session, i.e. per worker).
GROUP_OF_MARKER = {"browser": "browser"}


def _uses_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DB_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Two marks computed here rather than written in each file:

    - `no_db` on every test that cannot reach the database (no `django_db` marker, no database
      fixture): its outcome does not depend on the backend, so the PostgreSQL phase of .ci/run
      leaves it to the SQLite phase (`-m "not no_db"`).
    - under `--dist loadgroup`, the `@group` suffix that pytest-xdist schedules by. pytest-xdist
      3.8 writes it to `item._nodeid`, which pytest 9 no longer reads (the id is `item._id`):
      without this, every grouped test is scheduled on its own and each worker builds the
      real-data snapshots again (run of 2026-12-06: territories built twice, the open data
      loaded twice). Checked by tests/test_xdist_groups.py. Browser tests get the `browser`
      group (one Chromium per run), except those marked `ungrouped` (the walk's roles: long
      enough that both workers should share them, each worker starting its own Chromium).

    Also puts the tests marked `realdata_first` (the open-data module, whose load from an empty
    database leaves the territories snapshot on its way: tests/realdata_db.py) ahead of the
    other real-data tests, in the slots those tests had, then the modules with long tests
    ahead of the others (`_long_modules_first`).

    First of the hooks (`tryfirst`), so that `-m` selects on these marks."""
    _realdata_first(items)
    _long_modules_first(items)
    loadgroup = bool(getattr(config.option, "loadgroup", False))
    for item in items:
        if not _uses_database(item):
            item.add_marker(pytest.mark.no_db)
        if not loadgroup:
            continue
        for marker, group in GROUP_OF_MARKER.items():
            if (
                item.get_closest_marker(marker)
                and not item.get_closest_marker("xdist_group")
                and not item.get_closest_marker("ungrouped")
            ):
                item.add_marker(pytest.mark.xdist_group(group))
        names = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        if not names:
            continue
        suffix = "@" + "_".join(sorted(names))
        if not item.nodeid.endswith(suffix):
            from _pytest.nodeid import NodeId

            item._id = NodeId.parse(item.nodeid + suffix)  # type: ignore[attr-defined]


# Markers of a module that holds long tests: it goes first in its segment (see below).
LONG_MARKERS = ("slow", "realdata")


def _long_modules_first(items: list[pytest.Item]) -> None:
    """In the transactional segment and the segment without database, the modules holding a
    `slow` or `realdata` test first, in their order, then the others. pytest-django sorts after
    this hook (a stable sort into database tests, transactional tests, tests without database),
    so xdist (`--no-loadscope-reorder`) hands out the long tests of those two segments first and
    the short ones fill both workers at the end of the run, instead of one worker finishing
    alone on a long test (run of 2026-12-06: the two backup tests, 8 min under load, the last
    tests of one worker while the other had been idle since the walk ended). Whole modules move,
    so module fixtures stay shared. The database segment keeps its order: its tests share a
    database (and process caches) that a rolled-back transaction does not fully isolate — moving
    tests/test_confidentiality.py ahead there made a later test read a basin name it had left."""
    long_modules = {
        item.nodeid.split("::")[0]
        for item in items
        if any(item.get_closest_marker(name) for name in LONG_MARKERS)
    }
    items.sort(
        key=lambda item: (
            not (_in_database_segment(item) or item.nodeid.split("::")[0] in long_modules)
        )
    )


def _in_database_segment(item: pytest.Item) -> bool:
    """pytest-django's first segment: a database test that is not transactional."""
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    transactional = bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    ) or bool({"transactional_db", "live_server"} & fixtures)
    return not transactional and (marker is not None or "db" in fixtures)


def _realdata_first(items: list[pytest.Item]) -> None:
    slots = [i for i, item in enumerate(items) if item.get_closest_marker("realdata")]
    group = [items[i] for i in slots]
    ordered = sorted(group, key=lambda item: item.get_closest_marker("realdata_first") is None)
    for slot, item in zip(slots, ordered, strict=True):
        items[slot] = item


@pytest.fixture(scope="session")
def _migrate_once_per_run(
    request: pytest.FixtureRequest, django_db_blocker: Any
) -> Iterator[MigrateOncePerRun | None]:
    """Under xdist, the first worker migrates its test database and the others clone it
    (tests/db_template.py); requested before pytest-django's own `django_db_setup` below."""
    run_id = xdist_run_id(request.config)
    if run_id is None:
        yield None
        return
    shared = MigrateOncePerRun(run_id)
    try:
        yield shared
    finally:
        shared.stop()
        with django_db_blocker.unblock():
            shared.remove_templates()


@pytest.fixture(scope="session")
def django_db_setup(_migrate_once_per_run, django_db_setup):  # type: ignore[no-untyped-def]
    """pytest-django's `django_db_setup`, with the migrations shared by the xdist workers."""
    if _migrate_once_per_run is not None:
        _migrate_once_per_run.stop()  # only the test databases' creation is intercepted
    return


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def open_data_dir() -> Path:
    """The official open data (../shared/data). Skipped when absent on a user's clone; under
    CI=true its absence is a failure."""
    if not (SHARED_DATA / "README.md").exists():
        message = f"données ouvertes absentes : {SHARED_DATA} (voir README, « Données réelles »)"
        if on_ci():
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture(scope="session")
def openapi_schema_yaml(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The OpenAPI schema as `manage.py spectacular --validate --fail-on-warn` writes it (the
    command fails on an invalid schema or on any warning): generated and validated once per
    xdist worker for the tests that check it, rather than once for each (≈ 2 s of CPU each)."""
    from django.core.management import call_command

    out = tmp_path_factory.mktemp("openapi") / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return out.read_text()


@pytest.fixture(autouse=True)
def _api_throttle_reset() -> None:
    """The API throttles count in the default cache: each test starts with empty buckets."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _celery_eager_flag_put_back() -> Iterator[None]:
    """After each test, Celery's eager flag agrees with the settings again. A fixture that
    turns the flag off must put back what it found (Celery's conf is a live view of the Django
    settings: read after a settings change, « what it found » is already the new value). A
    leak here once left every later test of an xdist worker sending its tasks to a broker that
    no worker reads; this makes the leaking test fail instead (and puts the flag back)."""
    yield
    from celery import current_app
    from django.conf import settings

    expected = bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))
    if bool(current_app.conf.task_always_eager) != expected:
        current_app.conf.task_always_eager = expected
        pytest.fail(f"le drapeau « eager » de Celery n'a pas été remis à {expected}")


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Imported files are kept under MEDIA_ROOT: a scratch folder per test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def celery_eager() -> Iterator[None]:
    """Tasks run in-process for one test even when CELERY_BROKER_URL is set (the PostgreSQL +
    Redis pass of .ci/run): the real worker is exercised by tests/integration."""
    from cnam_territoires.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


# --- Sessions left on the PostgreSQL test database at the end of the run ----------------------

# Seconds the end of the run waits for other sessions on the test database to end by themselves
# (a killed Celery worker's backends end a moment after it) before ending them.
LEFT_SESSIONS_WAIT_S = 5.0


@pytest.fixture(scope="session")
def _left_sessions_ended(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Torn down just before pytest-django drops the test database (it depends on
    `django_db_setup`). On PostgreSQL, `DROP DATABASE` fails while another session is connected:
    two CI runs of 2026-12-07 left `test_postgres_gw0` / `_gw1` behind with « is being accessed
    by other users » (2 to 5 sessions). Waits LEFT_SESSIONS_WAIT_S for them, then names each
    one (state and last statement, to find the test that left it) and ends it: the run is over."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    others = (
        "SELECT pid, state, left(query, 160) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        deadline = time.monotonic() + LEFT_SESSIONS_WAIT_S
        while True:
            cursor.execute(others)
            left = cursor.fetchall()
            if not left or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        for pid, state, query in left:
            print(f"\nsession {pid} ({state}) left on the test database, ended: {query}")
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture(autouse=True)
def _left_sessions_ended_at_the_end(request: pytest.FixtureRequest) -> None:
    """Puts `_left_sessions_ended` in the session once a test that uses the database runs, so
    that it is torn down before the database is (a test without database asks for none)."""
    if _uses_database(request.node):
        request.getfixturevalue("_left_sessions_ended")
