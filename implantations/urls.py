from django.urls import path

from implantations.views import (
    assets,
    business_model_exports,
    contributions,
    evaluation,
    evaluation_exports,
    followup,
    funding,
    planning,
    planning_national,
    programme,
    project_form,
    projects,
    recommendation,
    share_link,
    sharing,
)

urlpatterns: list = [
    path("", recommendation.implantation_home, name="implantation-home"),
    # Regional planning and implantation projects
    path("planification/", planning.planning_page, name="planning"),
    path("planification/export.csv", planning.planning_export, name="planning-export"),
    # The programme as a whole (issue 18)
    path("programme/", programme.programme_page, name="programme"),
    # One page for every stage (?etape=): the list behind each box of the pipeline.
    path("programme/etapes/", programme.programme_stage, name="programme-stage"),
    path("programme/export.<str:fmt>", programme.programme_export, name="programme-export"),
    path("programme/objectifs/", programme.programme_targets, name="programme-targets"),
    path(
        "programme/objectifs/<int:pk>/suppression/",
        programme.programme_target_delete,
        name="programme-target-delete",
    ),
    # National planning (issue 16): national admins only
    path(
        "planification/nationale/",
        planning_national.national_planning_page,
        name="national-planning",
    ),
    path(
        "planification/nationale/export.csv",
        planning_national.national_planning_export,
        name="national-planning-export",
    ),
    path("projets/", projects.project_list, name="project-list"),
    path("projets/nouveau/", project_form.project_create, name="project-create"),
    path("projets/<int:pk>/", projects.project_detail, name="project-detail"),
    path("projets/<int:pk>/modifier/", project_form.project_edit, name="project-edit"),
    path("projets/<int:pk>/statut/", projects.project_status, name="project-status"),
    path("projets/<int:pk>/effectifs/", projects.project_learners, name="project-learners"),
    # The project's business-model inputs (issue 18): funding split, services, CPF top-up.
    path("projets/<int:pk>/financements/", funding.project_funding, name="project-funding"),
    path("projets/<int:pk>/services/", funding.project_services, name="project-services"),
    path("projets/<int:pk>/abondement/", funding.project_topup, name="project-topup"),
    # Follow-up and evaluation (issue 18)
    path("projets/<int:pk>/suivi/", followup.project_followup, name="project-followup"),
    path(
        "projets/<int:pk>/suivi/import/",
        followup.project_followup_import,
        name="project-followup-import",
    ),
    path(
        "projets/<int:pk>/suivi/modele.csv",
        followup.project_followup_template,
        name="project-followup-template",
    ),
    path(
        "projets/<int:pk>/suivi.csv",
        evaluation_exports.project_followup_export,
        name="project-followup-export",
    ),
    path(
        "projets/<int:pk>/ecarts.csv",
        evaluation_exports.project_variances_export,
        name="project-variances-export",
    ),
    path("projets/<int:pk>/evaluation/", evaluation.project_evaluation, name="project-evaluation"),
    path("evaluation/", evaluation.evaluation_summary, name="evaluation-summary"),
    path(
        "evaluation/export.csv",
        evaluation_exports.evaluation_summary_export,
        name="evaluation-summary-export",
    ),
]

# Recommendation pages of a basin, mounted at the site root (cnam_territoires/urls.py): they sit
# under the basin's URL like its other pages.
basin_urlpatterns: list = [
    path(
        "bassins/<int:pk>/recommandation/",
        recommendation.recommendation_detail,
        name="recommendation-detail",
    ),
    path("bassins/<int:pk>/atouts/", assets.basin_assets, name="basin-assets"),
    path(
        "bassins/<int:pk>/modele-economique/",
        recommendation.business_model_page,
        name="business-model",
    ),
    path(
        "bassins/<int:pk>/modele-economique.csv",
        business_model_exports.business_model_csv,
        name="business-model-csv",
    ),
    path(
        "bassins/<int:pk>/modele-economique.pdf",
        business_model_exports.business_model_pdf,
        name="business-model-pdf",
    ),
    # The shared diagnostic (issue 13): versions, comments, read-only links, contributions.
    path("bassins/<int:pk>/versions-partagees/", sharing.basin_shares, name="basin-shares"),
    path("partages/<int:pk>/", sharing.shared_version_detail, name="shared-version-detail"),
    path(
        "partages/<int:pk>/commentaires/",
        sharing.shared_version_comment,
        name="shared-version-comment",
    ),
    path(
        "partages/<int:pk>/commentaires.csv",
        sharing.shared_version_comments_export,
        name="shared-version-comments-export",
    ),
    path("partages/<int:pk>/rapport.pdf", sharing.shared_version_pdf, name="shared-version-pdf"),
    path("lien/<str:token>/", share_link.share_link_open, name="share-link-open"),
    path(
        "lien/<str:token>/tableaux/<slug:table>/",
        share_link.share_link_table,
        name="share-link-table",
    ),
    path(
        "bassins/<int:pk>/contributions/", contributions.contribution_list, name="contribution-list"
    ),
    path(
        "bassins/<int:pk>/contributions/nouvelle/",
        contributions.contribution_create,
        name="contribution-create",
    ),
    path(
        "bassins/<int:pk>/contributions.csv",
        contributions.contribution_export,
        name="contribution-export",
    ),
    path(
        "contributions/<int:pk>/decision/",
        contributions.contribution_decide,
        name="contribution-decide",
    ),
]
