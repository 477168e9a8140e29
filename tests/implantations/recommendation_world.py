"""Hand-made basins for the recommendation tests, one per concept, with a done diagnostic run
whose document carries the figures (no engine run needed), recorded assets and partners.

Every basin is one commune (its main town) at latitude `lat`, longitude 5.0; a Cnam site sits
due north at `cnam_km` (1° of latitude = 111.195 km). Figures mirror the pure tests'
`TURNKEY_BASIN`, `FAB_ID_BASIN` and `PROGRESSIVE_BASIN` (tests/implantations/analytics).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from diagnostics.models import (
    Basin,
    BasinSource,
    CnamSite,
    Commune,
    Departement,
    DiagnosticRun,
    ImportBatch,
    IndicatorFact,
    Region,
    Role,
    User,
)
from diagnostics.services.accounts import user_create
from implantations.models import HostStructure
from implantations.services.assets import (
    basin_partnership_save,
    employer_letter_create,
    host_structure_create,
)

KM_PER_DEGREE = 111.195
_counter = itertools.count(1)


def batch(kind: str, vintage: str) -> ImportBatch:
    existing = ImportBatch.objects.filter(kind=kind, vintage=vintage, status="done").first()
    if existing:
        return existing
    now = timezone.now()
    return ImportBatch.objects.create(
        kind=kind,
        file_name=f"{kind}_{vintage}.xlsx",
        sha256=f"{next(_counter):064d}",
        status=ImportBatch.Status.DONE,
        vintage=vintage,
        period=vintage,
        started_at=now,
        finished_at=now,
    )


@dataclass
class BasinSpec:
    name: str
    population: int
    projects_per_1000: float
    difficulty: float  # %
    trend: float  # % a year, 2023 → 2025
    unemployment: float  # %, 2023-T3
    unemployment_change: float  # points over a year
    job_seekers_per_1000: float
    cnam_km: float
    hosts: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    partnership: dict[str, Any] = field(default_factory=dict)
    letters: int = 0
    indicators: dict[str, float] = field(default_factory=dict)
    lat: float = 48.0


TURNKEY_SPEC = BasinSpec(
    name="Bassin clef en main",
    population=50_000,
    projects_per_1000=55,
    difficulty=65,
    trend=8,
    unemployment=7.0,
    unemployment_change=0.0,
    job_seekers_per_1000=75,
    cnam_km=60,
    hosts=[
        ("lycee", "Lycée Gustave-Eiffel", {"voie_professionnelle": True, "km": 3}),
        ("lycee", "Lycée Jean-Moulin", {"voie_technologique": True, "km": 9}),
        ("mission_locale", "Mission locale", {"km": 1}),
    ],
    partnership={"epci_commitment": "engage", "town_lends_premises": False, "inventory_done": True},
    letters=4,
    lat=47.0,
)
FAB_ID_SPEC = BasinSpec(
    name="Bassin Fab ID",
    population=40_000,
    projects_per_1000=25,
    difficulty=45,
    trend=-2,
    unemployment=10.5,
    unemployment_change=0.6,
    job_seekers_per_1000=105,
    cnam_km=70,
    hosts=[
        ("lycee", "Lycée Gustave-Eiffel", {"voie_professionnelle": True, "km": 12}),
        ("mission_locale", "Mission locale du Pays de Brie", {"km": 0.5}),
        ("france_services", "France Services", {"km": 2}),
    ],
    partnership={"epci_commitment": "engage", "town_lends_premises": True, "inventory_done": True},
    letters=1,
    indicators={
        "part_demandeurs_moins_26_ans": 22,
        "part_neet": 20,
        "part_decrocheurs": 12,
        "taux_emploi_25_54": 74,
    },
    lat=46.0,
)
PROGRESSIVE_SPEC = BasinSpec(
    name="Bassin progressif",
    population=90_000,
    projects_per_1000=18,
    difficulty=40,
    trend=2,
    unemployment=5.5,
    unemployment_change=-0.3,
    job_seekers_per_1000=55,
    cnam_km=75,
    hosts=[
        ("lycee", "Lycée Gustave-Eiffel", {"voie_professionnelle": True, "km": 15}),
        ("france_services", "France Services", {"km": 1}),
        ("campus", "Campus connecté", {"km": 2, "premises_can_grow": True}),
        ("chambre_consulaire", "CCI", {"km": 1, "premises_can_grow": False}),
    ],
    partnership={
        "epci_commitment": "convention",
        "town_lends_premises": False,
        "inventory_done": True,
    },
    letters=3,
    indicators={"taux_emploi_25_54": 86},
    lat=45.0,
)


def region(code: str = "44", name: str = "Grand Est") -> Region:
    return Region.objects.get_or_create(code=code, defaults={"name": name})[0]


def delegate(username: str = "delegue-44", region_code: str = "44") -> User:
    existing = User.objects.filter(username=username).first()
    return existing or user_create(
        username=username, role=Role.REGIONAL_DELEGATE, regions=[region_code]
    )


def document_for(spec: BasinSpec) -> dict[str, Any]:
    projects_2025 = spec.projects_per_1000 * spec.population / 1000
    projects_2023 = projects_2025 / (1 + spec.trend / 100) ** 2
    seekers = spec.job_seekers_per_1000 * spec.population / 1000
    return {
        "basin": {"name": spec.name, "population": spec.population},
        "years": {
            "2023": {"bmo_projects": round(projects_2023, 6), "bmo_estimated": False},
            "2025": {
                "bmo_projects": round(projects_2025, 6),
                "bmo_projects_per_1000": spec.projects_per_1000,
                "bmo_difficulty_rate": spec.difficulty / 100,
                "bmo_estimated": False,
            },
        },
        "unemployment": [
            {"period": "2022-T3", "rate": spec.unemployment - spec.unemployment_change},
            {"period": "2023-T3", "rate": spec.unemployment},
        ],
        "job_seekers": [{"period": "2024-12", "value": seekers, "estimated": False}],
    }


def build_basin(spec: BasinSpec, *, user: User | None = None, with_run: bool = True) -> Basin:
    """The basin, its diagnostic run (done), its Cnam site, assets, partners and indicators."""
    reg = region()
    dep = Departement.objects.get_or_create(
        code="52", defaults={"name": "Haute-Marne", "region": reg}
    )[0]
    code = f"52{next(_counter) % 1000:03d}"
    town = Commune.objects.create(
        code=code,
        name=f"Ville de {spec.name}",
        departement=dep,
        region=reg,
        population=spec.population,
        latitude=spec.lat,
        longitude=5.0,
    )
    basin = Basin.objects.create(
        name=spec.name,
        region=reg,
        source_kind=BasinSource.COMMUNES,
        source_codes=[code],
        main_town=town,
        population=spec.population,
        communes_count=1,
    )
    basin.communes.set([town])
    basin.regions.set([reg])
    CnamSite.objects.create(
        name=f"Cnam près de {spec.name}",
        latitude=spec.lat + spec.cnam_km / KM_PER_DEGREE,
        longitude=5.0,
    )
    if with_run:
        run = DiagnosticRun.objects.create(
            basin=basin,
            engine_version="1.0",
            data_key=f"{next(_counter):064d}",
            basin_snapshot={"id": basin.pk, "name": spec.name, "communes": [code]},
            status=DiagnosticRun.Status.DONE,
            finished_at=timezone.now(),
            results=document_for(spec),
            tables={},
        )
        run.batches.set(
            [
                batch("bmo", "2023"),
                batch("bmo", "2025"),
                batch("chomage_ze", "2023-T3"),
                batch("defm", "2024-12"),
            ]
        )
    user = user or delegate()
    for kind, name, options in spec.hosts:
        options = dict(options)
        km = options.pop("km", None)
        host = host_structure_create(
            basin=basin,
            user=user,
            kind=kind,
            name=name,
            latitude=spec.lat - km / KM_PER_DEGREE if km is not None else None,
            longitude=5.0 if km is not None else None,
            **options,
        )
        assert host.confirmed
    if spec.partnership:
        basin_partnership_save(basin=basin, user=user, **spec.partnership, letters_recorded=True)
    for i in range(spec.letters):
        employer_letter_create(basin=basin, user=user, employer=f"Employeur {i + 1}", learners=5)
    if spec.indicators:
        indicator_batch = batch("indicator", "2021")
        for indicator, value in spec.indicators.items():
            IndicatorFact.objects.create(
                batch=indicator_batch,
                level="commune",
                code=code,
                period="2021",
                indicator=indicator,
                value=value,
                unit="%",
            )
    return basin


def hosts_of(basin: Basin) -> list[HostStructure]:
    return list(HostStructure.objects.filter(basin=basin).order_by("pk"))
