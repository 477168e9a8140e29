"""Build an expensive database state once, put it back for each test (docs/adr/0012).

`database_state()` records the rows of every table; `put_back(state)` makes every table hold
exactly its recorded rows again (one transaction, the foreign keys being deferred on both
backends; PostgreSQL sequences moved past the restored ids). The copy goes through
tests/realdata_db.py's dump and load (SQLite: the raw rows; PostgreSQL: binary COPY).

Used by tests/diagnostics/test_demo.py: the demo is built once for the module on a flushed
database (the state each transactional test starts from), the database put back as it was,
then each test that needs a built demo starts from the demo's rows — instead of one build
(≈ 5 s of CPU, 30 s under load) per test.
"""

from __future__ import annotations

from django.db import connection, transaction

from tests.realdata_db import _dump, _load, _quote, _reset_sequences, _Table, _table_names

DatabaseState = tuple[_Table, ...]


def database_state() -> DatabaseState:
    """The rows of every table of the test database."""
    return tuple(_dump(table) for table in _table_names())


def put_back(state: DatabaseState, *, only_changed: bool = False) -> None:
    """Every table of `state` holds exactly its recorded rows again.

    `only_changed`: first read every table and rewrite only those whose rows differ from the
    record (a few rows changed on a database of ~90 tables: one read of each instead of a
    delete and a write of each). A table that was written and rewritten to the same rows in a
    different physical order counts as changed (it is rewritten, which is harmless)."""
    if only_changed:
        state = tuple(table for table in state if _dump(table.name).data != table.data)
        if not state:
            return
    with transaction.atomic(), connection.cursor() as cursor:
        for table in state:
            cursor.execute(f"DELETE FROM {_quote(table.name)}")
        for table in state:
            if table.data:
                _load(table)
    _reset_sequences([t.name for t in state])
