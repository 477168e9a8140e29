"""The computation of a chunk of a national batch (issue 16): many runs, grouped passes.

`runs_compute(runs)` groups the runs by the data they are computed from (their import
batches), then per group:

1. reads the France-wide frames once (cached per process by batch) and the job seekers of every
   département concerned in one query;
   Inside the chunk, the reads and reference figures every basin repeats (ROME referential,
   names, a region's départements and zones, France's age bands…) are made once
   (`selectors.memo.chunk_memo`);
2. gets the shared references of that data (`services.references`: memory, store, or computed
   once and stored);
3. computes every basin's crosswalks, BMO totals and unemployment series in grouped passes
   (`analytics.basin_context.basin_contexts`);
4. assembles each run's document and tables with the lone run's own code
   (`diagnostic_document.diagnostic_compute` with these prepared inputs): the figures are those
   of a lone run, the per-basin work is only what is specific to the basin.

Returns, per run id, (document, tables, timings) or the French error of that basin alone.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from time import perf_counter
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.analytics.basin_context import BasinContext, basin_contexts
from diagnostics.analytics.bmo_section_tables import attach_bmo_tables
from diagnostics.analytics.diagnostic_params import DiagnosticParams
from diagnostics.analytics.diagnostic_sections import attach_tension_frames
from diagnostics.analytics.job_seekers import job_seekers_basin_series
from diagnostics.errors import ApplicationError
from diagnostics.models import DiagnosticRun
from diagnostics.selectors import diagnostic_frames
from diagnostics.selectors.diagnostic_sources import diagnostic_batch_ids, diagnostic_sources
from diagnostics.selectors.memo import CHUNK_BASSINS, CHUNK_COMMUNES, chunk_memo, memo_set
from diagnostics.services.collector import collector_paused
from diagnostics.services.diagnostic_document import PreparedInputs, diagnostic_compute
from diagnostics.services.references import references_for, references_key

Outcome = tuple[dict[str, Any], dict[str, Any], dict[str, float]] | str


def runs_compute(runs: Sequence[DiagnosticRun]) -> dict[int, Outcome]:
    groups: dict[tuple[int, ...], list[DiagnosticRun]] = {}
    ids_of: dict[tuple[int, ...], dict[str, list[int]]] = {}
    for run in runs:
        ids = diagnostic_batch_ids(run)
        key = tuple(sorted(i for values in ids.values() for i in values))
        groups.setdefault(key, []).append(run)
        ids_of[key] = ids
    out: dict[int, Outcome] = {}
    # Reads and reference figures shared by the basins are made once for the chunk; the
    # cyclic garbage collector waits for the end of the chunk (`services.collector`).
    with chunk_memo(), collector_paused(), diagnostic_frames.data_scope_now():
        for key, group in groups.items():
            out.update(_group_compute(group, ids_of[key]))
    return out


def _departement_index(crosswalk: pd.DataFrame, job_seekers: pd.DataFrame) -> dict[str, np.ndarray]:
    """Row positions of `job_seekers` per département: the département's own rows and those of
    its communes (frame sorted as `selectors.diagnostic_frames.job_seekers_frame` sorts it)."""
    commune_dep = crosswalk.set_index(c.COMMUNE_CODE)[c.DEPARTEMENT_CODE]
    level = job_seekers[c.LEVEL].astype(str).to_numpy()
    geo = job_seekers[c.GEO_CODE].astype(str)
    dep = np.where(level == "departement", geo.to_numpy(), geo.map(commune_dep).to_numpy())
    frame = pd.DataFrame({"dep": dep, "row": np.arange(len(job_seekers))}).dropna()
    return {str(k): g["row"].to_numpy() for k, g in frame.groupby("dep", sort=False)}


def _with_job_seekers(
    contexts: dict[int, BasinContext],
    *,
    runs: Sequence[DiagnosticRun],
    seekers: pd.DataFrame,
    crosswalk: pd.DataFrame,
) -> dict[int, BasinContext]:
    """The contexts with every basin's monthly job seekers, computed in one grouped pass per
    category asked for (`analytics.job_seekers`); a basin the pass cannot place keeps its
    context (its run computes the series alone and gives its own error)."""
    by_category: dict[str, dict[int, list[str]]] = {}
    for run in runs:
        if run.pk in contexts:
            category = DiagnosticParams.from_stored(run.parameters).job_seekers_category
            codes = list(run.basin_snapshot.get("communes") or [])
            by_category.setdefault(category, {})[run.pk] = codes
    out = dict(contexts)
    for category, memberships in by_category.items():
        series = job_seekers_basin_series(
            seekers, communes=crosswalk, memberships=memberships, category=category
        )
        for run_id, one in series.by_basin.items():
            out[run_id] = dataclasses.replace(out[run_id], job_seekers=(category, one))
    return out


def _group_compute(runs: Sequence[DiagnosticRun], ids: dict[str, list[int]]) -> dict[int, Outcome]:
    started = perf_counter()
    crosswalk = diagnostic_frames.crosswalk_frame()
    bmo = diagnostic_frames.bmo_frame(batch_ids=ids["bmo"]) if ids.get("bmo") else None
    unemployment = (
        diagnostic_frames.unemployment_frame(batch_ids=ids["chomage_ze"])
        if ids.get("chomage_ze")
        else None
    )
    tension = (
        diagnostic_frames.tension_frame(batch_ids=ids["tensions"]) if ids.get("tensions") else None
    )
    codes_of = {run.pk: list(run.basin_snapshot.get("communes") or []) for run in runs}
    deps_of: dict[int, list[str]] = {}
    seekers_all = None
    index: dict[str, np.ndarray] = {}
    if ids.get("defm"):
        dep_of_commune = crosswalk.set_index(c.COMMUNE_CODE)[c.DEPARTEMENT_CODE]
        for run_id, codes in codes_of.items():
            deps = pd.Series(codes).map(dep_of_commune).dropna().astype(str)
            deps_of[run_id] = list(dict.fromkeys(deps))
        every = sorted({d for deps in deps_of.values() for d in deps})
        communes = crosswalk.loc[crosswalk[c.DEPARTEMENT_CODE].isin(every), c.COMMUNE_CODE]
        seekers_all = diagnostic_frames.job_seekers_frame(
            batch_ids=ids["defm"], departements=every, communes=communes.tolist()
        )
        index = _departement_index(crosswalk, seekers_all)
    read = perf_counter() - started

    started = perf_counter()
    first = runs[0]
    key = references_key(
        batch_ids=[i for kind in ("bmo", "chomage_ze") for i in ids.get(kind, [])],
        territories_version=diagnostic_frames.territories_version(),
        engine_version=first.engine_version,
    )
    references, origin = references_for(
        key=key, engine_version=first.engine_version, frames=lambda: (crosswalk, bmo, unemployment)
    )
    references_s = perf_counter() - started

    started = perf_counter()
    contexts = basin_contexts(
        communes=crosswalk,
        memberships=codes_of,
        references=references,
        bmo=bmo,
        unemployment=unemployment,
        france_cache=diagnostic_frames.france_derived(),
    )
    memo_set(CHUNK_COMMUNES, frozenset(str(code) for codes in codes_of.values() for code in codes))
    # The pools of per-bassin figures cover the bassins of this group's basins only.
    memo_set(
        CHUNK_BASSINS,
        tuple(
            sorted(
                {
                    str(code)
                    for context in contexts.by_basin.values()
                    for code in context.crosswalks["bassin_bmo"].zone_codes
                }
            )
        ),
    )
    by_basin = attach_bmo_tables(
        contexts.by_basin,
        params={run.pk: DiagnosticParams.from_stored(run.parameters) for run in runs},
        populations={
            basin_id: context.crosswalks["bassin_bmo"].basin_population
            for basin_id, context in contexts.by_basin.items()
        },
    )
    by_basin = attach_tension_frames(by_basin, tension)
    if seekers_all is not None:
        by_basin = _with_job_seekers(by_basin, runs=runs, seekers=seekers_all, crosswalk=crosswalk)
    grouped_s = perf_counter() - started
    sources = diagnostic_sources(first)
    shared = {
        "lecture commune au lot": round(read / len(runs), 4),
        f"références ({origin})": round(references_s / len(runs), 4),
        "passes groupées": round(grouped_s / len(runs), 4),
    }

    out: dict[int, Outcome] = {}
    for run in runs:
        if run.pk in contexts.errors:
            out[run.pk] = contexts.errors[run.pk]
            continue
        job_seekers = None
        if seekers_all is not None:
            rows = [index[d] for d in deps_of.get(run.pk, []) if d in index]
            positions = np.sort(np.concatenate(rows)) if rows else np.array([], dtype=int)
            job_seekers = seekers_all.take(positions).reset_index(drop=True)
        prepared = PreparedInputs(
            crosswalk=crosswalk,
            bmo=bmo,
            unemployment=unemployment,
            tension=tension,
            job_seekers=job_seekers,
            context=by_basin[run.pk],
            sources=copy.deepcopy(sources),
            batch_ids=ids,
        )
        timings: dict[str, float] = {}
        try:
            document, tables = diagnostic_compute(
                run, timings=timings, prepared=prepared, progress=False
            )
        except Exception as exc:  # one basin's failure is its own, the chunk goes on
            out[run.pk] = exc.message if isinstance(exc, ApplicationError) else str(exc)
            continue
        out[run.pk] = (document, tables, {**{k: round(v, 4) for k, v in timings.items()}, **shared})
    return out
