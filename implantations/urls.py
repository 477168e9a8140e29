from django.urls import path

from implantations.views import planning, projects, recommendation

urlpatterns: list = [
    path("", recommendation.implantation_home, name="implantation-home"),
    # Regional planning and implantation projects
    path("planification/", planning.planning_page, name="planning"),
    path("planification/export.csv", planning.planning_export, name="planning-export"),
    path("projets/", projects.project_list, name="project-list"),
    path("projets/nouveau/", projects.project_create, name="project-create"),
    path("projets/<int:pk>/", projects.project_detail, name="project-detail"),
    path("projets/<int:pk>/modifier/", projects.project_edit, name="project-edit"),
    path("projets/<int:pk>/statut/", projects.project_status, name="project-status"),
    path("projets/<int:pk>/effectifs/", projects.project_learners, name="project-learners"),
]

# Recommendation pages of a basin, mounted at the site root (cnam_territoires/urls.py): they sit
# under the basin's URL like its other pages.
basin_urlpatterns: list = [
    path(
        "bassins/<int:pk>/recommandation/",
        recommendation.recommendation_detail,
        name="recommendation-detail",
    ),
    path("bassins/<int:pk>/atouts/", recommendation.basin_assets, name="basin-assets"),
    path(
        "bassins/<int:pk>/modele-economique/",
        recommendation.business_model_page,
        name="business-model",
    ),
]
