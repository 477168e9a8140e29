"""Job seekers per bassin BMO × NAF section (kind `defm_secteur`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diagnostics.importers import defm_secteur
from diagnostics.importers.contract import ImportFileError, ValidationContext
from tests.diagnostics.importers.reference_data import open_data_context, tiny_context

SECTEUR_FILE = "demandeurs_emploi/mobiville_secteurs_bassins_defm.csv"


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "secteurs.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("label", "section"),
    [
        ("Construction", "F"),
        ("Commerce -  réparation d'automobiles et de motocycles", "G"),
        ("Commerce ; réparation d'automobiles et de motocycles", "G"),
        (
            "Production et distribution d'eau -  assainissement, gestion des déchets et dépollution",
            "E",
        ),
        ("ACTIVITES IMMOBILIERES", "L"),
        ("Activité inconnue", ""),
        ("q", "Q"),
        ("Boulangerie", None),
    ],
)
def test_naf_section_from_published_label(label: str, section: str | None) -> None:
    assert defm_secteur.naf_section(label) == section


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("0203", "0203"),
        ("203", "0203"),
        ("101", "0101"),
        ("4418", "4418"),
        ("1107", "1107"),
        ("51", "0051"),
    ],
)
def test_bassin_code_spelling_four_digits(code: str, expected: str) -> None:
    assert defm_secteur.bassin_code_spelling(code, frozenset({"0203", "4418", "1107"})) == expected


# --- The real file ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw(open_data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(open_data_dir / SECTEUR_FILE, sep=";", dtype=str, keep_default_na=False)


@pytest.mark.realdata
def test_defm_secteur_real_file_without_option_keeps_every_line_and_total(
    open_data_dir: Path, raw: pd.DataFrame
) -> None:
    context = open_data_context(open_data_dir)

    res = defm_secteur.read(open_data_dir / SECTEUR_FILE, vintage="2022", context=context)

    frame = res.frame
    spelled = raw["code_bassin"].map(lambda v: v.zfill(4) if v else "")
    assert res.ok, res.errors[:5]
    assert len(frame) == len(raw)
    assert frame["job_seekers"].sum() == raw["demandeurs_emploi"].astype(int).sum()
    outside = int((~spelled.isin(context.bassins_bmo)).sum())  # blank codes included
    assert outside > 0
    assert int((~frame["bassin_known"]).sum()) == outside
    assert res.notes[defm_secteur.NOTE_OUTSIDE_LINES] == outside
    assert "conseil" not in res.notes
    # Chaumont (4418) and its construction job seekers, as published.
    chaumont = raw[(raw["code_bassin"] == "4418") & (raw["secteur_libelle"] == "Construction")]
    got = frame[(frame["bassin_code"] == "4418") & (frame["naf_section"] == "F")]
    assert got["job_seekers"].tolist() == chaumont["demandeurs_emploi"].astype(int).tolist()
    assert (
        frame.loc[frame["bassin_code"] == "4418", "job_seekers"].sum()
        == raw.loc[raw["code_bassin"] == "4418", "demandeurs_emploi"].astype(int).sum()
    )
    # Leading zero lost by the publisher: 203 (Martinique) on four digits.
    assert "0203" in set(frame["bassin_code"]) and "203" not in set(frame["bassin_code"])
    assert set(frame["naf_section"]) <= set(defm_secteur.NAF_SECTIONS) | {""}
    assert res.vintage == "2022"


# --- Bad input -------------------------------------------------------------------------------

HEADER = "code_bassin;demandeurs_emploi;secteur_libelle\n"


def test_defm_secteur_missing_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "code_bassin;demandeurs_emploi\n4418;12\n")

    with pytest.raises(ImportFileError) as exc:
        defm_secteur.read(path, vintage="2022", context=tiny_context())

    assert "secteur_libelle" in exc.value.message


def test_defm_secteur_bad_code_negative_count_unknown_sector_duplicate(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + "4418;101;Construction\n"
        + "44X8;5;Construction\n"
        + "9999;5;Construction\n"
        + "5317;-2;Construction\n"
        + "5317;7;Boulangerie\n"
        + "4418;3;Construction\n",
    )

    res = defm_secteur.read(path, vintage="2022", context=tiny_context())

    got = sorted((e.line, e.column, str(e.value)) for e in res.errors)
    assert got == [
        (3, "code_bassin", "44X8"),
        (5, "demandeurs_emploi", "-2"),
        (6, "secteur_libelle", "Boulangerie"),
        (7, "code_bassin + secteur_libelle", "4418 / F"),
    ]
    rules = {e.line: e.rule for e in res.errors}
    assert rules[3] == "code bassin BMO mal formé (attendu : 3 ou 4 chiffres)"
    assert 4 not in rules  # a well-formed unknown bassin is kept, flagged (next test)
    assert rules[7] == "clé en double (déjà présente ligne 2)"


def test_defm_secteur_unknown_bassin_kept_flagged_and_counted_without_option(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, HEADER + "203;40;Construction\n9999;5;Construction\n;3;Enseignement\n")

    res = defm_secteur.read(path, vintage="2022", context=tiny_context())

    assert res.ok
    got = {
        (r.bassin_code, r.naf_section): (r.job_seekers, r.bassin_known)
        for r in res.frame.itertuples()
    }
    assert got == {("0203", "F"): (40, True), ("9999", "F"): (5, False), ("", "P"): (3, False)}
    assert res.notes[defm_secteur.NOTE_OUTSIDE_BASSINS] == ["(sans code)", "9999"]
    assert res.notes[defm_secteur.NOTE_OUTSIDE_LINES] == 2
    assert "conseil" not in res.notes


def test_defm_secteur_cp1252_file_parsed_right(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + "4418;1 234;Hébergement et restauration\n4418;12,0;Activités immobilières\n",
        encoding="cp1252",
    )

    res = defm_secteur.read(path, vintage="2022", context=tiny_context())

    assert res.ok, res.errors
    assert res.frame.set_index("naf_section")["job_seekers"].to_dict() == {"I": 1234, "L": 12}


def test_defm_secteur_empty_bassin_referential_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "4418;101;Construction\n")

    with pytest.raises(ImportFileError) as exc:
        defm_secteur.read(path, vintage="2022", context=ValidationContext())

    assert "bassins BMO vide" in exc.value.message


def test_defm_secteur_vintage_is_required(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "4418;101;Construction\n")

    with pytest.raises(ImportFileError) as exc:
        defm_secteur.read(path, vintage=None, context=tiny_context())

    assert "indiquez le millésime" in exc.value.message
