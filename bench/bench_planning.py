"""Benchmark of the site selection (`implantations.analytics.planning_selection.sites_select`): the exact
integer program (HiGHS through scipy.optimize.milp) against the greedy heuristic, on synthetic
regions of growing size, with the greedy heuristic's gap to the optimum.

    python bench/bench_planning.py [--seed 2025] [--runs 3]

Instances (deterministic, generated here): candidates spread uniformly over a 400 × 400 km
square around 48°N 5°E (a large French region), fit values U(20, 90), costs per site drawn
among three concepts' (150 k€, 250 k€, 260 k€); n = 10 sites, min 40 km, budget 2 M€. Sizes:
30 (a region's zones d'emploi), 60 (its bassins BMO), 300 and 400 (all of France's bassins).
Reported: median wall time of each method, the number of conflicting pairs, the objectives,
the gap and whether HiGHS proved the optimum (time limit 10 s).

National case (issue 16), on a database holding the real data and the national batch of the
zoning (`manage.py load_open_data --source ../shared/data` then `manage.py diagnostic_run --all
ze --sync`):

    python bench/bench_planning.py --national sqlite:////tmp/real.sqlite3 [--zoning zone_emploi]

It reads every diagnosed basin of the zoning once (`services.planning_national.national_plan`,
its timings printed) and then, for N = 10, 50, 100 sites with and without a budget (N × 200 k€),
40 km apart, times side by side the greedy heuristic (the reference), the exact integer program
(HiGHS) and the LP relaxation (the bound when the program is not solved), with the objectives,
the greedy heuristic's exact gap and the bound on the kept solution's gap. Last, the whole
service as the page calls it (with its trade-off curve), median of `--runs`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from implantations.analytics import planning_columns as pc  # noqa: E402
from implantations.analytics import planning_selection  # noqa: E402

KM_PER_DEG_LAT = 111.195


def instance(size: int, rng: np.random.Generator) -> pd.DataFrame:
    lat = 48.0 + rng.uniform(-200, 200, size) / KM_PER_DEG_LAT
    lon = 5.0 + rng.uniform(-200, 200, size) / (KM_PER_DEG_LAT * np.cos(np.radians(48.0)))
    return pd.DataFrame(
        {
            pc.CANDIDATE_ID: [f"c{i:03d}" for i in range(size)],
            planning_selection.VALUE: rng.uniform(20, 90, size).round(2),
            planning_selection.COST: rng.choice([150_000.0, 250_000.0, 260_000.0], size),
            pc.LATITUDE: lat,
            pc.LONGITUDE: lon,
        }
    )


def _median_ms(function: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, result


def national(database_url: str, zoning: str, runs: int) -> None:
    import os

    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_DEMO", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnam_territoires.settings")
    import django

    django.setup()
    from implantations.analytics import honesty
    from implantations.services.planning_national import national_plan

    t = time.perf_counter()
    plan = national_plan(user=None, zoning=zoning, curve=False)
    print(f"Planification nationale ({zoning}) : {len(plan.candidates)} candidats lus et notés "
          f"en {time.perf_counter() - t:.2f} s — "
          + ", ".join(f"{k} {v:.2f} s" for k, v in plan.timings.items()))  # fmt: skip
    ranked = plan.candidates[plan.candidates[honesty.STANDING] == honesty.RANKED]
    frame = ranked.assign(**{planning_selection.VALUE: ranked[pc.FIT].astype(float)})[
        planning_selection.SELECTION_INPUT_COLUMNS
    ]
    print(f"{len(frame)} candidats classés (éligibles, données suffisantes), 40 km au moins.")
    print(f"{'N':>4} {'budget':>9} {'paires':>7} {'glouton ms':>10} {'PLNE ms':>8} {'PL ms':>7} "
          f"{'glouton':>8} {'PLNE':>8} {'borne':>8} {'écart glouton':>13} {'écart ≤':>8} prouvé")  # fmt: skip
    for n in (10, 50, 100):
        for budget in (None, n * 200_000.0):
            checked = planning_selection._check_selection(frame, n=n, budget=budget, min_km=40)
            pairs = planning_selection.conflict_pairs(checked, min_km=40)
            greedy_ms, _ = _median_ms(
                partial(
                    planning_selection.select_greedy, checked, n=n, budget=budget, conflicts=pairs
                ),
                runs,
            )
            ilp_ms, _ = _median_ms(
                partial(
                    planning_selection.select_ilp, checked, n=n, budget=budget, conflicts=pairs
                ),
                runs,
            )
            lp_ms, _ = _median_ms(
                partial(planning_selection.lp_bound, checked, n=n, budget=budget, conflicts=pairs),
                runs,
            )
            s = planning_selection.sites_select(frame, n=n, budget=budget, min_km=40)
            gap = "—" if s.gap is None else f"{s.gap * 100:.2f} %"
            bound = "—" if s.gap_bound is None else f"{s.gap_bound * 100:.3f} %"
            shown = "aucun" if budget is None else f"{budget / 1e6:.0f} M€"
            print(f"{n:>4} {shown:>9} {len(pairs):>7} {greedy_ms:>10.1f} {ilp_ms:>8.1f} "
                  f"{lp_ms:>7.1f} {s.greedy_objective:>8.1f} {(s.ilp_objective or 0):>8.1f} "
                  f"{(s.bound or 0):>8.1f} {gap:>13} {bound:>8} {s.ilp_optimal}")  # fmt: skip
    cases: tuple[tuple[str, int, float | None], ...] = (
        ("page par défaut (N 10, sans budget, courbe 1..10 sites)", 10, None),
        ("N 100, budget 20 M€ (courbe de 25 % à 200 % du budget)", 100, 2e7),
    )
    for label, n_sites, total in cases:
        ms, result = _median_ms(
            partial(national_plan, user=None, zoning=zoning, n=n_sites, budget=total), runs
        )
        assert result is not None
        timings = result.timings  # type: ignore[attr-defined]
        print(f"Service complet, {label} : {ms / 1000:.2f} s (médiane de {runs}) — "
              + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--national", metavar="DATABASE_URL", help="base avec les données réelles")
    parser.add_argument("--zoning", default="zone_emploi")
    args = parser.parse_args()
    if args.national:
        national(args.national, args.zoning, args.runs)
        return
    rng = np.random.default_rng(args.seed)
    print(f"{'taille':>6} {'paires':>7} {'glouton (ms)':>13} {'PLNE (ms)':>10} "
          f"{'glouton':>9} {'optimum':>9} {'écart':>7} prouvé")  # fmt: skip
    for size in (30, 60, 300, 400):
        frame = instance(size, rng)
        checked = planning_selection._check_selection(frame, n=10, budget=2_000_000, min_km=40)
        pairs = planning_selection.conflict_pairs(checked, min_km=40)
        greedy_times, ilp_times = [], []
        selection = None
        for _ in range(args.runs):
            t = time.perf_counter()
            planning_selection.select_greedy(checked, n=10, budget=2_000_000, conflicts=pairs)
            greedy_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            planning_selection.select_ilp(checked, n=10, budget=2_000_000, conflicts=pairs)
            ilp_times.append(time.perf_counter() - t)
        selection = planning_selection.sites_select(frame, n=10, budget=2_000_000, min_km=40)
        gap = "—" if selection.gap is None else f"{selection.gap * 100:.2f} %"
        print(
            f"{size:>6} {len(pairs):>7} {statistics.median(greedy_times) * 1000:>13.2f} "
            f"{statistics.median(ilp_times) * 1000:>10.1f} {selection.greedy_objective:>9.1f} "
            f"{(selection.ilp_objective or 0):>9.1f} {gap:>7} {selection.ilp_optimal}"
        )


if __name__ == "__main__":
    main()
