"""The gap on the real open data: zone d'emploi 4404 (Chaumont), its diagnostic computed by the
engine from the raw BMO files (2023-2025) and the DARES tensions (2021), its tables stored as a
run stores them, and the illustrative catalogue. The ranking is produced and its top lines are
explained; figures are cross-checked against the run's own tables."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from catalogue.analytics import columns as g
from catalogue.analytics.gap import training_gap
from catalogue.analytics.gap_params import NO_OCCUPATION
from catalogue.selectors.gap import run_table_frame
from catalogue.services.catalogue import FIXTURE_PATH
from diagnostics.analytics import columns
from diagnostics.analytics.columns import (
    BASSIN_BMO_CODE,
    COMMUNE_CODE,
    FAMILY_CODE,
    FAMILY_LABEL,
    GEOGRAPHIC_MISMATCH,
    HIRING_INTENSITY,
    JOB_SEEKERS_ABC,
    LACK_OF_LABOUR,
    MET,
    MET_MASKED,
    METIER_CODE,
    METIER_LABEL,
    NON_DURABLE_EMPLOYMENT,
    OFFERS,
    PUBLISHED_TENSION,
    ROME_CODE,
    SMET,
    SMET_MASKED,
    TRAINING_JOB_LINK,
    WORKING_CONDITIONS,
    XMET,
    XMET_MASKED,
    YEAR,
    ZONE_EMPLOI_CODE,
)
from diagnostics.analytics.crosswalk import basin_crosswalk
from diagnostics.analytics.indicators import basin_diagnostic
from diagnostics.analytics.payload import table_payload
from diagnostics.analytics.tension import basin_tension_frame
from tests.diagnostics.analytics.test_indicators_realdata import crosswalk  # noqa: F401
from tests.factories.open_data import bmo_sheet

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def bmo_three_years(open_data_dir: Path) -> pd.DataFrame:
    frames = []
    for year in (2023, 2024, 2025):
        raw = bmo_sheet(open_data_dir, year)
        frame = pd.DataFrame(
            {
                YEAR: year,
                BASSIN_BMO_CODE: raw[f"BE{year % 100}"].str.strip(),
                METIER_CODE: raw["Code métier BMO"].str.strip(),
                METIER_LABEL: raw["Nom métier BMO"],
                FAMILY_CODE: raw["Famille_met"],
                FAMILY_LABEL: raw["Lbl_fam_met"],
            }
        )
        for column, flag in ((MET, MET_MASKED), (XMET, XMET_MASKED), (SMET, SMET_MASKED)):
            text = raw[column].str.strip()
            frame[flag] = text == "*"
            frame[column] = pd.to_numeric(text.where(~frame[flag])).astype("Int64")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def tensions_2021(open_data_dir: Path) -> pd.DataFrame:
    raw = pd.read_csv(
        open_data_dir / "tensions_bassin_metier" / "mobiville_tensions_rome_bassin_2021.csv",
        sep=";",
        decimal=",",
        dtype={"cbassin": str, "ROME": str},
    )
    return pd.DataFrame(
        {
            YEAR: raw["annee"].astype("int64"),
            BASSIN_BMO_CODE: raw["cbassin"].str.lstrip("0").str.zfill(3),
            ROME_CODE: raw["ROME"],
            OFFERS: raw["oee"].astype("Float64"),
            JOB_SEEKERS_ABC: raw["defm_abc"].astype("Float64"),
            PUBLISHED_TENSION: raw["ind_tension_d"].astype("Float64"),
            HIRING_INTENSITY: raw["ind_int_emb_d"].astype("Float64"),
            LACK_OF_LABOUR: raw["ind_main_oeuvre_d"].astype("Float64"),
            NON_DURABLE_EMPLOYMENT: raw["ind_dur_empl_d"].astype("Float64"),
            WORKING_CONDITIONS: raw["ind_cond_travail_d"].astype("Float64"),
            GEOGRAPHIC_MISMATCH: raw["ind_mismatch_geo_d"].astype("Float64"),
            TRAINING_JOB_LINK: raw["ind_specif_form_empl_d"].astype("Float64"),
        }
    )


@pytest.fixture(scope="module")
def run_tables(crosswalk, bmo_three_years, tensions_2021):  # noqa: F811
    """The tables of ZE 4404's diagnostic, as a run stores them (JSON rows)."""
    communes = crosswalk.loc[crosswalk[ZONE_EMPLOI_CODE] == "4404", COMMUNE_CODE].tolist()
    result = basin_diagnostic(
        basin={"id": 1, "name": "Chaumont", "communes": communes},
        communes=crosswalk,
        bmo=bmo_three_years,
        tension=tensions_2021,
    )
    tables = {
        name: table_payload(name, frame)
        for name, frame in result.tables.items()
        if name in ("bmo_metiers", "tension_metiers", "tension_dares")
    }
    # Per ROME, with the job seekers: what `selectors.run_rome_tension_frame` computes from the
    # run's tension batch.
    rome = basin_tension_frame(
        tensions_2021,
        crosswalk=basin_crosswalk(crosswalk, basin_communes=communes, zoning="bassin_bmo"),
    )
    # Stored as JSON by the run: the gap reads it back from there.
    return json.loads(json.dumps(tables)), rome, bool(result.document["bmo"]["estimated"])


@pytest.fixture(scope="module")
def catalogue_paths() -> pd.DataFrame:
    data = json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))
    sectors = {s["code"]: s["name"] for s in data["sectors"]}
    return pd.DataFrame(
        [
            (
                i,
                p["code"],
                p["title"],
                sectors[p["sector"]],
                tuple(p["concepts"]),
                tuple(p["publics"]),
                tuple(p["bmo"]),
                tuple(p["rome"]),
            )
            for i, p in enumerate(data["paths"], start=1)
        ],
        columns=g.PATH_COLUMNS,
    )


@pytest.fixture(scope="module")
def gap(run_tables, catalogue_paths):  # type: ignore[no-untyped-def]
    tables, rome, estimated = run_tables
    return training_gap(
        catalogue_paths,
        bmo=run_table_frame(tables, "bmo_metiers"),
        metier_tension=run_table_frame(tables, "tension_metiers"),
        rome_tension=rome,
        estimated=estimated,
    )


def test_ze_4404_ranking_is_produced_and_its_top_lines_explained(gap, catalogue_paths) -> None:
    lines = gap.lines
    ranked = lines[lines[g.RANK].notna()]

    assert len(ranked) >= 20
    assert ranked[g.RANK].tolist() == list(range(1, len(ranked) + 1))
    assert gap.warnings == []
    top = ranked.head(5)
    for row in top.to_dict("records"):
        # ZE 4404 is not a whole bassin BMO: estimated figures, « environ ».
        assert row[g.EXPLANATION].startswith("Environ ")
        assert f"de recrutement en {row[g.LAST_YEAR]}" in row[g.EXPLANATION]
        assert row[g.LAST_YEAR] == 2025
        assert row[g.SCORE] > 0
        assert not row[g.FLAGGED]
    # Scores decrease along the unflagged lines, then the « not the lever » ones follow.
    unflagged = ranked[~ranked[g.FLAGGED]]
    assert unflagged[g.SCORE].is_monotonic_decreasing
    assert ranked[g.FLAGGED].is_monotonic_increasing
    # The six paths without occupation are kept, unranked, with the reason.
    left_out = lines[lines[g.RANK].isna()]
    assert (left_out[g.EXCLUDED_REASON] == NO_OCCUPATION).sum() == 6


def test_ze_4404_top_line_figures_match_the_run_tables(gap, run_tables, catalogue_paths) -> None:
    tables, rome, _ = run_tables
    bmo = run_table_frame(tables, "bmo_metiers")
    assert bmo is not None
    first = gap.lines.iloc[0]
    codes = catalogue_paths.set_index(g.PATH_CODE).loc[first[g.PATH_CODE], g.BMO_CODES]

    rows_2025 = bmo[(bmo[YEAR] == 2025) & bmo[METIER_CODE].isin(codes)]
    rows_first = bmo[(bmo[YEAR] == first[g.FIRST_YEAR]) & bmo[METIER_CODE].isin(codes)]

    assert first[columns.PROJECTS] == pytest.approx(rows_2025["projects"].sum())
    assert first[g.DIFFICULTY_RATE] == pytest.approx(
        rows_2025["difficult"].sum() / rows_2025["difficulty_base"].sum()
    )
    assert first[g.TREND] == pytest.approx(
        (rows_2025["projects"].sum() - rows_first["projects"].sum()) / rows_first["projects"].sum()
    )
    # Job seekers: the sum over its ROME codes of the basin's transposed DARES counts.
    rome_codes = catalogue_paths.set_index(g.PATH_CODE).loc[first[g.PATH_CODE], g.ROME_CODES]
    seekers = rome[rome[ROME_CODE].isin(rome_codes)][JOB_SEEKERS_ABC].sum()
    assert first[g.JOB_SEEKERS] == pytest.approx(float(seekers))
    assert f"environ {round(float(seekers))} demandeurs d'emploi" in first[g.EXPLANATION]


def test_ze_4404_not_the_lever_lines_give_their_reason(gap) -> None:
    flagged = gap.lines[gap.lines[g.FLAGGED]]

    assert len(flagged) >= 1
    for row in flagged.to_dict("records"):
        assert row[g.EXPLANATION].count("La formation n'est pas le levier : ") == 1
        assert (
            (row[columns.WORKING_CONDITIONS] or 0) >= 4
            or (row[columns.NON_DURABLE_EMPLOYMENT] or 0) >= 4
            or (row[g.SEASONAL_RATE] or 0) >= 0.7
        )
