"""Reads for the longitudinal diagnostic (issue 4).

1. The `*_frame()` adapters: the only place where ORM fields become the analytics columns of
   `diagnostics.analytics.columns` (CROSSWALK, BMO_FACT, UNEMPLOYMENT, JOB_SEEKER, TENSION).
   Built with `pd.DataFrame.from_records(qs.values_list(...), columns=cols)` so that an empty
   queryset keeps its schema. Bassin BMO codes are spelt one way everywhere (`101`, `4418`:
   no leading zero, at least three digits), whatever the file wrote (`0101`).
   Fact frames are read from given import batches (a run's data vintages), not from "the
   current ones", so a run computes from exactly what it recorded. Batches are immutable, so the
   France-wide frames are cached per process by batch ids (a worker running 300 basins reads
   the 150,000 BMO cells once).
2. The reads of the pages: runs a user may see, the latest run of a basin, whether newer data
   are in force, the key figures with their trends, and the frames behind the two maps.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.db import connections
from django.db.models import Max, Prefetch, QuerySet, Sum

from diagnostics.analytics import columns as c
from diagnostics.analytics.communes import normalise_bassin_bmo_code
from diagnostics.models import (
    Basin,
    BmoFact,
    ChomageZeFact,
    Commune,
    DefmFact,
    DiagnosticRun,
    ImportBatch,
    TensionFact,
    User,
    ZoneEmploi,
)
from diagnostics.selectors.access import basin_list_for

# Import kinds a diagnostic is computed from, with the report's wording and licence.
DIAGNOSTIC_KINDS = ("bmo", "chomage_ze", "defm", "tensions")
SOURCE_LABELS = {
    "bmo": "Enquête Besoins en main-d'œuvre (France Travail, Crédoc)",
    "chomage_ze": "Taux de chômage localisés par zone d'emploi (Insee)",
    "defm": "Demandeurs d'emploi inscrits en fin de mois, catégories A, B, C (France Travail)",
    "tensions": "Indicateurs de tension par métier et bassin (Dares, France Travail)",
}
LICENCE = "Licence Ouverte / Open Licence Etalab 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


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


def _batches_key(kind: str, batch_ids: Sequence[int]) -> tuple[Any, ...]:
    """The identity of a set of batches: ids with their file hash and creation time (an id alone
    could come back after a rolled-back transaction on SQLite)."""
    rows = ImportBatch.objects.filter(pk__in=list(batch_ids)).values_list(
        "pk", "sha256", "created_at"
    )
    return (kind, tuple(sorted((pk, sha, str(created)) for pk, sha, created in rows)))


def _cached(key: tuple[Any, ...], build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """A frame built once per process for `key` (batches: immutable data). The analytics never
    modify their inputs, so the cached frame is shared, not copied."""
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    frame = build()
    with _cache_lock:
        _cache[key] = frame
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return frame


def frames_cache_clear() -> None:
    with _cache_lock:
        _cache.clear()


# --- ORM → analytics frames -------------------------------------------------------------------


def _rows(qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
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


def crosswalk_frame(*, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """CROSSWALK_COLUMNS, one row per commune (all of France unless `codes`), sorted by code.
    France's frame is cached per process until the territories change (see
    `_territories_version`)."""

    def build(codes: Iterable[str] | None = None) -> pd.DataFrame:
        qs = Commune.objects.order_by("code")
        if codes is not None:
            qs = qs.filter(code__in=list(codes))
        frame = pd.DataFrame.from_records(
            _rows(qs.values_list(*CROSSWALK_FIELDS.values())), columns=list(CROSSWALK_FIELDS)
        )
        frame[c.POPULATION] = frame[c.POPULATION].astype("Int64")
        frame[c.BASSIN_BMO_CODE] = _spelt(frame[c.BASSIN_BMO_CODE])
        return frame

    if codes is not None:
        return build(codes)
    return _cached(_territories_version(), build)


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
            _rows(facts.values_list(*BMO_CELL_FIELDS.values())), columns=list(BMO_CELL_FIELDS)
        )
        # One label per year and métier (the greatest if a file spelt it two ways); a hash
        # aggregate, twice as fast as a DISTINCT over the 150,000 cells.
        labels = pd.DataFrame.from_records(
            _rows(
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

    return _cached(_batches_key("bmo", batch_ids), build)


def unemployment_frame(*, batch_ids: Sequence[int]) -> pd.DataFrame:
    """UNEMPLOYMENT_COLUMNS of every zone d'emploi in the given batches."""

    def build() -> pd.DataFrame:
        qs = ChomageZeFact.objects.filter(batch_id__in=list(batch_ids)).order_by(
            "zone_emploi_code", "year", "quarter"
        )
        frame = pd.DataFrame.from_records(
            _rows(qs.values_list("zone_emploi_code", "period", "rate")),
            columns=c.UNEMPLOYMENT_COLUMNS,
        )
        frame[c.RATE] = frame[c.RATE].astype("Float64")
        return frame

    return _cached(_batches_key("chomage_ze", batch_ids), build)


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
    records = _rows(qs.filter(level="departement", code__in=departements).values_list(*fields))
    records += _rows(qs.filter(level="commune", code__in=communes).values_list(*fields))
    frame = pd.DataFrame.from_records(records, columns=c.JOB_SEEKER_COLUMNS)
    # A date on PostgreSQL, ISO text on SQLite: "YYYY-MM" either way.
    frame[c.PERIOD] = pd.Series(
        [str(m)[:7] for m in frame[c.PERIOD]], index=frame.index, dtype=object
    )
    frame[c.VALUE] = frame[c.VALUE].astype("Int64")
    return frame.sort_values([c.LEVEL, c.GEO_CODE, c.PERIOD], kind="mergesort").reset_index(
        drop=True
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
            _rows(qs.values_list(*TENSION_FIELDS.values())), columns=list(TENSION_FIELDS)
        )
        frame[c.YEAR] = frame[c.YEAR].astype("int64")
        for column in list(TENSION_FIELDS)[3:]:
            frame[column] = frame[column].astype("Float64")
        frame[c.BASSIN_BMO_CODE] = _spelt(frame[c.BASSIN_BMO_CODE])
        return frame

    return _cached(_batches_key("tensions", batch_ids), build)


# --- Data vintages ----------------------------------------------------------------------------


def diagnostic_current_batches() -> list[ImportBatch]:
    """Batches in force (done) of the kinds a diagnostic uses, by kind then vintage."""
    return list(
        ImportBatch.objects.filter(
            kind__in=DIAGNOSTIC_KINDS, status=ImportBatch.Status.DONE
        ).order_by("kind", "vintage", "id")
    )


def basin_commune_codes(basin: Basin) -> list[str]:
    return sorted(basin.communes.values_list("code", flat=True))


def diagnostic_data_key(
    *,
    commune_codes: Sequence[str],
    population: int,
    batch_ids: Sequence[int],
    parameters: dict[str, Any],
    engine_version: str,
) -> str:
    """SHA-256 of what a run's results follow from: the basin's communes and population, the
    batches, the parameters and the engine version."""
    payload = json.dumps(
        {
            "communes": sorted(commune_codes),
            "population": population,
            "batches": sorted(batch_ids),
            "parameters": parameters,
            "engine": engine_version,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class NewerData:
    """What changed in the data since a run: batches in force it did not use, and batches it
    used that are not in force any more."""

    added: list[ImportBatch]
    replaced: list[ImportBatch]

    def __bool__(self) -> bool:
        return bool(self.added or self.replaced)


def diagnostic_newer_data(run: DiagnosticRun) -> NewerData:
    used = {b.pk: b for b in run.batches.all()}
    current = {b.pk: b for b in diagnostic_current_batches()}
    return NewerData(
        added=[b for pk, b in current.items() if pk not in used],
        replaced=[b for pk, b in used.items() if pk not in current],
    )


# --- Runs a user may see ----------------------------------------------------------------------


def diagnostic_run_list_for(user: User) -> QuerySet[DiagnosticRun]:
    """Runs of the basins the user may read (another region's run is not found: 404)."""
    return DiagnosticRun.objects.filter(basin__in=basin_list_for(user)).select_related("basin")


def diagnostic_runs_of_basin(basin: Basin, *, limit: int = 10) -> list[DiagnosticRun]:
    return list(
        DiagnosticRun.objects.filter(basin=basin)
        .defer("results", "tables")
        .order_by("-created_at", "-id")[:limit]
    )


def diagnostic_latest_done(basin_id: int) -> DiagnosticRun | None:
    return (
        DiagnosticRun.objects.filter(basin_id=basin_id, status=DiagnosticRun.Status.DONE)
        .order_by("-finished_at", "-id")
        .first()
    )


def diagnostic_latest_by_basin(basin_ids: Iterable[int]) -> dict[int, DiagnosticRun]:
    """The latest run (any status) of each basin, without their results."""
    runs = (
        DiagnosticRun.objects.filter(basin_id__in=list(basin_ids))
        .defer("results", "tables")
        .order_by("basin_id", "-created_at", "-id")
    )
    latest: dict[int, DiagnosticRun] = {}
    for run in runs:
        latest.setdefault(run.basin_id, run)
    return latest


def diagnostic_runs_with_batches(qs: QuerySet[DiagnosticRun]) -> QuerySet[DiagnosticRun]:
    return qs.prefetch_related(
        Prefetch("batches", queryset=ImportBatch.objects.order_by("kind", "vintage", "id"))
    )


def overlapping_runs(*, basin: Basin, commune_codes: Sequence[str]) -> list[DiagnosticRun]:
    """The latest done run of every other basin sharing a commune with `commune_codes` (their
    figures are public: a new run must not allow a small figure to be recovered by difference
    with them)."""
    others = (
        Basin.objects.filter(communes__code__in=list(commune_codes))
        .exclude(pk=basin.pk)
        .values_list("pk", flat=True)
        .distinct()
    )
    runs = []
    for other in sorted(set(others)):
        run = diagnostic_latest_done(other)
        if run is not None:
            runs.append(run)
    return runs


def basins_commune_codes(basin_ids: Iterable[int]) -> dict[int, set[str]]:
    through = Basin.communes.through
    out: dict[int, set[str]] = {}
    for basin_id, code in through.objects.filter(basin_id__in=list(basin_ids)).values_list(
        "basin_id", "commune_id"
    ):
        out.setdefault(basin_id, set()).add(code)
    return out


# --- Frames behind the maps -------------------------------------------------------------------


def commune_geometries(codes: Iterable[str]) -> dict[str, Any]:
    return dict(
        Commune.objects.filter(code__in=list(codes), geometry__isnull=False).values_list(
            "code", "geometry"
        )
    )


def zone_emploi_geometries(codes: Iterable[str]) -> dict[str, Any]:
    return dict(
        ZoneEmploi.objects.filter(code__in=list(codes), geometry__isnull=False).values_list(
            "code", "geometry"
        )
    )


def basin_geometries(ids: Iterable[int]) -> dict[str, Any]:
    return {
        str(pk): geometry
        for pk, geometry in Basin.objects.filter(
            pk__in=list(ids), geometry__isnull=False
        ).values_list("pk", "geometry")
    }


def commune_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(Commune.objects.filter(code__in=list(codes)).values_list("code", "name"))


def region_basins(basin: Basin) -> list[Basin]:
    """The other registered basins of the basin's region (for the region map)."""
    return list(
        Basin.objects.filter(region_id=basin.region_id)
        .exclude(pk=basin.pk)
        .defer("geometry")
        .order_by("name")
    )


def region_zones_emploi(region_code: str, *, crosswalk: pd.DataFrame) -> list[tuple[str, str]]:
    """(code, name) of the zones d'emploi whose population lies mostly in the region (from the
    crosswalk frame; ties: the smallest region code)."""
    rows = crosswalk[crosswalk[c.ZONE_EMPLOI_CODE].notna() & crosswalk[c.REGION_CODE].notna()]
    totals = (
        rows.assign(_p=rows[c.POPULATION].astype("Float64").fillna(0.0))
        .groupby([c.ZONE_EMPLOI_CODE, c.REGION_CODE], sort=True)["_p"]
        .sum()
        .reset_index()
        .sort_values(
            [c.ZONE_EMPLOI_CODE, "_p", c.REGION_CODE],
            ascending=[True, False, True],
            kind="mergesort",
        )
        .drop_duplicates(c.ZONE_EMPLOI_CODE)
    )
    codes = sorted(totals.loc[totals[c.REGION_CODE] == region_code, c.ZONE_EMPLOI_CODE])
    names = dict(ZoneEmploi.objects.filter(code__in=codes).values_list("code", "name"))
    return [(code, names.get(code, code)) for code in codes]


# --- The report: key figures, tables, charts and maps of a done run ---------------------------


def table_frame(run: DiagnosticRun, name: str) -> pd.DataFrame | None:
    """A stored table of the run as a frame (None when the run has no such table)."""
    payload = (run.tables or {}).get(name)
    if not payload:
        return None
    return pd.DataFrame(payload["rows"], columns=payload["columns"])


def _fr(value: float, decimals: int = 0) -> str:
    from diagnostics.analytics.common import format_number

    return format_number(float(value), decimals=decimals)


def _signed(value: float, decimals: int = 0, suffix: str = "") -> str:
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{_fr(abs(value), decimals)}{suffix}"


@dataclass(frozen=True)
class Trend:
    arrow: str  # ▲ ▼ =
    text: str
    direction: str  # "up", "down", "flat"
    tone: str = "neutral"  # "good", "bad", "neutral": how the change reads for the basin


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str
    unit: str = ""
    period: str = ""
    trend: Trend | None = None
    estimated: bool = False
    note: str = ""
    anchor: str = ""


def _trend(
    new: float | None,
    old: float | None,
    *,
    since: str,
    decimals: int = 0,
    points: bool = False,
    relative: bool = True,
    lower_is_better: bool | None = None,
) -> Trend | None:
    if new is None or old is None:
        return None
    change = new - old
    direction = "up" if change > 0 else "down" if change < 0 else "flat"
    tone = "neutral"
    if lower_is_better is not None and direction != "flat":
        tone = "good" if (direction == "down") == lower_is_better else "bad"
    arrow = {"up": "▲", "down": "▼", "flat": "="}[direction]
    if points:
        text = f"{_signed(change, decimals, NBSP + 'pt')} {since}"
    else:
        text = _signed(change, decimals)
        if relative and old:
            text += f" ({_signed(change / old * 100, 1, NNBSP + '%')})"
        text += f" {since}"
    return Trend(arrow=arrow, text=text, direction=direction, tone=tone)


def diagnostic_key_figures(document: dict[str, Any]) -> list[KeyFigure]:
    """The headline figures of a report with their change over the previous period."""
    figures: list[KeyFigure] = []
    basin = document.get("basin") or {}
    figures.append(
        KeyFigure(
            label="Population",
            value=_fr(basin.get("population") or 0),
            unit="habitants",
            note=f"{_fr(basin.get('communes') or 0)} communes",
            anchor="methode",
        )
    )
    years = document.get("years") or {}
    bmo_years = sorted(int(y) for y, v in years.items() if v.get("bmo_projects") is not None)
    if bmo_years:
        last, previous = bmo_years[-1], (bmo_years[-2] if len(bmo_years) > 1 else None)
        entry = years[str(last)]
        old = years[str(previous)] if previous else {}
        coverage = entry.get("bmo_coverage")
        masked = int(entry.get("bmo_masked_cells") or 0)
        note = (
            f"{_fr(masked)} cellule{'s' if masked > 1 else ''} secrète{'s' if masked > 1 else ''} "
            f"non comptée{'s' if masked > 1 else ''}"
        )
        if entry.get("bmo_estimated") and coverage is not None:
            note += f" · estimé, couverture {_fr(coverage * 100, 0)} %"
        figures.append(
            KeyFigure(
                label="Projets de recrutement",
                value=_fr(entry["bmo_projects"]),
                period=f"BMO {last}",
                trend=_trend(
                    entry["bmo_projects"], old.get("bmo_projects"), since=f"depuis {previous}"
                ),
                estimated=bool(entry.get("bmo_estimated")),
                note=note,
                anchor="recrutements",
            )
        )
        rate, old_rate = entry.get("bmo_difficulty_rate"), old.get("bmo_difficulty_rate")
        if rate is not None:
            figures.append(
                KeyFigure(
                    label="Recrutements jugés difficiles",
                    value=_fr(rate * 100, 1),
                    unit="%",
                    period=f"BMO {last}",
                    trend=_trend(
                        rate * 100,
                        old_rate * 100 if old_rate is not None else None,
                        since=f"depuis {previous}",
                        decimals=1,
                        points=True,
                        lower_is_better=True,
                    ),
                    estimated=bool(entry.get("bmo_estimated")),
                    note="Σ projets difficiles / Σ projets",
                    anchor="recrutements",
                )
            )
    series = [u for u in document.get("unemployment") or [] if u.get("rate") is not None]
    if series:
        last_u = series[-1]
        by_period = {u["period"]: u for u in series}
        year, _, quarter = str(last_u["period"]).partition("-")
        year_before = f"{int(year) - 1}-{quarter}" if year.isdigit() else ""
        before = by_period.get(year_before)
        region = last_u.get("region_rate")
        figures.append(
            KeyFigure(
                label="Taux de chômage",
                value=_fr(last_u["rate"], 1),
                unit="%",
                period=str(last_u["period"]),
                trend=_trend(
                    last_u["rate"],
                    before["rate"] if before else None,
                    since="sur un an",
                    decimals=1,
                    points=True,
                    lower_is_better=True,
                ),
                estimated=bool(last_u.get("estimated")),
                note=(f"région {_fr(region, 1)} %" if region is not None else "")
                + (
                    f" · France {_fr(last_u['france_rate'], 1)} %"
                    if last_u.get("france_rate") is not None
                    else ""
                ),
                anchor="chomage",
            )
        )
    seekers = [s for s in document.get("job_seekers") or [] if s.get("value") is not None]
    if seekers:
        last_s = seekers[-1]
        by_period = {s["period"]: s for s in seekers}
        year, _, month = str(last_s["period"]).partition("-")
        before = by_period.get(f"{int(year) - 1}-{month}") if year.isdigit() else None
        coverage = last_s.get("coverage")
        figures.append(
            KeyFigure(
                label="Demandeurs d'emploi (A, B, C)",
                value=_fr(last_s["value"]),
                period=_month_label(str(last_s["period"])),
                trend=_trend(
                    last_s["value"],
                    before["value"] if before else None,
                    since="sur un an",
                    lower_is_better=True,
                ),
                estimated=bool(last_s.get("estimated")),
                note=(
                    f"estimé, communes publiées : {_fr(coverage * 100, 0)} % de la population"
                    if last_s.get("estimated") and coverage is not None
                    else ""
                ),
                anchor="demandeurs",
            )
        )
    tension = document.get("tension_metiers") or []
    if document.get("bmo"):
        durable = sum(1 for t in tension if t.get("durable"))
        figures.append(
            KeyFigure(
                label="Métiers en tension",
                value=_fr(len(tension)),
                period=f"BMO {bmo_years[-1]}" if bmo_years else "",
                note=f"dont {_fr(durable)} en tension durable",
                anchor="tension",
            )
        )
    return figures


NBSP = "\u00a0"
NNBSP = "\u202f"
MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip


def _month_label(period: str) -> str:
    year, _, month = period.partition("-")
    if year.isdigit() and month.isdigit() and 1 <= int(month) <= 12:
        return f"{MONTHS_FR[int(month) - 1]} {year}"
    return period


def _figure_json(figure: Any) -> dict[str, Any]:
    return json.loads(figure.to_json())


def diagnostic_charts(run: DiagnosticRun) -> dict[str, dict[str, Any]]:
    """The report's charts as plotly JSON, drawn from the run's stored tables."""
    from diagnostics.analytics import charts

    out: dict[str, dict[str, Any]] = {}
    bmo_years = table_frame(run, "bmo_years")
    if bmo_years is not None and len(bmo_years):
        out["projects"] = _figure_json(charts.projects_figure(bmo_years))
    for name, measure, title in (
        ("top_metiers_projects", c.PROJECTS, "Métiers les plus recherchés"),
        ("top_metiers_difficult", c.DIFFICULT, "Métiers aux recrutements difficiles"),
    ):
        frame = table_frame(run, name)
        if frame is not None and len(frame):
            if c.ESTIMATED not in frame.columns:
                estimated = bool((run.results or {}).get("bmo", {}).get("estimated"))
                frame = frame.assign(**{c.ESTIMATED: estimated})
            figure = charts.top_metiers_figure(frame, measure=measure, title=title)
            # Room for the value printed after the longest bar (plotly clips it otherwise).
            known = pd.to_numeric(frame[measure], errors="coerce").dropna()
            figure.update_traces(cliponaxis=False)
            if len(known):
                figure.update_xaxes(range=[0, float(known.max()) * 1.15])
            out[name] = _figure_json(figure)
    unemployment = table_frame(run, "unemployment")
    if unemployment is not None and len(unemployment):
        out["unemployment"] = _figure_json(charts.unemployment_figure(unemployment))
    seekers = table_frame(run, "job_seekers")
    if seekers is not None and len(seekers):
        out["job_seekers"] = _figure_json(charts.job_seekers_figure(seekers))
    return out


def diagnostic_maps(run: DiagnosticRun) -> dict[str, dict[str, Any]]:
    """The two choropleths: the basin's communes (job seekers per 1,000 inhabitants where
    published, else population) and the region's basins (or zones d'emploi) by unemployment
    rate. Geometries are read now; the values are the run's. Without polygons (overseas), the
    figure says so and the tables below still hold every value."""
    from diagnostics.analytics import charts

    out: dict[str, dict[str, Any]] = {}
    maps = (run.results or {}).get("maps") or {}
    communes = table_frame(run, "communes_map")
    if communes is not None and len(communes):
        geometries = commune_geometries(communes[c.COMMUNE_CODE])
        by_seekers = maps.get("communes_value") == "job_seekers_per_1000"
        frame = communes.assign(
            code=communes[c.COMMUNE_CODE],
            geometry=communes[c.COMMUNE_CODE].map(geometries),
            _value=communes["job_seekers_per_1000" if by_seekers else c.POPULATION],
        )
        out["communes"] = _figure_json(
            charts.choropleth_figure(
                frame,
                value="_value",
                value_title="Demandeurs pour 1 000 hab." if by_seekers else "Population",
                decimals=1 if by_seekers else 0,
                height=480,
            )
        )
    region = table_frame(run, "region_map")
    if region is not None and len(region):
        if str(region["kind"].iloc[0]) == "basin":
            geometries = basin_geometries(int(code) for code in region["code"])
        else:
            geometries = zone_emploi_geometries(region["code"])
        frame = region.assign(geometry=region["code"].map(geometries))
        figure = charts.choropleth_figure(
            frame,
            value="unemployment_rate",
            value_title="Taux de chômage (%)",
            decimals=1,
            height=480,
        )
        _outline_current(figure, frame)
        out["region"] = _figure_json(figure)
    return out


def _outline_current(figure: Any, frame: pd.DataFrame) -> None:
    """Draw the outline of the diagnosed basin (or of its zones) over the region map."""
    import shapely
    from shapely.geometry import shape

    from diagnostics.analytics import charts

    current = frame[frame["current"].fillna(False).astype(bool) & frame["geometry"].notna()]
    if current.empty:
        return
    geometry = shapely.union_all([shape(g) for g in current["geometry"]])
    minx, miny, maxx, maxy = geometry.bounds
    simplified = shapely.simplify(geometry, max(maxx - minx, maxy - miny) / 400)
    xs, ys = charts.polygon_rings(simplified if not simplified.is_empty else geometry)
    figure.add_scatter(
        x=xs,
        y=ys,
        mode="lines",
        line={"color": charts.RED_MARIANNE, "width": 2.5},
        name="Bassin du diagnostic",
        hoverinfo="skip",
        showlegend=True,
    )


def diagnostic_basin_summary(basin: Basin, *, can_run: bool) -> dict[str, Any]:
    """What the basin page shows of its diagnostics: the latest runs and the latest done one,
    whether the data changed since, and whether the user may start one."""
    runs = diagnostic_runs_of_basin(basin, limit=5)
    latest_done = next((r for r in runs if r.status == DiagnosticRun.Status.DONE), None)
    if latest_done is None:
        latest_done = diagnostic_latest_done(basin.pk)
    newer = bool(diagnostic_newer_data(latest_done)) if latest_done else False
    return {
        "runs": runs,
        "latest": runs[0] if runs else None,
        "latest_done": latest_done,
        "newer": newer,
        "can_run": can_run,
        "has_data": bool(diagnostic_current_batches()),
    }
