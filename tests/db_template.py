"""The test database migrated once per run and cloned by the other xdist workers (see
docs/adr/0012-test-speed.md).

Under xdist each worker creates its own test database (`test_<name>_gw0`, `_gw1`…) and Django
migrates it: ≈ 10 s of CPU per worker for the state rendering of the migrations, plus the
server's work on PostgreSQL. Here, while pytest-django sets the databases up, the `migrate` that
`create_test_db` runs is intercepted: the first worker (under a file lock shared by the run's
workers) migrates for real and copies the result to a template; the others copy that template
instead of migrating. The copy is the migrated database itself — its schema, the rows of the
data migrations and of the `post_migrate` handlers (content types, permissions) — taken in the
same run, from the same code, so nothing can be stale:

- SQLite (in-memory test databases): the template is a file written with the driver's backup
  API, read back the same way;
- PostgreSQL: `CREATE DATABASE <template> TEMPLATE <first worker's database>`, then each other
  worker drops its empty test database and creates it `TEMPLATE <template>` (a file copy on the
  server).

The template is removed when a worker's session ends. Without xdist (a developer running a
file) nothing changes; any other `migrate` call (a test's own) is never intercepted.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class MigrateOncePerRun:
    """Patches `django.core.management.call_command` until `stop()`; only `migrate` during the
    test databases' creation is intercepted."""

    def __init__(self, run_id: str) -> None:
        import django.core.management as management

        assert re.fullmatch(r"[0-9A-Za-z_-]+", run_id), run_id
        self.run_id = run_id
        self.management = management
        self.real_call_command = management.call_command
        self.templates: list[Callable[[], None]] = []
        management.call_command = self._call_command  # type: ignore[assignment]

    def stop(self) -> None:
        self.management.call_command = self.real_call_command  # type: ignore[assignment]

    def remove_templates(self) -> None:
        """At the end of a worker's session: the others cloned it long ago (a worker that
        would come later finds no template and migrates for itself)."""
        for remove in self.templates:
            remove()
        self._lock_path.unlink(missing_ok=True)

    def _call_command(self, name: Any, *args: Any, **options: Any) -> Any:
        if name != "migrate":
            return self.real_call_command(name, *args, **options)
        from django.db import connections

        connection: Any = connections[options.get("database", "default")]
        migrate = lambda: self.real_call_command(name, *args, **options)  # noqa: E731
        with self._lock():
            if connection.vendor == "sqlite" and connection.is_in_memory_db():
                return self._sqlite(connection, migrate)
            if connection.vendor == "postgresql":
                return self._postgresql(connection, migrate)
        return migrate()

    @property
    def _lock_path(self) -> Path:
        return Path(tempfile.gettempdir()) / f"cnam-test-template-{self.run_id}.lock"

    @contextmanager
    def _lock(self) -> Iterator[None]:
        with self._lock_path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _sqlite(self, connection: Any, migrate: Callable[[], Any]) -> Any:
        template = Path(tempfile.gettempdir()) / f"cnam-test-template-{self.run_id}.sqlite3"
        connection.ensure_connection()
        if template.exists():
            source = sqlite3.connect(template)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
            return None
        result = migrate()
        partial = template.with_suffix(".partial")
        target = sqlite3.connect(partial)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        partial.rename(template)
        self.templates.append(lambda: template.unlink(missing_ok=True))
        return result

    def _postgresql(self, connection: Any, migrate: Callable[[], Any]) -> Any:
        name = connection.settings_dict["NAME"]
        template = re.sub(r"_gw\d+$", "", name) + "_template"
        quote = connection.ops.quote_name
        with connection._nodb_cursor() as cursor:
            cursor.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [template],
            )
            row = cursor.fetchone()
        if row is not None and row[0] == self.run_id:
            connection.close()
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
                cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
            return None
        result = migrate()
        connection.close()  # a template must have no open session

        def remove() -> None:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(template)}")

        with connection._nodb_cursor() as cursor:
            # A template left by an earlier run (another run id) is replaced.
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(template)}")
            cursor.execute(f"CREATE DATABASE {quote(template)} TEMPLATE {quote(name)}")
            cursor.execute(f"COMMENT ON DATABASE {quote(template)} IS '{self.run_id}'")
        self.templates.append(remove)
        return result


def xdist_run_id(config: Any) -> str | None:
    """The id xdist gives all the workers of one run (None outside xdist)."""
    workerinput = getattr(config, "workerinput", None)
    if not workerinput:
        return None
    return str(workerinput.get("testrunuid") or os.getppid())
