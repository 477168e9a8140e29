"""Storing the basin list's row documents (issue 14, `BasinListDocument`), written by a read
that found them missing or out of date (`diagnostics.selectors.basin_documents`).

After the reading transaction commits (at once in autocommit, the API's mode), in one
statement per chunk: insert, or replace the basin's document. A failure (a lock, a basin
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

CHUNK = 500


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
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    for row in rows:
        params += [row.basin_id, row.stamp, key, row.town, row.head, row.tail]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({basin}, {stamp}, {key_}, {town}, {head}, {tail}) "
            f"VALUES {values} ON CONFLICT ({basin}) DO UPDATE SET {stamp} = excluded.{stamp}, "
            f"{key_} = excluded.{key_}, {town} = excluded.{town}, {head} = excluded.{head}, "
            f"{tail} = excluded.{tail}",
            params,
        )


def basin_documents_store(*, key: str, rows: Sequence[RowDocument]) -> None:
    """Store `rows` under the format `key`, once the current transaction (if any) commits."""
    if not rows:
        return
    rows = list(rows)

    def store() -> None:
        try:
            for start in range(0, len(rows), CHUNK):
                _upsert(key, rows[start : start + CHUNK])
        except DatabaseError:
            logger.warning("basin list documents not stored", exc_info=True)

    transaction.on_commit(store)
