"""DARES / France Travail labour-market tension indicators per occupation (ROME) and bassin BMO.

Two published layouts (`;`, decimal comma):
- 2021: `annee;ROME;cbassin;oee;defm_abc;ind_tension_d;ind_int_emb_d;ind_main_oeuvre_d;
  ind_dur_empl_d;ind_cond_travail_d;ind_mismatch_geo_d;ind_specif_form_empl_d`;
- 2019: `libfap;ROME;fap;annee;oee;defm_abc;ind_tension_d;cbassin;lib_bassin_bmo19` (FAP 2009
  family, no complementary factor).

`oee` are the job offers registered at France Travail, `defm_abc` the job seekers in categories
A, B, C (yearly averages, hence decimals). `ind_tension_d` is the tension indicator and the
`ind_*_d` the complementary factors of the DARES method, each published on a 1–5 scale (quintiles):
hiring intensity, lack of available labour, non-durable employment, working conditions,
geographic mismatch, training–job link. The components of the indicator (z-scores of the
offers/job-seekers ratio, of the exit rate, of the BMO difficulty) are not published in these
files. A blank indicator is stored as unknown and listed in `missing_indicators`, never as 0.

Rules: year, ROME code (`A1234`, known to the ROME referential), bassin BMO known (option
`keep_unknown_bassins`, as for job seekers per sector), counts ≥ 0, indicators integers 1–5,
one line per (year, ROME, bassin).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.importers.codes import check_duplicates, check_pattern
from diagnostics.importers.contract import (
    HINT_NOTE,
    ImportFileError,
    ReadResult,
    RowError,
    ValidationContext,
)
from diagnostics.importers.csv_reading import read_csv_sniffed
from diagnostics.importers.defm_secteur import (
    KEEP_UNKNOWN_LABEL,
    NOTE_OUTSIDE_BASSINS,
    NOTE_OUTSIDE_LINES,
    OPTION_KEEP_UNKNOWN_BASSINS,
    check_bassins,
    unknown_bassins_hint,
)
from diagnostics.importers.file_checks import FileHead
from diagnostics.importers.values import match_columns, parse_numbers, row_errors

KIND = "tensions"
LABEL = "Tensions sur le marché du travail par métier (ROME) et bassin BMO"
NOMENCLATURE = "ROME (v3) × bassins BMO — indicateurs Dares / France Travail"

# The tolerance the job seekers per sector apply by default stays an explicit option here: no
# published tension file needs it once the territories are loaded (ADR 0005).
OPTIONS = {OPTION_KEEP_UNKNOWN_BASSINS: KEEP_UNKNOWN_LABEL}
__all__ = ["KIND", "LABEL", "OPTIONS", "detect", "read"]

NOTE_LAYOUT = "présentation du fichier (millésime)"

ROME_PATTERN = r"[A-N]\d{4}"
FAP2009_PATTERN = r"[A-Z]\d[A-Z]\d{2}"

COLUMNS: dict[str, tuple[str, ...]] = {
    "year": ("annee", "année", "year"),
    "rome": ("ROME", "code_rome"),
    "bassin": ("cbassin", "code_bassin", "bassin"),
    "oee": ("oee", "offres"),
    "defm_abc": ("defm_abc", "demandeurs_abc"),
    "ind_tension_d": ("ind_tension_d", "indicateur_tension"),
    # Complementary factors (2021 layout) and FAP 2009 columns (2019 layout): optional.
    "ind_int_emb_d": ("ind_int_emb_d",),
    "ind_main_oeuvre_d": ("ind_main_oeuvre_d",),
    "ind_dur_empl_d": ("ind_dur_empl_d",),
    "ind_cond_travail_d": ("ind_cond_travail_d",),
    "ind_mismatch_geo_d": ("ind_mismatch_geo_d",),
    "ind_specif_form_empl_d": ("ind_specif_form_empl_d",),
    "fap": ("fap", "fap2009", "code_fap"),
    "libfap": ("libfap", "libelle_fap"),
}
OPTIONAL = (
    "ind_int_emb_d", "ind_main_oeuvre_d", "ind_dur_empl_d", "ind_cond_travail_d",
    "ind_mismatch_geo_d", "ind_specif_form_empl_d", "fap", "libfap",
)  # fmt: skip

# Published column → model field.
INDICATORS: dict[str, str] = {
    "ind_tension_d": "tension",
    "ind_int_emb_d": "hiring_intensity",
    "ind_main_oeuvre_d": "labour_shortage",
    "ind_dur_empl_d": "non_durable_employment",
    "ind_cond_travail_d": "working_conditions",
    "ind_mismatch_geo_d": "geographic_mismatch",
    "ind_specif_form_empl_d": "training_job_link",
}
INDICATOR_LABELS: dict[str, str] = {
    "tension": "indicateur de tension",
    "hiring_intensity": "intensité des embauches",
    "labour_shortage": "manque de main-d'œuvre disponible",
    "non_durable_employment": "non-durabilité de l'emploi",
    "working_conditions": "conditions de travail contraignantes",
    "geographic_mismatch": "inadéquation géographique",
    "training_job_link": "lien entre formation et emploi",
}
OUT_COLUMNS = [
    "year", "rome_code", "bassin_code", "bassin_known", "fap2009_code", "fap2009_label",
    "job_offers", "job_seekers_abc", *INDICATORS.values(), "missing_indicators",
]  # fmt: skip


def detect(path: Path, head: FileHead) -> bool:
    return head.format == "csv" and head.has_columns("ROME", "cbassin", "ind_tension_d")


def read(path: Path, *, vintage: str | None, context: ValidationContext) -> ReadResult:
    frame, meta = read_csv_sniffed(path)
    label = f"« {Path(path).name} »"
    frame = match_columns(frame, COLUMNS, file_label=label, optional=OPTIONAL)
    if frame.empty:
        raise ImportFileError(f"Le fichier {label} ne contient aucune ligne de données.")
    if not context.rome:
        raise ImportFileError(
            "Référentiel ROME vide : importez d'abord le référentiel ROME (type « rome ») "
            "pour pouvoir contrôler les codes métier des tensions."
        )
    errors: list[RowError] = []
    layout = "2021" if "ind_int_emb_d" in frame.columns else "2019"

    year_values = parse_numbers(frame["year"]).values  # noqa: PD011 (ParsedNumbers field)
    bad_year = ~(year_values.between(1990, 2100) & (year_values == np.floor(year_values)))
    errors += row_errors(
        frame, bad_year, "year", "année invalide (attendu AAAA)", display_column="annee"
    )
    frame["year_value"] = year_values.where(~bad_year).astype("Int64")

    frame["rome"] = frame["rome"].str.upper()
    bad_rome = check_pattern(
        frame,
        "rome",
        ROME_PATTERN,
        errors,
        rule="code ROME mal formé (attendu : A1234)",
        display_column="ROME",
    )
    unknown_rome = frame["rome"].notna() & ~bad_rome & ~frame["rome"].isin(list(context.rome))
    errors += row_errors(
        frame, unknown_rome, "rome", "code inconnu du référentiel ROME", display_column="ROME"
    )

    codes, known = check_bassins(
        frame,
        "bassin",
        context,
        errors,
        display_column="cbassin",
        keep_unknown=bool(context.options.get(OPTION_KEEP_UNKNOWN_BASSINS)),
    )
    frame["bassin_code"] = codes
    frame["bassin_known"] = known

    for column, field in (("oee", "job_offers"), ("defm_abc", "job_seekers_abc")):
        parsed = parse_numbers(frame[column])
        errors += row_errors(frame, parsed.invalid, column, "n'est pas un nombre")
        values = parsed.values  # noqa: PD011 (ParsedNumbers field)
        negative = values < 0
        errors += row_errors(frame, negative, column, "doit être positif ou nul (≥ 0)")
        frame[field] = values.where(~negative)

    missing_lists: list[list[str]] = [[] for _ in range(len(frame))]
    for column, field in INDICATORS.items():
        if column not in frame.columns:  # not published in this layout
            frame[field] = pd.array([pd.NA] * len(frame), dtype="Int64")
            for missing in missing_lists:
                missing.append(field)
            continue
        parsed = parse_numbers(frame[column])
        values = parsed.values  # noqa: PD011 (ParsedNumbers field)
        errors += row_errors(frame, parsed.invalid, column, "n'est pas un nombre")
        bad = values.notna() & ((values < 1) | (values > 5) | (values != np.floor(values)))
        errors += row_errors(frame, bad, column, "doit être un entier de 1 à 5")
        frame[field] = values.where(~bad).round().astype("Int64")
        blank = parsed.missing | parsed.secret
        for i in np.flatnonzero(blank.to_numpy()):
            missing_lists[i].append(field)
    frame["missing_indicators"] = [",".join(m) for m in missing_lists]

    if "fap" in frame.columns:
        check_pattern(
            frame,
            "fap",
            FAP2009_PATTERN,
            errors,
            allow_missing=True,
            rule="code FAP 2009 mal formé (attendu : A0Z43)",
        )
        frame["fap2009_code"] = frame["fap"].fillna("")
    else:
        frame["fap2009_code"] = ""
    if "libfap" in frame.columns:
        # Published as "A0Z43 : Conducteurs d'engins agricoles ou forestiers".
        frame["fap2009_label"] = (
            frame["libfap"].fillna("").str.replace(r"^[A-Z]\d[A-Z]\d{2}\s*:\s*", "", regex=True)
        )
    else:
        frame["fap2009_label"] = ""

    frame = frame.rename(columns={"year_value": "year_out"})
    valid_key = frame["year_out"].notna() & ~bad_rome
    check_duplicates(
        frame.loc[valid_key],
        ["year_out", "rome", "bassin_code"],
        errors,
        display_column="annee + ROME + cbassin",
    )
    out = frame.rename(columns={"rome": "rome_code"}).drop(columns=["year"])
    out = out.rename(columns={"year_out": "year"})[OUT_COLUMNS]
    out = out.sort_values(["year", "rome_code", "bassin_code"]).reset_index(drop=True)

    years_found = sorted(int(y) for y in out["year"].dropna().unique())
    detected = str(years_found[0]) if len(years_found) == 1 else ""
    missing_count: dict[str, int] = {}
    for field in INDICATORS.values():
        n = int(out[field].isna().sum())
        if n:
            missing_count[INDICATOR_LABELS[field]] = n
    notes: dict[str, Any] = {
        "format du fichier": {"encodage": meta.encoding, "séparateur": meta.delimiter},
        NOTE_LAYOUT: layout,
        "années": years_found,
        "codes ROME": int(out["rome_code"].nunique()),
        "bassins": int(out["bassin_code"].nunique()),
        NOTE_OUTSIDE_LINES: int((~out["bassin_known"]).sum()),
        NOTE_OUTSIDE_BASSINS: sorted(set(out.loc[~out["bassin_known"], "bassin_code"])),
        "valeurs inconnues par indicateur": missing_count,
    }
    hint = unknown_bassins_hint(
        out, keep_unknown=bool(context.options.get(OPTION_KEEP_UNKNOWN_BASSINS))
    )
    if hint:
        notes[HINT_NOTE] = hint
    errors.sort(key=lambda e: (e.line or 0, e.column))
    if layout == "2019":
        notes["méthode"] = (
            "Millésime 2019 : seul l'indicateur de tension est publié ; les facteurs "
            "complémentaires sont inconnus (non publiés)."
        )
    return ReadResult(
        frame=out,
        errors=errors,
        vintage=vintage or detected,
        period=", ".join(str(y) for y in years_found),
        nomenclature=NOMENCLATURE,
        rows_read=len(frame),
        notes=notes,
    )
