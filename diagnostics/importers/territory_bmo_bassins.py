"""The bassins named by the BMO survey files (any vintage present): they complete the
commune → bassin table with the bassins that only the survey names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.analytics.communes import (
    normalise_bassin_bmo_codes,
    normalise_region_codes,
)
from diagnostics.importers.territory_files import (
    HEADER_SEARCH_ROWS,
    TerritoryFileError,
    check_territory_codes,
    mode_name,
    quoted,
    require_file,
)

# The BMO survey files whose bassins complete the commune → bassin table (any vintage present).
BMO_FILES_GLOB = "bmo/Base_open_data_BMO_*.xlsx"
BMO_SHEET_RE = re.compile(r"BMO_(\d{4})_open_data", re.IGNORECASE)
BMO_BASSIN_RE = re.compile(r"BE(\d{2})", re.IGNORECASE)
BMO_BASSIN_CODE_PATTERN = r"^\d{3,5}$"


# --- bassins named by the BMO survey files --------------------------------------------------------


def bmo_bassin_files(root: Path) -> list[Path]:
    """The BMO survey files under the open data folder `root` (`BMO_FILES_GLOB`), sorted."""
    return sorted(p for p in Path(root).glob(BMO_FILES_GLOB) if p.is_file())


def _bmo_text(value: Any) -> str | None:
    """A BMO cell as text: calamine gives the codes as floats (`104.0` -> `104`)."""
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    return text or None


def read_bmo_bassins(path: Path) -> pd.DataFrame:
    """The bassins a France Travail BMO survey file names, as published (sheet
    `BMO_<year>_open_data`, header row with `BEyy`, `NOMBEyy` and `REG`; the other columns are
    not read) -> CODE, NAME, REGION_CODE (the most frequent name and région of the bassin's
    rows), YEAR (the year of the sheet). Codes are spelled as the BMO importer spells them
    (`101`, `7549`), régions on 2 digits."""
    from python_calamine import CalamineWorkbook

    label = "bassins des fichiers BMO"
    require_file(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for a non-XLSX file
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}) illisible comme classeur Excel : {exc}.",
            extra={"file": str(path)},
        ) from exc
    try:
        sheets = [str(name) for name in workbook.sheet_names]
        matches = sorted(n for n in sheets if BMO_SHEET_RE.fullmatch(n))
        if not matches:
            raise TerritoryFileError(
                f"Fichier {path.name} ({label}) : feuille « BMO_AAAA_open_data » absente. "
                f"Feuilles trouvées : {quoted(sheets)}.",
                extra={"file": str(path), "sheet": "BMO_AAAA_open_data"},
            )
        sheet = matches[-1]
        rows = iter(workbook.get_sheet_by_name(sheet).iter_rows())
        header: list[str] = []
        header_line = 0
        for header_line, row in enumerate(rows, start=1):
            header = [_bmo_text(v) or "" for v in row]
            if any(BMO_BASSIN_RE.fullmatch(h) for h in header) or header_line >= HEADER_SEARCH_ROWS:
                break
        bassin_col = next((h for h in header if BMO_BASSIN_RE.fullmatch(h)), None)
        wanted = [bassin_col, f"NOM{bassin_col}", "REG"] if bassin_col else []
        upper = [h.upper() for h in header]
        missing = [w for w in wanted if w.upper() not in upper] if wanted else ["BEaa"]
        if missing:
            raise TerritoryFileError(
                f"Fichier {path.name} ({label}), feuille « {sheet} » : colonne(s) "
                f"{quoted(missing)} absente(s) de la ligne d'en-tête (attendues : « BEaa » "
                f"(code du bassin), « NOMBEaa », « REG »).",
                extra={"file": str(path), "sheet": sheet, "missing_columns": missing},
            )
        i_code, i_name, i_reg = (upper.index(w.upper()) for w in wanted)
        width = max(i_code, i_name, i_reg) + 1
        records = []
        for line, row in enumerate(rows, start=header_line + 1):
            cells: list[Any] = list(row)
            if len(cells) < width:
                cells += [None] * (width - len(cells))
            code, name = _bmo_text(cells[i_code]), _bmo_text(cells[i_name])
            if code is None and name is None:
                continue  # an empty line
            records.append((line, code, name, _bmo_text(cells[i_reg])))
    finally:
        workbook.close()
    year_match = BMO_SHEET_RE.fullmatch(sheet)
    frame = pd.DataFrame.from_records(
        records, columns=["_line", c.CODE, c.NAME, c.REGION_CODE]
    ).astype({c.CODE: "string", c.NAME: "string", c.REGION_CODE: "string"})
    frame.index = pd.Index(frame["_line"])
    check_territory_codes(
        frame,
        c.CODE,
        BMO_BASSIN_CODE_PATTERN,
        path=path,
        source_column=str(bassin_col),
        label=label,
        line_offset=0,
    )
    frame[c.CODE] = normalise_bassin_bmo_codes(frame[c.CODE])
    frame[c.REGION_CODE] = normalise_region_codes(frame[c.REGION_CODE])
    frame[c.NAME] = frame[c.NAME].fillna(frame[c.CODE]).str.strip()
    names = mode_name(frame, c.CODE, c.NAME)
    regions = mode_name(frame.dropna(subset=[c.REGION_CODE]), c.CODE, c.REGION_CODE)
    zones = names.merge(regions, on=c.CODE, how="left")
    zones[c.YEAR] = int(year_match.group(1)) if year_match else pd.NA
    return zones[[c.CODE, c.NAME, c.REGION_CODE, c.YEAR]].sort_values(c.CODE).reset_index(drop=True)


def bassins_named_by_bmo(zones: pd.DataFrame, bmo: list[pd.DataFrame]) -> pd.DataFrame:
    """The bassins of the BMO files (`read_bmo_bassins` frames) absent from `zones` (the bassins
    of the commune → bassin table) -> CODE, NAME, REGION_CODE, with the name and région of the
    most recent file naming each; sorted by code. Bassins already in `zones` keep the table's
    name: the table is the referential, the BMO files only complete it."""
    columns = [c.CODE, c.NAME, c.REGION_CODE]
    if not bmo:
        return pd.DataFrame(columns=columns).astype("string")
    named = pd.concat(bmo, ignore_index=True)
    named = named.sort_values([c.CODE, c.YEAR], ascending=[True, False], kind="stable")
    named = named.drop_duplicates(c.CODE)
    added = named[~named[c.CODE].isin(set(zones[c.CODE].dropna()))]
    return added[columns].astype("string").sort_values(c.CODE).reset_index(drop=True)
