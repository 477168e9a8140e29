"""Sources of the prospective section for the diagnostic world (tests/factories/diagnostic_runs.py):
figures easy to check by hand (tests/diagnostics/services/test_prospective.py works them out).

Tensions 2021 of bassin 4418 (offers, job seekers, published tension):
K1303 25 / 263 / 1 and D1507 37 / 152 / 1 (saturated), J1301 44 / 58 / 2 (ratio 1.3: not),
K1302 120 / 59 / 5, N1101 150 / 100 / 5 and D1502 80 / 10 / 4 (in tension).
Population by age, « ensemble » only, départements 52 (the world's) and 35 (France only):
52 in 2021: 20-24 80, 25-29 70, 30-34 450, 55-59 150, 60-64 150; in 2011: 100, 100, 500, 100,
100; 35 in 2011 and 2021: 300, 300, 1200, 200, 200. Job seekers by NAF section (vintage 2022):
4418 F 30, G 90; 4419 F 70, G 10.
"""

from __future__ import annotations

from diagnostics.models import DefmSecteurFact, ImportBatch, PopulationAgeFact, RomeCode
from tests.factories.diagnostic_runs import done_batch
from tests.factories.tensions import tension_batch

TENSIONS_2021 = [
    ("4418", "K1303", 25.0, 263.0, 1, (None,) * 6),
    ("4418", "D1507", 37.0, 152.0, 1, (None,) * 6),
    ("4418", "J1301", 44.0, 58.0, 2, (None,) * 6),
    ("4418", "K1302", 120.0, 59.0, 5, (None,) * 6),
    ("4418", "N1101", 150.0, 100.0, 5, (None,) * 6),
    ("4418", "D1502", 80.0, 10.0, 4, (None,) * 6),
]
LABELS = {
    "K1303": "Garde d'enfant",
    "D1507": "Employé de rayon",
    "J1301": "Aide-soignant",
    "K1302": "Assistant de vie",
    "N1101": "Cariste",
    "D1502": "Manager de rayon",
}
BANDS = {
    ("52", 2011): {20: 100, 25: 100, 30: 500, 55: 100, 60: 100, 65: 900},
    ("52", 2021): {20: 80, 25: 70, 30: 450, 55: 150, 60: 150, 65: 900},
    ("35", 2011): {20: 300, 25: 300, 30: 1200, 55: 200, 60: 200, 65: 900},
    ("35", 2021): {20: 300, 25: 300, 30: 1200, 55: 200, 60: 200, 65: 900},
}
SECTORS = [
    ("4418", "F", "Construction", 30),
    ("4418", "G", "Commerce", 90),
    ("4419", "F", "Construction", 70),
    ("4419", "G", "Commerce", 10),
]


def prospective_batches() -> dict[str, ImportBatch]:
    rome = done_batch("rome", "v460", file_name="rome.csv")
    for code, label in LABELS.items():
        RomeCode.objects.create(
            batch=rome,
            code=code,
            label=label,
            parent_code=code,
            grand_domaine_code=code[0],
            domaine_code=code[:3],
        )
    ages = done_batch("population_age", "2021", file_name="estim-pop.xlsx")
    PopulationAgeFact.objects.bulk_create(
        [
            PopulationAgeFact(
                batch=ages,
                year=year,
                departement_code=dept,
                sex="ensemble",
                age_min=age_min,
                population=float(value),
            )
            for (dept, year), bands in BANDS.items()
            for age_min in range(0, 100, 5)
            for value in [bands.get(age_min, 0)]
        ]
    )
    sectors = done_batch("defm_secteur", "2022", file_name="secteurs.csv")
    DefmSecteurFact.objects.bulk_create(
        [
            DefmSecteurFact(
                batch=sectors, bassin_code=b, naf_section=s, sector_label=label, job_seekers=v
            )
            for b, s, label, v in SECTORS
        ]
    )
    return {
        "rome": rome,
        "tensions2021": tension_batch(2021, TENSIONS_2021),
        "population_age": ages,
        "defm_secteur": sectors,
    }
