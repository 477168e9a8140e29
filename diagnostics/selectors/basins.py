"""Reads about basins and the territories they are built from: code look-ups, the communes of a
zoning, the frames the maps are drawn from, and the territory search used for autocompletion.

Scoping (who may see which basin) is in `diagnostics.selectors.access`.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db.models import F, Max, QuerySet, Sum

from diagnostics.analytics.columns import LATITUDE, LONGITUDE, POPULATION
from diagnostics.analytics.communes import normalise_bassin_bmo_code
from diagnostics.analytics.geometry import geometry_from_geojson
from diagnostics.analytics.lycees import COMMUNE_NAME, LYCEE_COLUMNS
from diagnostics.analytics.maps import MAP_COMMUNE_COLUMNS
from diagnostics.models import (
    Basin,
    BassinBmo,
    Commune,
    CommuneCodeChange,
    Epci,
    TerritoryLoad,
    ZoneEmploi,
)
from diagnostics.selectors.facts import lycees_current_frame

SEARCH_KINDS = ("commune", "zone_emploi", "bassin_bmo", "epci")
SEARCH_LIMIT = 20
# Below this many rows a search scans the table directly; above, it scans an in-process index
# rebuilt when the territories change (count, last load) or after SEARCH_CACHE_SECONDS.
SEARCH_CACHE_MIN_ROWS = 5000
SEARCH_CACHE_SECONDS = 300


# --- Codes ----------------------------------------------------------------------------------
def normalise_commune_code(code: str) -> str:
    """INSEE commune code as stored: upper case (2A/2B), leading zeros restored (`1001`)."""
    code = code.strip().upper()
    return code.zfill(5) if code.isdigit() and len(code) < 5 else code


def normalise_zoning_code(code: str) -> str:
    """Zone d'emploi 2020 and bassin BMO codes are four characters (`51` → `0051`, `101` →
    `0101`): the one bassin BMO spelling of `analytics.communes.normalise_bassin_bmo_code`."""
    return normalise_bassin_bmo_code(code.strip().upper())


def normalise_epci_code(code: str) -> str:
    return code.strip().upper()


def communes_by_code(codes: list[str]) -> dict[str, Commune]:
    qs = Commune.objects.filter(code__in=codes).select_related("region")
    return {c.code: c for c in qs}


def commune_code_changes(old_codes: list[str]) -> dict[str, list[str]]:
    """Current code(s) of merged communes (INSEE table de passage): for each old code, the rows
    of its most recent year, successive mergers followed. A commune split again (commune
    rétablie) has several current codes. Codes the table does not move are left out."""
    resolved: dict[str, set[str]] = {code: {code} for code in old_codes}
    for _ in range(5):  # mergers rarely chain; a bound keeps a cyclic table from looping
        currents = set().union(*resolved.values()) if resolved else set()
        latest_year: dict[str, int] = {}
        targets: dict[str, set[str]] = {}
        rows = CommuneCodeChange.objects.filter(old_code__in=currents).values_list(
            "old_code", "new_code", "year"
        )
        for old, new, year in rows:
            if year > latest_year.get(old, -1):
                latest_year[old], targets[old] = year, set()
            if year == latest_year[old]:
                targets[old].add(new)
        moves = {old: new for old, new in targets.items() if new != {old}}
        if not moves:
            break
        resolved = {
            origin: set().union(*(moves.get(code, {code}) for code in codes))
            for origin, codes in resolved.items()
        }
    return {origin: sorted(codes) for origin, codes in resolved.items() if codes != {origin}}


def zones_emploi_by_code(codes: list[str]) -> dict[str, ZoneEmploi]:
    return {z.code: z for z in ZoneEmploi.objects.filter(code__in=codes)}


def bassins_bmo_by_code(codes: list[str]) -> dict[str, BassinBmo]:
    return {b.code: b for b in BassinBmo.objects.filter(code__in=codes)}


def epcis_by_code(codes: list[str]) -> dict[str, Epci]:
    return {e.code: e for e in Epci.objects.filter(code__in=codes)}


def communes_of_zones_emploi(codes: list[str]) -> list[Commune]:
    return list(
        Commune.objects.filter(zone_emploi_id__in=codes).select_related("region").order_by("code")
    )


def communes_of_bassins_bmo(codes: list[str]) -> list[Commune]:
    return list(
        Commune.objects.filter(bassin_bmo_id__in=codes).select_related("region").order_by("code")
    )


def communes_of_epcis(codes: list[str]) -> list[Commune]:
    return list(Commune.objects.filter(epci_id__in=codes).select_related("region").order_by("code"))


def active_site_candidates() -> list[tuple[tuple[int, str, float, float], float, float]]:
    """Active Cnam sites as ((id, name, lat, lon), latitude, longitude), for `nearest_point`."""
    from diagnostics.models import CnamSite

    return [
        ((pk, name, lat, lon), lat, lon)
        for pk, name, lat, lon in CnamSite.objects.filter(active=True)
        .order_by("pk")
        .values_list("pk", "name", "latitude", "longitude")
    ]


# --- Basins ---------------------------------------------------------------------------------
COMMUNE_SORTS = {
    "population": ("population", "name"),
    "-population": ("-population", "name"),
    "nom": ("name", "code"),
    "code": ("code",),
}


def basin_communes(basin: Basin, *, sort: str = "-population") -> QuerySet[Commune]:
    """The communes of a basin for its table; `sort` is one of COMMUNE_SORTS (default: most
    populated first; unknown populations last)."""
    order = COMMUNE_SORTS.get(sort, COMMUNE_SORTS["-population"])
    fields: list[Any] = []
    for key in order:
        if key == "population":
            fields.append(F("population").asc(nulls_last=True))
        elif key == "-population":
            fields.append(F("population").desc(nulls_last=True))
        else:
            fields.append(key)
    return basin.communes.select_related("departement", "region", "epci").order_by(*fields)


def communes_frame(communes: list[Commune] | QuerySet[Commune]) -> pd.DataFrame:
    """Map frame (MAP_COMMUNE_COLUMNS) of communes, geometries as shapely objects."""
    records = [
        (
            c.code,
            c.name,
            c.population,
            c.latitude,
            c.longitude,
            geometry_from_geojson(c.geometry),
        )
        for c in communes
    ]
    frame = pd.DataFrame.from_records(records, columns=MAP_COMMUNE_COLUMNS)
    return frame.astype({POPULATION: "object", LATITUDE: "object", LONGITUDE: "object"})


def basin_communes_frame(basin: Basin) -> pd.DataFrame:
    """Columns: code, name, population, latitude, longitude, geometry (shapely or None)."""
    qs = basin.communes.order_by("code").only(
        "code", "name", "population", "latitude", "longitude", "geometry"
    )
    return communes_frame(qs)


def basin_lycees_frame(basin: Basin) -> pd.DataFrame:
    """The lycées (imports in force) of the basin's communes, for its map and its table.
    Columns: `analytics.lycees.LYCEE_COLUMNS` (official flags NA where the layout imported does
    not publish them, the name-based guess apart), one row per UAI."""
    names = dict(basin.communes.values_list("code", "name"))
    frame = lycees_current_frame(commune_codes=sorted(names))
    frame = frame.assign(**{COMMUNE_NAME: frame["commune_code"].map(names).astype(object)})
    return frame[LYCEE_COLUMNS].reset_index(drop=True)


# --- Territory search -----------------------------------------------------------------------
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def search_key(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form: « Saint-Dié » → « saint die »."""
    folded = text.casefold().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", stripped).strip()


@dataclass(frozen=True)
class _Entry:
    code: str
    label: str
    population: int | None
    key: str  # search_key(name)


@dataclass
class _Index:
    version: tuple[Any, ...]
    built_at: float
    entries: list[_Entry]


_INDEXES: dict[str, _Index] = {}


def _entries(kind: str) -> list[_Entry]:
    if kind == "commune":
        rows: list[tuple[str, str, int | None]] = list(
            Commune.objects.values_list("code", "name", "population")
        )
        return [_Entry(code, f"{name} ({code})", pop, search_key(name)) for code, name, pop in rows]
    model: Any = {
        "zone_emploi": ZoneEmploi,
        "bassin_bmo": BassinBmo,
        "epci": Epci,
    }[kind]
    qs = model.objects.annotate(pop=Sum("communes__population")).values_list("code", "name", "pop")
    return [_Entry(code, f"{name} ({code})", pop, search_key(name)) for code, name, pop in qs]


def _index(kind: str) -> list[_Entry]:
    count = Commune.objects.count()
    if count < SEARCH_CACHE_MIN_ROWS:
        return _entries(kind)
    version = (count, TerritoryLoad.objects.aggregate(m=Max("pk"))["m"])
    cached = _INDEXES.get(kind)
    now = time.monotonic()
    if cached and cached.version == version and now - cached.built_at < SEARCH_CACHE_SECONDS:
        return cached.entries
    entries = _entries(kind)
    _INDEXES[kind] = _Index(version, now, entries)
    return entries


def territory_search(*, q: str, kind: str, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Territories of `kind` (commune, zone_emploi, bassin_bmo, epci) matching `q` by code
    (prefix) or by name (accent- and case-insensitive; every word of `q` must appear, a name
    starting with `q` ranks first), most populated first within a rank. Each result is
    {code, label, population}; population is the sum of the communes' for a zoning."""
    if kind not in SEARCH_KINDS:
        raise ValueError(f"type de territoire inconnu : {kind}")
    key = search_key(q)
    if not key:
        return []
    code_q = re.sub(r"\s+", "", q.strip().upper())
    words = key.split()
    ranked: list[tuple[int, int, str, _Entry]] = []
    for entry in _index(kind):
        if entry.code == code_q:
            rank = 0
        elif code_q and entry.code.startswith(code_q):
            rank = 1
        elif entry.key == key:
            rank = 2
        elif entry.key.startswith(key):
            rank = 3
        elif all(w in entry.key for w in words):
            rank = 4 if any(part.startswith(words[0]) for part in entry.key.split()) else 5
        else:
            continue
        ranked.append((rank, -(entry.population or 0), entry.key, entry))
    ranked.sort(key=lambda r: (r[0], r[1], r[2], r[3].code))
    return [
        {"code": e.code, "label": e.label, "population": e.population} for *_, e in ranked[:limit]
    ]


def territory_labels(*, kind: str, codes: list[str]) -> dict[str, str]:
    """Labels « Nom (code) » of known codes, to show back what a form holds."""
    model: Any = {
        "commune": Commune,
        "zone_emploi": ZoneEmploi,
        "bassin_bmo": BassinBmo,
        "epci": Epci,
    }[kind]
    return {
        code: f"{name} ({code})"
        for code, name in model.objects.filter(code__in=codes).values_list("code", "name")
    }
