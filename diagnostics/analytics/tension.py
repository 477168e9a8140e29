"""The DARES – France Travail tension indicator per occupation (ROME) and area.

Published definition: 0.30·z(online offers / category A job seekers) + 0.20·z(exit rate from
the A+B+C register) + 0.50·z(share of BMO projects judged difficult), each component
standardised (z-score) over a reference set (DARES uses 2014-2018). Complementary factors on a
1-5 scale (hiring intensity, working conditions, non-durable employment, lack of available
labour, training-job link, geographic mismatch) are carried along, not combined.

The data rarely hold the three components: the stored DARES / Pôle emploi file has offers, A+B+C
job seekers and the factors, but no exit rate and no BMO share by ROME. The index is then
computed over the components present with their weights rescaled to sum to 1, the ratio uses
A+B+C job seekers when category A is absent, and the method names every missing component and
every substitution. Nothing is silently filled.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from .columns import (
    BMO_DIFFICULTY_SHARE,
    COMPONENTS_USED,
    EXIT_RATE,
    JOB_SEEKERS_A,
    JOB_SEEKERS_ABC,
    OFFERS,
    OFFERS_PER_SEEKER,
    OVERLAP_POPULATION,
    PUBLISHED_TENSION,
    ROME_CODE,
    TENSION_FACTOR_COLUMNS,
    TENSION_INDEX,
    TENSION_KEY_COLUMNS,
    YEAR,
    Z_BMO_DIFFICULTY_SHARE,
    Z_EXIT_RATE,
    Z_OFFERS_PER_SEEKER,
    ZONE_CODE,
    ZONE_SHARE,
)
from .common import format_number, format_percent, require_columns, shared
from .crosswalk import Crosswalk

DARES_WEIGHTS: dict[str, float] = {
    OFFERS_PER_SEEKER: 0.30,
    EXIT_RATE: 0.20,
    BMO_DIFFICULTY_SHARE: 0.50,
}
Z_COLUMNS = {
    OFFERS_PER_SEEKER: Z_OFFERS_PER_SEEKER,
    EXIT_RATE: Z_EXIT_RATE,
    BMO_DIFFICULTY_SHARE: Z_BMO_DIFFICULTY_SHARE,
}
COMPONENT_LABELS = {
    OFFERS_PER_SEEKER: "offres d'emploi / demandeurs de catégorie A",
    EXIT_RATE: "taux de sortie des listes (catégories A, B, C)",
    BMO_DIFFICULTY_SHARE: "part des projets de recrutement BMO jugés difficiles",
}


@dataclass(frozen=True)
class TensionMethod:
    """How the index was computed: components used and missing, rescaled weights, proxies,
    size of the reference set, and the French sentence for the report."""

    components_used: list[str]
    components_missing: list[str]
    weights: dict[str, float]
    substitutions: list[str] = field(default_factory=list)
    reference_rows: int = 0
    description: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "components_used": list(self.components_used),
            "components_missing": list(self.components_missing),
            "weights": {k: round(v, 4) for k, v in self.weights.items()},
            "substitutions": list(self.substitutions),
            "reference_rows": self.reference_rows,
            "description": self.description,
        }


def _has(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and bool(frame[column].notna().any())


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    series = frame[column]
    if isinstance(series.dtype, pd.Float64Dtype):
        return series  # already numbers (the conversion would copy it twice)
    return pd.to_numeric(series, errors="coerce").astype("Float64")


def _components(frame: pd.DataFrame, *, seekers: str | None) -> dict[str, pd.Series]:
    """Raw component values available in `frame` (ratios recomputed from counts)."""
    out: dict[str, pd.Series] = {}
    if seekers is not None:
        denominator = _numeric(frame, seekers)
        out[OFFERS_PER_SEEKER] = (
            _numeric(frame, OFFERS) / denominator.where(denominator > 0)
        ).astype("Float64")
    if _has(frame, EXIT_RATE):
        out[EXIT_RATE] = _numeric(frame, EXIT_RATE)
    if _has(frame, BMO_DIFFICULTY_SHARE):
        out[BMO_DIFFICULTY_SHARE] = _numeric(frame, BMO_DIFFICULTY_SHARE)
    return out


def _seekers_column(frame: pd.DataFrame) -> str | None:
    if not _has(frame, OFFERS):
        return None
    if _has(frame, JOB_SEEKERS_A):
        return JOB_SEEKERS_A
    if _has(frame, JOB_SEEKERS_ABC):
        return JOB_SEEKERS_ABC
    return None


def _reference_side(reference: pd.DataFrame) -> Callable[[str | None], _ReferenceStats]:
    """The reference's figures for a choice of job seekers' column, each computed once."""
    has = {c: _has(reference, c) for c in (OFFERS, JOB_SEEKERS_A, JOB_SEEKERS_ABC)}
    seekers = _seekers_column(reference)
    computed: dict[str | None, dict[str, tuple[int, float, float]]] = {}

    def stats(column: str | None) -> _ReferenceStats:
        if column not in computed:
            values = _components(reference, seekers=column)
            out = {}
            for component, series in values.items():
                ref = series.dropna().to_numpy(dtype=float)
                std = float(np.std(ref)) if len(ref) else 0.0
                out[component] = (len(ref), std, float(np.mean(ref)) if len(ref) else math.nan)
            computed[column] = out
        return _ReferenceStats(has=has, seekers=seekers, components=computed[column])

    return stats


@dataclass(frozen=True)
class _ReferenceStats:
    has: dict[str, bool]
    seekers: str | None
    # component → (known values, standard deviation, mean)
    components: dict[str, tuple[int, float, float]]


def tension_index(
    frame: pd.DataFrame,
    *,
    reference: pd.DataFrame | None = None,
    cache: dict[Hashable, Any] | None = None,
) -> tuple[pd.DataFrame, TensionMethod]:
    """Compute the DARES – France Travail tension index where its components exist.

    Input columns of `frame`: year, bassin_bmo_code, rome_code, and any of offers,
    job_seekers_a, job_seekers_abc, exit_rate, bmo_difficulty_share, the factor columns and
    published_tension. `reference`: the set the components are standardised over (same
    columns; e.g. every bassin × ROME of the reference years); default: `frame` itself.
    z = (x − mean) / standard deviation (population, ddof = 0) of the reference.

    Output columns: the key columns, offers_per_seeker, exit_rate, bmo_difficulty_share (those
    computed), their z_* columns, tension_index (Σ w·z / Σ w over the components known on the
    row), components_used (per row, comma-separated), then the factor columns and
    published_tension when present. Sorted by year, bassin_bmo_code, rome_code.
    The method lists the components used and missing and the weights actually applied.
    `cache` (optional, `basin_context.shared`): the reference's figures are computed once for
    the basins of a batch that share the same reference frame.
    """
    require_columns(frame, TENSION_KEY_COLUMNS, what="les indicateurs de tension")
    reference = frame if reference is None else reference
    require_columns(reference, TENSION_KEY_COLUMNS, what="la référence des tensions")
    side = shared(cache, "tension_index_reference", reference, lambda: _reference_side(reference))

    substitutions: list[str] = []
    seekers = _seekers_column(frame)
    reference_seekers = side(None).seekers
    if seekers != reference_seekers:
        # Standardise like with like: fall back on A+B+C if either side lacks category A.
        common = [
            c
            for c in (JOB_SEEKERS_A, JOB_SEEKERS_ABC)
            if _has(frame, c) and side(None).has[c] and _has(frame, OFFERS)
        ]
        seekers = reference_seekers = common[0] if common else None
    if seekers == JOB_SEEKERS_ABC:
        substitutions.append(
            "offres rapportées aux demandeurs des catégories A, B, C (catégorie A absente)"
        )

    values = _components(frame, seekers=seekers)
    reference_values = side(reference_seekers).components
    used: list[str] = []
    missing: list[str] = []
    z_scores: dict[str, pd.Series] = {}
    for component in DARES_WEIGHTS:
        if component not in values or component not in reference_values:
            missing.append(component)
            continue
        count, std, mean = reference_values[component]
        if count < 2 or not np.isfinite(std) or std == 0:
            missing.append(component)
            substitutions.append(f"{COMPONENT_LABELS[component]} sans dispersion dans la référence")
            continue
        z_scores[component] = ((values[component] - mean) / std).astype("Float64")
        used.append(component)

    total = sum(DARES_WEIGHTS[c] for c in used)
    weights = {c: DARES_WEIGHTS[c] / total for c in used} if total else {}
    out = frame[TENSION_KEY_COLUMNS].copy()
    for component, series in values.items():
        out[component] = series
    numerator = pd.Series(0.0, index=frame.index, dtype="Float64")
    denominator = pd.Series(0.0, index=frame.index, dtype="Float64")
    for component in used:
        z = z_scores[component]
        out[Z_COLUMNS[component]] = z
        known = z.notna()
        numerator = numerator + (z * DARES_WEIGHTS[component]).fillna(0.0)
        denominator = denominator + known.astype("Float64") * DARES_WEIGHTS[component]
    out[TENSION_INDEX] = (numerator / denominator.where(denominator > 0)).astype("Float64")
    known_on_row = {c: z_scores[c].notna().to_numpy() for c in used}
    out[COMPONENTS_USED] = pd.array(
        [", ".join(c for c in used if known_on_row[c][i]) or None for i in range(len(frame))],
        dtype="string",
    )
    for column in [*TENSION_FACTOR_COLUMNS, PUBLISHED_TENSION]:
        if column in frame.columns:
            out[column] = _numeric(frame, column)
    out = out.sort_values(TENSION_KEY_COLUMNS, kind="mergesort").reset_index(drop=True)
    method = TensionMethod(
        components_used=used,
        components_missing=missing,
        weights=weights,
        substitutions=substitutions,
        reference_rows=len(reference),
        description=_describe(used, missing, weights, substitutions, len(reference)),
    )
    return out, method


def _describe(
    used: Sequence[str],
    missing: Sequence[str],
    weights: dict[str, float],
    substitutions: Sequence[str],
    reference_rows: int,
) -> str:
    if not used:
        return (
            "Indice recalculé à partir des offres et demandeurs non calculable : aucune des trois "
            "composantes de la méthode Dares – France Travail n'est disponible ("
            + " ; ".join(COMPONENT_LABELS[c] for c in DARES_WEIGHTS)
            + ")."
        )
    parts = [
        f"{COMPONENT_LABELS[c]} (poids {format_percent(weights[c], decimals=0)})" for c in used
    ]
    text = (
        f"Indice recalculé à partir des offres et demandeurs (méthode Dares – France Travail), "
        f"calculé avec "
        f"{len(used)} composante(s) sur 3 : {' ; '.join(parts)}, chacune centrée-réduite sur "
        f"{format_number(reference_rows)} ligne(s) de référence."
    )
    if missing:
        text += (
            " Composante(s) manquante(s) : "
            + " ; ".join(COMPONENT_LABELS[c] for c in missing)
            + " ; les poids des composantes présentes sont remis à l'échelle (somme 1)."
        )
    if substitutions:
        text += " Substitution(s) : " + " ; ".join(substitutions) + "."
    return text


def basin_tension_frame(tension: pd.DataFrame, *, crosswalk: Crosswalk) -> pd.DataFrame:
    """Move the tension components of the bassins BMO to the basin, per year and ROME.

    Counts (offers, job seekers) are apportioned like every count (`zone_share` weights) and
    the ratio is recomputed from the sums; rates and shares (exit rate, BMO share) and the 1-5
    factors are averaged with the basin's population in each bassin as weights.
    Input: the tension frame (year, bassin_bmo_code, rome_code, components…) and a crosswalk on
    the bassin BMO zoning. Output: the same columns with bassin_bmo_code set to « bassin »,
    one row per year and ROME, sorted. (`basin_tension_frames` with one basin.)
    """
    return basin_tension_frames(tension, crosswalks={0: crosswalk})[0]


_BASIN = "_basin"
K = TypeVar("K", bound=Hashable)


def basin_tension_frames(
    tension: pd.DataFrame, *, crosswalks: Mapping[K, Crosswalk]
) -> dict[K, pd.DataFrame]:
    """`basin_tension_frame` of many basins in one pass: {basin: frame} (an empty frame, with
    the columns, for a basin none of whose bassins is in `tension`).

    One join of the tension rows with every basin's bassins, one grouped sum by basin, year
    and ROME: each basin's sums are over its own rows, in the tension frame's order, as alone
    (the join keeps the order of the tension rows)."""
    require_columns(tension, TENSION_KEY_COLUMNS, what="les indicateurs de tension")
    for crosswalk in crosswalks.values():
        if crosswalk.zoning != "bassin_bmo":
            raise ValueError("Les indicateurs de tension se transposent depuis les bassins BMO.")
    ids = list(crosswalks)
    zones = pd.concat(
        [
            crosswalks[b].zones[[ZONE_CODE, ZONE_SHARE, OVERLAP_POPULATION]].assign(**{_BASIN: i})
            for i, b in enumerate(ids)
        ],
        ignore_index=True,
    )
    joined = tension.assign(**{ZONE_CODE: tension[TENSION_KEY_COLUMNS[1]].astype(str)}).merge(
        zones, on=ZONE_CODE, how="inner", sort=False
    )
    keys = [_BASIN, YEAR, ROME_CODE]
    counts = [c for c in (OFFERS, JOB_SEEKERS_A, JOB_SEEKERS_ABC) if c in joined.columns]
    averaged = [
        c
        for c in (EXIT_RATE, BMO_DIFFICULTY_SHARE, *TENSION_FACTOR_COLUMNS, PUBLISHED_TENSION)
        if c in joined.columns
    ]
    work = joined[keys].copy()
    share = joined[ZONE_SHARE].astype("Float64")
    population = joined[OVERLAP_POPULATION].astype("Float64")
    for column in counts:
        work[column] = _numeric(joined, column) * share
        work[f"_n_{column}"] = joined[column].notna().astype("int64")
    for column in averaged:
        value = _numeric(joined, column)
        work[f"_wv_{column}"] = (value * population).fillna(0.0)
        work[f"_w_{column}"] = population.where(value.notna(), 0.0)
    grouped = work.groupby(keys, sort=True).sum().reset_index()
    out = grouped[keys].copy()
    out.insert(2, TENSION_KEY_COLUMNS[1], "bassin")
    for column in counts:
        out[column] = grouped[column].astype("Float64").where(grouped[f"_n_{column}"] > 0)
    for column in averaged:
        weight = grouped[f"_w_{column}"].astype("Float64")
        out[column] = (grouped[f"_wv_{column}"] / weight.where(weight > 0)).astype("Float64")
    positions = out.groupby(_BASIN, sort=False).indices if len(out) else {}
    empty = out.iloc[0:0].drop(columns=_BASIN).reset_index(drop=True)
    return {
        b: (
            out.take(np.asarray(positions[i])).drop(columns=_BASIN).reset_index(drop=True)
            if i in positions
            else empty.copy()
        )
        for i, b in enumerate(ids)
    }
