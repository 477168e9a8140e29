"""Construction of the synthetic territory in a local plane in km: its outline, the commune
centres and cells, zones grown from seeds over the cell adjacency, populations, and the affine
map to WGS84 at the end. Pure (numpy, shapely)."""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from diagnostics.analytics.geometry import union

# Centre of the local plane (WGS84) and the size of a degree there, in km.
CENTRE_LON = 2.45
CENTRE_LAT = 46.70
KM_PER_DEG_LAT = 110.6
KM_PER_DEG_LON = 111.32 * math.cos(math.radians(CENTRE_LAT))


# --- construction helpers ----------------------------------------------------------------------


def random_outline(rng: np.random.Generator, *, area_km2: float) -> Polygon:
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


def commune_centres(rng: np.random.Generator, outline: Polygon, n: int) -> np.ndarray:
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


def cell_adjacency(cells: Sequence[BaseGeometry]) -> list[list[int]]:
    """Indices of the cells sharing an edge (not just a corner) with each cell."""
    tree = shapely.STRtree(cells)
    left, right = tree.query(list(cells), predicate="intersects")
    neighbours: list[list[int]] = [[] for _ in cells]
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a < b and cells[a].intersection(cells[b]).length > 1e-6:
            neighbours[a].append(b)
            neighbours[b].append(a)
    return neighbours


def spread_indices(
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


def grow(
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


def relax(
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
    labels = grow(rng, xy, neighbours, seeds, allowed=allowed, reach=reach)
    for _ in range(rounds):
        moved = []
        for z in range(len(seeds)):
            members = [i for i, label in enumerate(labels) if label == z]
            centre = xy[members].mean(axis=0)
            moved.append(min(members, key=lambda i: (float(np.hypot(*(xy[i] - centre))), i)))
        seeds = moved
        labels = grow(rng, xy, neighbours, seeds, allowed=allowed, reach=reach)
    return seeds, labels


def interior(members: list[int], neighbours: list[list[int]], group: list[int]) -> list[int]:
    """Members whose neighbours are all in the same group (not on the group's border)."""
    return [i for i in members if all(group[j] == group[i] for j in neighbours[i])]


def commune_populations(
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


def zone_codes(seeds: list[int], region_of: list[str], *, offset: int) -> list[str]:
    counters: dict[str, int] = {}
    codes = []
    for s in seeds:
        region = region_of[s]
        counters[region] = counters.get(region, offset - 1) + 1
        codes.append(f"{region}{counters[region]:02d}")
    return codes


def dissolve(cells: list[BaseGeometry]) -> BaseGeometry:
    merged = union(cells)
    if merged is None:  # pragma: no cover - a zone has at least its seed commune
        raise ValueError("territoire synthétique : zone vide")
    return merged


def plane_to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    """km plane → WGS84 (lon, lat) around the centre: an affine map, so tilings are kept."""
    return affinity.affine_transform(
        geom, [1 / KM_PER_DEG_LON, 0, 0, 1 / KM_PER_DEG_LAT, CENTRE_LON, CENTRE_LAT]
    )
