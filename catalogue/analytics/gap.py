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

The parameters and reasons are in `gap_params`, the demand and supply reads in `gap_demand`,
the sentences and the method in `gap_explain`, the JSON records in `gap_records`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from diagnostics.analytics.columns import (
    LACK_OF_LABOUR,
    NON_DURABLE_EMPLOYMENT,
    PROJECTS,
    SEASONAL_BASE,
    WORKING_CONDITIONS,
    YEAR,
)
from diagnostics.analytics.common import format_number, format_percent, require_columns

from .columns import (
    BMO_CODES,
    C_DIFFICULTY,
    C_JOB_SEEKERS,
    C_PROJECTS,
    C_TENSION,
    C_TREND,
    COMPONENTS,
    CONCEPTS,
    COVERAGE,
    DEMAND_SCORE,
    DIFFICULTY_RATE,
    EXCLUDED_REASON,
    EXPLANATION,
    FIRST_YEAR,
    FLAG_REASONS,
    FLAGGED,
    GAP_COLUMNS,
    JOB_SEEKERS,
    JOB_SEEKERS_SUPPRESSED,
    LAST_YEAR,
    METIERS_DURABLE,
    METIERS_IN_TENSION,
    METIERS_MATCHED,
    OFFERS_COUNT,
    PATH_CODE,
    PATH_COLUMNS,
    PATH_DETAIL_DEFAULTS,
    PATH_ID,
    PLACES,
    PUBLICS,
    PURPOSES,
    RANK,
    RECONVERSION,
    RECONVERSION_BOOSTED,
    ROME_CODES,
    ROME_MATCHED,
    SCORE,
    SEASONAL_RATE,
    TENSION,
    TENSION_YEAR,
    TREND,
    TREND_BREAK,
)
from .gap_demand import (
    bmo_demand,
    code_tuple,
    is_known,
    paths_metier_tension,
    paths_supply,
    rome_demand,
)
from .gap_explain import explain, gap_method
from .gap_params import (
    BMO_CODES_PRESENT,
    NO_BMO_CODE,
    NO_BMO_DATA,
    NO_OCCUPATION,
    NO_PROJECTS,
    NOT_PUBLISHED,
    GapParams,
)


@dataclass
class GapResult:
    """The lines (GAP_COLUMNS, ranked lines first), the method in French, and warnings."""

    lines: pd.DataFrame
    method: str
    params: GapParams
    warnings: list[str] = field(default_factory=list)


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

    for column, default in PATH_DETAIL_DEFAULTS.items():
        if column not in paths.columns:
            paths[column] = pd.Series([default] * len(paths), index=paths.index, dtype=object)
    lines = paths[PATH_COLUMNS + list(PATH_DETAIL_DEFAULTS)].copy().set_index(PATH_ID, drop=False)
    lines = lines.join(bmo_demand(paths, bmo))
    lines = lines.join(paths_metier_tension(paths, metier_tension))
    lines = lines.join(rome_demand(paths, rome_tension))
    lines = lines.join(paths_supply(paths, supply))
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
        if not (code_tuple(bmo_codes) or code_tuple(rome_codes)):
            reasons.append(NO_OCCUPATION)
        elif not code_tuple(bmo_codes):
            reasons.append(NO_BMO_CODE)
        elif last_year is None:
            reasons.append(NO_BMO_DATA)
        elif not matched:
            reasons.append(NO_PROJECTS.format(year=last_year))
        elif not is_known(value):
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
    # Reconversion paths favoured (a basin of saturated métiers): score × (1 + boost).
    boost = float(params.reconversion_boost)
    reconversion = lines[PURPOSES].map(lambda codes: RECONVERSION in tuple(codes or ()))
    lines[RECONVERSION_BOOSTED] = (reconversion & included & (boost > 0)).astype(bool)
    lines.loc[lines[RECONVERSION_BOOSTED], SCORE] *= 1.0 + boost

    # « La formation n'est pas le levier ».
    flag_reasons: list[list[str]] = []
    for _, row in lines.iterrows():
        found: list[str] = []
        if not is_known(row[EXCLUDED_REASON]):
            wc, nd = row[WORKING_CONDITIONS], row[NON_DURABLE_EMPLOYMENT]
            # Rather than a lack of available labour: the factor must also exceed that one.
            labour = row[LACK_OF_LABOUR] if is_known(row[LACK_OF_LABOUR]) else 0.0
            suffix = (
                f", au-dessus du manque de main-d'œuvre {format_number(labour, decimals=1)}/5"
                if labour
                else ""
            )
            if is_known(wc) and wc >= params.factor_threshold and wc > labour:
                found.append(
                    "conditions de travail contraignantes (facteur Dares "
                    f"{format_number(wc, decimals=1)}/5{suffix})"
                )
            if is_known(nd) and nd >= params.factor_threshold and nd > labour:
                found.append(
                    "emplois peu durables (facteur Dares "
                    f"{format_number(nd, decimals=1)}/5{suffix})"
                )
            rate, base = row[SEASONAL_RATE], row[SEASONAL_BASE]
            if (
                is_known(rate)
                and is_known(base)
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

    lines = gap_ranked(lines)
    lines[BMO_CODES_PRESENT] = [bool(code_tuple(b)) for b in lines[BMO_CODES]]
    lines[EXPLANATION] = [
        explain(
            {str(k): v for k, v in row.items()},
            estimated=estimated,
            secrecy_threshold=params.secrecy_threshold,
        )
        for row in lines.to_dict("records")
    ]
    if boost > 0:
        bonus = format_percent(boost, decimals=0)
        lines.loc[lines[RECONVERSION_BOOSTED], EXPLANATION] = lines.loc[
            lines[RECONVERSION_BOOSTED], EXPLANATION
        ].map(lambda text: f"{text} Parcours de reconversion : score majoré de {bonus}.")
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


def gap_ranked(lines: pd.DataFrame) -> pd.DataFrame:
    """The gap's ranking rule: rank 1..n over the included lines (not flagged first, by score
    descending, then path code); the lines left out follow, by path code, without rank."""
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
        keep &= lines[CONCEPTS].map(lambda codes: concept in code_tuple(codes))
    if public:
        keep &= lines[PUBLICS].map(lambda codes: public in code_tuple(codes))
    out = lines[keep].copy()
    ranked = out[RANK].notna()
    out[RANK] = pd.array([pd.NA] * len(out), dtype="Int64")
    out.loc[ranked, RANK] = range(1, int(ranked.sum()) + 1)
    return out.reset_index(drop=True)
