"""A basin with a done diagnostic, three active paths and one archived, and local supply, whose
gap is worked out by hand:

    CPT-01 (L1X60, M1203): 2025 50 projects, 30 difficult (60 %); 2024 40 → trend +25 %;
        80 job seekers, tension 5 → components .5, .6, .75, 1, 1
        demand = .35×.5 + .25×.6 + .10×.75 + .15×1 + .15×1 = .70
        supply: its own offer, 10 places → coverage 10/50 = .2 → score 100 × .70 × .8 = 56.0
    NUM-02 (M1X80, M1805): 2025 100 projects, 50 difficult (50 %), no earlier year;
        20 job seekers, tension 3 → components 1, .5, n.d., .25, .5
        demand = (.35 + .125 + .0375 + .075) / .90 = .5875 / .9 = .65278
        supply: 25 places from the indicator import → coverage .25 → score 48.96
    ORI-01: no occupation → unranked, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.models import LocalOffer, TrainingPath
from diagnostics.models import Basin, DiagnosticRun, ImportBatch, IndicatorFact
from tests.factories.catalogue import (
    SectorFactory,
    bmo_row,
    make_basin,
    make_done_run,
    make_offer,
    make_path,
)


@dataclass
class Scenario:
    basin: Basin
    run: DiagnosticRun
    accounting: TrainingPath
    web: TrainingPath
    doc: TrainingPath
    archived: TrainingPath
    offer: LocalOffer


def build_scenario(basin: Basin | None = None) -> Scenario:
    basin = basin or make_basin()
    sector = SectorFactory(code="CPT", name="Comptabilité et paie")
    accounting = make_path(
        code="CPT-01",
        title="Comptable assistant",
        sector=sector,
        bmo_codes=["L1X60"],
        rome_codes=["M1203"],
        concepts=["clef_en_main"],
        publics=["demandeurs_emploi"],
    )
    web = make_path(
        code="NUM-02",
        title="Développeur web et web mobile",
        sector=SectorFactory(code="NUM", name="Numérique"),
        bmo_codes=["M1X80"],
        rome_codes=["M1805"],
        concepts=["progressif"],
        publics=["salaries"],
    )
    doc = make_path(
        code="ORI-01",
        title="Module DOC",
        sector=SectorFactory(code="ORI", name="Orientation"),
        certification_type=TrainingPath.CertificationType.MODULE,
        level=None,
        concepts=["fab_id"],
        publics=["decrocheurs"],
    )
    archived = make_path(
        code="CPT-99",
        title="Ancien parcours",
        sector=sector,
        bmo_codes=["L1X60"],
        status=TrainingPath.Status.ARCHIVED,
    )
    run = make_done_run(
        basin,
        bmo_rows=[
            bmo_row(2024, "L1X60", 40, 20),
            bmo_row(2025, "L1X60", 50, 30),
            bmo_row(2025, "M1X80", 100, 50),
        ],
        tension_metiers=[["L1X60", True, False]],
        tension_dares=[[2021, "M1203", 80.0, 5, 1, 2], [2021, "M1805", 20.0, 3, 1, 1]],
    )
    offer = make_offer(basin, path=accounting, provider="Greta Haute-Marne", places_per_year=10)
    batch = ImportBatch.objects.create(
        kind="indicator",
        file_name="offre.csv",
        sha256="1" * 64,
        status=ImportBatch.Status.DONE,
        vintage="offre_formation.NUM-02",
    )
    commune = basin.communes.get()
    for code, period, value in ((commune.code, "2025", 25), (commune.code, "2023", 99)):
        IndicatorFact.objects.create(
            batch=batch,
            level="commune",
            code=code,
            period=period,
            indicator="offre_formation.NUM-02",
            value=value,
            unit="places",
            source="Carif-Oref",
        )
    # Another territory: not the basin's supply.
    IndicatorFact.objects.create(
        batch=batch,
        level="commune",
        code="99999",
        period="2025",
        indicator="offre_formation.NUM-02",
        value=500,
        source="ailleurs",
    )
    return Scenario(basin, run, accounting, web, doc, archived, offer)
