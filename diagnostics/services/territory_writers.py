"""Writers of the territory datasets: each checks its frame (every problem collected, then the
dataset refused with all of them) and upserts its rows. Called inside one transaction per
dataset by `services.territories`."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
from django.db import models
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from diagnostics.analytics import columns as c
from diagnostics.analytics.communes import (
    COMMUNE_CODE_PATTERN,
    DEPARTEMENT_CODE_PATTERN,
    REGION_CODE_PATTERN,
    geometries_to_geojson,
    invalid_codes,
)
from diagnostics.analytics.geometry import repair
from diagnostics.models import (
    BassinBmo,
    Commune,
    CommuneCodeChange,
    Departement,
    Epci,
    Region,
    ZoneEmploi,
)
from diagnostics.services.sql_upsert import rows_upsert
from diagnostics.services.territory_datasets import (
    BASSINS_BMO,
    BATCH_SIZE,
    CODE_CHANGES,
    COMMUNES,
    DATASET_LABELS,
    DEPARTEMENTS,
    EPCI,
    EXAMPLES,
    REGIONS,
    ZONES_EMPLOI,
    TerritoryDataError,
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
    rows_upsert(model, to_write, key=key, update_fields=fields, batch_size=BATCH_SIZE)
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
