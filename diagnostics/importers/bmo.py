"""France Travail « Besoins en main-d'œuvre » (BMO) open data, as published (XLSX).

Layouts 2023, 2024, 2025: sheet `BMO_<year>_open_data`, one row per bassin BMO × département ×
métier (a bassin over several départements has one row per département), columns `annee`,
`Code métier BMO`, `Nom métier BMO`, `Famille_met`, `Lbl_fam_met`, `REG`, `NOM_REG`, `Dept`,
`NomDept`, `BEyy` (bassin code), `NOMBEyy`, `met`, `xmet`, `smet` — the order differs in 2023
(BE23 before Dept), so columns are found by name. Secret cells are `*`: stored as NULL with a
flag, never 0 or 1.

Rules: counts are integers ≥ 0; `xmet ≤ met` and `smet ≤ met` when both are known; the métier
code has the BMO format (FAP based, e.g. `A0X40`, `QAX01`); the bassin code is known to the
territory referential (or, with the `register_bassins` option, is added to it with the name the
file gives); the key (bassin, département, métier) is unique; every row has the file's year.
The métier codes are FAP 2009 based up to BMO 2023 and FAP 2021 based from 2024: the batch's
nomenclature says which (a series break, shown rather than hidden).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from diagnostics.analytics.communes import BASSIN_BMO_CODE_WIDTH
from diagnostics.importers.codes import (
    check_duplicates,
    check_pattern,
    normalize_code,
    normalize_departement_codes,
)
from diagnostics.importers.contract import (
    HINT_NOTE,
    LINE,
    ImportFileError,
    ReadResult,
    RowError,
    ValidationContext,
)
from diagnostics.importers.file_checks import FileHead, require_territories, require_workbook
from diagnostics.importers.values import check_count, normalize_label, row_errors
from diagnostics.importers.xlsx_reading import read_xlsx

KIND = "bmo"
LABEL = "BMO — besoins en main-d'œuvre (France Travail)"
FORMATS = ("xlsx",)

SHEET_RE = re.compile(r"BMO_(\d{4})_open_data", re.IGNORECASE)
BASSIN_RE = re.compile(r"BE(\d{2})", re.IGNORECASE)
METIER_CODE_RE = r"[A-Z][A-Z0-9][A-Z]\d{2}"
BASSIN_CODE_RE = r"\d{3,4}"

# Canonical output columns (what `store` writes); the text ones are written as read.
TEXT_COLUMNS = [
    "bassin_code",
    "bassin_name",
    "departement_code",
    "region_code",
    "metier_code",
    "metier_label",
    "famille_code",
    "famille_label",
]
COLUMNS = [
    LINE,
    "year",
    *TEXT_COLUMNS,
    "met",
    "xmet",
    "smet",
    "met_masked",
    "xmet_masked",
    "smet_masked",
]

_SOURCE_COLUMNS = {
    "metier_code": "Code métier BMO",
    "metier_label": "Nom métier BMO",
    "famille_code": "Famille_met",
    "famille_label": "Lbl_fam_met",
    "departement_code": "Dept",
    "region_code": "REG",
    "year": "annee",
}
_MEASURES = ("met", "xmet", "smet")
OPTION_REGISTER_BASSINS = "register_bassins"
OPTIONS = {
    OPTION_REGISTER_BASSINS: "ajouter au référentiel les bassins inconnus nommés par le fichier"
}
# Key of `ReadResult.notes` listing the bassins to add to the referential (register_bassins).
NEW_BASSINS_NOTE = "bassins ajoutés au référentiel"


def detect(path: Path, head: FileHead) -> bool:
    return head.format == "xlsx" and any(SHEET_RE.fullmatch(n) for n in head.sheet_names)


def _choose_sheet(names: list[str]) -> str | None:
    matches = [n for n in names if SHEET_RE.fullmatch(n)]
    return sorted(matches)[-1] if matches else None


def read(path: Path, *, vintage: str | None, context: ValidationContext) -> ReadResult:
    path = Path(path)
    require_workbook(path, "Le BMO est publié par France Travail")
    require_territories(
        context.bassins_bmo,
        "Aucun bassin BMO",
        " pour que les codes de bassin puissent être contrôlés",
    )
    frame, meta = read_xlsx(
        path, sheet=_choose_sheet, header_hint=list(_MEASURES), sheet_label="BMO_AAAA_open_data"
    )
    sheet_match = SHEET_RE.fullmatch(meta.sheet)
    sheet_year = sheet_match.group(1) if sheet_match else None

    by_key = {normalize_label(c): c for c in frame.columns}
    bassin_col = next((c for c in frame.columns if BASSIN_RE.fullmatch(str(c))), None)
    missing = [label for label in _SOURCE_COLUMNS.values() if normalize_label(label) not in by_key]
    if bassin_col is None:
        missing.append("BEaa (code du bassin BMO)")
    if missing:
        found = ", ".join(f"« {c} »" for c in frame.columns if c != LINE)
        noun = "Colonne manquante" if len(missing) == 1 else "Colonnes manquantes"
        raise ImportFileError(
            f"{noun} dans la feuille « {meta.sheet} » : "
            + ", ".join(f"« {m} »" for m in missing)
            + f". Colonnes trouvées : {found}."
        )
    assert bassin_col is not None
    name_col = next(
        (c for c in frame.columns if normalize_label(c) == normalize_label(f"NOM{bassin_col}")),
        None,
    )
    bassin_year = f"20{BASSIN_RE.fullmatch(bassin_col).group(1)}"  # type: ignore[union-attr]

    detected = sheet_year or bassin_year
    if vintage and detected and str(vintage) != detected:
        raise ImportFileError(
            f"Millésime indiqué {vintage}, mais le fichier est celui de {detected} "
            f"(feuille « {meta.sheet} », colonne « {bassin_col} »)."
        )
    year = str(vintage or detected)
    if not re.fullmatch(r"\d{4}", year):
        raise ImportFileError(f"Millésime « {year} » invalide : une année sur quatre chiffres.")

    errors: list[RowError] = []
    src = frame.rename(
        columns={by_key[normalize_label(v)]: k for k, v in _SOURCE_COLUMNS.items()}
        | {bassin_col: "bassin_code"}
        | ({name_col: "bassin_name"} if name_col else {})
    )
    if "bassin_name" not in src.columns:
        src["bassin_name"] = pd.NA

    # Codes.
    src["bassin_code"] = normalize_code(src["bassin_code"], width=BASSIN_BMO_CODE_WIDTH)
    src["departement_code"] = normalize_departement_codes(src["departement_code"])
    src["region_code"] = normalize_code(src["region_code"], width=2)
    src["metier_code"] = src["metier_code"].str.upper()
    check_pattern(
        src,
        "metier_code",
        METIER_CODE_RE,
        errors,
        rule="code métier BMO invalide (format attendu : A0X40)",
        display_column=_SOURCE_COLUMNS["metier_code"],
    )
    bad_bassin = check_pattern(
        src,
        "bassin_code",
        BASSIN_CODE_RE,
        errors,
        rule="code de bassin BMO invalide (3 ou 4 chiffres attendus)",
        display_column=bassin_col,
    )
    wrong_year = src["year"].notna() & (src["year"] != year)
    errors += row_errors(
        src,
        wrong_year,
        "year",
        f"année différente du millésime du fichier ({year})",
        display_column=_SOURCE_COLUMNS["year"],
    )

    unknown = (
        ~bad_bassin
        & src["bassin_code"].notna()
        & ~src["bassin_code"].isin(list(context.bassins_bmo)).fillna(False).astype(bool)
    )
    new_bassins: list[dict[str, str]] = []
    hint = ""
    if unknown.any():
        if context.options.get(OPTION_REGISTER_BASSINS):
            firsts = src.loc[unknown].drop_duplicates("bassin_code")
            new_bassins = [
                {
                    "code": str(r.bassin_code),
                    "name": "" if r.bassin_name is pd.NA else str(r.bassin_name),
                    "region": "" if r.region_code is pd.NA else str(r.region_code),
                }
                for r in firsts.itertuples()
            ]
        else:
            errors += row_errors(
                src,
                unknown,
                "bassin_code",
                "code de bassin BMO inconnu du référentiel territorial",
                display_column=bassin_col,
            )
            firsts = src.loc[unknown].drop_duplicates("bassin_code")
            listed = ", ".join(
                f"{r.bassin_code}" + ("" if r.bassin_name is pd.NA else f" {r.bassin_name}")
                for r in firsts.itertuples()
            )
            hint = (
                f"Bassins inconnus du référentiel : {listed}. Chargez un référentiel à jour "
                "(load_territories lit aussi les bassins des fichiers BMO placés dans le dossier "
                "bmo/ de la source), ou relancez avec l'option « ajouter les bassins inconnus » "
                "(--register-bassins) pour les y ajouter sous le nom donné par le fichier."
            )

    # Measures.
    out = pd.DataFrame({LINE: src[LINE]})
    for measure in _MEASURES:
        values, masked = check_count(src, measure, errors)
        out[measure] = values
        out[f"{measure}_masked"] = masked
    both = out["met"].notna() & out["xmet"].notna()
    errors += row_errors(
        src,
        both & (out["xmet"] > out["met"]).fillna(False).astype(bool),
        "xmet",
        lambda v: "projets difficiles supérieurs aux projets de recrutement (xmet > met)",
    )
    both = out["met"].notna() & out["smet"].notna()
    errors += row_errors(
        src,
        both & (out["smet"] > out["met"]).fillna(False).astype(bool),
        "smet",
        lambda v: "projets saisonniers supérieurs aux projets de recrutement (smet > met)",
    )
    check_duplicates(
        src,
        ["bassin_code", "departement_code", "metier_code"],
        errors,
        display_column=f"{bassin_col} + Dept + Code métier BMO",
    )

    for column in TEXT_COLUMNS:
        out[column] = src[column].fillna("").astype(str)
    out["year"] = int(year)
    out = out[COLUMNS]
    errors.sort(key=lambda e: (e.line or 0, e.column))

    fap_2021 = out["metier_code"].str[2].eq("X").mean() > 0.5 if len(out) else True
    notes: dict[str, object] = {
        "feuille": meta.sheet,
        "colonne bassin": bassin_col,
        "cellules secrètes": {m: int(out[f"{m}_masked"].sum()) for m in _MEASURES},
    }
    if new_bassins:
        notes[NEW_BASSINS_NOTE] = new_bassins
    if hint:
        notes[HINT_NOTE] = hint
    if len(out) == 0:
        raise ImportFileError(f"La feuille « {meta.sheet} » ne contient aucune ligne de données.")
    return ReadResult(
        frame=out,
        errors=errors,
        vintage=year,
        period=year,
        nomenclature="FAP 2021 (codes métiers BMO)" if fap_2021 else "FAP 2009 (codes métiers BMO)",
        rows_read=len(out),
        notes=notes,
    )
