"""The recommendation on the real open data (../shared/data): zone d'emploi 4404 (Chaumont),
from the official territories, BMO 2024-2025, INSEE unemployment, job seekers and the national
lycées extract, through the diagnostic run to `recommend --json`.

The data are put in the database for this module outside the tests' transactions (built once
per test run, then restored from a snapshot: tests/realdata_db.py) and removed after, as in
tests/diagnostics/test_diagnostic_realdata.py.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command

from diagnostics.analytics.geometry import haversine_km
from diagnostics.models import BasinSource, DiagnosticRun
from tests.realdata_db import REALDATA_GROUP, TERRITORIES, imported, real_database

pytestmark = [pytest.mark.realdata, pytest.mark.slow, pytest.mark.django_db, REALDATA_GROUP]

IMPORTS = [
    ("bmo", "bmo/Base_open_data_BMO_2024.xlsx", {"register_bassins": True}),
    ("bmo", "bmo/Base_open_data_BMO_2025.xlsx", {"register_bassins": True}),
    ("chomage_ze", "chomage_ze/chomage-zone-t1-2003-t3-2023.xlsx", {}),
    (
        "defm",
        "demandeurs_emploi/odis_emploi_demandeur_export_2025-06-17.csv",
        {"duplicates_as_unknown": True},
    ),
    ("lycees", "annuaire_education/odis_lycees_france_coords.csv", {}),
]


@pytest.fixture(scope="module")
def chaumont(django_db_setup, django_db_blocker, open_data_dir: Path):  # type: ignore[no-untyped-def]
    """ZE 4404 registered and diagnosed, and a Cnam site in Troyes (≈ 82 km from Chaumont)."""
    from diagnostics.models import CnamSite
    from diagnostics.services.basins import basin_create
    from diagnostics.services.diagnostics import diagnostic_run_sync

    recipe = [TERRITORIES, *(imported(kind, path, **options) for kind, path, options in IMPORTS)]
    # real_database empties, after the module, every table that was empty before it: the
    # site, basin, run and recommendations made here included.
    with django_db_blocker.unblock(), real_database(open_data_dir, recipe):
        CnamSite.objects.create(name="Cnam — Troyes", latitude=48.2973, longitude=4.0744)
        basin = basin_create(
            name="Chaumont", source_kind=BasinSource.ZONE_EMPLOI, source_codes=["4404"]
        )
        run = diagnostic_run_sync(basin_id=basin.pk)
        assert run.status == DiagnosticRun.Status.DONE, run.error_message
        yield basin


def _recommend(basin) -> dict:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("recommend", "--basin", str(basin.pk), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_chaumont_recommendation_from_the_real_data(chaumont, open_data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    data = _recommend(chaumont)
    criteria = {c["code"]: c for c in data["criteria"]}

    # Unemployment 2023-T3: 5.9 % (data README spot-check).
    assert criteria["unemployment_rate"]["raw"] == 5.9
    assert criteria["unemployment_rate"]["vintage"] == "2023-T3"
    assert criteria["population"]["raw"] == 120_929  # test_basin_realdata, from the raw files
    run = chaumont.diagnostic_runs.get()
    year = run.results["years"]["2025"]
    assert criteria["bmo_projects_per_1000"]["raw"] == pytest.approx(
        year["bmo_projects"] * 1000 / 120_929, rel=1e-3
    )
    assert criteria["bmo_difficulty_rate"]["raw"] == pytest.approx(
        year["bmo_difficulty_rate"] * 100
    )
    town = chaumont.main_town
    assert criteria["cnam_distance_km"]["raw"] == pytest.approx(
        haversine_km(town.latitude, town.longitude, 48.2973, 4.0744), abs=0.01
    )
    assert 80 < criteria["cnam_distance_km"]["raw"] < 84  # Chaumont → Troyes, as the crow flies
    # The national lycées extract has no official path flag: the count is missing, the lycées
    # of the basin's communes are named in the note (computed here from the raw file).
    raw = pd.read_csv(
        open_data_dir / "annuaire_education" / "odis_lycees_france_coords.csv",
        sep=None,
        engine="python",
        dtype=str,
    )
    codes = set(chaumont.communes.values_list("code", flat=True))
    column = next(c for c in raw.columns if "com" in c.lower() and "code" in c.lower())
    in_basin = raw[raw[column].str.zfill(5).isin(codes)]
    assert len(in_basin) > 0
    assert criteria["vocational_lycees"]["missing"] is True
    assert "sans indicateur officiel" in criteria["vocational_lycees"]["note"]
    # No host confirmed yet: no concept, with the reasons; the scores are still there.
    assert data["concept"] is None
    assert all(data["scores"][k] is not None for k in ("turnkey", "fab_id", "progressive"))
    assert 0 <= data["robustness"] <= 1
    assert {s["source"] for s in data["sources"]} == {"bmo", "chomage_ze", "defm", "lycees"}


def test_chaumont_with_a_confirmed_lycee_is_recommendable(chaumont) -> None:  # type: ignore[no-untyped-def]
    from diagnostics.models import User
    from implantations.services.assets import basin_lycees_prefill, host_structure_update

    admin = User.objects.create(username="admin-reel", role="admin_national", is_staff=True)
    created = basin_lycees_prefill(basin=chaumont, user=admin)
    assert created, "the basin's lycées of the extract are prefilled, to be confirmed"
    first = min(created, key=lambda h: (h.distance_km is None, h.distance_km or 0))
    host_structure_update(
        basin=chaumont,
        user=admin,
        host_id=first.pk,
        confirmed=True,
        set_flags=True,
        voie_professionnelle=True,
    )

    data = _recommend(chaumont)

    assert data["concept"] == "turnkey"  # the only concept whose constraint now holds
    turnkey = next(c for c in data["constraints"] if c["concept"] == "turnkey")
    assert turnkey["passed"] and first.name in turnkey["reason"]
    criteria = {c["code"]: c for c in data["criteria"]}
    assert criteria["vocational_lycees"]["raw"] == 1
    assert criteria["lycee_distance_km"]["raw"] == pytest.approx(first.distance_km, abs=0.01)
    assert data["label"] in ("robuste", "fragile")
