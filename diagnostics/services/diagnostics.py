"""Diagnostic runs (issue 4): request, execute, sweep.

- `diagnostic_request` records a run for a basin and the data in force (import batches), or
  returns the run that already exists for the same basin composition, data, parameters and
  engine version (`data_key`, unique among runs that are not failed): two requests, one run.
  The computation is enqueued after the transaction commits.
- `diagnostic_execute` claims a pending run with a conditional UPDATE (a re-delivered task finds
  it claimed and does nothing), reads the frames through the selectors, calls the pure engine
  (`analytics.indicators.basin_diagnostic`), builds the two map tables, checks that no figure
  lets a small figure be recovered by difference with an overlapping basin's published report,
  and stores the document and the tables in one UPDATE (pending → running → done). Progress
  (percent + step) is written to the row as it goes. Any error marks the run failed with its
  message; a lost database connection puts it back to pending for the task's retry.
- `diagnostic_fail_stuck` marks failed the runs left running past the task's time limit (a
  worker killed mid-run) or pending for too long: never left « en cours ».
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from time import perf_counter, sleep
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from diagnostics.analytics import columns as c
from diagnostics.analytics.indicators import (
    ENGINE_VERSION,
    TABLE_TITLES,
    DiagnosticParams,
    basin_diagnostic,
)
from diagnostics.analytics.secrecy import secondary_suppression
from diagnostics.analytics.synthetic_files import DEMO_OPTION
from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, DiagnosticRun, ImportBatch, User
from diagnostics.selectors import diagnostics as selectors
from diagnostics.selectors.access import basin_manageable_for
from diagnostics.services.tensions_published import (
    published_tensions_section,
)
from diagnostics.services.tensions_published import (
    table_payloads as published_tension_tables,
)

logger = logging.getLogger(__name__)

Status = DiagnosticRun.Status
TRANSIENT_ERRORS = (OperationalError, InterfaceError)

EXTRA_TABLE_TITLES = {
    "communes_map": "Communes du bassin : demandeurs d'emploi pour 1 000 habitants",
    "region_map": "Bassins de la région : taux de chômage",
    "region_map_zones": "Zones d'emploi de la région : taux de chômage",
}


SOURCE_SHORT_LABELS = {
    "bmo": "BMO",
    "chomage_ze": "Chômage (Insee)",
    "defm": "Demandeurs d'emploi",
    "tensions": "Tensions (Dares)",
}


class DiagnosticError(ApplicationError):
    """A diagnostic cannot be requested as asked (basin, parameters, rights)."""

    code = "diagnostic_error"


# --- Parameters -------------------------------------------------------------------------------

PARAMETER_LABELS = {
    "tension_threshold": "seuil du taux de difficulté d'un métier en tension",
    "tension_min_projects": "nombre minimal de projets d'un métier en tension",
    "tension_min_years": "nombre minimal d'années d'une tension durable",
    "top_n": "nombre de métiers des classements",
    "lq_threshold": "seuil de surreprésentation du quotient de localisation",
    "bmo_threshold": "seuil de diffusion BMO",
    "job_seekers_threshold": "seuil de diffusion des demandeurs d'emploi",
    "job_seekers_category": "catégorie de demandeurs d'emploi",
    "size_band_edges": "tranches de population",
}


def diagnostic_params_clean(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The run's parameters: the engine's defaults overridden by `params`, checked. Unknown
    names and wrong values raise DiagnosticError naming them."""
    defaults = DiagnosticParams().as_dict()
    params = dict(params or {})
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise DiagnosticError(
            "Paramètre(s) inconnu(s) : "
            + ", ".join(unknown)
            + ". Paramètres possibles : "
            + ", ".join(sorted(defaults))
            + ".",
            extra={"unknown": unknown},
        )
    out = dict(defaults)
    problems: list[str] = []
    for name, value in params.items():
        label = PARAMETER_LABELS[name]
        default = defaults[name]
        try:
            if isinstance(default, bool):
                raise TypeError
            if isinstance(default, int):
                number = float(value)
                if not number.is_integer():
                    raise ValueError
                value = int(number)
                if value < (1 if name in {"top_n", "tension_min_years"} else 0):
                    raise ValueError
            elif isinstance(default, float):
                value = float(value)
                if (
                    not math.isfinite(value)
                    or value < 0
                    or (name == "tension_threshold" and value > 1)
                ):
                    raise ValueError
            elif name == "job_seekers_category":
                if value not in ("ABC", "A"):
                    raise ValueError
            elif name == "size_band_edges":
                value = [int(v) for v in value]
                if not value or value != sorted(set(value)) or value[0] < 0:
                    raise ValueError
        except (TypeError, ValueError):
            problems.append(f"{name} ({label}) : valeur « {value} » invalide")
            continue
        out[name] = value
    if problems:
        raise DiagnosticError(
            "Paramètres invalides : " + " ; ".join(problems) + ".", extra={"params": problems}
        )
    return out


def _engine_params(parameters: Mapping[str, Any]) -> DiagnosticParams:
    values = dict(parameters)
    values["size_band_edges"] = tuple(values.get("size_band_edges") or ())
    known = {f.name for f in dataclasses.fields(DiagnosticParams)}
    return DiagnosticParams(**{k: v for k, v in values.items() if k in known})


# --- Request ----------------------------------------------------------------------------------


def diagnostic_request(
    *,
    basin_id: int,
    user: User | None = None,
    params: Mapping[str, Any] | None = None,
    enqueue: bool = True,
) -> DiagnosticRun:
    """The run of `basin_id` for the data in force: an existing one (pending, running or
    done) with the same data key, or a new pending run enqueued after commit (unless
    `enqueue` is False: the caller computes it).

    `user` (None for the command line and the tasks) must be allowed to manage the basin.
    Runs of the basin stuck past the time limit are marked failed first, so that a worker
    killed mid-run does not block a new run."""
    try:
        basin = Basin.objects.get(pk=basin_id)
    except Basin.DoesNotExist as exc:
        raise DiagnosticError(f"Bassin n° {basin_id} introuvable.", code="not_found") from exc
    if user is not None and not basin_manageable_for(user).filter(pk=basin.pk).exists():
        raise DiagnosticError(
            "Seuls les délégués de la région du bassin et les administrateurs peuvent lancer "
            "son diagnostic.",
            code="forbidden",
        )
    parameters = diagnostic_params_clean(params)
    diagnostic_fail_stuck(basin_id=basin.pk)

    codes = selectors.basin_commune_codes(basin)
    if not codes:
        raise DiagnosticError(f"Le bassin « {basin.name} » ne contient aucune commune.")
    batches = selectors.diagnostic_current_batches()
    data_key = selectors.diagnostic_data_key(
        commune_codes=codes,
        population=basin.population,
        batch_ids=[b.pk for b in batches],
        parameters=parameters,
        engine_version=ENGINE_VERSION,
    )
    existing = _live_run(data_key)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            run = DiagnosticRun.objects.create(
                basin=basin,
                requested_by=user,
                parameters=parameters,
                engine_version=ENGINE_VERSION,
                data_key=data_key,
                basin_snapshot={
                    "id": basin.pk,
                    "name": basin.name,
                    "population": basin.population,
                    "region_code": basin.region_id,
                    "communes_count": len(codes),
                    "communes": codes,
                },
                status=Status.PENDING,
                progress_step="En attente de calcul",
            )
            run.batches.set(batches)
            run_id = run.pk
            if enqueue:
                transaction.on_commit(lambda: _enqueue(run_id))
    except IntegrityError:
        # A concurrent request created the same run first (unique data_key): use it.
        existing = _live_run(data_key)
        if existing is None:
            raise
        return existing
    logger.info("diagnostic run %s requested for basin %s", run.pk, basin.pk)
    return run


def _live_run(data_key: str) -> DiagnosticRun | None:
    return (
        DiagnosticRun.objects.filter(data_key=data_key)
        .exclude(status=Status.FAILED)
        .order_by("-created_at")
        .first()
    )


def _enqueue(run_id: int) -> None:
    from diagnostics.dispatch import DIAGNOSTIC_EXECUTE, task_send

    if settings.CELERY_TASK_ALWAYS_EAGER and getattr(settings, "DIAGNOSTIC_EAGER_IN_THREAD", False):
        # Embedded default (no broker): compute beside the request so that the page can show
        # the progress, as a worker would.
        threading.Thread(target=_execute_in_thread, args=(run_id,), daemon=True).start()
        return
    task_send(DIAGNOSTIC_EXECUTE, run_id)


def _execute_in_thread(run_id: int) -> None:
    from django.db import connection

    try:
        diagnostic_execute(run_id=run_id)
    except Exception:  # the run is already marked failed; nothing else to report to
        logger.exception("diagnostic run %s failed in its thread", run_id)
    finally:
        connection.close()


# --- Execute ----------------------------------------------------------------------------------


def _progress(run_id: int, percent: int, step: str) -> None:
    """Write progress to the row now (no transaction is open while a run computes)."""
    DiagnosticRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
        progress_percent=percent, progress_step=step
    )


def diagnostic_execute(*, run_id: int) -> DiagnosticRun:
    """Compute a pending run (see the module docstring). A run that is not pending any more is
    returned untouched (the task was delivered twice, or the run was swept)."""
    claimed = DiagnosticRun.objects.filter(pk=run_id, status=Status.PENDING).update(
        status=Status.RUNNING,
        started_at=timezone.now(),
        progress_percent=5,
        progress_step="Lecture des données",
        error_message="",
    )
    run = DiagnosticRun.objects.select_related("basin").get(pk=run_id)
    if not claimed:
        logger.info("diagnostic run %s is %s: nothing to do", run_id, run.status)
        return run
    timings: dict[str, float] = {}
    started = perf_counter()
    try:
        document, tables = _compute(run, timings=timings)
        timings["total"] = perf_counter() - started
        finished = DiagnosticRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
            status=Status.DONE,
            results=document,
            tables=tables,
            finished_at=timezone.now(),
            progress_percent=100,
            progress_step="Terminé",
            step_durations={k: round(v, 3) for k, v in timings.items()},
        )
        if not finished:
            logger.warning("diagnostic run %s was swept while computing: result dropped", run_id)
    except TRANSIENT_ERRORS:
        # The database went away: back to pending (if it can be written) for the task's retry;
        # otherwise the sweeper will mark it failed.
        logger.warning("diagnostic run %s: database error, will be retried", run_id)
        with contextlib.suppress(*TRANSIENT_ERRORS):
            DiagnosticRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
                status=Status.PENDING, progress_percent=0, progress_step="Nouvel essai"
            )
        raise
    except Exception as exc:
        logger.exception("diagnostic run %s failed", run_id)
        message = exc.message if isinstance(exc, ApplicationError) else str(exc)
        DiagnosticRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            progress_step="Échec du calcul",
            error_message=f"Le calcul du diagnostic a échoué : {message or type(exc).__name__}",
            step_durations={k: round(v, 3) for k, v in timings.items()},
        )
    run.refresh_from_db()
    return run


def _batch_ids(run: DiagnosticRun) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = {kind: [] for kind in selectors.DIAGNOSTIC_KINDS}
    for batch_id, kind in run.batches.values_list("pk", "kind"):
        ids.setdefault(kind, []).append(batch_id)
    return ids


def _sources(run: DiagnosticRun) -> dict[str, dict[str, Any]]:
    """The method section's sources: label, vintages, licence, and each batch (file, date)."""
    out: dict[str, dict[str, Any]] = {}
    batches: Iterable[ImportBatch] = run.batches.order_by("kind", "vintage", "id")
    for batch in batches:
        entry = out.setdefault(
            batch.kind,
            {
                "label": selectors.SOURCE_LABELS.get(batch.kind, batch.get_kind_display()),
                "licence": selectors.LICENCE,
                "licence_url": selectors.LICENCE_URL,
                "vintages": [],
                "batches": [],
            },
        )
        if batch.vintage and batch.vintage not in entry["vintages"]:
            entry["vintages"].append(batch.vintage)
        entry["batches"].append(
            {
                "id": batch.pk,
                "file_name": batch.file_name,
                "vintage": batch.vintage,
                "period": batch.period,
                "nomenclature": batch.nomenclature,
                "imported_at": batch.finished_at.isoformat() if batch.finished_at else None,
                "imported_on": (
                    timezone.localtime(batch.finished_at).strftime("%d/%m/%Y")
                    if batch.finished_at
                    else None
                ),
                "sha256": batch.sha256,
                # Invented by the demo generator: the report says so instead of a licence.
                "demo": bool((batch.options or {}).get(DEMO_OPTION)),
            }
        )
        entry["demo"] = entry.get("demo", False) or entry["batches"][-1]["demo"]
    for kind, entry in out.items():
        entry["vintage"] = ", ".join(entry["vintages"])
        entry["short_label"] = SOURCE_SHORT_LABELS.get(kind, kind)
    return out


def _compute(run: DiagnosticRun, *, timings: dict[str, float]) -> tuple[dict[str, Any], dict]:
    snapshot = run.basin_snapshot
    codes = list(snapshot.get("communes") or [])
    params = _engine_params(run.parameters)
    ids = _batch_ids(run)

    t = perf_counter()
    crosswalk = selectors.crosswalk_frame()
    bmo = selectors.bmo_frame(batch_ids=ids["bmo"]) if ids["bmo"] else None
    unemployment = (
        selectors.unemployment_frame(batch_ids=ids["chomage_ze"]) if ids["chomage_ze"] else None
    )
    tension = selectors.tension_frame(batch_ids=ids["tensions"]) if ids["tensions"] else None
    job_seekers = None
    if ids["defm"]:
        in_basin = crosswalk[crosswalk[c.COMMUNE_CODE].isin(codes)]
        departements = in_basin[c.DEPARTEMENT_CODE].dropna().astype(str).unique().tolist()
        communes = crosswalk.loc[
            crosswalk[c.DEPARTEMENT_CODE].isin(departements), c.COMMUNE_CODE
        ].tolist()
        job_seekers = selectors.job_seekers_frame(
            batch_ids=ids["defm"], departements=departements, communes=communes
        )
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
            sources=_sources(run),
            params=params,
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
    frames["communes_map"] = _communes_map(codes, crosswalk=crosswalk, job_seekers=job_seekers)
    frames["region_map"] = _region_map(run, document=document, crosswalk=crosswalk)
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
        tension=tension, crosswalk=crosswalk, codes=codes, sources=document.get("sources") or {}
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
    _progress(run.pk, 90, "Enregistrement")
    return document, tables


def _test_pause() -> None:
    """A pause between two steps, for the browser test to see the progress (0 otherwise)."""
    pause = float(getattr(settings, "DIAGNOSTIC_TEST_PAUSE_S", 0) or 0)
    if pause > 0:
        sleep(pause)


# --- Map tables -------------------------------------------------------------------------------

COMMUNES_MAP_COLUMNS = [
    c.COMMUNE_CODE,
    c.NAME,
    c.POPULATION,
    "job_seekers",
    "job_seekers_period",
    "job_seekers_per_1000",
]


def _communes_map(
    codes: Sequence[str], *, crosswalk: pd.DataFrame, job_seekers: pd.DataFrame | None
) -> pd.DataFrame:
    """One row per basin commune: population and, for the communes France Travail publishes,
    the job seekers of the last month with figures and their number per 1,000 inhabitants."""
    rows = crosswalk[crosswalk[c.COMMUNE_CODE].isin(codes)][[c.COMMUNE_CODE, c.POPULATION]]
    names = selectors.commune_names(codes)
    frame = rows.assign(**{c.NAME: rows[c.COMMUNE_CODE].map(names)}).reset_index(drop=True)
    frame["job_seekers"] = pd.array([None] * len(frame), dtype="Int64")
    frame["job_seekers_period"] = pd.array([None] * len(frame), dtype="string")
    if job_seekers is not None and len(job_seekers):
        published = job_seekers[
            (job_seekers[c.LEVEL] == c.LEVEL_COMMUNE)
            & job_seekers[c.GEO_CODE].isin(codes)
            & job_seekers[c.VALUE].notna()
        ]
        if len(published):
            last = max(published[c.PERIOD])
            values = published[published[c.PERIOD] == last].set_index(c.GEO_CODE)[c.VALUE]
            frame["job_seekers"] = frame[c.COMMUNE_CODE].map(values).astype("Int64")
            frame["job_seekers_period"] = pd.Series(last, index=frame.index, dtype="string").where(
                frame["job_seekers"].notna()
            )
    population = frame[c.POPULATION].astype("Float64")
    frame["job_seekers_per_1000"] = (
        frame["job_seekers"].astype("Float64") * 1000 / population.where(population > 0)
    ).round(1)
    return frame[COMMUNES_MAP_COLUMNS].sort_values(
        [c.POPULATION, c.COMMUNE_CODE], ascending=[False, True], na_position="last"
    )


REGION_MAP_COLUMNS = [
    "kind",
    "code",
    c.NAME,
    c.POPULATION,
    "unemployment_rate",
    c.PERIOD,
    "current",
]


def _region_map(
    run: DiagnosticRun, *, document: Mapping[str, Any], crosswalk: pd.DataFrame
) -> pd.DataFrame:
    """The region's registered basins (this one included) or, when it is the only one, the
    zones d'emploi of the region; each with its unemployment rate at the basin's last quarter
    (population-weighted average of its zones' published rates)."""
    info = document.get("unemployment_info") or {}
    period = info.get("last_period")
    region = str(document["basin"].get("region_code") or run.basin.region_id)
    rates = pd.Series(dtype="Float64")
    if period:
        ids = _batch_ids(run)["chomage_ze"]
        unemployment = selectors.unemployment_frame(batch_ids=ids)
        at = unemployment[unemployment[c.PERIOD] == period]
        rates = at.set_index(c.ZONE_EMPLOI_CODE)[c.RATE].astype("Float64")
    basins = selectors.region_basins(run.basin)
    if basins:
        members = selectors.basins_commune_codes([b.pk for b in basins])
        members[run.basin_id] = set(run.basin_snapshot.get("communes") or [])
        names = {b.pk: b.name for b in basins} | {run.basin_id: run.basin_snapshot.get("name")}
        pairs = pd.DataFrame(
            [(basin_id, code) for basin_id, codes in members.items() for code in codes],
            columns=["basin_id", c.COMMUNE_CODE],
        ).merge(crosswalk[[c.COMMUNE_CODE, c.POPULATION, c.ZONE_EMPLOI_CODE]], on=c.COMMUNE_CODE)
        pairs["_pop"] = pairs[c.POPULATION].astype("Float64").fillna(0.0)
        pairs["_rate"] = pairs[c.ZONE_EMPLOI_CODE].map(rates).astype("Float64")
        pairs["_w"] = pairs["_pop"].where(pairs["_rate"].notna(), 0.0)
        pairs["_wv"] = (pairs["_rate"] * pairs["_pop"]).fillna(0.0)
        grouped = pairs.groupby("basin_id")[["_pop", "_w", "_wv"]].sum()
        rate = (grouped["_wv"] / grouped["_w"].where(grouped["_w"] > 0)).round(1)
        frame = pd.DataFrame(
            {
                "kind": "basin",
                "code": [str(i) for i in grouped.index],
                c.NAME: [names.get(i) for i in grouped.index],
                c.POPULATION: grouped["_pop"].round().astype("Int64").to_numpy(),
                "unemployment_rate": rate.astype("Float64").to_numpy(),
                c.PERIOD: period,
                "current": [i == run.basin_id for i in grouped.index],
            }
        )
    else:
        zones = selectors.region_zones_emploi(region, crosswalk=crosswalk)
        populations = crosswalk.groupby(c.ZONE_EMPLOI_CODE)[c.POPULATION].sum().astype("Int64")
        own = set(document.get("unemployment_info", {}).get("zones") or [])
        frame = pd.DataFrame(
            {
                "kind": "zone_emploi",
                "code": [code for code, _ in zones],
                c.NAME: [name for _, name in zones],
                c.POPULATION: pd.array([populations.get(code) for code, _ in zones], dtype="Int64"),
                "unemployment_rate": pd.array(
                    [rates.get(code) for code, _ in zones], dtype="Float64"
                ),
                c.PERIOD: period,
                "current": [code in own for code, _ in zones],
            }
        )
    return frame[REGION_MAP_COLUMNS].sort_values("code", kind="mergesort").reset_index(drop=True)


# --- Tables as JSON ---------------------------------------------------------------------------

# Decimals kept for the floats of each column (the report shows these very values).
COUNT_COLUMNS = {
    c.PROJECTS, c.DIFFICULT, c.SEASONAL, c.DIFFICULTY_BASE, c.SEASONAL_BASE, c.VALUE,
    c.DIRECT_VALUE, c.OFFERS, c.JOB_SEEKERS_ABC, c.JOB_SEEKERS_A, c.LOCAL_VALUE,
    c.REFERENCE_VALUE, c.POPULATION, c.ZONE_POPULATION, c.OVERLAP_POPULATION, "bmo_projects",
    "bmo_difficult", "bmo_seasonal", "job_seekers",
}  # fmt: skip
ONE_DECIMAL_COLUMNS = {
    c.RATE, "region_rate", "france_rate", "unemployment_rate", c.PROJECTS_PER_1000,
    "bmo_projects_per_1000", "job_seekers_per_1000", c.START_VALUE, c.END_VALUE, c.CHANGE,
    c.NATIONAL_SHARE, c.INDUSTRY_MIX, c.REGIONAL_SHIFT, c.PERCENTILE,
}  # fmt: skip
# Columns mixing rates (0.6523) and counts row by row keep DEFAULT_DECIMALS (4): value,
# median, region_value (comparison), first/last value and absolute change (changes).
THREE_DECIMAL_COLUMNS = {
    c.LOCATION_QUOTIENT, c.TENSION_INDEX, c.Z_OFFERS_PER_SEEKER, c.Z_EXIT_RATE,
    c.Z_BMO_DIFFICULTY_SHARE, c.OFFERS_PER_SEEKER,
}  # fmt: skip
DEFAULT_DECIMALS = 4


# Per table: columns whose unit changes row by row (rates and counts mixed).
TABLE_DECIMALS = {
    "comparison": {c.VALUE: DEFAULT_DECIMALS, c.MEDIAN: DEFAULT_DECIMALS},
    "changes": {},
}


def _decimals(column: str, table: str = "") -> int:
    if column in TABLE_DECIMALS.get(table, {}):
        return TABLE_DECIMALS[table][column]
    if column in COUNT_COLUMNS:
        return 0
    if column in ONE_DECIMAL_COLUMNS:
        return 1
    if column in THREE_DECIMAL_COLUMNS:
        return 3
    return DEFAULT_DECIMALS


def json_value(value: Any, decimals: int = DEFAULT_DECIMALS) -> Any:
    """A JSON-safe cell: NA → None, numpy → Python, floats rounded (integers when 0)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if not math.isfinite(number):
            return None
        rounded = round(number, decimals)
        return int(rounded) if decimals == 0 else rounded
    if isinstance(value, (list, tuple)):
        return [json_value(v, decimals) for v in value]
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _column_values(values: pd.Series, decimals: int) -> list[Any]:
    """A column as JSON-safe Python values, converted column-wise (a row-by-row conversion
    costs a third of a run's time on the big tables)."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return [None if pd.isna(v) else bool(v) for v in values.tolist()]
    if pd.api.types.is_integer_dtype(dtype):
        return [None if pd.isna(v) else int(v) for v in values.tolist()]
    if pd.api.types.is_float_dtype(dtype):
        numbers = pd.to_numeric(values).astype("float64")
        numbers = numbers.where(np.isfinite(numbers)).round(decimals)
        return [
            None if math.isnan(v) else (int(v) if decimals == 0 else v) for v in numbers.tolist()
        ]
    return [json_value(v, decimals) for v in values.tolist()]


def table_payload(name: str, frame: pd.DataFrame) -> dict[str, Any]:
    """{"title", "columns", "labels", "rows"}: what the report's table, the CSV and the XLSX
    all show (internal helper columns starting with `_` are left out)."""
    columns = [str(col) for col in frame.columns if not str(col).startswith("_")]
    values = [_column_values(frame[col], _decimals(col, name)) for col in columns]
    rows = [list(row) for row in zip(*values, strict=True)] if columns else []
    return {
        "title": TABLE_TITLES.get(name) or EXTRA_TABLE_TITLES.get(name) or name,
        "columns": columns,
        "labels": [
            c.COLUMN_LABELS_FR.get(col) or TABLE_COLUMN_LABELS.get(col) or col for col in columns
        ],
        "rows": rows,
    }


# Labels of the columns not named in analytics.columns.COLUMN_LABELS_FR.
TABLE_COLUMN_LABELS = {
    c.NAME: "Nom",
    c.COMMUNE_CODE: "Code commune",
    "code": "Code",
    "kind": "Type de zone",
    "current": "Bassin du diagnostic",
    "job_seekers": "Demandeurs d'emploi",
    "job_seekers_period": "Mois",
    "job_seekers_per_1000": "Demandeurs d'emploi pour 1 000 habitants",
    "unemployment_rate": "Taux de chômage (%)",
    "region_rate": "Taux de la région (%)",
    "france_rate": "Taux de la France (%)",
    "bmo_projects": "Projets de recrutement",
    "bmo_difficult": "Projets jugés difficiles",
    "bmo_seasonal": "Projets saisonniers",
    "bmo_difficulty_rate": "Taux de difficulté",
    "bmo_seasonal_rate": "Taux de saisonnalité",
    "bmo_projects_per_1000": "Projets pour 1 000 habitants",
    "bmo_masked_cells": "Cellules BMO secrètes",
    "bmo_estimated": "BMO estimé",
    "bmo_coverage": "Couverture BMO",
    "job_seekers_months": "Mois publiés",
    "job_seekers_estimated": "Demandeurs estimés",
    "unemployment_quarters": "Trimestres publiés",
    "unemployment_estimated": "Chômage estimé",
    c.PUBLISHED_TENSION: "Tension publiée (1-5)",
    c.HIRING_INTENSITY: "Intensité des embauches (1-5)",
    c.WORKING_CONDITIONS: "Conditions de travail (1-5)",
    c.NON_DURABLE_EMPLOYMENT: "Non-durabilité de l'emploi (1-5)",
    c.LACK_OF_LABOUR: "Manque de main-d'œuvre (1-5)",
    c.TRAINING_JOB_LINK: "Lien formation-emploi (1-5)",
    c.GEOGRAPHIC_MISMATCH: "Inadéquation géographique (1-5)",
    c.JOB_SEEKERS_ABC: "Demandeurs A, B, C",
    c.Z_OFFERS_PER_SEEKER: "z(offres par demandeur)",
    c.Z_EXIT_RATE: "z(taux de sortie)",
    c.Z_BMO_DIFFICULTY_SHARE: "z(part de projets difficiles)",
    c.BASSIN_BMO_CODE: "Bassin BMO",
    c.REVEALED_UNITS: "Unités révélées",
}


# --- Secrecy by difference with overlapping basins ---------------------------------------------


@dataclasses.dataclass
class GuardResult:
    overlapping_runs: list[int]
    suppressed: list[dict[str, Any]]
    method: str


# Count figures checked: (table, key columns, value columns, source of the threshold).
GUARDED_FIGURES: tuple[tuple[str, tuple[str, ...], tuple[str, ...], str], ...] = (
    ("bmo_years", (c.YEAR,), (c.PROJECTS, c.DIFFICULT, c.SEASONAL), "bmo"),
    ("bmo_families", (c.YEAR, c.FAMILY_CODE), (c.PROJECTS, c.DIFFICULT, c.SEASONAL), "bmo"),
    ("bmo_metiers", (c.YEAR, c.METIER_CODE), (c.PROJECTS, c.DIFFICULT, c.SEASONAL), "bmo"),
    ("top_metiers_projects", (c.YEAR, c.METIER_CODE), (c.PROJECTS, c.DIFFICULT, c.SEASONAL), "bmo"),
    (
        "top_metiers_difficult",
        (c.YEAR, c.METIER_CODE),
        (c.PROJECTS, c.DIFFICULT, c.SEASONAL),
        "bmo",
    ),
    ("tension_metiers", (c.YEAR, c.METIER_CODE), (c.PROJECTS, c.DIFFICULT), "bmo"),
    ("years", (c.YEAR,), ("bmo_projects", "bmo_difficult", "bmo_seasonal"), "bmo"),
    ("job_seekers", (c.PERIOD,), (c.VALUE,), "defm"),
    ("job_seekers_years", (c.YEAR,), (c.VALUE,), "defm"),
)
# Tables sharing figures: a figure of `years` is the one of `bmo_years` (same key).
FIGURE_FAMILY = {
    "bmo_years": "bmo_year",
    "years": "bmo_year",
    "bmo_families": "bmo_family",
    "bmo_metiers": "bmo_metier",
    "top_metiers_projects": "bmo_metier",
    "top_metiers_difficult": "bmo_metier",
    "tension_metiers": "bmo_metier",
    "job_seekers": "defm_month",
    "job_seekers_years": "defm_year",
}
MEASURE_FAMILY = {
    "bmo_projects": c.PROJECTS,
    "bmo_difficult": c.DIFFICULT,
    "bmo_seasonal": c.SEASONAL,
}


def _figures(
    tables: Mapping[str, Mapping[str, Any]], *, estimated_only: bool = False
) -> dict[tuple[Any, ...], float]:
    """The count figures a report publishes: {(family, key…, measure): value}. With
    `estimated_only`, only the estimated ones: an exact figure (a sum of figures the source
    publishes) is public anyway and is never withdrawn."""
    out: dict[tuple[Any, ...], float] = {}
    bmo_estimated = _bmo_estimated(tables)
    for name, keys, measures, _ in GUARDED_FIGURES:
        payload = tables.get(name)
        if not payload or not payload.get("rows"):
            continue
        columns = payload["columns"]
        if not all(k in columns for k in keys):
            continue
        if estimated_only and FIGURE_FAMILY[name].startswith("bmo") and not bmo_estimated:
            continue
        key_at = [columns.index(k) for k in keys]
        flag_at = columns.index(c.ESTIMATED) if c.ESTIMATED in columns else None
        if name == "years":
            flag_at = None
        for measure in measures:
            if measure not in columns:
                continue
            at = columns.index(measure)
            for row in payload["rows"]:
                if row[at] is None:
                    continue
                if estimated_only and flag_at is not None and row[flag_at] is False:
                    continue
                figure = (
                    FIGURE_FAMILY[name],
                    *(str(row[i]) for i in key_at),
                    MEASURE_FAMILY.get(measure, measure),
                )
                out[figure] = float(row[at])
    return out


def _bmo_estimated(tables: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether the BMO figures of a report are estimates (the basin is not a union of whole
    bassins BMO): the `estimated` column of its yearly table."""
    payload = tables.get("bmo_years") or {}
    columns = payload.get("columns") or []
    if c.ESTIMATED not in columns:
        return True
    at = columns.index(c.ESTIMATED)
    return any(row[at] is not False for row in payload.get("rows") or [])


def _threshold_of(figure: tuple[Any, ...], thresholds: Mapping[str, float]) -> float:
    return float(thresholds["defm" if str(figure[0]).startswith("defm") else "bmo"])


def difference_guard(
    *,
    run: DiagnosticRun,
    codes: Sequence[str],
    document: dict[str, Any],
    tables: dict[str, dict[str, Any]],
    thresholds: Mapping[str, float],
) -> GuardResult:
    """Suppress this run's count figures that, with the published figures of the overlapping
    basins' latest reports, would reveal the figure of a part of the territory under the
    source's threshold (e.g. basin B = basin A + one small commune: B − A is that commune's
    figure). Counts are additive over communes (the engine's sums and population apportioning
    are), so each figure is the sum of the « atoms » (sets of communes with the same
    membership) of its basin: `secondary_suppression` tells which atoms a figure would
    determine together with the public ones, and their values follow by least squares.
    Edits `document` and `tables` in place."""
    others = selectors.overlapping_runs(basin=run.basin, commune_codes=codes)
    if not others:
        return GuardResult(
            [],
            [],
            " Aucun autre bassin publié ne recoupe celui-ci : aucun chiffre ne peut être "
            "retrouvé par différence.",
        )
    own = set(codes)
    sets = [set(o.basin_snapshot.get("communes") or []) for o in others]
    signatures: dict[tuple[bool, ...], str] = {}
    for code in sorted(own.union(*sets)):
        signature = (code in own, *(code in s for s in sets))
        signatures.setdefault(signature, f"a{len(signatures)}")
    atoms = list(signatures.items())  # [(signature, atom id)]

    def atoms_of(position: int) -> list[str]:
        return [atom for signature, atom in atoms if signature[position]]

    own_atoms = atoms_of(0)
    other_atoms = [atoms_of(i + 1) for i in range(len(others))]
    own_figures = _figures(tables, estimated_only=True)
    other_figures = [_figures(o.tables or {}) for o in others]

    structure_cache: dict[tuple[int, ...], tuple[list[str], np.ndarray, list[int]]] = {}

    def structure(public: tuple[int, ...]) -> tuple[list[str], np.ndarray, list[int]]:
        """For a set of public figures (indexes of `others`): the atoms the candidate would
        newly determine, the pseudo-inverse of the system, and the atom positions."""
        if public in structure_cache:
            return structure_cache[public]
        unit_ids = [atom for _, atom in atoms]
        cells = pd.DataFrame({c.UNIT_CODE: unit_ids, c.VALUE: [None] * len(unit_ids)})
        figure_ids = [f"public{i}" for i in public] + ["candidate"]
        figures = pd.DataFrame(
            {
                c.FIGURE_ID: figure_ids,
                c.VALUE: [0.0] * len(figure_ids),
                c.PUBLISHED: [True] * len(public) + [False],
            }
        )
        membership = pd.DataFrame(
            [(f"public{i}", atom) for i in public for atom in other_atoms[i]]
            + [("candidate", atom) for atom in own_atoms],
            columns=[c.FIGURE_ID, c.UNIT_CODE],
        )
        checked = secondary_suppression(cells, figures, membership)
        row = checked[checked[c.FIGURE_ID] == "candidate"].iloc[0]
        revealed = [] if pd.isna(row[c.REVEALED_UNITS]) else str(row[c.REVEALED_UNITS]).split(", ")
        matrix = np.zeros((len(figure_ids), len(unit_ids)))
        for r, members in enumerate([other_atoms[i] for i in public] + [own_atoms]):
            for atom in members:
                matrix[r, unit_ids.index(atom)] = 1.0
        result = (revealed, np.linalg.pinv(matrix), [unit_ids.index(a) for a in revealed])
        structure_cache[public] = result
        return result

    suppressed: dict[tuple[Any, ...], str] = {}
    for figure, value in own_figures.items():
        public = tuple(i for i, figures in enumerate(other_figures) if figure in figures)
        if not public:
            continue
        revealed, pinv, positions = structure(public)
        if not revealed:
            continue
        values = np.array([other_figures[i][figure] for i in public] + [value])
        solution = pinv @ values
        threshold = _threshold_of(figure, thresholds)
        small = [
            (atom, float(solution[p]))
            for atom, p in zip(revealed, positions, strict=True)
            if 0 < round(abs(float(solution[p])), 6) < threshold
        ]
        if small:
            names = ", ".join(
                f"« {others[i].basin_snapshot.get('name') or others[i].basin_id} » "
                f"(diagnostic n° {others[i].pk})"
                for i in public
            )
            suppressed[figure] = (
                f"masqué : la différence avec le bassin {names} révélerait un chiffre inférieur "
                f"au seuil de diffusion ({int(threshold)})"
            )
    if suppressed:
        _apply_suppression(document, tables, suppressed)
    listed = [
        {"figure": list(map(str, figure)), "reason": reason}
        for figure, reason in suppressed.items()
    ]
    n = len(suppressed)
    method = f" Bassins publiés qui recoupent celui-ci : {len(others)} ; " + (
        f"{n} chiffre{'s' if n > 1 else ''} masqué{'s' if n > 1 else ''} car "
        f"{'ils permettraient' if n > 1 else 'il permettrait'} de retrouver par différence "
        "un chiffre inférieur au seuil de diffusion."
        if n
        else "aucune différence avec leurs chiffres ne révèle de chiffre inférieur au seuil "
        "de diffusion."
    )
    return GuardResult([o.pk for o in others], listed, method)


def _apply_suppression(
    document: dict[str, Any],
    tables: dict[str, dict[str, Any]],
    suppressed: Mapping[tuple[Any, ...], str],
) -> None:
    # Tables: the value becomes None, the row says why.
    for name, keys, measures, _ in GUARDED_FIGURES:
        payload = tables.get(name)
        if not payload or not payload.get("rows"):
            continue
        columns = payload["columns"]
        if not all(k in columns for k in keys):
            continue
        if c.SUPPRESSED not in columns:
            columns.append(c.SUPPRESSED)
            payload["labels"].append(c.COLUMN_LABELS_FR[c.SUPPRESSED])
            for row in payload["rows"]:
                row.append(False)
        if c.SUPPRESSION_REASON not in columns:
            columns.append(c.SUPPRESSION_REASON)
            payload["labels"].append(c.COLUMN_LABELS_FR[c.SUPPRESSION_REASON])
            for row in payload["rows"]:
                row.append(None)
        key_at = [columns.index(k) for k in keys]
        flag_at, reason_at = columns.index(c.SUPPRESSED), columns.index(c.SUPPRESSION_REASON)
        for measure in measures:
            if measure not in columns:
                continue
            at = columns.index(measure)
            for row in payload["rows"]:
                figure = (
                    FIGURE_FAMILY[name],
                    *(str(row[i]) for i in key_at),
                    MEASURE_FAMILY.get(measure, measure),
                )
                if figure in suppressed and row[at] is not None:
                    row[at] = None
                    row[flag_at] = True
                    row[reason_at] = suppressed[figure]
    # Document: the same figures where it repeats them.
    for year, entry in (document.get("years") or {}).items():
        for key, measure in (
            ("bmo_projects", c.PROJECTS),
            ("bmo_difficult", c.DIFFICULT),
            ("bmo_seasonal", c.SEASONAL),
        ):
            if ("bmo_year", str(year), measure) in suppressed:
                entry[key] = None
        if ("defm_year", str(year), c.VALUE) in suppressed:
            entry["job_seekers"] = None
    for item in document.get("job_seekers") or []:
        if ("defm_month", str(item.get("period")), c.VALUE) in suppressed:
            item["value"] = None
    bmo = document.get("bmo") or {}
    last_year = str((bmo.get("top_metiers") or {}).get("year"))
    for item in bmo.get("families") or []:
        for measure in (c.PROJECTS, c.DIFFICULT, c.SEASONAL):
            if ("bmo_family", last_year, str(item.get("code")), measure) in suppressed:
                item[measure] = None
    lists = [
        *((bmo.get("top_metiers") or {}).get(k) or [] for k in ("projects", "difficult")),
        document.get("tension_metiers") or [],
    ]
    for items in lists:
        for item in items:
            for measure in (c.PROJECTS, c.DIFFICULT):
                if ("bmo_metier", last_year, str(item.get("code")), measure) in suppressed:
                    item[measure] = None


# --- Sweeper ----------------------------------------------------------------------------------


def diagnostic_time_limit() -> int:
    return int(getattr(settings, "DIAGNOSTIC_RUN_TIME_LIMIT", 600))


def diagnostic_fail_stuck(*, basin_id: int | None = None) -> int:
    """Mark failed the runs still running past the task's hard time limit (plus a margin: the
    worker was killed) and the runs pending for longer than a worker takes to pick a task up
    even under load (the message was lost). Returns how many."""
    now = timezone.now()
    running_cutoff = now - timedelta(seconds=diagnostic_time_limit() + 60)
    pending_cutoff = now - timedelta(
        seconds=int(getattr(settings, "DIAGNOSTIC_PENDING_TIMEOUT", 6 * 3600))
    )
    runs = DiagnosticRun.objects.all()
    if basin_id is not None:
        runs = runs.filter(basin_id=basin_id)
    stuck = runs.filter(status=Status.RUNNING, started_at__lt=running_cutoff).update(
        status=Status.FAILED,
        finished_at=now,
        progress_step="Interrompu",
        error_message="Calcul interrompu (délai dépassé ou processus arrêté) : relancez le "
        "diagnostic.",
    )
    lost = runs.filter(status=Status.PENDING, created_at__lt=pending_cutoff).update(
        status=Status.FAILED,
        finished_at=now,
        progress_step="Jamais démarré",
        error_message="Le calcul n'a jamais démarré (file de tâches indisponible) : relancez le "
        "diagnostic.",
    )
    if stuck or lost:
        logger.warning("diagnostic_fail_stuck: %s running and %s pending runs failed", stuck, lost)
    return stuck + lost


def diagnostic_run_sync(
    *, basin_id: int, user: User | None = None, params: Mapping[str, Any] | None = None
) -> DiagnosticRun:
    """Request and compute in this process (command line `--sync`): an existing run for the
    same data is returned as is; a new one is computed here, not enqueued."""
    run = diagnostic_request(basin_id=basin_id, user=user, params=params, enqueue=False)
    if run.status == Status.PENDING:
        run = diagnostic_execute(run_id=run.pk)
    return run
