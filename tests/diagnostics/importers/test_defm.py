"""Job seekers per commune / département / région and month (kind `defm`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from diagnostics.importers import defm
from diagnostics.importers.contract import ImportFileError, ReadResult, ValidationContext
from tests.diagnostics.importers.reference_data import open_data_context, tiny_context

DEFM_FILE = "demandeurs_emploi/odis_emploi_demandeur_export_2025-06-17.csv"
OPTION = {defm.OPTION_DUPLICATES_AS_UNKNOWN: True}


def write(tmp_path: Path, text: str, *, name: str = "defm.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- Pure helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("janvier_2020", dt.date(2020, 1, 1)),
        ("fevrier_2021", dt.date(2021, 2, 1)),
        ("Février 2021", dt.date(2021, 2, 1)),
        ("août_2023", dt.date(2023, 8, 1)),
        ("decembre_2024", dt.date(2024, 12, 1)),
        ("2024-09", dt.date(2024, 9, 1)),
        ("2024-09-01", dt.date(2024, 9, 1)),
        ("09/2024", dt.date(2024, 9, 1)),
        ("202409", dt.date(2024, 9, 1)),
        ("2024M09", dt.date(2024, 9, 1)),
        ("2024-13", None),
        ("brumaire_2020", None),
        ("2020", None),
    ],
)
def test_parse_month_formats(text: str, expected: dt.date | None) -> None:
    assert defm.parse_month(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("52121", ("commune", "52121")),
        ("1001", ("commune", "01001")),
        ("2A004", ("commune", "2A004")),
        ("52", ("departement", "52")),
        ("1", ("departement", "01")),
        ("2a", ("departement", "2A")),
        ("971", ("departement", "971")),
        ("reg44", ("region", "44")),
        ("REG01", ("region", "01")),
        ("123", None),
        ("abcde", None),
    ],
)
def test_classify_code_levels(text: str, expected: tuple[str, str] | None) -> None:
    assert defm.classify_code(text) == expected


# --- The real file ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw(open_data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(open_data_dir / DEFM_FILE, dtype=str)


@pytest.fixture(scope="module")
def result(open_data_dir: Path) -> ReadResult:
    return defm.read(
        open_data_dir / DEFM_FILE, vintage=None, context=open_data_context(open_data_dir)
    )


@pytest.mark.realdata
def test_defm_real_file_without_option_reads_every_key(
    result: ReadResult, raw: pd.DataFrame
) -> None:
    frame = result.frame
    keys = raw.assign(code=raw["codgeo"].replace({"49069": "49126"})).drop_duplicates(
        ["code", "YEAR"]
    )
    conflicting = raw.drop_duplicates(["codgeo", "YEAR", "Demandeurs_Emploi"]).duplicated(
        ["codgeo", "YEAR"], keep=False
    )
    n_conflicting_keys = (
        raw.drop_duplicates(["codgeo", "YEAR", "Demandeurs_Emploi"])
        .loc[conflicting]
        .drop_duplicates(["codgeo", "YEAR"])
        .shape[0]
    )

    assert result.ok
    assert len(frame) == len(keys)
    assert n_conflicting_keys == 593  # ADR 0005
    assert int(frame["ambiguous"].sum()) == result.notes[defm.NOTE_CONFLICTS] == n_conflicting_keys
    assert frame.loc[frame["ambiguous"], "job_seekers"].isna().all()
    assert not frame["masked"].any()
    assert result.period == "2020-01/2024-12"
    assert result.vintage == "2024-12"
    assert result.notes[defm.NOTE_REMAPPED] == int((raw["codgeo"] == "49069").sum())
    assert set(frame["level"]) == {"commune", "departement", "region"}
    assert frame["month"].nunique() == 60


@pytest.mark.realdata
def test_defm_real_file_spot_values_match_raw(result: ReadResult, raw: pd.DataFrame) -> None:
    frame = result.frame.set_index(["level", "code", "month"])["job_seekers"]

    def raw_value(code: str, month: str) -> int:
        values = raw.loc[(raw["codgeo"] == code) & (raw["YEAR"] == month), "Demandeurs_Emploi"]
        assert len(values) >= 1 and (values == values.iloc[0]).all()
        return int(values.iloc[0])

    sept = dt.date(2024, 9, 1)
    assert frame[("commune", "52121", sept)] == raw_value("52121", "septembre_2024") == 1760
    assert frame[("commune", "35360", sept)] == raw_value("35360", "septembre_2024") == 1760
    assert frame[("departement", "52", sept)] == raw_value("52", "septembre_2024") == 13060
    assert frame[("departement", "35", sept)] == raw_value("35", "septembre_2024") == 95940
    assert frame[("region", "44", sept)] == raw_value("reg44", "septembre_2024")
    # Merged commune 49069 is stored under its current code.
    assert frame[("commune", "49126", dt.date(2020, 1, 1))] == raw_value("49069", "janvier_2020")


@pytest.mark.realdata
def test_defm_real_file_totals_per_level_match_raw(result: ReadResult, raw: pd.DataFrame) -> None:
    frame = result.frame
    deps = raw[raw["codgeo"].str.len() <= 3]
    regions = raw[raw["codgeo"].str.startswith("reg")]
    # Communes: identical repeated lines counted once, conflicting keys unknown (not counted).
    communes = raw[raw["codgeo"].str.fullmatch(r"\d{5}|2[AB]\d{3}")].drop_duplicates()
    counts = communes.groupby(["codgeo", "YEAR"])["Demandeurs_Emploi"].transform("nunique")
    expected_communes = communes.loc[counts == 1, "Demandeurs_Emploi"].astype(int).sum()

    assert (
        frame.loc[frame["level"] == "departement", "job_seekers"].sum()
        == deps["Demandeurs_Emploi"].astype(int).sum()
    )
    assert (
        frame.loc[frame["level"] == "region", "job_seekers"].sum()
        == regions["Demandeurs_Emploi"].astype(int).sum()
    )
    assert frame.loc[frame["level"] == "commune", "job_seekers"].sum() == expected_communes


# --- Bad input on tiny files -----------------------------------------------------------------

HEADER = "codgeo,YEAR,Demandeurs_Emploi\n"


def test_defm_missing_column_is_refused_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, "codgeo,YEAR\n52121,janvier_2020\n")

    with pytest.raises(ImportFileError) as exc:
        defm.read(path, vintage=None, context=tiny_context())

    assert "Demandeurs_Emploi" in exc.value.message
    assert "Colonne manquante" in exc.value.message


def test_defm_unknown_and_malformed_codes_name_line_column_value(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + "52121,janvier_2020,2140\n99999,janvier_2020,10\nXYZ,janvier_2020,5\n"
        "reg99,janvier_2020,7\n",
    )

    res = defm.read(path, vintage=None, context=tiny_context())

    assert [(e.line, e.column, e.value) for e in res.errors] == [
        (3, "codgeo", "99999"),
        (4, "codgeo", "XYZ"),
        (5, "codgeo", "reg99"),
    ]
    assert res.errors[0].rule == "code inconnu du référentiel des communes (COG)"
    assert "non reconnu" in res.errors[1].rule
    assert res.errors[2].rule == "code inconnu du référentiel des régions"


def test_defm_negative_count_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "52121,janvier_2020,2140\n52121,fevrier_2020,-3\n")

    res = defm.read(path, vintage=None, context=tiny_context())

    assert len(res.errors) == 1
    error = res.errors[0]
    assert (error.line, error.column, error.value) == (3, "Demandeurs_Emploi", "-3")
    assert error.rule == "doit être positif ou nul (≥ 0)"


def test_defm_bad_month_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "52121,brumaire_2020,2140\n")

    res = defm.read(path, vintage=None, context=tiny_context())

    assert [(e.line, e.column, e.value) for e in res.errors] == [(2, "YEAR", "brumaire_2020")]
    assert "période illisible" in res.errors[0].rule


def test_defm_contradictory_keys_stored_unknown_and_counted_without_option(
    tmp_path: Path,
) -> None:
    # Two keys contradict themselves: 52121 in January (2 lines), 35360 in February (3 lines);
    # 52121 in February is repeated identically (one fact, not a contradiction).
    path = write(
        tmp_path,
        HEADER
        + "52121,janvier_2020,2140\n35360,janvier_2020,1800\n52121,janvier_2020,300\n"
        + "52121,fevrier_2020,2100\n52121,fevrier_2020,2100\n"
        + "35360,fevrier_2020,1700\n35360,fevrier_2020,1750\n35360,fevrier_2020,1800\n",
    )

    res = defm.read(path, vintage=None, context=tiny_context())

    assert res.ok and res.errors == []
    assert res.notes[defm.NOTE_CONFLICTS] == 2
    assert res.notes[defm.NOTE_CONFLICT_LINES] == 5
    assert res.notes[defm.NOTE_IDENTICAL] == 1
    assert "conseil" not in res.notes
    got = {
        (r.code, r.month.month): (  # type: ignore[union-attr]
            None if pd.isna(r.job_seekers) else int(r.job_seekers),  # type: ignore[arg-type]
            r.ambiguous,
        )
        for r in res.frame.itertuples()
    }
    assert got == {
        ("52121", 1): (None, True),
        ("35360", 1): (1800, False),
        ("52121", 2): (2100, False),
        ("35360", 2): (None, True),
    }
    # The former opt-in is accepted and changes nothing.
    assert defm.read(path, vintage=None, context=tiny_context(**OPTION)).frame.equals(res.frame)


def test_defm_identical_repeated_line_is_kept_once(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "52121,janvier_2020,2140\n52121,janvier_2020,2140\n")

    res = defm.read(path, vintage=None, context=tiny_context())

    assert res.ok
    assert len(res.frame) == 1
    assert res.frame["job_seekers"].tolist() == [2140]
    assert res.notes[defm.NOTE_IDENTICAL] == 1


def test_defm_merged_commune_mapped_and_summed_with_current_code(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + "49069,janvier_2020,120\n49126,janvier_2020,880\n49069,fevrier_2020,130\n",
    )

    res = defm.read(path, vintage=None, context=tiny_context())

    assert res.ok
    got = res.frame.set_index("month")["job_seekers"].to_dict()
    assert got == {dt.date(2020, 1, 1): 1000, dt.date(2020, 2, 1): 130}
    assert set(res.frame["code"]) == {"49126"}


def test_defm_secret_cell_is_null_and_flagged_never_zero(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "52121,janvier_2020,*\n52121,fevrier_2020,0\n")

    res = defm.read(path, vintage=None, context=tiny_context())

    assert res.ok
    rows = {r["month"]: r for r in res.frame.to_dict("records")}
    assert pd.isna(rows[dt.date(2020, 1, 1)]["job_seekers"])
    assert bool(rows[dt.date(2020, 1, 1)]["masked"])
    assert rows[dt.date(2020, 2, 1)]["job_seekers"] == 0
    assert not bool(rows[dt.date(2020, 2, 1)]["masked"])


def test_defm_cp1252_semicolon_decimal_comma_parsed_right(tmp_path: Path) -> None:
    text = (
        "codgeo;YEAR;Demandeurs_Emploi\n"
        "52121;Février 2024;1 760,0\n"
        "52;août_2024;13060\n"
        "reg44;décembre_2024;250 000\n"
    )
    path = write(tmp_path, text, encoding="cp1252")

    res = defm.read(path, vintage=None, context=tiny_context())

    assert res.ok, res.errors
    assert res.notes["format du fichier"] == {"encodage": "cp1252", "séparateur": ";"}
    got = {(r.level, r.code, r.month): r.job_seekers for r in res.frame.itertuples()}
    assert got == {
        ("commune", "52121", dt.date(2024, 2, 1)): 1760,
        ("departement", "52", dt.date(2024, 8, 1)): 13060,
        ("region", "44", dt.date(2024, 12, 1)): 250000,
    }


def test_defm_empty_referential_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "52121,janvier_2020,2140\n")

    with pytest.raises(ImportFileError) as exc:
        defm.read(path, vintage=None, context=ValidationContext())

    assert "chargez d'abord les territoires" in exc.value.message


def test_defm_empty_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER)

    with pytest.raises(ImportFileError) as exc:
        defm.read(path, vintage=None, context=tiny_context())

    assert "aucune ligne" in exc.value.message or "vide" in exc.value.message
