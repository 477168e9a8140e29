"""The choice of N sites under a budget with a minimum distance between them (`sites_select`):
a greedy heuristic and an exact integer program (HiGHS through `scipy.optimize.milp`); the
`Selection` says which one was kept and how far the greedy one is from the optimum."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from implantations.analytics.planning_columns import (
    CANDIDATE_ID,
    LATITUDE,
    LONGITUDE,
    float_or_none,
    pairwise_km,
    require_columns,
)

# --- Selection ------------------------------------------------------------------------------------
VALUE = "value"
COST = "cost"
SELECTION_INPUT_COLUMNS = [CANDIDATE_ID, VALUE, COST, LATITUDE, LONGITUDE]

METHOD_ILP = "ilp"
METHOD_GREEDY = "greedy"
METHOD_LABELS = {
    METHOD_ILP: "programmation linéaire en nombres entiers (HiGHS)",
    METHOD_GREEDY: "heuristique gloutonne",
}


@dataclass(frozen=True)
class Selection:
    """The sites picked and how they were found.

    `method` is METHOD_ILP when the integer program was solved to optimality (or stopped with
    a better solution than the greedy one), else METHOD_GREEDY. `gap` = (ILP optimum − greedy
    objective) / ILP optimum, the share of covered need the greedy heuristic misses (None when
    the ILP did not finish); `mip_gap` is HiGHS' own relative gap (0 at optimality)."""

    method: str
    chosen: tuple[str, ...]
    objective: float
    cost: float
    greedy_chosen: tuple[str, ...]
    greedy_objective: float
    ilp_chosen: tuple[str, ...] | None
    ilp_objective: float | None
    ilp_status: str
    ilp_optimal: bool
    mip_gap: float | None
    gap: float | None
    n: int
    budget: float | None
    min_km: float
    conflicts: int
    excluded: dict[str, str] = field(default_factory=dict)
    # The best proven upper bound on the optimum (HiGHS' dual bound, or the LP relaxation when
    # the integer program found no solution), and where it comes from.
    bound: float | None = None
    bound_source: str = ""

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.method]

    @property
    def gap_bound(self) -> float | None:
        """(bound − objective) / bound: the kept solution is at most this share below the
        optimum (« écart à l'optimum ≤ x % »); 0 when nothing can be covered; None without a
        bound."""
        if self.bound is None:
            return None
        if self.bound <= 1e-12:
            return 0.0
        return max(self.bound - self.objective, 0.0) / self.bound

    @property
    def greedy_gap_bound(self) -> float | None:
        """The same bound for the greedy heuristic's solution."""
        if self.bound is None:
            return None
        if self.bound <= 1e-12:
            return 0.0
        return max(self.bound - self.greedy_objective, 0.0) / self.bound

    def as_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "method_label": self.method_label,
            "chosen": list(self.chosen),
            "objective": round(self.objective, 4),
            "cost": round(self.cost, 2),
            "greedy": {
                "chosen": list(self.greedy_chosen),
                "objective": round(self.greedy_objective, 4),
            },
            "ilp": {
                "chosen": list(self.ilp_chosen) if self.ilp_chosen is not None else None,
                "objective": round(self.ilp_objective, 4)
                if self.ilp_objective is not None
                else None,
                "status": self.ilp_status,
                "optimal": self.ilp_optimal,
                "mip_gap": self.mip_gap,
            },
            "gap": round(self.gap, 6) if self.gap is not None else None,
            "n": self.n,
            "budget": self.budget,
            "min_km": self.min_km,
            "conflicts": self.conflicts,
            "excluded": dict(self.excluded),
            "bound": round(self.bound, 4) if self.bound is not None else None,
            "bound_source": self.bound_source,
            "gap_bound": round(g, 6) if (g := self.gap_bound) is not None else None,
        }


def _check_selection(
    frame: pd.DataFrame, *, n: int, budget: float | None, min_km: float
) -> pd.DataFrame:
    require_columns(frame, SELECTION_INPUT_COLUMNS, "les candidats à la sélection")
    if n < 1:
        raise ValueError(f"Le nombre de sites doit être au moins 1 (reçu : {n}).")
    if budget is not None and (math.isnan(budget) or budget < 0):
        raise ValueError(f"Le budget doit être positif ou nul (reçu : {budget}).")
    if math.isnan(min_km) or min_km < 0:
        raise ValueError(f"La distance minimale doit être positive ou nulle (reçu : {min_km}).")
    duplicated = frame[CANDIDATE_ID][frame[CANDIDATE_ID].duplicated()].astype(str).tolist()
    if duplicated:
        raise ValueError(f"Candidats en double : {', '.join(sorted(set(duplicated)))}.")
    costs = pd.to_numeric(frame[COST], errors="coerce")
    bad = frame.loc[costs.isna() | (costs < 0), CANDIDATE_ID].astype(str).tolist()
    if bad:
        raise ValueError(f"Coût manquant ou négatif pour : {', '.join(bad)}.")
    values = pd.to_numeric(frame[VALUE], errors="coerce")
    bad = frame.loc[values.isna(), CANDIDATE_ID].astype(str).tolist()
    if bad:
        raise ValueError(f"Besoin couvert inconnu pour : {', '.join(bad)}.")
    out = frame.copy()
    out[CANDIDATE_ID] = frame[CANDIDATE_ID].astype(str)
    out[VALUE] = values.astype(float)
    out[COST] = costs.astype(float)
    return out


def conflict_pairs(frame: pd.DataFrame, *, min_km: float) -> list[tuple[int, int]]:
    """Index pairs (i < j, positions in `frame`) of candidates whose main towns are less than
    `min_km` apart."""
    if min_km <= 0 or len(frame) < 2:
        return []
    distances = pairwise_km(
        frame[LATITUDE].to_numpy(dtype=float), frame[LONGITUDE].to_numpy(dtype=float)
    )
    i, j = np.nonzero(np.triu(distances < min_km, k=1))
    return list(zip(i.tolist(), j.tolist(), strict=True))


def select_greedy(
    frame: pd.DataFrame, *, n: int, budget: float | None, conflicts: list[tuple[int, int]]
) -> list[int]:
    """Positions picked by the greedy heuristic: candidates by decreasing value (then lower
    cost, then id), each taken when it still fits the count, the budget and the distances."""
    values = frame[VALUE].to_numpy(dtype=float)
    costs = frame[COST].to_numpy(dtype=float)
    ids = frame[CANDIDATE_ID].astype(str).tolist()
    order = sorted(range(len(frame)), key=lambda k: (-values[k], costs[k], ids[k]))
    neighbours: dict[int, set[int]] = {}
    for i, j in conflicts:
        neighbours.setdefault(i, set()).add(j)
        neighbours.setdefault(j, set()).add(i)
    chosen: list[int] = []
    spent = 0.0
    for k in order:
        if len(chosen) >= n:
            break
        cost = float(costs[k])
        if budget is not None and spent + cost > budget + 1e-9:
            continue
        if neighbours.get(k, set()) & set(chosen):
            continue
        chosen.append(k)
        spent += cost
    return chosen


def _ilp_problem(
    frame: pd.DataFrame, *, n: int, budget: float | None, conflicts: list[tuple[int, int]]
) -> tuple[np.ndarray, list[Any]]:
    """(values, constraints) of the selection program: Σ x ≤ n, Σ cost·x ≤ budget,
    x_i + x_j ≤ 1 for every conflicting pair."""
    from scipy.optimize import LinearConstraint
    from scipy.sparse import coo_array

    size = len(frame)
    values = frame[VALUE].to_numpy(dtype=float)
    rows = [np.ones(size)]
    upper = [float(n)]
    if budget is not None:
        rows.append(frame[COST].to_numpy(dtype=float))
        upper.append(float(budget))
    constraints: list[Any] = [LinearConstraint(np.vstack(rows), -np.inf, np.array(upper))]
    if conflicts:
        count = len(conflicts)
        r = np.repeat(np.arange(count), 2)
        c = np.array([k for pair in conflicts for k in pair])
        matrix = coo_array((np.ones(2 * count), (r, c)), shape=(count, size)).tocsr()
        constraints.append(LinearConstraint(matrix, -np.inf, np.ones(count)))
    return values, constraints


def _ilp_solve(
    frame: pd.DataFrame,
    *,
    n: int,
    budget: float | None,
    conflicts: list[tuple[int, int]],
    time_limit_s: float,
    integral: bool = True,
) -> Any:
    from scipy.optimize import Bounds, milp

    size = len(frame)
    values, constraints = _ilp_problem(frame, n=n, budget=budget, conflicts=conflicts)
    return milp(
        c=-values,
        integrality=np.ones(size) if integral else np.zeros(size),
        bounds=Bounds(np.zeros(size), np.ones(size)),
        constraints=constraints,
        options={"time_limit": time_limit_s, "disp": False},
    )


def lp_bound(
    frame: pd.DataFrame,
    *,
    n: int,
    budget: float | None,
    conflicts: list[tuple[int, int]],
    time_limit_s: float = 10.0,
) -> float | None:
    """The optimum of the linear relaxation (0 ≤ x ≤ 1): an upper bound on the covered need
    of any selection; None when HiGHS did not solve it."""
    if len(frame) == 0:
        return 0.0
    result = _ilp_solve(
        frame,
        n=n,
        budget=budget,
        conflicts=conflicts,
        time_limit_s=time_limit_s,
        integral=False,
    )
    return None if result.status != 0 or result.fun is None else float(-result.fun)


def select_ilp(
    frame: pd.DataFrame,
    *,
    n: int,
    budget: float | None,
    conflicts: list[tuple[int, int]],
    time_limit_s: float = 10.0,
) -> tuple[list[int] | None, str, bool, float | None]:
    """Exact choice by integer programming: maximise Σ value·x subject to Σ x ≤ n,
    Σ cost·x ≤ budget, x_i + x_j ≤ 1 for every conflicting pair, x binary — solved by HiGHS
    (`scipy.optimize.milp`). Returns (positions or None, status message, optimal, mip_gap)."""
    picked, status, optimal, mip_gap, _ = _select_ilp_bounded(
        frame, n=n, budget=budget, conflicts=conflicts, time_limit_s=time_limit_s
    )
    return picked, status, optimal, mip_gap


def _select_ilp_bounded(
    frame: pd.DataFrame,
    *,
    n: int,
    budget: float | None,
    conflicts: list[tuple[int, int]],
    time_limit_s: float,
) -> tuple[list[int] | None, str, bool, float | None, float | None]:
    """`select_ilp` plus HiGHS' dual bound on the optimum (None when it gives none)."""
    if len(frame) == 0:
        return [], "aucun candidat", True, 0.0, 0.0
    result = _ilp_solve(frame, n=n, budget=budget, conflicts=conflicts, time_limit_s=time_limit_s)
    mip_gap = float_or_none(getattr(result, "mip_gap", None))
    dual = float_or_none(getattr(result, "mip_dual_bound", None))
    bound = None if dual is None or math.isinf(dual) else -dual
    if result.x is None:
        return None, f"pas de solution ({result.message})", False, mip_gap, bound
    picked = [k for k in range(len(frame)) if result.x[k] > 0.5]
    optimal = result.status == 0
    status = "optimum prouvé" if optimal else f"arrêté avant l'optimum ({result.message})"
    return picked, status, optimal, mip_gap, bound


def sites_select(
    frame: pd.DataFrame,
    *,
    n: int,
    budget: float | None = None,
    min_km: float = 0.0,
    time_limit_s: float = 10.0,
) -> Selection:
    """Pick at most `n` candidates maximising Σ value (the covered need) with Σ cost ≤ `budget`
    (None: no budget) and main towns at least `min_km` apart. Input columns:
    SELECTION_INPUT_COLUMNS (value ≥ 0, cost ≥ 0). Candidates without coordinates cannot be
    checked against the distance and are left out (listed in `excluded`) when min_km > 0.

    Both methods run: the greedy heuristic, and the integer program; the ILP's solution is
    kept when it is optimal or better, and the gap between the two is reported."""
    checked = _check_selection(frame, n=n, budget=budget, min_km=min_km)
    excluded: dict[str, str] = {}
    if min_km > 0:
        unlocated = checked[LATITUDE].isna() | checked[LONGITUDE].isna()
        for cid in checked.loc[unlocated, CANDIDATE_ID]:
            excluded[cid] = "ville principale sans coordonnées"
        checked = checked[~unlocated]
    if budget is not None:
        for cid in checked.loc[checked[COST] > budget + 1e-9, CANDIDATE_ID]:
            excluded[cid] = "coût supérieur au budget à lui seul"
    checked = checked.sort_values(CANDIDATE_ID, kind="mergesort").reset_index(drop=True)
    pairs = conflict_pairs(checked, min_km=min_km)

    greedy = select_greedy(checked, n=n, budget=budget, conflicts=pairs)
    greedy_value = float(checked[VALUE].iloc[greedy].sum()) if greedy else 0.0
    ilp, status, optimal, mip_gap, dual_bound = _select_ilp_bounded(
        checked, n=n, budget=budget, conflicts=pairs, time_limit_s=time_limit_s
    )
    ilp_value = float(checked[VALUE].iloc[ilp].sum()) if ilp else (0.0 if ilp == [] else None)

    def ids(positions: list[int]) -> tuple[str, ...]:
        ordered = sorted(
            positions, key=lambda k: (-checked[VALUE].iloc[k], checked[CANDIDATE_ID].iloc[k])
        )
        return tuple(checked[CANDIDATE_ID].iloc[k] for k in ordered)

    use_ilp = ilp is not None and ilp_value is not None and (optimal or ilp_value > greedy_value)
    chosen = ilp if use_ilp and ilp is not None else greedy
    gap = None
    if optimal and ilp_value is not None:
        gap = 0.0 if ilp_value <= 0 else max(ilp_value - greedy_value, 0.0) / ilp_value
    # The best proven bound: HiGHS' dual bound, else (no integer solution) the LP relaxation's.
    bound, bound_source = dual_bound, "borne duale du solveur (HiGHS)"
    if bound is None:
        bound = lp_bound(checked, n=n, budget=budget, conflicts=pairs, time_limit_s=time_limit_s)
        bound_source = "relaxation linéaire (HiGHS)" if bound is not None else ""
    objective = float(checked[VALUE].iloc[chosen].sum()) if chosen else 0.0
    if bound is not None:
        bound = max(bound, objective)  # the solver's tolerance never puts it below a solution
    return Selection(
        method=METHOD_ILP if use_ilp else METHOD_GREEDY,
        chosen=ids(chosen),
        objective=objective,
        cost=float(checked[COST].iloc[chosen].sum()) if chosen else 0.0,
        greedy_chosen=ids(greedy),
        greedy_objective=greedy_value,
        ilp_chosen=ids(ilp) if ilp is not None else None,
        ilp_objective=ilp_value,
        ilp_status=status,
        ilp_optimal=optimal,
        mip_gap=mip_gap,
        gap=gap,
        n=n,
        budget=budget,
        min_km=min_km,
        conflicts=len(pairs),
        excluded=excluded,
        bound=bound,
        bound_source=bound_source,
    )
