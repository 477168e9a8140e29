"""A small hand-made world for the diagnostic runs, with figures easy to check by hand.

Région 44, département 52, four communes (0.1° squares, see `make_commune`):

    commune  population  zone d'emploi  bassin BMO
    52001    10 000      4404           4418
    52002     6 000      4404           4418
    52003     4 000      4404           4419
    52004     5 000      4405           4419

The basin « Bassin 4418 » is exactly bassin BMO 4418 (52001 + 52002, 16 000 inhabitants).

BMO 2025 (4418): A1Z40 met 100 / xmet 60 / smet 10; A1Z41 secret (`*`) everywhere; B1Z40
met 50 / xmet secret / smet 5. (4419): A1Z40 met 40 / xmet 10 / smet 0.
→ basin 2025: projects 150, 1 masked cell, difficult 60 over 100 (rate 0.6), seasonal 15 / 150.
BMO 2024 (4418): A1Z40 80 / 40 / 8; B1Z40 40 / 30 / 4. (4419): A1Z40 30 / 10 / 0.
→ basin 2024: projects 120, difficult 70 / 120.
Unemployment: ZE 4404 2023-T1 6.0, T2 6.2, (T3 missing), T4 5.8, 2024-T1 5.5; ZE 4405 8.0.
Job seekers (ABC): département 52 in 2024-01 1 000 and 2024-02 1 010; commune 52001 400 and 410.
→ basin 2024-01: 400 + (1 000 − 400) × 6 000 / 15 000 = 640; 2024-02: 410 + 600 × 0.4 = 650.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.utils import timezone

from diagnostics.models import (
    Basin,
    BmoFact,
    ChomageZeFact,
    Commune,
    DefmFact,
    ImportBatch,
    Region,
    Role,
    User,
)
from tests.factories.basins import (
    BasinFactory,
    BassinBmoFactory,
    ZoneEmploiFactory,
    make_commune,
    make_region,
    make_user,
)

_SHA = iter(range(10**6))


def done_batch(kind: str, vintage: str, **fields: Any) -> ImportBatch:
    now = timezone.now()
    return ImportBatch.objects.create(
        kind=kind,
        file_name=fields.pop("file_name", f"{kind}_{vintage}.xlsx"),
        sha256=f"{next(_SHA):064d}",
        status=ImportBatch.Status.DONE,
        vintage=vintage,
        period=vintage,
        started_at=now,
        finished_at=now,
        **fields,
    )


BMO_2025 = [
    # bassin, métier, label, family, met, xmet, smet (None = secret)
    ("4418", "A1Z40", "Agriculteurs salariés", "A", 100, 60, 10),
    ("4418", "A1Z41", "Maraîchers", "A", None, None, None),
    ("4418", "B1Z40", "Maçons", "B", 50, None, 5),
    ("4419", "A1Z40", "Agriculteurs salariés", "A", 40, 10, 0),
]
BMO_2024 = [
    ("4418", "A1Z40", "Agriculteurs salariés", "A", 80, 40, 8),
    ("4418", "B1Z40", "Maçons", "B", 40, 30, 4),
    ("4419", "A1Z40", "Agriculteurs salariés", "A", 30, 10, 0),
]
FAMILIES = {"A": "Agriculture", "B": "Bâtiment"}


def bmo_batch(year: int, cells: list[tuple[Any, ...]], **fields: Any) -> ImportBatch:
    batch = done_batch("bmo", str(year), **fields)
    BmoFact.objects.bulk_create(
        [
            BmoFact(
                batch=batch,
                year=year,
                bassin_code=bassin,
                metier_code=metier,
                metier_label=label,
                famille_code=family,
                famille_label=FAMILIES[family],
                met=met,
                xmet=xmet,
                smet=smet,
                met_masked=met is None,
                xmet_masked=xmet is None,
                smet_masked=smet is None,
            )
            for bassin, metier, label, family, met, xmet, smet in cells
        ]
    )
    return batch


UNEMPLOYMENT = {
    "4404": {"2023-T1": 6.0, "2023-T2": 6.2, "2023-T4": 5.8, "2024-T1": 5.5},
    "4405": {"2023-T1": 8.0, "2023-T2": 8.0, "2023-T4": 8.0, "2024-T1": 8.0},
}


def chomage_batch(rates: dict[str, dict[str, float]] | None = None) -> ImportBatch:
    batch = done_batch("chomage_ze", "2024-T1")
    ChomageZeFact.objects.bulk_create(
        [
            ChomageZeFact(
                batch=batch,
                zone_emploi_code=zone,
                period=period,
                year=int(period[:4]),
                quarter=int(period[-1]),
                rate=rate,
            )
            for zone, series in (rates or UNEMPLOYMENT).items()
            for period, rate in series.items()
        ]
    )
    return batch


def defm_batch() -> ImportBatch:
    batch = done_batch("defm", "2024-02", file_name="defm.csv")
    rows = [
        ("departement", "52", dt.date(2024, 1, 1), 1000),
        ("departement", "52", dt.date(2024, 2, 1), 1010),
        ("commune", "52001", dt.date(2024, 1, 1), 400),
        ("commune", "52001", dt.date(2024, 2, 1), 410),
    ]
    DefmFact.objects.bulk_create(
        [
            DefmFact(batch=batch, level=level, code=code, month=month, job_seekers=value)
            for level, code, month, value in rows
        ]
    )
    return batch


@dataclass
class DiagnosticWorld:
    region: Region
    other_region: Region
    communes: dict[str, Commune]
    basin: Basin
    delegate: User
    batches: dict[str, ImportBatch] = field(default_factory=dict)

    def make_basin(self, name: str, codes: list[str]) -> Basin:
        return cast(
            Basin,
            BasinFactory(name=name, region=self.region, communes=[self.communes[c] for c in codes]),
        )


def diagnostic_world(
    *, sources: tuple[str, ...] = ("bmo", "chomage_ze", "defm")
) -> DiagnosticWorld:
    region = make_region("44", "Grand Est")
    other = make_region("53", "Bretagne")
    ze1 = ZoneEmploiFactory(code="4404", name="Chaumont")
    ze2 = ZoneEmploiFactory(code="4405", name="Langres")
    b1 = BassinBmoFactory(code="4418", name="CHAUMONT", region=region)
    b2 = BassinBmoFactory(code="4419", name="LANGRES", region=region)
    specs = [
        ("52001", "Chaumont", 10_000, ze1, b1, 0, 0),
        ("52002", "Brottes", 6_000, ze1, b1, 1, 0),
        ("52003", "Biesles", 4_000, ze1, b2, 0, 1),
        ("52004", "Langres", 5_000, ze2, b2, 1, 1),
    ]
    communes = {
        code: make_commune(
            code,
            name=name,
            population=population,
            region=region,
            col=col,
            row=row,
            zone_emploi=ze,
            bassin_bmo=bassin,
        )
        for code, name, population, ze, bassin, col, row in specs
    }
    basin = cast(
        Basin,
        BasinFactory(
            name="Bassin 4418", region=region, communes=[communes["52001"], communes["52002"]]
        ),
    )
    delegate = make_user("delegue-44", role=Role.REGIONAL_DELEGATE, regions=[region])
    world = DiagnosticWorld(
        region=region, other_region=other, communes=communes, basin=basin, delegate=delegate
    )
    if "bmo" in sources:
        world.batches["bmo2024"] = bmo_batch(2024, BMO_2024)
        world.batches["bmo2025"] = bmo_batch(2025, BMO_2025)
    if "chomage_ze" in sources:
        world.batches["chomage_ze"] = chomage_batch()
    if "defm" in sources:
        world.batches["defm"] = defm_batch()
    return world
