"""The document of a diagnostic run: reads the run's frames through the selectors, calls the
pure engine (`analytics.indicators.basin_diagnostic`), adds the two map tables
(`services.diagnostic_map_tables`) and the published tensions, then has the
figures checked for secrecy by difference (`services.diagnostic_secrecy`). Progress is written
to the run's row between the steps. Called by `services.diagnostics.diagnostic_execute`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from time import perf_counter, sleep
from typing import Any

import pandas as pd
from django.conf import settings

from diagnostics.analytics import columns as c
from diagnostics.analytics.basin_context import BasinContext, basin_contexts
from diagnostics.analytics.crosswalk import Crosswalk
from diagnostics.analytics.diagnostic_params import DiagnosticParams
from diagnostics.analytics.indicators import basin_diagnostic
from diagnostics.analytics.payload import EXTRA_TABLE_TITLES, table_payload
from diagnostics.analytics.row_index import rows_in
from diagnostics.models import DiagnosticRun
from diagnostics.selectors import diagnostic_frames
from diagnostics.selectors.diagnostic_sources import diagnostic_batch_ids, diagnostic_sources
from diagnostics.selectors.memo import memo_row_index
from diagnostics.services.collector import collector_paused
from diagnostics.services.diagnostic_map_tables import communes_map_table, region_map_table
from diagnostics.services.diagnostic_params import DiagnosticError
from diagnostics.services.diagnostic_secrecy import difference_guard
from diagnostics.services.prospective import prospective_section
from diagnostics.services.prospective import table_payloads as prospective_tables
from diagnostics.services.tensions_published import (
    published_tensions_section,
)
from diagnostics.services.tensions_published import (
    table_payloads as published_tension_tables,
)

Status = DiagnosticRun.Status

# --- Execute ----------------------------------------------------------------------------------


def _no_progress(run_id: int, percent: int, step: str) -> None:
    return None


def _write_progress(run_id: int, percent: int, step: str) -> None:
    """Write progress to the row now (no transaction is open while a run computes)."""
    DiagnosticRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
        progress_percent=percent, progress_step=step
    )


@dataclasses.dataclass
class PreparedInputs:
    """What a batch read and computed once for many runs (`services.national_compute`): the
    frames, this basin's job seekers and context, and the sources of the batch's data."""

    crosswalk: pd.DataFrame
    bmo: pd.DataFrame | None
    unemployment: pd.DataFrame | None
    tension: pd.DataFrame | None
    job_seekers: pd.DataFrame | None
    context: BasinContext
    sources: dict[str, dict[str, Any]]
    # The run's import batches by kind (`diagnostic_batch_ids`), when the caller read them already.
    batch_ids: dict[str, list[int]] | None = None


def diagnostic_compute(
    run: DiagnosticRun,
    *,
    timings: dict[str, float],
    prepared: PreparedInputs | None = None,
    progress: bool = True,
) -> tuple[dict[str, Any], dict]:
    """The run's document and tables. `progress=False` (a national batch, whose progress is
    the batch's): no progress written to the run's row between the steps. The cyclic garbage
    collector waits for the end of the run (`services.collector`). The data version is read
    once, at the start (`selectors.memo.data_scope`): the run's reads that depend only on the
    imported data are kept per process for that version."""
    with collector_paused(), diagnostic_frames.data_scope_now():
        return _compute(run, timings=timings, prepared=prepared, progress=progress)


def _compute(
    run: DiagnosticRun,
    *,
    timings: dict[str, float],
    prepared: PreparedInputs | None,
    progress: bool,
) -> tuple[dict[str, Any], dict]:
    snapshot = run.basin_snapshot
    _progress = _write_progress if progress else _no_progress
    codes = list(snapshot.get("communes") or [])
    params = DiagnosticParams.from_stored(run.parameters)

    t = perf_counter()
    if prepared is None:
        prepared = _prepare_lone(run, codes)
    crosswalk, bmo, unemployment = prepared.crosswalk, prepared.bmo, prepared.unemployment
    tension, job_seekers = prepared.tension, prepared.job_seekers
    timings["lecture des données"] = perf_counter() - t
    _progress(run.pk, 35, "Calcul des indicateurs")
    _test_pause()

    t = perf_counter()
    try:
        result = basin_diagnostic(
            basin={
                "id": run.basin_id,
                "name": snapshot.get("name") or run.basin.name,
                "communes": codes,
                "region_code": snapshot.get("region_code") or run.basin.region_id,
            },
            communes=crosswalk,
            bmo=bmo,
            unemployment=unemployment,
            job_seekers=job_seekers,
            tension=tension,
            sources=prepared.sources,
            params=params,
            context=prepared.context,
        )
    except ValueError as exc:  # the engine's own checks (unknown communes, missing columns)
        raise DiagnosticError(str(exc)) from exc
    timings["calcul des indicateurs"] = perf_counter() - t
    _progress(run.pk, 70, "Cartes et secret statistique")

    t = perf_counter()
    document = result.document
    for source in (document.get("sources") or {}).values():
        nomenclatures = sorted({b["nomenclature"] for b in source["batches"] if b["nomenclature"]})
        if len(nomenclatures) > 1:
            document["warnings"].append(
                f"Rupture de nomenclature dans la source « {source['label']} » : "
                + " ; ".join(
                    f"{b['vintage'] or b['file_name']} en {b['nomenclature']}"
                    for b in source["batches"]
                )
                + ". Les métiers dont le code a changé ne se suivent pas d'un millésime à l'autre."
            )
    frames = dict(result.tables)
    frames["communes_map"] = communes_map_table(codes, crosswalk=crosswalk, job_seekers=job_seekers)
    ids = prepared.batch_ids if prepared.batch_ids is not None else diagnostic_batch_ids(run)
    frames["region_map"] = region_map_table(run, document=document, crosswalk=crosswalk, ids=ids)
    document["maps"] = {
        "communes_value": "job_seekers_per_1000"
        if frames["communes_map"]["job_seekers_per_1000"].notna().any()
        else "population",
        "region_kind": str(frames["region_map"]["kind"].iloc[-1])
        if len(frames["region_map"])
        else None,
    }
    tables = {name: table_payload(name, frame) for name, frame in frames.items()}
    published = published_tensions_section(
        tension=tension,
        crosswalk=crosswalk,
        codes=codes,
        sources=document.get("sources") or {},
        walk=prepared.context.crosswalks["bassin_bmo"],
    )
    document.update(published.document)
    tables.update(published_tension_tables(published.frames))
    if document["maps"]["region_kind"] == "zone_emploi":
        tables["region_map"]["title"] = EXTRA_TABLE_TITLES["region_map_zones"]
    suppressed = difference_guard(
        run=run,
        codes=codes,
        document=document,
        tables=tables,
        thresholds={"bmo": params.bmo_threshold, "defm": params.job_seekers_threshold},
    )
    document["secrecy"] = {
        "overlapping_runs": suppressed.overlapping_runs,
        "suppressed": suppressed.suppressed,
    }
    document["method"]["secrecy"] = document["method"].get("secrecy", "") + suppressed.method
    timings["cartes et secret statistique"] = perf_counter() - t
    t = perf_counter()
    _prospective(
        run,
        document=document,
        tables=tables,
        tension=tension,
        crosswalk=crosswalk,
        codes=codes,
        ids=ids,
        walk=prepared.context.crosswalks["bassin_bmo"],
    )
    timings["prospective"] = perf_counter() - t
    _progress(run.pk, 90, "Enregistrement")
    return document, tables


def _prepare_lone(run: DiagnosticRun, codes: list[str]) -> PreparedInputs:
    """A lone run's inputs: the frames of its batches (cached per process), its job seekers, and
    its context built with the shared references of the same data — read from the store when a
    batch (or an earlier run) computed them, else computed now and stored."""
    from diagnostics.services.references import references_for, references_key

    ids = diagnostic_batch_ids(run)
    crosswalk = diagnostic_frames.crosswalk_frame()
    bmo = diagnostic_frames.bmo_frame(batch_ids=ids["bmo"]) if ids["bmo"] else None
    unemployment = (
        diagnostic_frames.unemployment_frame(batch_ids=ids["chomage_ze"])
        if ids["chomage_ze"]
        else None
    )
    tension = (
        diagnostic_frames.tension_frame(batch_ids=ids["tensions"]) if ids["tensions"] else None
    )
    job_seekers = None
    if ids["defm"]:
        # Through the per-process indexes of the crosswalk's rows (`memo_row_index`): the same
        # rows, in the same order, as filtering the 35,000 communes.
        in_basin = rows_in(
            crosswalk, c.COMMUNE_CODE, codes, index=memo_row_index(crosswalk, c.COMMUNE_CODE)
        )
        departements = in_basin[c.DEPARTEMENT_CODE].dropna().astype(str).unique().tolist()
        communes = rows_in(
            crosswalk,
            c.DEPARTEMENT_CODE,
            departements,
            index=memo_row_index(crosswalk, c.DEPARTEMENT_CODE),
        )[c.COMMUNE_CODE].tolist()
        job_seekers = diagnostic_frames.job_seekers_frame_cached(
            batch_ids=ids["defm"], departements=departements, communes=communes
        )
    key = references_key(
        batch_ids=[i for kind in ("bmo", "chomage_ze") for i in ids.get(kind, [])],
        territories_version=diagnostic_frames.territories_version(),
        engine_version=run.engine_version,
    )
    references, _ = references_for(
        key=key,
        engine_version=run.engine_version,
        frames=lambda: (crosswalk, bmo, unemployment),
    )
    contexts = basin_contexts(
        communes=crosswalk,
        memberships={run.pk: codes},
        references=references,
        bmo=bmo,
        unemployment=unemployment,
        france_cache=diagnostic_frames.france_derived(),
    )
    if run.pk in contexts.errors:
        raise DiagnosticError(contexts.errors[run.pk])
    return PreparedInputs(
        crosswalk=crosswalk,
        bmo=bmo,
        unemployment=unemployment,
        tension=tension,
        job_seekers=job_seekers,
        context=contexts.by_basin[run.pk],
        sources=diagnostic_sources(run),
        batch_ids=ids,
    )


def _payload_frame(payload: Mapping[str, Any] | None) -> pd.DataFrame | None:
    """A stored table back as a frame (after the secrecy checks: what the report shows)."""
    if not payload:
        return None
    return pd.DataFrame(payload["rows"], columns=payload["columns"])


def _prospective(
    run: DiagnosticRun,
    *,
    document: dict[str, Any],
    tables: dict[str, Any],
    tension: pd.DataFrame | None,
    crosswalk: pd.DataFrame,
    codes: Sequence[str],
    ids: Mapping[str, Sequence[int]],
    walk: Crosswalk | None = None,
) -> None:
    """The prospective section (issue 17), computed from the tables as the report shows them
    (after the secrecy checks, so that no suppressed figure comes back through it)."""
    frames = {
        name: frame
        for name in ("unemployment", "job_seekers", "bmo_years", "bmo_families", "bmo_metiers")
        if (frame := _payload_frame(tables.get(name))) is not None
    }
    section = prospective_section(
        tables=frames,
        tension=tension,
        crosswalk=crosswalk,
        codes=codes,
        region_code=(document.get("basin") or {}).get("region_code"),
        batch_ids=ids,
        params=run.parameters or {},
        sources=document.get("sources") or {},
        walk=walk,
    )
    document.update(section.document)
    tables.update(prospective_tables(section.frames))


def _test_pause() -> None:
    """A pause between two steps, for the browser test to see the progress (0 otherwise)."""
    pause = float(getattr(settings, "DIAGNOSTIC_TEST_PAUSE_S", 0) or 0)
    if pause > 0:
        sleep(pause)
