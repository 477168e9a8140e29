"""The Cnam sites of the demo: three real regional centres whose town is certain, and in synthetic
mode a regional centre in the capital of each synthetic region; created or updated by name (in
real-data mode the synthetic ones are removed).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from diagnostics.analytics import columns as c
from diagnostics.analytics.synthetic import SyntheticTerritory
from diagnostics.models import CnamSite, Commune


@dataclass(frozen=True)
class _SiteSpec:
    name: str
    kind: str
    commune_code: str | None
    latitude: float
    longitude: float


# Real Cnam sites whose town is certain; coordinates are those of the commune (or the street).
REAL_SITES = (
    _SiteSpec(
        "Cnam Grand Est — Nancy (démo)", CnamSite.Kind.REGIONAL_CENTRE, "54395", 48.6901, 6.1753
    ),
    _SiteSpec(
        "Cnam Bretagne — Ploufragan (démo)",
        CnamSite.Kind.REGIONAL_CENTRE,
        "22215",
        48.4873,
        -2.8081,
    ),
    _SiteSpec(
        "Cnam Paris — 3 rue Conté (démo)", CnamSite.Kind.REGIONAL_CENTRE, "75056", 48.8666, 2.3556
    ),
)
SYNTHETIC_SITE_SUFFIX = "(démo synthétique)"


def synthetic_site_specs(territory: SyntheticTerritory) -> list[_SiteSpec]:
    """A regional centre in the capital of each synthetic region, at the commune's centre."""
    frame = territory.frames["communes"]
    centres = {
        code: (name, lat, lon)
        for code, name, lat, lon in zip(
            frame[c.CODE], frame[c.NAME], frame[c.LATITUDE], frame[c.LONGITUDE], strict=True
        )
    }
    specs = []
    for code, label in (
        (territory.main_city_code, "Cnam Val-d'Arbelle"),
        (territory.second_city_code, "Cnam Marches du Brandois"),
    ):
        name, lat, lon = centres[code]
        specs.append(
            _SiteSpec(
                f"{label} — {name} {SYNTHETIC_SITE_SUFFIX}",
                CnamSite.Kind.REGIONAL_CENTRE,
                code,
                float(lat),
                float(lon),
            )
        )
    return specs


def demo_sites_ensure(specs: list[_SiteSpec], *, remove_synthetic: bool) -> list[str]:
    """Create or update the demo sites by name. In real-data mode the synthetic ones are
    removed: they would otherwise be the nearest site of real basins in the centre of France."""
    communes = Commune.objects.in_bulk([s.commune_code for s in specs if s.commune_code])
    with transaction.atomic():
        if remove_synthetic:
            CnamSite.objects.filter(name__endswith=SYNTHETIC_SITE_SUFFIX).delete()
        for spec in specs:
            CnamSite.objects.update_or_create(
                name=spec.name,
                defaults={
                    "kind": spec.kind,
                    "commune": communes.get(spec.commune_code) if spec.commune_code else None,
                    "latitude": spec.latitude,
                    "longitude": spec.longitude,
                    "active": True,
                },
            )
    return [spec.name for spec in specs]
