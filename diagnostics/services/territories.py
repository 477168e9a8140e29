"""Write the territory reference tables (régions, départements, EPCI, zones d'emploi, bassins
BMO, communes, code changes) from normalised frames, and load them from the official files.

`territories_store` takes frames (from the importers or the synthetic demo) and upserts them, one
transaction per dataset, in dependency order; then it computes the approximate commune cells.
`territories_load` reads the official files with `diagnostics.importers.territories` and calls it.
Every dataset leaves one `TerritoryLoad` row saying what happened.

The parts (issue 11): dataset names and labels in `territory_datasets`, the official files read
in `territory_sources`, the checks and upserts of each dataset in `territory_writers`, the load
rows in `territory_loads`, the approximate commune cells in `territory_cells`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import DatabaseError, transaction
from django.utils import timezone

from diagnostics.errors import ApplicationError
from diagnostics.importers import territory_files
from diagnostics.models import (
    TerritoryLoad,
)
from diagnostics.services.territory_cells import cells_store
from diagnostics.services.territory_datasets import (
    COMMUNE_CELLS,
    COMMUNES,
    DATASET_LABELS,
    DATASETS,
    FRAME_COLUMNS,
    ZONES_EMPLOI,
    Log,
    TerritoryDataError,
)
from diagnostics.services.territory_loads import jsonable, load_record
from diagnostics.services.territory_sources import SourceReader
from diagnostics.services.territory_writers import WRITERS


@dataclass
class _Source:
    """Where a dataset came from (files and what the readers noticed), for its TerritoryLoad."""

    files: list[Path] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


# --- public entry points ----------------------------------------------------------------------


def territories_store(
    *, frames: dict[str, pd.DataFrame], source: str, log: Log | None = None
) -> list[TerritoryLoad]:
    """Upsert the given territory frames (any subset of DATASETS, columns of `columns.py`) in
    dependency order, one transaction per dataset; a refused dataset writes nothing and the
    others go on. Then recompute the approximate commune cells if communes or zones d'emploi
    were stored. Returns the TerritoryLoad rows, in order."""
    return _store(frames=frames, source=source, sources={}, log=log)


def territories_load(
    *, source_dir: Path, only: list[str] | None = None, log: Log | None = None
) -> list[TerritoryLoad]:
    """Read the official files under `source_dir` (laid out as `../shared/data`, see
    `importers.territories.FILES`) and store them. A dataset whose file is absent is recorded
    as `missing` with the expected path and the others load; a file that cannot be read makes
    its dataset(s) `failed`."""
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise ApplicationError(f"Dossier de données introuvable : {source_dir}.")
    datasets = _selected(only)
    reader = SourceReader(source_dir)
    frames: dict[str, pd.DataFrame] = {}
    sources: dict[str, _Source] = {}
    early: list[TerritoryLoad] = []
    for name in datasets:
        started, t0 = timezone.now(), time.perf_counter()
        needed = reader.files_for(name)
        missing = [p for p in needed if not p.is_file()]
        if missing:
            early.append(
                load_record(
                    name,
                    status=TerritoryLoad.Status.MISSING,
                    files=needed,
                    message="Fichier(s) absent(s) : " + ", ".join(str(p) for p in missing) + ".",
                    details={"missing_files": [str(p) for p in missing]},
                    started=started,
                    t0=t0,
                    log=log,
                    hash_files=False,
                )
            )
            continue
        try:
            frames[name], details = reader.build(name)
        except territory_files.TerritoryFileError as exc:
            early.append(
                load_record(
                    name,
                    status=TerritoryLoad.Status.FAILED,
                    files=needed,
                    message=exc.message,
                    details={"error": exc.code, **jsonable(exc.extra)},
                    started=started,
                    t0=t0,
                    log=log,
                )
            )
            continue
        sources[name] = _Source(files=needed + reader.optional_files(name), details=details)
    loads = _store(frames=frames, source=str(source_dir), sources=sources, log=log)
    order = {name: i for i, name in enumerate((*DATASETS, COMMUNE_CELLS))}
    return sorted([*early, *loads], key=lambda load: order.get(load.dataset, len(order)))


def territories_read(*, source_dir: Path, only: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """The normalised frames of the official files, without touching the database (for the
    benchmark and for checks). A missing or unreadable file raises TerritoryFileError."""
    reader = SourceReader(Path(source_dir))
    return {name: reader.build(name)[0] for name in _selected(only)}


# --- storing ------------------------------------------------------------------------------------


def _selected(only: Iterable[str] | None) -> list[str]:
    if not only:
        return list(DATASETS)
    unknown = sorted(set(only) - set(DATASETS))
    if unknown:
        raise ApplicationError(
            f"Jeu(x) de données inconnu(s) : {', '.join(unknown)}. "
            f"Jeux possibles : {', '.join(DATASETS)}."
        )
    return [name for name in DATASETS if name in set(only)]


def _store(
    *,
    frames: dict[str, pd.DataFrame],
    source: str,
    sources: dict[str, _Source],
    log: Log | None,
) -> list[TerritoryLoad]:
    unknown = sorted(set(frames) - set(DATASETS))
    if unknown:
        raise ApplicationError(
            f"Jeu(x) de données inconnu(s) : {', '.join(unknown)}. "
            f"Jeux possibles : {', '.join(DATASETS)}."
        )
    loads: list[TerritoryLoad] = []
    stored: set[str] = set()
    for name in DATASETS:
        if name not in frames:
            continue
        load = _store_dataset(name, frames[name], source=source, src=sources.get(name), log=log)
        loads.append(load)
        if load.status == TerritoryLoad.Status.DONE:
            stored.add(name)
    if stored & {COMMUNES, ZONES_EMPLOI}:
        loads.append(cells_store(source=source, log=log))
    return loads


def _store_dataset(
    name: str, frame: pd.DataFrame, *, source: str, src: _Source | None, log: Log | None
) -> TerritoryLoad:
    started, t0 = timezone.now(), time.perf_counter()
    details: dict[str, Any] = dict(src.details) if src else {}
    files = src.files if src else []
    try:
        _check_columns(name, frame)
        with transaction.atomic():
            rows, written = WRITERS[name](frame)
    except ApplicationError as exc:
        details.update({"error": exc.code, **jsonable(exc.extra)})
        status, rows, message = TerritoryLoad.Status.FAILED, 0, exc.message
    except DatabaseError as exc:
        details["error"] = "database_error"
        status, rows = TerritoryLoad.Status.FAILED, 0
        message = f"Jeu « {DATASET_LABELS[name]} » refusé par la base de données : {exc}."
    else:
        details.update(written)
        status, message = TerritoryLoad.Status.DONE, ""
    return load_record(
        name,
        status=status,
        files=files,
        source=source,
        rows=rows,
        message=message,
        details=details,
        started=started,
        t0=t0,
        log=log,
    )


def _check_columns(name: str, frame: pd.DataFrame) -> None:
    expected = FRAME_COLUMNS[name]
    missing = [col for col in expected if col not in frame.columns]
    if missing:
        raise TerritoryDataError(
            f"Jeu « {DATASET_LABELS[name]} » refusé : colonne(s) "
            f"{', '.join(f'« {m} »' for m in missing)} absente(s) (colonnes attendues : "
            f"{', '.join(expected)}).",
            extra={"dataset": name, "missing_columns": missing},
        )
