"""DARES / France Travail tension indicators per ROME × bassin BMO (kind `tensions`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diagnostics.importers import tensions
from diagnostics.importers.contract import ImportFileError
from tests.diagnostics.importers.reference_data import open_data_context, tiny_context

FILE_2021 = "tensions_bassin_metier/mobiville_tensions_rome_bassin_2021.csv"
FILE_2019 = "tensions_bassin_metier/mobiville_tensions_fap_rome_bassin_2019_utf8.csv"
KEEP = {tensions.OPTION_KEEP_UNKNOWN_BASSINS: True}
FACTORS = [
    "hiring_intensity", "labour_shortage", "non_durable_employment", "working_conditions",
    "geographic_mismatch", "training_job_link",
]  # fmt: skip


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "tensions.csv"
    path.write_bytes(text.encode(encoding))
    return path


def as_float(series: pd.Series) -> pd.Series:
    # Decimal comma; the 2019 file writes thousands with a no-break space (`1\xa0036`).
    return (
        series.str.replace("\xa0", "", regex=False).str.replace(",", ".", regex=False).astype(float)
    )


# --- The real files --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw_2021(open_data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(open_data_dir / FILE_2021, sep=";", dtype=str)


@pytest.mark.realdata
def test_tensions_2021_unknown_bassin_refused_without_option(
    open_data_dir: Path, raw_2021: pd.DataFrame
) -> None:
    context = open_data_context(open_data_dir)
    spelled = raw_2021["cbassin"].str.zfill(4)
    outside = raw_2021.loc[~spelled.isin(context.bassins_bmo), "cbassin"]

    res = tensions.read(open_data_dir / FILE_2021, vintage=None, context=context)

    assert len(outside) > 0
    assert len(res.errors) == len(outside)
    assert {e.value for e in res.errors} == set(outside)


@pytest.mark.realdata
def test_tensions_2021_real_file_every_component_kept(
    open_data_dir: Path, raw_2021: pd.DataFrame
) -> None:
    res = tensions.read(
        open_data_dir / FILE_2021, vintage=None, context=open_data_context(open_data_dir, **KEEP)
    )

    frame = res.frame
    assert res.ok, res.errors[:5]
    assert res.vintage == "2021"
    assert len(frame) == len(raw_2021)
    assert frame["rome_code"].nunique() == raw_2021["ROME"].nunique()
    assert frame["job_offers"].sum() == pytest.approx(as_float(raw_2021["oee"]).sum())
    assert frame["job_seekers_abc"].sum() == pytest.approx(as_float(raw_2021["defm_abc"]).sum())
    assert frame["tension"].sum() == raw_2021["ind_tension_d"].astype(int).sum()
    assert (
        frame["training_job_link"].isna().sum() == raw_2021["ind_specif_form_empl_d"].isna().sum()
    )
    blank = frame[frame["training_job_link"].isna()]
    assert (blank["missing_indicators"] == "training_job_link").all()
    # Chaumont (bassin 4418), one occupation, value for value.
    row = raw_2021[(raw_2021["cbassin"] == "4418")].iloc[0]
    got = frame[(frame["bassin_code"] == "4418") & (frame["rome_code"] == row["ROME"])].iloc[0]
    assert got["job_offers"] == pytest.approx(float(row["oee"].replace(",", ".")))
    assert got["tension"] == int(row["ind_tension_d"])
    assert got["hiring_intensity"] == int(row["ind_int_emb_d"])
    assert got["labour_shortage"] == int(row["ind_main_oeuvre_d"])
    assert got["non_durable_employment"] == int(row["ind_dur_empl_d"])
    assert got["working_conditions"] == int(row["ind_cond_travail_d"])
    assert got["geographic_mismatch"] == int(row["ind_mismatch_geo_d"])
    # Leading zero: 0203 (Martinique), written on four digits as everywhere.
    assert "0203" in set(frame["bassin_code"]) and "203" not in set(frame["bassin_code"])


@pytest.mark.realdata
def test_tensions_2019_real_file_factors_unknown_not_zero(open_data_dir: Path) -> None:
    raw = pd.read_csv(open_data_dir / FILE_2019, sep=";", dtype=str)

    res = tensions.read(
        open_data_dir / FILE_2019, vintage=None, context=open_data_context(open_data_dir)
    )

    frame = res.frame
    assert res.ok, res.errors[:5]
    assert res.vintage == "2019"
    assert res.notes[tensions.NOTE_LAYOUT] == "2019"
    assert len(frame) == len(raw) == 2088
    assert frame["job_offers"].sum() == as_float(raw["oee"]).sum()
    assert frame["job_seekers_abc"].sum() == as_float(raw["defm_abc"]).sum()
    assert raw["oee"].str.contains("\xa0").any()  # thousands written `1 036`
    assert frame[FACTORS].isna().all().all()
    assert (frame["missing_indicators"] == ",".join(FACTORS)).all()
    assert set(frame["fap2009_code"]) == set(raw["fap"])
    first = frame[(frame["rome_code"] == "A1101") & (frame["bassin_code"] == "3202")].iloc[0]
    assert first["fap2009_label"] == "Conducteurs d'engins agricoles ou forestiers"
    assert first["job_offers"] == 233 and first["tension"] == 5


# --- Bad input -------------------------------------------------------------------------------

HEADER_2021 = (
    "annee;ROME;cbassin;oee;defm_abc;ind_tension_d;ind_int_emb_d;ind_main_oeuvre_d;"
    "ind_dur_empl_d;ind_cond_travail_d;ind_mismatch_geo_d;ind_specif_form_empl_d\n"
)


def test_tensions_missing_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "annee;ROME;cbassin;oee;ind_tension_d\n2021;A1101;4418;3;5\n")

    with pytest.raises(ImportFileError) as exc:
        tensions.read(path, vintage=None, context=tiny_context())

    assert "defm_abc" in exc.value.message


def test_tensions_bad_rows_each_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER_2021
        + "2021;A1101;4418;16,5;28,25;5;5;1;5;4;4;5\n"  # good
        + "2021;A11;4418;1;1;5;5;1;5;4;4;5\n"  # malformed ROME
        + "2021;Z9999;4418;1;1;5;5;1;5;4;4;5\n"  # malformed ROME (letter)
        + "2021;K2204;4418;1;1;5;5;1;5;4;4;5\n"  # good
        + "2021;M1805;4418;-1;1;5;5;1;5;4;4;5\n"  # negative offers
        + "2021;M1805;5317;1;1;6;5;1;5;4;4;5\n"  # tension out of 1-5
        + "2021;M1805;9999;1;1;5;5;1;5;4;4;5\n"  # unknown bassin
        + "2021;A1101;4418;2;2;5;5;1;5;4;4;5\n",  # duplicate key
    )

    res = tensions.read(path, vintage=None, context=tiny_context())

    got = sorted((e.line, e.column, str(e.value)) for e in res.errors)
    assert got == [
        (3, "ROME", "A11"),
        (4, "ROME", "Z9999"),
        (6, "oee", "-1"),
        (7, "ind_tension_d", "6"),
        (8, "cbassin", "9999"),
        (9, "annee + ROME + cbassin", "2021 / A1101 / 4418"),
    ]
    rules = {e.line: e.rule for e in res.errors}
    assert rules[3] == "code ROME mal formé (attendu : A1234)"
    assert rules[7] == "doit être un entier de 1 à 5"
    assert rules[9] == "clé en double (déjà présente ligne 2)"


def test_tensions_unknown_rome_code_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER_2021 + "2021;B1101;4418;1;1;5;5;1;5;4;4;5\n")

    res = tensions.read(path, vintage=None, context=tiny_context())

    assert [(e.line, e.column, e.value, e.rule) for e in res.errors] == [
        (2, "ROME", "B1101", "code inconnu du référentiel ROME")
    ]


def test_tensions_blank_factor_stored_unknown_and_named(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER_2021 + "2021;A1101;0203;16,61538462;28,25;5;;1;5;4;4;\n")

    res = tensions.read(path, vintage=None, context=tiny_context())

    assert res.ok, res.errors
    row = res.frame.iloc[0]
    assert row["bassin_code"] == "0203"
    assert row["job_offers"] == pytest.approx(16.61538462)
    assert row["job_seekers_abc"] == pytest.approx(28.25)
    assert pd.isna(row["hiring_intensity"]) and pd.isna(row["training_job_link"])
    assert row["labour_shortage"] == 1
    assert row["missing_indicators"] == "hiring_intensity,training_job_link"


def test_tensions_cp1252_2019_layout_parsed_right(tmp_path: Path) -> None:
    text = (
        "libfap;ROME;fap;annee;oee;defm_abc;ind_tension_d;cbassin;lib_bassin_bmo19\n"
        "A0Z43 : Conducteurs d'engins agricoles ou forestiers;A1101;A0Z43;2019;233;45,5;5;4418;"
        "CHAUMONT\n"
        "T4Z60 : Agents d'entretien;K2204;T4Z60;2019;12;1 045;4;5317;VITRÉ\n"
    )
    path = write(tmp_path, text, encoding="cp1252")

    res = tensions.read(path, vintage=None, context=tiny_context())

    assert res.ok, res.errors
    got = res.frame.set_index("rome_code")
    assert got.loc["A1101", "job_seekers_abc"] == pytest.approx(45.5)
    assert got.loc["K2204", "job_seekers_abc"] == 1045
    assert got.loc["K2204", "fap2009_code"] == "T4Z60"
    assert got.loc["K2204", "fap2009_label"] == "Agents d'entretien"


def test_tensions_without_rome_referential_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER_2021 + "2021;A1101;4418;1;1;5;5;1;5;4;4;5\n")
    context = tiny_context()
    context.rome = frozenset()

    with pytest.raises(ImportFileError) as exc:
        tensions.read(path, vintage=None, context=context)

    assert "référentiel ROME" in exc.value.message
