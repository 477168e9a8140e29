"""Outcome rates of a follow-up (issue 18): completion, certification and the situation six months
after, each with its numerator and denominator, withheld under a minimum number of learners
(docs/honesty.md: no figure on too few people). Rates over several years or sites are ratios of
sums (`counts_sum`), never means of rates. Pure: pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .evaluation import (
    CERTIFIED,
    COMPLETED,
    COUNT_FIELDS,
    ENROLLED,
    OUTCOME_JOB,
    OUTCOME_SEEKING,
    OUTCOME_TRAINING,
    OUTCOME_UNKNOWN,
    Thresholds,
    count_of,
)


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
        denominator = count_of(counts, denominator_field)
        numerator = sum(count_of(counts, name) or 0 for name in numerators)
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
