"""Storing the basin list's row documents (issue 14, `BasinListDocument`), written by a read
that found them missing or out of date (`diagnostics.selectors.basin_documents`).

After the reading transaction commits (at once in autocommit, the API's mode): insert, or
replace the basin's document. A failure (a lock, a basin
deleted meanwhile) is logged and forgotten: the next read writes the rows again. Two readers
storing the same basin at once both store a document good for the `updated_at` they read; the
one that lands last stays, and a read checks it anyway."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.db import DatabaseError, connection, transaction

from diagnostics.models import BasinListDocument

logger = logging.getLogger(__name__)


class RowDocument(NamedTuple):
    """A basin's document (`head` and `tail`, around its URLs) and what it was written from:
    its id, its `updated_at` as the database driver read it (kept as it is: the read compares
    it with the column), its main town's name ("" without one)."""

    basin_id: int
    stamp: Any
    town: str
    head: str
    tail: str


def _upsert(key: str, rows: Sequence[RowDocument]) -> None:
    quote = connection.ops.quote_name
    table = quote(BasinListDocument._meta.db_table)
    basin, stamp, key_, town, head, tail = (
        quote(name) for name in ("basin_id", "stamp", "key", "town", "head", "tail")
    )
    # One statement run for each row (psycopg pipelines them; SQLite runs them in C): one
    # statement of 500 rows would take psycopg ~50 ms to split into its 3,000 placeholders.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({basin}, {stamp}, {key_}, {town}, {head}, {tail}) "
            f"VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT ({basin}) DO UPDATE SET "
            f"{stamp} = excluded.{stamp}, {key_} = excluded.{key_}, {town} = excluded.{town}, "
            f"{head} = excluded.{head}, {tail} = excluded.{tail}",
            [(row.basin_id, row.stamp, key, row.town, row.head, row.tail) for row in rows],
        )


def basin_documents_store(*, key: str, rows: Sequence[RowDocument]) -> None:
    """Store `rows` under the format `key`, once the current transaction (if any) commits."""
    if not rows:
        return
    rows = list(rows)

    def store() -> None:
        try:
            _upsert(key, rows)
        except DatabaseError:
            logger.warning("basin list documents not stored", exc_info=True)

    transaction.on_commit(store)
