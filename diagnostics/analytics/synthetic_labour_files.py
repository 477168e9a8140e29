"""The synthetic labour-market files: unemployment rates per zone d'emploi (Insee layout), job
seekers per commune and month (France Travail layout) and the DARES tension indicators."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.analytics.synthetic_file_common import (
    DEMO_FILES_SEED,
    DEMO_LABEL,
    JOB_SEEKER_MONTHS,
    MONTH_NAMES,
    TENSION_YEARS,
    UNEMPLOYMENT_QUARTERS,
    require_frame,
    strip_accents,
    xlsx_bytes,
)


def unemployment_frame(
    frames: dict[str, pd.DataFrame], *, seed: int = DEMO_FILES_SEED
) -> pd.DataFrame:
    """`ZE2020, LIBZE2020, REG, LIBREG` and one column per quarter (rate in %, one decimal):
    each zone keeps its level relative to a common national path (falling to 2019, the 2020
    dip, then flat and slightly rising)."""
    zones = require_frame(frames, "zones_emploi", [c.CODE, c.NAME])
    communes = require_frame(frames, "communes", [c.ZONE_EMPLOI_CODE, c.REGION_CODE, c.POPULATION])
    regions = require_frame(frames, "regions", [c.CODE, c.NAME]).set_index(c.CODE)[c.NAME]
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
    return xlsx_bytes(
        {"Documentation": doc, "txcho_ze": sheet, "txcho_parties reg": parts},
        header={"Documentation": False, "txcho_ze": False, "txcho_parties reg": False},
    )


def job_seekers_frame(
    frames: dict[str, pd.DataFrame], *, seed: int = DEMO_FILES_SEED, town_min: int = 5_000
) -> pd.DataFrame:
    """`codgeo, YEAR, Demandeurs_Emploi` per month: communes of `town_min` inhabitants or more,
    départements (the sum of all their communes, so the residual of the small ones stays ≥ 0)
    and régions `regNN`, all rounded to the ten as published."""
    communes = require_frame(
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
    communes = require_frame(frames, "communes", [c.BASSIN_BMO_CODE, c.POPULATION])
    bassins = require_frame(frames, "bassins_bmo", [c.CODE, c.NAME])
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
                strip_accents(str(names[b])).upper() for b in frame["cbassin"]
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
