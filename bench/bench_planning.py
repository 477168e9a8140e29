"""Benchmark of the site selection (`implantations.analytics.planning.sites_select`): the exact
integer program (HiGHS through scipy.optimize.milp) against the greedy heuristic, on synthetic
regions of growing size, with the greedy heuristic's gap to the optimum.

    python bench/bench_planning.py [--seed 2025] [--runs 3]

Instances (deterministic, generated here): candidates spread uniformly over a 400 × 400 km
square around 48°N 5°E (a large French region), fit values U(20, 90), costs per site drawn
among three concepts' (150 k€, 250 k€, 260 k€); n = 10 sites, min 40 km, budget 2 M€. Sizes:
30 (a region's zones d'emploi), 60 (its bassins BMO), 300 and 400 (all of France's bassins).
Reported: median wall time of each method, the number of conflicting pairs, the objectives,
the gap and whether HiGHS proved the optimum (time limit 10 s).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from implantations.analytics import planning as p  # noqa: E402
from implantations.analytics import planning_selection  # noqa: E402

KM_PER_DEG_LAT = 111.195


def instance(size: int, rng: np.random.Generator) -> pd.DataFrame:
    lat = 48.0 + rng.uniform(-200, 200, size) / KM_PER_DEG_LAT
    lon = 5.0 + rng.uniform(-200, 200, size) / (KM_PER_DEG_LAT * np.cos(np.radians(48.0)))
    return pd.DataFrame(
        {
            p.CANDIDATE_ID: [f"c{i:03d}" for i in range(size)],
            p.VALUE: rng.uniform(20, 90, size).round(2),
            p.COST: rng.choice([150_000.0, 250_000.0, 260_000.0], size),
            p.LATITUDE: lat,
            p.LONGITUDE: lon,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"{'taille':>6} {'paires':>7} {'glouton (ms)':>13} {'PLNE (ms)':>10} "
          f"{'glouton':>9} {'optimum':>9} {'écart':>7} prouvé")  # fmt: skip
    for size in (30, 60, 300, 400):
        frame = instance(size, rng)
        checked = planning_selection._check_selection(frame, n=10, budget=2_000_000, min_km=40)
        pairs = p.conflict_pairs(checked, min_km=40)
        greedy_times, ilp_times = [], []
        selection = None
        for _ in range(args.runs):
            t = time.perf_counter()
            p.select_greedy(checked, n=10, budget=2_000_000, conflicts=pairs)
            greedy_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            p.select_ilp(checked, n=10, budget=2_000_000, conflicts=pairs)
            ilp_times.append(time.perf_counter() - t)
        selection = p.sites_select(frame, n=10, budget=2_000_000, min_km=40)
        gap = "—" if selection.gap is None else f"{selection.gap * 100:.2f} %"
        print(
            f"{size:>6} {len(pairs):>7} {statistics.median(greedy_times) * 1000:>13.2f} "
            f"{statistics.median(ilp_times) * 1000:>10.1f} {selection.greedy_objective:>9.1f} "
            f"{(selection.ilp_objective or 0):>9.1f} {gap:>7} {selection.ilp_optimal}"
        )


if __name__ == "__main__":
    main()
