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
"""

from __future__ import annotations

import heapq
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from shapely import affinity
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from diagnostics.analytics import columns as c
from diagnostics.analytics.geometry import union, voronoi_cells

DEMO_SEED = 2026
POPULATION_VINTAGE = 2022
COG_VINTAGE = 2025

# Centre of the local plane (WGS84) and the size of a degree there, in km.
CENTRE_LON = 2.45
CENTRE_LAT = 46.70
KM_PER_DEG_LAT = 110.6
KM_PER_DEG_LON = 111.32 * math.cos(math.radians(CENTRE_LAT))


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
RIVERS = ("Arbelle", "Sorme", "Vézanne")

_ROOT_START = (
    "Ar", "Bel", "Bor", "Cha", "Cour", "Fon", "Gra", "Lan", "Mar", "Mon", "Pré", "Ro", "Sau",
    "Ver", "Vil", "Bre", "Cler", "Dam", "Es", "Gi", "Jou", "La", "Li", "Mé", "Noi", "Or", "Pa",
    "Que", "Ri", "Sé", "Tau", "Vau", "Ber", "Chau", "Gué", "Mau", "Po", "Sal", "Tré", "Au",
)  # fmt: skip
_ROOT_MIDDLE = ("", "", "", "ven", "lan", "ber", "mi", "ro", "sa", "ti", "gne", "cor", "dé", "ra")
# Endings after a vowel start with a consonant, and the other way round ("Méronay", "Verac").
_END_AFTER_VOWEL = (
    "ville", "court", "mont", "bourg", "gnac", "nay", "lay", "rieux", "zac", "ssac", "rac",
    "llon", "ry", "vert", "val", "lles", "ne", "pierre", "sson",
)  # fmt: skip
_END_AFTER_CONSONANT = (
    "ac", "ay", "ey", "ans", "ières", "ignac", "euil", "on", "ais", "oux", "ange", "in",
    "elles", "erre", "é", "ois", "ard", "igny", "eval", "ot",
)  # fmt: skip
_SAINTS = (
    "Martin", "Germain", "Julien", "Aubin", "Hilaire", "Laurent", "Pierre", "Georges", "Denis",
    "Étienne", "Sulpice", "Médard", "Rémy", "Ouen", "Avit", "Léger", "Priest", "Vincent",
)  # fmt: skip
_SAINTES = ("Marie", "Colombe", "Foy", "Anne", "Radegonde", "Soline", "Gemme")
_ADJECTIVES = ("le-Grand", "le-Petit", "le-Vieux", "le-Haut", "le-Bas", "le-Château")
_PAYS = ("Brandois", "Valmorois", "Ormance")


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

    outline_km = _outline(rng, area_km2=communes * 55.0)
    xy = _commune_centres(rng, outline_km, communes)
    n = len(xy)
    cells_km = voronoi_cells([(float(x), float(y)) for x, y in xy], outline_km)
    if any(cell is None for cell in cells_km):  # pragma: no cover - centres are inside, distinct
        raise ValueError("territoire synthétique : une commune n'a pas de cellule")
    cells: list[BaseGeometry] = [cell for cell in cells_km if cell is not None]
    neighbours = _adjacency(cells)

    # Départements, each a connected set of communes.
    dept_seeds = _spread_indices(rng, xy, range(n), len(DEPARTEMENTS))
    reach = [d.reach for d in DEPARTEMENTS]
    dept_seeds, dept_of = _relax(rng, xy, neighbours, dept_seeds, allowed=None, reach=reach)

    # Towns: the regional capital and medium towns seed the zones d'emploi; small towns add more.
    ze_seeds: list[int] = []
    for d, spec in enumerate(DEPARTEMENTS):
        members = [i for i in range(n) if dept_of[i] == d]
        inner = _interior(members, neighbours, dept_of) or members
        ze_seeds.extend(_spread_indices(rng, xy, inner, spec.medium_towns))
    # Towns end up near the middle of their zone (a few Lloyd-like rounds over the graph).
    ze_seeds, ze_of = _relax(rng, xy, neighbours, ze_seeds, allowed=dept_of)
    taken = set(ze_seeds)
    small_towns = _spread_indices(
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
        extra = _spread_indices(rng, xy, smalls, wanted - len(keep), avoid=keep)
        bassin_seeds.extend(keep + extra)
    region_index = {code: i for i, code in enumerate(REGIONS)}
    bassin_of = _grow(
        rng, xy, neighbours, bassin_seeds, allowed=[region_index[r] for r in region_of]
    )

    # EPCI: inside each département, seeded at its towns.
    epci_seeds: list[int] = []
    for d, spec in enumerate(DEPARTEMENTS):
        towns = [s for s in ze_seeds if dept_of[s] == d]
        smalls = [s for s in small_towns if dept_of[s] == d]
        extra = _spread_indices(rng, xy, smalls, spec.epci - len(towns), avoid=towns)
        epci_seeds.extend(towns + extra)
    epci_of = _grow(rng, xy, neighbours, epci_seeds, allowed=dept_of)

    # Populations.
    population, main_city, second_city = _populations(rng, xy, ze_seeds, small_towns, region_of)

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

    names = _names(rng, xy, population, ze_seeds + small_towns)

    to_wgs84 = _to_wgs84
    lon = CENTRE_LON + xy[:, 0] / KM_PER_DEG_LON
    lat = CENTRE_LAT + xy[:, 1] / KM_PER_DEG_LAT

    ze_codes = _zone_codes(ze_seeds, region_of, offset=1)
    bassin_codes = _zone_codes(bassin_seeds, region_of, offset=61)
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
                to_wgs84(_dissolve([cells[i] for i in range(n) if ze_of[i] == z]))
                for z in range(len(ze_seeds))
            ],
        },
        columns=c.ZONE_EMPLOI_COLUMNS,
    )
    bassin_frame = pd.DataFrame(
        {
            c.CODE: bassin_codes,
            c.NAME: [_bmo_name(names[s]) for s in bassin_seeds],
            c.REGION_CODE: [region_of[s] for s in bassin_seeds],
        },
        columns=c.BASSIN_BMO_COLUMNS,
    )
    epci_frame = pd.DataFrame(
        {
            c.CODE: epci_codes,
            c.NAME: [_epci_name(names[s], population[s]) for s in epci_seeds],
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


@dataclass(frozen=True)
class BasinSpec:
    """A basin to register in the demo: `source_kind` among zone_emploi, bassin_bmo, epci,
    communes (the values of `BasinSource`), the source codes, the main town's code, the region
    of the main town and the population of the communes."""

    name: str
    source_kind: str
    source_codes: list[str]
    main_town_code: str
    region_code: str
    population: int


def demo_basin_specs(
    frames: dict[str, pd.DataFrame],
    *,
    region_code: str = "99",
    other_region_code: str = "98",
    population_min: int = 30_000,
    population_max: int = 100_000,
) -> list[BasinSpec]:
    """Five demo basins, four in `region_code` and one in `other_region_code`:
    1. the most populated zone d'emploi of the region within the programme bounds;
    2. the bassin BMO of the region's largest town (usually above the bounds);
    3. two EPCI of one département, not used above, the smallest pair in population;
    4. a list of communes: a small town (2,000-9,999 inhabitants, the median one) and its 11
       nearest communes of the region, the small town being the main town;
    5. the most populated zone d'emploi of the other region within the bounds (or its largest).
    The main town of the others is their most populated commune, one not already the main town
    of a basin above (zones and EPCI whose main town is taken are skipped).

    Input: "communes" (COMMUNE_COLUMNS), "zones_emploi", "bassins_bmo" and "epci" frames (for the
    names). Output in the order above; a basin with no candidate is left out.
    """
    communes = frames["communes"]
    missing = sorted(set(c.COMMUNE_COLUMNS) - set(communes.columns))
    if missing:
        raise ValueError(f"communes : colonnes manquantes {missing}")
    specs: list[BasinSpec] = []
    used: set[str] = set()

    def top(members: pd.DataFrame) -> pd.Series:
        return members.sort_values([c.POPULATION, c.CODE], ascending=[False, True]).iloc[0]

    def add(
        name: str, kind: str, codes: list[str], members: pd.DataFrame, town: pd.Series | None = None
    ) -> None:
        town = top(members) if town is None else town
        used.add(str(town[c.CODE]))
        specs.append(
            BasinSpec(
                name=name,
                source_kind=kind,
                source_codes=codes,
                main_town_code=str(town[c.CODE]),
                region_code=str(town[c.REGION_CODE]),
                population=int(members[c.POPULATION].sum()),
            )
        )

    def zone_basin(region: str) -> None:
        ze_names = frames["zones_emploi"].set_index(c.CODE)[c.NAME]
        here = communes[communes[c.REGION_CODE] == region]
        totals = here.groupby(c.ZONE_EMPLOI_CODE)[c.POPULATION].sum().sort_index()
        choices = [
            (int(total) if population_min <= total <= population_max else -1, str(code))
            for code, total in totals.items()
            if str(top(communes[communes[c.ZONE_EMPLOI_CODE] == code])[c.CODE]) not in used
        ]
        if choices:
            _, ze = max(choices)
            members = communes[communes[c.ZONE_EMPLOI_CODE] == ze]
            add(f"Bassin {_de(str(ze_names[ze]))}", "zone_emploi", [ze], members)

    region = communes[communes[c.REGION_CODE] == region_code]
    if region.empty:
        return specs
    zone_basin(region_code)

    # 2. The bassin BMO of the largest town of the region.
    largest = top(region)
    if str(largest[c.CODE]) not in used:
        bassin = str(largest[c.BASSIN_BMO_CODE])
        members = communes[communes[c.BASSIN_BMO_CODE] == bassin]
        add(f"Agglomération {_de(str(largest[c.NAME]))}", "bassin_bmo", [bassin], members)

    # 3. Two neighbouring EPCI of one département whose main towns are free: the pair within
    # the bounds whose main towns are closest (else the closest pair).
    epci_names = frames["epci"].set_index(c.CODE)[c.NAME]
    free = []
    for code, members in region.groupby(c.EPCI_CODE, sort=True):
        town = top(members)
        if str(town[c.CODE]) not in used:
            free.append(
                (
                    str(code),
                    int(members[c.POPULATION].sum()),
                    str(town[c.DEPARTEMENT_CODE]),
                    (float(town[c.LATITUDE]), float(town[c.LONGITUDE])),
                )
            )
    pairs = sorted(
        (
            not population_min <= a[1] + b[1] <= population_max,
            _km(a[3], b[3]),
            a[0],
            b[0],
        )
        for i, a in enumerate(free)
        for b in free[i + 1 :]
        if a[2] == b[2]
    )
    if pairs:
        _, _, first, second = pairs[0]
        members = communes[communes[c.EPCI_CODE].isin([first, second])]
        label = " et ".join(_de(_short_epci(str(epci_names[e]))) for e in (first, second))
        add(f"Pays {label}", "epci", [first, second], members)

    # 4. A small town and its nearest communes, by name or code in the registration form.
    towns = region[(region[c.POPULATION] >= 2_000) & (region[c.POPULATION] < 10_000)]
    towns = towns[~towns[c.CODE].isin(used)].sort_values([c.POPULATION, c.CODE])
    if not towns.empty:
        town = towns.iloc[len(towns) // 2]
        scale = math.cos(math.radians(float(town[c.LATITUDE])))
        d2 = (region[c.LATITUDE] - town[c.LATITUDE]) ** 2 + (
            (region[c.LONGITUDE] - town[c.LONGITUDE]) * scale
        ) ** 2
        members = region.assign(_d2=d2).sort_values(["_d2", c.CODE]).head(12)
        members = members.drop(columns="_d2")
        codes = sorted(members[c.CODE].astype(str))
        add(f"Communes autour {_de(str(town[c.NAME]))}", "communes", codes, members, town)

    # 5. A basin in the other region (not visible to the delegate of `region_code`).
    if other_region_code and (communes[c.REGION_CODE] == other_region_code).any():
        zone_basin(other_region_code)
    return specs


# --- construction helpers ----------------------------------------------------------------------


def _outline(rng: np.random.Generator, *, area_km2: float) -> Polygon:
    """A smooth irregular, star-shaped outline around (0, 0) of about `area_km2`."""
    angles = np.linspace(0, 2 * math.pi, 72, endpoint=False)
    phases = rng.uniform(0, 2 * math.pi, size=4)
    radius = (
        1.0
        + 0.10 * np.sin(2 * angles + phases[0])
        + 0.07 * np.sin(3 * angles + phases[1])
        + 0.04 * np.sin(5 * angles + phases[2])
        + 0.02 * np.sin(9 * angles + phases[3])
    )
    # Wider than tall, like many French regions drawn on a map.
    xs, ys = 1.25 * radius * np.cos(angles), 0.85 * radius * np.sin(angles)
    raw = Polygon(np.column_stack([xs, ys]))
    scale = math.sqrt(area_km2 / raw.area)
    return affinity.scale(raw, xfact=scale, yfact=scale, origin=(0, 0))


def _commune_centres(rng: np.random.Generator, outline: Polygon, n: int) -> np.ndarray:
    """`n` well-spread points inside the outline: a jittered grid, trimmed at random."""
    minx, miny, maxx, maxy = outline.bounds
    step = math.sqrt(outline.area / (n * 1.15))
    gx = np.arange(minx + step / 2, maxx, step)
    gy = np.arange(miny + step / 2, maxy, step)
    grid = np.array([(x, y) for y in gy for x in gx], dtype=float)
    grid += rng.uniform(-0.38 * step, 0.38 * step, size=grid.shape)
    inside = shapely.contains_xy(outline, grid[:, 0], grid[:, 1])
    points = grid[inside]
    if len(points) < n:  # pragma: no cover - the grid is sized 15 % larger
        raise ValueError("territoire synthétique : grille trop petite")
    keep = np.sort(rng.choice(len(points), size=n, replace=False))
    return points[keep]


def _adjacency(cells: Sequence[BaseGeometry]) -> list[list[int]]:
    """Indices of the cells sharing an edge (not just a corner) with each cell."""
    tree = shapely.STRtree(cells)
    left, right = tree.query(list(cells), predicate="intersects")
    neighbours: list[list[int]] = [[] for _ in cells]
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a < b and cells[a].intersection(cells[b]).length > 1e-6:
            neighbours[a].append(b)
            neighbours[b].append(a)
    return neighbours


def _spread_indices(
    rng: np.random.Generator,
    xy: np.ndarray,
    candidates: Sequence[int] | range,
    k: int,
    *,
    avoid: Sequence[int] = (),
) -> list[int]:
    """`k` candidates far from each other and from `avoid`: greedy farthest-point sampling
    started from a random candidate, with a little randomness in the choice."""
    pool = list(candidates)
    if k <= 0 or not pool:
        return []
    chosen: list[int] = []
    anchors = list(avoid)
    if not anchors:
        first = pool[int(rng.integers(len(pool)))]
        chosen.append(first)
        anchors.append(first)
    while len(chosen) < k and len(chosen) < len(pool):
        pts = xy[pool]
        ref = xy[anchors]
        d = np.sqrt(((pts[:, None, :] - ref[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
        d = d * rng.uniform(0.85, 1.0, size=len(pool))
        for i in chosen:
            d[pool.index(i)] = -1
        best = pool[int(np.argmax(d))]
        chosen.append(best)
        anchors.append(best)
    return chosen


def _grow(
    rng: np.random.Generator,
    xy: np.ndarray,
    neighbours: list[list[int]],
    seeds: Sequence[int],
    *,
    allowed: Sequence[int] | None,
    reach: Sequence[float] | None = None,
) -> list[int]:
    """Label every node with the seed it is nearest to over the adjacency graph (edge lengths
    perturbed at random, so borders are irregular; divided by the seed's `reach`). With `allowed`
    (a group label per node), a zone does not cross groups: a seed only reaches nodes of its own
    group."""
    n = len(xy)
    factor = rng.uniform(0.6, 1.6, size=n)
    dist = np.full(n, np.inf)
    label = [-1] * n
    heap: list[tuple[float, int, int]] = []
    for z, s in enumerate(seeds):
        dist[s] = 0.0
        label[s] = z
        heapq.heappush(heap, (0.0, s, z))
    while heap:
        d, node, z = heapq.heappop(heap)
        if d > dist[node] or label[node] != z:
            continue
        for other in neighbours[node]:
            if allowed is not None and allowed[other] != allowed[seeds[z]]:
                continue
            step = float(np.hypot(*(xy[other] - xy[node]))) * (factor[node] + factor[other]) / 2
            if reach is not None:
                step /= reach[z]
            nd = d + step
            if nd < dist[other]:
                dist[other] = nd
                label[other] = z
                heapq.heappush(heap, (nd, other, z))
    if -1 in label:  # pragma: no cover - every group has a seed and is connected
        raise ValueError("territoire synthétique : une commune n'a pas de zone")
    return label


def _relax(
    rng: np.random.Generator,
    xy: np.ndarray,
    neighbours: list[list[int]],
    seeds: list[int],
    *,
    allowed: Sequence[int] | None,
    reach: Sequence[float] | None = None,
    rounds: int = 3,
) -> tuple[list[int], list[int]]:
    """Grow zones from `seeds`, then move each seed to the member nearest its zone's mean point,
    `rounds` times: zones get rounder and their seed (their main town) sits inside them."""
    labels = _grow(rng, xy, neighbours, seeds, allowed=allowed, reach=reach)
    for _ in range(rounds):
        moved = []
        for z in range(len(seeds)):
            members = [i for i, label in enumerate(labels) if label == z]
            centre = xy[members].mean(axis=0)
            moved.append(min(members, key=lambda i: (float(np.hypot(*(xy[i] - centre))), i)))
        seeds = moved
        labels = _grow(rng, xy, neighbours, seeds, allowed=allowed, reach=reach)
    return seeds, labels


def _interior(members: list[int], neighbours: list[list[int]], group: list[int]) -> list[int]:
    """Members whose neighbours are all in the same group (not on the group's border)."""
    return [i for i in members if all(group[j] == group[i] for j in neighbours[i])]


def _populations(
    rng: np.random.Generator,
    xy: np.ndarray,
    ze_seeds: list[int],
    small_towns: list[int],
    region_of: list[str],
) -> tuple[np.ndarray, int, int]:
    """Heavy-tailed populations: villages lognormal (median ~400, 60-1,900), larger near a town;
    small towns 2,000-9,000; medium towns 15,000-60,000 (log-uniform); the regional capital of
    region 99 about 70,000-90,000."""
    n = len(xy)
    pop = np.exp(rng.normal(math.log(400), 0.75, size=n))
    pop = np.clip(pop, 60, 1_900)

    towns = ze_seeds + small_towns
    d = np.sqrt(((xy[:, None, :] - xy[towns][None, :, :]) ** 2).sum(axis=2)).min(axis=1)
    boost = 1.0 + 2.5 * np.exp(-d / 5.0)  # periurban villages within ~10 km of a town
    pop = np.clip(pop * boost, 60, 4_800)

    medium = np.exp(rng.uniform(math.log(15_000), math.log(60_000), size=len(ze_seeds)))
    pop[ze_seeds] = medium
    pop[small_towns] = np.exp(rng.uniform(math.log(2_000), math.log(9_000), size=len(small_towns)))

    # The regional capital: the most central zone d'emploi town of region 99.
    r99 = [s for s in ze_seeds if region_of[s] == "99"]
    centre = xy[r99].mean(axis=0)
    main_city = min(r99, key=lambda s: (float(np.hypot(*(xy[s] - centre))), s))
    pop[main_city] = rng.uniform(70_000, 90_000)
    r98 = [s for s in ze_seeds if region_of[s] == "98"]
    second_city = max(r98, key=lambda s: (pop[s], -s))
    return np.round(pop).astype("int64"), main_city, second_city


def _zone_codes(seeds: list[int], region_of: list[str], *, offset: int) -> list[str]:
    counters: dict[str, int] = {}
    codes = []
    for s in seeds:
        region = region_of[s]
        counters[region] = counters.get(region, offset - 1) + 1
        codes.append(f"{region}{counters[region]:02d}")
    return codes


def _dissolve(cells: list[BaseGeometry]) -> BaseGeometry:
    merged = union(cells)
    if merged is None:  # pragma: no cover - a zone has at least its seed commune
        raise ValueError("territoire synthétique : zone vide")
    return merged


def _to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    """km plane → WGS84 (lon, lat) around the centre: an affine map, so tilings are kept."""
    return affinity.affine_transform(
        geom, [1 / KM_PER_DEG_LON, 0, 0, 1 / KM_PER_DEG_LAT, CENTRE_LON, CENTRE_LAT]
    )


# --- names --------------------------------------------------------------------------------------


def _root(rng: np.random.Generator) -> str:
    word = _ROOT_START[int(rng.integers(len(_ROOT_START)))]
    word += _ROOT_MIDDLE[int(rng.integers(len(_ROOT_MIDDLE)))]
    ends = _END_AFTER_VOWEL if _ends_with_vowel(word) else _END_AFTER_CONSONANT
    return word + ends[int(rng.integers(len(ends)))]


def _ends_with_vowel(word: str) -> bool:
    return _strip_accents(word[-1:]).lower() in "aeiouy"


def _rivers(rng: np.random.Generator, xy: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Each river is a wavy line across the territory (as a dense polyline of points)."""
    span = float(np.abs(xy).max()) * 1.2
    result = []
    for name in RIVERS:
        angle = rng.uniform(0, math.pi)
        offset = rng.uniform(-0.4, 0.4) * span
        t = np.linspace(-span, span, 200)
        wave = 0.08 * span * np.sin(t / span * rng.uniform(2, 4) * math.pi + rng.uniform(0, 6))
        ux, uy = math.cos(angle), math.sin(angle)
        px = t * ux - (offset + wave) * uy
        py = t * uy + (offset + wave) * ux
        result.append((name, np.column_stack([px, py])))
    return result


def _names(
    rng: np.random.Generator,
    xy: np.ndarray,
    population: np.ndarray,
    towns: list[int],
) -> list[str]:
    """Unique invented French-sounding names: towns get a plain name, villages a pattern
    (« Saint-… », « …-sur-<rivière> », « …-lès-<ville> », « …-le-Grand », « …-en-<pays> »)."""
    n = len(xy)
    rivers = _rivers(rng, xy)
    river_dist = np.stack(
        [
            np.sqrt(((xy[:, None, :] - line[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
            for _, line in rivers
        ]
    )
    town_set = set(towns)
    used: set[str] = set()
    names = [""] * n
    # Towns first (plain names), largest first, so villages can be « …-lès-<town> ».
    order = sorted(towns, key=lambda i: (-int(population[i]), i)) + [
        i for i in range(n) if i not in town_set
    ]
    for i in order:
        for _attempt in range(50):
            name = _name_for(rng, i, xy, towns, names, river_dist, i in town_set)
            if name not in used:
                break
        else:  # pragma: no cover - 50 collisions in a row
            name = f"{name}-{i}"
        used.add(name)
        names[i] = name
    return names


def _name_for(
    rng: np.random.Generator,
    i: int,
    xy: np.ndarray,
    towns: list[int],
    names: list[str],
    river_dist: np.ndarray,
    is_town: bool,
) -> str:
    root = _root(rng)
    nearest_river = int(np.argmin(river_dist[:, i]))
    on_river = river_dist[nearest_river, i] < 3.5
    if is_town:
        if on_river and rng.random() < 0.4:
            return f"{root}-sur-{RIVERS[nearest_river]}"
        return root
    draw = rng.random()
    if on_river and draw < 0.35:
        return f"{root}-sur-{RIVERS[nearest_river]}"
    if draw < 0.5:
        near_towns = [t for t in towns if names[t] and float(np.hypot(*(xy[t] - xy[i]))) < 9.0]
        if near_towns and "-" not in names[near_towns[0]]:
            return f"{root}-lès-{names[near_towns[0]]}"
    if draw < 0.62:
        saint = f"Saint-{_SAINTS[int(rng.integers(len(_SAINTS)))]}"
        if rng.random() < 0.6:
            return f"{saint}-d'{root}" if _starts_with_vowel(root) else f"{saint}-de-{root}"
        return saint
    if draw < 0.67:
        return f"Sainte-{_SAINTES[int(rng.integers(len(_SAINTES)))]}"
    if draw < 0.74:
        return f"{root}-{_ADJECTIVES[int(rng.integers(len(_ADJECTIVES)))]}"
    if draw < 0.78:
        return f"{root}-en-{_PAYS[int(rng.integers(len(_PAYS)))]}"
    return root


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Approximate distance in km between two (lat, lon) points a few tens of km apart."""
    dy = (a[0] - b[0]) * KM_PER_DEG_LAT
    dx = (a[1] - b[1]) * 111.32 * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dx, dy)


def _strip_accents(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def _bmo_name(town: str) -> str:
    """Bassin BMO names are published in capitals without accents (« VITRE »)."""
    return _strip_accents(town).upper().replace("-", " ")


def _starts_with_vowel(word: str) -> bool:
    return _strip_accents(word[:1]).lower() in "aeiouyh"


def _de(name: str) -> str:
    """« de Vitré », « d'Auray »."""
    return f"d'{name}" if _starts_with_vowel(name) else f"de {name}"


def _epci_name(town: str, population: int) -> str:
    if population >= 15_000:
        return f"CA {town} Agglomération"
    return f"CC du Pays {_de(town)}"


def _short_epci(name: str) -> str:
    for prefix in ("CC du Pays de ", "CC du Pays d'", "CA "):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name.removesuffix(" Agglomération")


__all__ = [
    "DEMO_SEED",
    "BasinSpec",
    "SyntheticTerritory",
    "demo_basin_specs",
    "synthetic_territory",
]
