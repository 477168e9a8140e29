"""Reads for the longitudinal diagnostic (issue 4): the data in force and the key of a run, runs a
user may see, the latest run of a basin, whether newer data are in force, the overlapping runs
and the regional reads behind the map tables.

Split by responsibility (issue 11); import each name from its module:
- `selectors.diagnostic_frames`: the `*_frame()` adapters (ORM → analytics columns, the
  batch-keyed cache of the France-wide frames);
- `selectors.diagnostic_report`: the report of a done run (tables, key figures, charts, maps).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd
from django.db.models import Prefetch, QuerySet
from django.db.models.fields.json import KeyTransform

from diagnostics.analytics import columns as c
from diagnostics.models import (
    Basin,
    Commune,
    DiagnosticRun,
    ImportBatch,
    User,
    ZoneEmploi,
)
from diagnostics.selectors.access import diagnostic_run_readable_for
from diagnostics.selectors.diagnostic_frames import cursor_rows
from diagnostics.selectors.memo import CHUNK_COMMUNES, memo_active, memo_get, memoised

# Import kinds a diagnostic is computed from, with the report's wording and licence.
DIAGNOSTIC_KINDS = ("bmo", "chomage_ze", "defm", "tensions", "population_age", "defm_secteur")
SOURCE_LABELS = {
    "bmo": "Enquête Besoins en main-d'œuvre (France Travail, Crédoc)",
    "chomage_ze": "Taux de chômage localisés par zone d'emploi (Insee)",
    "defm": "Demandeurs d'emploi inscrits en fin de mois, catégories A, B, C (France Travail)",
    "tensions": "Indicateurs de tension par métier et bassin (Dares, France Travail)",
    "population_age": (
        "Estimations de population au 1er janvier par département, sexe et âge quinquennal (Insee)"
    ),
    "defm_secteur": (
        "Demandeurs d'emploi par bassin BMO et secteur du dernier employeur (France Travail)"
    ),
}
LICENCE = "Licence Ouverte / Open Licence Etalab 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


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
    basin_id: int,
    commune_codes: Sequence[str],
    population: int,
    batch_ids: Sequence[int],
    parameters: dict[str, Any],
    engine_version: str,
) -> str:
    """SHA-256 of what a run's results follow from: the basin itself, its communes and
    population, the batches, the parameters and the engine version.

    The basin is part of the key: two basins made of the same communes (a delegate's basin
    equal to a zone d'emploi and that zone's reference basin) each get their own run. Without
    it the second basin's request returned the first basin's run, and its page stayed « non
    diagnostiqué » (its latest done run is looked up by basin)."""
    payload = json.dumps(
        {
            "basin": basin_id,
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


def diagnostic_newer_data(
    run: DiagnosticRun, *, current_batches: list[ImportBatch] | None = None
) -> NewerData:
    used = {b.pk: b for b in run.batches.all()}
    if current_batches is None:
        current_batches = diagnostic_current_batches()
    current = {b.pk: b for b in current_batches}
    return NewerData(
        added=[b for pk, b in current.items() if pk not in used],
        replaced=[b for pk, b in used.items() if pk not in current],
    )


# --- Runs a user may see ----------------------------------------------------------------------


def diagnostic_run_list_for(user: User) -> QuerySet[DiagnosticRun]:
    """Runs the user may read (another region's run is not found: 404): those of the basins it
    reads, and for a mayor's office only the runs shared with it (ADR 0014)."""
    return diagnostic_run_readable_for(user)


def diagnostic_runs_of_basin(basin: Basin, *, limit: int = 10) -> list[DiagnosticRun]:
    return list(
        DiagnosticRun.objects.filter(basin=basin)
        .defer("results", "tables")
        .order_by("-created_at", "-id")[:limit]
    )


def diagnostic_latest_done(basin_id: int, *, documents: bool = True) -> DiagnosticRun | None:
    """The basin's latest done run; without its results and tables unless `documents`."""
    runs = DiagnosticRun.objects.filter(basin_id=basin_id, status=DiagnosticRun.Status.DONE)
    if not documents:
        runs = runs.defer("results", "tables")
    return runs.order_by("-finished_at", "-id").first()


def diagnostic_latest_done_stamp(basin_id: int) -> tuple[int, Any] | None:
    """(id, finish time) of the run `diagnostic_latest_done` returns, without reading it."""
    return (
        DiagnosticRun.objects.filter(basin_id=basin_id, status=DiagnosticRun.Status.DONE)
        .order_by("-finished_at", "-id")
        .values_list("pk", "finished_at")
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


def diagnostic_run_outline(qs: QuerySet[DiagnosticRun]) -> DiagnosticRun | None:
    """The first run of `qs` without its documents (results and tables: hundreds of kilobytes
    of JSON), but with what a page reads around its cached report: the sources of its results
    and its region map (what `diagnostic_run_scoped` cuts to the reader's scope). For display
    only: never saved (its documents hold those two keys alone)."""
    run = (
        qs.defer("results", "tables")
        .annotate(
            outline_sources=KeyTransform("sources", "results"),
            outline_region_map=KeyTransform("region_map", "tables"),
        )
        .first()
    )
    if run is None:
        return None
    sources, region_map = run.outline_sources, run.outline_region_map  # type: ignore[attr-defined]
    run.results = {"sources": sources} if sources else {}
    run.tables = {"region_map": region_map} if region_map else {}
    return run


def diagnostic_runs_with_batches(qs: QuerySet[DiagnosticRun]) -> QuerySet[DiagnosticRun]:
    return qs.prefetch_related(
        Prefetch("batches", queryset=ImportBatch.objects.order_by("kind", "vintage", "id"))
    )


def overlapping_runs(*, basin: Basin, commune_codes: Sequence[str]) -> list[DiagnosticRun]:
    """The latest done run of every other basin sharing a commune with `commune_codes` (their
    figures are public: a new run must not allow a small figure to be recovered by difference
    with them), with their tables but not their document (`results`, ≈ 100 kB of JSON each:
    the check by difference reads the tables only; a bassin BMO of a national batch overlaps
    two to four zones d'emploi already diagnosed)."""
    codes = {str(code) for code in commune_codes}
    chunk = memo_get(CHUNK_COMMUNES)
    if chunk is not None and codes <= chunk:
        # A chunk of a national batch: the basins of the chunk's communes read at once, and
        # each overlapping basin's run read (and its tables decoded) once for all the chunk's
        # basins that overlap it. Nothing is written while a chunk computes.
        basins_of = memoised(("commune_basins", chunk), lambda: _commune_basins(chunk))
        found = {other for code in codes for other in basins_of.get(code, ())}
        others: Iterable[int] = found - {basin.pk}
    else:
        others = (
            Basin.objects.filter(communes__code__in=list(commune_codes))
            .exclude(pk=basin.pk)
            .values_list("pk", flat=True)
            .distinct()
        )
    runs = []
    for other in sorted(set(others)):
        run = memoised(("latest_done_run", other), partial(_latest_done_run, other))
        if run is not None:
            runs.append(run)
    return runs


def _latest_done_run(basin_id: int) -> DiagnosticRun | None:
    return (
        DiagnosticRun.objects.filter(basin_id=basin_id, status=DiagnosticRun.Status.DONE)
        .defer("results")
        .order_by("-finished_at", "-id")
        .first()
    )


def _commune_basins(codes: Iterable[str]) -> dict[str, list[int]]:
    """Commune code → the basins holding it, for the given communes."""
    out: dict[str, list[int]] = {}
    pairs = (
        Basin.communes.through.objects.filter(commune_id__in=sorted(codes))
        .order_by()
        .values_list("commune_id", "basin_id")
    )
    for commune, basin_id in cursor_rows(pairs):
        out.setdefault(str(commune), []).append(int(basin_id))
    return out


def basins_commune_codes(basin_ids: Iterable[int]) -> dict[int, set[str]]:
    through = Basin.communes.through
    out: dict[int, set[str]] = {}
    for basin_id, code in through.objects.filter(basin_id__in=list(basin_ids)).values_list(
        "basin_id", "commune_id"
    ):
        out.setdefault(basin_id, set()).add(code)
    return out


def commune_names(codes: Iterable[str]) -> dict[str, str]:
    """Commune code → name; in a chunk of a national batch every name is read once."""
    if memo_active():
        every: dict[str, str] = memoised(
            ("commune_names",), lambda: dict(Commune.objects.values_list("code", "name"))
        )
        return {code: every[code] for code in codes if code in every}
    return dict(Commune.objects.filter(code__in=list(codes)).values_list("code", "name"))


def region_basins(basin: Basin) -> list[Basin]:
    """The other registered basins of the basin's region (for the region map). Reference basins
    (national batches) are not « registered basins of the region »: they are left out, and a
    reference basin's own map shows the zones d'emploi of its region (none: [])."""
    if basin.is_reference:
        return []
    return list(
        Basin.objects.filter(region_id=basin.region_id, is_reference=False)
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


def diagnostic_basin_summary(basin: Basin, *, can_run: bool) -> dict[str, Any]:
    """What the basin page shows of its diagnostics: the latest runs and the latest done one,
    whether the data changed since, and whether the user may start one."""
    runs = diagnostic_runs_of_basin(basin, limit=5)
    latest_done = next((r for r in runs if r.status == DiagnosticRun.Status.DONE), None)
    if latest_done is None:
        latest_done = diagnostic_latest_done(basin.pk, documents=False)
    current = diagnostic_current_batches()
    newer = (
        bool(diagnostic_newer_data(latest_done, current_batches=current)) if latest_done else False
    )
    return {
        "runs": runs,
        "latest": runs[0] if runs else None,
        "latest_done": latest_done,
        "newer": newer,
        "can_run": can_run,
        "has_data": bool(current),
    }
