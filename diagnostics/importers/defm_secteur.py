"""Job seekers per bassin BMO and NAF section (France Travail / Pôle emploi, via Mobiville).

Layout as distributed: `code_bassin;demandeurs_emploi;secteur_libelle`, one line per bassin and
NAF rév. 2 section, the section given by its label (`Construction`, `Commerce -  réparation
d'automobiles et de motocycles`, …, plus `Activité inconnue`). Bassin codes lost their leading
zero (`203` = `0203`); codes are stored as the territory referential spells them.

The file has no date: the vintage must be given. Rules: bassin code present and known, section
label one of the 21 NAF sections (or « activité inconnue »), counts integer ≥ 0, one line per
(bassin, section). The published file (~2022) is a snapshot, partly on an older bassin zoning:
46 of its codes (815 lines, most of Île-de-France) and 21 lines without a bassin are not in the
current reference, and no file maps them (the 2019 lexicon has none of them). They are stored as
published, flagged `bassin_known = False` and counted in the batch's notes, so totals still
reconcile with the file; they never join a basin (docs/adr/0005-importer-tolerances.md,
update 2). A malformed code is still an error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from diagnostics.analytics.communes import normalise_bassin_bmo_code
from diagnostics.importers.codes import check_duplicates
from diagnostics.importers.contract import (
    HINT_NOTE,
    ImportFileError,
    ReadResult,
    RowError,
    ValidationContext,
)
from diagnostics.importers.csv_reading import read_csv_sniffed
from diagnostics.importers.file_checks import FileHead
from diagnostics.importers.values import check_count, match_columns, normalize_label, row_errors

KIND = "defm_secteur"
LABEL = "Demandeurs d'emploi par bassin BMO et secteur (NAF)"
NOMENCLATURE = "NAF rév. 2 (sections) × bassins BMO"

# Former opt-in (ADR 0005): defm_secteur now always keeps them; tensions still ask for it.
OPTION_KEEP_UNKNOWN_BASSINS = "keep_unknown_bassins"
NOTE_OUTSIDE_LINES = "lignes sur des bassins hors référentiel"
NOTE_OUTSIDE_BASSINS = "bassins hors référentiel"
KEEP_UNKNOWN_LABEL = (
    "conserver, signalées, les lignes des bassins absents du référentiel (ancien zonage) "
    "au lieu de refuser le fichier"
)
OPTIONS: dict[str, str] = {}

COLUMNS: dict[str, tuple[str, ...]] = {
    "bassin": ("code_bassin", "cbassin", "bassin", "code_bassin_bmo"),
    "count": ("demandeurs_emploi", "defm", "nombre"),
    "sector": ("secteur_libelle", "secteur", "libelle_secteur", "section_naf"),
}

OUT_COLUMNS = ["bassin_code", "bassin_known", "naf_section", "sector_label", "job_seekers"]

# NAF rév. 2 sections (INSEE). "" is the publisher's « Activité inconnue ».
NAF_SECTIONS: dict[str, str] = {
    "A": "Agriculture, sylviculture et pêche",
    "B": "Industries extractives",
    "C": "Industrie manufacturière",
    "D": "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné",
    "E": "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution",
    "F": "Construction",
    "G": "Commerce ; réparation d'automobiles et de motocycles",
    "H": "Transports et entreposage",
    "I": "Hébergement et restauration",
    "J": "Information et communication",
    "K": "Activités financières et d'assurance",
    "L": "Activités immobilières",
    "M": "Activités spécialisées, scientifiques et techniques",
    "N": "Activités de services administratifs et de soutien",
    "O": "Administration publique",
    "P": "Enseignement",
    "Q": "Santé humaine et action sociale",
    "R": "Arts, spectacles et activités récréatives",
    "S": "Autres activités de services",
    "T": "Activités des ménages en tant qu'employeurs ; activités indifférenciées des ménages en "
    "tant que producteurs de biens et services pour usage propre",
    "U": "Activités extra-territoriales",
}
UNKNOWN_SECTION_LABEL = "Activité inconnue"


def _section_key(label: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", normalize_label(label))


_SECTION_BY_KEY: dict[str, str] = {_section_key(v): k for k, v in NAF_SECTIONS.items()}
_SECTION_BY_KEY[_section_key(UNKNOWN_SECTION_LABEL)] = ""
_SECTION_BY_KEY[_section_key("Activités inconnues")] = ""


def naf_section(label: Any) -> str | None:
    """NAF section letter for a published label (or a letter), "" for « activité inconnue », None
    when the label is no NAF section."""
    if label is None or label is pd.NA:
        return None
    text = str(label).strip()
    if re.fullmatch(r"[A-Ua-u]", text):
        return text.upper()
    return _SECTION_BY_KEY.get(_section_key(text))


def detect(path: Path, head: FileHead) -> bool:
    return head.format == "csv" and head.has_columns("code_bassin", "secteur_libelle")


def bassin_code_spelling(code: str, known: frozenset[str] = frozenset()) -> str:
    """A bassin BMO code in its one spelling, four digits: publishers write `0203` or `203`
    (`analytics.communes.normalise_bassin_bmo_code`; `known` is kept for the callers)."""
    return normalise_bassin_bmo_code(code)


def check_bassins(
    frame: pd.DataFrame,
    column: str,
    context: ValidationContext,
    errors: list[RowError],
    *,
    display_column: str,
    keep_unknown: bool,
) -> tuple[pd.Series, pd.Series]:
    """Spell bassin BMO codes as the referential does (`0203` → `203`) and check them. Malformed
    codes are always errors; missing or unknown ones are errors unless `keep_unknown`. Returns (codes with "" for
    missing, bool `known`)."""
    if not context.bassins_bmo:
        raise ImportFileError(
            "Référentiel des bassins BMO vide : chargez d'abord les territoires (load_territories)."
        )
    raw = frame[column].astype("string").str.strip().str.replace(r"\.0+$", "", regex=True)
    missing = raw.isna()
    malformed = ~missing & ~raw.str.fullmatch(r"\d{2,4}").fillna(False).astype(bool)
    spelling = {v: bassin_code_spelling(v, context.bassins_bmo) for v in raw.dropna().unique()}
    codes = raw.map(lambda v: spelling.get(v, v) if isinstance(v, str) else v).astype("string")
    shown = frame.assign(_bassin=codes)
    errors += row_errors(
        shown,
        malformed,
        column,
        "code bassin BMO mal formé (attendu : 3 ou 4 chiffres)",
        display_column=display_column,
    )
    known = codes.isin(list(context.bassins_bmo)).fillna(False).astype(bool)
    unknown = ~missing & ~malformed & ~known
    if not keep_unknown:
        errors += row_errors(
            shown,
            missing,
            column,
            "code bassin manquant",
            display_column=display_column,
        )
        errors += row_errors(
            shown,
            unknown,
            column,
            "code inconnu du référentiel des bassins BMO",
            display_column=display_column,
            value_column="_bassin",
        )
    return codes.fillna(""), known


def unknown_bassins_hint(frame: pd.DataFrame, *, keep_unknown: bool) -> str:
    """Advice shown with a refusal caused by bassins outside the referential."""
    outside = frame.loc[~frame["bassin_known"], "bassin_code"]
    if keep_unknown or outside.empty:
        return ""
    return (
        f"{len(outside)} lignes portent sur {outside.nunique()} bassins absents du référentiel "
        "(ancien zonage ou code manquant). Pour les importer telles que publiées, signalées, "
        f"relancez avec l'option « {KEEP_UNKNOWN_LABEL} » "
        f"({OPTION_KEEP_UNKNOWN_BASSINS})."
    )


def read(path: Path, *, vintage: str | None, context: ValidationContext) -> ReadResult:
    frame, meta = read_csv_sniffed(path)
    label = f"« {Path(path).name} »"
    frame = match_columns(frame, COLUMNS, file_label=label)
    if frame.empty:
        raise ImportFileError(f"Le fichier {label} ne contient aucune ligne de données.")
    if not vintage:
        raise ImportFileError(
            f"Le fichier {label} ne dit pas à quelle date ses demandeurs d'emploi sont comptés : "
            "indiquez le millésime (ex. 2022)."
        )
    errors: list[RowError] = []
    keep_unknown = True  # the published file spans an older zoning: kept, flagged, counted
    codes, known = check_bassins(
        frame, "bassin", context, errors, display_column="code_bassin", keep_unknown=keep_unknown
    )
    frame["bassin_code"] = codes
    frame["bassin_known"] = known

    sections = {v: naf_section(v) for v in frame["sector"].dropna().unique()}
    frame["naf_section"] = frame["sector"].map(sections)
    errors += row_errors(
        frame,
        frame["sector"].isna(),
        "sector",
        "secteur manquant",
        display_column="secteur_libelle",
    )
    bad_sector = frame["sector"].notna() & frame["naf_section"].isna()
    errors += row_errors(
        frame,
        bad_sector,
        "sector",
        "libellé de secteur inconnu de la NAF rév. 2 (sections A à U)",
        display_column="secteur_libelle",
    )
    values, _masked = check_count(
        frame, "count", errors, display_column="demandeurs_emploi", allow_secret=False
    )
    frame["job_seekers"] = values
    check_duplicates(
        frame.loc[~bad_sector],
        ["bassin_code", "naf_section"],
        errors,
        display_column="code_bassin + secteur_libelle",
    )
    frame["sector_label"] = frame["naf_section"].map(
        lambda s: NAF_SECTIONS.get(s, UNKNOWN_SECTION_LABEL) if isinstance(s, str) else None
    )
    out = (
        frame.loc[frame["naf_section"].notna(), OUT_COLUMNS]
        .sort_values(["bassin_code", "naf_section"])
        .reset_index(drop=True)
    )
    unknown_codes = sorted(set(out.loc[~out["bassin_known"], "bassin_code"]))
    notes: dict[str, Any] = {
        "format du fichier": {"encodage": meta.encoding, "séparateur": meta.delimiter},
        "bassins": int(out["bassin_code"].nunique()),
        NOTE_OUTSIDE_LINES: int((~out["bassin_known"]).sum()),
        NOTE_OUTSIDE_BASSINS: [c or "(sans code)" for c in unknown_codes],
    }
    hint = unknown_bassins_hint(out, keep_unknown=keep_unknown)
    if hint:
        notes[HINT_NOTE] = hint
    errors.sort(key=lambda e: (e.line or 0, e.column))
    return ReadResult(
        frame=out,
        errors=errors,
        vintage=vintage,
        period="",
        nomenclature=NOMENCLATURE,
        rows_read=len(frame),
        notes=notes,
    )
