import pytest

from diagnostics.models import Basin, BasinSource, GeometryStatus
from tests.factories.diagnostics import CommuneFactory, DepartementFactory, RegionFactory
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def _square(lon: float, lat: float, size: float = 0.1) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


def test_basin_refresh_runs_in_real_worker_after_commit(celery_worker_process: str) -> None:
    from diagnostics.services.basins import basin_create

    region = RegionFactory(code="98", name="Région test")
    dep = DepartementFactory(code="9Z", name="Dép test", region=region)
    CommuneFactory(
        code="98001",
        name="Alpha",
        departement=dep,
        region=region,
        population=25_000,
        latitude=48.05,
        longitude=2.05,
        geometry=_square(2.0, 48.0),
    )
    CommuneFactory(
        code="98002",
        name="Beta",
        departement=dep,
        region=region,
        population=12_000,
        latitude=48.05,
        longitude=2.15,
        geometry=_square(2.1, 48.0),
    )

    # transactional_db: basin_create commits, and its on_commit hook enqueues on Redis.
    basin = basin_create(
        name="Bassin intégration",
        source_kind=BasinSource.COMMUNES,
        source_codes=["98001", "98002"],
    )

    def refreshed() -> bool:
        b = Basin.objects.get(pk=basin.pk)
        return b.geometry_status == GeometryStatus.READY and b.refreshed_at is not None

    assert wait_for(refreshed, timeout=60), "the worker did not refresh the basin within 60 s"
    stored = Basin.objects.get(pk=basin.pk)
    assert stored.population == 37_000
    assert stored.communes_count == 2
    # Union of the two adjacent squares: one polygon spanning 2.0 → 2.2 in longitude.
    assert stored.bbox == pytest.approx((2.0, 48.0, 2.2, 48.1))
