"""Current facts of the job seekers, tensions and lycées imports as DataFrames (ORM → analytics).

"Current" = rows of the batches in force (`status = done`); superseded batches keep their rows
for the results computed from them but are not read here. Unknown values (secret, ambiguous,
unpublished) stay NA with their flags: the analytics decide how to show them, never as 0.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from diagnostics.models import DefmFact, DefmSecteurFact, Lycee, TensionFact

DEFM_FRAME_COLUMNS = ["level", "code", "month", "category", "job_seekers", "masked", "ambiguous"]


def defm_current_frame(
    *,
    level: str,
    codes: list[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> pd.DataFrame:
    """Monthly job seekers (A, B, C) of the territories `codes` at `level` (commune,
    departement, region), one row per territory and month, sorted."""
    qs = DefmFact.objects.current().filter(level=level)
    if codes is not None:
        qs = qs.filter(code__in=codes)
    if since is not None:
        qs = qs.filter(month__gte=since)
    if until is not None:
        qs = qs.filter(month__lte=until)
    frame = pd.DataFrame.from_records(
        qs.order_by("code", "month", "category").values_list(*DEFM_FRAME_COLUMNS),
        columns=DEFM_FRAME_COLUMNS,
    )
    frame["job_seekers"] = frame["job_seekers"].astype("Int64")
    return frame


DEFM_SECTEUR_FRAME_COLUMNS = [
    "bassin_code", "bassin_known", "naf_section", "sector_label", "job_seekers",
]  # fmt: skip


def defm_secteur_current_frame(*, bassin_codes: list[str] | None = None) -> pd.DataFrame:
    """Job seekers per bassin BMO and NAF section."""
    qs = DefmSecteurFact.objects.current()
    if bassin_codes is not None:
        qs = qs.filter(bassin_code__in=bassin_codes)
    frame = pd.DataFrame.from_records(
        qs.order_by("bassin_code", "naf_section").values_list(*DEFM_SECTEUR_FRAME_COLUMNS),
        columns=DEFM_SECTEUR_FRAME_COLUMNS,
    )
    frame["job_seekers"] = frame["job_seekers"].astype("Int64")
    return frame


TENSION_FRAME_COLUMNS = [
    "year", "rome_code", "bassin_code", "job_offers", "job_seekers_abc",
    *TensionFact.INDICATOR_FIELDS, "missing_indicators",
]  # fmt: skip


def tension_current_frame(
    *, bassin_codes: list[str] | None = None, years: list[int] | None = None
) -> pd.DataFrame:
    """Tension indicator and complementary factors (1–5, NA when unpublished) per year, ROME
    code and bassin BMO, with offers and job seekers."""
    qs = TensionFact.objects.current()
    if bassin_codes is not None:
        qs = qs.filter(bassin_code__in=bassin_codes)
    if years is not None:
        qs = qs.filter(year__in=years)
    frame = pd.DataFrame.from_records(
        qs.order_by("year", "bassin_code", "rome_code").values_list(*TENSION_FRAME_COLUMNS),
        columns=TENSION_FRAME_COLUMNS,
    )
    for field in TensionFact.INDICATOR_FIELDS:
        frame[field] = frame[field].astype("Int64")
    return frame


LYCEE_FRAME_COLUMNS = [
    "uai", "name", "commune_code", "latitude", "longitude", "sector", "students",
    "voie_generale", "voie_technologique", "voie_professionnelle", "lycee_des_metiers",
    "vocational_guess_from_name", "layout",
]  # fmt: skip


def lycees_current_frame(*, commune_codes: list[str] | None = None) -> pd.DataFrame:
    """Lycées of `commune_codes` (all when None), one row per UAI: where both the full official
    schema and the reduced national extract are in force, the official row wins (it carries the
    official vocational flag; the reduced one only a guess from the name)."""
    qs = Lycee.objects.current()
    if commune_codes is not None:
        qs = qs.filter(commune_code__in=commune_codes)
    frame = pd.DataFrame.from_records(
        qs.order_by("uai").values_list(*LYCEE_FRAME_COLUMNS), columns=LYCEE_FRAME_COLUMNS
    )
    rank = frame["layout"].map({Lycee.Layout.FULL.value: 0}).fillna(1)
    frame = (
        frame.assign(_rank=rank)
        .sort_values(["uai", "_rank"], kind="stable")
        .drop_duplicates("uai")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )
    for flag in ("voie_generale", "voie_technologique", "voie_professionnelle",
                 "lycee_des_metiers", "vocational_guess_from_name"):  # fmt: skip
        frame[flag] = frame[flag].astype("boolean")
    frame["students"] = frame["students"].astype("Int64")
    return frame
