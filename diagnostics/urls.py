from django.urls import path

from diagnostics.views import audit as audit_views
from diagnostics.views import basins as basin_views
from diagnostics.views import compare as compare_views
from diagnostics.views import data as data_views
from diagnostics.views import diagnostic_tables as diagnostic_table_views
from diagnostics.views import diagnostics as diagnostic_views
from diagnostics.views import imports as import_views
from diagnostics.views import national as national_views
from diagnostics.views import notifications as notification_views
from diagnostics.views import partners as partner_views
from diagnostics.views import pdf_jobs as pdf_job_views
from diagnostics.views import tokens as token_views

urlpatterns: list = [
    path("national/lots/", national_views.batch_list, name="national-batches"),
    path("national/lots/<int:pk>/", national_views.batch_detail, name="national-batch-detail"),
    path("national/atlas/", national_views.atlas, name="national-atlas"),
    path("national/atlas/comparer/", national_views.atlas_compare, name="national-atlas-compare"),
    path("bassins/", basin_views.basin_list, name="basin-list"),
    path("bassins/nouveau/", basin_views.basin_create, name="basin-create"),
    path("bassins/<int:pk>/", basin_views.basin_detail, name="basin-detail"),
    path("bassins/<int:pk>/partage/", basin_views.basin_share, name="basin-share"),
    path("bassins/<int:pk>/suppression/", basin_views.basin_delete, name="basin-delete"),
    path("territoires/recherche/", basin_views.territory_search, name="territory-search"),
    path("partenaires/", partner_views.partner_list, name="partner-list"),
    path("partenaires/export.csv", partner_views.partner_export, name="partner-export"),
    path("partenaires/nouveau/", partner_views.partner_create, name="partner-create"),
    path("partenaires/<int:pk>/", partner_views.partner_edit, name="partner-edit"),
    path("compte/jetons/", token_views.token_list, name="token-list"),
    path("compte/jetons/<int:pk>/revocation/", token_views.token_revoke, name="token-revoke"),
    path("donnees/", data_views.data_home, name="data-home"),
    path("notifications/", notification_views.notification_list, name="notification-list"),
    path("journal-securite/", audit_views.audit_log, name="audit-log"),
    path("donnees/imports/", import_views.import_list, name="import-list"),
    path("donnees/imports/nouveau/", import_views.import_create, name="import-create"),
    path(
        "donnees/imports/modele-indicateur.csv",
        import_views.import_template,
        name="import-template",
    ),
    path("donnees/imports/<int:pk>/", import_views.import_detail, name="import-detail"),
    path(
        "donnees/imports/<int:pk>/progression/",
        import_views.import_progress,
        name="import-progress",
    ),
    path("donnees/imports/<int:pk>/rapport.csv", import_views.import_report, name="import-report"),
    path("donnees/imports/<int:pk>/relancer/", import_views.import_retry, name="import-retry"),
    path("diagnostics/", diagnostic_views.diagnostic_list, name="diagnostic-list"),
    path("bassins/<int:pk>/diagnostic/", diagnostic_views.diagnostic_run, name="diagnostic-run"),
    path("diagnostics/compare/", compare_views.diagnostic_compare, name="diagnostic-compare"),
    path("diagnostics/<int:pk>/", diagnostic_views.diagnostic_detail, name="diagnostic-detail"),
    path(
        "diagnostics/<int:pk>/progression/",
        diagnostic_views.diagnostic_progress,
        name="diagnostic-progress",
    ),
    path(
        "diagnostics/<int:pk>/export/<slug:table>.<str:fmt>",
        diagnostic_views.diagnostic_export,
        name="diagnostic-export",
    ),
    # A long table of the report, fetched when the reader opens it (issue 15: lighter report).
    path(
        "diagnostics/<int:pk>/tableaux/<slug:table>/",
        diagnostic_table_views.diagnostic_table,
        name="diagnostic-table",
    ),
    path(
        "diagnostics/<int:pk>/rapport.pdf", diagnostic_views.diagnostic_pdf, name="diagnostic-pdf"
    ),
    # PDF reports as jobs with progress (issue 15): the « PDF » links above create them.
    path("rapports-pdf/<int:pk>/", pdf_job_views.pdf_job_detail, name="pdf-job-detail"),
    path("rapports-pdf/<int:pk>/statut/", pdf_job_views.pdf_job_status, name="pdf-job-status"),
    path("rapports-pdf/<int:pk>/rapport.pdf", pdf_job_views.pdf_job_file, name="pdf-job-file"),
    path("rapports-pdf/<int:pk>/relancer/", pdf_job_views.pdf_job_retry, name="pdf-job-retry"),
]
