"""The generic indicator CSV: data the platform does not know yet (NEET share, digital exclusion,
broadband coverage…), one value per line. Format documented in docs/imports.md.

Columns (French headers, any order, accents and case ignored): `niveau` (commune, epci,
zone_emploi, bassin_bmo, departement, region), `code`, `periode` (AAAA, AAAA-MM, AAAA-Tn or
AAAA-Sn), `indicateur` (short code: letters, digits, `_`), `valeur` (decimal point or comma; `*`
for a secret value), `unite` (free text; `%` means a share within 0–100), `source`. Delimiter
`;`, `,` or tab; UTF-8 or Windows-1252.

Codes are checked against the referential of their level; old commune codes (merged communes)
are mapped to the current code and counted. The vintage, when not given, is the list of
indicator codes, so a new file with the same indicators replaces the previous one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from diagnostics.importers.codes import (
    check_duplicates,
    check_pattern,
    map_commune_codes,
    normalize_code,
)
from diagnostics.importers.contract import (
    LINE,
    ImportFileError,
    ReadResult,
    RowError,
    ValidationContext,
)
from diagnostics.importers.csv_reading import read_csv_sniffed
from diagnostics.importers.file_checks import FileHead
from diagnostics.importers.values import match_columns, normalize_label, parse_numbers, row_errors

KIND = "indicator"
LABEL = "Indicateur générique (CSV)"
FORMATS = ("csv",)

SPEC: dict[str, tuple[str, ...]] = {
    "niveau": ("niveau", "niveau géographique", "niveau_geo"),
    "code": ("code", "code géographique", "codgeo", "code_geo"),
    "periode": ("période", "periode", "period"),
    "indicateur": ("indicateur", "code indicateur", "indicator"),
    "valeur": ("valeur", "value"),
    "unite": ("unité", "unite", "unit"),
    "source": ("source",),
}
TEMPLATE_HEADER = ["niveau", "code", "periode", "indicateur", "valeur", "unite", "source"]
TEMPLATE_ROWS = [
    ["commune", "52121", "2023", "part_neet_15_24", "17,5", "%", "Insee, recensement 2020"],
    ["zone_emploi", "4404", "2023-T3", "taux_chomage", "5,9", "%", "Insee"],
    ["epci", "200068658", "2024", "couverture_fibre", "82,4", "%", "Arcep"],
    ["departement", "52", "2024-06", "demandeurs_abc", "9120", "personnes", "France Travail"],
]

# Level → (canonical value, code width for leading zeros, ValidationContext attribute, label)
LEVELS: dict[str, tuple[str, int, str, str]] = {
    "commune": ("commune", 5, "communes", "des communes"),
    "epci": ("epci", 9, "epci", "des EPCI"),
    "zone emploi": ("zone_emploi", 4, "zones_emploi", "des zones d'emploi 2020"),
    "ze": ("zone_emploi", 4, "zones_emploi", "des zones d'emploi 2020"),
    "bassin bmo": ("bassin_bmo", 3, "bassins_bmo", "des bassins BMO"),
    "departement": ("departement", 2, "departements", "des départements"),
    "region": ("region", 2, "regions", "des régions"),
}
PERIOD_RE = r"\d{4}(-(0[1-9]|1[0-2]|T[1-4]|S[12]))?"
INDICATOR_RE = r"[A-Za-z][A-Za-z0-9_.\-]{0,63}"


def detect(path: Path, head: FileHead) -> bool:
    return head.format == "csv" and head.has_columns("niveau", "code", "indicateur", "valeur")


def template_csv() -> str:
    """The downloadable template (UTF-8, `;`, decimal comma)."""
    lines = [";".join(TEMPLATE_HEADER), *(";".join(r) for r in TEMPLATE_ROWS)]
    return "\n".join(lines) + "\n"


def read(path: Path, *, vintage: str | None, context: ValidationContext) -> ReadResult:
    path = Path(path)
    frame, meta = read_csv_sniffed(path)
    frame = match_columns(frame, SPEC, file_label=f"« {path.name} »")
    if len(frame) == 0:
        raise ImportFileError(f"« {path.name} » ne contient aucune ligne de données.")
    errors: list[RowError] = []

    level_key = frame["niveau"].map(lambda v: normalize_label(v) if isinstance(v, str) else v)
    level_key = level_key.str.replace(" d ", " ", regex=False)  # « zone d'emploi »
    known_level = level_key.isin(list(LEVELS)).fillna(False).astype(bool)
    errors += row_errors(
        frame,
        ~known_level,
        "niveau",
        "niveau inconnu (commune, epci, zone_emploi, bassin_bmo, departement ou region)",
    )
    frame["level"] = level_key.map(lambda k: LEVELS[k][0] if k in LEVELS else pd.NA)

    codes = frame["code"].astype("string").str.strip().str.upper()
    frame["code_norm"] = codes
    remapped_total = 0
    used_levels = sorted({LEVELS[k] for k in level_key[known_level].unique()})
    for canonical, width, attr, label in used_levels:
        rows = frame["level"] == canonical
        part = normalize_code(codes[rows], width=width)
        known: frozenset[str] = getattr(context, attr)
        if canonical == "commune":
            part, remapped = map_commune_codes(part, context)
            remapped_total += int(remapped.sum())
        frame.loc[rows, "code_norm"] = part
        if not known:
            raise ImportFileError(
                f"Le référentiel {label} est vide : chargez d'abord les territoires "
                "(python manage.py load_territories --source DOSSIER) pour contrôler les codes "
                f"de niveau « {canonical} »."
            )
        unknown = rows & frame["code_norm"].notna() & ~frame["code_norm"].isin(list(known))
        errors += row_errors(
            frame,
            unknown.fillna(False).astype(bool),
            "code",
            f"code inconnu du référentiel {label}",
        )
    errors += row_errors(frame, frame["code"].isna(), "code", "code manquant")

    check_pattern(
        frame,
        "periode",
        PERIOD_RE,
        errors,
        rule="période invalide (formats : AAAA, AAAA-MM, AAAA-Tn, AAAA-Sn)",
    )
    check_pattern(
        frame,
        "indicateur",
        INDICATOR_RE,
        errors,
        rule="code d'indicateur invalide (lettres, chiffres et _ ; 64 caractères au plus)",
    )
    parsed = parse_numbers(frame["valeur"])
    errors += row_errors(frame, parsed.invalid, "valeur", "n'est pas un nombre")
    errors += row_errors(frame, parsed.missing, "valeur", "valeur manquante")
    unit = frame["unite"].fillna("").astype(str).str.strip()
    percent = unit.isin(["%", "pourcent", "pourcentage"])
    out_of_range = (
        percent & parsed.numbers.notna() & ((parsed.numbers < 0) | (parsed.numbers > 100))
    )
    errors += row_errors(frame, out_of_range, "valeur", "part en % hors de l'intervalle 0–100")
    check_duplicates(
        frame,
        ["level", "code_norm", "periode", "indicateur"],
        errors,
        display_column="niveau + code + periode + indicateur",
    )

    indicators = sorted(frame["indicateur"].dropna().unique().tolist())
    if vintage:
        batch_vintage = str(vintage)
    else:
        batch_vintage = "+".join(indicators)
        if len(batch_vintage) > 100:
            digest = hashlib.sha256(batch_vintage.encode()).hexdigest()[:12]
            batch_vintage = f"{batch_vintage[:80]}…{digest}"
    periods = sorted(frame["periode"].dropna().unique().tolist())
    out = pd.DataFrame(
        {
            LINE: frame[LINE],
            "level": frame["level"].fillna("").astype(str),
            "code": frame["code_norm"].fillna("").astype(str),
            "period": frame["periode"].fillna("").astype(str),
            "indicator": frame["indicateur"].fillna("").astype(str),
            "value": parsed.numbers,
            "masked": parsed.secret,
            "unit": unit,
            "source": frame["source"].fillna("").astype(str).str.strip(),
        }
    )
    errors.sort(key=lambda e: (e.line or 0, e.column))
    return ReadResult(
        frame=out,
        errors=errors,
        vintage=batch_vintage,
        period=f"{periods[0]} → {periods[-1]}"
        if len(periods) > 1
        else (periods[0] if periods else ""),
        nomenclature="",
        rows_read=len(frame),
        notes={
            "encodage": meta.encoding,
            "séparateur": {";": "point-virgule", ",": "virgule", "\t": "tabulation"}.get(
                meta.delimiter, meta.delimiter
            ),
            "décimales": "virgule" if meta.decimal == "," else "point",
            "indicateurs": indicators,
            "codes communes remplacés (communes fusionnées)": remapped_total,
        },
    )
