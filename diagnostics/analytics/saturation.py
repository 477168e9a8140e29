"""Saturated métiers: where job seekers clearly outnumber the offers and the published tension
is low.

A métier (ROME) of a bassin BMO is **saturated** in a year when, in the DARES – France Travail
tension file of that year:
- its published tension indicator is at most `max_tension` (quintiles 1–2 by default: the
  40 % least tense métier × bassin pairs of France);
- its A, B, C job seekers are at least `min_ratio` times its registered offers (2 by default;
  a métier with no offer at all and enough job seekers qualifies, its ratio is unknown);
- it has at least `min_job_seekers` job seekers (20 by default: a ratio on a handful of
  people says nothing).
They are ranked by the surplus of job seekers over offers (largest first). The figures are the
bassins BMO's, as published (never apportioned to the basin): a basin over several bassins
gets one row per bassin.

Input (TENSION, see `selectors.diagnostic_frames.tension_frame`): year, bassin_bmo_code, rome_code,
offers, job_seekers_abc, published_tension. Output columns: SATURATED_COLUMNS.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .columns import (
    BASSIN_BMO_CODE,
    BMO_YEAR,
    DIFFICULTY_RATE,
    DOMAIN_CODE,
    DOMAIN_LABEL,
    FAP2009_CODE,
    JOB_SEEKERS_ABC,
    OFFERS,
    PROJECTS,
    PUBLISHED_TENSION,
    ROME_CODE,
    ROME_LABEL,
    SEEKERS_PER_OFFER,
    SURPLUS,
    YEAR,
)
from .common import format_number, require_columns

SATURATION_MIN_RATIO = 2.0
SATURATION_MAX_TENSION = 2
SATURATION_MIN_JOB_SEEKERS = 20

INPUT_COLUMNS = [YEAR, BASSIN_BMO_CODE, ROME_CODE, OFFERS, JOB_SEEKERS_ABC, PUBLISHED_TENSION]
SATURATED_COLUMNS = [
    YEAR,
    BASSIN_BMO_CODE,
    ROME_CODE,
    ROME_LABEL,
    DOMAIN_CODE,
    DOMAIN_LABEL,
    PUBLISHED_TENSION,
    OFFERS,
    JOB_SEEKERS_ABC,
    SEEKERS_PER_OFFER,
    SURPLUS,
    FAP2009_CODE,
    BMO_YEAR,
    PROJECTS,
    DIFFICULTY_RATE,
]


def saturation_rule(*, min_ratio: float, max_tension: int, min_job_seekers: int) -> str:
    """The rule in French, with its thresholds (for the report's method)."""
    return (
        "Un métier (code ROME) d'un bassin BMO est dit saturé lorsque, dans le dernier "
        "millésime des tensions publiées (Dares, France Travail), son indicateur de tension "
        f"publié est au plus {max_tension} sur 5, qu'il compte au moins "
        f"{format_number(min_ratio, decimals=1)} demandeurs d'emploi (catégories A, B, C) par "
        f"offre enregistrée (ou aucune offre) et au moins {format_number(min_job_seekers)} "
        "demandeurs. Les métiers sont classés par excédent de demandeurs sur les offres. "
        "Les chiffres sont ceux des bassins BMO, tels que publiés, non répartis au bassin."
    )


def saturated_metiers(
    tension: pd.DataFrame,
    *,
    bassins: Sequence[str],
    min_ratio: float = SATURATION_MIN_RATIO,
    max_tension: int = SATURATION_MAX_TENSION,
    min_job_seekers: int = SATURATION_MIN_JOB_SEEKERS,
) -> pd.DataFrame:
    """Saturated métiers of the given bassins BMO in the last year they are published.

    Input: the TENSION frame (INPUT_COLUMNS; every bassin may be given, only `bassins` are
    read). Output: year, bassin_bmo_code, rome_code, published_tension, offers,
    job_seekers_abc, seekers_per_offer (NA without offers), surplus = job_seekers_abc −
    offers; sorted by surplus (largest first), then bassin and ROME code. The label, domain
    and BMO columns are added by `with_referential` and `with_bmo`."""
    require_columns(tension, INPUT_COLUMNS, what="les indicateurs de tension")
    wanted = {str(b) for b in bassins}
    rows = tension[tension[BASSIN_BMO_CODE].astype(str).isin(wanted)]
    columns = [*INPUT_COLUMNS[:3], PUBLISHED_TENSION, OFFERS, JOB_SEEKERS_ABC]
    if rows.empty:
        return _empty([*columns, SEEKERS_PER_OFFER, SURPLUS])
    last = int(rows[YEAR].max())
    rows = rows[rows[YEAR] == last]
    offers = pd.to_numeric(rows[OFFERS], errors="coerce").astype("float64").to_numpy()
    seekers = pd.to_numeric(rows[JOB_SEEKERS_ABC], errors="coerce").astype("float64").to_numpy()
    level = pd.to_numeric(rows[PUBLISHED_TENSION], errors="coerce").astype("float64").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(offers > 0, seekers / offers, np.nan)
    no_offer = (offers == 0) | np.isnan(offers)
    keep = (
        (level <= max_tension)
        & (seekers >= min_job_seekers)
        & ((ratio >= min_ratio) | (no_offer & (seekers > 0)))
    )
    out = pd.DataFrame(
        {
            YEAR: np.full(int(keep.sum()), last, dtype="int64"),
            BASSIN_BMO_CODE: rows[BASSIN_BMO_CODE].astype(str).to_numpy()[keep],
            ROME_CODE: rows[ROME_CODE].astype(str).to_numpy()[keep],
            PUBLISHED_TENSION: pd.array(level[keep], dtype="Float64").round().astype("Int64"),
            OFFERS: pd.array(offers[keep], dtype="Float64"),
            JOB_SEEKERS_ABC: pd.array(seekers[keep], dtype="Float64"),
            SEEKERS_PER_OFFER: pd.array(ratio[keep], dtype="Float64"),
        }
    )
    out[SURPLUS] = (out[JOB_SEEKERS_ABC] - out[OFFERS].fillna(0.0)).astype("Float64")
    return out.sort_values(
        [SURPLUS, BASSIN_BMO_CODE, ROME_CODE], ascending=[False, True, True], kind="mergesort"
    ).reset_index(drop=True)


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series([], dtype=object) for column in columns})


def with_referential(frame: pd.DataFrame, referential: pd.DataFrame) -> pd.DataFrame:
    """Add rome_label, domain_code, domain_label from the ROME referential (ROME_REFERENTIAL:
    rome_code, rome_label, domain_code, domain_label). A code absent from it keeps an empty
    label and an NA domain (no bridge can be drawn from it)."""
    require_columns(frame, [ROME_CODE], what="les métiers")
    require_columns(
        referential, [ROME_CODE, ROME_LABEL, DOMAIN_CODE, DOMAIN_LABEL], what="le référentiel ROME"
    )
    reference = referential.drop_duplicates(ROME_CODE, keep="last").set_index(ROME_CODE)
    codes = frame[ROME_CODE].astype(str)
    out = frame.copy()
    out[ROME_LABEL] = codes.map(reference[ROME_LABEL]).astype(object).fillna("")
    out[DOMAIN_CODE] = codes.map(reference[DOMAIN_CODE]).astype(object)
    out[DOMAIN_LABEL] = codes.map(reference[DOMAIN_LABEL]).astype(object).fillna("")
    out[DOMAIN_CODE] = out[DOMAIN_CODE].where(out[DOMAIN_CODE].notna(), None)
    return out


def with_bmo(
    frame: pd.DataFrame, *, rome_fap: Mapping[str, str], bmo_metiers: pd.DataFrame
) -> pd.DataFrame:
    """Add the BMO projects and difficulty rate of each métier's FAP 2009 métier, where known.

    `rome_fap`: ROME code → FAP 2009 code (the pairing published by DARES in the 2019 tension
    file); `bmo_metiers`: the basin's BMO totals per métier (`bmo.bmo_by_metier`: year,
    metier_code, projects, difficult, difficulty_base…). The campaign used is the last one
    publishing that code (the BMO used FAP 2009 codes until 2023, FAP 2021 codes after).
    Output: the input plus fap2009_code, bmo_year, projects (Float64), difficulty_rate
    (NA where unknown: no pairing, code absent from the BMO, secret cells)."""
    require_columns(frame, [ROME_CODE], what="les métiers")
    require_columns(bmo_metiers, [YEAR, "metier_code", PROJECTS], what="les projets par métier")
    out = frame.copy()
    # Python lookups on the few rows (Series.map and a sorted, deduplicated frame cost more).
    faps = [rome_fap.get(code) for code in out[ROME_CODE].astype(str).tolist()]
    out[FAP2009_CODE] = pd.Series(faps, index=out.index, dtype=object)
    # The last campaign publishing each code: the last row of the highest year (as a stable
    # sort by year then « keep last » takes it).
    metier_years = [int(y) for y in bmo_metiers[YEAR].tolist()]
    projects = _objects(bmo_metiers[PROJECTS].astype("Float64"))
    rates = (
        _objects(bmo_metiers[DIFFICULTY_RATE].astype("Float64"))
        if DIFFICULTY_RATE in bmo_metiers.columns
        else [None] * len(bmo_metiers)
    )
    metier_codes = bmo_metiers["metier_code"].tolist()
    latest: dict[Any, int] = {}
    for i in sorted(range(len(metier_years)), key=metier_years.__getitem__):
        latest[metier_codes[i]] = i
    found = [None if code is None else latest.get(code) for code in faps]
    out[BMO_YEAR] = pd.array([None if i is None else metier_years[i] for i in found], dtype="Int64")
    out[PROJECTS] = pd.array([None if i is None else projects[i] for i in found], dtype="Float64")
    out[DIFFICULTY_RATE] = pd.array(
        [None if i is None else rates[i] for i in found], dtype="Float64"
    )
    return out


def _objects(column: pd.Series) -> list[Any]:
    """The column as Python values, missing ones as None."""
    converted: Any = column.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
    return list(converted)
