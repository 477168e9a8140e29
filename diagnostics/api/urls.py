from django.urls import path
from rest_framework.routers import SimpleRouter

from diagnostics.api import (
    basins,
    imports,
    partners,
    run_series,
    run_tables,
    runs,
    sharing,
    territories,
)
from diagnostics.api.national import AtlasApi, BatchCreateApi, BatchDetailApi
from diagnostics.api.views import BasinIndicatorsApi

router = SimpleRouter()
router.register("territories/regions", territories.RegionViewSet, basename="api-region")
router.register(
    "territories/departements", territories.DepartementViewSet, basename="api-departement"
)
router.register("territories/communes", territories.CommuneViewSet, basename="api-commune")
router.register("territories/epci", territories.EpciViewSet, basename="api-epci")
router.register(
    "territories/zones-emploi", territories.ZoneEmploiViewSet, basename="api-zone-emploi"
)
router.register("territories/bassins-bmo", territories.BassinBmoViewSet, basename="api-bassin-bmo")

urlpatterns = [
    path("batches/", BatchCreateApi.as_view(), name="api-batches"),
    path("batches/<int:pk>/", BatchDetailApi.as_view(), name="api-batch-detail"),
    path("atlas/", AtlasApi.as_view(), name="api-atlas"),
    path("basins/", basins.BasinListApi.as_view(), name="api-basin-list"),
    path("basins/<int:pk>/", basins.BasinDetailApi.as_view(), name="api-basin-detail"),
    path(
        "basins/<int:pk>/indicators/",
        BasinIndicatorsApi.as_view(),
        name="api-basin-indicators",
    ),
    path("basins/<int:pk>/runs/", runs.BasinRunsApi.as_view(), name="api-basin-runs"),
    path("runs/<int:pk>/", runs.RunDetailApi.as_view(), name="api-run-detail"),
    path("runs/<int:pk>/series/", run_series.RunSeriesApi.as_view(), name="api-run-series"),
    path("runs/<int:pk>/tables/", run_tables.RunTablesApi.as_view(), name="api-run-tables"),
    path(
        "runs/<int:pk>/tables/<str:name>/", run_tables.RunTableApi.as_view(), name="api-run-table"
    ),
    path("imports/", imports.ImportListApi.as_view(), name="api-import-list"),
    path("imports/<int:pk>/", imports.ImportDetailApi.as_view(), name="api-import-detail"),
    path("imports/<int:pk>/report/", imports.ImportReportApi.as_view(), name="api-import-report"),
    *router.urls,
    # Typed partners (issue 18)
    path("partners/", partners.PartnerListApi.as_view(), name="api-partner-list"),
    path("partners/<int:pk>/", partners.PartnerDetailApi.as_view(), name="api-partner-detail"),
    # The shared diagnostic (issue 13)
    path("shares/", sharing.ShareListApi.as_view(), name="api-share-list"),
    path("shares/<int:pk>/", sharing.ShareDetailApi.as_view(), name="api-share-detail"),
    path("shares/<int:pk>/revoke/", sharing.ShareRevokeApi.as_view(), name="api-share-revoke"),
    path(
        "shares/<int:pk>/comments/", sharing.ShareCommentsApi.as_view(), name="api-share-comments"
    ),
]
