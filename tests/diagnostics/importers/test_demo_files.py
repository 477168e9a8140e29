"""The demo's generated files are in the publishers' layouts and the real importers accept them."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from diagnostics.analytics import synthetic_bmo_file, synthetic_file_common, synthetic_labour_files
from diagnostics.analytics import synthetic_files as sf
from diagnostics.analytics.synthetic import synthetic_territory
from diagnostics.importers import (
    bmo,
    chomage_ze,
    defm,
    defm_secteur,
    lycees,
    population_age,
    rome,
    tensions,
)
from diagnostics.importers.contract import ValidationContext
from diagnostics.importers.registry import detect_kind
from diagnostics.services.demo_facts import catalogue_codes


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return synthetic_territory().frames


@pytest.fixture(scope="module")
def codes() -> tuple[list[str], list[str], list[tuple[str, str]]]:
    return catalogue_codes(Path(__file__).parents[3] / "fixtures" / "catalogue_illustratif.json")


@pytest.fixture(scope="module")
def files(
    frames: dict[str, pd.DataFrame], codes: tuple[list[str], list[str], list[tuple[str, str]]]
) -> dict[str, sf.DemoFile]:
    metiers, romes, rome_fap = codes
    return {
        f.name: f for f in sf.demo_files(frames, metiers=metiers, romes=romes, rome_fap=rome_fap)
    }


@pytest.fixture(scope="module")
def context(
    frames: dict[str, pd.DataFrame], codes: tuple[list[str], list[str], list[tuple[str, str]]]
) -> ValidationContext:
    communes = frames["communes"]
    _, romes, _ = codes
    return ValidationContext(
        communes=frozenset(communes["code"]),
        zones_emploi=frozenset(frames["zones_emploi"]["code"]),
        bassins_bmo=frozenset(frames["bassins_bmo"]["code"]),
        departements=frozenset(frames["departements"]["code"]),
        regions=frozenset(frames["regions"]["code"]),
        epci=frozenset(frames["epci"]["code"]),
        rome=frozenset(romes),
    )


def write(tmp_path: Path, demo_file: sf.DemoFile) -> Path:
    path = tmp_path / demo_file.name
    path.write_bytes(demo_file.content)
    return path


def test_demo_files_names_are_announced_and_tagged(files: dict[str, sf.DemoFile]) -> None:
    assert list(files) == sf.demo_file_names()
    assert all("demo-fictif" in name for name in files)
    assert [f.kind for f in files.values()] == [
        "rome", "chomage_ze", "defm", "tensions", "tensions", "lycees", "population_age",
        "defm_secteur", "bmo", "bmo", "bmo",
    ]  # fmt: skip


def test_demo_files_are_the_same_bytes_for_the_same_seed(
    frames: dict[str, pd.DataFrame],
    codes: tuple[list[str], list[str], list[tuple[str, str]]],
    files: dict[str, sf.DemoFile],
) -> None:
    metiers, romes, rome_fap = codes
    again = sf.demo_files(frames, metiers=metiers, romes=romes, rome_fap=rome_fap)

    # XLSX included: its timestamps are fixed, so a second demo run finds them imported.
    assert {f.name: f.content for f in again} == {n: f.content for n, f in files.items()}


def test_demo_bmo_sheets_and_column_orders_follow_each_campaign(
    files: dict[str, sf.DemoFile],
) -> None:
    first = pd.ExcelFile(
        io.BytesIO(files["Base_open_data_BMO_2023_demo-fictif.xlsx"].content), engine="openpyxl"
    )
    last = pd.ExcelFile(
        io.BytesIO(files["Base_open_data_BMO_2025_demo-fictif.xlsx"].content), engine="openpyxl"
    )

    assert first.sheet_names == ["Description des variables", "BMO_2023_open_data"]
    assert last.sheet_names == ["Description_des_variables", "BMO_2025_open_data"]
    head_2023 = list(pd.read_excel(first, "BMO_2023_open_data", nrows=0).columns)
    head_2025 = list(pd.read_excel(last, "BMO_2025_open_data", nrows=0).columns)
    assert head_2023 == [
        "annee", "Code métier BMO", "Nom métier BMO", "Famille_met", "Lbl_fam_met", "BE23",
        "NOMBE23", "Dept", "NomDept", "REG", "NOM_REG", "met", "xmet", "smet",
    ]  # fmt: skip
    assert head_2025 == [
        "annee", "Code métier BMO", "Nom métier BMO", "Famille_met", "Lbl_fam_met", "REG",
        "NOM_REG", "Dept", "NomDept", "BE25", "NOMBE25", "met", "xmet", "smet",
    ]  # fmt: skip
    sheet = pd.read_excel(last, "BMO_2025_open_data", dtype=str)
    # FAP 2021 based codes from 2024, FAP 2009 based in 2023.
    assert sheet["Code métier BMO"].str[2].ne("Z").all()
    codes_2023 = pd.read_excel(first, "BMO_2023_open_data", dtype=str)["Code métier BMO"]
    assert codes_2023.str[2].ne("X").all()
    # Masked cells are « * », never 0; difficult and seasonal never above the projects.
    assert (sheet["xmet"] == "*").any()
    known = sheet[(sheet[["met", "xmet", "smet"]] != "*").all(axis=1)]
    met, xmet, smet = (known[c].astype(int) for c in ("met", "xmet", "smet"))
    assert (xmet <= met).all() and (smet <= met).all() and (met > 0).all()


def test_demo_bmo_2023_masking_rule(frames: dict[str, pd.DataFrame]) -> None:
    sheets = synthetic_bmo_file.bmo_frames(frames, metiers=["D1X30", "D1Z40"])

    for sheet in sheets.values():
        masked_met = sheet["met"] == "*"
        # A masked `met` masks the whole row; no count below 4 is published for xmet / smet.
        assert (sheet.loc[masked_met, ["xmet", "smet"]] == "*").all().all()
        for column in ("xmet", "smet"):
            published = sheet.loc[sheet[column] != "*", column].astype(int)
            assert not published.between(1, 3).any()


def test_demo_unemployment_workbook_has_the_insee_layout(files: dict[str, sf.DemoFile]) -> None:
    book = pd.ExcelFile(
        io.BytesIO(files["chomage-zone-t1-2016-t2-2025_demo-fictif.xlsx"].content),
        engine="openpyxl",
    )

    assert book.sheet_names == ["Documentation", "txcho_ze", "txcho_parties reg"]
    raw = pd.read_excel(book, "txcho_ze", header=None, dtype=object)
    assert raw.iloc[4, 0] == "Code de la zone d'emploi 2020"
    assert list(raw.iloc[5, :6]) == ["ZE2020", "LIBZE2020", "REG", "LIBREG", "2016-T1", "2016-T2"]
    assert raw.iloc[5, -1] == "2025-T2"
    assert len(synthetic_file_common.UNEMPLOYMENT_QUARTERS) == 38  # 9.5 years of quarters


def test_demo_tension_files_use_semicolons_and_decimal_commas(
    files: dict[str, sf.DemoFile],
) -> None:
    text_2021 = files["tensions_rome_bassin_2021_demo-fictif.csv"].content.decode("utf-8")
    text_2019 = files["tensions_rome_bassin_2019_demo-fictif.csv"].content.decode("cp1252")

    assert text_2021.splitlines()[0] == (
        "annee;ROME;cbassin;oee;defm_abc;ind_tension_d;ind_int_emb_d;ind_main_oeuvre_d;"
        "ind_dur_empl_d;ind_cond_travail_d;ind_mismatch_geo_d;ind_specif_form_empl_d"
    )
    first = text_2021.splitlines()[1].split(";")
    assert "," in first[3] and "." not in first[3]  # offers: decimal comma
    assert len(first[2]) == 4  # bassin code zero-padded as published
    assert text_2019.splitlines()[0] == (
        "libfap;ROME;fap;annee;oee;defm_abc;ind_tension_d;cbassin;lib_bassin_bmo19"
    )
    assert "\r\n" in text_2019


def test_demo_job_seekers_departement_covers_its_published_communes(
    frames: dict[str, pd.DataFrame],
) -> None:
    seekers = synthetic_labour_files.job_seekers_frame(frames)
    communes = frames["communes"].set_index("code")

    assert list(seekers.columns) == ["codgeo", "YEAR", "Demandeurs_Emploi"]
    assert seekers["YEAR"].nunique() == 54  # January 2021 to June 2025: at least 36 months
    assert seekers["YEAR"].iloc[0] == "janvier_2021"
    assert (seekers["Demandeurs_Emploi"] % 10 == 0).all()  # rounded to the ten
    month = seekers[seekers["YEAR"] == "juin_2025"]
    towns = month[(month["codgeo"].str.len() == 5) & ~month["codgeo"].str.startswith("reg")]
    assert (communes.loc[towns["codgeo"], "population"] >= 5_000).all()
    deps = month[month["codgeo"].str.len() == 2].set_index("codgeo")["Demandeurs_Emploi"]
    by_dep = towns.assign(dep=communes.loc[towns["codgeo"], "departement_code"].to_numpy())
    published = by_dep.groupby("dep")["Demandeurs_Emploi"].sum()
    # The residual left for the small communes is positive in every département.
    assert (deps.loc[published.index] > published).all()


def test_demo_files_are_detected_and_accepted_by_the_real_importers(
    tmp_path: Path, files: dict[str, sf.DemoFile], context: ValidationContext
) -> None:
    readers = {
        "rome": rome, "chomage_ze": chomage_ze, "defm": defm, "tensions": tensions,
        "lycees": lycees, "bmo": bmo, "population_age": population_age,
        "defm_secteur": defm_secteur,
    }  # fmt: skip
    results = {}
    for name, demo_file in files.items():
        path = write(tmp_path, demo_file)
        fmt = "xlsx" if name.endswith(".xlsx") else "csv"
        kind, _ = detect_kind(path, fmt=fmt)
        assert kind == demo_file.kind, name
        vintage = demo_file.vintage if kind == "defm_secteur" else None  # the file has no date
        result = readers[kind].read(path, vintage=vintage, context=context)
        assert result.errors == [], (name, result.errors[:3])
        results[name] = result

    assert results["Base_open_data_BMO_2023_demo-fictif.xlsx"].nomenclature.startswith("FAP 2009")
    assert results["Base_open_data_BMO_2025_demo-fictif.xlsx"].nomenclature.startswith("FAP 2021")
    assert results["chomage-zone-t1-2016-t2-2025_demo-fictif.xlsx"].vintage == "2025-T2"
    bmo_2025 = results["Base_open_data_BMO_2025_demo-fictif.xlsx"].frame
    assert bmo_2025["xmet_masked"].any()
    assert not bmo_2025.loc[bmo_2025["xmet_masked"], "xmet"].notna().any()
    found = results["fr-en-annuaire-education_demo-fictif.csv"].frame
    # Schools and collèges are left out; vocational and technological flags are official.
    assert set(found["voie_professionnelle"].dropna()) == {True, False}
    assert found["voie_technologique"].notna().all()
    assert not found["name"].str.startswith(("École", "Collège")).any()
    ages = results["estim-pop-dep-sexe-aq-2011-2021_demo-fictif.xlsx"]
    assert ages.vintage == "2021" and ages.period == "2011 → 2021"
    # 11 years × the territory's départements × 3 sexes × 20 bands, none contradicted.
    departements = ages.frame["departement_code"].nunique()
    assert len(ages.frame) == 11 * departements * 3 * 20
    assert ages.frame["population"].notna().all()
