"""Benchmark of the diagnostic engine (`basin_diagnostic`) on synthetic inputs of real size,
with its reference measured side by side in the same run.

    python bench/bench_diagnostic_engine.py [--runs 5] [--seed 2025]

Inputs (deterministic, generated here, nothing read from disk):
- a crosswalk of 34 000 communes in 96 départements, 13 régions, 306 zones d'emploi and 400
  bassins BMO that do not nest (a zone d'emploi spans several bassins);
- BMO facts: 3 years × 400 bassins × 200 métiers = 240 000 cells, secret cells (`*`, NA) where
  fewer than 5 projects, plus a share of secret `xmet` / `smet`;
- the unemployment rate of the 306 zones d'emploi over 20 years of quarters (24 480 rows);
- job seekers: 2 000 communes and 96 départements over 60 months (125 760 rows);
- DARES tension rows: 400 bassins × 100 ROME (offers, A+B+C job seekers, factors).

Measured:
1. `basin_diagnostic` for one basin (a zone d'emploi spread over several bassins, so every
   figure goes through the population apportioning) — target < 2 s;
2. the aggregation step (BMO totals by year, by family and by métier over France: sums of
   published cells, masked counts, difficulty and seasonal rates over the cells where both
   values are published) with our pandas/numpy code and as DuckDB SQL over the same frame,
   results checked equal — target: ours within 2× of DuckDB.
Medians of `--runs` runs after a warm-up; wall and CPU time (on a busy machine CPU time is the
steadier figure; DuckDB may use several threads, so its CPU time can exceed its wall time).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diagnostics.analytics.bmo import bmo_by_family, bmo_by_metier, bmo_by_year  # noqa: E402
from diagnostics.analytics.columns import (  # noqa: E402
    BASSIN_BMO_CODE,
    CATEGORY,
    COMMUNE_CODE,
    DEPARTEMENT_CODE,
    DIFFICULTY_RATE,
    EPCI_CODE,
    FAMILY_CODE,
    FAMILY_LABEL,
    GEO_CODE,
    JOB_SEEKERS_ABC,
    LEVEL,
    MASKED_CELLS,
    MET,
    MET_MASKED,
    METIER_CODE,
    METIER_LABEL,
    OFFERS,
    PERIOD,
    POPULATION,
    PROJECTS,
    PUBLISHED_TENSION,
    RATE,
    REGION_CODE,
    ROME_CODE,
    SEASONAL_RATE,
    SMET,
    SMET_MASKED,
    VALUE,
    WORKING_CONDITIONS,
    XMET,
    XMET_MASKED,
    YEAR,
    ZONE_EMPLOI_CODE,
)
from diagnostics.analytics.indicators import basin_diagnostic  # noqa: E402

N_COMMUNES = 34_000
N_DEPARTEMENTS = 96
N_REGIONS = 13
N_ZE = 306
N_BASSINS = 400
N_METIERS = 200
BMO_YEARS = (2023, 2024, 2025)
FAMILIES = ["A", "C", "I", "O", "S", "T", "V", "Z"]
BASIN_ZE = 150


def synthetic_inputs(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    index = np.arange(N_COMMUNES)
    departement = index * N_DEPARTEMENTS // N_COMMUNES
    # Bassins are shifted blocks: they straddle the zones d'emploi, as the real ones do.
    communes = pd.DataFrame(
        {
            COMMUNE_CODE: [f"{i:05d}" for i in index],
            POPULATION: pd.array(
                np.round(rng.lognormal(6.6, 1.3, N_COMMUNES)).astype("int64"), dtype="Int64"
            ),
            ZONE_EMPLOI_CODE: [f"{z:04d}" for z in index * N_ZE // N_COMMUNES],
            BASSIN_BMO_CODE: [
                f"{b:04d}" for b in ((index + 37) * N_BASSINS // N_COMMUNES) % N_BASSINS
            ],
            EPCI_CODE: [f"2000{e:05d}" for e in index // 30],
            DEPARTEMENT_CODE: [f"{d:02d}" for d in departement + 1],
            REGION_CODE: [f"{r:02d}" for r in departement * N_REGIONS // N_DEPARTEMENTS + 11],
        }
    )

    # BMO: 3 × 400 × 200 cells.
    years = np.repeat(BMO_YEARS, N_BASSINS * N_METIERS)
    bassins = np.tile(np.repeat(np.arange(N_BASSINS), N_METIERS), len(BMO_YEARS))
    metiers = np.tile(np.arange(N_METIERS), N_BASSINS * len(BMO_YEARS))
    size = len(years)
    met = np.round(rng.gamma(0.6, 40.0, size)).astype("int64")
    difficulty = rng.beta(6, 3, N_METIERS)[metiers]
    seasonality = rng.beta(2, 4, N_METIERS)[metiers]
    xmet = rng.binomial(met, difficulty)
    smet = rng.binomial(met, seasonality)
    met_masked = met < 5
    xmet_masked = met_masked | (xmet < 5) | (rng.random(size) < 0.05)
    smet_masked = met_masked | (smet < 5) | (rng.random(size) < 0.05)
    bmo = pd.DataFrame(
        {
            YEAR: years,
            BASSIN_BMO_CODE: pd.array([f"{b:04d}" for b in range(N_BASSINS)], dtype="str")[bassins],
            METIER_CODE: pd.array([f"M{m:03d}" for m in range(N_METIERS)], dtype="str")[metiers],
            METIER_LABEL: pd.array([f"Métier {m}" for m in range(N_METIERS)], dtype="str")[metiers],
            FAMILY_CODE: pd.array(FAMILIES, dtype="str")[metiers % len(FAMILIES)],
            FAMILY_LABEL: pd.array([f"Famille {f}" for f in FAMILIES], dtype="str")[
                metiers % len(FAMILIES)
            ],
            MET: pd.array(np.where(met_masked, np.nan, met), dtype="Float64").astype("Int64"),
            XMET: pd.array(np.where(xmet_masked, np.nan, xmet), dtype="Float64").astype("Int64"),
            SMET: pd.array(np.where(smet_masked, np.nan, smet), dtype="Float64").astype("Int64"),
            MET_MASKED: met_masked,
            XMET_MASKED: xmet_masked,
            SMET_MASKED: smet_masked,
        }
    )

    # Unemployment: 306 zones × 80 quarters.
    quarters = [f"{y}-T{q}" for y in range(2004, 2024) for q in range(1, 5)]
    base = rng.normal(8.0, 2.0, N_ZE)
    cycle = 1.5 * np.sin(np.arange(len(quarters)) / 9)
    rates = np.clip(
        base[:, None] + cycle[None, :] + rng.normal(0, 0.2, (N_ZE, len(quarters))), 2, 25
    )
    unemployment = pd.DataFrame(
        {
            ZONE_EMPLOI_CODE: np.repeat([f"{z:04d}" for z in range(N_ZE)], len(quarters)),
            PERIOD: np.tile(quarters, N_ZE),
            RATE: pd.array(np.round(rates, 1).ravel(), dtype="Float64"),
        }
    )

    # Job seekers: the 2 000 most populous communes, and every département, 60 months.
    months = [f"{y}-{m:02d}" for y in range(2020, 2025) for m in range(1, 13)]
    big = communes.nlargest(2000, POPULATION)
    commune_values = (big[POPULATION].to_numpy(dtype="float64") * 0.08)[:, None] * (
        1 + rng.normal(0, 0.03, (len(big), len(months)))
    )
    dep_population = communes.groupby(DEPARTEMENT_CODE)[POPULATION].sum()
    dep_values = (dep_population.to_numpy(dtype="float64") * 0.08)[:, None] * (
        1 + rng.normal(0, 0.02, (len(dep_population), len(months)))
    )
    job_seekers = pd.concat(
        [
            pd.DataFrame(
                {
                    LEVEL: "commune",
                    GEO_CODE: np.repeat(big[COMMUNE_CODE].to_numpy(), len(months)),
                    PERIOD: np.tile(months, len(big)),
                    CATEGORY: "ABC",
                    VALUE: pd.array(
                        np.round(commune_values.ravel()).astype("int64"), dtype="Int64"
                    ),
                }
            ),
            pd.DataFrame(
                {
                    LEVEL: "departement",
                    GEO_CODE: np.repeat(dep_population.index.to_numpy(), len(months)),
                    PERIOD: np.tile(months, len(dep_population)),
                    CATEGORY: "ABC",
                    VALUE: pd.array(np.round(dep_values.ravel()).astype("int64"), dtype="Int64"),
                }
            ),
        ],
        ignore_index=True,
    )

    # DARES tension: 400 bassins × 100 ROME, one year.
    romes = [f"R{r:04d}" for r in range(100)]
    tension = pd.DataFrame(
        {
            YEAR: 2021,
            BASSIN_BMO_CODE: np.repeat([f"{b:04d}" for b in range(N_BASSINS)], len(romes)),
            ROME_CODE: np.tile(romes, N_BASSINS),
            OFFERS: rng.gamma(1.0, 30.0, N_BASSINS * len(romes)),
            JOB_SEEKERS_ABC: rng.gamma(1.5, 30.0, N_BASSINS * len(romes)),
            WORKING_CONDITIONS: rng.integers(1, 6, N_BASSINS * len(romes)),
            PUBLISHED_TENSION: rng.integers(1, 6, N_BASSINS * len(romes)),
        }
    )
    basin_communes = communes.loc[
        communes[ZONE_EMPLOI_CODE] == f"{BASIN_ZE:04d}", COMMUNE_CODE
    ].tolist()
    return {
        "communes": communes,
        "bmo": bmo,
        "unemployment": unemployment,
        "job_seekers": job_seekers,
        "tension": tension,
        "basin": {"id": 1, "name": f"Zone d'emploi {BASIN_ZE:04d}", "communes": basin_communes},
    }


def measure(function: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Median wall and CPU seconds over `runs` runs, after one warm-up; and the last result."""
    result = function()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def ours_aggregation(bmo: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {
        "year": bmo_by_year(bmo),
        "family": bmo_by_family(bmo),
        "metier": bmo_by_metier(bmo),
    }


def _sql(by: str, labels: str) -> str:
    return f"""
        SELECT {by}{labels},
            count(*) AS cells,
            count(met) AS published_cells,
            count(*) - count(met) AS masked_cells,
            sum(met) AS projects,
            sum(CASE WHEN x_ok THEN xmet END) AS difficult,
            sum(CASE WHEN x_ok THEN met END) AS difficulty_base,
            count(*) - count_if(x_ok) AS difficulty_masked_cells,
            sum(CASE WHEN x_ok THEN xmet END) / sum(CASE WHEN x_ok THEN met END)
                AS difficulty_rate,
            sum(CASE WHEN s_ok THEN smet END) AS seasonal,
            sum(CASE WHEN s_ok THEN met END) AS seasonal_base,
            count(*) - count_if(s_ok) AS seasonal_masked_cells,
            sum(CASE WHEN s_ok THEN smet END) / sum(CASE WHEN s_ok THEN met END)
                AS seasonal_rate
        FROM (
            SELECT *, met IS NOT NULL AND xmet IS NOT NULL AS x_ok,
                   met IS NOT NULL AND smet IS NOT NULL AS s_ok
            FROM bmo
        )
        GROUP BY {by}
        ORDER BY {by}
    """


def duckdb_aggregation(connection: Any, bmo: pd.DataFrame) -> dict[str, pd.DataFrame]:
    connection.register("bmo", bmo)
    try:
        return {
            "year": connection.sql(_sql("year", "")).df(),
            "family": connection.sql(
                _sql("year, family_code", ", any_value(family_label) AS family_label")
            ).df(),
            "metier": connection.sql(
                _sql(
                    "year, metier_code",
                    ", any_value(metier_label) AS metier_label,"
                    " any_value(family_code) AS family_code",
                )
            ).df(),
        }
    finally:
        connection.unregister("bmo")


def check_same(ours: dict[str, pd.DataFrame], theirs: dict[str, pd.DataFrame]) -> None:
    for name in ours:
        a, b = ours[name], theirs[name]
        assert len(a) == len(b), (name, len(a), len(b))
        for column in (PROJECTS, MASKED_CELLS, DIFFICULTY_RATE, SEASONAL_RATE):
            left = a[column].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
            right = pd.to_numeric(b[column]).to_numpy(dtype="float64", na_value=np.nan)
            assert np.allclose(left, right, equal_nan=True), (name, column)


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    import duckdb

    started = time.perf_counter()
    inputs = synthetic_inputs(args.seed)
    generated = time.perf_counter() - started
    bmo = inputs["bmo"]
    print(
        f"Entrées synthétiques ({generated:.1f} s) : {_n(len(inputs['communes']))} communes, "
        f"{_n(len(bmo))} cellules BMO ({_n(int(bmo[MET].isna().sum()))} secrètes), "
        f"{_n(len(inputs['unemployment']))} taux trimestriels, "
        f"{_n(len(inputs['job_seekers']))} valeurs mensuelles de demandeurs, "
        f"{_n(len(inputs['tension']))} lignes de tension ; bassin : "
        f"{len(inputs['basin']['communes'])} communes."
    )

    def diagnostic() -> Any:
        return basin_diagnostic(
            basin=inputs["basin"],
            communes=inputs["communes"],
            bmo=bmo,
            unemployment=inputs["unemployment"],
            job_seekers=inputs["job_seekers"],
            tension=inputs["tension"],
        )

    diag_wall, diag_cpu, result = measure(diagnostic, args.runs)
    years = result.document["years"]
    last = years[str(BMO_YEARS[-1])]
    print(
        f"Bassin : {_n(result.document['basin']['population'])} hab., projets "
        f"{BMO_YEARS[-1]} = {_n(last['bmo_projects'])} (estimé : "
        f"{'oui' if last['bmo_estimated'] else 'non'}), {len(result.tables)} tableaux."
    )

    ours_wall, ours_cpu, ours = measure(lambda: ours_aggregation(bmo), args.runs)
    connection = duckdb.connect()
    duck_wall, duck_cpu, theirs = measure(lambda: duckdb_aggregation(connection, bmo), args.runs)
    check_same(ours, theirs)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    ratio = ours_wall / duck_wall if duck_wall else float("nan")
    rows = [
        ("basin_diagnostic (un bassin)", diag_wall, diag_cpu, "", "", "< 2 s", diag_wall < 2),
        (
            "agrégation BMO, pandas/numpy",
            ours_wall,
            ours_cpu,
            f"{ratio:.2f}×",
            "",
            "≤ 2× DuckDB",
            ratio <= 2,
        ),
        ("agrégation BMO, DuckDB SQL", duck_wall, duck_cpu, "1,00×", "", "référence", True),
    ]
    print()
    print(f"{'étape':34} {'mur (s)':>9} {'CPU (s)':>9} {'ratio':>7}  {'cible':12} résultat")
    for name, wall, cpu, ratio_text, _, target, ok in rows:
        print(
            f"{name:34} {wall:9.3f} {cpu:9.3f} {ratio_text.replace('.', ','):>7}  {target:12} "
            f"{'OK' if ok else 'HORS CIBLE'}"
        )
    print(
        f"\nMédianes de {args.runs} exécutions ; mémoire maximale du processus : {peak_mb:.0f} Mo."
    )
    print("Résultats de l'agrégation identiques (projets, cellules secrètes, taux) : oui.")


if __name__ == "__main__":
    main()
