"""Invented French-sounding names for the synthetic territory: communes (roots, saints,
rivers, « le-Grand »…), bassins BMO and EPCI. Pure and seeded (numpy random generators)."""

from __future__ import annotations

import math
import unicodedata

import numpy as np

from diagnostics.analytics.synthetic_plane import KM_PER_DEG_LAT

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


def commune_names(
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


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Approximate distance in km between two (lat, lon) points a few tens of km apart."""
    dy = (a[0] - b[0]) * KM_PER_DEG_LAT
    dx = (a[1] - b[1]) * 111.32 * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dx, dy)


def _strip_accents(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def bmo_name(town: str) -> str:
    """Bassin BMO names are published in capitals without accents (« VITRE »)."""
    return _strip_accents(town).upper().replace("-", " ")


def _starts_with_vowel(word: str) -> bool:
    return _strip_accents(word[:1]).lower() in "aeiouyh"


def with_de(name: str) -> str:
    """« de Vitré », « d'Auray »."""
    return f"d'{name}" if _starts_with_vowel(name) else f"de {name}"


def epci_name(town: str, population: int) -> str:
    if population >= 15_000:
        return f"CA {town} Agglomération"
    return f"CC du Pays {with_de(town)}"


def short_epci(name: str) -> str:
    for prefix in ("CC du Pays de ", "CC du Pays d'", "CA "):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name.removesuffix(" Agglomération")
