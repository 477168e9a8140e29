"""ROME 4.0 referential (Répertoire opérationnel des métiers et des emplois, France Travail).

Three layouts of the published CSV referential, told apart by their columns:
- `codes` (`unix_referentiel_code_rome_v460_utf8.csv`): `code_rome, code_fiche_metier, code_ogr,
  libelle_rome, transition_eco, transition_num, transition_demo, emploi_reglemente, emploi_cadre,
  code_rome_parent` — the occupations (fiches and, since ROME 4.0, their sub-fiches, attached to a
  parent fiche). The domain follows from the code: grand domaine = its letter (`A`), domaine
  professionnel = its first three characters (`A11`);
- `appellations` (optional, `unix_referentiel_appellation_v460_utf8.csv`): the ~13,000 job titles
  (`code_ogr, libelle_appellation_long, libelle_appellation_court, code_rome, …`);
- `domaines` (optional): `grand_domaine, domaine_professionnel, code_rome, …` written
  « A11- Engins agricoles et forestiers », which gives the domain labels.

Vintage: the referential version in the file name (`v460`), else given. The appellations and the
domains are kept as separate vintages (`v460-appellations`, `…-domaines`) so that importing them
never supersedes the codes.

Rules: ROME code `A1234`, one line per code (per `code_ogr` for job titles), parent fiche present
in the file, label present, yes/no flags `O`/`N`; the job titles' codes must be known to the ROME
referential already loaded.
"""

from __future__ import annotations

import re
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
from diagnostics.importers.values import match_columns, normalize_label, row_errors, with_columns

KIND = "rome"
LABEL = "Référentiel des métiers ROME 4.0 (France Travail)"
NOMENCLATURE = "ROME 4.0"

ROME_PATTERN = r"[A-N]\d{4}"
LAYOUT_CODES = "codes"
LAYOUT_APPELLATIONS = "appellations"
LAYOUT_DOMAINS = "domaines"
NOTE_LAYOUT = "fichier du référentiel"

# The 14 grands domaines of the ROME (unchanged in ROME 4.0).
GRANDS_DOMAINES: dict[str, str] = {
    "A": "Agriculture et Pêche, Espaces naturels et Espaces verts, Soins aux animaux",
    "B": "Arts et Façonnage d'ouvrages d'art",
    "C": "Banque, Assurance, Immobilier",
    "D": "Commerce, Vente et Grande distribution",
    "E": "Communication, Média et Multimédia",
    "F": "Construction, Bâtiment et Travaux publics",
    "G": "Hôtellerie-Restauration, Tourisme, Loisirs et Animation",
    "H": "Industrie",
    "I": "Installation et Maintenance",
    "J": "Santé",
    "K": "Services à la personne et à la collectivité",
    "L": "Spectacle",
    "M": "Support à l'entreprise",
    "N": "Transport et Logistique",
}

CODES_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code_rome",),
    "label": ("libelle_rome", "libelle"),
    "parent": ("code_rome_parent",),
    "code_ogr": ("code_ogr",),
    "code_fiche_metier": ("code_fiche_metier",),
    "transition_eco": ("transition_eco",),
    "transition_num": ("transition_num",),
    "transition_demo": ("transition_demo",),
    "emploi_reglemente": ("emploi_reglemente",),
    "emploi_cadre": ("emploi_cadre",),
}
CODES_OPTIONAL = tuple(c for c in CODES_COLUMNS if c not in ("code", "label"))
APPELLATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "code_ogr": ("code_ogr",),
    "label": ("libelle_appellation_long",),
    "short_label": ("libelle_appellation_court",),
    "code": ("code_rome",),
    "classification": ("classification",),
    "rarely_used": ("peu_usite",),
}
DOMAIN_COLUMNS: dict[str, tuple[str, ...]] = {
    "grand_domaine": ("grand_domaine",),
    "domaine": ("domaine_professionnel",),
    "code": ("code_rome",),
}
YES_NO_FLAGS = ("transition_num", "transition_demo", "emploi_reglemente", "emploi_cadre")

CODES_OUT = [
    "code", "label", "parent_code", "is_main_fiche", "grand_domaine_code", "domaine_code",
    "code_ogr", "code_fiche_metier", "transition_eco", *YES_NO_FLAGS,
]  # fmt: skip
APPELLATIONS_OUT = ["code_ogr", "rome_code", "label", "short_label", "is_main", "rarely_used"]
DOMAINS_OUT = ["level", "code", "label"]

_DOMAIN_LABEL = re.compile(r"^\s*([A-N]\d{0,2})\s*-\s*(.+?)\s*$")
_VERSION = re.compile(r"v(\d{3})", re.IGNORECASE)


def detect(path: Path, head: FileHead) -> bool:
    if head.format != "csv":
        return False
    return (
        head.has_columns("code_rome", "libelle_rome")
        or head.has_columns("code_rome", "libelle_appellation_long")
        or head.has_columns("code_rome", "grand_domaine", "domaine_professionnel")
    )


def layout_of(columns: set[str]) -> str:
    if "libelle appellation long" in columns:
        return LAYOUT_APPELLATIONS
    if "domaine professionnel" in columns and "grand domaine" in columns:
        return LAYOUT_DOMAINS
    return LAYOUT_CODES


def _yes_no(
    series: pd.Series, frame: pd.DataFrame, column: str, errors: list[RowError]
) -> pd.Series:
    text = series.astype("string").str.strip().str.upper()
    values = text.map({"O": True, "N": False}).astype("boolean")
    invalid = text.notna() & values.isna()
    errors += row_errors(frame, invalid, column, "valeur attendue : O (oui) ou N (non)")
    return values


def read(path: Path, *, vintage: str | None, context: ValidationContext) -> ReadResult:
    frame, meta = read_csv_sniffed(path)
    label = f"« {Path(path).name} »"
    layout = layout_of({normalize_label(c) for c in frame.columns})
    if frame.empty:
        raise ImportFileError(f"Le fichier {label} ne contient aucune ligne de données.")
    version = vintage
    if not version:
        found = _VERSION.search(Path(path).name)
        version = f"v{found.group(1)}" if found else ""
    errors: list[RowError] = []
    if layout == LAYOUT_CODES:
        out, notes = _read_codes(frame, label, errors)
        vintage_out = version
    elif layout == LAYOUT_APPELLATIONS:
        out, notes = _read_appellations(frame, label, errors, context)
        vintage_out = f"{version or 'rome'}-appellations"
    else:
        out, notes = _read_domains(frame, label, errors)
        vintage_out = f"{version or 'rome'}-domaines"
    if not version and layout == LAYOUT_CODES:
        raise ImportFileError(
            f"Version du référentiel ROME introuvable dans le nom {label} (ex. « v460 ») : "
            "indiquez le millésime."
        )
    notes[NOTE_LAYOUT] = layout
    notes["format du fichier"] = {"encodage": meta.encoding, "séparateur": meta.delimiter}
    errors.sort(key=lambda e: (e.line or 0, e.column))
    return ReadResult(
        frame=out,
        errors=errors,
        vintage=vintage_out,
        period="",
        nomenclature=f"{NOMENCLATURE} {version}".strip(),
        rows_read=len(frame),
        notes=notes,
    )


def _check_rome_codes(frame: pd.DataFrame, errors: list[RowError]) -> pd.Series:
    """Upper-case the frame's ROME codes (in place) and report the malformed ones; returns
    their mask."""
    frame["code"] = frame["code"].str.upper()
    return check_pattern(
        frame,
        "code",
        ROME_PATTERN,
        errors,
        rule="code ROME mal formé (attendu : A1234)",
        display_column="code_rome",
    )


def _read_codes(
    frame: pd.DataFrame, label: str, errors: list[RowError]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    frame = match_columns(frame, CODES_COLUMNS, file_label=label, optional=CODES_OPTIONAL)
    frame = with_columns(frame, CODES_OPTIONAL)
    bad = _check_rome_codes(frame, errors)
    errors += row_errors(
        frame, frame["label"].isna(), "label", "libellé manquant", display_column="libelle_rome"
    )
    check_duplicates(frame.loc[~bad], ["code"], errors, display_column="code_rome")
    parent = frame["parent"].str.upper().fillna(frame["code"])
    bad_parent = check_pattern(
        frame.assign(parent=parent),
        "parent",
        ROME_PATTERN,
        errors,
        rule="code ROME parent mal formé (attendu : A1234)",
        display_column="code_rome_parent",
    )
    orphan = ~bad_parent & ~parent.isin(list(frame["code"].dropna()))
    errors += row_errors(
        frame.assign(parent=parent),
        orphan,
        "parent",
        "fiche parente absente du référentiel",
        display_column="code_rome_parent",
    )
    frame["parent_code"] = parent
    for flag in YES_NO_FLAGS:
        frame[flag] = _yes_no(frame[flag], frame, flag, errors)
    out = frame.loc[~bad].copy()
    out["is_main_fiche"] = out["code"] == out["parent_code"]
    out["grand_domaine_code"] = out["code"].str[:1]
    out["domaine_code"] = out["code"].str[:3]
    for column in ("code_ogr", "code_fiche_metier", "transition_eco"):
        out[column] = out[column].fillna("").astype(str)
    out = out[CODES_OUT].sort_values("code").reset_index(drop=True)
    notes = {
        "codes ROME": len(out),
        "fiches principales": int(out["is_main_fiche"].sum()),
        "grands domaines": int(out["grand_domaine_code"].nunique()),
        "domaines professionnels": int(out["domaine_code"].nunique()),
    }
    return out, notes


def _read_appellations(
    frame: pd.DataFrame, label: str, errors: list[RowError], context: ValidationContext
) -> tuple[pd.DataFrame, dict[str, Any]]:
    if not context.rome:
        raise ImportFileError(
            "Référentiel ROME vide : importez d'abord les codes ROME (fichier "
            "« referentiel_code_rome ») avant les appellations."
        )
    frame = match_columns(
        frame,
        APPELLATION_COLUMNS,
        file_label=label,
        optional=("short_label", "classification", "rarely_used"),
    )
    frame = with_columns(frame, ("short_label", "classification", "rarely_used"))
    bad_ogr = check_pattern(
        frame, "code_ogr", r"\d+", errors, rule="code OGR mal formé (attendu : un nombre)"
    )
    bad = _check_rome_codes(frame, errors)
    unknown = ~bad & ~frame["code"].isin(list(context.rome))
    errors += row_errors(
        frame, unknown, "code", "code inconnu du référentiel ROME", display_column="code_rome"
    )
    errors += row_errors(
        frame,
        frame["label"].isna(),
        "label",
        "libellé manquant",
        display_column="libelle_appellation_long",
    )
    check_duplicates(frame.loc[~bad_ogr], ["code_ogr"], errors)
    frame["rarely_used"] = _yes_no(frame["rarely_used"], frame, "rarely_used", errors)
    out = frame.loc[~bad & ~bad_ogr].rename(columns={"code": "rome_code"})
    out["is_main"] = out["classification"].str.upper().eq("PRINCIPALE").fillna(False)
    out["short_label"] = out["short_label"].fillna("").astype(str)
    out = out[APPELLATIONS_OUT].sort_values("code_ogr").reset_index(drop=True)
    return out, {"appellations": len(out), "codes ROME": int(out["rome_code"].nunique())}


def _read_domains(
    frame: pd.DataFrame, label: str, errors: list[RowError]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    frame = match_columns(frame, DOMAIN_COLUMNS, file_label=label)
    rows: dict[tuple[str, str], tuple[str, int]] = {}
    for column, level, width in (("grand_domaine", "grand_domaine", 1), ("domaine", "domaine", 3)):
        parsed = frame[column].str.extract(_DOMAIN_LABEL)
        bad = parsed[0].isna() | (parsed[0].str.len() != width)
        errors += row_errors(
            frame,
            bad,
            column,
            "libellé de domaine illisible (attendu « A11- Engins agricoles et forestiers »)",
        )
        for (code, text), line in zip(
            parsed.loc[~bad].itertuples(index=False, name=None),
            frame.loc[~bad, LINE],
            strict=True,
        ):
            key = (level, code)
            if key in rows and rows[key][0] != text:
                errors.append(
                    RowError(
                        line=int(line),
                        column=column,
                        value=text,
                        rule=f"le domaine {code} a un autre libellé ligne {rows[key][1]}",
                    )
                )
            rows.setdefault(key, (text, int(line)))
    out = pd.DataFrame(
        [(level, code, text) for (level, code), (text, _) in rows.items()], columns=DOMAINS_OUT
    )
    out = out.sort_values(["level", "code"]).reset_index(drop=True)
    return out, {
        "grands domaines": int((out["level"] == "grand_domaine").sum()),
        "domaines professionnels": int((out["level"] == "domaine").sum()),
    }
