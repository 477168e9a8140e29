"""Business model of an implantation, years 0 to 5: learners, staff, costs, revenues, public aid
needed, break-even year. Pure: pandas only.

Computation, for each year y (0 = preparation year):
    learners(y)   = round(target × ramp(y))
    staff(y)      = staff_fte × staff_cost            (y ≥ 1)
    teaching(y)   = learners(y) × teaching_cost
    overheads(y)  = overhead_rate × (staff(y) + teaching(y))
    premises(y)   = 0 if the town lends the premises, else rent × surface(y)   (y ≥ 1)
    gtec(0), investment(0): the GTEC analysis and the year-0 investment
    costs(y)      = gtec + investment + staff + teaching + overheads + premises
    revenue per learner = Σ share × amount over CPF, regional funding, OPCO / work-study, fees
    revenues(y)   = maturity(y) × (learners(y) × revenue per learner + Ardan projects × amount)
    balance(y)    = revenues(y) − costs(y);  public aid(y) = max(0, −balance(y))
Break-even year: the first year from which the balance stays ≥ 0 up to year 5 (None if never).
Self-financed in year 4: balance(4) ≥ 0.

The assumptions and the addressable public live in `business_model_assumptions`, the columns of
the year table in `business_model_columns`. A warning is raised for every year where the learners
exceed the plausible share of the basin's addressable public (an assumption).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.analytics.common import format_number
from implantations.analytics.criteria import CONCEPT_LABELS

from . import funding as fd
from .business_model_assumptions import (
    YEARS,
    AddressablePublic,
    Assumption,
    addressable_public,
    assumptions_with,
    per_year_values,
    scalar_value,
)
from .business_model_columns import (
    ARDAN,
    BALANCE,
    BALANCE_AFTER_AID,
    COSTS,
    CPF,
    CPF_TOPUP,
    CUMULATIVE_BALANCE,
    FEES,
    FUNDED_AID,
    GTEC,
    INVESTMENT,
    LEARNERS,
    OPCO,
    OVERHEADS,
    PREMISES,
    PUBLIC_AID,
    PUBLIC_SHARE,
    REGION,
    REVENUES,
    SERVICES,
    SERVICES_LEARNERS,
    SERVICES_REVENUE,
    STAFF,
    STAFF_FTE,
    TEACHING,
    YEAR,
    YEAR_COLUMNS,
)
from .site_services import Service, default_services

# The year the learners needed to break even are computed for: the cruising year, when the
# programme expects self-financing (year 4), with that year's funding maturity and premises.
CRUISING_YEAR = 4
MAX_LEARNERS_SEARCHED = 20_000


@dataclass
class BusinessModel:
    concept: str
    assumptions: dict[str, Assumption]
    years: pd.DataFrame  # YEAR_COLUMNS
    break_even_year: int | None
    self_financed_year4: bool
    public_aid_total: float
    addressable: float | None
    addressable_label: str
    warnings: list[str] = field(default_factory=list)
    services: tuple[Service, ...] = ()
    topup: fd.CpfTopUp | None = None
    topup_per_learner: float = 0.0
    funding_lines: tuple[fd.FundingLine, ...] = ()
    public_aid_needed_total: float = 0.0
    learners_needed: int | None = None
    funding_problems: dict[int, str] = field(default_factory=dict)

    @property
    def aid_from_split(self) -> bool:
        """Whether the public aid is the sum of the funding split (else the computed need)."""
        return bool(self.funding_lines)

    @property
    def services_learners(self) -> float:
        return float(sum(s.learners for s in self.services))

    def as_document(self) -> dict[str, Any]:
        staff_cost = scalar_value(self.assumptions["staff_cost"])
        return {
            "concept": self.concept,
            "concept_label": CONCEPT_LABELS[self.concept],
            "assumptions": [a.as_dict() for a in self.assumptions.values()],
            "years": [
                {
                    k: (
                        None
                        if isinstance(v, float) and math.isnan(v)
                        else round(float(v), 2)
                        if isinstance(v, float)
                        else int(v)
                    )
                    for k, v in r.items()
                }
                for r in self.years.to_dict("records")
            ],
            "break_even_year": self.break_even_year,
            "learners_needed": self.learners_needed,
            "learners_needed_year": CRUISING_YEAR,
            "self_financed_year4": self.self_financed_year4,
            "public_aid_total": round(self.public_aid_total, 2),
            "public_aid_needed_total": round(self.public_aid_needed_total, 2),
            "public_aid_source": "répartition par financeur"
            if self.aid_from_split
            else "besoin calculé (somme des déficits)",
            "funding_lines": [
                {
                    "funder": line.funder,
                    "funder_label": fd.FUNDER_LABELS.get(line.funder, line.funder),
                    "name": line.name,
                    "amount_per_year": line.amount,
                    "first_year": line.first_year,
                    "last_year": line.last_year,
                    "total": line.total,
                    "conditions": line.conditions,
                }
                for line in self.funding_lines
            ],
            "cpf_topup": None
            if self.topup is None
            else {
                "rate": self.topup.rate,
                "ceiling": self.topup.ceiling,
                "learners": self.topup.learners,
                "path_price": self.topup.path_price,
                "per_learner": round(self.topup_per_learner, 2),
            },
            "services": [s.as_dict(staff_cost) for s in self.services],
            "addressable_public": self.addressable,
            "addressable_label": self.addressable_label,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class _Inputs:
    assumptions: dict[str, Assumption]
    services: tuple[Service, ...]
    topup: fd.CpfTopUp | None

    def v(self, code: str) -> float:
        return scalar_value(self.assumptions[code])


def _year(inputs: _Inputs, y: int, learners: Any) -> dict[str, Any]:
    """The costs and revenues of year `y` for `learners` (a number, or a numpy array of them:
    the learners needed to break even are searched that way)."""
    v = inputs.v
    a = inputs.assumptions
    running = y >= 1
    staff_cost = v("staff_cost")
    steering_fte = v("staff_fte") if running else 0.0
    # Rounded: 0.5 + 0.8 + 0.1 + 0.1 must be 1.5 FTE, not 1.5000000000000002.
    services_fte = round(sum(s.fte for s in inputs.services), 9) if running else 0.0
    staff = steering_fte * staff_cost
    services_staff = services_fte * staff_cost
    services = services_staff + (sum(s.direct_cost for s in inputs.services) if running else 0.0)
    teaching = learners * v("teaching_cost")
    overheads = v("overhead_rate") * (staff + services_staff + teaching)
    lent = v("premises_lent") >= 0.5
    premises = (
        0.0
        if (lent or not running)
        else v("premises_rent") * per_year_values(a["premises_surface"])[y]
    )
    gtec = v("gtec_cost") if y == 0 else 0.0
    investment = v("investment") if y == 0 else 0.0
    maturity = per_year_values(a["funding_maturity"])[y]
    items = {
        name: learners * v(f"{name}_share") * v(f"{name}_amount") * maturity
        for name in ("cpf", "region", "opco", "fees")
    }
    ardan = v("ardan_projects") * v("ardan_amount") * maturity if running else 0.0
    services_revenue = sum(s.revenue for s in inputs.services) if running else 0.0
    topup = 0.0
    if inputs.topup is not None and running:
        per_learner = fd.topup_per_learner(inputs.topup, cpf_amount=v("cpf_amount"))
        topup = np.minimum(float(inputs.topup.learners), v("cpf_share") * learners) * per_learner
    costs = gtec + investment + staff + services + teaching + overheads + premises
    revenues = sum(items.values()) + ardan + services_revenue + topup
    return {
        STAFF_FTE: steering_fte + services_fte,
        GTEC: gtec,
        INVESTMENT: investment,
        STAFF: staff,
        SERVICES: services,
        TEACHING: teaching,
        OVERHEADS: overheads,
        PREMISES: premises,
        COSTS: costs,
        CPF: items["cpf"],
        CPF_TOPUP: topup,
        REGION: items["region"],
        OPCO: items["opco"],
        FEES: items["fees"],
        ARDAN: ardan,
        SERVICES_REVENUE: services_revenue,
        REVENUES: revenues,
    }


def learners_needed(inputs: _Inputs, *, year: int = CRUISING_YEAR) -> int | None:
    """The fewest learners for which `year`'s balance is ≥ 0, everything else unchanged (None
    if even MAX_LEARNERS_SEARCHED learners do not balance it)."""
    candidates = np.arange(0, MAX_LEARNERS_SEARCHED + 1, dtype=float)
    values = _year(inputs, year, candidates)
    balance = np.asarray(values[REVENUES] - values[COSTS], dtype=float) * np.ones_like(candidates)
    reached = np.flatnonzero(np.round(balance, 6) >= 0)
    return int(reached[0]) if len(reached) else None


def business_model(
    concept: str,
    *,
    overrides: Mapping[str, Any] | None = None,
    public: AddressablePublic | None = None,
    services: Sequence[Service] | None = None,
    topup: fd.CpfTopUp | None = None,
    funding: Sequence[fd.FundingLine] = (),
) -> BusinessModel:
    """Simulate years 0 to 5 of `concept` (see the module docstring).

    `services`: the implantation's services (default: the concept's, `site_services`); their
    staff and direct costs are a cost line, their revenue a revenue line, from year 1.
    `topup`: a CPF top-up by a local authority (`funding`), a revenue line from year 1.
    `funding`: the public aid split by funder; when given, the public aid of the model is the
    split's sum (FUNDED_AID, BALANCE_AFTER_AID) instead of the computed need (PUBLIC_AID,
    still given), and each year's need left uncovered is a warning.

    Output: BusinessModel with `years` (YEAR_COLUMNS, one row per year 0-5, euros), the
    break-even year, the learners needed to balance the cruising year (4), whether year 4 is
    self-financed, the public aid of all years, and the warnings (learners above the plausible
    share of the addressable public, unknown public, uncovered need).
    Raises AssumptionError for invalid overrides."""
    a = assumptions_with(concept, overrides)
    public = public or AddressablePublic()
    inputs = _Inputs(a, tuple(default_services(concept) if services is None else services), topup)
    target = scalar_value(a["learners_target"])
    ramp = per_year_values(a["ramp"])
    addressable, addressable_label = addressable_public(
        concept, public, employed_share=scalar_value(a["employed_share"])
    )
    funded = fd.funding_per_year(funding)
    services_learners = float(sum(s.learners for s in inputs.services))
    rows = []
    cumulative = 0.0
    for y in YEARS:
        learners = int(math.floor(target * ramp[y] + 0.5))
        values = {k: float(x) for k, x in _year(inputs, y, learners).items()}
        balance = values[REVENUES] - values[COSTS]
        cumulative += balance
        rows.append(
            {
                YEAR: y,
                LEARNERS: learners,
                SERVICES_LEARNERS: services_learners if y >= 1 else 0.0,
                **values,
                BALANCE: balance,
                PUBLIC_AID: max(0.0, -balance),
                FUNDED_AID: funded[y],
                BALANCE_AFTER_AID: balance + funded[y],
                CUMULATIVE_BALANCE: cumulative,
                PUBLIC_SHARE: (learners / addressable) if addressable else math.nan,
            }
        )
    years = pd.DataFrame(rows, columns=YEAR_COLUMNS)
    # Rounding noise must not turn a balanced year into a deficit.
    balances = years[BALANCE].round(6)
    break_even = None
    for y in YEARS[1:]:
        if (balances[years[YEAR] >= y] >= 0).all():
            break_even = y
            break
    warnings: list[str] = []
    threshold = scalar_value(a["max_public_share"])
    if addressable is None or addressable <= 0:
        warnings.append(
            f"Public adressable inconnu ({addressable_label}) : le nombre d'apprenants ne peut "
            "pas être comparé au bassin."
        )
    else:
        over = years[years[PUBLIC_SHARE] > threshold + 1e-12]
        if len(over):
            first = over.iloc[0]
            warnings.append(
                f"En année {int(first[YEAR])}, {format_number(first[LEARNERS])} apprenants "
                f"représentent {format_number(first[PUBLIC_SHARE] * 100, decimals=1)} % du "
                f"public adressable ({format_number(addressable)} : {addressable_label}), au-delà "
                f"de la part plausible de {format_number(threshold * 100, decimals=1)} % : "
                "objectif à revoir ou bassin à élargir."
            )
    needed_total = float(years[PUBLIC_AID].sum())
    if funding:
        short = years[years[BALANCE_AFTER_AID].round(2) < 0]
        if len(short):
            warnings.append(
                "Les financements prévus laissent "
                f"{format_number(float(-short[BALANCE_AFTER_AID].sum()))} € de besoin non couvert "
                f"(année{'s' if len(short) > 1 else ''} "
                f"{', '.join(str(int(y)) for y in short[YEAR])})."
            )
    return BusinessModel(
        concept=concept,
        assumptions=a,
        years=years,
        break_even_year=break_even,
        self_financed_year4=bool(balances[years[YEAR] == 4].iloc[0] >= 0),
        public_aid_total=float(sum(funded)) if funding else needed_total,
        addressable=addressable,
        addressable_label=addressable_label,
        warnings=warnings,
        services=inputs.services,
        topup=topup,
        topup_per_learner=fd.topup_per_learner(topup, cpf_amount=scalar_value(a["cpf_amount"]))
        if topup is not None
        else 0.0,
        funding_lines=tuple(funding),
        public_aid_needed_total=needed_total,
        learners_needed=learners_needed(inputs),
        funding_problems=fd.funding_coherence_problems(funding, years[COSTS].tolist()),
    )


@dataclass(frozen=True)
class TopUpEffect:
    """A CPF top-up's effect: the model without it (`before`) and with it (`after`)."""

    before: BusinessModel
    after: BusinessModel

    @property
    def revenue_gain(self) -> list[float]:
        return (self.after.years[REVENUES] - self.before.years[REVENUES]).round(2).tolist()

    @property
    def topped_learners(self) -> list[float]:
        per = self.after.topup_per_learner
        return [round(x / per, 1) if per else 0.0 for x in self.after.years[CPF_TOPUP]]

    @property
    def capped_years(self) -> list[int]:
        """Years where fewer learners than asked were topped up (not enough CPF learners)."""
        asked = self.after.topup.learners if self.after.topup else 0
        return [
            int(y)
            for y, n in zip(self.after.years[YEAR], self.topped_learners, strict=True)
            if y >= 1 and n < asked - 0.05
        ]


def topup_effect(concept: str, topup: fd.CpfTopUp, **kwargs: Any) -> TopUpEffect:
    """The business model without and with `topup` (same other arguments as business_model;
    a top-up already in `kwargs` is replaced)."""
    kwargs.pop("topup", None)
    return TopUpEffect(
        before=business_model(concept, **kwargs),
        after=business_model(concept, topup=topup, **kwargs),
    )
