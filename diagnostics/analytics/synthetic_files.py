"""Labour-market files for the synthetic demo territory, written in the publishers' layouts.

Pure and seeded (numpy, pandas, openpyxl through pandas): from the territory frames of
`synthetic.synthetic_territory` and the métier and ROME codes the catalogue links to, build the
bytes of the files a delegate would download, so that the demo imports them through the real
importers (same sheets, columns, separators, decimal commas and masked cells « * »):

- BMO (France Travail), one XLSX per campaign 2023, 2024, 2025: sheet `BMO_<year>_open_data`
  after a `Description des variables` sheet, one row per bassin BMO × département × métier; the
  2023 column order (BE23 before Dept) and FAP 2009 based métier codes (`A0Z40`), FAP 2021 based
  codes (`A0X40`) from 2024; counts written as text like the originals, small counts masked `*`;
- localised unemployment (Insee), XLSX `txcho_ze` (title lines, label row, `ZE2020, LIBZE2020,
  REG, LIBREG, 2016-T1…`), quarterly from 2016-T1 to 2025-T2;
- job seekers A+B+C (France Travail STMT as exported by ODIS), CSV `codgeo,YEAR,Demandeurs_Emploi`
  (`janvier_2021`…), for communes of 5,000 inhabitants or more, départements and régions (`regNN`),
  rounded to the ten, January 2021 to June 2025;
- DARES tension indicators per ROME × bassin BMO, CSV `;` with decimal commas, 2019 layout
  (`libfap;ROME;fap;annee;…`) and 2021 layout (with the complementary factors);
- the annuaire de l'éducation, official 69-column layout (`;`, UTF-8 with BOM), with the lycées'
  `Voie_professionnelle` / `Voie_technologique` flags, and a few schools and collèges that the
  importer leaves out;
- a ROME codes referential restricted to the codes used (needed by the tension importer), whose
  labels say they are placeholders.

Every file name carries « demo-fictif » and the content is invented: the figures are plausible
(BMO projects 20-60 per 1,000 inhabitants, difficult and seasonal projects never above the
projects, unemployment 5-12 %, job seekers around 8 % of the population) and consistent between
files (the same bassin keeps its size and trend across campaigns), never real.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from diagnostics.analytics import columns as c

DEMO_FILES_SEED = 2026
DEMO_LABEL = "données fictives de démonstration"
# Recorded in the import batch's options of every generated file: the pages label its figures.
DEMO_OPTION = "donnees_fictives_demo"
FILE_TAG = "demo-fictif"
BMO_YEARS = (2023, 2024, 2025)
UNEMPLOYMENT_QUARTERS = [f"{y}-T{q}" for y in range(2016, 2026) for q in range(1, 5)][:-2]
JOB_SEEKER_MONTHS = [(y, m) for y in range(2021, 2026) for m in range(1, 13)][:-6]
TENSION_YEARS = (2019, 2021)
# The first of these is the 2023 campaign: FAP 2009 based codes; the others FAP 2021 based.
MONTH_NAMES = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip
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

# The official annuaire layout: its 69 columns, in order.
ANNUAIRE_COLUMNS = (
    "Identifiant_de_l_etablissement", "Nom_etablissement", "Type_etablissement",
    "Statut_public_prive", "Adresse_1", "Adresse_2", "Adresse_3", "Code postal", "Code_commune",
    "Nom_commune", "Code_departement", "Code_academie", "Code_region", "Ecole_maternelle",
    "Ecole_elementaire", "Voie_generale", "Voie_technologique", "Voie_professionnelle",
    "Telephone", "Fax", "Web", "Mail", "Restauration", "Hebergement", "ULIS", "Apprentissage",
    "Segpa", "Section_arts", "Section_cinema", "Section_theatre", "Section_sport",
    "Section_internationale", "Section_europeenne", "Lycee_Agricole", "Lycee_militaire",
    "Lycee_des_metiers", "Post_BAC", "Appartenance_Education_Prioritaire", "GRETA",
    "SIREN_SIRET", "Nombre_d_eleves", "Fiche_onisep", "position", "Type_contrat_prive",
    "Libelle_departement", "Libelle_academie", "Libelle_region", "coordonnee_X", "coordonnee_Y",
    "epsg", "nom_circonscription", "latitude", "longitude", "precision_localisation",
    "date_ouverture", "date_maj_ligne", "etat", "ministere_tutelle",
    "etablissement_multi_lignes", "rpi_concentre", "rpi_disperse", "code_nature",
    "libelle_nature", "Code_type_contrat_prive", "PIAL", "etablissement_mere",
    "type_rattachement_etablissement_mere", "code_bassin_formation", "libelle_bassin_formation",
)  # fmt: skip


@dataclass(frozen=True)
class DemoFile:
    """A generated file: the importer kind, the file name, its bytes and its vintage."""

    kind: str
    name: str
    content: bytes
    vintage: str


def _strip_accents(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn"
    )


def _require(frames: dict[str, pd.DataFrame], name: str, columns: Sequence[str]) -> pd.DataFrame:
    if name not in frames:
        raise ValueError(f"Cadre « {name} » absent du territoire synthétique.")
    frame = frames[name]
    missing = sorted(set(columns) - set(frame.columns))
    if missing:
        raise ValueError(f"{name} : colonnes manquantes {missing}")
    return frame


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


def _mask(value: int, *, threshold: int = 3) -> str:
    """The survey's statistical secret: small counts are published as « * »."""
    return "*" if 0 < value < threshold else str(value)


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
    communes = _require(
        frames,
        "communes",
        [c.CODE, c.POPULATION, c.DEPARTEMENT_CODE, c.REGION_CODE, c.BASSIN_BMO_CODE],
    )
    bassins = _require(frames, "bassins_bmo", [c.CODE, c.NAME])
    departements = _require(frames, "departements", [c.CODE, c.NAME])
    regions = _require(frames, "regions", [c.CODE, c.NAME])
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
                        f"NOMBE{yy}": _strip_accents(str(bassin_names[bassin])).upper(),
                        "met": "*" if masked else str(met),
                        "xmet": "*" if masked else _mask(xmet, threshold=4),
                        "smet": "*" if masked else _mask(smet, threshold=4),
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


def _xlsx(sheets: dict[str, pd.DataFrame], *, header: dict[str, bool]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False, header=header.get(name, True))
    return _fixed_timestamps(buffer.getvalue())


_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _fixed_timestamps(content: bytes) -> bytes:
    """The workbook with its creation dates and zip entry dates fixed, so that the same inputs
    give the same bytes (the import is recognised as already done on the next demo run)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>2025-06-01T00:00:00Z\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=(2025, 6, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return out.getvalue()


def _description(variables: Sequence[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(None, None, None)] * 4
        + [("Variable", "Description", None)]
        + [(k, v, None) for k, v in variables]
        + [(None, f"Fichier de {DEMO_LABEL} : chiffres inventés.", None)]
    )


def bmo_file(frame: pd.DataFrame, *, year: int) -> bytes:
    """The XLSX of one campaign: a description sheet, then `BMO_<year>_open_data`."""
    description = _description(
        [
            ("met", "Projets de recrutement"),
            ("xmet", "Projets de recrutement jugés difficiles"),
            ("smet", "Projets de recrutement saisonniers"),
        ]
    )
    first = "Description des variables" if year == 2023 else "Description_des_variables"
    return _xlsx({first: description, f"BMO_{year}_open_data": frame}, header={first: False})


def unemployment_frame(
    frames: dict[str, pd.DataFrame], *, seed: int = DEMO_FILES_SEED
) -> pd.DataFrame:
    """`ZE2020, LIBZE2020, REG, LIBREG` and one column per quarter (rate in %, one decimal):
    each zone keeps its level relative to a common national path (falling to 2019, the 2020
    dip, then flat and slightly rising)."""
    zones = _require(frames, "zones_emploi", [c.CODE, c.NAME])
    communes = _require(frames, "communes", [c.ZONE_EMPLOI_CODE, c.REGION_CODE, c.POPULATION])
    regions = _require(frames, "regions", [c.CODE, c.NAME]).set_index(c.CODE)[c.NAME]
    rng = np.random.default_rng(seed + 1)
    region_of = (
        communes.groupby([c.ZONE_EMPLOI_CODE, c.REGION_CODE])[c.POPULATION]
        .sum()
        .reset_index()
        .sort_values([c.ZONE_EMPLOI_CODE, c.POPULATION], ascending=[True, False])
        .drop_duplicates(c.ZONE_EMPLOI_CODE)
        .set_index(c.ZONE_EMPLOI_CODE)[c.REGION_CODE]
    )
    national = {
        2016: 9.9, 2017: 9.2, 2018: 8.8, 2019: 8.2, 2020: 7.9, 2021: 7.8, 2022: 7.2, 2023: 7.3,
        2024: 7.4, 2025: 7.5,
    }  # fmt: skip
    rows = []
    for code, name in sorted(zip(zones[c.CODE].astype(str), zones[c.NAME], strict=True)):
        level = rng.uniform(0.65, 1.45)
        region = str(region_of.get(code, ""))
        row: dict[str, object] = {
            "ZE2020": code,
            "LIBZE2020": name,
            "REG": region,
            "LIBREG": str(regions.get(region, "")),
        }
        for quarter in UNEMPLOYMENT_QUARTERS:
            year, q = int(quarter[:4]), int(quarter[-1])
            base = (
                national[year]
                + (national.get(year + 1, national[year]) - national[year]) * (q - 1) / 4
            )
            if quarter in ("2020-T2",):
                base -= 1.0  # the lockdown dip of the measured rate
            row[quarter] = round(float(base * level + rng.normal(0, 0.1)), 1)
        rows.append(row)
    return pd.DataFrame(rows)


def unemployment_file(frame: pd.DataFrame) -> bytes:
    """The Insee workbook: `Documentation`, `txcho_ze` (4 title lines, the label row, the
    header), `txcho_parties reg` (no interregional zone in the synthetic territory)."""
    quarters = [q for q in frame.columns if q not in ("ZE2020", "LIBZE2020", "REG", "LIBREG")]
    labels = [
        "Code de la zone d'emploi 2020",
        "Libellé de la zone d'emploi 2020",
        "Code région 2016",
        "Libellé région 2016",
    ] + [f"{'1er' if q.endswith('1') else q[-1] + 'e'} trimestre {q[:4]}" for q in quarters]
    width = len(frame.columns)
    title = [
        "Taux de chômage localisés par zone d'emploi, en moyenne trimestrielle : "
        f"territoire de démonstration ({DEMO_LABEL})",
        "Source : générateur de la démo (chiffres inventés, sur le modèle de l'Insee).",
    ]
    lines = [[t] + [None] * (width - 1) for t in title] + [[None] * width] * 2
    lines += [labels, list(frame.columns)] + frame.astype(object).to_numpy().tolist()
    sheet = pd.DataFrame(lines)
    parts = pd.DataFrame(
        [[title[0], None, None], [None] * 3, ["ZER2020", "LIBZER2020", quarters[0]]]
    )
    doc = pd.DataFrame(
        [
            [f"Taux de chômage localisés par zone d'emploi ({DEMO_LABEL})"],
            [None],
            ["Le taux de chômage est le rapport (en %) entre une estimation du nombre de "
             "chômeurs et la population active estimée au lieu de résidence."],
        ]
    )  # fmt: skip
    return _xlsx(
        {"Documentation": doc, "txcho_ze": sheet, "txcho_parties reg": parts},
        header={"Documentation": False, "txcho_ze": False, "txcho_parties reg": False},
    )


def job_seekers_frame(
    frames: dict[str, pd.DataFrame], *, seed: int = DEMO_FILES_SEED, town_min: int = 5_000
) -> pd.DataFrame:
    """`codgeo, YEAR, Demandeurs_Emploi` per month: communes of `town_min` inhabitants or more,
    départements (the sum of all their communes, so the residual of the small ones stays ≥ 0)
    and régions `regNN`, all rounded to the ten as published."""
    communes = _require(
        frames, "communes", [c.CODE, c.POPULATION, c.DEPARTEMENT_CODE, c.REGION_CODE]
    ).sort_values(c.CODE)
    rng = np.random.default_rng(seed + 2)
    departements = sorted(communes[c.DEPARTEMENT_CODE].astype(str).unique())
    dep_level = {d: rng.uniform(0.065, 0.105) for d in departements}
    population = communes[c.POPULATION].to_numpy(dtype=float)
    town = population >= town_min
    share = np.array([dep_level[str(d)] for d in communes[c.DEPARTEMENT_CODE]])
    share = share * np.where(town, 1.25, 0.85) * rng.uniform(0.9, 1.1, len(communes))
    rows: list[tuple[str, str, int]] = []
    for index, (year, month) in enumerate(JOB_SEEKER_MONTHS):
        # A slow fall to 2023, then a rise; a little seasonality (more in autumn).
        trend = 1.0 - 0.025 * min(index, 30) / 12 + 0.02 * max(index - 30, 0) / 12
        season = 1.0 + 0.015 * np.sin(2 * np.pi * (month - 4) / 12)
        values = population * share * trend * season
        label = f"{MONTH_NAMES[month - 1]}_{year}"
        frame = communes.assign(_v=values)
        for code, value in zip(frame.loc[town, c.CODE], frame.loc[town, "_v"], strict=True):
            rows.append((str(code), label, int(round(value / 10.0)) * 10))
        for dep, value in frame.groupby(c.DEPARTEMENT_CODE)["_v"].sum().items():
            rows.append((str(dep), label, int(round(value / 10.0)) * 10))
        for region, value in frame.groupby(c.REGION_CODE)["_v"].sum().items():
            rows.append((f"reg{region}", label, int(round(value / 10.0)) * 10))
    return pd.DataFrame(rows, columns=["codgeo", "YEAR", "Demandeurs_Emploi"])


def job_seekers_file(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def tension_frames(
    frames: dict[str, pd.DataFrame],
    *,
    romes: Sequence[str],
    rome_fap: Sequence[tuple[str, str]],
    seed: int = DEMO_FILES_SEED,
) -> dict[int, pd.DataFrame]:
    """Tension indicators per ROME × bassin BMO, 2019 and 2021 layouts.

    `romes`: the ROME codes of the 2021 file; `rome_fap`: (ROME code, FAP 2009 code) pairs, the
    codes of the 2019 file (which names the FAP 2009 family of each). Offers and job seekers scale with the bassin's
    population; the indicator is the quintile (1-5) of offers per job seeker over all rows of
    the year, the complementary factors quintiles of their own draws."""
    communes = _require(frames, "communes", [c.BASSIN_BMO_CODE, c.POPULATION])
    bassins = _require(frames, "bassins_bmo", [c.CODE, c.NAME])
    rng = np.random.default_rng(seed + 3)
    population = communes.groupby(c.BASSIN_BMO_CODE)[c.POPULATION].sum()
    names = bassins.set_index(c.CODE)[c.NAME]
    fap_of = dict(sorted(set(rome_fap)))
    every = sorted(set(romes) | set(fap_of))
    appeal = pd.Series(rng.lognormal(0.0, 0.5, len(every)), index=every)
    out: dict[int, pd.DataFrame] = {}
    for year in TENSION_YEARS:
        rows = []
        year_romes = sorted(fap_of) if year == 2019 else every
        for bassin in sorted(population.index.astype(str)):
            size = float(population[bassin]) / 100_000
            for rome in year_romes:
                seekers = size * rng.uniform(40, 260)
                offers = seekers * appeal[rome] * rng.uniform(0.3, 1.6)
                rows.append((bassin, rome, offers, seekers))
        frame = pd.DataFrame(rows, columns=["cbassin", "ROME", "oee", "defm_abc"])
        ratio = frame["oee"] / frame["defm_abc"]
        frame["ind_tension_d"] = pd.qcut(ratio.rank(method="first"), 5, labels=False) + 1
        if year == 2019:
            frame["oee"] = frame["oee"].round().astype(int)
            frame["defm_abc"] = frame["defm_abc"].round().astype(int)
            frame["fap"] = frame["ROME"].map(fap_of)
            frame["libfap"] = frame["fap"] + " : " + "Famille " + frame["fap"] + f" ({DEMO_LABEL})"
            frame["annee"] = year
            frame["lib_bassin_bmo19"] = [
                _strip_accents(str(names[b])).upper() for b in frame["cbassin"]
            ]
            out[year] = frame[
                ["libfap", "ROME", "fap", "annee", "oee", "defm_abc", "ind_tension_d",
                 "cbassin", "lib_bassin_bmo19"]
            ].reset_index(drop=True)  # fmt: skip
        else:
            factors = [
                "ind_int_emb_d", "ind_main_oeuvre_d", "ind_dur_empl_d", "ind_cond_travail_d",
                "ind_mismatch_geo_d", "ind_specif_form_empl_d",
            ]  # fmt: skip
            for name in factors:
                frame[name] = rng.integers(1, 6, len(frame))
            frame["annee"] = year
            frame["cbassin"] = frame["cbassin"].str.zfill(4)
            frame["defm_abc"] = frame["defm_abc"].round(2)
            out[year] = frame[
                ["annee", "ROME", "cbassin", "oee", "defm_abc", "ind_tension_d", *factors]
            ].reset_index(drop=True)
    return out


def tension_file(frame: pd.DataFrame, *, year: int) -> bytes:
    """`;`-separated, decimal comma; the 2019 file is Latin-1 with CRLF like the original."""
    text = frame.to_csv(
        index=False, sep=";", decimal=",", lineterminator="\r\n" if year == 2019 else "\n"
    )
    return text.encode("cp1252" if year == 2019 else "utf-8")


def lycees_frame(
    frames: dict[str, pd.DataFrame], *, seed: int = DEMO_FILES_SEED, town_min: int = 4_000
) -> pd.DataFrame:
    """The annuaire in its official layout: in each commune of `town_min` inhabitants or more,
    one lycée per ~12,000 inhabitants (at least one), alternately vocational, general and
    technological, and polyvalent; plus one école and one collège per town, which the importer
    leaves out. Coordinates near the commune's centre."""
    communes = _require(
        frames,
        "communes",
        [c.CODE, c.NAME, c.POPULATION, c.DEPARTEMENT_CODE, c.REGION_CODE, c.LATITUDE, c.LONGITUDE],
    )
    departements = _require(frames, "departements", [c.CODE, c.NAME]).set_index(c.CODE)[c.NAME]
    regions = _require(frames, "regions", [c.CODE, c.NAME]).set_index(c.CODE)[c.NAME]
    rng = np.random.default_rng(seed + 4)
    towns = communes[communes[c.POPULATION] >= town_min].sort_values(
        [c.POPULATION, c.CODE], ascending=[False, True]
    )
    kinds = (
        ("LYCEE PROFESSIONNEL", "Lycée professionnel", "0", "0", "1"),
        ("LYCEE D ENSEIGNEMENT GENERAL ET TECHNOLOGIQUE", "Lycée général et technologique",
         "1", "1", "0"),
        ("LYCEE POLYVALENT", "Lycée polyvalent", "1", "1", "1"),
        ("LYCEE D ENSEIGNEMENT GENERAL", "Lycée général", "1", "0", "0"),
    )  # fmt: skip
    counter: dict[str, int] = {}
    rows: list[dict[str, object]] = []

    def uai(dep: str) -> str:
        counter[dep] = counter.get(dep, 0) + 1
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        n = counter[dep]
        return f"0{dep.zfill(2)}{n:04d}{letters[n % len(letters)]}"

    turn = 0
    for town in towns.itertuples(index=False):
        code, name = str(getattr(town, c.CODE)), str(getattr(town, c.NAME))
        dep, region = str(getattr(town, c.DEPARTEMENT_CODE)), str(getattr(town, c.REGION_CODE))
        lat0, lon0 = float(getattr(town, c.LATITUDE)), float(getattr(town, c.LONGITUDE))
        population = int(getattr(town, c.POPULATION))
        establishments: list[tuple[str, str, tuple[str, ...] | None]] = [
            ("Ecole", f"École primaire publique de {name}", None),
            ("Collège", f"Collège de {name}", None),
        ]
        for _ in range(max(1, population // 12_000)):
            chosen = kinds[turn % len(kinds)]
            turn += 1
            establishments.append(("Lycée", f"{chosen[1]} de {name}", chosen))
        for type_, label, kind in establishments:
            lat = lat0 + float(rng.normal(0, 0.004))
            lon = lon0 + float(rng.normal(0, 0.006))
            row: dict[str, object] = dict.fromkeys(ANNUAIRE_COLUMNS, "")
            row.update(
                {
                    "Identifiant_de_l_etablissement": uai(dep),
                    "Nom_etablissement": label,
                    "Type_etablissement": type_,
                    "Statut_public_prive": "Public",
                    "Adresse_1": f"{int(rng.integers(1, 80))} rue de l'École",
                    "Adresse_3": f"{code} {name.upper()}",
                    "Code postal": code,
                    "Code_commune": code,
                    "Nom_commune": name,
                    "Code_departement": dep.zfill(3),
                    "Code_academie": "99",
                    "Code_region": region,
                    "Nombre_d_eleves": str(int(rng.integers(250, 1400))),
                    "position": f"{lat}, {lon}",
                    "Libelle_departement": str(departements[dep]),
                    "Libelle_academie": f"Académie de démonstration ({DEMO_LABEL})",
                    "Libelle_region": str(regions[region]),
                    "epsg": "EPSG:4326",
                    "latitude": f"{lat}",
                    "longitude": f"{lon}",
                    "precision_localisation": "Numéro de rue",
                    "date_ouverture": "1970-09-01",
                    "date_maj_ligne": "2025-06-01",
                    "etat": "OUVERT",
                    "ministere_tutelle": "MINISTERE DE L'EDUCATION NATIONALE",
                    "etablissement_multi_lignes": "0",
                }
            )
            if kind is not None:
                nature, _, general, techno, pro = kind
                row.update(
                    {
                        "Voie_generale": general,
                        "Voie_technologique": techno,
                        "Voie_professionnelle": pro,
                        "Lycee_des_metiers": pro,
                        "Lycee_Agricole": "0",
                        "Post_BAC": techno,
                        "libelle_nature": nature,
                    }
                )
            else:
                row["libelle_nature"] = (
                    "ECOLE DE NIVEAU ELEMENTAIRE" if type_ == "Ecole" else "COLLEGE"
                )
            rows.append(row)
    return pd.DataFrame(rows, columns=list(ANNUAIRE_COLUMNS))


def lycees_file(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, sep=";").encode("utf-8-sig")


def rome_file(codes: Sequence[str]) -> bytes:
    """The ROME codes referential (`unix_referentiel_code_rome` layout), restricted to `codes`,
    each its own main fiche; the labels say they are placeholders, not ROME's."""
    rows = [
        {
            "code_rome": code,
            "code_fiche_metier": str(index + 1),
            "code_ogr": str(900_000 + index),
            "libelle_rome": f"Fiche ROME {code} (intitulé non repris : {DEMO_LABEL})",
            "transition_eco": "",
            "transition_num": "",
            "transition_demo": "",
            "emploi_reglemente": "",
            "emploi_cadre": "",
            "code_rome_parent": code,
        }
        for index, code in enumerate(sorted(set(codes)))
    ]
    return pd.DataFrame(rows).to_csv(index=False, quoting=1).encode("utf-8")


def demo_file_names() -> list[str]:
    """The names of the files `demo_files` returns, in the same order, without building them."""
    return [
        f"unix_referentiel_code_rome_v460_{FILE_TAG}.csv",
        f"chomage-zone-t1-2016-t2-2025_{FILE_TAG}.xlsx",
        f"emploi_demandeur_{FILE_TAG}.csv",
        *(f"tensions_rome_bassin_{year}_{FILE_TAG}.csv" for year in TENSION_YEARS),
        f"fr-en-annuaire-education_{FILE_TAG}.csv",
        *(f"Base_open_data_BMO_{year}_{FILE_TAG}.xlsx" for year in BMO_YEARS),
        f"estim-pop-dep-sexe-aq-2011-2021_{FILE_TAG}.xlsx",
        f"secteurs_bassins_defm_{FILE_TAG}.csv",
    ]


def demo_files(
    frames: dict[str, pd.DataFrame],
    *,
    metiers: Sequence[str],
    romes: Sequence[str],
    rome_fap: Sequence[tuple[str, str]],
    equivalents: Mapping[str, Sequence[str]] | None = None,
    seed: int = DEMO_FILES_SEED,
) -> list[DemoFile]:
    """All the demo files, in import order (referentials first, BMO campaigns last, oldest
    first). Same inputs and seed, same bytes (the XLSX writer's timestamps aside)."""
    files = [
        DemoFile("rome", f"unix_referentiel_code_rome_v460_{FILE_TAG}.csv",
                 rome_file(sorted(set(romes) | {r for r, _ in rome_fap})), "v460"),
        DemoFile("chomage_ze", f"chomage-zone-t1-2016-t2-2025_{FILE_TAG}.xlsx",
                 unemployment_file(unemployment_frame(frames, seed=seed)),
                 UNEMPLOYMENT_QUARTERS[-1]),
        DemoFile("defm", f"emploi_demandeur_{FILE_TAG}.csv",
                 job_seekers_file(job_seekers_frame(frames, seed=seed)),
                 f"{JOB_SEEKER_MONTHS[-1][0]}-{JOB_SEEKER_MONTHS[-1][1]:02d}"),
    ]  # fmt: skip
    for year, frame in tension_frames(frames, romes=romes, rome_fap=rome_fap, seed=seed).items():
        files.append(
            DemoFile("tensions", f"tensions_rome_bassin_{year}_{FILE_TAG}.csv",
                     tension_file(frame, year=year), str(year))
        )  # fmt: skip
    files.append(
        DemoFile("lycees", f"fr-en-annuaire-education_{FILE_TAG}.csv",
                 lycees_file(lycees_frame(frames, seed=seed)), "")
    )  # fmt: skip
    for year, frame in bmo_frames(
        frames, metiers=metiers, equivalents=equivalents, seed=seed
    ).items():
        files.append(
            DemoFile("bmo", f"Base_open_data_BMO_{year}_{FILE_TAG}.xlsx",
                     bmo_file(frame, year=year), str(year))
        )  # fmt: skip
    # The prospective section's sources (issue 17), built in their own module.
    from diagnostics.analytics import synthetic_population as sp

    files.append(
        DemoFile("population_age", f"estim-pop-dep-sexe-aq-2011-2021_{FILE_TAG}.xlsx",
                 sp.population_age_file(sp.population_age_frame(frames, seed=seed),
                                        label=DEMO_LABEL),
                 str(sp.POPULATION_YEARS[-1]))
    )  # fmt: skip
    files.append(
        DemoFile("defm_secteur", f"secteurs_bassins_defm_{FILE_TAG}.csv",
                 sp.sector_job_seekers_file(frames, seed=seed), "2024")
    )  # fmt: skip
    return files
