"""Reads of a basin's assets: its communes and main town, the recorded host structures, partnership
and employer letters, the lycées that could be recorded as hosts, and what the recommendation's
hard constraints read of them (`host_summary`, with the typed partners located in the basin)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from diagnostics.analytics.geometry import haversine_km
from diagnostics.models import Basin, Lycee, Organisation
from diagnostics.selectors.facts import lycees_current_frame
from implantations.analytics import constraints
from implantations.models import BasinPartnership, EmployerLetter, HostStructure


def host_structure_list(basin: Basin) -> list[HostStructure]:
    return list(
        HostStructure.objects.filter(basin=basin)
        .select_related("commune")
        .order_by("kind", "-confirmed", "name")
    )


def basin_partnership_get(basin: Basin) -> BasinPartnership | None:
    return BasinPartnership.objects.filter(basin=basin).first()


def employer_letter_list(basin: Basin) -> list[EmployerLetter]:
    return list(EmployerLetter.objects.filter(basin=basin).order_by("employer", "id"))


def basin_commune_codes(basin: Basin) -> list[str]:
    return sorted(basin.communes.values_list("code", flat=True))


def main_town_point(basin: Basin) -> tuple[float, float] | None:
    town = basin.main_town
    if town is None or town.latitude is None or town.longitude is None:
        return None
    return (town.latitude, town.longitude)


def distance_to_main_town(basin: Basin, lat: float | None, lon: float | None) -> float | None:
    point = main_town_point(basin)
    if point is None or lat is None or lon is None:
        return None
    return round(haversine_km(point[0], point[1], lat, lon), 2)


@dataclass(frozen=True)
class LyceeCandidate:
    """A lycée of the basin in the imported annuaire, not yet among its host structures."""

    uai: str
    name: str
    commune_code: str
    latitude: float | None
    longitude: float | None
    voie_professionnelle: bool | None
    voie_technologique: bool | None
    official: bool  # the flags come from the full official schema
    guess_from_name: bool | None
    distance_km: float | None


def tri_flag(value: Any) -> bool | None:
    return None if value is None or pd.isna(value) else bool(value)


def lycee_candidates(basin: Basin) -> list[LyceeCandidate]:
    """Lycées of the basin's communes in the annuaire in force that are not recorded yet, the
    vocational or technological ones first (official flags; unknown when the reduced extract
    does not publish them), by distance to the main town."""
    frame = lycees_current_frame(commune_codes=basin_commune_codes(basin))
    recorded = set(
        HostStructure.objects.filter(basin=basin).exclude(uai="").values_list("uai", flat=True)
    )
    out = []
    for row in frame.to_dict("records"):
        if row["uai"] in recorded:
            continue
        lat = None if pd.isna(row["latitude"]) else float(row["latitude"])
        lon = None if pd.isna(row["longitude"]) else float(row["longitude"])
        out.append(
            LyceeCandidate(
                uai=row["uai"],
                name=row["name"],
                commune_code=row["commune_code"],
                latitude=lat,
                longitude=lon,
                voie_professionnelle=tri_flag(row["voie_professionnelle"]),
                voie_technologique=tri_flag(row["voie_technologique"]),
                official=row["layout"] == Lycee.Layout.FULL.value,
                guess_from_name=tri_flag(row["vocational_guess_from_name"]),
                distance_km=distance_to_main_town(basin, lat, lon),
            )
        )

    def rank(c: LyceeCandidate) -> tuple[int, float, str]:
        vocational = bool(c.voie_professionnelle or c.voie_technologique)
        unknown = c.voie_professionnelle is None and c.voie_technologique is None
        group = 0 if vocational else 1 if unknown and c.guess_from_name else 2 if unknown else 3
        return (group, c.distance_km if c.distance_km is not None else math.inf, c.name)

    return sorted(out, key=rank)


def _with_partners(
    names: list[str], partners: list[Organisation], kinds: tuple[str, ...]
) -> tuple[str, ...]:
    """The confirmed hosts' names, then the typed partners of those kinds located in the basin
    (issue 18), each name once."""
    out = list(dict.fromkeys(names))
    for partner in partners:
        if partner.kind in kinds and partner.name not in out:
            out.append(partner.name)
    return tuple(out)


def host_summary(
    hosts: list[HostStructure],
    partnership: BasinPartnership | None,
    partners: list[Organisation] | None = None,
) -> constraints.HostSummary:
    """What the hard constraints read: the confirmed hosts of the basin, and the typed partners
    (`diagnostics.Organisation`) located in it — a lycée counts as a lycée partner, a Mission
    locale, tiers-lieu or Maison de l'emploi as a shared place."""
    confirmed = [h for h in hosts if h.confirmed]
    partners = partners or []
    return constraints.HostSummary(
        lycee_partners=_with_partners(
            [h.name for h in confirmed if h.is_vocational_lycee], partners, Organisation.LYCEES
        ),
        shared_places=_with_partners(
            [h.name for h in confirmed if h.is_shared_place], partners, Organisation.SHARED_PLACES
        ),
        economic_hosts=tuple(
            (h.name, h.premises_can_grow) for h in confirmed if h.is_economic_host
        ),
        town_lends_premises=partnership.town_lends_premises if partnership else None,
    )
