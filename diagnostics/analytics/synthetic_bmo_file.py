"""The synthetic BMO survey (one XLSX per campaign, in the open-data layout of France Travail):
projects, difficult and seasonal projects per bassin × métier, consistent across campaigns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.analytics.synthetic_file_common import (
    BMO_YEARS,
    DEMO_FILES_SEED,
    DEMO_LABEL,
    bmo_mask,
    require_frame,
    strip_accents,
    variables_sheet,
    xlsx_bytes,
)

BMO_FAMILIES = {
    "A": "Fonctions administratives",
    "C": "Fonctions d'encadrement",
    "I": "Ouvriers des secteurs de l'industrie",
    "O": "Ouvriers de la construction et du bâtiment",
    "S": "Fonctions sociales et médico-sociales",
    "T": "Autres techniciens et employés",
    "V": "Fonctions liées à la vente, au tourisme et aux services",
    "Z": "Autres métiers",
}
# FAP domain letter → BMO family (the usual grouping of the survey).
_FAMILY_OF_DOMAIN = {
    "A": "Z", "B": "O", "C": "I", "D": "I", "E": "I", "F": "I", "G": "T", "H": "T", "J": "V",
    "K": "Z", "L": "A", "M": "T", "N": "C", "P": "A", "Q": "A", "R": "V", "S": "V", "T": "S",
    "U": "C", "V": "S", "W": "S", "X": "Z",
}  # fmt: skip
# Métiers outside the catalogue, so that the gap also meets needs no path answers.
EXTRA_METIERS = ("A0X40", "A0Z40", "A1X41", "A1Z41", "T4X60", "T4Z60", "B0X20", "B0Z20")
SEASONAL_DOMAINS = {"A", "S", "R", "T"}


def _bassin_factors(codes: Sequence[str], rng: np.random.Generator) -> pd.DataFrame:
    """A size (projects per 1,000 inhabitants), a difficulty level and a yearly trend per
    bassin, drawn once so that the three campaigns agree."""
    n = len(codes)
    return pd.DataFrame(
        {
            "rate": rng.uniform(22.0, 55.0, n),
            "difficulty": rng.uniform(0.42, 0.6, n),
            "trend": rng.uniform(-0.07, 0.09, n),
        },
        index=list(codes),
    )


def bmo_frames(
    frames: dict[str, pd.DataFrame],
    *,
    metiers: Sequence[str],
    equivalents: Mapping[str, Sequence[str]] | None = None,
    seed: int = DEMO_FILES_SEED,
) -> dict[int, pd.DataFrame]:
    """The three BMO campaigns as published sheets (year → frame, columns in the year's order).

    `metiers`: BMO métier codes (both FAP 2009 based `..Z..` and FAP 2021 based `..X..` codes
    may be given: the 2023 campaign keeps those without X, the others those without Z).
    `equivalents`: FAP 2009 based code → the FAP 2021 based codes of the same occupations; the
    old code then takes their share of projects, difficulty and seasonality (split between the
    old codes sharing them), so that a catalogue path's needs do not jump at the series break.
    Invariants: 0 ≤ xmet ≤ met, 0 ≤ smet ≤ met before masking; `met` of 1 or 2 masks its row
    « * », `xmet` and `smet` from 1 to 3 are masked.
    """
    communes = require_frame(
        frames,
        "communes",
        [c.CODE, c.POPULATION, c.DEPARTEMENT_CODE, c.REGION_CODE, c.BASSIN_BMO_CODE],
    )
    bassins = require_frame(frames, "bassins_bmo", [c.CODE, c.NAME])
    departements = require_frame(frames, "departements", [c.CODE, c.NAME])
    regions = require_frame(frames, "regions", [c.CODE, c.NAME])
    rng = np.random.default_rng(seed)
    codes = sorted(set(metiers) | set(EXTRA_METIERS))
    weights = pd.Series(rng.lognormal(0.0, 1.2, len(codes)), index=codes)
    seasonal = pd.Series(
        [rng.uniform(0.25, 0.6) if m[0] in SEASONAL_DOMAINS else rng.uniform(0.0, 0.12)
         for m in codes],
        index=codes,
    )  # fmt: skip
    # Some métiers are hard to recruit for everywhere (the tension métiers of the report).
    hardness = pd.Series(rng.uniform(-0.15, 0.34, len(codes)), index=codes)
    shared: dict[tuple[str, ...], int] = {}
    for new in (equivalents or {}).values():
        key = tuple(sorted(n for n in new if n in weights.index))
        shared[key] = shared.get(key, 0) + 1
    for old, new in sorted((equivalents or {}).items()):
        key = tuple(sorted(n for n in new if n in weights.index))
        if old in weights.index and key:
            weights[old] = float(weights[list(key)].sum()) / shared[key]
            hardness[old] = float(hardness[list(key)].mean())
            seasonal[old] = float(seasonal[list(key)].mean())
    bassin_codes = sorted(bassins[c.CODE].astype(str))
    factors = _bassin_factors(bassin_codes, rng)
    noise = rng.uniform(-0.12, 0.12, (len(bassin_codes), len(codes)))
    parts = (
        communes.groupby([c.BASSIN_BMO_CODE, c.DEPARTEMENT_CODE, c.REGION_CODE])[c.POPULATION]
        .sum()
        .reset_index()
        .sort_values([c.BASSIN_BMO_CODE, c.DEPARTEMENT_CODE])
    )
    bassin_names = bassins.set_index(c.CODE)[c.NAME]
    dep_names = departements.set_index(c.CODE)[c.NAME]
    region_names = regions.set_index(c.CODE)[c.NAME]
    out: dict[int, pd.DataFrame] = {}
    for offset, year in enumerate(BMO_YEARS):
        yy = str(year)[2:]
        keep = [m for m in codes if (m[2] != "X" if year == 2023 else m[2] != "Z")]
        # Shares of the FAP 2021 total: the old codes carry the weight of their new
        # equivalents, so a bassin's needs follow its trend across the 2023 series break.
        shares = weights[keep] / weights[[m for m in codes if m[2] != "Z"]].sum()
        year_noise = rng.uniform(0.9, 1.1, (len(bassin_codes), len(codes)))
        rows = []
        for part in parts.itertuples(index=False):
            bassin, dep, region = (str(v) for v in part[:3])
            population = int(part[3])
            b = bassin_codes.index(bassin)
            f = factors.loc[bassin]
            total = population / 1000 * f["rate"] * (1 + f["trend"]) ** offset
            for m in keep:
                j = codes.index(m)
                met = int(round(total * shares[m] * year_noise[b, j]))
                if met <= 0:
                    continue
                difficulty = float(np.clip(f["difficulty"] + hardness[m] + noise[b, j], 0.05, 0.95))
                xmet = min(met, int(round(met * difficulty)))
                smet = min(met, int(round(met * seasonal[m])))
                masked = met < 3
                family = _FAMILY_OF_DOMAIN.get(m[0], "Z")
                rows.append(
                    {
                        "annee": year,
                        "Code métier BMO": m,
                        "Nom métier BMO": f"Métier {m} ({DEMO_LABEL})",
                        "Famille_met": family,
                        "Lbl_fam_met": BMO_FAMILIES[family],
                        "REG": region,
                        "NOM_REG": str(region_names[region]),
                        "Dept": dep,
                        "NomDept": str(dep_names[dep]),
                        f"BE{yy}": int(bassin),
                        f"NOMBE{yy}": strip_accents(str(bassin_names[bassin])).upper(),
                        "met": "*" if masked else str(met),
                        "xmet": "*" if masked else bmo_mask(xmet, threshold=4),
                        "smet": "*" if masked else bmo_mask(smet, threshold=4),
                    }
                )
        frame = pd.DataFrame(rows)
        head = ["annee", "Code métier BMO", "Nom métier BMO", "Famille_met", "Lbl_fam_met"]
        place = (
            [f"BE{yy}", f"NOMBE{yy}", "Dept", "NomDept", "REG", "NOM_REG"]
            if year == 2023
            else ["REG", "NOM_REG", "Dept", "NomDept", f"BE{yy}", f"NOMBE{yy}"]
        )
        out[year] = frame[[*head, *place, "met", "xmet", "smet"]].reset_index(drop=True)
    return out


def bmo_file(frame: pd.DataFrame, *, year: int) -> bytes:
    """The XLSX of one campaign: a description sheet, then `BMO_<year>_open_data`."""
    description = variables_sheet(
        [
            ("met", "Projets de recrutement"),
            ("xmet", "Projets de recrutement jugés difficiles"),
            ("smet", "Projets de recrutement saisonniers"),
        ]
    )
    first = "Description des variables" if year == 2023 else "Description_des_variables"
    return xlsx_bytes({first: description, f"BMO_{year}_open_data": frame}, header={first: False})
