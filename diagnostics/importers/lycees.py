"""Lycées from the annuaire de l'éducation (Ministère de l'Éducation nationale, DEPP).

Two published layouts, told apart by their columns:
- the full official schema (`fr-en-annuaire-education`, 69 columns, `;`): every kind of
  establishment, with the official flags `Voie_generale`, `Voie_technologique`,
  `Voie_professionnelle`, `Lycee_des_metiers`, `Lycee_Agricole`, and `latitude`/`longitude`;
- the reduced national extract (`identifiant_de_l_etablissement, nom_etablissement, …,
  voie_generale, nombre_d_eleves, longitude, latitude, nom_suggere_pro`): lycées only, with
  coordinates but **without** the vocational/technological flags. Its `nom_suggere_pro` is a guess
  from the name (« professionnel », « polyvalent », « SEP »…), not an official flag: it is stored
  apart, in `vocational_guess_from_name`, and the official flags stay unknown (NULL).

Only lycées are kept (`Type_etablissement` = « Lycée »). Rules: UAI `0123456A`; commune known
(municipal arrondissements of Paris, Lyon and Marseille mapped to their commune, merged communes
to their current code; the overseas collectivities 975/977/978/986–988, outside the COG communes,
are kept with `commune_known = False`); flags 0/1; latitude and longitude both present and in
range; pupils ≥ 0. An establishment published on several lines (official flag
`etablissement_multi_lignes`, or identical UAI and commune in the reduced extract) is one lycée at
the place of its first line: its flags are combined (1 if any line says 1), its other names
kept. Any other repeated UAI is refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from diagnostics.importers.codes import check_pattern, map_commune_codes, normalize_commune_codes
from diagnostics.importers.contract import (
    LINE,
    ImportFileError,
    ReadResult,
    RowError,
    ValidationContext,
)
from diagnostics.importers.csv_reading import read_csv_sniffed
from diagnostics.importers.file_checks import FileHead
from diagnostics.importers.values import (
    check_count,
    match_columns,
    normalize_label,
    parse_numbers,
    row_errors,
    with_columns,
)

KIND = "lycees"
LABEL = "Lycées (annuaire de l'éducation)"
NOMENCLATURE = "Annuaire de l'éducation (UAI)"

UAI_PATTERN = r"\d{7}[A-Z]"
LAYOUT_FULL = "officiel"
LAYOUT_REDUCED = "reduit"
NOTE_ESTABLISHMENTS = "établissements lus"
NOTE_LYCEE_LINES = "lignes de lycées"
NOTE_MULTI_LINES = "établissements publiés sur plusieurs lignes"

COLUMNS: dict[str, tuple[str, ...]] = {
    "uai": ("Identifiant_de_l_etablissement", "uai", "code_uai", "numero_uai"),
    "name": ("Nom_etablissement", "appellation_officielle"),
    "type": ("Type_etablissement",),
    "sector": ("Statut_public_prive", "secteur_public_prive"),
    "commune": ("Code_commune", "code_commune_insee"),
    "latitude": ("latitude",),
    "longitude": ("longitude",),
    # Optional, depending on the layout.
    "region": ("Code_region",),
    "academy": ("Code_academie",),
    "students": ("Nombre_d_eleves",),
    "voie_generale": ("Voie_generale",),
    "voie_technologique": ("Voie_technologique",),
    "voie_professionnelle": ("Voie_professionnelle",),
    "lycee_des_metiers": ("Lycee_des_metiers",),
    "lycee_agricole": ("Lycee_Agricole",),
    "nature": ("libelle_nature",),
    "multi_lines": ("etablissement_multi_lignes",),
    "updated": ("date_maj_ligne",),
    "guess": ("nom_suggere_pro",),
}
OPTIONAL = (
    "region", "academy", "students", "voie_generale", "voie_technologique",
    "voie_professionnelle", "lycee_des_metiers", "lycee_agricole", "nature", "multi_lines",
    "updated", "guess",
)  # fmt: skip
FLAGS = (
    "voie_generale", "voie_technologique", "voie_professionnelle", "lycee_des_metiers",
    "lycee_agricole",
)  # fmt: skip
OUT_COLUMNS = [
    "uai", "name", "other_names", "layout", "nature", "sector", "commune_code", "commune_known",
    "departement_code", "region_code", "academy_code", "latitude", "longitude", *FLAGS,
    "students", "vocational_guess_from_name",
]  # fmt: skip

# Municipal arrondissements (and the pseudo-codes 75100, 69380, 13200) → their commune.
_ARRONDISSEMENTS = (
    (re.compile(r"^751(0\d|1\d|20)$"), "75056"),
    (re.compile(r"^6938\d$"), "69123"),
    (re.compile(r"^132(0\d|1[0-6])$"), "13055"),
)
# Overseas collectivities (Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin, Pacific):
# INSEE codes outside the COG communes of France.
_OVERSEAS_COLLECTIVITY = re.compile(r"^(975|977|978|986|987|988)\d{2}$")

_TRUE = {"1", "true", "vrai", "oui", "o", "yes", "1.0"}
_FALSE = {"0", "false", "faux", "non", "n", "no", "0.0"}


def detect(path: Path, head: FileHead) -> bool:
    return head.format == "csv" and head.has_columns(
        "identifiant_de_l_etablissement", "nom_etablissement"
    )


def parse_flags(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """0/1 (also true/false, oui/non) → nullable booleans; returns (values, invalid mask)."""
    text = series.astype("string").str.strip().str.lower()
    values = pd.Series(pd.NA, index=series.index, dtype="boolean")
    values[text.isin(list(_TRUE)).fillna(False).astype(bool)] = True
    values[text.isin(list(_FALSE)).fillna(False).astype(bool)] = False
    invalid = text.notna() & values.isna()
    return values, invalid.astype(bool)


def map_arrondissements(codes: pd.Series, known: frozenset[str]) -> pd.Series:
    def one(code: Any) -> Any:
        if not isinstance(code, str) or code in known:
            return code
        for pattern, commune in _ARRONDISSEMENTS:
            if pattern.match(code):
                return commune
        return code

    mapping = {c: one(c) for c in codes.dropna().unique()}
    return codes.map(lambda c: mapping.get(c, c) if isinstance(c, str) else c).astype("string")


def read(path: Path, *, vintage: str | None, context: ValidationContext) -> ReadResult:
    frame, meta = read_csv_sniffed(path)
    label = f"« {Path(path).name} »"
    frame = match_columns(frame, COLUMNS, file_label=label, optional=OPTIONAL)
    if not context.communes:
        raise ImportFileError(
            "Référentiel des communes vide : chargez d'abord les territoires (load_territories)."
        )
    layout = LAYOUT_FULL if "voie_professionnelle" in frame.columns else LAYOUT_REDUCED
    rows_read = len(frame)
    is_lycee = (
        frame["type"]
        .map(lambda v: normalize_label(v) == "lycee" if isinstance(v, str) else False)
        .astype(bool)
    )
    frame = frame.loc[is_lycee].reset_index(drop=True)
    if frame.empty:
        raise ImportFileError(
            f"Aucun lycée dans {label} (colonne « Type_etablissement » = « Lycée ») : ce n'est "
            "pas un annuaire des lycées."
        )
    frame = with_columns(frame, OPTIONAL)
    errors: list[RowError] = []

    frame["uai"] = frame["uai"].str.upper()
    bad_uai = check_pattern(
        frame,
        "uai",
        UAI_PATTERN,
        errors,
        rule="UAI mal formé (attendu : 7 chiffres et une lettre, ex. 0350709F)",
        display_column="Identifiant_de_l_etablissement",
    )
    errors += row_errors(
        frame, frame["name"].isna(), "name", "nom manquant", display_column="Nom_etablissement"
    )

    codes = normalize_commune_codes(frame["commune"]).str.upper()
    codes = map_arrondissements(codes, context.communes)
    codes, _ = map_commune_codes(codes, context)
    frame["commune_code"] = codes
    overseas = codes.str.match(_OVERSEAS_COLLECTIVITY).fillna(False).astype(bool)
    known = codes.isin(list(context.communes)).fillna(False).astype(bool)
    frame["commune_known"] = known
    errors += row_errors(
        frame, codes.isna(), "commune", "code commune manquant", display_column="Code_commune"
    )
    unknown = codes.notna() & ~known & ~overseas
    errors += row_errors(
        frame,
        unknown,
        "commune",
        "code inconnu du référentiel des communes (COG)",
        display_column="Code_commune",
        value_column="commune_code",
    )
    frame["departement_code"] = codes.map(
        lambda c: (c[:3] if c.startswith("97") else c[:2]) if isinstance(c, str) else ""
    )

    lat = parse_numbers(frame["latitude"])
    lon = parse_numbers(frame["longitude"])
    lat_values, lon_values = lat.values, lon.values  # noqa: PD011 (ParsedNumbers field)
    for parsed, values, column, limit in (
        (lat, lat_values, "latitude", 90),
        (lon, lon_values, "longitude", 180),
    ):
        errors += row_errors(frame, parsed.invalid, column, "n'est pas un nombre")
        out_of_range = values.abs() > limit
        errors += row_errors(
            frame, out_of_range, column, f"hors limites (entre -{limit} et {limit} degrés)"
        )
    one_sided = lat_values.isna() ^ lon_values.isna()
    errors += row_errors(
        frame,
        one_sided & lat_values.isna(),
        "latitude",
        "latitude manquante alors que la longitude est donnée",
    )
    errors += row_errors(
        frame,
        one_sided & lon_values.isna(),
        "longitude",
        "longitude manquante alors que la latitude est donnée",
    )
    frame["latitude_value"] = lat_values
    frame["longitude_value"] = lon_values

    for column in FLAGS:
        values, invalid = parse_flags(frame[column])
        errors += row_errors(frame, invalid, column, "indicateur attendu : 0 ou 1")
        frame[column] = values
    guess, invalid_guess = parse_flags(frame["guess"])
    errors += row_errors(
        frame,
        invalid_guess,
        "guess",
        "valeur attendue : True ou False",
        display_column="nom_suggere_pro",
    )
    frame["vocational_guess_from_name"] = guess
    students, _ = check_count(
        frame, "students", errors, allow_missing=True, display_column="Nombre_d_eleves"
    )
    frame["students"] = students

    sector = frame["sector"].map(lambda v: normalize_label(v) if isinstance(v, str) else None)
    bad_sector = sector.notna() & ~sector.isin(["public", "prive"])
    errors += row_errors(
        frame,
        bad_sector,
        "sector",
        "statut attendu : Public ou Privé",
        display_column="Statut_public_prive",
    )
    frame["sector"] = sector.map({"public": "public", "prive": "prive"}).fillna("")

    frame = frame.loc[~bad_uai].reset_index(drop=True)
    merged, merge_errors, multi = _merge_lines(frame, layout=layout)
    errors += merge_errors
    merged["layout"] = layout
    out = merged[OUT_COLUMNS].sort_values("uai").reset_index(drop=True)

    deps = sorted(d for d in out["departement_code"].unique() if d)
    scope = "france" if len(deps) > 5 else "-".join(deps) or "inconnu"
    period = ""
    if frame["updated"].notna().any():
        dates = pd.to_datetime(frame["updated"], errors="coerce", format="%Y-%m-%d")
        if dates.notna().any():
            period = f"{dates.max():%Y-%m-%d}"
    notes: dict[str, Any] = {
        "format du fichier": {"encodage": meta.encoding, "séparateur": meta.delimiter},
        "schéma": "annuaire complet" if layout == LAYOUT_FULL else "extrait réduit",
        NOTE_ESTABLISHMENTS: rows_read,
        NOTE_LYCEE_LINES: int(is_lycee.sum()),
        "lycées": len(out),
        NOTE_MULTI_LINES: multi,
        "lycées hors communes du COG (collectivités d'outre-mer)": int(
            (~out["commune_known"]).sum()
        ),
        "lycées sans coordonnées": int(out["latitude"].isna().sum()),
        "indicateurs officiels de voie": "oui" if layout == LAYOUT_FULL else "non",
    }
    if layout == LAYOUT_REDUCED:
        notes["avertissement"] = (
            "Extrait réduit : pas d'indicateur officiel de voie professionnelle ou technologique "
            "(laissés inconnus) ; « vocational_guess_from_name » n'est qu'une supposition "
            "d'après le nom."
        )
    errors.sort(key=lambda e: (e.line or 0, e.column))
    return ReadResult(
        frame=out,
        errors=errors,
        vintage=vintage or f"{layout}-{scope}",
        period=period,
        nomenclature=NOMENCLATURE,
        rows_read=rows_read,
        notes=notes,
    )


def _any_true(values: pd.Series) -> Any:
    if values.isna().all():
        return pd.NA
    return bool(values.fillna(False).any())


def _merge_lines(frame: pd.DataFrame, *, layout: str) -> tuple[pd.DataFrame, list[RowError], int]:
    """One row per UAI: lines of a multi-line establishment combined, other repeats refused."""
    errors: list[RowError] = []
    frame = frame.assign(latitude=frame["latitude_value"], longitude=frame["longitude_value"])
    repeated = frame["uai"].duplicated(keep=False)
    single = frame.loc[~repeated].assign(other_names="")
    rows: list[dict[str, Any]] = []
    multi = 0
    for uai, group in frame.loc[repeated].groupby("uai", sort=False):
        first = group.iloc[0]
        first_line = int(first[LINE])
        declared = group["multi_lines"].astype("string").str.strip().eq("1").fillna(False).all()
        communes = set(group["commune_code"].dropna())
        if layout == LAYOUT_FULL and not declared:
            reason = "UAI en double (lignes non déclarées « etablissement_multi_lignes »)"
        elif layout != LAYOUT_FULL and len(communes) > 1:
            reason = "UAI en double sur des communes différentes"
        else:
            reason = ""
        if reason:
            for _, row in group.iloc[1:].iterrows():
                errors.append(
                    RowError(
                        line=int(row[LINE]),
                        column="Identifiant_de_l_etablissement",
                        value=uai,
                        rule=f"{reason} (déjà présent ligne {first_line})",
                    )
                )
            continue
        multi += 1
        record = {str(k): v for k, v in first.items()}
        names = [n for n in dict.fromkeys(group["name"].dropna()) if n != first["name"]]
        record["other_names"] = " ; ".join(names)
        for column in (*FLAGS, "vocational_guess_from_name"):
            record[column] = _any_true(group[column])
        students = group["students"].dropna()
        record["students"] = students.iloc[0] if len(students) else pd.NA
        rows.append(record)
    out = pd.concat([single, pd.DataFrame(rows)], ignore_index=True) if rows else single
    out = out.rename(columns={"region": "region_code", "academy": "academy_code"})
    for column in ("region_code", "academy_code", "nature"):
        out[column] = out[column].fillna("").astype(str)
    for column in (*FLAGS, "vocational_guess_from_name"):
        out[column] = out[column].astype("boolean")
    out["students"] = out["students"].astype("Int64")
    out["latitude"] = out["latitude"].astype("float64")
    out["longitude"] = out["longitude"].astype("float64")
    out["commune_known"] = out["commune_known"].astype(bool)
    return out, errors, multi
