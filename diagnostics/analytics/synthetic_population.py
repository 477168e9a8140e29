"""Demo files for the prospective section (issue 17), in the publishers' layouts: INSEE's
population estimates by département, sex and 5-year age band (XLSX, one sheet per year after an
« À savoir » sheet, two header rows, a ditto mark in one band label as in the 2021 original),
and France Travail's job seekers per bassin BMO and NAF section (CSV `;`, the Mobiville
layout). Pure and seeded; every figure is invented (« données fictives de démonstration »)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from openpyxl import Workbook

from diagnostics.analytics import columns as c
from diagnostics.analytics.synthetic_file_common import fixed_timestamps

POPULATION_YEARS = tuple(range(2011, 2022))
AGE_MINS = tuple(range(0, 100, 5))
SECTORS = (
    "Agriculture, sylviculture et pêche",
    "Industrie manufacturière",
    "Construction",
    "Commerce -  réparation d'automobiles et de motocycles",
    "Transports et entreposage",
    "Hébergement et restauration",
    "Activités de services administratifs et de soutien",
    "Administration publique",
    "Santé humaine et action sociale",
    "Autres activités de services",
)


def _band_label(age: int) -> str:
    return "95 ans et plus" if age == 95 else f"{age} à {age + 4} ans"


def _pyramid(year: int, *, ageing: float) -> np.ndarray:
    """Shares of the 20 bands in `year`: a flat profile that tips towards the older bands as
    the years go by (`ageing` per year: faster in rural départements)."""
    ages = np.array(AGE_MINS, dtype="float64")
    base = np.where(ages < 60, 1.0, np.maximum(0.05, 1.0 - (ages - 55) / 45))
    tilt = 1 + ageing * (year - POPULATION_YEARS[0]) * (np.clip(ages, 45, 70) - 45) / 25
    shares = base * tilt
    return shares / shares.sum()


def population_age_frame(frames: dict[str, pd.DataFrame], *, seed: int) -> pd.DataFrame:
    """Per year and département: population of each band (ensemble, hommes, femmes), scaled on
    the département's legal population. Columns: year, departement_code, departement_name,
    sex, age_min, population (int)."""
    communes = frames["communes"]
    departements = frames["departements"].set_index(c.CODE)[c.NAME]
    population = communes.groupby(c.DEPARTEMENT_CODE)[c.POPULATION].sum()
    rng = np.random.default_rng(seed + 17)
    rows = []
    for code in sorted(population.index.astype(str)):
        ageing = float(rng.uniform(0.01, 0.035))
        men_share = float(rng.uniform(0.47, 0.5))
        for year in POPULATION_YEARS:
            total = float(population[code]) * (1 + 0.002 * (year - 2021))
            shares = _pyramid(year, ageing=ageing)
            men = np.round(total * shares * men_share)
            women = np.round(total * shares * (1 - men_share))
            for age, m, w in zip(AGE_MINS, men, women, strict=True):
                name = str(departements.get(code, code))
                rows.append((year, code, name, "ensemble", age, int(m + w)))
                rows.append((year, code, name, "hommes", age, int(m)))
                rows.append((year, code, name, "femmes", age, int(w)))
    return pd.DataFrame(
        rows,
        columns=[c.YEAR, c.DEPARTEMENT_CODE, "departement_name", c.SEX, c.AGE_MIN, "population"],
    )


def population_age_file(frame: pd.DataFrame, *, label: str) -> bytes:
    """The INSEE workbook layout: « À savoir », then one sheet per year, newest first."""
    workbook = Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "À savoir"
    for line in (
        "Quelques remarques",
        "",
        "Estimation de population au 1er janvier, par département, sexe et âge quinquennal",
        f"Fichier de {label} : chiffres inventés.",
    ):
        notes.append([line])
    bands = [_band_label(a) for a in AGE_MINS] + ["Total"]
    for year in sorted(frame[c.YEAR].unique(), reverse=True):
        sheet = workbook.create_sheet(str(year))
        sheet.append(
            ["Estimation de population au 1er janvier, par département, sexe et âge quinquennal"]
        )
        sheet.append([f"Année {year}"])
        sheet.append([])
        header: list[object] = ["Départements", ""]
        for sex in ("Ensemble", "Hommes", "Femmes"):
            header += [sex] + [""] * (len(bands) - 1)
        sheet.append(header)
        band_row: list[object] = ["", "", *bands, *bands, *bands]
        if year == max(frame[c.YEAR]):
            band_row[3] = '"'  # the 2021 original writes a ditto mark for « 5 à 9 ans »
        sheet.append(band_row)
        rows = frame[frame[c.YEAR] == year]
        totals = np.zeros(len(bands) * 3)
        for code, part in rows.groupby(c.DEPARTEMENT_CODE, sort=True):
            values: list[object] = [str(code), str(part["departement_name"].iloc[0])]
            numbers: list[float] = []
            for sex in ("ensemble", "hommes", "femmes"):
                counts = (
                    part[part[c.SEX] == sex]
                    .sort_values(c.AGE_MIN)["population"]
                    .astype(float)
                    .tolist()
                )
                numbers += counts + [sum(counts)]
            totals += np.array(numbers)
            sheet.append(values + numbers)
        sheet.append(["France (territoire fictif)", "", *totals.tolist()])
        sheet.append([])
        sheet.append([f"Source : {label}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return fixed_timestamps(buffer.getvalue())


def sector_job_seekers_file(frames: dict[str, pd.DataFrame], *, seed: int) -> bytes:
    """Job seekers per bassin BMO and NAF section (`code_bassin;demandeurs_emploi;
    secteur_libelle`), about 7 % of the bassin's population spread over ten sections."""
    communes = frames["communes"]
    population = communes.groupby(c.BASSIN_BMO_CODE)[c.POPULATION].sum()
    rng = np.random.default_rng(seed + 19)
    lines = ["code_bassin;demandeurs_emploi;secteur_libelle"]
    for bassin in sorted(population.index.astype(str)):
        weights = rng.dirichlet(np.full(len(SECTORS), 2.0))
        total = float(population[bassin]) * 0.07
        for sector, weight in zip(SECTORS, weights, strict=True):
            lines.append(f"{int(bassin)};{round(total * weight)};{sector}")
    return ("\n".join(lines) + "\n").encode("utf-8")
