"""`basin_diagnostic` end to end on a small hand-made world.

    commune   pop     zone d'emploi   bassin BMO   département   région
    c1        1000    Z1              B1           52            44
    c2        3000    Z1              B1           52            44
    c3        2000    Z2              B2           52            44
    c4        4000    Z2              B2           52            44
    c5       10000    Z3              B3           75            11

The basin {c1, c2} (4 000 inhabitants) is exactly bassin B1 and zone d'emploi Z1.
BMO surveys 2023 and 2025 (no 2024: a break to show). `None` = secret cell `*`.
"""

import json

import pandas as pd
import pytest

from diagnostics.analytics.columns import (
    BASSIN_BMO_CODE,
    COMMUNE_CODE,
    DEPARTEMENT_CODE,
    DIFFICULT,
    EPCI_CODE,
    FAMILY_CODE,
    FAMILY_LABEL,
    MET,
    MET_MASKED,
    METIER_CODE,
    METIER_LABEL,
    PERIOD,
    POPULATION,
    PROJECTS,
    RATE,
    REGION_CODE,
    SMET,
    SMET_MASKED,
    SUPPRESSED,
    XMET,
    XMET_MASKED,
    YEAR,
    ZONE_EMPLOI_CODE,
)
from diagnostics.analytics.indicators import TABLE_TITLES, basin_diagnostic

BASIN = {"id": 7, "name": "Bassin de test", "communes": ["c1", "c2"]}


@pytest.fixture
def communes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            COMMUNE_CODE: ["c1", "c2", "c3", "c4", "c5"],
            POPULATION: [1000, 3000, 2000, 4000, 10000],
            ZONE_EMPLOI_CODE: ["Z1", "Z1", "Z2", "Z2", "Z3"],
            BASSIN_BMO_CODE: ["B1", "B1", "B2", "B2", "B3"],
            EPCI_CODE: ["E1", "E1", "E2", "E2", "E3"],
            DEPARTEMENT_CODE: ["52", "52", "52", "52", "75"],
            REGION_CODE: ["44", "44", "44", "44", "11"],
        }
    )


METIERS = {
    "M1": ("Cuisiniers", "V", "Vente"),
    "M2": ("Soudeurs", "I", "Industrie"),
    "M3": ("Chaudronniers", "I", "Industrie"),
}


@pytest.fixture
def bmo() -> pd.DataFrame:
    rows = [
        # year, bassin, métier, met, xmet, smet
        (2023, "B1", "M1", 30, 24, 6),
        (2023, "B1", "M2", None, None, None),
        (2023, "B1", "M3", 20, 15, 0),
        (2025, "B1", "M1", 40, 32, 8),
        (2025, "B1", "M2", 12, 10, None),
        (2025, "B1", "M3", None, None, None),
        (2023, "B2", "M1", 100, 50, 10),
        (2023, "B2", "M3", 50, 20, 5),
        (2025, "B2", "M1", 110, 60, 10),
        (2025, "B2", "M3", 40, 10, 5),
        (2023, "B3", "M1", 200, 100, 50),
        (2023, "B3", "M2", 100, 20, 0),
        (2025, "B3", "M1", 150, 75, 30),
        (2025, "B3", "M2", 150, 30, 0),
    ]
    frame = pd.DataFrame(rows, columns=[YEAR, BASSIN_BMO_CODE, METIER_CODE, MET, XMET, SMET])
    for column, flag in ((MET, MET_MASKED), (XMET, XMET_MASKED), (SMET, SMET_MASKED)):
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
        frame[flag] = frame[column].isna()
    frame[METIER_LABEL] = frame[METIER_CODE].map(lambda c: METIERS[c][0])
    frame[FAMILY_CODE] = frame[METIER_CODE].map(lambda c: METIERS[c][1])
    frame[FAMILY_LABEL] = frame[METIER_CODE].map(lambda c: METIERS[c][2])
    return frame


@pytest.fixture
def unemployment() -> pd.DataFrame:
    return pd.DataFrame(
        {
            ZONE_EMPLOI_CODE: ["Z1", "Z1", "Z1", "Z1", "Z2", "Z3"],
            # 2022-T4 is missing: the break must be reported.
            PERIOD: ["2022-T3", "2023-T1", "2023-T2", "2023-T3", "2023-T3", "2023-T3"],
            RATE: pd.array([7.0, 6.0, 6.2, 5.9, 8.0, 10.0], dtype="Float64"),
        }
    )


def test_basin_diagnostic_document_on_an_exact_basin(communes, bmo, unemployment):
    result = basin_diagnostic(basin=BASIN, communes=communes, bmo=bmo, unemployment=unemployment)
    doc = result.document

    assert doc["basin"]["id"] == 7
    assert doc["basin"]["population"] == 4000
    assert doc["basin"]["communes"] == 2
    assert doc["basin"]["region_code"] == "44"

    y2023, y2025 = doc["years"]["2023"], doc["years"]["2025"]
    # 2023: Σmet = 30 + 20 = 50 (M2 secret); Σxmet = 24 + 15 = 39 → 39 / 50 = 0.78;
    # Σsmet = 6 + 0 = 6 → 0.12; 50 / 4000 × 1000 = 12.5 per 1 000 inhabitants.
    assert y2023["population"] == 4000
    assert y2023["bmo_projects"] == 50
    assert y2023["bmo_difficult"] == 39
    assert y2023["bmo_seasonal"] == 6
    assert y2023["bmo_difficulty_rate"] == 0.78
    assert y2023["bmo_seasonal_rate"] == 0.12
    assert y2023["bmo_projects_per_1000"] == 12.5
    assert y2023["bmo_masked_cells"] == 1
    assert y2023["bmo_estimated"] is False
    # 2025: Σmet = 40 + 12 = 52 (M3 secret); Σxmet = 32 + 10 = 42 → 42 / 52 = 0.8077;
    # seasonal over cells with smet published: 8 / 40 = 0.2.
    assert y2025["bmo_projects"] == 52
    assert y2025["bmo_difficulty_rate"] == 0.8077
    assert y2025["bmo_seasonal_rate"] == 0.2
    assert y2025["bmo_masked_cells"] == 1
    # Unemployment: the basin is Z1; 2023 = (6.0 + 6.2 + 5.9) / 3 = 6.03 → 6.0 (3 quarters).
    assert y2023["unemployment_rate"] == 6.0
    assert y2023["unemployment_quarters"] == 3
    assert y2023["unemployment_estimated"] is False
    assert y2023["job_seekers"] is None
    assert doc["unemployment"][-1]["period"] == "2023-T3"
    assert doc["unemployment"][-1]["rate"] == 5.9
    assert doc["unemployment"][-1]["estimated"] is False
    # Region 44 in 2023-T3: (4000 × 5.9 + 6000 × 8.0) / 10000 = 7.16 → 7.2.
    assert doc["unemployment"][-1]["region_rate"] == 7.2

    # Tension: M1 at 80 % both years with ≥ 20 projects → durable; M3 was at 75 % in 2023
    # but is secret in 2025; M2's 10 / 12 rests on 12 projects only.
    assert doc["tension_metiers"] == [
        {
            "code": "M1",
            "label": "Cuisiniers",
            "family": "V",
            "projects": 40,
            "difficult": 32,
            "difficulty_rate": 0.8,
            "durable": True,
            "years_in_tension": 2,
            "estimated": False,
        }
    ]

    # Breaks are shown, partial sources said.
    assert doc["gaps"]["bmo"] == ["2024"]
    assert doc["gaps"]["unemployment"] == ["2022-T4"]
    assert any("demandeurs d'emploi" in w for w in doc["warnings"])
    assert doc["job_seekers"] == []
    assert doc["tension_dares"] is None
    assert "non calculé" in doc["method"]["tension"]
    assert (
        "réunion exacte" in doc["method"]["bmo"] or "correspond exactement" in doc["method"]["bmo"]
    )
    json.dumps(doc, allow_nan=False)  # JSON-serialisable, no NaN


def test_basin_diagnostic_structure_and_comparison(communes, bmo, unemployment):
    doc = basin_diagnostic(
        basin=BASIN, communes=communes, bmo=bmo, unemployment=unemployment
    ).document

    # 2025 families: basin V 40, I 12 (52). France: V 40 + 110 + 150 = 300,
    # I 12 + 40 + 150 = 202 (502). LQ(V) = (40 / 52) / (300 / 502) = 1.287 > 1.2.
    france = {row["code"]: row for row in doc["bmo"]["location_quotients"]["france"]}
    assert france["V"]["lq"] == pytest.approx((40 / 52) / (300 / 502), abs=1e-3)
    assert france["V"]["concentrated"] is True
    assert france["I"]["concentrated"] is False
    # Region 44 = B1 + B2: V 150, I 52 → LQ(V) = (40 / 52) / (150 / 202) = 1.036.
    region = {row["code"]: row for row in doc["bmo"]["location_quotients"]["region"]}
    assert region["V"]["lq"] == pytest.approx((40 / 52) / (150 / 202), abs=1e-3)

    # Shift-share 2023 → 2025 against France: g_N = (502 − 500) / 500 = 0.004;
    # V: national share 30 × 0.004 = 0.12; the three parts add up to the change, 52 − 50 = 2.
    shift = doc["bmo"]["shift_share"]
    families = {row["code"]: row for row in shift["families"]}
    assert families["V"]["national_share"] == pytest.approx(0.1, abs=0.05)
    total = shift["total"]
    assert total["national_share"] + total["industry_mix"] + total["regional_shift"] == (
        pytest.approx(total["change"], abs=0.2)
    )
    assert total["change"] == pytest.approx(2.0)

    # Peers (bassins, 2025, all under 30 000 inhabitants): per 1 000 inhabitants
    # B2 150 / 6000 = 25, B3 300 / 10000 = 30, basin 52 / 4000 = 13 → rank 3 of 3.
    comparison = {row["indicator"]: row for row in doc["comparison"]}
    assert comparison["projects_per_1000"]["value"] == 13.0
    assert comparison["projects_per_1000"]["rank"] == 3
    assert comparison["projects_per_1000"]["peers"] == 3
    assert comparison["unemployment_rate"]["rank"] == 3


def test_basin_diagnostic_tables_behind_every_section(communes, bmo, unemployment):
    result = basin_diagnostic(basin=BASIN, communes=communes, bmo=bmo, unemployment=unemployment)

    for name in (
        "years",
        "bmo_years",
        "bmo_families",
        "bmo_metiers",
        "tension_metiers",
        "lq_france",
        "shift_share",
        "unemployment",
        "comparison",
        "changes",
    ):
        assert name in result.tables, name
        assert name in TABLE_TITLES
    changes = result.tables["changes"].set_index("indicator")
    # Projects 50 → 52 over 2 years: +2, +4 %, √1.04 − 1 = 1.98 % a year.
    assert changes.loc["bmo_projects", "absolute_change"] == pytest.approx(2)
    assert changes.loc["bmo_projects", "annual_rate"] == pytest.approx(1.04**0.5 - 1)


def test_basin_diagnostic_estimated_basin_flags_and_suppresses(communes, bmo, unemployment):
    basin = {**BASIN, "communes": ["c1", "c2", "c3"]}

    result = basin_diagnostic(basin=basin, communes=communes, bmo=bmo, unemployment=unemployment)
    doc = result.document

    # B1 whole + B2 apportioned by population: c3 is 2000 of B2's 6000 inhabitants (1/3).
    # 2023: 50 + (100 + 50) / 3 = 100 projects, estimated.
    assert doc["years"]["2023"]["bmo_projects"] == 100
    assert doc["years"]["2023"]["bmo_estimated"] is True
    assert doc["bmo"]["estimated"] is True
    # M1 in 2025: (32 + 60 / 3) / (40 + 110 / 3) = 52 / 76.7 = 0.678 < 0.7: B2's easier
    # recruitments pull it out of tension once c3 is in the basin.
    assert doc["tension_metiers"] == []
    assert "répartis au prorata de la population" in doc["method"]["bmo"]
    # Unemployment 2023-T3: (4000 × 5.9 + 2000 × 8.0) / 6000 = 6.6, estimated.
    assert doc["unemployment"][-1]["rate"] == 6.6
    assert doc["unemployment"][-1]["estimated"] is True
    # M3 in 2025: difficult = 10 / 3 = 3.3 < 5 (B1's cell is secret): not shown.
    metiers = result.tables["bmo_metiers"].set_index([YEAR, "metier_code"])
    m3 = metiers.loc[(2025, "M3")]
    assert pd.isna(m3[DIFFICULT])
    assert m3[PROJECTS] == pytest.approx(40 / 3)
    assert bool(m3[SUPPRESSED]) is True


def test_basin_diagnostic_without_any_source_is_a_partial_report(communes):
    doc = basin_diagnostic(basin=BASIN, communes=communes).document

    assert doc["years"] == {}
    assert doc["bmo"] is None
    assert doc["unemployment"] == []
    assert len(doc["warnings"]) == 3
    json.dumps(doc, allow_nan=False)


def test_basin_diagnostic_bmo_without_the_basins_bassins(communes, bmo):
    only_b3 = bmo[bmo[BASSIN_BMO_CODE] == "B3"]

    doc = basin_diagnostic(basin=BASIN, communes=communes, bmo=only_b3).document

    assert any("Aucun projet de recrutement BMO" in w for w in doc["warnings"])
    assert doc["tension_metiers"] == []


def test_basin_diagnostic_refuses_an_empty_basin(communes):
    with pytest.raises(ValueError, match="aucune commune"):
        basin_diagnostic(basin={"id": 1, "name": "vide", "communes": []}, communes=communes)


def test_basin_diagnostic_names_unknown_communes(communes):
    with pytest.raises(ValueError, match="absentes de la table de passage : c9"):
        basin_diagnostic(basin={**BASIN, "communes": ["c1", "c9"]}, communes=communes)


def test_basin_diagnostic_names_missing_bmo_columns(communes, bmo):
    with pytest.raises(ValueError, match="Colonnes manquantes dans les faits BMO : met"):
        basin_diagnostic(basin=BASIN, communes=communes, bmo=bmo.drop(columns=[MET]))
