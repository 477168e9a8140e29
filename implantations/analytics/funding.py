"""Funding of an implantation: the public aid split by funder, and the CPF top-up
(« abondement ») by a local authority. Pure: pandas only.

Funding split: lines (funder, amount a year, first and last year covered within the plan's
years 0-5, conditions). Per year y, aid(funder, y) = Σ amount of the funder's lines covering y.
Coherence: no negative or zero amount, years within 0-5, first ≤ last, and each year's total
aid no greater than that year's costs (aid funds the implantation, not a profit).

CPF top-up: a local authority pays, for each learner it tops up, a share (`rate`) of the
remaining cost of the path (« reste à charge » = path price − the CPF rights the learner brings,
the business model's `cpf_amount`), within a ceiling per learner; for at most `learners`
learners a year, and never more than the CPF-funded learners of the year (cpf_share ×
learners(y)):
    remaining     = max(0, path_price − cpf_amount)
    per learner   = min(rate × remaining, ceiling)
    topped(y)     = min(learners, cpf_share × learners(y))          (y ≥ 1)
    top-up(y)     = topped(y) × per learner
It is a commitment of the authority, paid in full from year 1 (no funding maturity).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from diagnostics.analytics.common import format_number

YEARS: tuple[int, ...] = (0, 1, 2, 3, 4, 5)

REGION = "region"
STATE = "etat"
EPCI = "epci"
TOWN = "commune"
FRANCE_TRAVAIL = "france_travail"
OPCO = "opco"
CNAM = "cnam"
OTHER = "autre"
FUNDER_LABELS: dict[str, str] = {
    REGION: "Région",
    STATE: "État",
    EPCI: "EPCI",
    TOWN: "Commune",
    FRANCE_TRAVAIL: "France Travail",
    OPCO: "OPCO",
    CNAM: "Fonds propres du Cnam",
    OTHER: "Autres",
}
FUNDER_COLOURS: dict[str, str] = {
    REGION: "#000091",
    STATE: "#6a6af4",
    EPCI: "#18753c",
    TOWN: "#68a532",
    FRANCE_TRAVAIL: "#c3992a",
    OPCO: "#a558a0",
    CNAM: "#e1000f",
    OTHER: "#929292",
}


@dataclass(frozen=True)
class FundingLine:
    """One funder's aid: `amount` € a year over years `first_year`..`last_year` (0-5)."""

    funder: str
    amount: float
    first_year: int
    last_year: int
    name: str = ""
    conditions: str = ""

    @property
    def label(self) -> str:
        return FUNDER_LABELS.get(self.funder, self.funder)

    @property
    def years_label(self) -> str:
        if self.first_year == self.last_year:
            return f"année {self.first_year}"
        return f"années {self.first_year} à {self.last_year}"

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    @property
    def total(self) -> float:
        return self.amount * len(self.years)


def funding_line_problems(line: FundingLine) -> dict[str, str]:
    """French messages by field (funder, amount, first_year, last_year) for one line."""
    problems: dict[str, str] = {}
    if line.funder not in FUNDER_LABELS:
        problems["funder"] = f"Financeur inconnu : « {line.funder} »."
    if not line.amount > 0:
        problems["amount"] = "Le montant annuel doit être strictement positif (en euros)."
    for field, year in (("first_year", line.first_year), ("last_year", line.last_year)):
        if year not in YEARS:
            problems[field] = (
                f"L'année {year} est hors de l'horizon du modèle économique (années 0 à 5)."
            )
    if not problems.keys() & {"first_year", "last_year"} and line.first_year > line.last_year:
        problems["last_year"] = (
            f"La dernière année ({line.last_year}) précède la première ({line.first_year})."
        )
    return problems


YEAR = "year"
FUNDER = "funder"
FUNDER_LABEL = "funder_label"
AMOUNT = "amount"
SPLIT_COLUMNS = [YEAR, FUNDER, FUNDER_LABEL, AMOUNT]


def funding_split(lines: Sequence[FundingLine]) -> pd.DataFrame:
    """Aid per year and funder (SPLIT_COLUMNS), years 0-5 × the funders that have a line, in
    FUNDER_LABELS order then year; a year a funder does not cover is 0."""
    funders = [f for f in FUNDER_LABELS if any(line.funder == f for line in lines)]
    rows = []
    for funder in funders:
        for year in YEARS:
            amount = sum(
                line.amount for line in lines if line.funder == funder and year in line.years
            )
            rows.append(
                {YEAR: year, FUNDER: funder, FUNDER_LABEL: FUNDER_LABELS[funder], AMOUNT: amount}
            )
    return pd.DataFrame(rows, columns=SPLIT_COLUMNS)


def funding_per_year(lines: Sequence[FundingLine]) -> list[float]:
    """Total aid of each year 0-5."""
    return [sum(line.amount for line in lines if year in line.years) for year in YEARS]


def funding_coherence_problems(
    lines: Sequence[FundingLine], costs: Sequence[float]
) -> dict[int, str]:
    """Years (0-5) whose total aid exceeds the year's costs, with a French message."""
    problems: dict[int, str] = {}
    for year, (aid, cost) in enumerate(zip(funding_per_year(lines), costs, strict=True)):
        if aid > cost + 0.005:
            problems[year] = (
                f"Année {year} : les financements ({format_number(aid)} €) dépassent les coûts "
                f"de l'année ({format_number(cost)} €) ; une aide finance l'implantation, pas "
                "un excédent."
            )
    return problems


# --- CPF top-up -------------------------------------------------------------------------------

# Average price of a CPF-funded path when the scenario gives none: « estimation » (the
# catalogue's paths are priced by the Cnam regional centres; the programme publishes none).
DEFAULT_PATH_PRICE: dict[str, float] = {"turnkey": 2500, "fab_id": 2000, "progressive": 1200}


@dataclass(frozen=True)
class CpfTopUp:
    """A local authority's CPF top-up: `rate` (0-1) of the remaining cost, `ceiling` € per
    learner, for `learners` learners a year; `path_price` is the path's average price (€)."""

    rate: float
    ceiling: float
    learners: int
    path_price: float


# What the stored amounts hold (10 digits with 2 decimals: top-ups, services): a larger amount
# was saved by SQLite, then could not be read back, and every page of the project answered 500.
# People (learners, persons reached): far above any centre, within the 32-bit columns.
MAX_AMOUNT = 99_999_999.99
MAX_PEOPLE = 1_000_000


def topup_problems(topup: CpfTopUp) -> dict[str, str]:
    """French messages by field for a top-up scenario."""
    problems: dict[str, str] = {}
    if not 0 <= topup.rate <= 1:
        problems["rate"] = "Le taux d'abondement est un pourcentage entre 0 et 100 %."
    if not 0 <= topup.ceiling <= MAX_AMOUNT:
        problems["ceiling"] = (
            "Le plafond par apprenant est un montant en euros entre 0 et 99 999 999,99."
        )
    if not 0 <= topup.learners <= MAX_PEOPLE:
        problems["learners"] = "Le nombre d'apprenants abondés est un entier entre 0 et 1 000 000."
    if not 0 <= topup.path_price <= MAX_AMOUNT:
        problems["path_price"] = (
            "Le prix du parcours est un montant en euros entre 0 et 99 999 999,99."
        )
    return problems


def topup_remaining_cost(topup: CpfTopUp, *, cpf_amount: float) -> float:
    return max(0.0, topup.path_price - cpf_amount)


def topup_per_learner(topup: CpfTopUp, *, cpf_amount: float) -> float:
    return min(topup.rate * topup_remaining_cost(topup, cpf_amount=cpf_amount), topup.ceiling)


def topup_topped_learners(topup: CpfTopUp, *, cpf_learners: float) -> float:
    """Learners topped up in a year that has `cpf_learners` CPF-funded learners."""
    return min(float(topup.learners), max(0.0, cpf_learners))
