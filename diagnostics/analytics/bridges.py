"""Bridges: from a saturated métier to a métier in tension of the same bassin BMO, close to it.

Proximity rule: two métiers (ROME codes) are close when they belong to the same **domaine
professionnel** of the ROME referential (its first three characters, e.g. « K13 — Aide à la
personne », the level France Travail uses to suggest mobility between neighbouring métiers).
A métier in tension here is one whose published tension indicator is at least `min_tension`
(4 by default: the two most tense quintiles) in the same bassin BMO and the same vintage as the
saturated métiers. The ROME 4.0 referential attaches each job title (appellation) to a single
métier, so shared job titles cannot widen the rule (see `shared_titles`); the skills blocks of
the ROME are not imported, so no skill-based proximity is claimed.

The raw material of a reconversion path: for each métier in tension, the saturated métiers
bridged to it and their job seekers. A saturated métier bridged to several métiers in tension
is counted once in the basin's total of job seekers concerned.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .columns import (
    BASSIN_BMO_CODE,
    BRIDGES,
    DOMAIN_CODE,
    DOMAIN_LABEL,
    JOB_SEEKERS_ABC,
    JOB_SEEKERS_CONCERNED,
    OFFERS,
    PUBLISHED_TENSION,
    ROME_CODE,
    ROME_LABEL,
    SURPLUS,
    TARGET_OFFERS,
    TARGET_ROME_CODE,
    TARGET_ROME_LABEL,
    TARGET_TENSION,
    YEAR,
)
from .common import require_columns

BRIDGE_MIN_TENSION = 4

BRIDGE_COLUMNS = [
    BASSIN_BMO_CODE,
    DOMAIN_CODE,
    DOMAIN_LABEL,
    TARGET_ROME_CODE,
    TARGET_ROME_LABEL,
    TARGET_TENSION,
    TARGET_OFFERS,
    ROME_CODE,
    ROME_LABEL,
    PUBLISHED_TENSION,
    JOB_SEEKERS_ABC,
    SURPLUS,
]
TARGET_COLUMNS = [
    BASSIN_BMO_CODE,
    TARGET_ROME_CODE,
    TARGET_ROME_LABEL,
    DOMAIN_CODE,
    DOMAIN_LABEL,
    TARGET_TENSION,
    TARGET_OFFERS,
    BRIDGES,
    JOB_SEEKERS_CONCERNED,
]


def bridge_rule(*, min_tension: int) -> str:
    """The proximity rule in French (for the report's method)."""
    return (
        "Passerelle : un métier saturé et un métier en tension (indicateur publié d'au moins "
        f"{min_tension} sur 5) du même bassin BMO et du même millésime sont proches lorsqu'ils "
        "appartiennent au même domaine professionnel du référentiel ROME (trois premiers "
        "caractères du code, par exemple K13 « Aide à la personne »). Le référentiel ROME 4.0 "
        "rattache chaque appellation à un seul métier : aucune appellation partagée ne peut "
        "élargir la règle, et les compétences du ROME ne sont pas importées, donc aucune "
        "proximité de compétences n'est affirmée. Les demandeurs d'emploi concernés sont ceux "
        "des métiers saturés proches (chaque métier saturé compté une fois dans le total)."
    )


def tension_targets(
    tension: pd.DataFrame, *, bassins: Sequence[str], year: int, min_tension: int
) -> pd.DataFrame:
    """The métiers in tension of `bassins` in `year`: bassin_bmo_code, target_rome_code,
    target_tension (Int64), target_offers (Float64). Input: the TENSION frame."""
    require_columns(
        tension,
        [YEAR, BASSIN_BMO_CODE, ROME_CODE, PUBLISHED_TENSION, OFFERS],
        what="les indicateurs de tension",
    )
    wanted = {str(b) for b in bassins}
    level = pd.to_numeric(tension[PUBLISHED_TENSION], errors="coerce")
    rows = tension[
        tension[BASSIN_BMO_CODE].astype(str).isin(wanted)
        & (tension[YEAR].astype("int64") == int(year))
        & (level >= min_tension).fillna(False).astype(bool)
    ]
    return pd.DataFrame(
        {
            BASSIN_BMO_CODE: rows[BASSIN_BMO_CODE].astype(str).to_numpy(),
            TARGET_ROME_CODE: rows[ROME_CODE].astype(str).to_numpy(),
            TARGET_TENSION: pd.to_numeric(rows[PUBLISHED_TENSION]).round().astype("Int64").array,
            TARGET_OFFERS: pd.to_numeric(rows[OFFERS], errors="coerce").astype("Float64").array,
        }
    )


def bridges(
    saturated: pd.DataFrame, targets: pd.DataFrame, *, referential: pd.DataFrame
) -> pd.DataFrame:
    """Every (saturated métier, métier in tension) pair of the same bassin and domain.

    Input: `saturated` (`saturation.with_referential` output: bassin_bmo_code, rome_code,
    rome_label, domain_code, domain_label, published_tension, job_seekers_abc, surplus),
    `targets` (`tension_targets`), `referential` (ROME_REFERENTIAL, for the targets' labels
    and domains). Output: BRIDGE_COLUMNS, sorted by bassin, target tension (strongest first),
    target code, then the saturated métier's surplus (largest first)."""
    require_columns(
        saturated,
        [BASSIN_BMO_CODE, ROME_CODE, ROME_LABEL, DOMAIN_CODE, DOMAIN_LABEL, JOB_SEEKERS_ABC],
        what="les métiers saturés",
    )
    reference = referential.drop_duplicates(ROME_CODE, keep="last").set_index(ROME_CODE)
    named = targets.copy()
    codes = named[TARGET_ROME_CODE].astype(str)
    named[TARGET_ROME_LABEL] = codes.map(reference[ROME_LABEL]).astype(object).fillna("")
    named[DOMAIN_CODE] = codes.map(reference[DOMAIN_CODE]).astype(object)
    source = saturated[saturated[DOMAIN_CODE].notna()]
    named = named[named[DOMAIN_CODE].notna()]
    if SURPLUS not in source.columns:
        source = source.assign(**{SURPLUS: pd.Series(pd.NA, index=source.index, dtype="Float64")})
    if PUBLISHED_TENSION not in source.columns:
        source = source.assign(
            **{PUBLISHED_TENSION: pd.Series(pd.NA, index=source.index, dtype="Int64")}
        )
    pairs = named.merge(
        source[
            [
                BASSIN_BMO_CODE,
                DOMAIN_CODE,
                DOMAIN_LABEL,
                ROME_CODE,
                ROME_LABEL,
                PUBLISHED_TENSION,
                JOB_SEEKERS_ABC,
                SURPLUS,
            ]
        ],
        on=[BASSIN_BMO_CODE, DOMAIN_CODE],
        how="inner",
    )
    pairs = pairs[pairs[ROME_CODE] != pairs[TARGET_ROME_CODE]]
    pairs = pairs.sort_values(
        [BASSIN_BMO_CODE, TARGET_TENSION, TARGET_ROME_CODE, SURPLUS, ROME_CODE],
        ascending=[True, False, True, False, True],
        kind="mergesort",
    )
    return pairs[BRIDGE_COLUMNS].reset_index(drop=True)


def bridge_targets(
    targets: pd.DataFrame, pairs: pd.DataFrame, *, referential: pd.DataFrame
) -> pd.DataFrame:
    """One row per métier in tension: how many saturated métiers bridge to it and their job
    seekers (0 when none: the data supports no bridge to it). Output: TARGET_COLUMNS, sorted
    by job seekers concerned (largest first), target tension, bassin, code."""
    reference = referential.drop_duplicates(ROME_CODE, keep="last").set_index(ROME_CODE)
    out = targets.copy()
    codes = out[TARGET_ROME_CODE].astype(str)
    out[TARGET_ROME_LABEL] = codes.map(reference[ROME_LABEL]).astype(object).fillna("")
    out[DOMAIN_CODE] = codes.map(reference[DOMAIN_CODE]).astype(object)
    out[DOMAIN_LABEL] = codes.map(reference[DOMAIN_LABEL]).astype(object).fillna("")
    keys = [BASSIN_BMO_CODE, TARGET_ROME_CODE]
    counts = (
        pairs.groupby(keys, sort=True)
        .agg(
            **{
                BRIDGES: (ROME_CODE, "nunique"),
                JOB_SEEKERS_CONCERNED: (JOB_SEEKERS_ABC, "sum"),
            }
        )
        .reset_index()
        if len(pairs)
        else pd.DataFrame(
            {k: pd.Series([], dtype=object) for k in [*keys, BRIDGES, JOB_SEEKERS_CONCERNED]}
        )
    )
    out = out.merge(counts, on=keys, how="left")
    out[BRIDGES] = pd.to_numeric(out[BRIDGES]).fillna(0).astype("int64")
    out[JOB_SEEKERS_CONCERNED] = (
        pd.to_numeric(out[JOB_SEEKERS_CONCERNED]).fillna(0.0).astype("Float64")
    )
    out = out.sort_values(
        [JOB_SEEKERS_CONCERNED, TARGET_TENSION, BASSIN_BMO_CODE, TARGET_ROME_CODE],
        ascending=[False, False, True, True],
        kind="mergesort",
    )
    return out[TARGET_COLUMNS].reset_index(drop=True)


def bridged_job_seekers(pairs: pd.DataFrame) -> float:
    """Job seekers of the saturated métiers bridged to at least one métier in tension, each
    saturated métier (bassin × ROME) counted once."""
    if pairs.empty:
        return 0.0
    once = pairs.drop_duplicates([BASSIN_BMO_CODE, ROME_CODE])
    return float(pd.to_numeric(once[JOB_SEEKERS_ABC]).fillna(0).sum())


def shared_titles(appellations: pd.DataFrame) -> int:
    """Number of job titles (appellations) attached to more than one ROME code in the
    referential: the data can support a title-based bridge only when it is above 0.
    Input: rome_code, label."""
    require_columns(appellations, [ROME_CODE, "label"], what="les appellations ROME")
    if appellations.empty:
        return 0
    per_title = appellations.groupby("label")[ROME_CODE].nunique()
    return int((per_title > 1).sum())
