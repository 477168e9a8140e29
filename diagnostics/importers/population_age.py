"""INSEE « Estimation de population au 1er janvier, par département, sexe et âge quinquennal »
(XLSX, `estim-pop-dep-sexe-aq-1975-2021.xlsx`).

Layout as published: a sheet « À savoir » (notes), then one sheet per year named `1975` …
`2021`. In each: title lines, a header row `Départements | | Ensemble | … | Hommes | … |
Femmes`, a row of age bands (`0 à 4 ans`, `5 à 9 ans`, …, `95 ans et plus`, `Total`) under each
of the three blocks, then one row per département (`01`, `2A`, `971` — overseas codes are
written as numbers), the « France métropolitaine » and « France métropolitaine et DOM » totals
(not stored: they are the sum of the départements) and source notes. One band label of the
2021 sheet is a ditto mark (`"`): a block's labels are then read from the next block at the
same offset.

Stored tidy: (year, département, sex « ensemble » / « hommes » / « femmes », age_min,
population). Rules: a département code must be known to the territory referential; a
population is a number ≥ 0; an empty cell (no estimate: overseas bands above 90 in 1990-1998)
is stored as unknown and counted. A band whose « ensemble » differs from hommes + femmes by more
than one person is contradicted by the file itself: its three cells are stored as unknown
(never one of the candidates), counted and listed in the notes (ADR 0005, update 2: the
publisher's file loads as published). Vintage: the last year of the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.importers.contract import (
    LINE,
    ImportFileError,
    ReadResult,
    RowError,
    ValidationContext,
)
from diagnostics.importers.file_checks import FileHead, require_territories, require_workbook
from diagnostics.importers.values import normalize_label

KIND = "population_age"
LABEL = "Population par département, sexe et âge quinquennal (Insee)"
FORMATS = ("xlsx",)
NOTES_SHEET = "a savoir"
YEAR_SHEET = re.compile(r"^\d{4}$")
SEXES = {"ensemble": "ensemble", "hommes": "hommes", "femmes": "femmes"}
BAND_RE = re.compile(r"^(\d{1,3}) (?:a \d{1,3} ans|ans et plus)$")
DEPARTEMENT_RE = re.compile(r"^(\d{2,3}|2[AB])$")
COLUMNS = [LINE, "year", "departement_code", "sex", "age_min", "population"]
CONTRADICTION_TOLERANCE = 1.0


def detect(path: Path, head: FileHead) -> bool:
    if head.format != "xlsx" or not head.sheet_names:
        return False
    years = [s for s in head.sheet_names if YEAR_SHEET.match(str(s).strip())]
    others = [s for s in head.sheet_names if not YEAR_SHEET.match(str(s).strip())]
    return bool(years) and all(normalize_label(str(s)) == NOTES_SHEET for s in others)


def _code(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text.zfill(2) if text.isdigit() and len(text) < 2 else text


def _band(label: str) -> int | None:
    match = BAND_RE.match(normalize_label(label).replace("-", " "))
    return int(match[1]) if match else None


def _blocks(
    header: list[Any], bands: list[Any], sheet: str
) -> list[tuple[str, list[tuple[int, int]]]]:
    """[(sex, [(column, age_min)…])…] of a sheet, from its two header rows."""
    starts = []
    for col, value in enumerate(header):
        key = normalize_label(str(value))
        if key in SEXES:
            starts.append((col, SEXES[key]))
    if sorted(s for _, s in starts) != sorted(SEXES.values()):
        raise ImportFileError(
            f"Feuille « {sheet} » : blocs « Ensemble », « Hommes », « Femmes » introuvables dans "
            "la ligne d'en-tête « Départements »."
        )
    starts.sort()
    out = []
    for i, (start, sex) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(bands)
        columns = []
        for col in range(start, end):
            label = str(bands[col]).strip() if col < len(bands) else ""
            if label in ('"', "''", "«", "»", "id."):
                # A ditto mark: the same offset in another block names the band.
                for other, _ in starts:
                    candidate = other + (col - start)
                    if other != start and candidate < len(bands):
                        label = str(bands[candidate]).strip()
                        break
            if normalize_label(label) == "total":
                break
            age = _band(label)
            if age is None:
                raise ImportFileError(
                    f"Feuille « {sheet} » : tranche d'âge illisible « {label} » (colonne "
                    f"{col + 1}) ; attendu « 0 à 4 ans », …, « 95 ans et plus »."
                )
            columns.append((col, age))
        out.append((sex, columns))
    return out


def _sheet_rows(
    rows: list[list[Any]], sheet: str
) -> tuple[int, list[tuple[str, list[tuple[int, int]]]]]:
    for index, row in enumerate(rows[:40]):
        if row and normalize_label(str(row[0])) == "departements" and index + 1 < len(rows):
            return index + 2, _blocks(list(row), list(rows[index + 1]), sheet)
    raise ImportFileError(
        f"Feuille « {sheet} » : ligne d'en-tête « Départements » introuvable dans les 40 "
        "premières lignes."
    )


def read(path: Path, *, vintage: str | None, context: ValidationContext) -> ReadResult:
    path = Path(path)
    require_workbook(path, "Les estimations de population par âge sont publiées par l'Insee")
    require_territories(context.departements, "Aucun département")
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise ImportFileError(f"Classeur Excel illisible « {path.name} » : {exc}") from exc
    try:
        sheets = [s for s in workbook.sheet_names if YEAR_SHEET.match(str(s).strip())]
        if not sheets:
            raise ImportFileError(
                f"Aucune feuille annuelle (nommée AAAA) dans « {path.name} » : feuilles "
                + ", ".join(f"« {s} »" for s in workbook.sheet_names)
                + "."
            )
        errors: list[RowError] = []
        records: list[tuple[int, int, str, str, int, float]] = []
        empty = 0
        for sheet in sheets:
            year = int(str(sheet).strip())
            rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            first, blocks = _sheet_rows(rows, str(sheet))
            seen: set[str] = set()
            for offset, row in enumerate(rows[first:]):
                line = first + offset + 1
                if not row or str(row[0]).strip() == "":
                    continue
                code = _code(row[0])
                if not DEPARTEMENT_RE.match(code):
                    continue  # totals (« France métropolitaine… »), sources, notes
                if code not in context.departements:
                    errors.append(
                        RowError(
                            line,
                            f"{sheet} : Départements",
                            row[0],
                            "département inconnu du référentiel",
                        )
                    )
                    continue
                if code in seen:
                    errors.append(
                        RowError(
                            line,
                            f"{sheet} : Départements",
                            row[0],
                            "département en double dans la feuille",
                        )
                    )
                    continue
                seen.add(code)
                for sex, columns in blocks:
                    for col, age in columns:
                        value = row[col] if col < len(row) else ""
                        if value is None or (isinstance(value, str) and value.strip() == ""):
                            empty += 1
                            records.append((line, year, code, sex, age, np.nan))
                            continue
                        try:
                            number = float(
                                str(value).replace("\u202f", "").replace(" ", "").replace(",", ".")
                            )
                        except ValueError:
                            number = -1.0
                        if not np.isfinite(number) or number < 0:
                            errors.append(
                                RowError(
                                    line,
                                    f"{sheet} : {sex}, "
                                    + ("95 ans et plus" if age == 95 else f"{age} à {age + 4} ans"),
                                    value,
                                    "population : nombre positif ou nul attendu",
                                )
                            )
                            continue
                        records.append((line, year, code, sex, age, number))
    finally:
        workbook.close()

    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    contradicted: list[str] = []
    if len(frame):
        wide = frame.pivot_table(
            index=["year", "departement_code", "age_min"],
            columns="sex",
            values="population",
            aggfunc="first",
            dropna=False,
        )
        if set(SEXES.values()) <= set(wide.columns):
            gap = (wide["ensemble"] - wide["hommes"] - wide["femmes"]).abs()
            bad = gap[gap > CONTRADICTION_TOLERANCE].index
            if len(bad):
                keys = pd.MultiIndex.from_frame(frame[["year", "departement_code", "age_min"]])
                frame.loc[keys.isin(bad), "population"] = np.nan
                contradicted = [f"{y} {d} {a}-{a + 4} ans" for y, d, a in bad]
    last = max(int(str(s).strip()) for s in sheets)
    first_year = min(int(str(s).strip()) for s in sheets)
    if vintage and str(vintage) != str(last):
        raise ImportFileError(
            f"Millésime indiqué {vintage}, mais la dernière année du fichier est {last} (le "
            "millésime des estimations est leur dernière année)."
        )
    frame["population"] = frame["population"].astype("float64")
    frame = frame.sort_values(
        ["year", "departement_code", "sex", "age_min"], kind="mergesort"
    ).reset_index(drop=True)
    errors.sort(key=lambda e: (e.line or 0, e.column))
    return ReadResult(
        frame=frame,
        errors=errors,
        vintage=str(last),
        period=f"{first_year} → {last}",
        nomenclature="Départements (COG), tranches d'âge quinquennales",
        rows_read=int(frame[["year", "departement_code"]].drop_duplicates().shape[0])
        if len(frame)
        else 0,
        notes={
            "feuilles annuelles": len(sheets),
            "départements": int(frame["departement_code"].nunique()) if len(frame) else 0,
            "cellules vides (non estimées)": empty,
            "tranches contradictoires (ensemble ≠ hommes + femmes, stockées comme inconnues)": len(
                contradicted
            ),
            **({"tranches contradictoires": ", ".join(contradicted[:20])} if contradicted else {}),
        },
    )
