"""Skills gap of a basin: which training paths answer its needs, and why.

For each active path of the catalogue, the demand in the occupations it leads to is read from
the tables of the basin's diagnostic run, the local supply is subtracted, and a score ranks the
paths. Everything is shown: each normalised component beside the total, the local coverage, a
French sentence per line, and the flag « la formation n'est pas le levier ».

Demand (the run's tables, columns of `diagnostics.analytics.columns`):
- BMO projects of the path's métiers in the last survey year (Σ published `met`), those judged
  difficult and the difficulty rate Σxmet / Σmet (ratio of sums, over the cells where both are
  published), the seasonal rate Σsmet / Σmet likewise, the masked cells left out;
- their trend: relative change of the projects between the first survey year where the path's
  métiers have projects and the last one. The 2023 survey used FAP 2009-based métier codes
  (third character `Z`), later ones FAP 2021 codes: a path listing both codes has a trend over
  the break, and the line says so (`trend_break`);
- métiers « en tension » in the BMO (difficulty rate ≥ the diagnostic's threshold);
- job seekers (categories A, B, C) registered on the path's ROME codes and the published DARES
  tension (1-5), last year of the tension data, where the data have these codes.

Score, for the paths with at least one known demand component:
    components (each 0-1): c_projects = projects / max over paths;
    c_difficulty = difficulty rate; c_trend = (clip(trend, ±cap) + cap) / (2·cap);
    c_job_seekers = job seekers / max over paths; c_tension = (tension − 1) / 4
    demand_score = Σ w·c / Σ w over the components known on the line (weights rescaled)
    coverage = min(1, local places / projects) (0 without places; 1 with places but no
               projects measured)
    score = 100 × demand_score × (1 − coverage)
Ranking: by score, descending, the paths flagged « la formation n'est pas le levier » after the
others (they keep their score). The BMO projects anchor the demand: a path without occupation,
without BMO code, whose métiers have no project in the survey or whose projects are not
published in the basin (secret, or an estimate under the diffusion threshold) is kept in the
output with the reason, without a rank (a lone tension quintile would otherwise top the list).
Estimated job seekers under `secrecy_threshold` (5) are neither shown nor used.

Flag « la formation n'est pas le levier »: the tension of the path's occupations comes from
working conditions or non-durable jobs rather than from a lack of available labour (mean DARES
factor over its ROME codes ≥ `factor_threshold`, 4 on the 1-5 scale, and above the « manque de
main-d'œuvre disponible » factor), or from seasonality
(Σsmet / Σmet ≥ `seasonal_threshold` with at least `seasonal_min_projects` projects). Why 0.7:
over the published cells, the national BMO seasonal rate was 40 % in 2023, 45 % in 2024 and
46 % in 2025, and half the métiers sit above 36-43 %; 0.7 is about the 85th-90th percentile of
the métier rates, i.e. recruitment that is mostly seasonal, not a lack of trained people.

Local supply: an offer covers a path when it is a session of that path or trains for at least
one of its occupations (same BMO or ROME code); its places count for every path it covers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.analytics.common import format_number, format_percent, require_columns

from .columns import (
    BMO_CODES,
    BMO_METIER_COLUMNS,
    C_DIFFICULTY,
    C_JOB_SEEKERS,
    C_PROJECTS,
    C_TENSION,
    C_TREND,
    COMPONENT_LABELS_FR,
    COMPONENTS,
    CONCEPTS,
    COVERAGE,
    DEMAND_SCORE,
    DIFFICULT,
    DIFFICULTY_BASE,
    DIFFICULTY_RATE,
    DURABLE,
    EXCLUDED_REASON,
    EXPLANATION,
    FIRST_YEAR,
    FLAG_REASONS,
    FLAGGED,
    GAP_COLUMNS,
    IN_TENSION,
    JOB_SEEKERS,
    JOB_SEEKERS_ABC,
    JOB_SEEKERS_SUPPRESSED,
    LACK_OF_LABOUR,
    LAST_YEAR,
    MASKED_CELLS,
    METIER_CODE,
    METIER_TENSION_COLUMNS,
    METIERS_DURABLE,
    METIERS_IN_TENSION,
    METIERS_MATCHED,
    NON_DURABLE_EMPLOYMENT,
    OFFERS_COUNT,
    PATH_CODE,
    PATH_COLUMNS,
    PATH_ID,
    PLACES,
    PROJECTS,
    PROJECTS_FIRST,
    PUBLICS,
    PUBLISHED_TENSION,
    RANK,
    ROME_CODE,
    ROME_CODES,
    ROME_MATCHED,
    ROME_TENSION_COLUMNS,
    SCORE,
    SEASONAL,
    SEASONAL_BASE,
    SEASONAL_RATE,
    SUPPLY_COLUMNS,
    TENSION,
    TENSION_YEAR,
    TREND,
    TREND_BREAK,
    WORKING_CONDITIONS,
    YEAR,
)

DEFAULT_WEIGHTS: dict[str, float] = {
    C_PROJECTS: 0.35,
    C_DIFFICULTY: 0.25,
    C_TREND: 0.10,
    C_JOB_SEEKERS: 0.15,
    C_TENSION: 0.15,
}
NO_OCCUPATION = (
    "Aucun métier associé (ni code BMO ni code ROME) : le parcours ne peut pas être rapproché "
    "des besoins du bassin."
)
NO_BMO_CODE = (
    "Aucun métier BMO associé (seulement des codes ROME) : le besoin en recrutement ne peut pas "
    "être mesuré."
)
NO_BMO_DATA = "Le diagnostic ne contient pas de projets de recrutement BMO : besoin non mesurable."
NO_PROJECTS = (
    "Aucun projet de recrutement recensé par l'enquête BMO {year} pour ses métiers dans ce "
    "bassin : pas de besoin mesuré."
)
NOT_PUBLISHED = (
    "Projets de recrutement de ses métiers non publiés pour ce bassin en {year} (secret "
    "statistique ou estimation sous le seuil de diffusion) : besoin non mesurable."
)
NOT_THE_LEVER = "La formation n'est pas le levier"
STABLE_TREND = 0.02  # |trend| below 2 %: « stables »
BMO_CODES_PRESENT = "_bmo_codes_present"  # internal: the path lists BMO codes


@dataclass(frozen=True)
class GapParams:
    """Weights of the demand components and the thresholds of the « not the lever » flag."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    trend_cap: float = 0.5
    factor_threshold: float = 4.0
    seasonal_threshold: float = 0.7
    seasonal_min_projects: int = 20
    secrecy_threshold: int = 5

    def __post_init__(self) -> None:
        unknown = sorted(set(self.weights) - set(COMPONENTS))
        if unknown:
            raise ValueError(
                f"Composante(s) de pondération inconnue(s) : {', '.join(unknown)} "
                f"(possibles : {', '.join(COMPONENTS)})."
            )
        negative = sorted(
            k for k, v in self.weights.items() if not (math.isfinite(float(v)) and v >= 0)
        )
        if negative:
            raise ValueError(f"Poids négatif(s) ou invalide(s) : {', '.join(negative)}.")
        if sum(self.weights.values()) <= 0:
            raise ValueError("La somme des poids doit être strictement positive.")
        if not self.trend_cap > 0:
            raise ValueError("Le plafond de l'évolution doit être strictement positif.")

    def as_dict(self) -> dict[str, Any]:
        return {
            "weights": {k: float(self.weights.get(k, 0.0)) for k in COMPONENTS},
            "trend_cap": self.trend_cap,
            "factor_threshold": self.factor_threshold,
            "seasonal_threshold": self.seasonal_threshold,
            "seasonal_min_projects": self.seasonal_min_projects,
            "secrecy_threshold": self.secrecy_threshold,
        }


@dataclass
class GapResult:
    """The lines (GAP_COLUMNS, ranked lines first), the method in French, and warnings."""

    lines: pd.DataFrame
    method: str
    params: GapParams
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Helpers


def _codes(value: Any) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, str):
        return tuple(v for v in value.replace(",", "|").split("|") if v)
    return tuple(str(v) for v in value)


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="Float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("Float64")


def _pairs(paths: pd.DataFrame, codes_column: str, code_name: str) -> pd.DataFrame:
    rows = [
        (path_id, code)
        for path_id, codes in zip(paths[PATH_ID], paths[codes_column], strict=True)
        for code in _codes(codes)
    ]
    return pd.DataFrame(rows, columns=[PATH_ID, code_name])


def _legacy(code: str) -> bool:
    """A 2023 BMO code (FAP 2009-based): `Z` in third position."""
    return len(code) >= 3 and code[2] == "Z"


def _is_known(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


# --------------------------------------------------------------------------------------------
# Demand


def _bmo_demand(paths: pd.DataFrame, bmo: pd.DataFrame | None) -> pd.DataFrame:
    """Per path: last year, projects, difficult, rates, masked cells, trend."""
    out = pd.DataFrame({PATH_ID: paths[PATH_ID]}).set_index(PATH_ID)
    for column in (
        LAST_YEAR, PROJECTS, DIFFICULT, DIFFICULTY_RATE, SEASONAL_RATE, SEASONAL_BASE,
        MASKED_CELLS, FIRST_YEAR, PROJECTS_FIRST, TREND,
    ):  # fmt: skip
        out[column] = np.nan
    out[TREND_BREAK] = False
    out[METIERS_MATCHED] = 0
    if bmo is None or bmo.empty:
        return out
    require_columns(bmo, BMO_METIER_COLUMNS, what="les projets de recrutement par métier")
    frame = pd.DataFrame(
        {
            YEAR: pd.to_numeric(bmo[YEAR]).astype("int64"),
            METIER_CODE: bmo[METIER_CODE].astype(str),
        }
    )
    for column in (PROJECTS, DIFFICULT, DIFFICULTY_BASE, SEASONAL, SEASONAL_BASE, MASKED_CELLS):
        frame[column] = _numeric(bmo, column).to_numpy(dtype="float64", na_value=np.nan)
    last_year = int(frame[YEAR].max())
    joined = _pairs(paths, BMO_CODES, METIER_CODE).merge(frame, on=METIER_CODE, how="inner")
    if joined.empty:
        return out
    joined["_legacy"] = joined[METIER_CODE].map(_legacy)
    sums = [PROJECTS, DIFFICULT, DIFFICULTY_BASE, SEASONAL, SEASONAL_BASE, MASKED_CELLS]
    last = joined[joined[YEAR] == last_year]
    grouped = last.groupby(PATH_ID, sort=True)
    totals = grouped[sums].sum(min_count=1)  # NA when no cell of the path is published
    index = totals.index
    out.loc[index, LAST_YEAR] = last_year
    out.loc[index, METIERS_MATCHED] = grouped[METIER_CODE].nunique()
    out.loc[index, PROJECTS] = totals[PROJECTS]
    out.loc[index, DIFFICULT] = totals[DIFFICULT]
    base = totals[DIFFICULTY_BASE].where(totals[DIFFICULTY_BASE] > 0)
    out.loc[index, DIFFICULTY_RATE] = totals[DIFFICULT] / base
    seasonal_base = totals[SEASONAL_BASE].where(totals[SEASONAL_BASE] > 0)
    out.loc[index, SEASONAL_RATE] = totals[SEASONAL] / seasonal_base
    out.loc[index, SEASONAL_BASE] = totals[SEASONAL_BASE]
    out.loc[index, MASKED_CELLS] = totals[MASKED_CELLS]

    # Trend: from the first earlier year where the path's métiers have projects.
    published = joined[joined[PROJECTS].notna()]
    per_year = published.groupby([PATH_ID, YEAR], sort=True).agg(
        projects=(PROJECTS, "sum"), any_legacy=("_legacy", "max"), all_legacy=("_legacy", "min")
    )
    earlier = per_year[
        (per_year.index.get_level_values(YEAR) < last_year) & (per_year["projects"] > 0)
    ].reset_index()
    first = earlier.drop_duplicates(PATH_ID, keep="first").set_index(PATH_ID)
    first = first[first.index.isin(out.index[out[PROJECTS].notna()])]
    if len(first):
        out.loc[first.index, FIRST_YEAR] = first[YEAR]
        out.loc[first.index, PROJECTS_FIRST] = first["projects"]
        out.loc[first.index, TREND] = (out.loc[first.index, PROJECTS] - first["projects"]) / first[
            "projects"
        ]
        # The BMO nomenclature(s) of the published cells, in the first and the last year.
        nomenclature = ["any_legacy", "all_legacy"]
        at_last = per_year.xs(last_year, level=YEAR)[nomenclature]
        both = first[nomenclature].merge(
            at_last, left_index=True, right_index=True, suffixes=("", "_last")
        )
        changed = (both["any_legacy"] != both["any_legacy_last"]) | (
            both["all_legacy"] != both["all_legacy_last"]
        )
        out.loc[changed.index, TREND_BREAK] = changed.astype(bool)
    return out


def _metier_tension(paths: pd.DataFrame, tension: pd.DataFrame | None) -> pd.DataFrame:
    out = pd.DataFrame({PATH_ID: paths[PATH_ID]}).set_index(PATH_ID)
    out[METIERS_IN_TENSION] = 0
    out[METIERS_DURABLE] = 0
    if tension is None or tension.empty:
        return out
    require_columns(tension, METIER_TENSION_COLUMNS, what="les métiers en tension")
    frame = pd.DataFrame(
        {
            METIER_CODE: tension[METIER_CODE].astype(str),
            IN_TENSION: tension[IN_TENSION].astype("boolean").fillna(False).astype(bool),
            DURABLE: tension[DURABLE].astype("boolean").fillna(False).astype(bool),
        }
    )
    joined = _pairs(paths, BMO_CODES, METIER_CODE).merge(frame, on=METIER_CODE, how="inner")
    if joined.empty:
        return out
    counts = joined.groupby(PATH_ID)[[IN_TENSION, DURABLE]].sum()
    out.loc[counts.index, METIERS_IN_TENSION] = counts[IN_TENSION].astype(int)
    out.loc[counts.index, METIERS_DURABLE] = counts[DURABLE].astype(int)
    return out


def _rome_demand(paths: pd.DataFrame, tension: pd.DataFrame | None) -> pd.DataFrame:
    """Per path: job seekers on its ROME codes, mean published tension and mean factors."""
    out = pd.DataFrame({PATH_ID: paths[PATH_ID]}).set_index(PATH_ID)
    factors = (WORKING_CONDITIONS, NON_DURABLE_EMPLOYMENT, LACK_OF_LABOUR)
    for column in (TENSION_YEAR, JOB_SEEKERS, TENSION, *factors):
        out[column] = np.nan
    out[ROME_MATCHED] = 0
    if tension is None or tension.empty:
        return out
    require_columns(tension, ROME_TENSION_COLUMNS, what="les indicateurs de tension par ROME")
    years = pd.to_numeric(tension[YEAR])
    last_year = int(years.max())
    rows = tension[years == last_year]
    frame = pd.DataFrame({ROME_CODE: rows[ROME_CODE].astype(str)})
    for column in (JOB_SEEKERS_ABC, PUBLISHED_TENSION, *factors):
        frame[column] = _numeric(rows, column).to_numpy(dtype="float64", na_value=np.nan)
    joined = _pairs(paths, ROME_CODES, ROME_CODE).merge(frame, on=ROME_CODE, how="inner")
    if joined.empty:
        return out
    grouped = joined.groupby(PATH_ID, sort=True)
    index = grouped.size().index
    out.loc[index, TENSION_YEAR] = last_year
    out.loc[index, ROME_MATCHED] = grouped[ROME_CODE].nunique()
    out.loc[index, JOB_SEEKERS] = grouped[JOB_SEEKERS_ABC].sum(min_count=1)
    out.loc[index, TENSION] = grouped[PUBLISHED_TENSION].mean()
    for column in factors:
        out.loc[index, column] = grouped[column].mean()
    return out


def _supply(paths: pd.DataFrame, supply: pd.DataFrame | None) -> pd.DataFrame:
    out = pd.DataFrame({PATH_ID: paths[PATH_ID]}).set_index(PATH_ID)
    out[PLACES] = 0.0
    out[OFFERS_COUNT] = 0
    if supply is None or supply.empty:
        return out
    require_columns(supply, SUPPLY_COLUMNS, what="l'offre locale de formation")
    offers = [
        (
            None if pd.isna(path_id) else path_id,
            {f"b:{c}" for c in _codes(bmo)} | {f"r:{c}" for c in _codes(rome)},
            float(places) if not pd.isna(places) else 0.0,
        )
        for path_id, bmo, rome, places in zip(
            supply[PATH_ID], supply[BMO_CODES], supply[ROME_CODES], supply[PLACES], strict=True
        )
    ]
    for path_id, bmo, rome in zip(paths[PATH_ID], paths[BMO_CODES], paths[ROME_CODES], strict=True):
        codes = {f"b:{c}" for c in _codes(bmo)} | {f"r:{c}" for c in _codes(rome)}
        covering = [
            places
            for offer_path, offer_codes, places in offers
            if offer_path == path_id or (codes & offer_codes)
        ]
        out.loc[path_id, PLACES] = float(sum(covering))
        out.loc[path_id, OFFERS_COUNT] = len(covering)
    return out


# --------------------------------------------------------------------------------------------
# Explanation


def _count(value: float, *, estimated: bool) -> str:
    return ("environ " if estimated else "") + format_number(value)


def _plural(n: float, singular: str, plural: str) -> str:
    return singular if n < 2 else plural


def _float(value: Any) -> float | None:
    return float(value) if _is_known(value) else None


def explain(line: Mapping[str, Any], *, estimated: bool = False, secrecy_threshold: int = 5) -> str:
    """The French sentence of a gap line, built from its components."""
    if _is_known(line.get(EXCLUDED_REASON)) and line.get(EXCLUDED_REASON):
        return str(line[EXCLUDED_REASON])
    parts: list[str] = []
    projects = _float(line.get(PROJECTS))
    if projects is not None:
        matched = int(line.get(METIERS_MATCHED) or 0)
        where = f"dans ses {matched} métiers BMO" if matched > 1 else "dans son métier BMO"
        text = (
            f"{_count(projects, estimated=estimated)} "
            f"{_plural(projects, 'projet', 'projets')} de recrutement en "
            f"{int(line[LAST_YEAR])} {where}"
        )
        trend = _float(line.get(TREND))
        if trend is not None:
            first_year = int(line[FIRST_YEAR])
            if abs(trend) < STABLE_TREND:
                text += f", stables depuis {first_year}"
            else:
                direction = "en hausse" if trend > 0 else "en baisse"
                text += (
                    f", {direction} de {format_percent(abs(trend), decimals=0)} depuis {first_year}"
                )
            if line.get(TREND_BREAK):
                text += " (nomenclature des métiers BMO changée entre les deux enquêtes)"
        rate = _float(line.get(DIFFICULTY_RATE))
        if rate is not None:
            text += f", dont {format_percent(rate, decimals=0)} jugés difficiles"
        parts.append(text)
    elif line.get(BMO_CODES_PRESENT):
        parts.append("aucun projet de recrutement BMO publié pour ses métiers")
    in_tension = int(line.get(METIERS_IN_TENSION) or 0)
    if in_tension:
        durable = int(line.get(METIERS_DURABLE) or 0)
        text = f"{in_tension} {_plural(in_tension, 'métier en tension', 'métiers en tension')}"
        if durable:
            text += f" ({durable} durablement)"
        parts.append(text)
    seekers = _float(line.get(JOB_SEEKERS))
    if seekers is not None:
        count = round(seekers)
        parts.append(
            f"{_count(count, estimated=estimated)} "
            f"{_plural(count, 'demandeur', 'demandeurs')} d'emploi inscrits sur ses codes ROME "
            f"en {int(line[TENSION_YEAR])}"
        )
    elif line.get(JOB_SEEKERS_SUPPRESSED):
        parts.append(
            f"moins de {secrecy_threshold} demandeurs d'emploi inscrits sur ses codes ROME "
            f"en {int(line[TENSION_YEAR])}"
        )
    tension = _float(line.get(TENSION))
    if tension is not None:
        parts.append(f"tension Dares {format_number(tension, decimals=1)}/5")
    places = float(line.get(PLACES) or 0)
    if places > 0:
        offers = int(line.get(OFFERS_COUNT) or 0)
        text = (
            f"{format_number(places)} {_plural(places, 'place', 'places')} de formation déjà "
            f"{_plural(places, 'offerte', 'offertes')} localement ({offers} "
            f"{_plural(offers, 'offre', 'offres')})"
        )
        if projects:
            text += f", soit {format_percent(min(places / projects, 1.0), decimals=0)} des projets"
        parts.append(text)
    else:
        parts.append("aucune offre locale recensée")
    sentence = " ; ".join(parts)
    sentence = sentence[:1].upper() + sentence[1:] + "."
    if line.get(FLAGGED):
        sentence += f" {NOT_THE_LEVER} : {', '.join(line.get(FLAG_REASONS) or [])}."
    masked = _float(line.get(MASKED_CELLS))
    if masked:
        n = int(masked)
        sentence += (
            f" {n} {_plural(n, 'cellule BMO secrète', 'cellules BMO secrètes')} "
            f"{_plural(n, 'non comptée', 'non comptées')}."
        )
    return sentence


# --------------------------------------------------------------------------------------------
# The gap


def training_gap(
    paths: pd.DataFrame,
    *,
    bmo: pd.DataFrame | None = None,
    metier_tension: pd.DataFrame | None = None,
    rome_tension: pd.DataFrame | None = None,
    supply: pd.DataFrame | None = None,
    params: GapParams | None = None,
    estimated: bool = False,
) -> GapResult:
    """Rank the paths of the catalogue against the needs of a basin.

    Inputs:
    - `paths`: PATH_COLUMNS, one row per active path (code lists as tuples or `|`-joined text);
    - `bmo`: the run's projects per year and métier (BMO_METIER_COLUMNS: year, metier_code,
      projects, difficult, difficulty_base, seasonal, seasonal_base, masked_cells);
    - `metier_tension`: the run's métiers in tension (metier_code, in_tension, durable);
    - `rome_tension`: the run's DARES table per ROME (year, rome_code, and any of
      job_seekers_abc, published_tension, working_conditions, non_durable_employment);
    - `supply`: local offers (path_id or NA, bmo_codes, rome_codes, places);
    - `estimated`: the basin's figures are apportioned from other zonings (« environ »).
    Any input but `paths` may be None or empty.

    Output: GapResult with `lines` (GAP_COLUMNS; see the module docstring for the score),
    ranked lines first by rank, then the lines left out (rank NA) by path code.
    Raises ValueError for missing columns, duplicate path ids or invalid weights.
    """
    params = params or GapParams()
    require_columns(paths, PATH_COLUMNS, what="les parcours")
    if paths[PATH_ID].duplicated().any():
        raise ValueError("Identifiants de parcours en double dans les parcours.")
    paths = paths.reset_index(drop=True)
    warnings: list[str] = []
    if bmo is None or bmo.empty:
        warnings.append(
            "Le diagnostic ne contient pas de projets de recrutement BMO par métier : aucun "
            "parcours ne peut être classé (les projets BMO sont la base du besoin mesuré)."
        )
    if rome_tension is None or rome_tension.empty:
        warnings.append(
            "Le diagnostic ne contient pas d'indicateurs de tension par code ROME : ni demandeurs "
            "d'emploi par métier, ni facteurs de conditions de travail ou de durabilité de "
            "l'emploi."
        )

    lines = paths[PATH_COLUMNS].copy().set_index(PATH_ID, drop=False)
    lines = lines.join(_bmo_demand(paths, bmo))
    lines = lines.join(_metier_tension(paths, metier_tension))
    lines = lines.join(_rome_demand(paths, rome_tension))
    lines = lines.join(_supply(paths, supply))
    # Job seekers are estimated people counts: none under the secrecy threshold is shown or used.
    seekers_known = lines[JOB_SEEKERS].notna()
    below = seekers_known & (lines[JOB_SEEKERS].astype(float) < params.secrecy_threshold)
    lines[JOB_SEEKERS_SUPPRESSED] = below.astype(bool)
    lines.loc[below, JOB_SEEKERS] = np.nan

    # Left out of the ranking, with the reason: the BMO recruitment projects anchor the demand,
    # a line without them is not ranked (a tension indicator alone would otherwise top it).
    bmo_years = pd.to_numeric(bmo[YEAR]) if bmo is not None and not bmo.empty else None
    last_year = int(bmo_years.max()) if bmo_years is not None else None
    reasons: list[str | None] = []
    for bmo_codes, rome_codes, matched, value in zip(
        lines[BMO_CODES], lines[ROME_CODES], lines[METIERS_MATCHED], lines[PROJECTS], strict=True
    ):
        if not (_codes(bmo_codes) or _codes(rome_codes)):
            reasons.append(NO_OCCUPATION)
        elif not _codes(bmo_codes):
            reasons.append(NO_BMO_CODE)
        elif last_year is None:
            reasons.append(NO_BMO_DATA)
        elif not matched:
            reasons.append(NO_PROJECTS.format(year=last_year))
        elif not _is_known(value):
            reasons.append(NOT_PUBLISHED.format(year=last_year))
        else:
            reasons.append(None)
    lines[EXCLUDED_REASON] = pd.Series(reasons, index=lines.index, dtype=object)
    included = lines[EXCLUDED_REASON].isna()

    # Normalised components, over the ranked lines.
    projects = lines[PROJECTS].astype(float).where(included)
    max_projects = projects.max(skipna=True)
    lines[C_PROJECTS] = (
        projects / max_projects if max_projects and max_projects > 0 else projects * 0.0
    )
    lines[C_DIFFICULTY] = lines[DIFFICULTY_RATE].astype(float).clip(0.0, 1.0).where(included)
    cap = params.trend_cap
    trend = lines[TREND].astype(float).where(included)
    lines[C_TREND] = (trend.clip(-cap, cap) + cap) / (2 * cap)
    seekers = lines[JOB_SEEKERS].astype(float).where(included)
    max_seekers = seekers.max(skipna=True)
    lines[C_JOB_SEEKERS] = (
        seekers / max_seekers if max_seekers and max_seekers > 0 else seekers * 0.0
    )
    tension = lines[TENSION].astype(float).where(included)
    lines[C_TENSION] = ((tension - 1.0) / 4.0).clip(0.0, 1.0)

    weights = {c: float(params.weights.get(c, 0.0)) for c in COMPONENTS}
    numerator = pd.Series(0.0, index=lines.index)
    denominator = pd.Series(0.0, index=lines.index)
    for component, weight in weights.items():
        if weight <= 0:
            continue
        values = lines[component].astype(float)
        known = values.notna()
        numerator += values.fillna(0.0) * weight
        denominator += known.astype(float) * weight
    # A ranked line whose weighted components are all unknown (weights on ROME data only)
    # scores 0 rather than vanishing.
    lines[DEMAND_SCORE] = (
        (numerator / denominator.where(denominator > 0)).fillna(0.0).where(included)
    ).astype(float)

    places = lines[PLACES].astype(float)
    coverage = np.where(
        places <= 0,
        0.0,
        np.where(projects > 0, np.minimum(places / projects.where(projects > 0), 1.0), 1.0),
    )
    lines[COVERAGE] = pd.Series(coverage, index=lines.index).astype(float).where(included)
    lines[SCORE] = (100.0 * lines[DEMAND_SCORE] * (1.0 - lines[COVERAGE])).astype(float)

    # « La formation n'est pas le levier ».
    flag_reasons: list[list[str]] = []
    for _, row in lines.iterrows():
        found: list[str] = []
        if not _is_known(row[EXCLUDED_REASON]):
            wc, nd = row[WORKING_CONDITIONS], row[NON_DURABLE_EMPLOYMENT]
            # Rather than a lack of available labour: the factor must also exceed that one.
            labour = row[LACK_OF_LABOUR] if _is_known(row[LACK_OF_LABOUR]) else 0.0
            suffix = (
                f", au-dessus du manque de main-d'œuvre {format_number(labour, decimals=1)}/5"
                if labour
                else ""
            )
            if _is_known(wc) and wc >= params.factor_threshold and wc > labour:
                found.append(
                    "conditions de travail contraignantes (facteur Dares "
                    f"{format_number(wc, decimals=1)}/5{suffix})"
                )
            if _is_known(nd) and nd >= params.factor_threshold and nd > labour:
                found.append(
                    "emplois peu durables (facteur Dares "
                    f"{format_number(nd, decimals=1)}/5{suffix})"
                )
            rate, base = row[SEASONAL_RATE], row[SEASONAL_BASE]
            if (
                _is_known(rate)
                and _is_known(base)
                and rate >= params.seasonal_threshold
                and base >= params.seasonal_min_projects
            ):
                found.append(
                    f"forte saisonnalité ({format_percent(rate, decimals=0)} des projets "
                    "saisonniers)"
                )
        flag_reasons.append(found)
    lines[FLAG_REASONS] = pd.Series(flag_reasons, index=lines.index, dtype=object)
    lines[FLAGGED] = [bool(r) for r in flag_reasons]

    lines = _ranked(lines)
    lines[BMO_CODES_PRESENT] = [bool(_codes(b)) for b in lines[BMO_CODES]]
    lines[EXPLANATION] = [
        explain(
            {str(k): v for k, v in row.items()},
            estimated=estimated,
            secrecy_threshold=params.secrecy_threshold,
        )
        for row in lines.to_dict("records")
    ]
    lines = lines.drop(columns=[BMO_CODES_PRESENT])

    for column in (
        METIERS_MATCHED,
        METIERS_IN_TENSION,
        METIERS_DURABLE,
        ROME_MATCHED,
        OFFERS_COUNT,
    ):
        lines[column] = lines[column].astype("int64")
    for column in (LAST_YEAR, FIRST_YEAR, TENSION_YEAR):
        lines[column] = lines[column].astype("Int64")
    lines[TREND_BREAK] = lines[TREND_BREAK].astype(bool)
    lines[JOB_SEEKERS_SUPPRESSED] = lines[JOB_SEEKERS_SUPPRESSED].astype(bool)
    out = lines[GAP_COLUMNS].reset_index(drop=True)
    return GapResult(
        lines=out,
        method=gap_method(params, estimated=estimated),
        params=params,
        warnings=warnings,
    )


def _ranked(lines: pd.DataFrame) -> pd.DataFrame:
    """Rank 1..n over the included lines (not flagged first, by score, then path code); the
    lines left out follow, by path code."""
    included = lines[EXCLUDED_REASON].isna()
    ranked = lines[included].sort_values(
        [FLAGGED, SCORE, PATH_CODE], ascending=[True, False, True], kind="mergesort"
    )
    ranked = ranked.assign(**{RANK: pd.array(range(1, len(ranked) + 1), dtype="Int64")})
    left_out = lines[~included].sort_values(PATH_CODE, kind="mergesort")
    left_out = left_out.assign(**{RANK: pd.array([pd.NA] * len(left_out), dtype="Int64")})
    return pd.concat([ranked, left_out])


def gap_filter(
    lines: pd.DataFrame, *, concept: str | None = None, public: str | None = None
) -> pd.DataFrame:
    """The lines of the paths deliverable by `concept` and aimed at `public` (None: any), ranked
    again 1..n in the same order. Scores are unchanged: they were normalised over the whole
    catalogue, so a filtered list compares with the full one."""
    require_columns(lines, [RANK, CONCEPTS, PUBLICS], what="les lignes de l'écart")
    keep = pd.Series(True, index=lines.index)
    if concept:
        keep &= lines[CONCEPTS].map(lambda codes: concept in _codes(codes))
    if public:
        keep &= lines[PUBLICS].map(lambda codes: public in _codes(codes))
    out = lines[keep].copy()
    ranked = out[RANK].notna()
    out[RANK] = pd.array([pd.NA] * len(out), dtype="Int64")
    out.loc[ranked, RANK] = range(1, int(ranked.sum()) + 1)
    return out.reset_index(drop=True)


def gap_method(params: GapParams, *, estimated: bool = False) -> str:
    """The method in French, with the weights and thresholds actually used."""
    weights = params.weights
    parts = [
        f"{COMPONENT_LABELS_FR[c][:1].lower()}{COMPONENT_LABELS_FR[c][1:]} "
        f"{format_percent(float(weights.get(c, 0.0)), decimals=0)}"
        for c in COMPONENTS
        if float(weights.get(c, 0.0)) > 0
    ]
    text = (
        "Score d'écart = 100 × score de demande × (1 − couverture locale). Score de demande : "
        "moyenne pondérée des composantes normalisées entre 0 et 1 ("
        + " ; ".join(parts)
        + ") — projets BMO de la dernière année rapportés au maximum du catalogue, taux de "
        "difficulté Σ projets difficiles / Σ projets, évolution des projets depuis la première "
        f"année disponible bornée à ± {format_percent(params.trend_cap, decimals=0)}, demandeurs "
        "d'emploi inscrits sur les codes ROME rapportés au maximum du catalogue, tension Dares "
        "(1 à 5) ramenée à 0-1 ; une composante inconnue est retirée et les poids restants "
        "remis à l'échelle. Couverture locale = places de formation déjà offertes / projets de "
        "recrutement, plafonnée à 1 ; une offre compte pour chaque parcours dont elle forme à "
        "au moins un métier. « La formation n'est pas le levier » : facteur Dares « conditions "
        "de travail » ou « non-durabilité de l'emploi » d'au moins "
        f"{format_number(params.factor_threshold, decimals=0)}/5 en moyenne sur les codes ROME du "
        "parcours et supérieur au facteur « manque de main-d'œuvre disponible » (la tension vient "
        "alors des conditions d'emploi plutôt que d'un manque de personnes formées), ou au "
        f"moins {format_percent(params.seasonal_threshold, decimals=0)} de "
        f"projets saisonniers (sur {params.seasonal_min_projects} projets au moins) ; ces "
        "parcours sont classés après les autres. Demandeurs d'emploi estimés : aucun effectif "
        f"inférieur à {params.secrecy_threshold} n'est affiché ni utilisé. Seuls les parcours dont les projets de "
        "recrutement BMO sont connus dans le bassin sont classés ; les autres (sans métier "
        "associé, métiers sans projet recensé ou non publiés) sont listés sans rang, avec la "
        "raison."
    )
    if estimated:
        text += (
            " Les effectifs du bassin sont estimés à partir des bassins BMO qui le recouvrent "
            "(répartition au prorata de la population)."
        )
    return text


# --------------------------------------------------------------------------------------------
# JSON


def _json_value(value: Any, decimals: int | None = None) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return None
        return round(number, decimals) if decimals is not None else number
    return value


DECIMALS = {
    SCORE: 1,
    DEMAND_SCORE: 4,
    COVERAGE: 4,
    DIFFICULTY_RATE: 4,
    SEASONAL_RATE: 4,
    TREND: 4,
    TENSION: 2,
    WORKING_CONDITIONS: 2,
    NON_DURABLE_EMPLOYMENT: 2,
    JOB_SEEKERS: 0,
    PROJECTS: 1,
    DIFFICULT: 1,
    PROJECTS_FIRST: 1,
    PLACES: 0,
    MASKED_CELLS: 0,
    **dict.fromkeys(COMPONENTS, 4),
}
INTEGERS = {JOB_SEEKERS, PLACES, MASKED_CELLS}


def gap_records(
    lines: pd.DataFrame, *, columns: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The lines as JSON-safe dicts (tuples → lists, NA → None, floats rounded)."""
    records = []
    for row in lines.to_dict("records"):
        record: dict[str, Any] = {}
        for key in columns or lines.columns:
            value = _json_value(row.get(key), DECIMALS.get(key))
            if key in INTEGERS and isinstance(value, float):
                value = int(value)
            record[key] = value
        records.append(record)
    return records


def components_of(
    record: Mapping[str, Any], weights: Mapping[str, float]
) -> Iterable[dict[str, Any]]:
    """(label, value, weight) of each component of a line, for the pages."""
    for component in COMPONENTS:
        yield {
            "code": component,
            "label": COMPONENT_LABELS_FR[component],
            "value": record.get(component),
            "weight": float(weights.get(component, 0.0)),
        }
