from django.urls import path

from implantations.api.views import BasinRecommendationApi

urlpatterns = [
    path(
        "basins/<int:pk>/recommendation/",
        BasinRecommendationApi.as_view(),
        name="api-basin-recommendation",
    ),
]
