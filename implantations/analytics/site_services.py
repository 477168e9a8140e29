"""The services of an implantation (reception, information, orientation, support): what each
concept offers, with staff time, cost, revenue and the learners each brings. Pure: no Django.

One declaration place (`SERVICE_DEFAULTS`): the services each concept offers are those the Cnam
call for expressions of interest names (AMI « Cœur des territoires », ../shared/seeds/002):
- turnkey: « l'offre de services … centrée sur l'AIOA » (accueil, information, orientation,
  accompagnement);
- Fab ID: AIOA « en complémentarité avec les acteurs locaux », inscriptions, ingénierie
  financière, passage des examens, and « un SAS d'orientation et de diagnostic compétences
  personnalisé » with the Diagnostic Orientation Compétences (DOC) entry module;
- progressive: « l'offre de services sera développée dans un premier temps : AIOA, inscriptions,
  ingénierie financière, passage des examens » — its first phase (year 1) has services only.
The AMI gives no figure per service: staff time, reach and conversion are « estimation ». The
only figure it gives, the Fab ID's « deux personnels à temps plein », is kept: the services'
staff time is carved out of the concept's dedicated staff (`staff_fte` then counts the steering
and coordination staff only), so that the defaults' totals are those of the AMI.

Staff time is in FTE (ETP) or hours a year (converted at HOURS_PER_FTE). Per service and year
from year 1:
    fte            = staff_time                    (unit « etp »)
                   = staff_time / HOURS_PER_FTE    (unit « heures »)
    staff cost     = fte × staff_cost (the business model's cost of an FTE)
    cost           = staff cost + direct_cost
    learners       = reach × conversion            (the people it brings into training)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from diagnostics.analytics.common import format_number
from implantations.analytics.criteria import FAB_ID, PROGRESSIVE, TURNKEY
from implantations.analytics.funding import MAX_AMOUNT, MAX_PEOPLE

# Legal annual working time of a full-time employee in France (1,607 hours: 35 h a week, with
# the « journée de solidarité »), to turn hours into FTE.
HOURS_PER_FTE = 1607.0
FTE = "etp"
HOURS = "heures"
TIME_UNITS = {FTE: "ETP", HOURS: "heures par an"}
ESTIMATION = "estimation"
AMI = "AMI Cnam « Cœur des territoires »"

AIOA = "aioa"
SAS_DOC = "sas_doc"
ENROLMENT_EXAMS = "enrolment_exams"
FUNDING_ENGINEERING = "funding_engineering"
SERVICE_LABELS: dict[str, str] = {
    AIOA: "Accueil, information, orientation, accompagnement (AIOA)",
    SAS_DOC: "SAS d'orientation et Diagnostic Orientation Compétences (DOC)",
    ENROLMENT_EXAMS: "Inscriptions et passage des examens",
    FUNDING_ENGINEERING: "Ingénierie financière (montage des financements)",
}
SERVICE_CODES = tuple(SERVICE_LABELS)


@dataclass(frozen=True)
class Service:
    """One service of an implantation: staff time (`staff_time` in `time_unit`), direct costs
    and revenue a year (€), people received a year (`reach`) and the share of them who enter
    training (`conversion`); `source` says where the service comes from (AMI) — its figures are
    « estimation » unless `figures_source` says otherwise."""

    code: str
    staff_time: float
    time_unit: str = FTE
    direct_cost: float = 0.0
    revenue: float = 0.0
    reach: float = 0.0
    conversion: float = 0.0
    source: str = ""
    figures_source: str = ESTIMATION

    @property
    def label(self) -> str:
        return SERVICE_LABELS[self.code]

    @property
    def fte(self) -> float:
        return self.staff_time / HOURS_PER_FTE if self.time_unit == HOURS else self.staff_time

    @property
    def learners(self) -> float:
        return self.reach * self.conversion

    def cost(self, staff_cost: float) -> float:
        return self.fte * staff_cost + self.direct_cost

    def as_dict(self, staff_cost: float | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "label": self.label,
            "staff_time": self.staff_time,
            "time_unit": self.time_unit,
            "fte": round(self.fte, 3),
            "direct_cost": self.direct_cost,
            "revenue": self.revenue,
            "reach": self.reach,
            "conversion": self.conversion,
            "learners": round(self.learners, 1),
            "source": self.source,
            "figures_source": self.figures_source,
        }
        if staff_cost is not None:
            out["cost"] = round(self.cost(staff_cost), 2)
        return out


_SAYS = AMI + " : "
# Per concept: the steering staff left in `staff_fte` (its default minus the services' time),
# and the services. Reach and conversion: « estimation » (the AMI gives none).
SERVICE_DEFAULTS: dict[str, tuple[Service, ...]] = {
    TURNKEY: (
        Service(AIOA, 0.5, reach=250, conversion=0.2,
                source=_SAYS + "offre de services « centrée sur l'AIOA »"),
    ),
    FAB_ID: (
        Service(AIOA, 0.5, reach=250, conversion=0.06,
                source=_SAYS + "AIOA « en complémentarité avec les acteurs locaux »"),
        Service(SAS_DOC, 0.8, reach=120, conversion=0.6,
                source=_SAYS + "« SAS d'orientation et de diagnostic compétences », module "
                "DOC en entrée"),
        Service(ENROLMENT_EXAMS, 0.1, reach=0, conversion=0,
                source=_SAYS + "inscriptions, passage des examens"),
        Service(FUNDING_ENGINEERING, 0.1, reach=40, conversion=0.25,
                source=_SAYS + "ingénierie financière"),
    ),
    PROGRESSIVE: (
        Service(AIOA, 0.4, reach=400, conversion=0.3,
                source=_SAYS + "services développés « dans un premier temps »"),
        Service(ENROLMENT_EXAMS, 0.2, reach=0, conversion=0,
                source=_SAYS + "inscriptions, passage des examens"),
        Service(FUNDING_ENGINEERING, 0.2, reach=150, conversion=0.4,
                source=_SAYS + "ingénierie financière"),
    ),
}  # fmt: skip

# What the concept's `staff_fte` default becomes once the services' time is carved out (the
# sum stays the concept's former default: 1.5, 2 (AMI) and 1 FTE).
STEERING_FTE: dict[str, float] = {TURNKEY: 1.0, FAB_ID: 0.5, PROGRESSIVE: 0.2}


def default_services(concept: str) -> tuple[Service, ...]:
    """The services a concept offers by default (AMI), with « estimation » figures."""
    if concept not in SERVICE_DEFAULTS:
        raise ValueError(f"Concept inconnu : « {concept} ».")
    return SERVICE_DEFAULTS[concept]


class ServiceError(ValueError):
    """Invalid services; `problems` maps « code.field » to a French message."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__(
            "Services invalides : "
            + " ; ".join(f"{k} : {v}" for k, v in self.problems.items())
            + "."
        )


# Upper bounds: what the stored columns hold (`funding.MAX_AMOUNT`, `MAX_PEOPLE`).
_BOUNDS: dict[str, tuple[float, float | None, str]] = {
    "staff_time": (0.0, None, "temps de personnel"),
    "direct_cost": (0.0, MAX_AMOUNT, "coûts directs"),
    "revenue": (0.0, MAX_AMOUNT, "recettes"),
    "reach": (0.0, MAX_PEOPLE, "personnes reçues"),
    "conversion": (0.0, 1.0, "taux de conversion"),
}


def services_with(concept: str, values: Mapping[str, Mapping[str, Any]] | None) -> list[Service]:
    """The concept's services with `values` ({code: {field: value}}) applied, checked: unknown
    service, a service the concept does not offer, non-numbers, negative values, a conversion
    above 1, an unknown time unit, more than 10 FTE or 16,070 hours raise ServiceError naming
    « code.field »."""
    defaults = {s.code: s for s in default_services(concept)}
    problems: dict[str, str] = {}
    out = dict(defaults)
    for code, fields in (values or {}).items():
        if code not in SERVICE_LABELS:
            problems[f"{code}"] = "service inconnu"
            continue
        if code not in defaults:
            problems[code] = "service que ce concept ne propose pas (AMI)"
            continue
        changes: dict[str, Any] = {}
        for name, raw in fields.items():
            key = f"{code}.{name}"
            if name == "time_unit":
                if raw not in TIME_UNITS:
                    problems[key] = "unité attendue : « etp » ou « heures »"
                else:
                    changes[name] = raw
                continue
            if name not in _BOUNDS:
                problems[key] = "champ inconnu"
                continue
            low, high, label = _BOUNDS[name]
            try:
                number = float(str(raw).replace("\u202f", "").replace(" ", "").replace(",", "."))
            except (TypeError, ValueError):
                problems[key] = f"{label} : valeur « {raw} » non numérique"
                continue
            if not math.isfinite(number) or number < low or (high is not None and number > high):
                problems[key] = (
                    f"{label} : valeur attendue entre 0 et "
                    f"{format_number(high, decimals=0 if float(high).is_integer() else 2)}"
                    if high is not None
                    else f"{label} : valeur positive ou nulle attendue"
                )
                continue
            changes[name] = number
        service = replace(defaults[code], **changes, figures_source="saisie du projet")
        limit = 10.0 if service.time_unit == FTE else 10 * HOURS_PER_FTE
        if service.staff_time > limit and f"{code}.staff_time" not in problems:
            problems[f"{code}.staff_time"] = (
                "temps de personnel : au plus 10 ETP (16 070 heures) pour un service"
            )
        out[code] = service
    if problems:
        raise ServiceError(problems)
    return [out[code] for code in defaults]


SERVICE = "service"
LABEL = "label"
SERVICE_FTE = "fte"
STAFF_COST = "staff_cost"
DIRECT_COST = "direct_cost"
COST = "cost"
REVENUE = "revenue"
REACH = "reach"
CONVERSION = "conversion"
LEARNERS = "learners"
SERVICE_COLUMNS = [
    SERVICE, LABEL, SERVICE_FTE, STAFF_COST, DIRECT_COST, COST, REVENUE, REACH, CONVERSION,
    LEARNERS,
]  # fmt: skip


def services_frame(services: Sequence[Service], *, staff_cost: float) -> pd.DataFrame:
    """One row per service a year of activity (SERVICE_COLUMNS), in declaration order, with a
    last row « Total » (SERVICE = "total"; its conversion is Σ learners / Σ reach)."""
    rows = [
        {
            SERVICE: s.code,
            LABEL: s.label,
            SERVICE_FTE: s.fte,
            STAFF_COST: s.fte * staff_cost,
            DIRECT_COST: s.direct_cost,
            COST: s.cost(staff_cost),
            REVENUE: s.revenue,
            REACH: s.reach,
            CONVERSION: s.conversion,
            LEARNERS: s.learners,
        }
        for s in services
    ]
    frame = pd.DataFrame(rows, columns=SERVICE_COLUMNS)
    reach = float(frame[REACH].sum())
    total = {
        SERVICE: "total",
        LABEL: "Total des services",
        **{col: float(frame[col].sum()) for col in SERVICE_COLUMNS[2:] if col != CONVERSION},
        CONVERSION: float(frame[LEARNERS].sum()) / reach if reach else math.nan,
    }
    return pd.concat([frame, pd.DataFrame([total], columns=SERVICE_COLUMNS)], ignore_index=True)
