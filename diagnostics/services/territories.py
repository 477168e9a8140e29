"""Write the territory reference tables (régions, départements, EPCI, zones d'emploi, bassins
BMO, communes, code changes) from normalised frames, and load them from the official files.

`territories_store` takes frames (from the importers or the synthetic demo) and upserts them, one
transaction per dataset, in dependency order; then it computes the approximate commune cells.
`territories_load` reads the official files with `diagnostics.importers.territories` and calls it.
Every dataset leaves one `TerritoryLoad` row saying what happened.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import DatabaseError, models, transaction
from django.db.models import Q
from django.utils import timezone
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from diagnostics.analytics import columns as c
from diagnostics.analytics.communes import (
    CELL_SIMPLIFY_DEGREES,
    COMMUNE_CODE_PATTERN,
    DEPARTEMENT_CODE_PATTERN,
    REGION_CODE_PATTERN,
    commune_cells,
    communes_frame,
    geometries_to_geojson,
    invalid_codes,
    remap_to_current,
)
from diagnostics.analytics.geometry import repair
from diagnostics.errors import ApplicationError
from diagnostics.importers import territories as readers
from diagnostics.models import (
    BassinBmo,
    Commune,
    CommuneCodeChange,
    Departement,
    Epci,
    Region,
    TerritoryLoad,
    ZoneEmploi,
)

Log = Callable[[str], None]

REGIONS = "regions"
DEPARTEMENTS = "departements"
EPCI = "epci"
ZONES_EMPLOI = "zones_emploi"
BASSINS_BMO = "bassins_bmo"
COMMUNES = "communes"
CODE_CHANGES = "code_changes"
COMMUNE_CELLS = "commune_cells"
DATASETS = (REGIONS, DEPARTEMENTS, EPCI, ZONES_EMPLOI, BASSINS_BMO, COMMUNES, CODE_CHANGES)
DATASET_LABELS = {
    REGIONS: "régions",
    DEPARTEMENTS: "départements",
    EPCI: "EPCI",
    ZONES_EMPLOI: "zones d'emploi",
    BASSINS_BMO: "bassins BMO",
    COMMUNES: "communes",
    CODE_CHANGES: "changements de code commune",
    COMMUNE_CELLS: "géométries approchées des communes",
}
FRAME_COLUMNS: dict[str, list[str]] = {
    REGIONS: c.REGION_COLUMNS,
    DEPARTEMENTS: c.DEPARTEMENT_COLUMNS,
    EPCI: c.EPCI_COLUMNS,
    ZONES_EMPLOI: c.ZONE_EMPLOI_COLUMNS,
    BASSINS_BMO: c.BASSIN_BMO_COLUMNS,
    COMMUNES: c.COMMUNE_COLUMNS,
    CODE_CHANGES: c.CODE_CHANGE_COLUMNS,
}
# TerritoryLoad details key: bassins that only the BMO survey files name (see _bassins_bmo).
BMO_ONLY_BASSINS = "bmo_only_bassins"
BMO_ONLY_BASSINS_LABEL = "bassins issus des fichiers BMO (sans communes connues)"
BATCH_SIZE = 2000
EXAMPLES = 20


class TerritoryDataError(ApplicationError):
    """A territory frame cannot be stored: missing column, missing or malformed codes, duplicates,
    values out of range, references to unknown rows. The dataset is refused as a whole."""

    code = "territory_data_error"


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
    reader = _SourceReader(source_dir)
    frames: dict[str, pd.DataFrame] = {}
    sources: dict[str, _Source] = {}
    early: list[TerritoryLoad] = []
    for name in datasets:
        started, t0 = timezone.now(), time.perf_counter()
        needed = reader.files_for(name)
        missing = [p for p in needed if not p.is_file()]
        if missing:
            early.append(
                _record(
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
        except readers.TerritoryFileError as exc:
            early.append(
                _record(
                    name,
                    status=TerritoryLoad.Status.FAILED,
                    files=needed,
                    message=exc.message,
                    details={"error": exc.code, **_jsonable(exc.extra)},
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
    reader = _SourceReader(Path(source_dir))
    return {name: reader.build(name)[0] for name in _selected(only)}


# --- reading the official files ----------------------------------------------------------------


class _SourceReader:
    """Reads each official file once and builds the normalised frames of the datasets."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, Any] = {}

    def path(self, key: str) -> Path:
        return self.root / readers.FILES[key]

    def epci_key(self) -> str:
        # epci.json is preferred (see readers.read_epci_json); the INSEE XLSX when it is absent.
        return (
            "epci_json"
            if self.path("epci_json").is_file() or not self.path("epci_xlsx").is_file()
            else "epci_xlsx"
        )

    def files_for(self, dataset: str) -> list[Path]:
        keys = {
            REGIONS: ["regions"],
            DEPARTEMENTS: ["departements"],
            EPCI: [self.epci_key()],
            ZONES_EMPLOI: ["zones_emploi", "ze_geometry"],
            BASSINS_BMO: ["bassins_bmo"],
            COMMUNES: [
                "cog_communes",
                "populations",
                "centroids",
                "zones_emploi",
                "bassins_bmo",
                self.epci_key(),
            ],
            CODE_CHANGES: ["code_changes"],
        }[dataset]
        return [self.path(k) for k in keys]

    def _get(self, key: str, func: Callable[[Path], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = func(self.path(key))
        return self._cache[key]

    def _epci(self) -> readers.Zoning:
        key = self.epci_key()
        func = readers.read_epci_json if key == "epci_json" else readers.read_epci_xlsx
        return self._get(key, func)  # type: ignore[no-any-return]

    def build(self, dataset: str) -> tuple[pd.DataFrame, dict[str, Any]]:
        if dataset == REGIONS:
            return self._get("regions", readers.read_regions), {}
        if dataset == DEPARTEMENTS:
            return self._get("departements", readers.read_departements), {}
        if dataset == EPCI:
            return self._epci().zones, {"file_kind": self.epci_key()}
        if dataset == ZONES_EMPLOI:
            zones = self._get("zones_emploi", readers.read_zones_emploi).zones
            geoms = self._get("ze_geometry", readers.read_ze_geometry)
            frame = zones.merge(geoms, on=c.CODE, how="left")
            frame[c.GEOMETRY] = (
                frame[c.GEOMETRY].astype(object).where(frame[c.GEOMETRY].notna(), None)
            )
            without_zone = sorted(set(geoms[c.CODE]) - set(zones[c.CODE]))
            return frame[c.ZONE_EMPLOI_COLUMNS], {"polygons_without_zone": without_zone}
        if dataset == BASSINS_BMO:
            return self._bassins_bmo()
        if dataset == CODE_CHANGES:
            return self._get("code_changes", readers.read_code_changes), {}
        if dataset == COMMUNES:
            return self._communes()
        raise ValueError(dataset)

    def optional_files(self, dataset: str) -> list[Path]:
        """Files read when present, beside the required ones of `files_for` (recorded with
        their SHA-256 in the dataset's TerritoryLoad)."""
        return readers.bmo_bassin_files(self.root) if dataset == BASSINS_BMO else []

    def _bassins_bmo(self) -> tuple[pd.DataFrame, dict[str, Any]]:
        """The bassins of the commune → bassin table, plus those that only the BMO survey files
        name (no commune of the table maps to them): without them, every published BMO file
        would be refused for its unknown bassins."""
        zones = self._get("bassins_bmo", readers.read_bassins_bmo).zones
        files = self.optional_files(BASSINS_BMO)
        added = readers.bassins_named_by_bmo(
            zones, [readers.read_bmo_bassins(path) for path in files]
        )
        frame = pd.concat([zones, added], ignore_index=True)[c.BASSIN_BMO_COLUMNS]
        details: dict[str, Any] = {
            "bmo_files": [path.name for path in files],
            BMO_ONLY_BASSINS: {
                "count": len(added),
                "codes": [
                    f"{code} {name}"
                    for code, name in zip(added[c.CODE], added[c.NAME], strict=True)
                ],
            },
        }
        return frame.sort_values(c.CODE).reset_index(drop=True), details

    def _communes(self) -> tuple[pd.DataFrame, dict[str, Any]]:
        cog = self._get("cog_communes", readers.read_cog_communes)
        current = set(cog.communes[c.CODE])
        changes = None
        details: dict[str, Any] = {}
        if self.path("code_changes").is_file():
            changes = self._get("code_changes", readers.read_code_changes)
        else:
            details["code_changes"] = (
                f"table de passage absente ({self.path('code_changes')}) : aucun code remappé"
            )
        memberships = {}
        for column, label, composition in (
            (
                c.ZONE_EMPLOI_CODE,
                "zones_emploi",
                self._get("zones_emploi", readers.read_zones_emploi).composition,
            ),
            (
                c.BASSIN_BMO_CODE,
                "bassins_bmo",
                self._get("bassins_bmo", readers.read_bassins_bmo).composition,
            ),
            (c.EPCI_CODE, "epci", self._epci().composition),
        ):
            remapped, report = remap_to_current(
                composition,
                current_codes=current,
                code_changes=changes,
                ignored_codes=cog.infra_codes,
            )
            memberships[column] = remapped
            details[f"{label}_codes"] = report.as_dict()
        populations = self._get("populations", readers.read_populations)
        centroids = self._get("centroids", readers.read_centroids)
        frame = communes_frame(
            cog.communes,
            populations=populations,
            centroids=centroids,
            memberships=memberships,
            cog_vintage=readers.COG_VINTAGE,
            population_vintage=readers.POPULATION_VINTAGE,
        )
        for column in (
            c.POPULATION,
            c.LATITUDE,
            c.ZONE_EMPLOI_CODE,
            c.BASSIN_BMO_CODE,
            c.EPCI_CODE,
        ):
            absent = frame.loc[frame[column].isna(), c.CODE]
            details[f"without_{column}"] = {
                "count": int(len(absent)),
                "codes": absent.head(EXAMPLES).tolist(),
            }
        details["remapped"] = sum(
            details[f"{k}_codes"]["remapped"] for k in ("zones_emploi", "bassins_bmo", "epci")
        )
        details["unknown"] = sum(
            details[f"{k}_codes"]["unknown"] for k in ("zones_emploi", "bassins_bmo", "epci")
        )
        return frame, details


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
        loads.append(_store_cells(source=source, log=log))
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
        details.update({"error": exc.code, **_jsonable(exc.extra)})
        status, rows, message = TerritoryLoad.Status.FAILED, 0, exc.message
    except DatabaseError as exc:
        details["error"] = "database_error"
        status, rows = TerritoryLoad.Status.FAILED, 0
        message = f"Jeu « {DATASET_LABELS[name]} » refusé par la base de données : {exc}."
    else:
        details.update(written)
        status, message = TerritoryLoad.Status.DONE, ""
    return _record(
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


def _record(
    name: str,
    *,
    status: str,
    files: list[Path],
    started: Any,
    t0: float,
    log: Log | None,
    source: str = "",
    rows: int = 0,
    message: str = "",
    details: dict[str, Any] | None = None,
    hash_files: bool = True,
) -> TerritoryLoad:
    details = dict(details or {})
    if files:
        details["files"] = [
            {"path": str(p), "sha256": _sha256(p) if hash_files and p.is_file() else ""}
            for p in files
        ]
    main = files[0] if files else None
    load = TerritoryLoad.objects.create(
        dataset=name,
        source_file=str(main) if main else source[:500],
        sha256=details["files"][0]["sha256"] if files else "",
        status=status,
        rows=rows,
        details=_jsonable(details),
        message=message,
        started_at=started,
        duration_s=round(time.perf_counter() - t0, 3),
    )
    if log:
        log(load_summary(load))
    return load


def load_summary(load: TerritoryLoad) -> str:
    """One line in French: dataset, status, rows, repaired geometries, remapped / unknown codes,
    duration; the message when the dataset was refused or missing."""
    label = DATASET_LABELS.get(load.dataset, load.dataset)
    parts = [f"{label} : {load.get_status_display()}"]
    if load.status == TerritoryLoad.Status.DONE:
        parts.append(f"{load.rows} lignes")
        d = load.details or {}
        if "created" in d:
            parts.append(f"{d['created']} créées, {d.get('updated', 0)} modifiées")
        if "repaired" in d:
            parts.append(f"{d['repaired']} géométries réparées")
        if "remapped" in d:
            parts.append(f"{d['remapped']} codes remappés, {d.get('unknown', 0)} inconnus")
        if BMO_ONLY_BASSINS in d:
            parts.append(f"{d[BMO_ONLY_BASSINS]['count']} {BMO_ONLY_BASSINS_LABEL}")
        if "without_cell" in d:
            parts.append(f"{d['without_cell']} sans cellule")
    parts.append(f"{load.duration_s:.1f} s")
    line = ", ".join(parts)
    if load.message:
        line += f" — {load.message}"
    return line


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


class _Problems:
    """Collects every problem of a frame, then refuses the dataset with all of them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[str] = []

    def codes(self, frame: pd.DataFrame, column: str, pattern: str, *, unique: bool) -> None:
        bad = invalid_codes(frame[column], pattern)
        if len(bad):
            shown = ", ".join(f"« {'' if pd.isna(v) else v} »" for v in bad.head(EXAMPLES))
            self.items.append(
                f"{len(bad)} code(s) absent(s) ou invalide(s) en « {column} » ({shown})"
            )
        if unique:
            dup = sorted(set(frame[column][frame[column].duplicated()].dropna()))
            if dup:
                self.items.append(
                    f"{len(dup)} code(s) en double en « {column} » ({', '.join(dup[:EXAMPLES])})"
                )

    def names(self, frame: pd.DataFrame) -> None:
        empty = frame[c.CODE][
            frame[c.NAME].isna() | (frame[c.NAME].astype("string").str.strip() == "")
        ]
        if len(empty):
            self.items.append(
                f"{len(empty)} nom(s) vide(s) (codes {', '.join(map(str, empty.head(EXAMPLES)))})"
            )

    def numbers(
        self, frame: pd.DataFrame, column: str, *, minimum: float, maximum: float | None = None
    ) -> pd.Series:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = (frame[column].notna() & numbers.isna()) | (numbers < minimum)
        if maximum is not None:
            bad |= numbers > maximum
        if bad.any():
            rows = frame.loc[bad, [c.CODE, column]].head(EXAMPLES)
            shown = ", ".join(f"{code} : {value}" for code, value in rows.itertuples(index=False))
            bounds = f"≥ {minimum}" if maximum is None else f"entre {minimum} et {maximum}"
            self.items.append(
                f"{int(bad.sum())} valeur(s) invalide(s) en « {column} », attendu un nombre "
                f"{bounds} ({shown})"
            )
        return numbers

    def raise_if_any(self) -> None:
        if self.items:
            raise TerritoryDataError(
                f"Jeu « {DATASET_LABELS[self.name]} » refusé : " + " ; ".join(self.items) + ".",
                extra={"dataset": self.name, "problems": self.items},
            )


def _none(value: Any) -> Any:
    """pandas missing values (NA, NaN, None) -> None; numpy scalars -> Python scalars."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _str_or_none(value: Any) -> str | None:
    value = _none(value)
    return None if value is None else str(value).strip() or None


def _int_or_none(value: Any) -> int | None:
    value = _none(value)
    return None if value is None else int(round(float(value)))


def _float_or_none(value: Any) -> float | None:
    value = _none(value)
    return None if value is None else float(value)


def _upsert(
    model: type[models.Model],
    rows: list[dict[str, Any]],
    *,
    fields: list[str],
    key: str = "code",
) -> dict[str, int]:
    """Insert new rows and update changed ones in bulk (INSERT ... ON CONFLICT DO UPDATE on SQLite
    and PostgreSQL); rows equal to what is stored are not written at all, so a second run of the
    same files writes nothing."""
    attnames = [f"{f}_id" if model._meta.get_field(f).is_relation else f for f in fields]
    existing = {
        row[0]: row[1:]
        for row in model.objects.values_list(key, *attnames).iterator(chunk_size=5000)  # type: ignore[attr-defined]
    }
    to_write = [r for r in rows if existing.get(r[key]) != tuple(r[a] for a in attnames)]
    created = sum(1 for r in to_write if r[key] not in existing)
    if to_write:
        model.objects.bulk_create(  # type: ignore[attr-defined]
            [model(**r) for r in to_write],
            update_conflicts=True,
            unique_fields=[key],
            update_fields=fields,
            batch_size=BATCH_SIZE,
        )
    return {
        "created": created,
        "updated": len(to_write) - created,
        "unchanged": len(rows) - len(to_write),
    }


def _known(model: type[models.Model], extra: Iterable[str] = ()) -> set[str]:
    return set(model.objects.values_list("pk", flat=True)) | set(extra)  # type: ignore[attr-defined]


def _unknown_refs(values: pd.Series, known: set[str]) -> list[str]:
    return sorted(set(values.dropna()) - known)


# --- writers: frame -> (rows, details) ----------------------------------------------------------


def _write_regions(frame: pd.DataFrame) -> tuple[int, dict[str, Any]]:
    p = _Problems(REGIONS)
    p.codes(frame, c.CODE, REGION_CODE_PATTERN, unique=True)
    p.names(frame)
    p.raise_if_any()
    rows = [
        {"code": str(code), "name": str(name).strip()}
        for code, name in frame[[c.CODE, c.NAME]].itertuples(index=False)
    ]
    return len(rows), _upsert(Region, rows, fields=["name"])


def _write_departements(frame: pd.DataFrame) -> tuple[int, dict[str, Any]]:
    p = _Problems(DEPARTEMENTS)
    p.codes(frame, c.CODE, DEPARTEMENT_CODE_PATTERN, unique=True)
    p.codes(frame, c.REGION_CODE, REGION_CODE_PATTERN, unique=False)
    p.names(frame)
    p.raise_if_any()
    unknown = _unknown_refs(frame[c.REGION_CODE], _known(Region))
    if unknown:
        raise TerritoryDataError(
            f"Jeu « départements » refusé : région(s) inconnue(s) {', '.join(unknown)} "
            f"(chargez d'abord les régions).",
            extra={"dataset": DEPARTEMENTS, "unknown_regions": unknown},
        )
    rows = [
        {"code": str(code), "name": str(name).strip(), "region_id": str(region)}
        for code, name, region in frame[[c.CODE, c.NAME, c.REGION_CODE]].itertuples(index=False)
    ]
    return len(rows), _upsert(Departement, rows, fields=["name", "region"])


def _write_epci(frame: pd.DataFrame) -> tuple[int, dict[str, Any]]:
    p = _Problems(EPCI)
    p.codes(frame, c.CODE, r"^\d{9}$", unique=True)
    p.names(frame)
    p.raise_if_any()
    rows = [
        {"code": str(code), "name": str(name).strip(), "nature": (_str_or_none(nature) or "")[:4]}
        for code, name, nature in frame[[c.CODE, c.NAME, c.NATURE]].itertuples(index=False)
    ]
    return len(rows), _upsert(Epci, rows, fields=["name", "nature"])


def _as_geometry(value: Any) -> BaseGeometry | None:
    value = _none(value) if not isinstance(value, (BaseGeometry, dict)) else value
    if value is None:
        return None
    if isinstance(value, dict):
        return shape(value)
    return value  # type: ignore[no-any-return]


def _write_zones_emploi(frame: pd.DataFrame) -> tuple[int, dict[str, Any]]:
    p = _Problems(ZONES_EMPLOI)
    p.codes(frame, c.CODE, r"^\d{4}$", unique=True)
    p.names(frame)
    p.raise_if_any()
    geoms: list[BaseGeometry | None] = []
    repaired_codes: list[str] = []
    flags: list[bool] = []
    for code, value in frame[[c.CODE, c.GEOMETRY]].itertuples(index=False):
        geom = _as_geometry(value)
        fixed = False
        if geom is not None and not geom.is_empty:
            geom, fixed = repair(geom)
        if fixed:
            repaired_codes.append(str(code))
        geoms.append(geom)
        flags.append(fixed)
    converted = geometries_to_geojson(geoms)
    rows = []
    for (code, name), (geojson, box), fixed in zip(
        frame[[c.CODE, c.NAME]].itertuples(index=False), converted, flags, strict=True
    ):
        minx, miny, maxx, maxy = box if box else (None, None, None, None)
        rows.append(
            {
                "code": str(code),
                "name": str(name).strip(),
                "geometry": geojson,
                "geometry_repaired": fixed,
                "bbox_min_lon": minx,
                "bbox_min_lat": miny,
                "bbox_max_lon": maxx,
                "bbox_max_lat": maxy,
            }
        )
    fields = [
        "name",
        "geometry",
        "geometry_repaired",
        "bbox_min_lon",
        "bbox_min_lat",
        "bbox_max_lon",
        "bbox_max_lat",
    ]
    written: dict[str, Any] = dict(_upsert(ZoneEmploi, rows, fields=fields))
    written.update(
        {
            "with_geometry": sum(1 for g, _ in converted if g is not None),
            "repaired": len(repaired_codes),
            "repaired_codes": repaired_codes,
        }
    )
    return len(rows), written


def _write_bassins_bmo(frame: pd.DataFrame) -> tuple[int, dict[str, Any]]:
    p = _Problems(BASSINS_BMO)
    p.codes(frame, c.CODE, r"^\d{3,5}$", unique=True)
    p.names(frame)
    p.raise_if_any()
    known = _known(Region)
    unknown = _unknown_refs(frame[c.REGION_CODE], known)
    rows = [
        {
            "code": str(code),
            "name": str(name).strip(),
            "region_id": r if (r := _str_or_none(region)) in known else None,
        }
        for code, name, region in frame[[c.CODE, c.NAME, c.REGION_CODE]].itertuples(index=False)
    ]
    written: dict[str, Any] = dict(_upsert(BassinBmo, rows, fields=["name", "region"]))
    written["unknown_regions"] = unknown
    return len(rows), written


def _write_communes(frame: pd.DataFrame) -> tuple[int, dict[str, Any]]:
    p = _Problems(COMMUNES)
    p.codes(frame, c.CODE, COMMUNE_CODE_PATTERN, unique=True)
    p.names(frame)
    p.numbers(frame, c.POPULATION, minimum=0)
    p.numbers(frame, c.LATITUDE, minimum=-90, maximum=90)
    p.numbers(frame, c.LONGITUDE, minimum=-180, maximum=180)
    p.numbers(frame, c.POPULATION_VINTAGE, minimum=1800, maximum=2200)
    p.numbers(frame, c.COG_VINTAGE, minimum=1943, maximum=2200)
    p.raise_if_any()
    references = {
        "departement_id": (c.DEPARTEMENT_CODE, _known(Departement)),
        "region_id": (c.REGION_CODE, _known(Region)),
        "epci_id": (c.EPCI_CODE, _known(Epci)),
        "zone_emploi_id": (c.ZONE_EMPLOI_CODE, _known(ZoneEmploi)),
        "bassin_bmo_id": (c.BASSIN_BMO_CODE, _known(BassinBmo)),
    }
    unknown_refs = {}
    for column, known in references.values():
        missing = _unknown_refs(frame[column], known)
        if missing:
            unknown_refs[column] = {"count": len(missing), "codes": missing[:EXAMPLES]}
    columns = [
        c.CODE,
        c.NAME,
        c.POPULATION,
        c.POPULATION_VINTAGE,
        c.LATITUDE,
        c.LONGITUDE,
        c.COG_VINTAGE,
        *(col for col, _ in references.values()),
    ]
    rows = []
    for values in frame[columns].itertuples(index=False, name=None):
        record = dict(zip(columns, values, strict=True))
        row: dict[str, Any] = {
            "code": str(record[c.CODE]),
            "name": str(record[c.NAME]).strip(),
            "population": _int_or_none(record[c.POPULATION]),
            "population_vintage": _int_or_none(record[c.POPULATION_VINTAGE]),
            "latitude": _float_or_none(record[c.LATITUDE]),
            "longitude": _float_or_none(record[c.LONGITUDE]),
            "cog_vintage": _int_or_none(record[c.COG_VINTAGE]),
        }
        for attname, (column, known) in references.items():
            ref = _str_or_none(record[column])
            row[attname] = ref if ref in known else None
        rows.append(row)
    fields = [
        "name",
        "population",
        "population_vintage",
        "latitude",
        "longitude",
        "cog_vintage",
        "departement",
        "region",
        "epci",
        "zone_emploi",
        "bassin_bmo",
    ]
    written: dict[str, Any] = dict(_upsert(Commune, rows, fields=fields))
    written["unknown_references"] = unknown_refs
    return len(rows), written


def _write_code_changes(frame: pd.DataFrame) -> tuple[int, dict[str, Any]]:
    p = _Problems(CODE_CHANGES)
    p.codes(frame, c.OLD_CODE, COMMUNE_CODE_PATTERN, unique=False)
    p.codes(frame, c.NEW_CODE, COMMUNE_CODE_PATTERN, unique=False)
    years = pd.to_numeric(frame[c.YEAR], errors="coerce")
    if years.isna().any() or (years < 1943).any() or (years > 2200).any():
        p.items.append(f"millésime(s) absent(s) ou invalide(s) en « {c.YEAR} »")
    p.raise_if_any()
    keys = {
        (str(old), str(new), int(year))
        for old, new, year in zip(frame[c.OLD_CODE], frame[c.NEW_CODE], years, strict=True)
    }
    existing = set(CommuneCodeChange.objects.values_list("old_code", "new_code", "year"))
    new = sorted(keys - existing)
    CommuneCodeChange.objects.bulk_create(
        [CommuneCodeChange(old_code=o, new_code=n, year=y) for o, n, y in new],
        batch_size=BATCH_SIZE,
    )
    return len(keys), {"created": len(new), "updated": 0, "unchanged": len(keys) - len(new)}


WRITERS: dict[str, Callable[[pd.DataFrame], tuple[int, dict[str, Any]]]] = {
    REGIONS: _write_regions,
    DEPARTEMENTS: _write_departements,
    EPCI: _write_epci,
    ZONES_EMPLOI: _write_zones_emploi,
    BASSINS_BMO: _write_bassins_bmo,
    COMMUNES: _write_communes,
    CODE_CHANGES: _write_code_changes,
}


# --- approximate commune cells ----------------------------------------------------------------


def _store_cells(*, source: str, log: Log | None) -> TerritoryLoad:
    """Voronoi cells of the communes' centres clipped to their zone d'emploi, for the communes
    without an official polygon (geometry empty or already approximate)."""
    started, t0 = timezone.now(), time.perf_counter()
    zones = {
        code: shape(geojson)
        for code, geojson in ZoneEmploi.objects.filter(geometry__isnull=False).values_list(
            "code", "geometry"
        )
    }
    records = list(
        Commune.objects.filter(Q(geometry__isnull=True) | Q(geometry_approximate=True))
        .values_list("code", "name", "longitude", "latitude", "zone_emploi_id", "geometry")
        .iterator(chunk_size=5000)
    )
    frame = pd.DataFrame(
        [r[:5] for r in records],
        columns=[c.CODE, c.NAME, c.LONGITUDE, c.LATITUDE, c.ZONE_EMPLOI_CODE],
    )
    cells = commune_cells(frame, zones)
    converted = dict(zip(cells[c.CODE], geometries_to_geojson(cells[c.GEOMETRY]), strict=True))
    to_write = []
    with_cell = 0
    for code, name, _lon, _lat, _ze, old in records:
        geojson, box = converted.get(code, (None, None))
        with_cell += geojson is not None
        if geojson == old:
            continue
        minx, miny, maxx, maxy = box if box else (None, None, None, None)
        to_write.append(
            Commune(
                code=code,
                name=name,
                geometry=geojson,
                geometry_approximate=geojson is not None,
                bbox_min_lon=minx,
                bbox_min_lat=miny,
                bbox_max_lon=maxx,
                bbox_max_lat=maxy,
            )
        )
    message = ""
    status = TerritoryLoad.Status.DONE
    try:
        with transaction.atomic():
            # ON CONFLICT DO UPDATE of the geometry columns only: one statement per batch on both
            # SQLite and PostgreSQL, where bulk_update would build huge CASE expressions. Every
            # row exists already, so nothing is inserted.
            Commune.objects.bulk_create(
                to_write,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=[
                    "geometry",
                    "geometry_approximate",
                    "bbox_min_lon",
                    "bbox_min_lat",
                    "bbox_max_lon",
                    "bbox_max_lat",
                ],
                batch_size=BATCH_SIZE,
            )
    except DatabaseError as exc:
        status = TerritoryLoad.Status.FAILED
        message = f"Géométries approchées refusées par la base de données : {exc}."
    without = [code for code, (g, _) in converted.items() if g is None]
    details = {
        "zones_with_polygon": len(zones),
        "candidates": len(records),
        "with_cell": with_cell,
        "without_cell": len(without),
        "without_cell_codes": sorted(without)[:EXAMPLES],
        "updated": len(to_write) if status == TerritoryLoad.Status.DONE else 0,
        "simplify_degrees": CELL_SIMPLIFY_DEGREES,
    }
    return _record(
        COMMUNE_CELLS,
        status=status,
        files=[],
        source=source,
        rows=with_cell if status == TerritoryLoad.Status.DONE else 0,
        message=message,
        details=details,
        started=started,
        t0=t0,
        log=log,
    )


# --- helpers --------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _jsonable(value: Any) -> Any:
    """Details stored in a JSONField: paths, sets and numpy scalars made plain."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [_jsonable(v) for v in items]
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if hasattr(value, "item"):
        return value.item()
    return str(value)
