"""How the criteria of the basin's assets are read (`criteria.CRITERIA`): its vocational lycées,
the hosts and the partners the delegate declared. A count of declared hosts is 0 only once the
inventory is marked done; a partner's answer not given is missing (« non renseigné »)."""

from __future__ import annotations

from .criterion_inputs import AssetInputs, RawValue


def read_vocational_lycees(inputs: AssetInputs) -> RawValue:
    unknown = inputs.lycees_unknown_flags
    if not inputs.lycees_known:
        return {
            "raw": None,
            "source": "lycees",
            "note": "annuaire des lycées non importé et aucun lycée déclaré",
        }
    if inputs.vocational_lycees or not unknown:
        return {
            "raw": float(inputs.vocational_lycees),
            "source": "lycees",
            "vintage": inputs.lycees_vintage,
            "note": (
                f"dont {unknown} lycée{'s' if unknown > 1 else ''} "
                "sans voie publiée, non compté" + ("s" if unknown > 1 else "")
                if unknown
                else ""
            ),
        }
    return {
        "raw": None,
        "source": "lycees",
        "vintage": inputs.lycees_vintage,
        "note": (
            f"{unknown} lycée{'s' if unknown > 1 else ''} sans "
            "indicateur officiel de voie professionnelle ou technologique : confirmez-les "
            "dans les atouts du bassin"
        ),
    }


def read_lycee_distance_km(inputs: AssetInputs) -> RawValue:
    return {
        "raw": inputs.nearest_lycee_km,
        "source": "lycees",
        "vintage": inputs.lycees_vintage,
        "note": (
            inputs.nearest_lycee_name
            if inputs.nearest_lycee_km is not None
            else "aucun lycée professionnel ou technologique connu et localisé"
        ),
    }


def _declared_hosts(count: int, inputs: AssetInputs) -> RawValue:
    # A count of declared hosts is 0 only once the delegate marked the inventory done.
    value = float(count) if count or inputs.inventory_done else None
    return {
        "raw": value,
        "source": "hosts",
        "vintage": inputs.partners_updated,
        "note": (
            ""
            if inputs.inventory_done or value is not None
            else "inventaire des structures non terminé"
        ),
    }


def read_shared_places(inputs: AssetInputs) -> RawValue:
    return _declared_hosts(inputs.shared_places, inputs)


def read_economic_hosts(inputs: AssetInputs) -> RawValue:
    return _declared_hosts(inputs.economic_hosts, inputs)


def _partner(value: float | None, inputs: AssetInputs) -> RawValue:
    return {
        "raw": value,
        "source": "partners",
        "vintage": inputs.partners_updated,
        "note": "" if value is not None else "non renseigné",
    }


def read_epci_commitment(inputs: AssetInputs) -> RawValue:
    return _partner(inputs.epci_level, inputs)


def read_employer_letters(inputs: AssetInputs) -> RawValue:
    return _partner(inputs.letters, inputs)


def read_premises_lent(inputs: AssetInputs) -> RawValue:
    lent = inputs.premises_lent
    return _partner(None if lent is None else float(lent), inputs)
