"""Job seekers registered at France Travail (DEFM), monthly, per commune, département or région.

Layout as distributed (ODIS export of the France Travail STMT « defmexp » extraction):
`codgeo, YEAR, Demandeurs_Emploi` with `YEAR` written `janvier_2020`… (also accepted: `2020-01`,
`01/2020`, `2020M01`, `2020-01-01`). `codgeo` is a 5-character INSEE commune code, a département
code (`01`, `2A`, `971`) or a région written `regNN`. Counts are catégories A, B, C (the export
does not label them; the magnitudes match A+B+C), rounded to the ten by the publisher.

Rules: every code known (merged communes mapped to their current code through the COG table of
changes, and summed when the old and the new code are both present for a month), counts integer
≥ 0, secret cells (`*`) stored as unknown. A line repeated identically is the same fact (kept
once, reported in the notes). A key repeated with *different* values (the file contradicts
itself) is stored as unknown (NULL, flag `ambiguous`), never one of the candidates nor their
sum, and the file goes on importing; the number of such keys and of the lines they cover is in
the batch's notes (import page). The ODIS export matched communes by name and postcode and holds
593 such keys (Nancy 10 720 vs 2 920, …), see docs/adr/0005-importer-tolerances.md (update 2).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd

from diagnostics.importers.codes import map_commune_codes
from diagnostics.importers.contract import (
    LINE,
    ImportFileError,
    ReadResult,
    RowError,
    ValidationContext,
)
from diagnostics.importers.csv_reading import read_csv_sniffed
from diagnostics.importers.file_checks import FileHead
from diagnostics.importers.values import check_count, match_columns, normalize_label, row_errors

KIND = "defm"
LABEL = "Demandeurs d'emploi par mois (commune, département, région)"
NOMENCLATURE = "DEFM catégories A, B, C (France Travail, STMT)"
CATEGORY = "ABC"

# Former opt-in (ADR 0005): the rule now always applies; the key is accepted and ignored.
OPTION_DUPLICATES_AS_UNKNOWN = "duplicates_as_unknown"
# Notes shown on the import page (keys in French).
NOTE_CONFLICTS = "couples territoire-mois aux valeurs contradictoires"
NOTE_IDENTICAL = "lignes répétées à l'identique (gardées une fois)"
NOTE_REMAPPED = "lignes de communes fusionnées (rattachées au code courant)"
LEVEL_LABELS = {"commune": "communes", "departement": "départements", "region": "régions"}
NOTE_CONFLICT_LINES = "lignes de ces couples (stockés comme inconnus)"
OPTIONS: dict[str, str] = {}

COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("codgeo", "code_geo", "code_geographique", "code"),
    "month": ("YEAR", "mois", "mois_annee", "periode", "date"),
    "count": ("Demandeurs_Emploi", "demandeurs_emploi", "defm", "nombre"),
}

# Output columns: the fields of `DefmFact` (what `store` writes).
OUT_COLUMNS = ["level", "code", "month", "category", "job_seekers", "masked", "ambiguous"]

MONTHS_FR = {
    "janvier": 1, "janv": 1, "jan": 1,
    "fevrier": 2, "fevr": 2, "fev": 2,
    "mars": 3, "mar": 3,
    "avril": 4, "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7, "juil": 7,
    "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9,
    "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}  # fmt: skip

_MONTH_NAME = re.compile(r"^([a-z]+)_?(\d{4})$")
_ISO_MONTH = re.compile(r"^(\d{4})_(\d{1,2})(?:_(\d{1,2}))?$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})_(\d{4})$")
_COMPACT = re.compile(r"^(\d{4})m?(\d{2})$")
_SEPARATORS = re.compile(r"[\s_\-/.'’]+")
_REGION = re.compile(r"^reg[ _\-]?(\d{1,2})$", re.IGNORECASE)
_DEPARTEMENT = re.compile(r"^(\d{1,2}|2[AB]|97[1-6])$", re.IGNORECASE)
_COMMUNE = re.compile(r"^(\d{4,5}|2[AB]\d{3})$", re.IGNORECASE)


def detect(path: Path, head: FileHead) -> bool:
    if head.format != "csv":
        return False
    cols = head.normalized_columns
    return "demandeurs emploi" in cols and "codgeo" in cols and "secteur libelle" not in cols


def parse_month(text: Any) -> dt.date | None:
    """`janvier_2020`, `Février 2021`, `2020-01`, `2020-01-01`, `01/2020`, `202001`, `2020M01` →
    the first day of that month; None when the text is no month."""
    if text is None or text is pd.NA:
        return None
    key = _SEPARATORS.sub("_", normalize_label(text)).strip("_")
    year = month = None
    if m := _MONTH_NAME.match(key):
        month, year = MONTHS_FR.get(m.group(1)), int(m.group(2))
    elif m := _ISO_MONTH.match(key):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := _MONTH_YEAR.match(key):
        month, year = int(m.group(1)), int(m.group(2))
    elif m := _COMPACT.match(key):
        year, month = int(m.group(1)), int(m.group(2))
    if year is None or month is None or not (1 <= month <= 12) or not (1900 <= year <= 2100):
        return None
    return dt.date(year, month, 1)


def classify_code(text: Any) -> tuple[str, str] | None:
    """(`geo_level`, normalised code) for a `codgeo` value, or None when it is no known form."""
    if text is None or text is pd.NA:
        return None
    code = str(text).strip()
    if m := _REGION.match(code):
        return "region", m.group(1).zfill(2)
    if _DEPARTEMENT.match(code):
        return "departement", code.upper().zfill(2)
    if _COMMUNE.match(code):
        return "commune", code.upper().zfill(5)
    return None


def read(path: Path, *, vintage: str | None, context: ValidationContext) -> ReadResult:
    frame, meta = read_csv_sniffed(path)
    label = f"« {Path(path).name} »"
    frame = match_columns(frame, COLUMNS, file_label=label)
    if frame.empty:
        raise ImportFileError(f"Le fichier {label} ne contient aucune ligne de données.")
    if not context.communes or not context.departements or not context.regions:
        raise ImportFileError(
            "Référentiel territorial vide (communes, départements ou régions) : chargez d'abord "
            "les territoires (load_territories) avant d'importer les demandeurs d'emploi."
        )
    errors: list[RowError] = []

    # Periods: few distinct values, parsed once each.
    months = {v: parse_month(v) for v in frame["month"].dropna().unique()}
    frame["month_parsed"] = frame["month"].map(months)
    errors += row_errors(
        frame, frame["month"].isna(), "month", "période manquante", display_column="YEAR"
    )
    bad_month = frame["month"].notna() & frame["month_parsed"].isna()
    errors += row_errors(
        frame,
        bad_month,
        "month",
        "période illisible (attendu « janvier_2020 », « 2020-01 » ou « 01/2020 »)",
        display_column="YEAR",
    )

    # Geographic codes: classify each distinct value once.
    classes = {v: classify_code(v) for v in frame["code"].dropna().unique()}
    frame["geo_level"] = frame["code"].map(lambda v: (classes.get(v) or (None, None))[0])
    frame["geo_code"] = frame["code"].map(lambda v: (classes.get(v) or (None, None))[1])
    errors += row_errors(
        frame, frame["code"].isna(), "code", "code géographique manquant", display_column="codgeo"
    )
    unclassified = frame["code"].notna() & frame["geo_level"].isna()
    errors += row_errors(
        frame,
        unclassified,
        "code",
        "code géographique non reconnu (attendu : commune sur 5 caractères, département, "
        "ou région « regNN »)",
        display_column="codgeo",
    )
    is_commune = frame["geo_level"] == "commune"
    mapped, remapped = map_commune_codes(
        frame.loc[is_commune, "geo_code"].astype("string"), context
    )
    frame.loc[is_commune, "geo_code"] = mapped
    frame["remapped"] = False
    frame.loc[is_commune, "remapped"] = remapped.to_numpy()
    known = {
        "commune": context.communes,
        "departement": context.departements,
        "region": context.regions,
    }
    referential = {
        "commune": "des communes (COG)",
        "departement": "des départements",
        "region": "des régions",
    }
    for level, codes in known.items():
        unknown = (frame["geo_level"] == level) & ~frame["geo_code"].isin(list(codes))
        errors += row_errors(
            frame,
            unknown,
            "code",
            f"code inconnu du référentiel {referential[level]}",
            display_column="codgeo",
        )

    values, masked = check_count(frame, "count", errors, display_column="Demandeurs_Emploi")
    frame["job_seekers"] = values
    frame["masked"] = masked

    valid = ~(bad_month | frame["month"].isna() | frame["geo_level"].isna())
    notes: dict[str, Any] = {
        "format du fichier": {"encodage": meta.encoding, "séparateur": meta.delimiter},
        "catégories": CATEGORY,
        NOTE_REMAPPED: int(frame.loc[valid, "remapped"].sum()),
    }
    out, dup_errors, dup_notes = _resolve_duplicates(frame.loc[valid], allow_unknown=True)
    errors += dup_errors
    notes.update(dup_notes)
    out["category"] = CATEGORY
    out = out.rename(columns={"geo_level": "level", "geo_code": "code"})
    out = out[OUT_COLUMNS].sort_values(["level", "code", "month"]).reset_index(drop=True)

    period = vintage_out = ""
    if not out.empty:
        first, last = out["month"].min(), out["month"].max()
        period = f"{first:%Y-%m}/{last:%Y-%m}"
        vintage_out = vintage or f"{last:%Y-%m}"
    notes["lignes par niveau"] = {
        LEVEL_LABELS.get(str(k), str(k)): int(v)
        for k, v in out["level"].value_counts().sort_index().items()
    }
    errors.sort(key=lambda e: (e.line or 0, e.column))
    return ReadResult(
        frame=out,
        errors=errors,
        vintage=vintage_out,
        period=period,
        nomenclature=NOMENCLATURE,
        rows_read=len(frame),
        notes=notes,
    )


def _resolve_duplicates(
    frame: pd.DataFrame, *, allow_unknown: bool
) -> tuple[pd.DataFrame, list[RowError], dict[str, Any]]:
    """One row per (level, code, month).

    - identical lines (same code as written, same value) are one fact: kept once;
    - a merged commune's old code and its current code in the same month are two territories that
      became one: summed (unknown if either is secret);
    - any other repeated key with different values is an error, or, with `allow_unknown`, an
      unknown value flagged `ambiguous`.
    """
    keys = ["geo_level", "geo_code", "month_parsed"]
    work = frame[[*keys, "code", "count", "job_seekers", "masked", "remapped", LINE]].copy()
    work["count"] = work["count"].fillna("")
    identical = work.duplicated([*keys, "code", "count"], keep="first")
    work = work.loc[~identical]
    notes: dict[str, Any] = {NOTE_IDENTICAL: int(identical.sum())}
    errors: list[RowError] = []

    repeated = work.duplicated(keys, keep=False)
    single = work.loc[~repeated]
    groups = work.loc[repeated]
    merged_rows: list[dict[str, Any]] = []
    conflicts = 0
    conflict_lines = 0
    conflict_examples: list[str] = []
    if not groups.empty:
        for key, group in groups.groupby(keys, sort=False):
            level, code, month = key
            distinct_sources = group["code"].nunique() == len(group)
            if distinct_sources and group["remapped"].any():
                unknown = group["masked"].any() or group["job_seekers"].isna().any()
                merged_rows.append(
                    {
                        "geo_level": level,
                        "geo_code": code,
                        "month_parsed": month,
                        "job_seekers": pd.NA if unknown else int(group["job_seekers"].sum()),
                        "masked": bool(group["masked"].any()),
                        "ambiguous": False,
                    }
                )
                continue
            conflicts += 1
            lines = group[LINE].tolist()
            conflict_lines += len(lines)
            values = " / ".join(str(v) for v in group["count"].tolist())
            if len(conflict_examples) < 20:
                where = ", ".join(str(line) for line in lines)
                conflict_examples.append(f"{code} {month:%Y-%m} : {values} (lignes {where})")
            if allow_unknown:
                merged_rows.append(
                    {
                        "geo_level": level,
                        "geo_code": code,
                        "month_parsed": month,
                        "job_seekers": pd.NA,
                        "masked": False,
                        "ambiguous": True,
                    }
                )
            else:
                first = lines[0]
                for line, value in zip(lines[1:], group["count"].tolist()[1:], strict=True):
                    errors.append(
                        RowError(
                            line=int(line),
                            column="codgeo + YEAR",
                            value=f"{code} / {month:%Y-%m} : {value}",
                            rule=(
                                f"clé en double avec une valeur différente (ligne {first} : "
                                f"{group['count'].iloc[0]})"
                            ),
                        )
                    )
    notes[NOTE_CONFLICTS] = conflicts
    notes[NOTE_CONFLICT_LINES] = conflict_lines
    notes["sommes de communes fusionnées"] = len(merged_rows) - (conflicts if allow_unknown else 0)
    if conflict_examples:
        notes["exemples de valeurs contradictoires"] = conflict_examples
    out = single[keys + ["job_seekers", "masked"]].assign(ambiguous=False)
    if merged_rows:
        extra = pd.DataFrame(merged_rows)
        extra["job_seekers"] = extra["job_seekers"].astype("Int64")
        out = pd.concat([out, extra], ignore_index=True)
    out = out.rename(columns={"month_parsed": "month"})
    out["masked"] = out["masked"].astype(bool)
    out["ambiguous"] = out["ambiguous"].astype(bool)
    out["job_seekers"] = out["job_seekers"].astype("Int64")
    return out, errors, notes
