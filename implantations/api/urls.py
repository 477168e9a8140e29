from django.urls import path

from implantations.api import projects
from implantations.api.views import BasinRecommendationApi

urlpatterns = [
    path(
        "basins/<int:pk>/recommendation/",
        BasinRecommendationApi.as_view(),
        name="api-basin-recommendation",
    ),
    path("projects/", projects.ProjectListApi.as_view(), name="api-project-list"),
    path("projects/<int:pk>/", projects.ProjectDetailApi.as_view(), name="api-project-detail"),
]
