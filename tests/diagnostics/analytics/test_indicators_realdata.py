"""The engine on the real open data (../shared/data), cross-checked against figures computed
here directly from the raw files: bassin BMO 4418 (Chaumont), zones d'emploi 4404 (Chaumont)
and 5319 (Vitré)."""

from pathlib import Path

import pandas as pd
import pytest

from diagnostics.analytics.columns import (
    BASSIN_BMO_CODE,
    COMMUNE_CODE,
    DEPARTEMENT_CODE,
    EPCI_CODE,
    FAMILY_CODE,
    FAMILY_LABEL,
    JOB_SEEKERS_ABC,
    MET,
    MET_MASKED,
    METIER_CODE,
    METIER_LABEL,
    OFFERS,
    PERIOD,
    POPULATION,
    PUBLISHED_TENSION,
    RATE,
    REGION_CODE,
    ROME_CODE,
    SMET,
    SMET_MASKED,
    XMET,
    XMET_MASKED,
    YEAR,
    ZONE_EMPLOI_CODE,
)
from diagnostics.analytics.indicators import basin_diagnostic
from tests.factories.open_data import bmo_sheet, commune_maps, unemployment_sheet

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def crosswalk(open_data_dir: Path) -> pd.DataFrame:
    ze, bassins, populations = commune_maps(open_data_dir)
    frame = pd.DataFrame(
        {
            COMMUNE_CODE: ze["CODGEO"],
            ZONE_EMPLOI_CODE: ze["ZE2020"],
            DEPARTEMENT_CODE: ze["DEP"],
            REGION_CODE: ze["REG"],
        }
    )
    frame[BASSIN_BMO_CODE] = frame[COMMUNE_CODE].map(
        bassins.set_index("code_commune_insee")["code_bassin_BMO"]
    )
    frame[POPULATION] = pd.to_numeric(
        frame[COMMUNE_CODE].map(populations.set_index("code")["population"])
    ).astype("Int64")
    frame[EPCI_CODE] = pd.NA
    return frame


@pytest.fixture(scope="module")
def raw_bmo_2025(open_data_dir: Path) -> pd.DataFrame:
    return bmo_sheet(open_data_dir, 2025)


@pytest.fixture(scope="module")
def bmo(raw_bmo_2025: pd.DataFrame) -> pd.DataFrame:
    raw = raw_bmo_2025
    frame = pd.DataFrame(
        {
            YEAR: 2025,
            BASSIN_BMO_CODE: raw["BE25"].str.strip(),
            METIER_CODE: raw["Code métier BMO"],
            METIER_LABEL: raw["Nom métier BMO"],
            FAMILY_CODE: raw["Famille_met"],
            FAMILY_LABEL: raw["Lbl_fam_met"],
        }
    )
    for column, flag in ((MET, MET_MASKED), (XMET, XMET_MASKED), (SMET, SMET_MASKED)):
        text = raw[column].str.strip()
        frame[flag] = text == "*"
        frame[column] = pd.to_numeric(text.where(~frame[flag])).astype("Int64")
    return frame


@pytest.fixture(scope="module")
def unemployment(open_data_dir: Path) -> pd.DataFrame:
    wide = unemployment_sheet(open_data_dir)
    quarters = [c for c in wide.columns if isinstance(c, str) and "-T" in c]
    long = wide.melt(id_vars=["ZE2020"], value_vars=quarters, var_name=PERIOD, value_name=RATE)
    return pd.DataFrame(
        {
            ZONE_EMPLOI_CODE: long["ZE2020"].str.zfill(4),
            PERIOD: long[PERIOD],
            RATE: pd.to_numeric(long[RATE], errors="coerce").astype("Float64"),
        }
    )


def communes_of(crosswalk: pd.DataFrame, column: str, code: str) -> list[str]:
    return crosswalk.loc[crosswalk[column] == code, COMMUNE_CODE].tolist()


def test_bassin_4418_bmo_2025_matches_the_raw_file(crosswalk, bmo, raw_bmo_2025):
    basin = {
        "id": 1,
        "name": "Chaumont",
        "communes": communes_of(crosswalk, BASSIN_BMO_CODE, "4418"),
    }

    doc = basin_diagnostic(basin=basin, communes=crosswalk, bmo=bmo).document

    # Independently from the raw rows of BE25 = 4418.
    rows = raw_bmo_2025[raw_bmo_2025["BE25"].str.strip() == "4418"]
    met = [r.strip() for r in rows["met"]]
    xmet = [r.strip() for r in rows["xmet"]]
    projects = sum(int(v) for v in met if v != "*")
    masked = sum(1 for v in met if v == "*")
    both = [(int(m), int(x)) for m, x in zip(met, xmet, strict=True) if "*" not in (m, x)]
    difficult = sum(x for _, x in both)
    base = sum(m for m, _ in both)

    year = doc["years"]["2025"]
    assert year["bmo_projects"] == projects
    assert year["bmo_masked_cells"] == masked
    assert year["bmo_difficult"] == difficult
    assert year["bmo_difficulty_rate"] == round(difficult / base, 4)
    assert year["bmo_estimated"] is False
    assert doc["basin"]["region_code"] == "44"
    assert "correspond exactement au bassin BMO 4418" in doc["method"]["bmo"]


def test_zones_emploi_unemployment_2023_t3(crosswalk, unemployment):
    for code, name, rate in (("4404", "Chaumont", 5.9), ("5319", "Vitré", 3.9)):
        basin = {
            "id": code,
            "name": name,
            "communes": communes_of(crosswalk, ZONE_EMPLOI_CODE, code),
        }

        doc = basin_diagnostic(basin=basin, communes=crosswalk, unemployment=unemployment).document

        last = doc["unemployment"][-1]
        assert last["period"] == "2023-T3"
        assert last["rate"] == rate
        assert last["estimated"] is False
        assert doc["gaps"]["unemployment"] == []
        assert len(doc["unemployment"]) == 83  # 2003-T1 … 2023-T3


def test_zone_emploi_4404_bmo_is_apportioned_from_its_bassins(crosswalk, bmo):
    basin = {
        "id": 2,
        "name": "ZE Chaumont",
        "communes": communes_of(crosswalk, ZONE_EMPLOI_CODE, "4404"),
    }

    doc = basin_diagnostic(basin=basin, communes=crosswalk, bmo=bmo).document

    year = doc["years"]["2025"]
    assert year["bmo_estimated"] is True
    assert year["bmo_coverage"] == pytest.approx(1.0, abs=0.01)
    assert "4418" in doc["bmo"]["zones"]
    assert "répartis au prorata de la population" in doc["method"]["bmo"]
    assert 0 < year["bmo_difficulty_rate"] < 1


def test_real_tension_file_names_its_missing_components(open_data_dir, crosswalk):
    raw = pd.read_csv(
        open_data_dir / "tensions_bassin_metier" / "mobiville_tensions_rome_bassin_2021.csv",
        sep=";",
        decimal=",",
        dtype={"cbassin": str},
    )
    tension = pd.DataFrame(
        {
            YEAR: raw["annee"],
            BASSIN_BMO_CODE: raw["cbassin"].str.lstrip("0").str.zfill(4),
            ROME_CODE: raw["ROME"],
            OFFERS: raw["oee"],
            JOB_SEEKERS_ABC: raw["defm_abc"],
            PUBLISHED_TENSION: raw["ind_tension_d"],
        }
    )
    basin = {
        "id": 1,
        "name": "Chaumont",
        "communes": communes_of(crosswalk, BASSIN_BMO_CODE, "4418"),
    }

    doc = basin_diagnostic(basin=basin, communes=crosswalk, tension=tension).document

    method = doc["tension_dares"]["method"]
    assert method["components_used"] == ["offers_per_seeker"]
    assert method["components_missing"] == ["exit_rate", "bmo_difficulty_share"]
    assert "catégories A, B, C" in method["description"]
    assert len(doc["tension_dares"]["top"]) == 10
