"""The CSV export of the regional planning: one row per candidate in rank order. Its cells
(`plan_csv_cell`) are shared with the national planning's export (`planning_national_export`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from implantations.analytics import honesty
from implantations.analytics import planning_columns as pc
from implantations.analytics import planning_selection as psel

from .planning import CONCEPT_LABEL, ROBUSTNESS_LABEL, SELECTED, RegionPlan, json_ready
from .planning_candidates import CODE

# What a candidate is, in both plans' CSV exports (regional and national).
CANDIDATE_COLUMNS: list[tuple[str, str]] = [
    (CODE, "code"),
    (pc.NAME, "candidat"),
    (pc.POPULATION, "population"),
    (pc.MAIN_TOWN, "ville principale"),
    (pc.MAIN_TOWN_POPULATION, "population de la ville principale"),
    (pc.ELIGIBLE, "éligible"),
    (pc.NEAREST_SITE, "site Cnam le plus proche"),
    (pc.NEAREST_SITE_KM, "distance au site (km)"),
    (pc.UNEMPLOYMENT_RATE, "taux de chômage (%)"),
    (pc.PROJECTS_PER_1000, "projets de recrutement pour 1 000 hab."),
    (pc.DIFFICULTY_RATE, "part des projets difficiles"),
    (pc.NEED_SOURCE, "source du besoin"),
]

CSV_COLUMNS: list[tuple[str, str]] = [
    (pc.RANK, "rang"),
    *CANDIDATE_COLUMNS,
    (pc.ELIGIBILITY_SCORE, "score éligibilité (0-1)"),
    (pc.NEED_SCORE, "score besoin (0-1)"),
    (pc.ACCESS_SCORE, "score éloignement (0-1)"),
    (honesty.STANDING, "classement"),
    (pc.FIT, "adéquation (0-100)"),
    (honesty.KNOWN_SHARE, "part des poids sur des données connues (%)"),
    (honesty.STANDING_REASON, "pourquoi non classé"),
    (pc.MISSING, "composantes manquantes"),
    (CONCEPT_LABEL, "concept recommandé"),
    (ROBUSTNESS_LABEL, "robustesse"),
    (psel.COST, "coût retenu (€)"),
    (SELECTED, "retenu"),
]


def region_plan_csv_rows(plan: RegionPlan) -> list[list[Any]]:
    """Header then one row per candidate, in rank order (for the CSV export)."""
    rows: list[list[Any]] = [[label for _, label in CSV_COLUMNS]]
    for record in plan.candidates.to_dict("records"):
        rows.append([plan_csv_cell(column, record) for column, _ in CSV_COLUMNS])
    return rows


def plan_csv_cell(
    column: str, record: Mapping[Any, Any], *, labels: Mapping[str, Mapping[Any, str]] | None = None
) -> Any:
    """A candidate's cell in a plan's CSV export, regional or national: a value of a column in
    `labels` ({column: {value: label}}) by its label, the fit as on the page (« données
    insuffisantes » when not ranked: honesty rules), the known share in percent, booleans as
    oui / non, decimals with a comma, nothing as an empty cell."""
    value = json_ready(record.get(column))
    if labels and column in labels and value in labels[column]:
        return labels[column][value]
    if column == pc.FIT and value is None and record.get(honesty.STANDING):
        return honesty.INSUFFICIENT  # not shown as a number (honesty rules)
    if column == pc.FIT and value is not None:
        return honesty.format_figure(value)
    if column == honesty.KNOWN_SHARE and value is not None:
        return honesty.format_figure(float(value) * 100, 0)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")
    return "" if value is None else value
