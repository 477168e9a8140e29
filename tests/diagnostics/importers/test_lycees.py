"""Lycées from the annuaire de l'éducation (kind `lycees`), full and reduced layouts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diagnostics.importers import lycees
from diagnostics.importers.contract import ImportFileError
from tests.diagnostics.importers.reference_data import open_data_context, tiny_context

FULL_FILE = "annuaire_education/msimonin_fr-en-annuaire-education_dep35.csv"
REDUCED_FILE = "annuaire_education/odis_lycees_france_coords.csv"
COLLEGES_FILE = "annuaire_education/msimonin_fr-en-adresse-et-geolocalisation_dep35.csv"


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "lycees.csv"
    path.write_bytes(text.encode(encoding))
    return path


# --- The real files --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw_full(open_data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(open_data_dir / FULL_FILE, sep=";", dtype=str, encoding="utf-8-sig")


@pytest.mark.realdata
def test_lycees_full_schema_dep35_official_flags(
    open_data_dir: Path, raw_full: pd.DataFrame
) -> None:
    res = lycees.read(
        open_data_dir / FULL_FILE, vintage=None, context=open_data_context(open_data_dir)
    )

    frame = res.frame.set_index("uai")
    lyc = raw_full[raw_full["Type_etablissement"] == "Lycée"]
    pro = lyc.loc[lyc["Voie_professionnelle"] == "1", "Identifiant_de_l_etablissement"]
    techno = lyc.loc[lyc["Voie_technologique"] == "1", "Identifiant_de_l_etablissement"]
    no_flag = lyc.groupby("Identifiant_de_l_etablissement")["Voie_professionnelle"].apply(
        lambda s: s.isna().all()
    )
    assert res.ok, res.errors
    assert res.vintage == "officiel-35"
    assert len(frame) == lyc["Identifiant_de_l_etablissement"].nunique()
    assert int(frame["voie_professionnelle"].sum()) == pro.nunique()
    assert int(frame["voie_technologique"].sum()) == techno.nunique()
    assert int(frame["voie_professionnelle"].isna().sum()) == int(no_flag.sum())
    assert frame["vocational_guess_from_name"].isna().all()
    # Vitré: the vocational lycée la Champagne, with its official flag and coordinates.
    champagne = frame.loc["0350709F"]
    assert bool(champagne["voie_professionnelle"]) is True
    assert champagne["commune_code"] == "35360"
    raw_row = lyc[lyc["Identifiant_de_l_etablissement"] == "0350709F"].iloc[0]
    assert champagne["latitude"] == pytest.approx(float(raw_row["latitude"]))
    assert champagne["longitude"] == pytest.approx(float(raw_row["longitude"]))
    # A multi-line establishment (official flag) is one lycée; a line saying 1 wins.
    multi = lyc[lyc["etablissement_multi_lignes"] == "1"]["Identifiant_de_l_etablissement"]
    assert res.notes[lycees.NOTE_MULTI_LINES] == multi.nunique()
    assert bool(frame.loc["0352072M", "voie_professionnelle"]) is True
    assert frame.loc["0352072M", "other_names"] != ""


@pytest.mark.realdata
def test_lycees_reduced_national_flags_unknown_guess_apart(open_data_dir: Path) -> None:
    raw = pd.read_csv(open_data_dir / REDUCED_FILE, dtype=str)

    res = lycees.read(
        open_data_dir / REDUCED_FILE, vintage=None, context=open_data_context(open_data_dir)
    )

    frame = res.frame.set_index("uai")
    assert res.ok, res.errors[:5]
    assert res.vintage == "reduit-france"
    assert len(frame) == raw["identifiant_de_l_etablissement"].nunique()
    for flag in ("voie_professionnelle", "voie_technologique", "lycee_des_metiers"):
        assert frame[flag].isna().all()
    guess = (
        raw.drop_duplicates("identifiant_de_l_etablissement")
        .set_index("identifiant_de_l_etablissement")["nom_suggere_pro"]
        .eq("True")
    )
    # A multi-line UAI takes True if any line's name suggests it.
    any_guess = raw.groupby("identifiant_de_l_etablissement")["nom_suggere_pro"].apply(
        lambda s: s.eq("True").any()
    )
    assert int(frame["vocational_guess_from_name"].sum()) == int(any_guess.sum())
    assert len(guess) == len(frame)
    # Chaumont's lycées are all there, with coordinates.
    chaumont = raw[raw["code_commune"] == "52121"]["identifiant_de_l_etablissement"]
    assert set(frame[frame["commune_code"] == "52121"].index) == set(chaumont)
    assert {"0520008B", "0520844K", "0521032P"} <= set(chaumont)
    assert frame.loc[frame["commune_code"] == "52121", "latitude"].notna().all()
    # Paris arrondissements → Paris; overseas collectivities kept outside the COG communes.
    assert not frame["commune_code"].str.match(r"^751(0\d|1\d|20)$").any()
    paris = raw["code_commune"].str.match(r"^751\d\d$")
    assert (frame["commune_code"] == "75056").sum() == raw.loc[
        paris, "identifiant_de_l_etablissement"
    ].nunique()
    overseas = raw["code_commune"].str.match(r"^97[578]\d\d$")
    assert int((~frame["commune_known"]).sum()) == int(overseas.sum())


@pytest.mark.realdata
def test_lycees_file_without_lycee_is_refused(open_data_dir: Path) -> None:
    with pytest.raises(ImportFileError) as exc:
        lycees.read(
            open_data_dir / COLLEGES_FILE, vintage=None, context=open_data_context(open_data_dir)
        )

    assert "Identifiant_de_l_etablissement" in exc.value.message


# --- Bad input -------------------------------------------------------------------------------

REDUCED_HEADER = (
    "identifiant_de_l_etablissement,nom_etablissement,type_etablissement,statut_public_prive,"
    "code_commune,nom_commune,code_region,code_academie,voie_generale,nombre_d_eleves,longitude,"
    "latitude,nom_suggere_pro\n"
)
FULL_HEADER = (
    "Identifiant_de_l_etablissement;Nom_etablissement;Type_etablissement;Statut_public_prive;"
    "Code_commune;Voie_generale;Voie_technologique;Voie_professionnelle;Nombre_d_eleves;"
    "latitude;longitude;etablissement_multi_lignes\n"
)


def test_lycees_missing_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "identifiant_de_l_etablissement,nom_etablissement\n0520008B,Lycée\n")

    with pytest.raises(ImportFileError) as exc:
        lycees.read(path, vintage=None, context=tiny_context())

    assert "Type_etablissement" in exc.value.message and "Code_commune" in exc.value.message


def test_lycees_bad_rows_each_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        REDUCED_HEADER
        + "0520008B,LP Decomble,Lycée,Public,52121,Chaumont,44,19,0,383.0,5.14,48.09,True\n"
        + "052000,Sans UAI,Lycée,Public,52121,Chaumont,44,19,0,,5.14,48.09,True\n"
        + "0520009C,Inconnue,Lycée,Public,99999,Nulle part,44,19,0,,5.14,48.09,False\n"
        + "0520010D,Négatif,Lycée,Public,52121,Chaumont,44,19,0,-5,5.14,48.09,False\n"
        + "0520011E,Loin,Lycée,Public,52121,Chaumont,44,19,0,,5.14,148.09,False\n"
        + "0520012F,Drapeau,Lycée,Public,52121,Chaumont,44,19,2,,5.14,48.09,False\n"
        + "0520013G,Doublon,Lycée,Public,35360,Vitré,53,14,1,,-1.2,48.1,False\n"
        + "0520013G,Doublon bis,Lycée,Public,52121,Chaumont,44,19,1,,5.14,48.09,False\n",
    )

    res = lycees.read(path, vintage=None, context=tiny_context())

    got = sorted((e.line, e.column, str(e.value)) for e in res.errors)
    assert got == [
        (3, "Identifiant_de_l_etablissement", "052000"),
        (4, "Code_commune", "99999"),
        (5, "Nombre_d_eleves", "-5"),
        (6, "latitude", "148.09"),
        (7, "voie_generale", "2"),
        (9, "Identifiant_de_l_etablissement", "0520013G"),
    ]
    rules = {e.line: e.rule for e in res.errors}
    assert rules[6] == "hors limites (entre -90 et 90 degrés)"
    assert rules[9] == "UAI en double sur des communes différentes (déjà présent ligne 8)"


def test_lycees_full_schema_undeclared_duplicate_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        FULL_HEADER
        + "0350709F;LP la Champagne;Lycée;Public;35360;0;0;1;391;48.12;-1.2;0\n"
        + "0350709F;LP la Champagne bis;Lycée;Public;35360;0;1;0;391;48.12;-1.2;0\n"
        + "0350001A;École;Ecole;Public;35360;;;;;48.12;-1.2;0\n",
    )

    res = lycees.read(path, vintage=None, context=tiny_context())

    assert [(e.line, e.value) for e in res.errors] == [(3, "0350709F")]
    assert "etablissement_multi_lignes" in res.errors[0].rule
    assert res.notes[lycees.NOTE_ESTABLISHMENTS] == 3 and res.notes[lycees.NOTE_LYCEE_LINES] == 2


def test_lycees_full_schema_declared_multi_lines_merged(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        FULL_HEADER
        + "0350709F;LP la Champagne;Lycée;Public;35360;0;0;1;391;48.12;-1.2;1\n"
        + "0350709F;Annexe Champagne;Lycée;Public;52121;0;1;0;;48.0;5.1;1\n",
    )

    res = lycees.read(path, vintage=None, context=tiny_context())

    assert res.ok, res.errors
    row = res.frame.iloc[0]
    assert len(res.frame) == 1
    assert (row["name"], row["other_names"], row["commune_code"]) == (
        "LP la Champagne",
        "Annexe Champagne",
        "35360",
    )
    assert bool(row["voie_professionnelle"]) and bool(row["voie_technologique"])
    assert not bool(row["voie_generale"])
    assert row["students"] == 391
    assert row["latitude"] == pytest.approx(48.12)
    assert pd.isna(row["vocational_guess_from_name"])


def test_lycees_cp1252_semicolon_decimal_comma_coordinates(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        FULL_HEADER + "0350709F;Lycée professionnel la Champagne;Lycée;Privé;35360;0;;1;1 391;"
        "48,1188;-1,2135;0\n",
        encoding="cp1252",
    )

    res = lycees.read(path, vintage=None, context=tiny_context())

    assert res.ok, res.errors
    row = res.frame.iloc[0]
    assert row["name"] == "Lycée professionnel la Champagne"
    assert row["sector"] == "prive"
    assert row["latitude"] == pytest.approx(48.1188)
    assert row["longitude"] == pytest.approx(-1.2135)
    assert row["students"] == 1391
    assert pd.isna(row["voie_technologique"]) and bool(row["voie_professionnelle"])
