"""The lycées of a basin (map and table): its communes only, the import in force, the official
row of a UAI over the reduced extract's, commune names added."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostics.analytics.lycees import LYCEE_COLUMNS
from diagnostics.models import Basin, ImportBatch, Lycee
from diagnostics.selectors.basins import basin_lycees_frame
from tests.factories.basins import BasinFactory, Territory

Status = ImportBatch.Status
pytestmark = pytest.mark.django_db


def _batch(layout: str, status: str = Status.DONE) -> ImportBatch:
    return ImportBatch.objects.create(
        kind="lycees", vintage=f"{layout}-{status}", status=status, file_name=f"{layout}.csv",
        sha256=f"{layout}{status}",
    )  # fmt: skip


def _lycee(batch: ImportBatch, uai: str, commune: str, **fields: object) -> Lycee:
    values: dict[str, object] = {"name": f"Lycée {uai}", "latitude": 48.05, "longitude": 2.05}
    values.update(fields)
    return Lycee.objects.create(
        batch=batch, uai=uai, commune_code=commune, layout=batch.vintage.split("-")[0], **values
    )


@pytest.fixture
def basin() -> Basin:
    t = Territory()
    return BasinFactory.create(
        name="Bassin de Chaumont", region=t.grand_est, communes=[t.chaumont, t.brottes]
    )


def test_basin_lycees_frame(basin: Basin) -> None:
    full, reduced = _batch("officiel"), _batch("reduit")
    old = _batch("reduit", Status.SUPERSEDED)
    _lycee(full, "0520019Y", "52121", name="Lycée Charles de Gaulle", sector="public",
           voie_generale=True, voie_technologique=True, voie_professionnelle=True)  # fmt: skip
    # The same UAI in the reduced extract: the official row wins (it has the official flags).
    _lycee(reduced, "0520019Y", "52121", name="Lycée polyvalent C. de Gaulle",
           voie_generale=True, vocational_guess_from_name=True)  # fmt: skip
    _lycee(reduced, "0520008L", "52001", name="Lycée de Brottes", voie_generale=True,
           vocational_guess_from_name=False, latitude=None, longitude=None)  # fmt: skip
    _lycee(reduced, "0210001A", "21001", name="Lycée hors bassin")
    _lycee(old, "0520099Z", "52121", name="Lycée d'un import remplacé")

    frame = basin_lycees_frame(basin)

    assert frame.columns.tolist() == LYCEE_COLUMNS
    assert frame["uai"].tolist() == ["0520008L", "0520019Y"]
    assert frame["commune_name"].tolist() == ["Brottes", "Chaumont"]
    official = frame.iloc[1]
    assert (official["name"], official["voie_professionnelle"]) == ("Lycée Charles de Gaulle", True)
    assert official["vocational_guess_from_name"] is pd.NA
    guessed = frame.iloc[0]
    assert guessed["voie_professionnelle"] is pd.NA
    assert guessed["vocational_guess_from_name"] == False  # noqa: E712 (pandas boolean)
    assert pd.isna(guessed["latitude"])


def test_basin_lycees_frame_empty_keeps_its_columns(basin: Basin) -> None:
    frame = basin_lycees_frame(basin)

    assert frame.columns.tolist() == LYCEE_COLUMNS
    assert len(frame) == 0
