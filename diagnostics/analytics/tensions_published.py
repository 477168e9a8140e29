"""The published DARES – France Travail tension indicator and its six factors, as published.

The files (« Les tensions sur le marché du travail », per métier ROME × bassin BMO) publish the
indicator (quintile 1–5) and, from 2021, its six factors, the DARES « causes » of the tension.
This module shows them as they are: no apportioning to the basin (the figures are the bassins
BMO's), no recomputation, a factor the vintage does not publish is « non publié », a blank cell
stays unknown (never 0, never guessed).

This module holds the vocabulary (factor keys and labels, the words for an unknown cell) and the
published rows of the basin's bassins; `tension_records` turns them into the run's JSON records,
`tension_vintages` lays the vintages side by side, `tension_heatmap` draws them.

Input frame (TENSION, see `selectors.diagnostic_frames.tension_frame`): year, bassin_bmo_code,
rome_code, published_tension, the TENSION_FACTOR_COLUMNS, offers, job_seekers_abc.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from .columns import (
    BASSIN_BMO_CODE,
    GEOGRAPHIC_MISMATCH,
    HIRING_INTENSITY,
    JOB_SEEKERS_ABC,
    LACK_OF_LABOUR,
    NON_DURABLE_EMPLOYMENT,
    OFFERS,
    PUBLISHED_TENSION,
    ROME_CODE,
    TRAINING_JOB_LINK,
    WORKING_CONDITIONS,
    YEAR,
)
from .common import require_columns

ROME_LABEL = "rome_label"
VINTAGES = "vintages"

# Analytics column → pinned key of the API / JSON `factors` object (docs/tensions.md).
# Order: the DARES publication's.
FACTOR_KEYS: dict[str, str] = {
    HIRING_INTENSITY: "hiring_intensity",
    LACK_OF_LABOUR: "labour_shortage",
    NON_DURABLE_EMPLOYMENT: "non_durable_employment",
    WORKING_CONDITIONS: "working_conditions",
    GEOGRAPHIC_MISMATCH: "geographic_mismatch",
    TRAINING_JOB_LINK: "training_job_link",
}
FACTOR_LABELS: dict[str, str] = {
    "hiring_intensity": "Intensité des embauches",
    "labour_shortage": "Manque de main-d'œuvre disponible",
    "non_durable_employment": "Non-durabilité de l'emploi",
    "working_conditions": "Conditions de travail contraignantes",
    "geographic_mismatch": "Inadéquation géographique",
    "training_job_link": "Lien formation-emploi",
}
TENSION_LABEL = "Indicateur de tension"
INDICATOR_KEYS = ["tension", *FACTOR_KEYS.values()]
INDICATOR_LABELS = {"tension": TENSION_LABEL, **FACTOR_LABELS}

NOT_PUBLISHED = "non publié"  # the vintage does not publish this factor
BLANK = "non renseigné"  # the file leaves the cell blank
ABSENT = "absent"  # the métier is not in this vintage for the bassin

INPUT_COLUMNS = [YEAR, BASSIN_BMO_CODE, ROME_CODE, PUBLISHED_TENSION]
PUBLISHED_COLUMNS = [
    YEAR,
    BASSIN_BMO_CODE,
    ROME_CODE,
    ROME_LABEL,
    PUBLISHED_TENSION,
    *FACTOR_KEYS,
    OFFERS,
    JOB_SEEKERS_ABC,
]


def factors_published(tension: pd.DataFrame) -> dict[int, list[str]]:
    """Per year, the factor keys the vintage publishes (at least one value anywhere in it).

    Input: the TENSION frame of every bassin (not only the basin's: a factor blank in a few
    bassins is published, a factor blank everywhere is not). Output: {year: [keys…]}, years
    sorted, keys in FACTOR_KEYS order."""
    require_columns(tension, [YEAR], what="les indicateurs de tension publiés")
    out: dict[int, list[str]] = {}
    for year, rows in tension.groupby(YEAR, sort=True):
        out[int(str(year))] = [
            key
            for column, key in FACTOR_KEYS.items()
            if column in rows.columns and bool(rows[column].notna().any())
        ]
    return out


def published_tensions(
    tension: pd.DataFrame, *, bassins: Sequence[str], labels: Mapping[str, str]
) -> pd.DataFrame:
    """The published rows of the given bassins BMO, as published.

    Input: the TENSION frame; `bassins`: bassin BMO codes; `labels`: ROME code → label (a code
    without label keeps an empty label). Output columns: PUBLISHED_COLUMNS (indicator and
    factors Int64, NA when blank or unpublished; offers and job seekers Float64), sorted by
    year, bassin_bmo_code, rome_code."""
    require_columns(tension, INPUT_COLUMNS, what="les indicateurs de tension publiés")
    rows = tension[tension[BASSIN_BMO_CODE].astype(str).isin([str(b) for b in bassins])]
    out = pd.DataFrame(
        {
            YEAR: rows[YEAR].astype("int64"),
            BASSIN_BMO_CODE: rows[BASSIN_BMO_CODE].astype(str),
            ROME_CODE: rows[ROME_CODE].astype(str),
        }
    )
    out[ROME_LABEL] = out[ROME_CODE].map(lambda code: labels.get(code, "")).astype(object)
    for column in [PUBLISHED_TENSION, *FACTOR_KEYS]:
        values = (
            pd.to_numeric(rows[column], errors="coerce")
            if column in rows.columns
            else pd.Series(pd.NA, index=rows.index, dtype="Float64")
        )
        out[column] = values.round().astype("Int64")
    for column in (OFFERS, JOB_SEEKERS_ABC):
        values = (
            pd.to_numeric(rows[column], errors="coerce")
            if column in rows.columns
            else pd.Series(pd.NA, index=rows.index)
        )
        out[column] = values.astype("Float64")
    return out.sort_values([YEAR, BASSIN_BMO_CODE, ROME_CODE], kind="mergesort").reset_index(
        drop=True
    )
