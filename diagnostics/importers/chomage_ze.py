"""INSEE « Taux de chômage localisés par zone d'emploi, en moyenne trimestrielle (CVS) » (XLSX).

Sheet `txcho_ze`: a few title lines, a label row, then the header `ZE2020, LIBZE2020, REG, LIBREG,
2003-T1, 2003-T2, …` (one column per quarter) and one row per zone d'emploi 2020. Stored tidy:
(ZE code, period `YYYY-Tn`, rate in %). An empty cell (quarter not estimated) is not stored and
is counted in the notes; a rate outside 0–100, text, or an unknown ZE code is an error. The
vintage is the last quarter of the file (the edition: `2023-T3`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from diagnostics.importers.codes import check_codes, check_duplicates, normalize_code
from diagnostics.importers.contract import (
    LINE,
    ImportFileError,
    ReadResult,
    RowError,
    ValidationContext,
)
from diagnostics.importers.file_checks import FileHead, require_territories, require_workbook
from diagnostics.importers.values import check_rate, match_columns
from diagnostics.importers.xlsx_reading import read_xlsx

KIND = "chomage_ze"
LABEL = "Taux de chômage par zone d'emploi (Insee)"
FORMATS = ("xlsx",)
SHEET = "txcho_ze"
QUARTER_RE = re.compile(r"(\d{4})-T([1-4])")
COLUMNS = [LINE, "zone_emploi_code", "period", "year", "quarter", "rate"]


def detect(path: Path, head: FileHead) -> bool:
    return head.format == "xlsx" and SHEET in head.sheet_names


def read(path: Path, *, vintage: str | None, context: ValidationContext) -> ReadResult:
    path = Path(path)
    require_workbook(path, "Le chômage localisé est publié par l'Insee")
    require_territories(context.zones_emploi, "Aucune zone d'emploi")
    frame, meta = read_xlsx(path, sheet=SHEET, header_hint=["ZE2020"])
    frame = match_columns(frame, {"ZE2020": ("ZE2020",)}, file_label=f"la feuille « {meta.sheet} »")
    quarters = [c for c in frame.columns if QUARTER_RE.fullmatch(str(c))]
    if not quarters:
        raise ImportFileError(
            f"Aucune colonne trimestrielle (AAAA-Tn) dans la feuille « {meta.sheet} » : "
            f"colonnes trouvées : {', '.join(str(c) for c in frame.columns if c != LINE)}."
        )
    if len(frame) == 0:
        raise ImportFileError(f"La feuille « {meta.sheet} » ne contient aucune zone d'emploi.")
    last = max(quarters, key=lambda q: (int(q[:4]), int(q[-1])))
    if vintage and str(vintage) != last:
        raise ImportFileError(
            f"Millésime indiqué {vintage}, mais la série du fichier s'arrête à {last} "
            "(le millésime d'une série de chômage localisé est son dernier trimestre)."
        )

    errors: list[RowError] = []
    frame["ZE2020"] = normalize_code(frame["ZE2020"], width=4)
    check_codes(
        frame, "ZE2020", context.zones_emploi, errors, referential="des zones d'emploi 2020"
    )
    check_duplicates(frame, ["ZE2020"], errors, display_column="ZE2020")

    long = frame[[LINE, "ZE2020", *quarters]].melt(
        id_vars=[LINE, "ZE2020"], var_name="period", value_name="raw"
    )
    rates, _masked = check_rate(long, "raw", [], allow_missing=True)
    # Re-run the check per quarter so each error names its column (the quarter).
    for quarter in quarters:
        part = long[long["period"] == quarter]
        check_rate(
            part, "raw", errors, allow_missing=True, allow_secret=False, display_column=quarter
        )
    empty = long["raw"].isna()
    keep = rates.notna()
    out = pd.DataFrame(
        {
            LINE: long.loc[keep, LINE],
            "zone_emploi_code": long.loc[keep, "ZE2020"].astype(str),
            "period": long.loc[keep, "period"].astype(str),
            "rate": rates[keep],
        }
    )
    out["year"] = out["period"].str[:4].astype(int)
    out["quarter"] = out["period"].str[-1].astype(int)
    out = out[COLUMNS].sort_values(["zone_emploi_code", "year", "quarter"]).reset_index(drop=True)
    errors.sort(key=lambda e: (e.line or 0, e.column))
    first = min(quarters, key=lambda q: (int(q[:4]), int(q[-1])))
    return ReadResult(
        frame=out,
        errors=errors,
        vintage=last,
        period=f"{first} → {last}",
        nomenclature="Zones d'emploi 2020",
        rows_read=len(frame),
        notes={
            "feuille": meta.sheet,
            "zones d'emploi": int(frame["ZE2020"].nunique()),
            "trimestres": len(quarters),
            "cellules vides (non estimées)": int(empty.sum()),
        },
    )
