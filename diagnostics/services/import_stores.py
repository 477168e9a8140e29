"""Writing the validated frame of an import batch (split from `services.imports`, issue 15):
`facts_write` bulk-writes a frame whose columns are the fact model's field names (PostgreSQL
COPY, elsewhere multi-row INSERTs in chunks), inside the caller's transaction; `STORES` maps each
dataset kind to its store function `store(batch, frame) -> int`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

import pandas as pd
from django.db import connection, models

from diagnostics.importers import bmo as bmo_importer
from diagnostics.models import (
    BassinBmo,
    BmoFact,
    ChomageZeFact,
    DefmFact,
    DefmSecteurFact,
    FapCode,
    ImportBatch,
    IndicatorFact,
    Lycee,
    PopulationAgeFact,
    Region,
    RomeAppellation,
    RomeCode,
    RomeDomain,
    TensionFact,
)

WRITE_CHUNK_ROWS = 5000


# --- Writing facts --------------------------------------------------------------------------


def facts_write(
    model: type[models.Model],
    frame: pd.DataFrame,
    *,
    batch: ImportBatch,
    columns: Sequence[str] | None = None,
) -> int:
    """Bulk-write `frame` into the fact table `model`, every row pointing to `batch`. The frame's
    columns are field names of the model (`columns` defaults to all those present). Must run
    inside the caller's transaction. PostgreSQL: COPY (psycopg 3); other databases: bulk_create
    in chunks (executemany). Returns the number of rows written."""
    field_names = (
        list(columns)
        if columns is not None
        else [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in ("id", "batch_id") and f.attname in frame.columns
        ]
    )
    if not len(frame):
        return 0
    data = [
        frame[name].astype(object).where(frame[name].notna(), None).tolist() for name in field_names
    ]
    rows: Iterable[tuple[Any, ...]] = zip([batch.pk] * len(frame), *data, strict=True)
    attnames = ["batch_id", *field_names]
    written = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, WRITE_CHUNK_ROWS)):
        _write_rows(model, attnames, chunk)
        written += len(chunk)
    return written


def _write_rows(
    model: type[models.Model], attnames: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """Write one chunk (a seam the tests use to make the database fail midway).

    PostgreSQL: COPY FROM STDIN through psycopg 3. Other databases: one multi-row INSERT per
    chunk through `executemany` (what bulk_create does, without building 50,000 model
    instances, which costs more than the insert itself on SQLite)."""
    by_attname = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    columns = [by_attname[a] for a in attnames]
    if connection.vendor == "postgresql":
        from psycopg import sql

        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(model._meta.db_table),
            sql.SQL(", ").join([sql.Identifier(c) for c in columns]),
        )
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    quote = connection.ops.quote_name
    insert_sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(insert_sql, rows)


# --- Store functions: kind → writer of the validated frame -----------------------------------


def bmo_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    new_bassins = batch.notes.get(bmo_importer.NEW_BASSINS_NOTE) or []
    if new_bassins:
        regions = set(Region.objects.values_list("code", flat=True))
        BassinBmo.objects.bulk_create(
            [
                BassinBmo(
                    code=b["code"],
                    name=(b["name"] or b["code"])[:100],
                    region_id=b["region"] if b["region"] in regions else None,
                )
                for b in new_bassins
            ],
            ignore_conflicts=True,
        )
    return facts_write(BmoFact, frame, batch=batch)


def chomage_ze_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(ChomageZeFact, frame, batch=batch)


def indicator_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(IndicatorFact, frame, batch=batch)


def defm_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(DefmFact, frame, batch=batch)


def defm_secteur_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(DefmSecteurFact, frame, batch=batch)


def tensions_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(TensionFact, frame, batch=batch)


def lycees_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(Lycee, frame, batch=batch)


def rome_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    # One kind, three layouts of the referential (see diagnostics/importers/rome.py).
    if "parent_code" in frame.columns:
        return facts_write(RomeCode, frame, batch=batch)
    if "code_ogr" in frame.columns:
        return facts_write(RomeAppellation, frame, batch=batch)
    return facts_write(RomeDomain, frame, batch=batch)


def fap_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(FapCode, frame, batch=batch)


def population_age_store(batch: ImportBatch, frame: pd.DataFrame) -> int:
    return facts_write(PopulationAgeFact, frame, batch=batch)


STORES: dict[str, Callable[[ImportBatch, pd.DataFrame], int]] = {
    "bmo": bmo_store,
    "chomage_ze": chomage_ze_store,
    "indicator": indicator_store,
    "defm": defm_store,
    "defm_secteur": defm_secteur_store,
    "tensions": tensions_store,
    "lycees": lycees_store,
    "rome": rome_store,
    "fap": fap_store,
    "population_age": population_age_store,
}
