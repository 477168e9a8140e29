"""Basin services on a small hand-made territory (see tests.factories.basins.Territory)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from django.db import OperationalError
from shapely.geometry import shape

from diagnostics.errors import ApplicationError
from diagnostics.models import (
    Basin,
    BasinShare,
    BasinSource,
    GeometryStatus,
    ProgrammeSettings,
    Role,
    ZoneEmploi,
)
from diagnostics.services.basin_refresh import basin_refresh, basins_refresh_all
from diagnostics.services.basin_sharing import basin_share, basin_unshare
from diagnostics.services.basins import basin_create, basin_delete, basin_preview
from tests.factories.basins import (
    BasinFactory,
    CnamSiteFactory,
    Territory,
    code_change,
    make_commune,
    make_region,
    make_user,
    programme_settings,
)

pytestmark = pytest.mark.django_db

COMMUNES = BasinSource.COMMUNES


@pytest.fixture
def t() -> Territory:
    return Territory()


def _rows_written() -> tuple[int, int, int, int]:
    return (
        Basin.objects.count(),
        Basin.communes.through.objects.count(),
        Basin.regions.through.objects.count(),
        ProgrammeSettings.objects.count(),
    )


# --- Population, communes, main town, regions ---------------------------------------------
def test_basin_preview_population_is_sum_of_communes(t: Territory) -> None:
    preview = basin_preview(source_kind=COMMUNES, source_codes=["52121", "52001", "52002"])

    assert preview.population == 20_000 + 5_000 + 4_999 == 29_999
    assert preview.communes_count == 3
    assert preview.communes_without_population == 0
    assert preview.main_town.code == "52121"  # the most populated by default
    assert preview.region.code == "44"
    assert [r.code for r in preview.regions] == ["44"]
    assert preview.spans_regions is False


def test_basin_preview_counts_communes_without_population(t: Territory) -> None:
    preview = basin_preview(source_kind=COMMUNES, source_codes=["52121", "52003"])

    assert preview.population == 20_000
    assert preview.communes_without_population == 1


def test_basin_preview_zone_emploi_takes_its_communes(t: Territory) -> None:
    preview = basin_preview(source_kind=BasinSource.ZONE_EMPLOI, source_codes=["4404"])

    assert sorted(preview.commune_codes) == ["52001", "52002", "52003", "52121"]
    assert preview.population == 29_999
    assert preview.source_label == "Zone d'emploi Chaumont (4404)"


def test_basin_preview_epci_list_takes_their_communes(t: Territory) -> None:
    preview = basin_preview(source_kind=BasinSource.EPCI, source_codes=["200000001", "200000002"])

    assert sorted(preview.commune_codes) == ["52001", "52002", "52121"]
    assert preview.population == 29_999


def test_basin_preview_spanning_two_regions_is_flagged(t: Territory) -> None:
    preview = basin_preview(source_kind=BasinSource.BASSIN_BMO, source_codes=["4418"])

    assert preview.population == 20_000 + 5_000 + 3_000
    assert preview.spans_regions is True
    assert [r.code for r in preview.regions] == ["27", "44"]
    assert preview.region.code == "44"  # the main town's (Chaumont)


def test_basin_create_spanning_two_regions_is_saved_and_flagged(t: Territory) -> None:
    basin = basin_create(
        name="Bassin BMO de Chaumont", source_kind=BasinSource.BASSIN_BMO, source_codes=["4418"]
    )

    basin.refresh_from_db()
    assert basin.spans_regions is True
    assert basin.region_id == "44"
    assert sorted(basin.regions.values_list("code", flat=True)) == ["27", "44"]


def test_basin_preview_given_main_town_changes_owner_region(t: Territory) -> None:
    preview = basin_preview(
        source_kind=BasinSource.BASSIN_BMO, source_codes=["4418"], main_town_code="21001"
    )

    assert preview.main_town.code == "21001"
    assert preview.region.code == "27"


def test_basin_preview_maps_merged_commune_old_code(t: Territory) -> None:
    code_change("52999", "52121")  # 52999 merged into Chaumont

    preview = basin_preview(source_kind=COMMUNES, source_codes=["52999", "52001"])

    assert sorted(preview.commune_codes) == ["52001", "52121"]
    assert preview.population == 25_000
    assert preview.notices == [
        "Le code 52999 (commune fusionnée) a été remplacé par 52121 (Chaumont)."
    ]


def test_basin_preview_restores_stripped_leading_zero(t: Territory) -> None:
    make_commune("01001", population=800, region=t.grand_est, col=5)

    preview = basin_preview(source_kind=COMMUNES, source_codes=["1001"])

    assert preview.commune_codes == ["01001"]


# --- Errors ---------------------------------------------------------------------------------
def test_basin_preview_unknown_commune_codes_are_all_listed(t: Territory) -> None:
    with pytest.raises(ApplicationError) as caught:
        basin_preview(source_kind=COMMUNES, source_codes=["52121", "99998", "52001", "99999"])

    assert caught.value.code == "unknown_codes"
    assert caught.value.message == "Codes commune inconnus : 99998, 99999."
    assert caught.value.extra["unknown_codes"] == ["99998", "99999"]


def test_basin_preview_empty_list_refused(t: Territory) -> None:
    with pytest.raises(ApplicationError) as caught:
        basin_preview(source_kind=COMMUNES, source_codes=[" ", ""])

    assert caught.value.code == "empty_basin"
    assert "vide" in caught.value.message


def test_basin_preview_zone_without_communes_is_empty(t: Territory) -> None:
    with pytest.raises(ApplicationError) as caught:
        basin_preview(source_kind=BasinSource.ZONE_EMPLOI, source_codes=["9999"])

    assert caught.value.code == "empty_basin"
    assert caught.value.message == (
        "Le bassin est vide : aucune commune n'est rattachée à la zone d'emploi Vide (9999)."
    )


@pytest.mark.parametrize(
    ("kind", "codes", "message"),
    [
        (BasinSource.ZONE_EMPLOI, ["0000"], "Zone d'emploi inconnue : 0000."),
        (BasinSource.BASSIN_BMO, ["7777"], "Bassin BMO inconnu : 7777."),
        (BasinSource.EPCI, ["200000001", "123", "456"], "EPCI inconnus : 123, 456."),
    ],
)
def test_basin_preview_unknown_source_code_refused(
    t: Territory, kind: BasinSource, codes: list[str], message: str
) -> None:
    with pytest.raises(ApplicationError) as caught:
        basin_preview(source_kind=kind, source_codes=codes)

    assert caught.value.code == "unknown_source"
    assert caught.value.message == message


def test_basin_preview_main_town_outside_basin_refused(t: Territory) -> None:
    with pytest.raises(ApplicationError) as caught:
        basin_preview(source_kind=COMMUNES, source_codes=["52121", "52001"], main_town_code="52002")

    assert caught.value.code == "main_town_outside"
    assert caught.value.message == (
        "La ville principale Chamarandes-Choignes (52002) n'appartient pas au bassin."
    )


def test_basin_preview_unknown_main_town_refused(t: Territory) -> None:
    with pytest.raises(ApplicationError) as caught:
        basin_preview(source_kind=COMMUNES, source_codes=["52121"], main_town_code="99999")

    assert caught.value.code == "main_town_unknown"
    assert "99999" in caught.value.message


def test_basin_create_duplicate_name_same_region_refused_case_insensitive(t: Territory) -> None:
    basin_create(name="Bassin d'Épinal", source_kind=COMMUNES, source_codes=["52121"])
    before = _rows_written()

    with pytest.raises(ApplicationError) as caught:
        basin_create(name="  BASSIN D'ÉPINAL ", source_kind=COMMUNES, source_codes=["52001"])

    assert caught.value.code == "duplicate_name"
    assert caught.value.message == (
        "Un bassin nommé « Bassin d'Épinal » existe déjà dans la région Grand Est."
    )
    assert _rows_written() == before


def test_basin_create_same_name_other_region_allowed(t: Territory) -> None:
    basin_create(name="Bassin des Sources", source_kind=COMMUNES, source_codes=["52121"])

    other = basin_create(name="bassin des sources", source_kind=COMMUNES, source_codes=["21001"])

    assert other.region_id == "27"
    assert Basin.objects.count() == 2


def test_basin_create_writes_nothing_when_validation_fails(t: Territory) -> None:
    before = _rows_written()

    attempts: list[dict[str, Any]] = [
        {"source_codes": ["52121", "00000"]},
        {"source_codes": []},
        {"source_codes": ["52121"], "main_town_code": "52001"},
        {"source_codes": ["52121"], "name": ""},
    ]
    for kwargs in attempts:
        with pytest.raises(ApplicationError):
            basin_create(**{"name": "Bassin refusé", "source_kind": COMMUNES, **kwargs})

    assert _rows_written() == before == (0, 0, 0, 0)


def test_basin_create_delegate_of_another_region_refused(t: Territory) -> None:
    delegate = make_user(role=Role.REGIONAL_DELEGATE, regions=[t.bourgogne])

    with pytest.raises(ApplicationError) as caught:
        basin_create(
            name="Chaumont", source_kind=COMMUNES, source_codes=["52121"], created_by=delegate
        )

    assert caught.value.code == "region_not_followed"
    assert "Grand Est" in caught.value.message
    assert Basin.objects.count() == 0


def test_basin_create_delegate_of_the_region_allowed(t: Territory) -> None:
    delegate = make_user(role=Role.REGIONAL_DELEGATE, regions=[t.grand_est])

    basin = basin_create(
        name="Chaumont", source_kind=COMMUNES, source_codes=["52121"], created_by=delegate
    )

    assert basin.created_by == delegate


# --- Geometry -------------------------------------------------------------------------------
def test_basin_preview_zone_emploi_geometry_is_the_zone_polygon(t: Territory) -> None:
    preview = basin_preview(source_kind=BasinSource.ZONE_EMPLOI, source_codes=["4404"])

    geom = shape(preview.geometry)
    assert geom.equals(shape(Territory.ZE_TRIANGLE))
    assert geom.area == pytest.approx(0.2 * 0.2 / 2)  # not the 0.04 of the four squares
    assert preview.geometry_approximate is False
    assert "zone d'emploi Chaumont (4404)" in preview.geometry_note


def test_basin_preview_communes_geometry_is_their_union(t: Territory) -> None:
    preview = basin_preview(source_kind=COMMUNES, source_codes=["52121", "52001"])

    geom = shape(preview.geometry)
    assert geom.geom_type == "Polygon"  # adjacent squares merge into one rectangle
    assert geom.bounds == pytest.approx((2.0, 48.0, 2.2, 48.1))
    assert geom.area == pytest.approx(0.02)
    assert preview.geometry_note == "Union des contours de 2 communes."


def test_basin_preview_zone_without_polygon_falls_back_to_communes(t: Territory) -> None:
    ZoneEmploi.objects.filter(code="4404").update(geometry=None)

    preview = basin_preview(source_kind=BasinSource.ZONE_EMPLOI, source_codes=["4404"])

    assert shape(preview.geometry).area == pytest.approx(0.04)
    assert preview.geometry_note.startswith("Zone d'emploi sans polygone publié")


# --- Eligibility ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("population", "expected"),
    [(29_999, False), (30_000, True), (100_000, True), (100_001, False)],
)
def test_basin_preview_population_eligibility_at_bounds(population: int, expected: bool) -> None:
    region = make_region("11", "Île-de-France")
    # Main town of 20,000 (a medium town) plus the rest of the population elsewhere.
    make_commune("77001", population=20_000, region=region)
    make_commune("77002", population=population - 20_000, region=region, col=1)

    preview = basin_preview(source_kind=COMMUNES, source_codes=["77001", "77002"])

    assert preview.population == population
    assert preview.eligibility.population_ok is expected
    assert preview.eligibility.population_min == 30_000
    assert preview.eligibility.population_max == 100_000


@pytest.mark.parametrize(
    ("population", "expected"),
    [(9_999, False), (10_000, True), (100_000, True), (100_001, False)],
)
def test_basin_preview_main_town_eligibility_at_bounds(population: int, expected: bool) -> None:
    region = make_region("11", "Île-de-France")
    make_commune("77001", population=population, region=region)

    preview = basin_preview(source_kind=COMMUNES, source_codes=["77001"])

    assert preview.eligibility.main_town_ok is expected


def test_basin_preview_eligibility_follows_programme_settings(t: Territory) -> None:
    programme_settings(basin_population_min=25_000)

    preview = basin_preview(source_kind=COMMUNES, source_codes=["52121", "52001", "52002"])

    assert preview.eligibility.population_ok is True  # 29,999 ≥ 25,000
    assert preview.eligibility.eligible is True


def test_basin_preview_unknown_populations_make_a_short_basin_undecidable(t: Territory) -> None:
    # 20,000 known + one commune without population: could still reach 30,000.
    preview = basin_preview(source_kind=COMMUNES, source_codes=["52121", "52003"])

    assert preview.eligibility.population_ok is None
    assert preview.eligibility.eligible is None


def test_basin_preview_nearest_site_distance_by_hand(t: Territory) -> None:
    # Chaumont's centre is (48.05 N, 2.05 E). A site 1° of latitude north on the same meridian
    # is 2·π·6371.0088/360 = 111.195 km away; another, 2° north, is farther.
    CnamSiteFactory.create(name="Cnam Nord", latitude=49.05, longitude=2.05)
    CnamSiteFactory.create(name="Cnam Loin", latitude=50.05, longitude=2.05)
    CnamSiteFactory.create(name="Cnam fermé", latitude=48.06, longitude=2.05, active=False)

    preview = basin_preview(source_kind=COMMUNES, source_codes=["52121"])

    assert preview.eligibility.nearest_site_name == "Cnam Nord"
    assert preview.eligibility.nearest_site_km == pytest.approx(
        2 * math.pi * 6371.0088 / 360, abs=1e-6
    )
    assert preview.eligibility.nearest_site_km == pytest.approx(111.195, abs=0.001)


def test_basin_preview_no_site_distance_unknown(t: Territory) -> None:
    preview = basin_preview(source_kind=COMMUNES, source_codes=["52121"])

    assert preview.eligibility.nearest_site_km is None
    assert preview.eligibility.as_dict()["nearest_site_km"] is None


def test_basin_preview_writes_nothing(t: Territory) -> None:
    basin_preview(source_kind=BasinSource.ZONE_EMPLOI, source_codes=["4404"])

    assert _rows_written() == (0, 0, 0, 0)


# --- Refresh --------------------------------------------------------------------------------
def test_basin_create_enqueues_refresh_after_commit(
    t: Territory, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        basin = basin_create(
            name="Bassin de Chaumont",
            source_kind=BasinSource.ZONE_EMPLOI,
            source_codes=["4404"],
        )
        # Before the commit, the geometry is still to compute.
        assert Basin.objects.get(pk=basin.pk).geometry_status == GeometryStatus.PENDING

    assert len(callbacks) == 1
    stored = Basin.objects.get(pk=basin.pk)
    assert stored.geometry_status == GeometryStatus.READY
    assert shape(stored.geometry).equals(shape(Territory.ZE_TRIANGLE))
    assert stored.bbox == pytest.approx((2.0, 48.0, 2.2, 48.2))
    assert stored.population == 29_999
    assert stored.communes_count == 4
    assert stored.communes_without_population == 1
    assert stored.refreshed_at is not None


def test_basin_refresh_task_eager_recomputes(t: Territory) -> None:
    from diagnostics.tasks import basin_refresh as basin_refresh_task

    basin = BasinFactory.create(region=t.grand_est, communes=[t.chaumont, t.brottes])
    Basin.objects.filter(pk=basin.pk).update(population=1, geometry=None)
    CnamSiteFactory.create(name="Cnam Nord", latitude=49.05, longitude=2.05)

    basin_refresh_task.delay(basin.pk)

    stored = Basin.objects.get(pk=basin.pk)
    assert stored.population == 25_000
    assert shape(stored.geometry).area == pytest.approx(0.02)
    assert stored.nearest_site_km == pytest.approx(111.195, abs=0.001)
    assert stored.eligible_population is False  # 25,000 < 30,000
    assert stored.eligible_main_town is True  # Chaumont, 20,000


def test_basin_refresh_task_quiet_when_basin_gone() -> None:
    from diagnostics.tasks import basin_refresh as basin_refresh_task

    result = basin_refresh_task.apply(args=(987654,))

    assert result.successful()
    assert result.result is None


def test_basin_refresh_task_retries_only_transient_errors() -> None:
    from diagnostics.tasks import basin_refresh as basin_refresh_task

    assert OperationalError in basin_refresh_task.autoretry_for
    assert ApplicationError not in basin_refresh_task.autoretry_for
    assert basin_refresh_task.max_retries == 5
    assert basin_refresh_task.retry_jitter is True
    assert basin_refresh_task.retry_backoff


def test_basin_refresh_is_idempotent(t: Territory) -> None:
    basin = BasinFactory.create(region=t.grand_est, communes=[t.chaumont, t.brottes])

    first = basin_refresh(basin_id=basin.pk)
    second = basin_refresh(basin_id=basin.pk)

    assert (first.population, first.geometry) == (second.population, second.geometry)
    assert Basin.objects.count() == 1


def test_basins_refresh_all_applies_new_settings(t: Territory) -> None:
    basin = BasinFactory.create(region=t.grand_est, communes=[t.chaumont, t.brottes])
    basin_refresh(basin_id=basin.pk)
    assert Basin.objects.get(pk=basin.pk).eligible_population is False

    programme_settings(basin_population_min=20_000)
    done = basins_refresh_all(geometry=False)

    assert done == 1
    assert Basin.objects.get(pk=basin.pk).eligible_population is True


# --- Sharing and deletion -------------------------------------------------------------------
def test_basin_share_by_username_or_email(t: Territory) -> None:
    basin = BasinFactory.create(region=t.grand_est, communes=[t.chaumont])
    mayor = make_user(username="mairie-chaumont", role=Role.MAYOR_VIEWER)
    mayor.email = "Accueil@Chaumont.fr"
    mayor.save()

    share = basin_share(basin=basin, identifier="accueil@chaumont.fr")
    again = basin_share(basin=basin, identifier="MAIRIE-CHAUMONT")

    assert share.pk == again.pk
    assert list(basin.shared_with.all()) == [mayor]
    assert basin_unshare(basin=basin, user_id=mayor.pk) == 1
    assert BasinShare.objects.count() == 0


def test_basin_share_refuses_unknown_and_non_mayor_users(t: Territory) -> None:
    basin = BasinFactory.create(region=t.grand_est, communes=[t.chaumont])
    make_user(username="delegue", role=Role.REGIONAL_DELEGATE)

    with pytest.raises(ApplicationError) as unknown:
        basin_share(basin=basin, identifier="personne")
    with pytest.raises(ApplicationError) as delegate:
        basin_share(basin=basin, identifier="delegue")

    # Neutral (security review, finding 3): an unknown name and a delegate's name get the same
    # answer, so the form tells neither whether an account exists nor its role.
    assert unknown.value.code == delegate.value.code == "share_user_unknown"
    assert unknown.value.message == "Aucun compte de mairie ne correspond à « personne »."
    assert delegate.value.message == "Aucun compte de mairie ne correspond à « delegue »."
    assert BasinShare.objects.count() == 0


def test_basin_share_by_email_of_a_non_mayor_account_is_neutral(t: Territory) -> None:
    basin = BasinFactory.create(region=t.grand_est, communes=[t.chaumont])
    admin = make_user(username="admin-national", role=Role.NATIONAL_ADMIN)
    admin.email = "direction@cnam.fr"
    admin.save(update_fields=["email"])

    with pytest.raises(ApplicationError) as refused:
        basin_share(basin=basin, identifier="DIRECTION@cnam.fr")

    assert refused.value.code == "share_user_unknown"
    assert refused.value.message == "Aucun compte de mairie ne correspond à « DIRECTION@cnam.fr »."
    assert "admin-national" not in refused.value.message
    assert BasinShare.objects.count() == 0


def test_basin_share_by_delegate_of_another_region_refused(t: Territory) -> None:
    basin = BasinFactory.create(region=t.grand_est, communes=[t.chaumont])
    make_user(username="mairie", role=Role.MAYOR_VIEWER)
    other = make_user(role=Role.REGIONAL_DELEGATE, regions=[t.bourgogne])

    with pytest.raises(ApplicationError):
        basin_share(basin=basin, identifier="mairie", shared_by=other)

    assert BasinShare.objects.count() == 0


def test_basin_delete_removes_basin_and_shares(t: Territory) -> None:
    basin = BasinFactory.create(region=t.grand_est, communes=[t.chaumont])
    mayor = make_user(username="mairie", role=Role.MAYOR_VIEWER)
    basin_share(basin=basin, identifier=mayor.username)

    basin_delete(basin=basin)

    assert Basin.objects.count() == 0
    assert BasinShare.objects.count() == 0
    assert Basin.communes.through.objects.count() == 0
