from django.urls import path

from diagnostics.api.national import AtlasApi, BatchCreateApi, BatchDetailApi
from diagnostics.api.views import BasinIndicatorsApi

urlpatterns = [
    path("batches/", BatchCreateApi.as_view(), name="api-batches"),
    path("batches/<int:pk>/", BatchDetailApi.as_view(), name="api-batch-detail"),
    path("atlas/", AtlasApi.as_view(), name="api-atlas"),
    path(
        "basins/<int:pk>/indicators/",
        BasinIndicatorsApi.as_view(),
        name="api-basin-indicators",
    ),
]
