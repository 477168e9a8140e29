"""ROME 4.0 referential (kind `rome`): codes, job titles, domains."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diagnostics.importers import rome
from diagnostics.importers.contract import ImportFileError
from tests.diagnostics.importers.reference_data import open_data_context, tiny_context

CODES_FILE = "rome_fap/unix_referentiel_code_rome_v460_utf8.csv"
APPELLATIONS_FILE = "rome_fap/unix_referentiel_appellation_v460_utf8.csv"
DOMAINS_FILE = "rome_fap/gip_code_rome_domaine_professionnel.csv"


def write(
    tmp_path: Path,
    text: str,
    *,
    name: str = "referentiel_code_rome_v460.csv",
    encoding: str = "utf-8",
) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.realdata
def test_rome_codes_real_file(open_data_dir: Path) -> None:
    raw = pd.read_csv(open_data_dir / CODES_FILE, dtype=str)

    res = rome.read(open_data_dir / CODES_FILE, vintage=None, context=tiny_context())

    frame = res.frame.set_index("code")
    assert res.ok, res.errors[:5]
    assert res.vintage == "v460"
    assert res.nomenclature == "ROME 4.0 v460"
    assert len(frame) == raw["code_rome"].nunique() == 1584
    assert int(frame["is_main_fiche"].sum()) == int(
        (raw["code_rome"] == raw["code_rome_parent"]).sum()
    )
    assert frame["grand_domaine_code"].nunique() == raw["code_rome"].str[0].nunique() == 14
    assert frame["domaine_code"].nunique() == raw["code_rome"].str[:3].nunique()
    assert int(frame["emploi_cadre"].sum()) == int((raw["emploi_cadre"] == "O").sum())
    assert int(frame["emploi_cadre"].isna().sum()) == int(raw["emploi_cadre"].isna().sum())
    sub = frame.loc["A1102"]
    assert sub["parent_code"] == "A1101" and not bool(sub["is_main_fiche"])
    assert sub["label"] == "Conducteur / Conductrice d'engins d'exploitation forestière"
    assert set(rome.GRANDS_DOMAINES) == set(frame["grand_domaine_code"])


@pytest.mark.realdata
def test_rome_appellations_real_file(open_data_dir: Path) -> None:
    raw = pd.read_csv(open_data_dir / APPELLATIONS_FILE, dtype=str)

    res = rome.read(
        open_data_dir / APPELLATIONS_FILE, vintage=None, context=open_data_context(open_data_dir)
    )

    assert res.ok, res.errors[:5]
    assert res.vintage == "v460-appellations"
    assert len(res.frame) == len(raw) == 13120
    assert int(res.frame["is_main"].sum()) == int((raw["classification"] == "PRINCIPALE").sum())
    assert int(res.frame["rarely_used"].sum()) == int((raw["peu_usite"] == "O").sum())


@pytest.mark.realdata
def test_rome_domains_real_file_labels_match_constants(open_data_dir: Path) -> None:
    raw = pd.read_csv(open_data_dir / DOMAINS_FILE, dtype=str)

    res = rome.read(open_data_dir / DOMAINS_FILE, vintage=None, context=tiny_context())

    frame = res.frame
    assert res.ok, res.errors[:5]
    assert res.vintage == "rome-domaines"
    grands = frame[frame["level"] == "grand_domaine"].set_index("code")["label"].to_dict()
    assert grands == rome.GRANDS_DOMAINES
    domaines = frame[frame["level"] == "domaine"].set_index("code")["label"]
    assert len(domaines) == raw["domaine_professionnel"].nunique()
    assert domaines["A11"] == "Engins agricoles et forestiers"


# --- Bad input -------------------------------------------------------------------------------

HEADER = "code_rome,code_ogr,libelle_rome,emploi_cadre,code_rome_parent\n"


def test_rome_missing_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "code_rome,code_ogr\nA1101,6\n")

    with pytest.raises(ImportFileError) as exc:
        rome.read(path, vintage=None, context=tiny_context())

    assert "libelle_rome" in exc.value.message


def test_rome_bad_rows_each_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + "A1101,6,Conducteur d'engins agricoles,N,A1101\n"
        + "A110,7,Code trop court,N,A1101\n"
        + "A1102,8,Sous-fiche orpheline,N,A9999\n"
        + "A1103,9,Drapeau faux,X,A1101\n"
        + "A1104,10,,N,A1101\n"
        + "A1101,11,Doublon,N,A1101\n",
    )

    res = rome.read(path, vintage=None, context=tiny_context())

    got = sorted((e.line, e.column, str(e.as_dict()["value"])) for e in res.errors)
    assert got == [
        (3, "code_rome", "A110"),
        (4, "code_rome_parent", "A9999"),
        (5, "emploi_cadre", "X"),
        (6, "libelle_rome", "None"),
        (7, "code_rome", "A1101"),
    ]
    rules = {e.line: e.rule for e in res.errors}
    assert rules[3] == "code ROME mal formé (attendu : A1234)"
    assert rules[4] == "fiche parente absente du référentiel"
    assert rules[7] == "clé en double (déjà présente ligne 2)"


def test_rome_version_needed_when_not_in_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "A1101,6,Conducteur,N,A1101\n", name="rome.csv")

    with pytest.raises(ImportFileError) as exc:
        rome.read(path, vintage=None, context=tiny_context())
    res = rome.read(path, vintage="v459", context=tiny_context())

    assert "v460" in exc.value.message
    assert res.ok and res.vintage == "v459"


def test_rome_appellations_need_known_codes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "code_ogr,libelle_appellation_long,libelle_appellation_court,code_rome,classification,"
        "peu_usite\n"
        "10200,Abatteur de carrière,Abatteur,A1101,SYNONYME,N\n"
        "10201,Accastilleur,Accastilleur,I1601,SYNONYME,N\n",
        name="referentiel_appellation_v460.csv",
    )

    res = rome.read(path, vintage=None, context=tiny_context())

    assert [(e.line, e.column, e.value) for e in res.errors] == [(3, "code_rome", "I1601")]
    assert res.vintage == "v460-appellations"


def test_rome_cp1252_semicolon_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "code_rome;code_ogr;libelle_rome;emploi_cadre;code_rome_parent\n"
        "A1201;7;Bûcheron / Bûcheronne;N;A1201\n",
        encoding="cp1252",
    )

    res = rome.read(path, vintage=None, context=tiny_context())

    assert res.ok, res.errors
    assert res.frame.iloc[0]["label"] == "Bûcheron / Bûcheronne"
    assert res.frame.iloc[0]["domaine_code"] == "A12"
