"""The assumptions of the business model, and the basin's public its learners are checked against.

Every number is an editable assumption (`Assumption`) carrying its source: the figures of the
Cnam call for expressions of interest (AMI « Cœur des territoires », ../shared/seeds/002) where it
gives one — about 80 learners in year 4 for the turnkey concept, 85 people a year from year 1
and two full-time staff for a Fab ID, 300 distance learners after three years for the progressive
concept, self-financing from year 4, the cost items — and « hypothèse à ajuster » for every amount
the programme does not publish (salaries, rents, funding per learner...).

`assumptions_with` applies the overrides a user gives and checks them (`AssumptionError` names
each bad value). `AddressablePublic` / `addressable_public`: job seekers for a Fab ID, employed
adults for the progressive concept, both for the turnkey one. Pure: pandas only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from diagnostics.analytics.common import format_number
from implantations.analytics.criteria import CONCEPTS, FAB_ID, PROGRESSIVE, TURNKEY

from .site_services import STEERING_FTE

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


# The ceiling of an assumption that has no bound of its own (euros, learners, ETP): far above any
# real centre, it keeps a typo such as 999999999999999999999 learners out of the tables and
# charts (an OverflowError, a 500, drawing them).
CEILING = 1_000_000_000.0


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
        maximum=CEILING if maximum is None else maximum,
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


def scalar_value(assumption: Assumption) -> float:
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
        scalar_value(assumptions[f"{name}_share"]) for name in ("cpf", "region", "opco", "fees")
    )
    if shares > 1 + 1e-9:
        problems["funding_shares"] = (
            f"les parts financées (CPF, Région, OPCO, droits) totalisent "
            f"{format_number(shares * 100)} % : au plus 100 %"
        )
    if (
        concept == PROGRESSIVE
        and "ramp" not in problems
        and per_year_values(assumptions["ramp"])[1] > 0
    ):
        problems["ramp"] = (
            "concept progressif : la première phase (année 1) ne propose que des services, sans "
            "formation (AMI) ; montée en charge de l'année 1 attendue à 0"
        )
    if problems:
        raise AssumptionError(problems)
    return assumptions


def per_year_values(assumption: Assumption) -> tuple[float, ...]:
    value = assumption.value
    return tuple(float(v) for v in value) if isinstance(value, tuple) else (float(value),) * 6


@dataclass(frozen=True)
class AddressablePublic:
    """Figures of the basin the learners are checked against (None: unknown)."""

    population: int | None = None
    job_seekers: float | None = None
    employed_adults: float | None = None  # from an imported indicator, if any
    job_seekers_period: str = ""


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
