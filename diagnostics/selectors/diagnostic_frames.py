"""ORM → analytics frames of the diagnostic: the only place where ORM fields become the
analytics columns of `diagnostics.analytics.columns` (CROSSWALK, BMO_FACT, UNEMPLOYMENT,
JOB_SEEKER, TENSION).

Built with `pd.DataFrame.from_records(qs.values_list(...), columns=cols)` so that an empty
queryset keeps its schema. Bassin BMO codes are spelt one way everywhere (`101`, `4418`: no
leading zero, at least three digits), whatever the file wrote (`0101`). Fact frames are read from
given import batches (a run's data vintages), not from "the current ones", so a run computes from
exactly what it recorded. Batches are immutable, so the France-wide frames are cached per process
by batch ids (a worker running 300 basins reads the 150,000 BMO cells once)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.db import connections
from django.db.models import Max, QuerySet, Sum

from diagnostics.analytics import columns as c
from diagnostics.analytics.communes import normalise_bassin_bmo_code
from diagnostics.models import (
    BmoFact,
    ChomageZeFact,
    Commune,
    DefmFact,
    ImportBatch,
    TensionFact,
)
from diagnostics.selectors.memo import data_scope, lru_cached, scope_version, versioned_clear

# --- Codes ------------------------------------------------------------------------------------


def bassin_code_spelling(values: pd.Series) -> pd.Series:
    """Bassin BMO codes spelt one way, four digits: `101` → `0101`, `4418` → `4418` (NA stays
    NA; `analytics.communes.normalise_bassin_bmo_code`). Facts imported before that rule kept
    the three-digit spelling: this is where both meet."""
    text = values.astype("string").str.strip()
    return text.map(
        lambda v: normalise_bassin_bmo_code(v) if isinstance(v, str) else v, na_action="ignore"
    ).astype(object)


# --- Batch-keyed cache of France-wide frames --------------------------------------------------

_CACHE_SIZE = 8
_cache: OrderedDict[tuple[Any, ...], pd.DataFrame] = OrderedDict()
_cache_lock = threading.Lock()
_DERIVED_SIZE = 64
_derived: OrderedDict[tuple[Any, ...], pd.DataFrame] = OrderedDict()


def batches_key(kind: str, batch_ids: Sequence[int]) -> tuple[Any, ...]:
    """The identity of a set of batches: ids with their file hash and creation time (an id alone
    could come back after a rolled-back transaction on SQLite). Inside a `data_scope` block,
    taken from its data version (`data_version`: every batch, read once) without a query."""
    version = scope_version()
    if isinstance(version, DataVersion):
        wanted = {int(pk) for pk in batch_ids}
        return (
            kind,
            tuple(
                sorted(
                    (pk, sha, created) for pk, _, sha, created in version.batches if pk in wanted
                )
            ),
        )
    rows = ImportBatch.objects.filter(pk__in=list(batch_ids)).values_list(
        "pk", "sha256", "created_at"
    )
    return (kind, tuple(sorted((pk, sha, str(created)) for pk, sha, created in rows)))


@dataclass(frozen=True)
class DataVersion:
    """What the engine's reads depend on: the territories' version and every import batch
    (id, status, file hash, creation time). Keys the per-process store of `selectors.memo`."""

    territories: tuple[Any, ...]
    batches: tuple[tuple[int, str, str, str], ...]


def data_version() -> DataVersion:
    """The data version now (two cheap queries)."""
    rows = ImportBatch.objects.order_by("pk").values_list("pk", "status", "sha256", "created_at")
    return DataVersion(
        territories=_territories_version(),
        batches=tuple((pk, status, sha, str(created)) for pk, status, sha, created in rows),
    )


def data_scope_now() -> AbstractContextManager[None]:
    """`selectors.memo.data_scope` of the data version read now (kept by an enclosing block)."""
    if scope_version() is not None:
        return nullcontext()
    return data_scope(data_version())


def frame_cached(
    key: tuple[Any, ...], build: Callable[[], pd.DataFrame], *, derived: bool = False
) -> pd.DataFrame:
    """A frame built once per process for `key` (batches: immutable data). The analytics never
    modify their inputs, so the cached frame is shared, not copied. `derived`: a small frame
    computed from a cached one (a region's reference rows…), kept in its own, larger LRU so
    that many of them never push the France-wide frames out."""
    cache, size = (_derived, _DERIVED_SIZE) if derived else (_cache, _CACHE_SIZE)
    return lru_cached(cache, _cache_lock, key, build, size)


# What the engine derives from the France-wide frames alone (`analytics.basin_context`:
# `common.shared` by frame identity, so an entry never outlives its frame's relevance).
_france_derived: dict[Any, Any] = {}


def france_derived() -> dict[Any, Any]:
    """The per-process dict of the figures derived from the cached France-wide frames."""
    return _france_derived


def frames_cache_clear() -> None:
    _france_derived.clear()
    with _cache_lock:
        _cache.clear()
        _derived.clear()
    with _seekers_lock:
        _seekers.clear()
    versioned_clear()


# --- ORM → analytics frames -------------------------------------------------------------------


def cursor_rows(qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a `values_list` queryset, fetched through the database cursor: the ORM
    still writes the SQL (fields, joins, filters), but 150,000 BMO cells are not turned into
    Python values one by one by the ORM (3× faster). Raw values: SQLite gives booleans as 0/1
    and dates as text; the adapters below convert what they read."""
    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _spelt(values: pd.Series) -> pd.Series:
    """`bassin_code_spelling` on the distinct values only (150,000 rows, ~400 codes)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    spelt = bassin_code_spelling(pd.Series(uniques, dtype=object)).to_numpy(dtype=object)
    out = np.empty(len(codes), dtype=object)
    known = codes >= 0
    out[known] = spelt[codes[known]]
    out[~known] = None
    return pd.Series(out, index=values.index, dtype=object)


CROSSWALK_FIELDS = {
    c.COMMUNE_CODE: "code",
    c.POPULATION: "population",
    c.ZONE_EMPLOI_CODE: "zone_emploi_id",
    c.BASSIN_BMO_CODE: "bassin_bmo_id",
    c.EPCI_CODE: "epci_id",
    c.DEPARTEMENT_CODE: "departement_id",
    c.REGION_CODE: "region_id",
}


def _territories_version() -> tuple[Any, ...]:
    """What changes when the communes do: a `load_territories` run (a TerritoryLoad row), or
    communes added, removed or given another population (count and sum). One cheap query."""
    from django.db.models import Count

    from diagnostics.models import TerritoryLoad

    communes = Commune.objects.aggregate(n=Count("code"), population=Sum("population"))
    last_load = TerritoryLoad.objects.aggregate(last=Max("id"))["last"]
    return ("crosswalk", communes["n"], communes["population"], last_load)


def territories_version() -> tuple[Any, ...]:
    """What changes when the communes do (keys the shared references, issue 16); inside a
    `data_scope` block, the one read when it opened."""
    version = scope_version()
    if isinstance(version, DataVersion):
        return version.territories
    return _territories_version()


def crosswalk_frame(*, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """CROSSWALK_COLUMNS, one row per commune (all of France unless `codes`), sorted by code.
    France's frame is cached per process until the territories change (see
    `_territories_version`)."""

    def build(codes: Iterable[str] | None = None) -> pd.DataFrame:
        qs = Commune.objects.order_by("code")
        if codes is not None:
            qs = qs.filter(code__in=list(codes))
        frame = pd.DataFrame.from_records(
            cursor_rows(qs.values_list(*CROSSWALK_FIELDS.values())), columns=list(CROSSWALK_FIELDS)
        )
        frame[c.POPULATION] = frame[c.POPULATION].astype("Int64")
        frame[c.BASSIN_BMO_CODE] = _spelt(frame[c.BASSIN_BMO_CODE])
        return frame

    if codes is not None:
        return build(codes)
    return frame_cached(territories_version(), build)


BMO_CELL_FIELDS = {
    c.YEAR: "year",
    c.BASSIN_BMO_CODE: "bassin_code",
    c.METIER_CODE: "metier_code",
    c.FAMILY_CODE: "famille_code",
    c.MET: "met",
    c.XMET: "xmet",
    c.SMET: "smet",
}


def bmo_frame(*, batch_ids: Sequence[int]) -> pd.DataFrame:
    """BMO_FACT_COLUMNS of the given batches (every bassin: the engine needs France for its
    references). A secret cell is NA (Int64). The BMO importer refuses missing values, so a
    NULL count is exactly a secret cell (`*`): the `*_masked` flags are read from it rather
    than fetched (a third of the reading time). Labels are read once per year and code."""

    def build() -> pd.DataFrame:
        facts = BmoFact.objects.filter(batch_id__in=list(batch_ids))
        frame = pd.DataFrame.from_records(
            cursor_rows(facts.values_list(*BMO_CELL_FIELDS.values())), columns=list(BMO_CELL_FIELDS)
        )
        # One label per year and métier (the greatest if a file spelt it two ways); a hash
        # aggregate, twice as fast as a DISTINCT over the 150,000 cells.
        labels = pd.DataFrame.from_records(
            cursor_rows(
                facts.values("year", "metier_code")
                .annotate(label=Max("metier_label"), family=Max("famille_label"))
                .values_list("year", "metier_code", "label", "family")
                .order_by()
            ),
            columns=[c.YEAR, c.METIER_CODE, c.METIER_LABEL, c.FAMILY_LABEL],
        )
        frame[c.YEAR] = frame[c.YEAR].astype("int64")
        labels[c.YEAR] = labels[c.YEAR].astype("int64")
        frame = frame.merge(labels, on=[c.YEAR, c.METIER_CODE], how="left")
        for column, flag in (
            (c.MET, c.MET_MASKED),
            (c.XMET, c.XMET_MASKED),
            (c.SMET, c.SMET_MASKED),
        ):
            frame[column] = frame[column].astype("Int64")
            frame[flag] = frame[column].isna().to_numpy()
        frame[c.BASSIN_BMO_CODE] = _spelt(frame[c.BASSIN_BMO_CODE])
        # No ORDER BY: the engine sorts what it outputs; sorting 150,000 rows here costs 10 %.
        return frame[c.BMO_FACT_COLUMNS]

    return frame_cached(batches_key("bmo", batch_ids), build)


def unemployment_frame(*, batch_ids: Sequence[int]) -> pd.DataFrame:
    """UNEMPLOYMENT_COLUMNS of every zone d'emploi in the given batches."""

    def build() -> pd.DataFrame:
        qs = ChomageZeFact.objects.filter(batch_id__in=list(batch_ids)).order_by(
            "zone_emploi_code", "year", "quarter"
        )
        frame = pd.DataFrame.from_records(
            cursor_rows(qs.values_list("zone_emploi_code", "period", "rate")),
            columns=c.UNEMPLOYMENT_COLUMNS,
        )
        frame[c.RATE] = frame[c.RATE].astype("Float64")
        return frame

    return frame_cached(batches_key("chomage_ze", batch_ids), build)


def job_seekers_frame(
    *, batch_ids: Sequence[int], departements: Iterable[str], communes: Iterable[str]
) -> pd.DataFrame:
    """JOB_SEEKER_COLUMNS: the given départements and the published communes among `communes`
    (the engine completes the basin's unpublished communes from their département's residual).
    A masked or contradictory value is NA. Periods are "YYYY-MM"."""
    departements = sorted(set(departements))
    communes = sorted(set(communes))
    qs = DefmFact.objects.filter(batch_id__in=list(batch_ids))
    fields = ("level", "code", "month", "category", "job_seekers")
    records = cursor_rows(
        qs.filter(level="departement", code__in=departements).values_list(*fields)
    )
    records += cursor_rows(qs.filter(level="commune", code__in=communes).values_list(*fields))
    frame = pd.DataFrame.from_records(records, columns=c.JOB_SEEKER_COLUMNS)
    # A date on PostgreSQL, ISO text on SQLite: "YYYY-MM" either way.
    frame[c.PERIOD] = pd.Series(
        [str(m)[:7] for m in frame[c.PERIOD]], index=frame.index, dtype=object
    )
    frame[c.VALUE] = frame[c.VALUE].astype("Int64")
    return frame.sort_values([c.LEVEL, c.GEO_CODE, c.PERIOD], kind="mergesort").reset_index(
        drop=True
    )


# A lone run's job seekers (its départements' rows and their communes'): a few per process,
# apart from the France-wide frames (a worker running basins of many départements one by one
# keeps the last few, not every one).
_SEEKERS_SIZE = 4
_seekers: OrderedDict[tuple[Any, ...], pd.DataFrame] = OrderedDict()
_seekers_lock = threading.Lock()


def job_seekers_frame_cached(
    *, batch_ids: Sequence[int], departements: Iterable[str], communes: Iterable[str]
) -> pd.DataFrame:
    """`job_seekers_frame`, kept per process for the same batches (immutable: `batches_key`),
    départements and communes (a basin run again, or another basin of the same départements,
    no longer reads the same rows again). Shared, not copied: the analytics never modify
    their inputs."""
    departements = sorted(set(departements))
    communes = sorted(set(communes))
    key = (batches_key("defm", batch_ids), tuple(departements), tuple(communes))
    return lru_cached(
        _seekers,
        _seekers_lock,
        key,
        lambda: job_seekers_frame(
            batch_ids=batch_ids, departements=departements, communes=communes
        ),
        _SEEKERS_SIZE,
    )


TENSION_FIELDS = {
    c.YEAR: "year",
    c.BASSIN_BMO_CODE: "bassin_code",
    c.ROME_CODE: "rome_code",
    c.OFFERS: "job_offers",
    c.JOB_SEEKERS_ABC: "job_seekers_abc",
    c.PUBLISHED_TENSION: "tension",
    c.HIRING_INTENSITY: "hiring_intensity",
    c.WORKING_CONDITIONS: "working_conditions",
    c.NON_DURABLE_EMPLOYMENT: "non_durable_employment",
    c.LACK_OF_LABOUR: "labour_shortage",
    c.TRAINING_JOB_LINK: "training_job_link",
    c.GEOGRAPHIC_MISMATCH: "geographic_mismatch",
}


def tension_frame(*, batch_ids: Sequence[int]) -> pd.DataFrame:
    """TENSION key columns, offers, A+B+C job seekers, the published indicator and the 1-5
    factors (NA when unpublished), every bassin of the given batches."""

    def build() -> pd.DataFrame:
        qs = TensionFact.objects.filter(batch_id__in=list(batch_ids)).order_by(
            "year", "bassin_code", "rome_code"
        )
        frame = pd.DataFrame.from_records(
            cursor_rows(qs.values_list(*TENSION_FIELDS.values())), columns=list(TENSION_FIELDS)
        )
        frame[c.YEAR] = frame[c.YEAR].astype("int64")
        for column in list(TENSION_FIELDS)[3:]:
            frame[column] = frame[column].astype("Float64")
        frame[c.BASSIN_BMO_CODE] = _spelt(frame[c.BASSIN_BMO_CODE])
        return frame

    return frame_cached(batches_key("tensions", batch_ids), build)
