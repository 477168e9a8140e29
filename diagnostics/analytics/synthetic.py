"""A deterministic synthetic territory for the demo: two fictitious regions, three départements,
a few hundred communes with heavy-tailed populations and French-sounding invented names, grouped
into zones d'emploi, bassins BMO and EPCI that tile the territory.

Pure: numpy, pandas and shapely only; everything follows from the seed.

How it is built (in a local plane in km, converted to WGS84 at the end by an affine map, so the
tiling survives the conversion):
1. an irregular region outline and commune centres on a jittered grid inside it;
2. the commune cells: the Voronoi cells of the centres clipped to the outline (`voronoi_cells`),
   and their adjacency graph (cells sharing an edge);
3. départements, then zones d'emploi, bassins BMO and EPCI grown from seed communes over that
   graph (multi-source Dijkstra with randomly perturbed edge lengths), so every zone is connected
   and has irregular borders. Bassins BMO are grown from other seeds than the zones d'emploi, so the
   two zonings do not nest (as the real ones);
4. populations: one regional capital, medium towns (15,000-60,000) at the centre of each zone
   d'emploi, small towns, and many villages (lognormal, 60-1,900), larger near the towns;
5. zone polygons: the union of their communes' cells.

Codes follow the official patterns (digits) but cannot collide with official ones: régions 98
and 99, départements 96, 98 and 99 (none exists), communes `96001`..., `98001`..., `99001`-`99099`
(INSEE's country codes start at 99100), zones d'emploi `98xx`/`99xx`, bassins BMO `98xx`/`99xx`
(from 61), EPCI SIREN `99900xxxx`.

The plane and the growth of the zones are in `synthetic_plane`, the names in `synthetic_names`,
the demo basins in `synthetic_basins`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from diagnostics.analytics import columns as c
from diagnostics.analytics.geometry import voronoi_cells
from diagnostics.analytics.synthetic_names import bmo_name, commune_names, epci_name
from diagnostics.analytics.synthetic_plane import (
    CENTRE_LAT,
    CENTRE_LON,
    KM_PER_DEG_LAT,
    KM_PER_DEG_LON,
    cell_adjacency,
    commune_centres,
    commune_populations,
    dissolve,
    grow,
    interior,
    plane_to_wgs84,
    random_outline,
    relax,
    spread_indices,
    zone_codes,
)

DEMO_SEED = 2026
POPULATION_VINTAGE = 2022
COG_VINTAGE = 2025


@dataclass(frozen=True)
class _Departement:
    code: str
    name: str
    region_code: str
    reach: float  # growth speed of the département from its seed: larger, more communes
    medium_towns: int
    bassins: int
    epci: int


REGIONS = {"99": "Val-d'Arbelle (démo)", "98": "Marches du Brandois (démo)"}
DEPARTEMENTS = (
    _Departement("96", "Haute-Arbelle", "99", reach=1.4, medium_towns=3, bassins=3, epci=5),
    # Under 100 communes, so that its codes (99001-99099) stay clear of INSEE's country codes.
    _Departement("99", "Sorme-et-Vézanne", "99", reach=0.8, medium_towns=3, bassins=3, epci=4),
    _Departement("98", "Brandois", "98", reach=1.0, medium_towns=2, bassins=2, epci=4),
)


@dataclass(frozen=True)
class SyntheticTerritory:
    """The generated territory.

    `frames` has the keys expected by `territories_store` ("regions", "departements", "epci",
    "zones_emploi", "bassins_bmo", "communes", "code_changes"), each with exactly the columns of
    `columns.py`. `outline` is the whole territory (WGS84) that the commune cells and the zones
    tile; `commune_cells` maps each commune code to its cell. `main_city_code` is the regional
    capital of region 99, `second_city_code` the largest town of region 98.
    """

    frames: dict[str, pd.DataFrame]
    outline: BaseGeometry
    commune_cells: dict[str, BaseGeometry] = field(repr=False)
    main_city_code: str = ""
    second_city_code: str = ""


def synthetic_territory(*, seed: int = DEMO_SEED, communes: int = 320) -> SyntheticTerritory:
    """Generate the synthetic territory (same seed, same result).

    Output frames and columns: regions (REGION_COLUMNS), departements (DEPARTEMENT_COLUMNS), epci
    (EPCI_COLUMNS), zones_emploi (ZONE_EMPLOI_COLUMNS, shapely polygons in WGS84), bassins_bmo
    (BASSIN_BMO_COLUMNS), communes (COMMUNE_COLUMNS), code_changes (CODE_CHANGE_COLUMNS); every
    frame sorted by code.
    """
    if communes < 60:
        raise ValueError(f"territoire synthétique : au moins 60 communes (demandé : {communes})")
    rng = np.random.default_rng(seed)

    outline_km = random_outline(rng, area_km2=communes * 55.0)
    xy = commune_centres(rng, outline_km, communes)
    n = len(xy)
    cells_km = voronoi_cells([(float(x), float(y)) for x, y in xy], outline_km)
    if any(cell is None for cell in cells_km):  # pragma: no cover - centres are inside, distinct
        raise ValueError("territoire synthétique : une commune n'a pas de cellule")
    cells: list[BaseGeometry] = [cell for cell in cells_km if cell is not None]
    neighbours = cell_adjacency(cells)

    # Départements, each a connected set of communes.
    dept_seeds = spread_indices(rng, xy, range(n), len(DEPARTEMENTS))
    reach = [d.reach for d in DEPARTEMENTS]
    dept_seeds, dept_of = relax(rng, xy, neighbours, dept_seeds, allowed=None, reach=reach)

    # Towns: the regional capital and medium towns seed the zones d'emploi; small towns add more.
    ze_seeds: list[int] = []
    for d, spec in enumerate(DEPARTEMENTS):
        members = [i for i in range(n) if dept_of[i] == d]
        inner = interior(members, neighbours, dept_of) or members
        ze_seeds.extend(spread_indices(rng, xy, inner, spec.medium_towns))
    # Towns end up near the middle of their zone (a few Lloyd-like rounds over the graph).
    ze_seeds, ze_of = relax(rng, xy, neighbours, ze_seeds, allowed=dept_of)
    taken = set(ze_seeds)
    small_towns = spread_indices(
        rng,
        xy,
        [i for i in range(n) if i not in taken],
        max(6, n // 18),
        avoid=ze_seeds,
    )

    # Bassins BMO: grown inside each region from other seeds (some zone d'emploi towns, some small
    # towns), with other random edge lengths, so they do not nest with the zones d'emploi.
    region_of = [DEPARTEMENTS[d].region_code for d in dept_of]
    bassin_seeds: list[int] = []
    for region_code in REGIONS:
        wanted = sum(s.bassins for s in DEPARTEMENTS if s.region_code == region_code)
        ze_towns = [s for s in ze_seeds if region_of[s] == region_code]
        smalls = [s for s in small_towns if region_of[s] == region_code]
        keep = ze_towns[: max(1, len(ze_towns) - len(ze_towns) // 2)]
        extra = spread_indices(rng, xy, smalls, wanted - len(keep), avoid=keep)
        bassin_seeds.extend(keep + extra)
    region_index = {code: i for i, code in enumerate(REGIONS)}
    bassin_of = grow(
        rng, xy, neighbours, bassin_seeds, allowed=[region_index[r] for r in region_of]
    )

    # EPCI: inside each département, seeded at its towns.
    epci_seeds: list[int] = []
    for d, spec in enumerate(DEPARTEMENTS):
        towns = [s for s in ze_seeds if dept_of[s] == d]
        smalls = [s for s in small_towns if dept_of[s] == d]
        extra = spread_indices(rng, xy, smalls, spec.epci - len(towns), avoid=towns)
        epci_seeds.extend(towns + extra)
    epci_of = grow(rng, xy, neighbours, epci_seeds, allowed=dept_of)

    # Populations.
    population, main_city, second_city = commune_populations(
        rng, xy, ze_seeds, small_towns, region_of
    )

    # Commune codes: per département, numbered from north-west to south-east.
    codes = [""] * n
    for d, spec in enumerate(DEPARTEMENTS):
        members = sorted(
            (i for i in range(n) if dept_of[i] == d), key=lambda i: (-xy[i][1] // 12, xy[i][0])
        )
        if len(members) > (99 if spec.code == "99" else 989):  # 99100+: INSEE country codes
            raise ValueError(
                f"territoire synthétique : trop de communes ({len(members)}) dans le "
                f"département {spec.code} ; réduisez le nombre de communes"
            )
        for k, i in enumerate(members, start=1):
            codes[i] = f"{spec.code}{k:03d}"

    names = commune_names(rng, xy, population, ze_seeds + small_towns)

    to_wgs84 = plane_to_wgs84
    lon = CENTRE_LON + xy[:, 0] / KM_PER_DEG_LON
    lat = CENTRE_LAT + xy[:, 1] / KM_PER_DEG_LAT

    ze_codes = zone_codes(ze_seeds, region_of, offset=1)
    bassin_codes = zone_codes(bassin_seeds, region_of, offset=61)
    epci_codes = [f"99900{k:04d}" for k in range(1, len(epci_seeds) + 1)]

    communes_frame = pd.DataFrame(
        {
            c.CODE: codes,
            c.NAME: names,
            c.DEPARTEMENT_CODE: [DEPARTEMENTS[d].code for d in dept_of],
            c.REGION_CODE: region_of,
            c.POPULATION: population.astype("int64"),
            c.POPULATION_VINTAGE: POPULATION_VINTAGE,
            c.LATITUDE: np.round(lat, 5),
            c.LONGITUDE: np.round(lon, 5),
            c.COG_VINTAGE: COG_VINTAGE,
            c.EPCI_CODE: [epci_codes[e] for e in epci_of],
            c.ZONE_EMPLOI_CODE: [ze_codes[z] for z in ze_of],
            c.BASSIN_BMO_CODE: [bassin_codes[b] for b in bassin_of],
        },
        columns=c.COMMUNE_COLUMNS,
    )

    ze_frame = pd.DataFrame(
        {
            c.CODE: ze_codes,
            c.NAME: [names[s] for s in ze_seeds],
            c.GEOMETRY: [
                to_wgs84(dissolve([cells[i] for i in range(n) if ze_of[i] == z]))
                for z in range(len(ze_seeds))
            ],
        },
        columns=c.ZONE_EMPLOI_COLUMNS,
    )
    bassin_frame = pd.DataFrame(
        {
            c.CODE: bassin_codes,
            c.NAME: [bmo_name(names[s]) for s in bassin_seeds],
            c.REGION_CODE: [region_of[s] for s in bassin_seeds],
        },
        columns=c.BASSIN_BMO_COLUMNS,
    )
    epci_frame = pd.DataFrame(
        {
            c.CODE: epci_codes,
            c.NAME: [epci_name(names[s], population[s]) for s in epci_seeds],
            c.NATURE: ["CA" if population[s] >= 15_000 else "CC" for s in epci_seeds],
        },
        columns=c.EPCI_COLUMNS,
    )
    regions_frame = pd.DataFrame(
        {c.CODE: list(REGIONS), c.NAME: list(REGIONS.values())}, columns=c.REGION_COLUMNS
    )
    departements_frame = pd.DataFrame(
        {
            c.CODE: [d.code for d in DEPARTEMENTS],
            c.NAME: [d.name for d in DEPARTEMENTS],
            c.REGION_CODE: [d.region_code for d in DEPARTEMENTS],
        },
        columns=c.DEPARTEMENT_COLUMNS,
    )
    # Two communes merged into the regional capital and a village on 1 January 2024.
    absorbing = [main_city, int(np.argmin(population))]
    code_changes = pd.DataFrame(
        {
            c.OLD_CODE: [f"{codes[i][:2]}99{k}" for k, i in enumerate(absorbing, start=1)],
            c.NEW_CODE: [codes[i] for i in absorbing],
            c.YEAR: [2024, 2024],
        },
        columns=c.CODE_CHANGE_COLUMNS,
    )

    frames = {
        "regions": regions_frame,
        "departements": departements_frame,
        "epci": epci_frame,
        "zones_emploi": ze_frame,
        "bassins_bmo": bassin_frame,
        "communes": communes_frame,
        "code_changes": code_changes,
    }
    frames = {
        key: frame.sort_values(frame.columns[0], kind="stable").reset_index(drop=True)
        for key, frame in frames.items()
    }
    return SyntheticTerritory(
        frames=frames,
        outline=to_wgs84(outline_km),
        commune_cells={codes[i]: to_wgs84(cells[i]) for i in range(n)},
        main_city_code=codes[main_city],
        second_city_code=codes[second_city],
    )
