"""DARES FAP 2021 nomenclature (familles professionnelles), four nested levels.

Layout as distributed (`;` with accented headers, or `,` with snake-case headers):
`Code_FAP341, Intitulé_FAP341, Code_FAP228, Intitulé_FAP228, Code_FAP86, Intitulé_FAP86,
Code_FAP22, Intitulé_FAP22`, one line per FAP 341 family. The BMO métier codes are FAP 228 codes.

Stored as one row per (level, code) with its label and its parent code. Rules: code formats
(FAP 22 `A`, FAP 86 `A0X`, FAP 228 `A0X40`, FAP 341 `A0X41a`), each code nested in its parent
(`A0X41a` starts with `A0X41`, which starts with `A0X`, which starts with `A`), one label per
code, one line per FAP 341 code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from diagnostics.importers.codes import check_duplicates, check_pattern
from diagnostics.importers.contract import (
    LINE,
    ImportFileError,
    ReadResult,
    RowError,
    ValidationContext,
)
from diagnostics.importers.csv_reading import read_csv_sniffed
from diagnostics.importers.file_checks import FileHead
from diagnostics.importers.values import match_columns, row_errors

KIND = "fap"
LABEL = "Nomenclature des familles professionnelles FAP 2021 (Dares)"
NOMENCLATURE = "FAP 2021"

LEVELS = (341, 228, 86, 22)
PATTERNS = {
    22: r"[A-Z]",
    86: r"[A-Z][0-9A-Z][A-Z]",
    228: r"[A-Z][0-9A-Z][A-Z]\d{2}",
    341: r"[A-Z][0-9A-Z][A-Z]\d{2}[a-z]?",
}
EXAMPLES = {22: "A", 86: "A0X", 228: "A0X40", 341: "A0X41a"}
PARENT = {341: 228, 228: 86, 86: 22}

COLUMNS: dict[str, tuple[str, ...]] = {}
for _level in LEVELS:
    COLUMNS[f"code_{_level}"] = (f"Code_FAP{_level}", f"code_fap_{_level}", f"FAP{_level}")
    COLUMNS[f"label_{_level}"] = (
        f"Intitulé_FAP{_level}",
        f"intitule_fap_{_level}",
        f"libelle_fap{_level}",
    )

OUT_COLUMNS = ["level", "code", "label", "parent_code"]


def detect(path: Path, head: FileHead) -> bool:
    if head.format != "csv":
        return False
    cols = head.normalized_columns
    return bool({"code fap341", "code fap 341"} & cols) and bool(
        {"code fap228", "code fap 228"} & cols
    )


def read(path: Path, *, vintage: str | None, context: ValidationContext) -> ReadResult:
    frame, meta = read_csv_sniffed(path)
    label = f"« {Path(path).name} »"
    frame = match_columns(frame, COLUMNS, file_label=label)
    if frame.empty:
        raise ImportFileError(f"Le fichier {label} ne contient aucune ligne de données.")
    errors: list[RowError] = []
    bad: dict[int, pd.Series] = {}
    for level in LEVELS:
        column = f"code_{level}"
        frame[column] = frame[column].str.strip()
        bad[level] = check_pattern(
            frame,
            column,
            PATTERNS[level],
            errors,
            rule=f"code FAP {level} mal formé (attendu comme « {EXAMPLES[level]} »)",
            display_column=f"Code_FAP{level}",
        )
        errors += row_errors(
            frame,
            frame[f"label_{level}"].isna(),
            f"label_{level}",
            "intitulé manquant",
            display_column=f"Intitulé_FAP{level}",
        )
        frame[f"label_{level}"] = frame[f"label_{level}"].str.strip()
    for child, parent in PARENT.items():
        ok = ~bad[child] & ~bad[parent] & frame[f"code_{child}"].notna()
        nested = pd.Series(
            [
                isinstance(c, str) and isinstance(p, str) and c.startswith(p)
                for c, p in zip(frame[f"code_{child}"], frame[f"code_{parent}"], strict=True)
            ],
            index=frame.index,
        )
        errors += row_errors(
            frame,
            ok & ~nested,
            f"code_{child}",
            f"le code FAP {child} ne commence pas par son code FAP {parent} "
            "(hiérarchie incohérente)",
            display_column=f"Code_FAP{child}",
        )
    check_duplicates(frame.loc[~bad[341]], ["code_341"], errors, display_column="Code_FAP341")

    parts: list[pd.DataFrame] = []
    for level in LEVELS:
        code, lab = f"code_{level}", f"label_{level}"
        part = frame.loc[frame[code].notna() & ~bad[level], [code, lab, LINE]]
        if level in PARENT:
            part = part.assign(parent_code=frame.loc[part.index, f"code_{PARENT[level]}"])
        else:
            part = part.assign(parent_code="")
        # One label (and one parent) per code, whatever the line.
        distinct = part.groupby(code)[[lab, "parent_code"]].nunique(dropna=False)
        for value in distinct[(distinct > 1).any(axis=1)].index:
            rows = part.loc[part[code] == value]
            first = rows.iloc[0]
            for _, row in rows.iloc[1:].iterrows():
                if row[lab] != first[lab] or row["parent_code"] != first["parent_code"]:
                    errors.append(
                        RowError(
                            line=int(row[LINE]),
                            column=f"Intitulé_FAP{level}",
                            value=row[lab],
                            rule=(
                                f"le code {value} a un autre intitulé ou parent ligne "
                                f"{int(first[LINE])} (« {first[lab]} »)"
                            ),
                        )
                    )
        part = part.drop_duplicates(code).rename(columns={code: "code", lab: "label"})
        parts.append(part.assign(level=level)[OUT_COLUMNS])
    out = pd.concat(parts, ignore_index=True)
    out["parent_code"] = out["parent_code"].fillna("").astype(str)
    out = out.sort_values(["level", "code"]).reset_index(drop=True)
    counts = {f"FAP {k}": int(v) for k, v in out["level"].value_counts().sort_index().items()}
    notes: dict[str, Any] = {
        "format du fichier": {"encodage": meta.encoding, "séparateur": meta.delimiter},
        "codes par niveau": counts,
    }
    errors.sort(key=lambda e: (e.line or 0, e.column))
    return ReadResult(
        frame=out,
        errors=errors,
        vintage=vintage or "2021",
        period="",
        nomenclature=NOMENCLATURE,
        rows_read=len(frame),
        notes=notes,
    )
