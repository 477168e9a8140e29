"""The CSV export of the national planning (issue 16): the candidates in national rank order,
the table by region, the selection's method and its gap to the optimum, and the sources."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from implantations.analytics import honesty
from implantations.analytics import planning_columns as pc
from implantations.analytics import planning_national as nat
from implantations.analytics import planning_selection as psel
from implantations.services.planning import CONCEPT_LABEL, SELECTED, json_ready
from implantations.services.planning_candidates import KIND
from implantations.services.planning_export import CANDIDATE_COLUMNS, plan_csv_cell
from implantations.services.planning_national_candidates import KIND_LABELS

if TYPE_CHECKING:
    from implantations.services.planning_national import NationalPlan

REGION = nat.REGION


CSV_COLUMNS: list[tuple[str, str]] = [
    (pc.RANK, "rang national"),
    (REGION, "région"),
    (KIND, "type"),
    *CANDIDATE_COLUMNS,
    (honesty.STANDING, "classement"),
    (pc.FIT, "adéquation (0-100)"),
    (honesty.STANDING_REASON, "pourquoi non classé"),
    (CONCEPT_LABEL, "concept recommandé"),
    (psel.COST, "coût retenu (€)"),
    (SELECTED, "retenu"),
]


def _percent(value: float | None, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value * 100:.{decimals}f} %".replace(".", ",")


def national_plan_csv_rows(plan: NationalPlan) -> list[list[Any]]:
    """Candidates (header, then one row each in national rank order), the table by region, the
    selection's method and its gap to the optimum, and the sources."""
    rows: list[list[Any]] = [[label for _, label in CSV_COLUMNS]]
    for record in plan.candidates.to_dict("records"):
        rows.append(
            [plan_csv_cell(column, record, labels={KIND: KIND_LABELS}) for column, _ in CSV_COLUMNS]
        )
    rows.append([])
    rows.append(
        [
            "région",
            "candidats",
            "classés",
            "sites retenus",
            "coût (€)",
            "population couverte",
            "part de la population de la région",
            "projets de recrutement couverts",
            "part des projets de la région",
        ]
    )
    for r in plan.regions.to_dict("records"):
        rows.append(
            [
                r[REGION] or r[pc.REGION_CODE],
                r[nat.CANDIDATES],
                r[nat.RANKED],
                r[nat.CHOSEN],
                round(float(r[nat.COST])),
                round(float(r[nat.COVERED_POPULATION])),
                _percent(json_ready(r[nat.POPULATION_SHARE])),
                round(float(r[nat.COVERED_PROJECTS])),
                _percent(json_ready(r[nat.PROJECTS_SHARE])),
            ]
        )
    s = plan.selection
    if s is not None:
        rows.append([])
        rows.append(["méthode", s.method_label])
        rows.append(["besoin couvert (somme des adéquations)", honesty.format_figure(s.objective)])
        rows.append(["heuristique gloutonne", honesty.format_figure(s.greedy_objective)])
        rows.append(["borne supérieure de l'optimum", honesty.format_figure(s.bound)])
        rows.append(["source de la borne", s.bound_source])
        rows.append(["écart à l'optimum (au plus)", _percent(s.gap_bound)])
        rows.append(["écart de l'heuristique à l'optimum (au plus)", _percent(s.greedy_gap_bound)])
        rows.append(["population couverte (France)", _percent(plan.coverage.population_share)])
        rows.append(
            ["projets de recrutement couverts (France)", _percent(plan.coverage.projects_share)]
        )
    rows.append(["sources", ", ".join(plan.vintages) or "aucune donnée importée"])
    return rows
