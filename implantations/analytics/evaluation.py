"""Follow-up and evaluation of an implantation project, year by year (issue 18). Pure: pandas.

- `followup_check(values, ...)`: the rules of one year's follow-up (learners, outcomes at six
  months, actual revenues and costs, explanations), as French messages per field.
- `plan_lines(years, aid_from_split=...)`: the business model's plan of each year on the six lines that the
  delegate enters (tuition/CPF, public aid, other revenues; staff, premises, other costs).
- `finance_variances(lines, ...)`: planned against actual per line, variance (absolute and %),
  whether an explanation is required, and the totals.
- `outcome_rates(counts, ...)`: the rates with their denominators, withheld under a minimum
  number of learners (docs/honesty.md: no figure on too few people).
- `project_flags(...)`: « en retard » / « en dépassement » against `Thresholds`.

Rates over several sites are ratios of sums (Σ completers / Σ enrolled), never means of rates.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import business_model_columns as bmc

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
def _count(values: Mapping[str, Any], name: str) -> int | None:
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
    if errors:
        return errors
    enrolled = _count(values, ENROLLED)
    completed = _count(values, COMPLETED)
    certified = _count(values, CERTIFIED)
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
    outcomes = [_count(values, name) for name in OUTCOME_FIELDS]
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


def _num(value: Any) -> float | None:
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
        parts = [_num(source.get(line)) for line in lines]
        return (
            None if any(v is None for v in parts) else float(sum(v for v in parts if v is not None))
        )

    for line, label in LINES.items():
        kind = KIND_REVENUE if line in REVENUE_LINES else KIND_COST
        add(line, label, kind, _num(planned.get(line)), _num(actual.get(line)), True)
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


# --- Outcome rates ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    """A rate with its numerator and denominator; `value` is None when the denominator is below
    the minimum (`reason` says so) or zero."""

    code: str
    label: str
    numerator: int
    denominator: int
    denominator_label: str
    value: float | None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "denominator_label": self.denominator_label,
            "value": self.value,
            "reason": self.reason,
        }


TOO_FEW = "effectif trop faible"
RATE_SPECS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("completion", "Taux d'achèvement", (COMPLETED,), ENROLLED),
    ("certification", "Taux de certification", (CERTIFIED,), COMPLETED),
    ("job", "En emploi à 6 mois", (OUTCOME_JOB,), COMPLETED),
    ("training", "En formation à 6 mois", (OUTCOME_TRAINING,), COMPLETED),
    ("positive", "Sorties positives (emploi ou formation)", (OUTCOME_JOB, OUTCOME_TRAINING),
     COMPLETED),
    ("seeking", "En recherche d'emploi à 6 mois", (OUTCOME_SEEKING,), COMPLETED),
    ("unknown", "Situation inconnue à 6 mois", (OUTCOME_UNKNOWN,), COMPLETED),
)  # fmt: skip
DENOMINATOR_LABELS = {ENROLLED: "inscrits", COMPLETED: "parcours achevés"}


def outcome_rates(
    counts: Mapping[str, Any], *, min_learners: int = Thresholds.min_learners
) -> list[Rate]:
    """The rates of RATE_SPECS on `counts` (COUNT_FIELDS; None counts as 0 in a numerator, and
    a rate whose denominator is unknown is not computed). A denominator under `min_learners`
    gives no value but the reason « effectif trop faible (n = 7 < 10) »; a zero one « aucun … »."""
    rates = []
    for code, label, numerators, denominator_field in RATE_SPECS:
        denominator = _count(counts, denominator_field)
        numerator = sum(_count(counts, name) or 0 for name in numerators)
        den_label = DENOMINATOR_LABELS[denominator_field]
        if denominator is None:
            rates.append(
                Rate(code, label, numerator, 0, den_label, None, f"{den_label} non saisis")
            )
        elif denominator == 0:
            rates.append(
                Rate(code, label, numerator, 0, den_label, None, f"aucun {den_label[:-1]}")
            )
        elif denominator < min_learners:
            rates.append(
                Rate(
                    code,
                    label,
                    numerator,
                    denominator,
                    den_label,
                    None,
                    f"{TOO_FEW} (n = {denominator} < {min_learners})",
                )
            )
        else:
            rates.append(
                Rate(code, label, numerator, denominator, den_label, numerator / denominator)
            )
    return rates


def counts_sum(rows: Sequence[Mapping[str, Any]]) -> dict[str, int | None]:
    """Σ of each count over several years or sites (None when no row holds it)."""
    out: dict[str, int | None] = {}
    for name in COUNT_FIELDS:
        known = [int(r[name]) for r in rows if r.get(name) is not None]
        out[name] = sum(known) if known else None
    return out


# --- Flags ----------------------------------------------------------------------------------------
FLAG_LATE = "en_retard"
FLAG_OVERRUN = "en_depassement"
FLAG_LABELS = {FLAG_LATE: "en retard", FLAG_OVERRUN: "en dépassement"}


@dataclass(frozen=True)
class Flag:
    code: str  # FLAG_LATE or FLAG_OVERRUN
    reason: str  # enrolments | opening | costs
    year: int | None  # project year (0-5), None for the opening
    detail: str  # French

    @property
    def label(self) -> str:
        return FLAG_LABELS[self.code]

    def as_dict(self) -> dict[str, Any]:
        return {
            "flag": self.code,
            "label": self.label,
            "reason": self.reason,
            "year": self.year,
            "detail": self.detail,
        }


FLAG_INPUT_COLUMNS = [
    YEAR,
    "calendar_year",
    "planned_learners",
    ENROLLED,
    "planned_costs",
    "actual_costs",
]


def planned_opening(start_year: int, planned_learners: Sequence[int]) -> dt.date | None:
    """The opening the plan implies: 1 January of the first project year with learners
    planned (None when none are)."""
    for year, planned in enumerate(planned_learners):
        if planned and planned > 0:
            return dt.date(start_year + year, 1, 1)
    return None


def _fmt_int(value: float) -> str:
    return f"{round(value):,}".replace(",", "\u202f")


def project_flags(
    years: pd.DataFrame,
    *,
    opening_planned_on: dt.date | None,
    opened_on: dt.date | None,
    today: dt.date,
    thresholds: Thresholds = Thresholds(),
) -> list[Flag]:
    """The flags of a site (sorted: late first, then by year).

    `years` (FLAG_INPUT_COLUMNS): per project year, the planned learners, the enrolled (NA
    while not entered), the planned and actual total costs (NA while unknown).
    - « en retard » (enrolments): enrolled < late_enrolment_share × planned learners, for a
      year with learners planned and enrolments entered;
    - « en retard » (opening): not opened while `today` is past the planned opening plus
      opening_grace_days;
    - « en dépassement » (costs): actual costs > (1 + overrun_share) × planned costs."""
    missing = [c for c in FLAG_INPUT_COLUMNS if c not in years.columns]
    if missing:
        raise ValueError(f"Signalements : colonnes manquantes {', '.join(missing)}.")
    t = thresholds
    flags: list[Flag] = []
    if opened_on is None and opening_planned_on is not None:
        deadline = opening_planned_on + dt.timedelta(days=t.opening_grace_days)
        if today > deadline:
            flags.append(
                Flag(
                    FLAG_LATE,
                    "opening",
                    None,
                    f"Ouverture prévue le {opening_planned_on:%d/%m/%Y} et non réalisée "
                    f"{(today - opening_planned_on).days} jours après (délai admis : "
                    f"{t.opening_grace_days} jours).",
                )
            )
    ordered = years.sort_values(YEAR, kind="mergesort")
    # Plain lists, not to_dict: a site's flags are computed for every site of the programme.
    columns = {c: ordered[c].tolist() for c in FLAG_INPUT_COLUMNS}
    for i in range(len(ordered)):
        row = {c: columns[c][i] for c in FLAG_INPUT_COLUMNS}
        year, calendar = int(row[YEAR]), int(row["calendar_year"])
        planned, enrolled = _num(row["planned_learners"]), _num(row[ENROLLED])
        threshold = t.late_enrolment_share * (planned or 0)
        if planned and planned > 0 and enrolled is not None and enrolled < threshold - 1e-9:
            flags.append(
                Flag(
                    FLAG_LATE,
                    "enrolments",
                    year,
                    f"Année {year} ({calendar}) : {_fmt_int(enrolled)} inscrits pour "
                    f"{_fmt_int(planned)} prévus ({format_share(enrolled / planned)} du plan, "
                    f"seuil {format_share(t.late_enrolment_share)}).",
                )
            )
        p_costs, a_costs = _num(row["planned_costs"]), _num(row["actual_costs"])
        if (
            p_costs
            and p_costs > 0
            and a_costs is not None
            and a_costs > (1 + t.overrun_share) * p_costs + 1e-6
        ):
            flags.append(
                Flag(
                    FLAG_OVERRUN,
                    "costs",
                    year,
                    f"Année {year} ({calendar}) : coûts réels de {_fmt_int(a_costs)} € pour "
                    f"{_fmt_int(p_costs)} € prévus (+{format_share(a_costs / p_costs - 1)}, "
                    f"seuil +{format_share(t.overrun_share)}).",
                )
            )
    order = {FLAG_LATE: 0, FLAG_OVERRUN: 1}
    return sorted(flags, key=lambda f: (order[f.code], -1 if f.year is None else f.year))
