"""Follow-up and evaluation of an implantation project, year by year (issue 18). Pure: pandas.

- `followup_check(values, ...)`: the rules of one year's follow-up (learners, outcomes at six
  months, actual revenues and costs, explanations), as French messages per field.
- `plan_lines(years, aid_from_split=...)`: the business model's plan of each year on the six lines that the
  delegate enters (tuition/CPF, public aid, other revenues; staff, premises, other costs).
- `finance_variances(lines, ...)`: planned against actual per line, variance (absolute and %),
  whether an explanation is required, and the totals.
The outcome rates are in `evaluation_outcomes`, the flags « en retard » / « en dépassement » in
`evaluation_flags`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from diagnostics.analytics.common import format_number

from . import business_model_columns as bmc
from .funding import MAX_PEOPLE

# --- Fields of a year's follow-up ---------------------------------------------------------------
ENROLLED = "enrolled"
COMPLETED = "completed"
CERTIFIED = "certified"
OUTCOME_JOB = "outcome_job"
OUTCOME_TRAINING = "outcome_training"
OUTCOME_SEEKING = "outcome_seeking"
OUTCOME_UNKNOWN = "outcome_unknown"
LEARNER_FIELDS = (ENROLLED, COMPLETED, CERTIFIED)
OUTCOME_FIELDS = (OUTCOME_JOB, OUTCOME_TRAINING, OUTCOME_SEEKING, OUTCOME_UNKNOWN)
COUNT_FIELDS = (*LEARNER_FIELDS, *OUTCOME_FIELDS)

# --- Lines of the actual finances ---------------------------------------------------------------
TUITION = "revenue_tuition"
PUBLIC_AID = "revenue_public_aid"
OTHER_REVENUES = "revenue_other"
STAFF = "cost_staff"
PREMISES = "cost_premises"
OTHER_COSTS = "cost_other"
REVENUE_LINES: dict[str, str] = {
    TUITION: "Formation : CPF et droits d'inscription",
    PUBLIC_AID: "Aides publiques",
    OTHER_REVENUES: "Autres recettes (Région, OPCO, Ardan…)",
}
COST_LINES: dict[str, str] = {
    STAFF: "Personnel (dédié et enseignant)",
    PREMISES: "Locaux",
    OTHER_COSTS: "Autres coûts (GTEC, investissement, frais de structure…)",
}
LINES: dict[str, str] = {**REVENUE_LINES, **COST_LINES}
FINANCE_FIELDS = tuple(LINES)
REVENUES_TOTAL = "revenues_total"
COSTS_TOTAL = "costs_total"
BALANCE = "balance"
TOTAL_LABELS = {
    REVENUES_TOTAL: "Total des recettes",
    COSTS_TOTAL: "Total des coûts",
    BALANCE: "Solde (recettes − coûts)",
}

FIELD_LABELS: dict[str, str] = {
    ENROLLED: "inscrits",
    COMPLETED: "parcours achevés",
    CERTIFIED: "certifiés",
    OUTCOME_JOB: "en emploi à 6 mois",
    OUTCOME_TRAINING: "en formation à 6 mois",
    OUTCOME_SEEKING: "en recherche d'emploi à 6 mois",
    OUTCOME_UNKNOWN: "situation inconnue à 6 mois",
    **LINES,
}


def explanation_field(line: str) -> str:
    """The field holding the explanation of a line's variance (`explanation_cost_staff`)."""
    return f"explanation_{line}"


# --- Thresholds ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Thresholds:
    """When a site is flagged and when a variance must be explained (settings
    `FOLLOWUP_*`, documented in docs/followup.md)."""

    late_enrolment_share: float = 0.8  # « en retard »: enrolled < 80 % of the planned learners
    opening_grace_days: int = 90  # « en retard »: not open 90 days after the planned opening
    overrun_share: float = 0.10  # « en dépassement »: actual costs > plan + 10 %
    explain_share: float = 0.10  # a line off its plan by more than 10 % must be explained
    min_learners: int = 10  # no rate on fewer learners than this


# --- One year's follow-up: the rules ------------------------------------------------------------
def count_of(values: Mapping[str, Any], name: str) -> int | None:
    value = values.get(name)
    return None if value is None else int(value)


def variance_needs_explanation(planned: float, actual: float, *, explain_share: float) -> bool:
    """A line needs an explanation when its actual differs from a plan of zero, or from its
    plan by more than `explain_share` (strictly)."""
    variance = actual - planned
    if abs(variance) < 0.5:  # whole euros
        return False
    if planned <= 0:
        return True
    return abs(variance) / planned > explain_share + 1e-12


# Upper bound of a year's follow-up amounts, in whole euros (32-bit columns); its counts are
# people (`funding.MAX_PEOPLE`).
MAX_EUROS = 2_000_000_000


def followup_check(
    values: Mapping[str, Any],
    *,
    plan: Mapping[str, float] | None = None,
    explain_share: float = Thresholds.explain_share,
) -> dict[str, str]:
    """French messages, per field, for what breaks the rules of a year's follow-up (empty: all
    good). `values` holds the counts (COUNT_FIELDS, None = not entered), the actual lines
    (FINANCE_FIELDS, None = not entered) and their explanations (`explanation_<line>`); `plan`
    the planned amount of each line (from `plan_lines`), if known.

    Rules: counts and amounts are whole numbers ≥ 0; enrolled is required; completed ≤ enrolled;
    certified ≤ completed; the outcomes at six months add up to at most the completers; a line
    off its plan beyond `explain_share` (or any amount on a line planned at zero) needs an
    explanation."""
    errors: dict[str, str] = {}
    for name in (*COUNT_FIELDS, *FINANCE_FIELDS):
        value = values.get(name)
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(float(value))
        ):
            errors[name] = f"{FIELD_LABELS[name].capitalize()} : nombre entier attendu."
        elif float(value) != int(value):
            errors[name] = f"{FIELD_LABELS[name].capitalize()} : nombre entier attendu ({value})."
        elif value < 0:
            errors[name] = (
                f"{FIELD_LABELS[name].capitalize()} : nombre négatif ({int(value)}), "
                "positif ou nul attendu."
            )
        elif value > (bound := MAX_PEOPLE if name in COUNT_FIELDS else MAX_EUROS):
            # What the columns hold (32-bit): larger, the write failed (OverflowError, a 500).
            errors[name] = f"{FIELD_LABELS[name].capitalize()} : au plus {format_number(bound)}."
    if errors:
        return errors
    enrolled = count_of(values, ENROLLED)
    completed = count_of(values, COMPLETED)
    certified = count_of(values, CERTIFIED)
    if enrolled is None:
        errors[ENROLLED] = "Inscrits : indiquez le nombre d'inscrits de l'année (0 si aucun)."
    if enrolled is not None and completed is not None and completed > enrolled:
        errors[COMPLETED] = (
            f"Parcours achevés : {completed} pour {enrolled} inscrits ; un parcours achevé est "
            "celui d'un inscrit (au plus le nombre d'inscrits)."
        )
    if certified is not None:
        if completed is None:
            errors[CERTIFIED] = "Certifiés : indiquez d'abord les parcours achevés."
        elif certified > completed:
            errors[CERTIFIED] = (
                f"Certifiés : {certified} pour {completed} parcours achevés ; au plus le nombre "
                "de parcours achevés."
            )
    outcomes = [count_of(values, name) for name in OUTCOME_FIELDS]
    known_outcomes = [v for v in outcomes if v is not None]
    if known_outcomes:
        total = sum(known_outcomes)
        if completed is None:
            errors[OUTCOME_JOB] = (
                "Situation à 6 mois : indiquez d'abord les parcours achevés (les situations "
                "portent sur eux)."
            )
        elif total > completed:
            errors[OUTCOME_JOB] = (
                f"Situation à 6 mois : {total} personnes réparties (emploi, formation, "
                f"recherche, inconnue) pour {completed} parcours achevés ; au plus le nombre de "
                "parcours achevés."
            )
    if plan is not None:
        for line in FINANCE_FIELDS:
            actual = values.get(line)
            planned = plan.get(line)
            if (
                actual is None
                or planned is None
                or (isinstance(planned, float) and math.isnan(planned))
            ):
                continue
            explanation = str(values.get(explanation_field(line)) or "").strip()
            if not explanation and variance_needs_explanation(
                float(planned), float(actual), explain_share=explain_share
            ):
                share = (float(actual) - float(planned)) / float(planned) if planned else None
                gap = (
                    f"{'+' if share > 0 else ''}{format_share(share)}"
                    if share is not None
                    else "prévu : 0 €"
                )
                errors[explanation_field(line)] = (
                    f"{LINES[line]} : écart de {gap} au plan (seuil ± "
                    f"{format_share(explain_share)}) ; expliquez-le."
                )
    return errors


def format_share(share: float) -> str:
    """0.125 → « 12,5 % » (one decimal, trailing ,0 dropped)."""
    text = f"{abs(share) * 100:.1f}".replace(".", ",")
    if text.endswith(",0"):
        text = text[:-2]
    return ("−" if share < 0 else "") + text + " %"


# --- Plan of each year on the six lines ----------------------------------------------------------
YEAR = "year"
PLAN_COLUMNS = [YEAR, *FINANCE_FIELDS]


def plan_lines(years: pd.DataFrame, *, aid_from_split: bool = False) -> pd.DataFrame:
    """The business model's years (`business_model.YEAR_COLUMNS`) on the six lines the delegate
    enters (PLAN_COLUMNS, euros, sorted by year):
    tuition/CPF = CPF + fees; public aid = the public aid the plan needs to balance, or, with
    `aid_from_split` (a funding split by funder, `BusinessModel.aid_from_split`), the split's
    sum of the year (FUNDED_AID), as the business model page shows it;
    other revenues = all other revenues (Région, OPCO, Ardan…); staff = dedicated staff (steering
    and the services' staff time, issue 18: the services line, whose direct costs are nil by
    default) + teaching; premises; other costs = all other costs (GTEC, investment, overheads…).
    The « other » lines take whatever the model holds beyond the named ones, so that the
    totals are the model's."""
    needed = [
        bmc.YEAR, bmc.CPF, bmc.FEES, bmc.REVENUES, bmc.PUBLIC_AID, bmc.STAFF, bmc.TEACHING, bmc.PREMISES,
        bmc.COSTS,
    ]  # fmt: skip
    missing = [c for c in needed if c not in years.columns]
    if missing:
        raise ValueError(f"Plan du modèle économique : colonnes manquantes {', '.join(missing)}.")
    out = pd.DataFrame({YEAR: years[bmc.YEAR].astype(int)})
    out[TUITION] = years[bmc.CPF] + years[bmc.FEES]
    if aid_from_split and bmc.FUNDED_AID not in years.columns:
        raise ValueError(f"Plan du modèle économique : colonne manquante {bmc.FUNDED_AID}.")
    out[PUBLIC_AID] = years[bmc.FUNDED_AID if aid_from_split else bmc.PUBLIC_AID]
    out[OTHER_REVENUES] = years[bmc.REVENUES] - out[TUITION]
    out[STAFF] = years[bmc.STAFF] + years.get(bmc.SERVICES, 0.0) + years[bmc.TEACHING]
    out[PREMISES] = years[bmc.PREMISES]
    out[OTHER_COSTS] = years[bmc.COSTS] - out[STAFF] - out[PREMISES]
    for line in FINANCE_FIELDS:
        out[line] = out[line].astype(float).round(2)
    return out.sort_values(YEAR, kind="mergesort").reset_index(drop=True)[PLAN_COLUMNS]


# --- Variances ------------------------------------------------------------------------------------
LINE = "line"
LABEL = "label"
KIND = "kind"
PLANNED = "planned"
ACTUAL = "actual"
VARIANCE = "variance"
VARIANCE_SHARE = "variance_share"
EXPLANATION_REQUIRED = "explanation_required"
VARIANCE_COLUMNS = [
    LINE, LABEL, KIND, PLANNED, ACTUAL, VARIANCE, VARIANCE_SHARE, EXPLANATION_REQUIRED,
]  # fmt: skip
KIND_REVENUE = "recette"
KIND_COST = "coût"
KIND_TOTAL = "total"


def number_or_none(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def finance_variances(
    planned: Mapping[str, Any],
    actual: Mapping[str, Any],
    *,
    explain_share: float = Thresholds.explain_share,
) -> pd.DataFrame:
    """One year's planned against actual amounts per line, then the totals (VARIANCE_COLUMNS,
    lines in LINES order then revenues total, costs total, balance).

    variance = actual − planned; variance_share = variance / planned (NA when the plan is 0 or
    the actual unknown); explanation_required per `variance_needs_explanation` (never on the
    totals). A total is known only when every line it sums is."""
    rows: list[dict[str, Any]] = []

    def add(
        code: str, label: str, kind: str, p: float | None, a: float | None, explain: bool
    ) -> None:
        variance = None if p is None or a is None else a - p
        share = None if variance is None or not p else variance / p
        rows.append(
            {
                LINE: code,
                LABEL: label,
                KIND: kind,
                PLANNED: p,
                ACTUAL: a,
                VARIANCE: variance,
                VARIANCE_SHARE: share,
                EXPLANATION_REQUIRED: bool(
                    explain
                    and p is not None
                    and a is not None
                    and variance_needs_explanation(p, a, explain_share=explain_share)
                ),
            }
        )

    def total(lines: Sequence[str], source: Mapping[str, Any]) -> float | None:
        parts = [number_or_none(source.get(line)) for line in lines]
        return (
            None if any(v is None for v in parts) else float(sum(v for v in parts if v is not None))
        )

    for line, label in LINES.items():
        kind = KIND_REVENUE if line in REVENUE_LINES else KIND_COST
        add(
            line,
            label,
            kind,
            number_or_none(planned.get(line)),
            number_or_none(actual.get(line)),
            True,
        )
    revenues = (total(list(REVENUE_LINES), planned), total(list(REVENUE_LINES), actual))
    costs = (total(list(COST_LINES), planned), total(list(COST_LINES), actual))
    add(REVENUES_TOTAL, TOTAL_LABELS[REVENUES_TOTAL], KIND_TOTAL, *revenues, False)
    add(COSTS_TOTAL, TOTAL_LABELS[COSTS_TOTAL], KIND_TOTAL, *costs, False)
    balance = tuple(
        None if r is None or c is None else r - c for r, c in zip(revenues, costs, strict=True)
    )
    add(BALANCE, TOTAL_LABELS[BALANCE], KIND_TOTAL, balance[0], balance[1], False)
    frame = pd.DataFrame(rows, columns=VARIANCE_COLUMNS)
    for column in (PLANNED, ACTUAL, VARIANCE, VARIANCE_SHARE):
        frame[column] = frame[column].astype("Float64")
    return frame
