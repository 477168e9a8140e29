from django.urls import path

from implantations import views, views_planning, views_projects

urlpatterns: list = [
    path("", views.implantation_home, name="implantation-home"),
    # Regional planning and implantation projects (views_planning, views_projects)
    path("planification/", views_planning.planning_page, name="planning"),
    path("planification/export.csv", views_planning.planning_export, name="planning-export"),
    path("projets/", views_projects.project_list, name="project-list"),
    path("projets/nouveau/", views_projects.project_create, name="project-create"),
    path("projets/<int:pk>/", views_projects.project_detail, name="project-detail"),
    path("projets/<int:pk>/modifier/", views_projects.project_edit, name="project-edit"),
    path("projets/<int:pk>/statut/", views_projects.project_status, name="project-status"),
    path("projets/<int:pk>/effectifs/", views_projects.project_learners, name="project-learners"),
]

# Recommendation pages of a basin, mounted at the site root (cnam_territoires/urls.py): they sit
# under the basin's URL like its other pages.
basin_urlpatterns: list = [
    path(
        "bassins/<int:pk>/recommandation/",
        views.recommendation_detail,
        name="recommendation-detail",
    ),
    path("bassins/<int:pk>/atouts/", views.basin_assets, name="basin-assets"),
    path(
        "bassins/<int:pk>/modele-economique/",
        views.business_model_page,
        name="business-model",
    ),
]
