from django.urls import path

from diagnostics.api.views import BasinIndicatorsApi

urlpatterns = [
    path(
        "basins/<int:pk>/indicators/",
        BasinIndicatorsApi.as_view(),
        name="api-basin-indicators",
    ),
]
