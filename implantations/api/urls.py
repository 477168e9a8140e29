from django.urls import path

from implantations.api import (
    business_model,
    followup,
    planning,
    planning_national,
    programme,
    project_funding,
    projects,
    sharing,
)
from implantations.api.views import BasinRecommendationApi

urlpatterns = [
    path(
        "basins/<int:pk>/recommendation/",
        BasinRecommendationApi.as_view(),
        name="api-basin-recommendation",
    ),
    path("programme/", programme.ProgrammeApi.as_view(), name="api-programme"),
    path(
        "basins/<int:pk>/business-model/",
        business_model.BasinBusinessModelApi.as_view(),
        name="api-basin-business-model",
    ),
    path(
        "basins/<int:pk>/business-model/scenarios/",
        business_model.BasinScenariosApi.as_view(),
        name="api-basin-business-scenarios",
    ),
    path(
        "projects/<int:pk>/business-model/",
        business_model.ProjectBusinessModelApi.as_view(),
        name="api-project-business-model",
    ),
    path("planning/", planning.PlanningApi.as_view(), name="api-planning"),
    path("projects/", projects.ProjectListApi.as_view(), name="api-project-list"),
    path("projects/<int:pk>/", projects.ProjectDetailApi.as_view(), name="api-project-detail"),
    # Follow-up and evaluation (issue 18)
    path(
        "projects/<int:pk>/followup/",
        followup.ProjectFollowupApi.as_view(),
        name="api-project-followup",
    ),
    path("evaluation/", followup.EvaluationSummaryApi.as_view(), name="api-evaluation-summary"),
    # National planning (issue 16): national admins only
    path(
        "planning/national/",
        planning_national.NationalPlanningApi.as_view(),
        name="api-national-planning",
    ),
    # A project's business-model inputs (issue 18): funding split, CPF top-ups, services.
    path(
        "projects/<int:pk>/funding/",
        project_funding.ProjectFundingApi.as_view(),
        name="api-project-funding",
    ),
    path(
        "projects/<int:pk>/topups/",
        project_funding.ProjectTopUpsApi.as_view(),
        name="api-project-topups",
    ),
    path(
        "projects/<int:pk>/services/",
        project_funding.ProjectServicesApi.as_view(),
        name="api-project-services",
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
