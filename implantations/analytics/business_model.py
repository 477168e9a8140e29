"""Business model of an implantation, years 0 to 5: learners, staff, costs, revenues, public aid
needed, break-even year. Pure: pandas only.

Every number is an editable assumption (`Assumption`) carrying its source: the figures of the
Cnam call for expressions of interest (AMI « Cœur des territoires », ../shared/seeds/002) where it
gives one — about 80 learners in year 4 for the turnkey concept, 85 people a year from year 1
and two full-time staff for a Fab ID, 300 distance learners after three years for the progressive
concept, self-financing from year 4, the cost items — and « hypothèse à ajuster » for every amount
the programme does not publish (salaries, rents, funding per learner...).

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

The learners are checked against the basin's addressable public (`AddressablePublic`): job
seekers for a Fab ID, employed adults for the progressive concept, both for the turnkey one; a
warning is raised for every year where they exceed the plausible share (an assumption).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.analytics.common import format_number

from . import funding as fd
from .scoring import CONCEPT_LABELS, CONCEPTS, FAB_ID, PROGRESSIVE, TURNKEY
from .site_services import STEERING_FTE, Service, default_services

YEARS: tuple[int, ...] = (0, 1, 2, 3, 4, 5)
AMI = "AMI Cnam « Cœur des territoires »"
TO_ADJUST = "hypothèse à ajuster"

GROUPS = {
    "public": "Publics accueillis",
    "staff": "Personnel",
    "costs": "Coûts",
    "revenues": "Recettes",
    "check": "Public adressable",
}


@dataclass(frozen=True)
class Assumption:
    """An editable assumption: a number, or one number per year 0-5 (`per_year`), with its unit,
    its bounds and its source (AMI) — an empty source reads « hypothèse à ajuster »."""

    code: str
    label: str
    unit: str
    value: float | tuple[float, ...]
    group: str
    source: str = ""
    per_year: bool = False
    minimum: float = 0.0
    maximum: float | None = None
    decimals: int = 0

    @property
    def source_label(self) -> str:
        return self.source or TO_ADJUST

    @property
    def is_programme_figure(self) -> bool:
        return bool(self.source)

    @property
    def source_detail(self) -> str:
        """The source without the « AMI … : » prefix (shown beside an « AMI » badge)."""
        prefix = AMI + " : "
        return self.source[len(prefix) :] if self.source.startswith(prefix) else self.source

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "unit": self.unit,
            "value": list(self.value) if isinstance(self.value, tuple) else self.value,
            "group": self.group,
            "source": self.source_label,
            "per_year": self.per_year,
        }


def _a(
    code: str,
    label: str,
    unit: str,
    value: float | tuple[float, ...],
    group: str,
    source: str = "",
    *,
    maximum: float | None = None,
    decimals: int = 0,
) -> Assumption:
    return Assumption(
        code,
        label,
        unit,
        value,
        group,
        source,
        per_year=isinstance(value, tuple),
        maximum=maximum,
        decimals=decimals,
    )


SHARE: dict[str, Any] = {"maximum": 1.0, "decimals": 2}

# Per concept: (target, ramp, ramp source, staff FTE, staff source, teaching cost per learner,
# rent, surface per year, investment, investment source, revenue mix, Ardan projects).
_CONCEPT_DEFAULTS: dict[str, dict[str, Any]] = {
    TURNKEY: {
        "learners_target": (80, AMI + " : « près de 80 élèves » en 4e année"),
        "ramp": ((0, 0.25, 0.5, 0.75, 1, 1), AMI + " : montée en charge en trois ans ; paliers "
                 "intermédiaires : " + TO_ADJUST),
        "staff_fte": (STEERING_FTE[TURNKEY], ""),
        "teaching_cost": 1800,
        "premises_rent": 6000,
        "surface": ((0, 1, 1, 1, 1, 1), ""),
        "investment": (40_000, AMI + " : investissement en année 0 ; montant : " + TO_ADJUST),
        "cpf": (0.30, 1500),
        "region": (0.25, 3000),
        "opco": (0.25, 7000),
        "fees": (0.20, 2000),
        "ardan_projects": 4,
        "max_share": 0.01,
    },
    FAB_ID: {
        "learners_target": (85, AMI + " : « 85 personnes par an » en vitesse de croisière"),
        "ramp": ((0, 1, 1, 1, 1, 1), AMI + " : « prise en charge effective du public dès "
                 "l'année 1 »"),
        "staff_fte": (STEERING_FTE[FAB_ID], AMI + " : « deux personnels à temps plein », "
                      "services compris (leur temps est compté avec chaque service)"),
        "teaching_cost": 800,
        "premises_rent": 12_000,
        "surface": ((0, 1, 1, 1, 1, 1), ""),
        "investment": (30_000, AMI + " : salle équipée de matériel informatique ; montant : "
                       + TO_ADJUST),
        "cpf": (0.20, 1200),
        "region": (0.60, 2800),
        "opco": (0.15, 4000),
        "fees": (0.0, 0),
        "ardan_projects": 0,
        "max_share": 0.05,
    },
    PROGRESSIVE: {
        "learners_target": (300, AMI + " : « 300 auditeurs » au terme des trois ans"),
        "ramp": ((0, 0, 0.4, 1, 1, 1), AMI + " : formation ajoutée en années 2 et 3 ; part en "
                 "année 2 : " + TO_ADJUST),
        "staff_fte": (STEERING_FTE[PROGRESSIVE], ""),
        "teaching_cost": 350,
        "premises_rent": 10_000,
        "surface": ((0, 0.5, 0.75, 1, 1, 1), AMI + " : surface augmentée en années 2 et 3 ; "
                    "paliers : " + TO_ADJUST),
        "investment": (0, AMI + " : coûts = analyse GTEC et fonctionnement, sans investissement"),
        "cpf": (0.50, 900),
        "region": (0.0, 0),
        "opco": (0.25, 800),
        "fees": (0.25, 400),
        "ardan_projects": 0,
        "max_share": 0.02,
    },
}  # fmt: skip


def default_assumptions(concept: str) -> dict[str, Assumption]:
    """The default assumptions of a concept, in display order."""
    if concept not in _CONCEPT_DEFAULTS:
        raise ValueError(f"Concept inconnu : « {concept} » (possibles : {', '.join(CONCEPTS)}).")
    d = _CONCEPT_DEFAULTS[concept]
    target, target_source = d["learners_target"]
    ramp, ramp_source = d["ramp"]
    fte, fte_source = d["staff_fte"]
    surface, surface_source = d["surface"]
    investment, investment_source = d["investment"]
    unit = "auditeurs" if concept == PROGRESSIVE else "personnes"
    items = [
        _a("learners_target", "Apprenants par an en vitesse de croisière", unit, target,
           "public", target_source),
        _a("ramp", "Montée en charge (part de la cible atteinte)", "part", tuple(ramp),
           "public", ramp_source, **SHARE),
        _a("staff_fte", "Personnel de pilotage, hors services (à partir de l'année 1)", "ETP",
           fte, "staff",
           fte_source, decimals=1),
        _a("staff_cost", "Coût annuel chargé d'un ETP", "€", 55_000, "staff"),
        _a("teaching_cost", "Coût d'enseignement par apprenant", "€ par an", d["teaching_cost"],
           "costs", AMI + " : poste « personnels enseignants » ; montant : " + TO_ADJUST
           if concept != PROGRESSIVE else ""),
        _a("overhead_rate", "Frais de structure (part du personnel et de l'enseignement)",
           "part", 0.15, "costs", **SHARE),
        _a("gtec_cost", "Analyse GTEC (année 0)", "€", 15_000, "costs",
           AMI + " : poste de coût des trois concepts ; montant : " + TO_ADJUST),
        _a("investment", "Investissement en année 0", "€", investment, "costs",
           investment_source),
        _a("premises_rent", "Loyer annuel des locaux (nul si la commune les prête)", "€",
           d["premises_rent"], "costs"),
        _a("premises_surface", "Surface occupée (part de la surface finale)", "part",
           tuple(surface), "costs", surface_source, **SHARE),
        _a("premises_lent", "Locaux prêtés par la commune (1 oui, 0 non)", "", 0, "costs",
           maximum=1),
        _a("cpf_share", "Apprenants financés par le CPF", "part", d["cpf"][0], "revenues",
           **SHARE),
        _a("cpf_amount", "Montant moyen CPF par apprenant", "€", d["cpf"][1], "revenues"),
        _a("region_share", "Apprenants financés par la Région (demandeurs d'emploi)", "part",
           d["region"][0], "revenues", **SHARE),
        _a("region_amount", "Montant moyen régional par apprenant", "€", d["region"][1],
           "revenues"),
        _a("opco_share", "Apprenants financés par un OPCO (alternance, plan employeur)", "part",
           d["opco"][0], "revenues", **SHARE),
        _a("opco_amount", "Montant moyen OPCO par apprenant", "€", d["opco"][1], "revenues"),
        _a("fees_share", "Apprenants payant leurs droits (ou leur employeur)", "part",
           d["fees"][0], "revenues", **SHARE),
        _a("fees_amount", "Droits moyens par apprenant", "€", d["fees"][1], "revenues"),
        _a("ardan_projects", "Projets Ardan par an (activités nouvelles en TPE)", "projets",
           d["ardan_projects"], "revenues",
           AMI + " : Ardan, quatrième pilier du concept clef en main ; nombre : " + TO_ADJUST
           if concept == TURNKEY else ""),
        _a("ardan_amount", "Financement moyen d'un projet Ardan", "€", 5_000, "revenues"),
        _a("funding_maturity", "Maturité des financements (part des recettes obtenues)",
           "part", (0, 0.55, 0.7, 0.85, 1, 1), "revenues",
           AMI + " : aides publiques les trois premières années, auto-portage en année 4 ; "
           "paliers : " + TO_ADJUST, **SHARE),
        _a("employed_share", "Actifs en emploi dans la population (si aucun indicateur)",
           "part", 0.40, "check", **SHARE),
        _a("max_public_share", "Part plausible maximale du public adressable", "part",
           d["max_share"], "check", maximum=1.0, decimals=3),
    ]  # fmt: skip
    return {a.code: a for a in items}


def _scalar(assumption: Assumption) -> float:
    value = assumption.value
    if isinstance(value, tuple):
        raise TypeError(f"L'hypothèse « {assumption.code} » est une valeur par année.")
    return float(value)


class AssumptionError(ValueError):
    """Invalid assumptions; `problems` maps an assumption code to its French message."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__(
            "Hypothèses invalides : "
            + " ; ".join(f"{code} : {message}" for code, message in self.problems.items())
            + "."
        )


def _as_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, str):
        value = value.replace("\u202f", "").replace(" ", "").replace(",", ".")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError
    return number


def assumptions_with(
    concept: str, overrides: Mapping[str, Any] | None = None
) -> dict[str, Assumption]:
    """The defaults of `concept` with `overrides` ({code: number or list of six numbers}),
    checked: unknown codes, non-numbers, values out of bounds, per-year lists of the wrong
    length and funding shares adding up to more than 1 raise AssumptionError naming them."""
    assumptions = default_assumptions(concept)
    problems: dict[str, str] = {}
    for code, value in (overrides or {}).items():
        if code not in assumptions:
            problems[code] = "hypothèse inconnue"
            continue
        base = assumptions[code]
        try:
            if base.per_year:
                if isinstance(value, str):
                    value = [v for v in value.replace(";", " ").split() if v]
                values = tuple(_as_float(v) for v in value)
                if len(values) != len(YEARS):
                    problems[code] = (
                        f"{len(YEARS)} valeurs attendues (années 0 à 5), {len(values)} lues"
                    )
                    continue
            else:
                values = (_as_float(value),)
        except (TypeError, ValueError):
            problems[code] = f"valeur « {value} » non numérique"
            continue
        low = [v for v in values if v < base.minimum]
        high = [v for v in values if base.maximum is not None and v > base.maximum]
        if low or high:
            bound = (
                f"entre {format_number(base.minimum)} et "
                f"{format_number(base.maximum, decimals=0 if float(base.maximum).is_integer() else 2)}"
                if base.maximum is not None
                else f"positive ou nulle (≥ {format_number(base.minimum)})"
            )
            problems[code] = f"valeur attendue {bound}"
            continue
        assumptions[code] = replace(base, value=values if base.per_year else values[0])
    shares = sum(
        _scalar(assumptions[f"{name}_share"]) for name in ("cpf", "region", "opco", "fees")
    )
    if shares > 1 + 1e-9:
        problems["funding_shares"] = (
            f"les parts financées (CPF, Région, OPCO, droits) totalisent "
            f"{format_number(shares * 100)} % : au plus 100 %"
        )
    if concept == PROGRESSIVE and "ramp" not in problems and _per_year(assumptions["ramp"])[1] > 0:
        problems["ramp"] = (
            "concept progressif : la première phase (année 1) ne propose que des services, sans "
            "formation (AMI) ; montée en charge de l'année 1 attendue à 0"
        )
    if problems:
        raise AssumptionError(problems)
    return assumptions


@dataclass(frozen=True)
class AddressablePublic:
    """Figures of the basin the learners are checked against (None: unknown)."""

    population: int | None = None
    job_seekers: float | None = None
    employed_adults: float | None = None  # from an imported indicator, if any
    job_seekers_period: str = ""


YEAR = "year"
LEARNERS = "learners"
SERVICES_LEARNERS = "services_learners"
STAFF_FTE = "staff_fte"
GTEC = "gtec"
INVESTMENT = "investment"
STAFF = "staff"
SERVICES = "services"
TEACHING = "teaching"
OVERHEADS = "overheads"
PREMISES = "premises"
COSTS = "costs"
CPF = "cpf"
CPF_TOPUP = "cpf_topup"
REGION = "region"
OPCO = "opco"
FEES = "fees"
ARDAN = "ardan"
SERVICES_REVENUE = "services_revenue"
REVENUES = "revenues"
BALANCE = "balance"
PUBLIC_AID = "public_aid"
FUNDED_AID = "funded_aid"
BALANCE_AFTER_AID = "balance_after_aid"
CUMULATIVE_BALANCE = "cumulative_balance"
PUBLIC_SHARE = "public_share"
YEAR_COLUMNS = [
    YEAR, LEARNERS, SERVICES_LEARNERS, STAFF_FTE, GTEC, INVESTMENT, STAFF, SERVICES, TEACHING,
    OVERHEADS, PREMISES, COSTS, CPF, CPF_TOPUP, REGION, OPCO, FEES, ARDAN, SERVICES_REVENUE,
    REVENUES, BALANCE, PUBLIC_AID, FUNDED_AID, BALANCE_AFTER_AID, CUMULATIVE_BALANCE,
    PUBLIC_SHARE,
]  # fmt: skip
COST_ITEMS = {
    GTEC: "Analyse GTEC",
    INVESTMENT: "Investissement",
    STAFF: "Personnel de pilotage",
    SERVICES: "Services (accueil, orientation…)",
    TEACHING: "Enseignement",
    OVERHEADS: "Frais de structure",
    PREMISES: "Locaux",
}
REVENUE_ITEMS = {
    CPF: "CPF",
    CPF_TOPUP: "Abondement CPF",
    REGION: "Région",
    OPCO: "OPCO et alternance",
    FEES: "Droits d'inscription",
    ARDAN: "Ardan",
    SERVICES_REVENUE: "Services facturés",
}
YEAR_LABELS = {
    YEAR: "Année",
    LEARNERS: "Apprenants",
    SERVICES_LEARNERS: "Apprenants amenés par les services",
    STAFF_FTE: "Personnel (ETP, services compris)",
    **COST_ITEMS,
    COSTS: "Total des coûts",
    **REVENUE_ITEMS,
    REVENUES: "Total des recettes",
    BALANCE: "Solde",
    PUBLIC_AID: "Aide publique nécessaire",
    FUNDED_AID: "Financements prévus (par financeur)",
    BALANCE_AFTER_AID: "Solde après financements",
    CUMULATIVE_BALANCE: "Solde cumulé",
    PUBLIC_SHARE: "Part du public adressable",
}
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
        staff_cost = _scalar(self.assumptions["staff_cost"])
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


def _per_year(assumption: Assumption) -> tuple[float, ...]:
    value = assumption.value
    return tuple(float(v) for v in value) if isinstance(value, tuple) else (float(value),) * 6


def addressable_public(
    concept: str, public: AddressablePublic, *, employed_share: float
) -> tuple[float | None, str]:
    """The basin's public a concept addresses, and how it was obtained (French)."""
    employed = public.employed_adults
    employed_text = "actifs en emploi (indicateur importé)"
    if employed is None and public.population:
        employed = public.population * employed_share
        employed_text = (
            f"actifs en emploi estimés ({format_number(employed_share * 100)} % de la population)"
        )
    seekers_text = "demandeurs d'emploi A, B, C" + (
        f" ({public.job_seekers_period})" if public.job_seekers_period else ""
    )
    if concept == FAB_ID:
        return public.job_seekers, seekers_text
    if concept == PROGRESSIVE:
        return employed, employed_text
    if public.job_seekers is None or employed is None:
        return None, f"{seekers_text} + {employed_text}"
    return public.job_seekers + employed, f"{seekers_text} + {employed_text}"


@dataclass(frozen=True)
class _Inputs:
    assumptions: dict[str, Assumption]
    services: tuple[Service, ...]
    topup: fd.CpfTopUp | None

    def v(self, code: str) -> float:
        return _scalar(self.assumptions[code])


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
        0.0 if (lent or not running) else v("premises_rent") * _per_year(a["premises_surface"])[y]
    )
    gtec = v("gtec_cost") if y == 0 else 0.0
    investment = v("investment") if y == 0 else 0.0
    maturity = _per_year(a["funding_maturity"])[y]
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
    target = _scalar(a["learners_target"])
    ramp = _per_year(a["ramp"])
    addressable, addressable_label = addressable_public(
        concept, public, employed_share=_scalar(a["employed_share"])
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
    threshold = _scalar(a["max_public_share"])
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
        topup_per_learner=fd.topup_per_learner(topup, cpf_amount=_scalar(a["cpf_amount"]))
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
