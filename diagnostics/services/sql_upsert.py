"""One bulk upsert statement run over many rows, without building a model instance per row.

`QuerySet.bulk_create(update_conflicts=True)` builds a model instance for every row, then
compiles one SQL statement per batch with every value passed through the field's full
preparation (resolve_expression checks, `get_db_prep_save`): for the 35,000 communes and their
geometries of a territory load that compilation was ≈ 12 s of CPU, the database's own work
≈ 1.5 s (cProfile, docs/adr/0012-test-speed.md). Here the statement is written once,
`INSERT … ON CONFLICT (key) DO UPDATE SET col = EXCLUDED.col …` (SQLite ≥ 3.24 and PostgreSQL),
and sent with `executemany` (SQLite reuses the prepared statement; psycopg 3 pipelines it).

Values are prepared as Django would store them: the fields whose stored value is the Python
value itself (text, numbers, booleans, foreign keys to such keys) are passed as they are, every
other field (JSON, dates…) goes through `get_db_prep_save`. A column absent from the rows gets
the field's default on insert and is left alone on update, as with bulk_create.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

# Fields stored as the Python value they hold (given the right type, as the writers give).
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.BooleanField,
)


def _converter(field: models.Field) -> Callable[[Any], Any] | None:  # type: ignore[type-arg]
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    if isinstance(target, _PLAIN):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{name} n'est pas une colonne de {model.__name__}"
    return str(field.column)


def rows_upsert(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    key: str,
    update_fields: Sequence[str],
    batch_size: int = 2000,
) -> None:
    """Insert `rows` (dicts keyed by attname: `region_id`, not `region`) into `model`'s table,
    updating `update_fields` of the rows whose `key` exists already. Every row must hold `key`
    and the same set of attnames. Nothing is returned; the caller counts beforehand."""
    if not rows:
        return
    meta = model._meta
    given = set(rows[0])
    columns: list[tuple[str, str, Callable[[Any], Any] | None, Any]] = []
    for field in meta.concrete_fields:
        if field.attname in given:
            columns.append((field.attname, str(field.column), _converter(field), None))
        elif not (field.primary_key and isinstance(field, models.AutoField)):
            # Absent from the rows: its default on insert (computed once, prepared once).
            default = field.get_default()
            convert = _converter(field)
            columns.append(("", str(field.column), None, convert(default) if convert else default))
    quote = connection.ops.quote_name
    updates = [_column(model, name) for name in update_fields]
    conflict = (
        "DO UPDATE SET " + ", ".join(f"{quote(col)} = EXCLUDED.{quote(col)}" for col in updates)
        if updates
        else "DO NOTHING"
    )
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(col) for _, col, _, _ in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({quote(_column(model, key))}) {conflict}"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            params = [
                tuple(
                    fixed if not attname else convert(row[attname]) if convert else row[attname]
                    for attname, _, convert, fixed in columns
                )
                for row in rows[start : start + batch_size]
            ]
            cursor.executemany(sql, params)
