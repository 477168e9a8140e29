"""Published tension files for the diagnostic world (tests/factories/diagnostic_runs.py):
two vintages, as the DARES files publish them, figures easy to check by hand.

2019 (no factor published): 4418 K1302 tension 4 (178 offers, 116 job seekers); 4419 K1302 2.
2021: 4418 A1203 tension 5, factors 4 1 3 4 4 3; 4418 K1302 tension 3, factors 2 2 4 3 1 and
training-job link blank; 4419 A1203 tension 2, factors 1 1 1 1 1 1.
(factors in the order hiring intensity, labour shortage, non-durable employment, working
conditions, geographic mismatch, training-job link.)
"""

from __future__ import annotations

from typing import Any

from diagnostics.models import ImportBatch, RomeCode, TensionFact
from tests.factories.diagnostic_runs import done_batch

FACTOR_FIELDS = (
    "hiring_intensity", "labour_shortage", "non_durable_employment", "working_conditions",
    "geographic_mismatch", "training_job_link",
)  # fmt: skip

TENSIONS_2019 = [
    # bassin, rome, offers, seekers, tension, factors
    ("4418", "K1302", 178.0, 116.0, 4, (None,) * 6),
    ("4419", "K1302", 20.0, 40.0, 2, (None,) * 6),
]
TENSIONS_2021 = [
    ("4418", "A1203", 42.78, 95.75, 5, (4, 1, 3, 4, 4, 3)),
    ("4418", "K1302", 10.0, 20.0, 3, (2, 2, 4, 3, 1, None)),
    ("4419", "A1203", 3.0, 3.0, 2, (1, 1, 1, 1, 1, 1)),
]
ROME_LABELS = {
    "A1203": "Aménagement et entretien des espaces verts",
    "K1302": "Assistance auprès d'adultes",
}


def tension_batch(year: int, rows: list[tuple[Any, ...]]) -> ImportBatch:
    batch = done_batch("tensions", str(year), file_name=f"tensions_{year}.csv")
    TensionFact.objects.bulk_create(
        [
            TensionFact(
                batch=batch,
                year=year,
                bassin_code=bassin,
                rome_code=rome,
                job_offers=offers,
                job_seekers_abc=seekers,
                tension=tension,
                **dict(zip(FACTOR_FIELDS, factors, strict=True)),
            )
            for bassin, rome, offers, seekers, tension, factors in rows
        ]
    )
    return batch


def rome_batch(labels: dict[str, str] | None = None) -> ImportBatch:
    batch = done_batch("rome", "v460", file_name="rome.csv")
    for code, label in (labels or ROME_LABELS).items():
        RomeCode.objects.create(
            batch=batch,
            code=code,
            label=label,
            parent_code=code,
            grand_domaine_code=code[0],
            domaine_code=code[:3],
        )
    return batch


def tension_batches() -> dict[str, ImportBatch]:
    return {
        "rome": rome_batch(),
        "tensions2019": tension_batch(2019, TENSIONS_2019),
        "tensions2021": tension_batch(2021, TENSIONS_2021),
    }
