"""The assets of each demo basin (host structures, partnership, employer letters; the first one's
local training offer), chosen so that each of the three concepts is the recommendation of at
least one demo basin (see `demo`). A basin that already has host structures or a partnership
keeps them.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from diagnostics.models import Basin, Commune, User
from implantations.models import BasinPartnership, HostStructure
from implantations.services import assets as asset_services


def _largest_commune(basin: Basin, *, exclude_main: bool = False) -> Commune:
    communes = basin.communes.order_by("-population", "code")
    if exclude_main and basin.main_town_id:
        communes = communes.exclude(pk=basin.main_town_id)
    return communes.first() or basin.communes.order_by("code").first()  # type: ignore[return-value]


def _confirm_vocational_lycee(basin: Basin, user: User) -> bool:
    """Record the basin's lycées from the imported annuaire and confirm the nearest vocational
    one as partner. False when the basin has none."""
    asset_services.basin_lycees_prefill(basin=basin, user=user)
    lycee = (
        HostStructure.objects.filter(
            basin=basin, kind=HostStructure.Kind.LYCEE, voie_professionnelle=True
        )
        .order_by("distance_km", "pk")
        .first()
    )
    if lycee is None:
        return False
    asset_services.host_structure_update(basin=basin, user=user, host_id=lycee.pk, confirmed=True)
    return True


def _declare(basin: Basin, user: User, kind: str, name: str, **extra: object) -> None:
    town = _largest_commune(basin)
    asset_services.host_structure_create(
        basin=basin,
        user=user,
        kind=kind,
        name=name,
        commune_code=town.code,
        confirmed=True,
        notes="structure fictive de démonstration",
        **extra,  # type: ignore[arg-type]
    )


def _letters(basin: Basin, user: User, employers: list[tuple[str, str, int]]) -> None:
    for employer, sector, learners in employers:
        asset_services.employer_letter_create(
            basin=basin,
            user=user,
            employer=f"{employer} (entreprise fictive)",
            sector=sector,
            learners=learners,
            received_on=dt.date(2026, 3, 2),
        )


# The local training offer of the first demo basin (catalogue path code, provider, Cnam, places
# per year): what the gap subtracts from the needs (« couverture locale »), shown in the demo.
DEMO_LOCAL_OFFERS = (
    ("HOT-05", "Lycée polyvalent de {town} (fictif)", False, 24),
    ("NUM-01", "Cnam — centre régional (démo)", True, 12),
)


def _local_offers(basin: Basin, user: User, town: str) -> None:
    from catalogue.models import TrainingPath
    from catalogue.services.catalogue import local_offer_create

    for code, provider, is_cnam, places in DEMO_LOCAL_OFFERS:
        path = TrainingPath.objects.filter(code=code).first()
        if path is None:  # a catalogue without the demo's paths: no offer
            continue
        local_offer_create(
            basin_id=basin.pk,
            user=user,
            path=path,
            provider=provider.format(town=town),
            is_cnam=is_cnam,
            places_per_year=places,
            source="offre fictive de démonstration",
        )


def demo_assets_ensure(basin: Basin, index: int, user: User) -> None:
    """The assets of the `index`-th demo basin (see the module docstring), once."""
    town = basin.main_town.name if basin.main_town else basin.name
    # Apart from the other assets: a demo built before the offers were added gets them too.
    if index == 0 and not basin.local_offers.exists():
        _local_offers(basin, user, town)
    if basin.host_structures.exists() or BasinPartnership.objects.filter(basin=basin).exists():
        return
    with transaction.atomic():
        if index == 0:
            _confirm_vocational_lycee(basin, user)
            asset_services.basin_partnership_save(
                basin=basin, user=user, epci_commitment="engage", town_lends_premises=False,
                inventory_done=True,
            )  # fmt: skip
            _letters(
                basin, user,
                [("Menuiseries du Val", "Industrie", 6), ("Transports Arbelle", "Logistique", 4),
                 ("Clinique Saint-Roch", "Santé", 5)],
            )  # fmt: skip
        elif index == 1:
            _declare(
                basin, user, HostStructure.Kind.CAMPUS, f"Campus universitaire de {town}",
                premises_can_grow=True,
            )  # fmt: skip
            _declare(basin, user, HostStructure.Kind.CHAMBER, f"CCI de {town}")
            _declare(
                basin, user, HostStructure.Kind.BUSINESS_HUB, f"Pépinière d'entreprises {town}"
            )
            asset_services.basin_partnership_save(
                basin=basin, user=user, epci_commitment="convention", town_lends_premises=False,
                inventory_done=True,
            )  # fmt: skip
            _letters(
                basin, user,
                [("Banque coopérative d'Arbelle", "Banque", 8), ("Logiciels Poveney", "Numérique", 6),
                 ("Cabinet Audit Conseil", "Comptabilité", 4), ("Groupe Agro Sorme", "Industrie", 5)],
            )  # fmt: skip
        elif index == 2:
            _declare(basin, user, HostStructure.Kind.MISSION_LOCALE, f"Mission locale de {town}")
            _declare(
                basin, user, HostStructure.Kind.TIERS_LIEU, f"Tiers-lieu La Fabrique de {town}"
            )
            asset_services.basin_partnership_save(
                basin=basin, user=user, epci_commitment="engage", town_lends_premises=True,
                premises_note="salle du tiers-lieu prêtée par la commune", inventory_done=True,
            )  # fmt: skip
        elif index == 3:
            _declare(basin, user, HostStructure.Kind.FRANCE_SERVICES, f"France Services de {town}")
            asset_services.basin_partnership_save(
                basin=basin, user=user, epci_commitment="interesse", town_lends_premises=True,
            )  # fmt: skip
        else:
            _confirm_vocational_lycee(basin, user)
            _declare(
                basin, user, HostStructure.Kind.CAMPUS, f"Antenne universitaire de {town}",
                premises_can_grow=True,
            )  # fmt: skip
            asset_services.basin_partnership_save(
                basin=basin, user=user, epci_commitment="engage", town_lends_premises=False,
            )  # fmt: skip
