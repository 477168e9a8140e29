"""Hard constraints of the concepts, shown apart from the score: what each concept needs
from the basin's confirmed hosts, passed or failed with the reason in French."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .criteria import FAB_ID, PROGRESSIVE, TURNKEY

NBSP = "\u00a0"  # inside French quotation marks « … », never broken from their words


@dataclass(frozen=True)
class HostSummary:
    """What the hard constraints read: the confirmed hosts of the basin.

    `lycee_partners`: names of the confirmed lycées with a vocational or technological path;
    `shared_places`: names of the confirmed shared places; `economic_hosts`: (name, premises can
    grow: True / False / None unknown) of the confirmed campus, business hubs and chambers;
    `town_lends_premises`: True / False / None (not recorded)."""

    lycee_partners: tuple[str, ...] = ()
    shared_places: tuple[str, ...] = ()
    economic_hosts: tuple[tuple[str, bool | None], ...] = ()
    town_lends_premises: bool | None = None


@dataclass(frozen=True)
class Constraint:
    concept: str
    code: str
    label: str
    passed: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "concept": self.concept,
            "code": self.code,
            "label": self.label,
            "passed": self.passed,
            "reason": self.reason,
        }


def _names(names: Sequence[str]) -> str:
    quoted = [f"«{NBSP}{n}{NBSP}»" for n in names[:3]]
    more = f" et {len(names) - 3} autre{'s' if len(names) > 4 else ''}" if len(names) > 3 else ""
    return ", ".join(quoted) + more


def constraints_check(hosts: HostSummary) -> list[Constraint]:
    """The hard constraint of each concept (CONCEPTS order), passed or failed with its reason."""
    out: list[Constraint] = []
    if hosts.lycee_partners:
        reason = f"Lycée partenaire confirmé : {_names(hosts.lycee_partners)}."
    else:
        reason = (
            "Aucun lycée professionnel ou technologique confirmé comme partenaire dans les atouts "
            "du bassin : le concept clef en main s'adosse à un lycée (enseignants, plateaux "
            "techniques)."
        )
    out.append(
        Constraint(
            TURNKEY,
            "lycee_partner",
            "Adossement à un lycée professionnel ou technologique",
            bool(hosts.lycee_partners),
            reason,
        )
    )
    if hosts.shared_places:
        reason = f"Lieu partagé confirmé : {_names(hosts.shared_places)}."
        if hosts.town_lends_premises:
            reason += " La commune prête aussi des locaux."
        passed = True
    elif hosts.town_lends_premises:
        reason = "Aucun lieu partagé confirmé, mais la commune prête des locaux."
        passed = True
    else:
        reason = (
            "Ni lieu partagé confirmé (Mission locale, France Services, tiers-lieu, Maison de "
            "l'emploi), ni locaux prêtés par la commune"
            + (" (non renseigné)" if hosts.town_lends_premises is None else "")
            + "."
        )
        passed = False
    out.append(
        Constraint(
            FAB_ID,
            "shared_place",
            "Lieu partagé avec les acteurs de l'emploi ou locaux prêtés par la commune",
            passed,
            reason,
        )
    )
    growing = [name for name, grow in hosts.economic_hosts if grow is True]
    unknown = [name for name, grow in hosts.economic_hosts if grow is None]
    fixed = [name for name, grow in hosts.economic_hosts if grow is False]
    if growing:
        reason = f"Structure de l'écosystème économique aux locaux extensibles : {_names(growing)}."
        passed = True
    elif unknown:
        reason = (
            f"Structure de l'écosystème économique confirmée : {_names(unknown)} ; extension des "
            "locaux en années 2 et 3 à vérifier."
        )
        passed = True
    elif fixed:
        reason = (
            f"Les structures confirmées ({_names(fixed)}) ne peuvent pas agrandir les locaux en "
            "années 2 et 3 : la montée en charge progressive n'y tient pas."
        )
        passed = False
    else:
        reason = (
            "Aucun campus, pôle d'entreprises ou chambre consulaire confirmé comme structure "
            "d'accueil."
        )
        passed = False
    out.append(
        Constraint(
            PROGRESSIVE,
            "growth_host",
            "Structure de l'écosystème économique aux locaux extensibles",
            passed,
            reason,
        )
    )
    return out
