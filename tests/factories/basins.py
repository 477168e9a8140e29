"""Factories for basins and the territories they are built from: small square communes with
populations, zones d'emploi, bassins BMO, EPCI, Cnam sites."""

from __future__ import annotations

from typing import Any, cast

import factory
from factory.django import DjangoModelFactory

from diagnostics.models import (
    Basin,
    BasinSource,
    BassinBmo,
    CnamSite,
    Commune,
    CommuneCodeChange,
    Epci,
    ProgrammeSettings,
    Region,
    Role,
    User,
    ZoneEmploi,
)
from tests.factories.diagnostics import (
    CommuneFactory,
    DepartementFactory,
    RegionFactory,
    UserFactory,
)


def square(lon: float, lat: float, size: float = 0.1) -> dict[str, Any]:
    """GeoJSON square with its south-west corner at (lon, lat)."""
    ring = [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


class ZoneEmploiFactory(DjangoModelFactory[ZoneEmploi]):
    class Meta:
        model = ZoneEmploi
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{9000 + n}")
    name = factory.Sequence(lambda n: f"Zone {n}")


class BassinBmoFactory(DjangoModelFactory[BassinBmo]):
    class Meta:
        model = BassinBmo
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{8000 + n}")
    name = factory.Sequence(lambda n: f"BASSIN {n}")


class EpciFactory(DjangoModelFactory[Epci]):
    class Meta:
        model = Epci
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{200000000 + n}")
    name = factory.Sequence(lambda n: f"CC des Collines {n}")
    nature = "CC"


class CnamSiteFactory(DjangoModelFactory[CnamSite]):
    class Meta:
        model = CnamSite

    name = factory.Sequence(lambda n: f"Cnam site {n}")
    latitude = 48.0
    longitude = 2.0
    active = True


class BasinFactory(DjangoModelFactory[Basin]):
    """A saved basin with consistent figures; pass `communes=[...]` to attach communes."""

    class Meta:
        model = Basin
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Bassin {n}")
    region = factory.SubFactory(RegionFactory)
    source_kind = BasinSource.COMMUNES
    source_codes = factory.LazyFunction(list)
    geometry_status = "ready"

    @factory.post_generation
    def communes(obj: Basin, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if not create or not extracted:
            return
        communes = list(extracted)
        obj.communes.set(communes)
        obj.regions.set({c.region for c in communes if c.region})
        obj.source_codes = [c.code for c in communes]
        obj.population = sum(c.population or 0 for c in communes)
        obj.communes_count = len(communes)
        if obj.main_town is None:
            obj.main_town = max(communes, key=lambda c: c.population or 0)
        obj.save()


def make_commune(
    code: str,
    *,
    population: int | None,
    region: Region,
    col: int = 0,
    row: int = 0,
    name: str | None = None,
    **kwargs: Any,
) -> Commune:
    """A commune 0.1° square at grid cell (col, row) from (2.0°E, 48.0°N), its centre at the
    centre of the square."""
    lon, lat = 2.0 + col * 0.1, 48.0 + row * 0.1
    departement = DepartementFactory(code=code[:2], region=region)
    return cast(
        Commune,
        CommuneFactory(
            code=code,
            name=name or f"Commune {code}",
            departement=departement,
            region=region,
            population=population,
            longitude=lon + 0.05,
            latitude=lat + 0.05,
            geometry=square(lon, lat),
            **kwargs,
        ),
    )


def make_user(
    username: str | None = None,
    *,
    role: str = Role.REGIONAL_DELEGATE,
    regions: list[Region] | None = None,
) -> User:
    """A user (typed for mypy: factory_boy's factories are not)."""
    kwargs: dict[str, Any] = {"role": role, "regions": regions or []}
    if username:
        kwargs["username"] = username
    return cast(User, UserFactory(**kwargs))


def make_region(code: str, name: str) -> Region:
    return cast(Region, RegionFactory(code=code, name=name))


def chaumont_with_delegates() -> tuple[Basin, User, User]:
    """The basin of Chaumont (commune 52121, 42,000 inhabitants) in the Grand Est (44), the
    Grand Est delegate, and a delegate of Bourgogne-Franche-Comté (27), who may not see it."""
    grand_est = make_region("44", "Grand Est")
    other = make_region("27", "Bourgogne-Franche-Comté")
    town = make_commune("52121", name="Chaumont", population=42_000, region=grand_est)
    basin = BasinFactory(name="Bassin de Chaumont", region=grand_est, communes=[town])
    delegate = make_user("delegue-ge", regions=[grand_est])
    return cast(Basin, basin), delegate, make_user("delegue-bfc", regions=[other])


def code_change(old: str, new: str, year: int = 2025) -> CommuneCodeChange:
    return CommuneCodeChange.objects.create(old_code=old, new_code=new, year=year)


def programme_settings(**bounds: int) -> ProgrammeSettings:
    settings = ProgrammeSettings.current()
    for key, value in bounds.items():
        setattr(settings, key, value)
    settings.save()
    return settings


class Territory:
    """A small hand-made territory (populations chosen so that sums are easy to check):

    Région 44 « Grand Est »: communes 52121 (20,000 hab., 0.1° square at column 0, row 0),
    52001 (5,000, col 1 row 0), 52002 (4,999, col 0 row 1), 52003 (population unknown, col 1
    row 1). Région 27 « Bourgogne-Franche-Comté »: 21001 (3,000, col 2 row 0).
    Zone d'emploi 4404 « Chaumont » = 52121, 52001, 52002, 52003, with its own published
    polygon (a triangle, deliberately unlike the union of its communes). Zone d'emploi 9999
    « Vide » has no commune. Bassin BMO 4418 « CHAUMONT » = 52121, 52001, 21001 (two regions).
    EPCI 200000001 = 52121, 52001; EPCI 200000002 = 52002.
    """

    ZE_TRIANGLE = {
        "type": "Polygon",
        "coordinates": [[[2.0, 48.0], [2.2, 48.0], [2.1, 48.2], [2.0, 48.0]]],
    }

    def __init__(self) -> None:
        self.grand_est = cast(Region, RegionFactory(code="44", name="Grand Est"))
        self.bourgogne = cast(Region, RegionFactory(code="27", name="Bourgogne-Franche-Comté"))
        self.ze = ZoneEmploiFactory.create(code="4404", name="Chaumont", geometry=self.ZE_TRIANGLE)
        self.ze_empty = ZoneEmploiFactory.create(code="9999", name="Vide")
        self.bmo = BassinBmoFactory.create(code="4418", name="CHAUMONT", region=self.grand_est)
        self.epci1 = EpciFactory.create(code="200000001", name="CA de Chaumont")
        self.epci2 = EpciFactory.create(code="200000002", name="CC des Trois Forêts")
        common = {"zone_emploi": self.ze}
        self.chaumont = make_commune(
            "52121",
            name="Chaumont",
            population=20_000,
            region=self.grand_est,
            col=0,
            row=0,
            bassin_bmo=self.bmo,
            epci=self.epci1,
            **common,
        )
        self.brottes = make_commune(
            "52001",
            name="Brottes",
            population=5_000,
            region=self.grand_est,
            col=1,
            row=0,
            bassin_bmo=self.bmo,
            epci=self.epci1,
            **common,
        )
        self.chamarandes = make_commune(
            "52002",
            name="Chamarandes-Choignes",
            population=4_999,
            region=self.grand_est,
            col=0,
            row=1,
            epci=self.epci2,
            **common,
        )
        self.euffigneix = make_commune(
            "52003",
            name="Euffigneix",
            population=None,
            region=self.grand_est,
            col=1,
            row=1,
            **common,
        )
        self.dijon_side = make_commune(
            "21001",
            name="Agencourt",
            population=3_000,
            region=self.bourgogne,
            col=2,
            row=0,
            bassin_bmo=self.bmo,
        )
