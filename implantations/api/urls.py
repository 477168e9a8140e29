from django.urls import path

from implantations.api import sharing
from implantations.api.views import BasinRecommendationApi

urlpatterns = [
    path(
        "basins/<int:pk>/recommendation/",
        BasinRecommendationApi.as_view(),
        name="api-basin-recommendation",
    ),
    # The shared diagnostic (issue 13)
    path("basins/<int:pk>/shares/", sharing.BasinShareCreateApi.as_view(), name="api-share-create"),
    path(
        "basins/<int:pk>/contributions/",
        sharing.BasinContributionsApi.as_view(),
        name="api-contribution-list",
    ),
    path(
        "contributions/<int:pk>/decision/",
        sharing.ContributionDecisionApi.as_view(),
        name="api-contribution-decision",
    ),
]
