"""Admin of the dataset imports (`diagnostics.services.imports`): batches, imported reference
nomenclatures and lycées, fact tables; all read-only."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from diagnostics.admin.roles import REFERENCE_VIEW_ROLES, ReadOnlyAdminMixin
from diagnostics.models import (
    BmoFact,
    ChomageZeFact,
    DefmFact,
    DefmSecteurFact,
    FapCode,
    ImportBatch,
    IndicatorFact,
    Lycee,
    RomeAppellation,
    RomeCode,
    RomeDomain,
    TensionFact,
)
from diagnostics.selectors.imports import import_batch_list

# --- Dataset imports (diagnostics.services.imports) ------------------------------------------
# Everything here is written by an import batch, which is immutable once done: the admin only
# looks. Batches are scoped as on the import pages (catalogue admins: ROME and FAP only).


def _batch_link(obj: Any) -> str:
    return format_html(
        '<a href="{}">n° {}</a>',
        reverse("admin:diagnostics_importbatch_change", args=[obj.batch_id]),
        obj.batch_id,
    )


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    view_roles = REFERENCE_VIEW_ROLES
    list_display = (
        "id",
        "kind",
        "file_name",
        "status",
        "vintage",
        "rows_read",
        "rows_written",
        "rows_rejected",
        "uploaded_by",
        "created_at",
        "page_link",
    )
    list_display_links = ("id", "file_name")
    list_filter = ("kind", "status")
    list_select_related = ("uploaded_by",)
    search_fields = ("file_name",)
    date_hierarchy = "created_at"
    # The row report can hold 20,000 errors: the import page pages it and offers the CSV.
    exclude = ("error_report",)
    readonly_fields = ("page_link",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportBatch]:
        return import_batch_list(user=request.user).defer("error_report")

    @admin.display(description="page de l'import")
    def page_link(self, obj: ImportBatch) -> str:
        return format_html(
            '<a href="{}">voir la page de l\'import</a>', reverse("import-detail", args=[obj.pk])
        )


class ImportedRowsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rows written by an import: read-only, 100 a page without a full count, each linking to
    its import."""

    show_full_result_count = False
    list_per_page = 100

    @admin.display(description="import", ordering="batch_id")
    def batch_link(self, obj: Any) -> str:
        return _batch_link(obj)


class ImportedReferenceAdmin(ImportedRowsAdmin):
    """A nomenclature or directory loaded by an import: looked up by catalogue admins too; the
    rows of every batch are listed (filter on the batch status for the ones in force)."""

    view_roles = REFERENCE_VIEW_ROLES


@admin.register(RomeCode)
class RomeCodeAdmin(ImportedReferenceAdmin):
    list_display = (
        "code",
        "label",
        "parent_code",
        "is_main_fiche",
        "domaine_code",
        "emploi_reglemente",
        "batch_link",
    )
    list_filter = ("batch__status", "is_main_fiche", "grand_domaine_code")
    search_fields = ("^code", "label")


@admin.register(RomeAppellation)
class RomeAppellationAdmin(ImportedReferenceAdmin):
    list_display = ("code_ogr", "label", "rome_code", "is_main", "batch_link")
    list_filter = ("batch__status", "is_main")
    search_fields = ("=code_ogr", "^rome_code", "label")


@admin.register(RomeDomain)
class RomeDomainAdmin(ImportedReferenceAdmin):
    list_display = ("level", "code", "label", "batch_link")
    list_filter = ("batch__status", "level")
    search_fields = ("^code", "label")


@admin.register(FapCode)
class FapCodeAdmin(ImportedReferenceAdmin):
    list_display = ("code", "label", "level", "parent_code", "batch_link")
    list_filter = ("batch__status", "level")
    search_fields = ("^code", "label")


@admin.register(Lycee)
class LyceeAdmin(ImportedReferenceAdmin):
    list_display = (
        "uai",
        "name",
        "commune_code",
        "sector",
        "layout",
        "voie_professionnelle",
        "voie_technologique",
        "vocational_guess_from_name",
        "batch_link",
    )
    list_filter = (
        "batch__status",
        "layout",
        "sector",
        "voie_professionnelle",
        "voie_technologique",
        "vocational_guess_from_name",
    )
    search_fields = ("=uai", "=commune_code", "name")


class FactAdmin(ImportedRowsAdmin):
    """Fact tables (up to hundreds of thousands of rows): national admins only, read-only, a
    list without detail pages, exact-code searches on indexed columns, no full count."""

    list_display_links = None


@admin.register(BmoFact)
class BmoFactAdmin(FactAdmin):
    list_display = (
        "batch_link",
        "year",
        "bassin_code",
        "bassin_name",
        "departement_code",
        "metier_code",
        "metier_label",
        "met",
        "xmet",
        "smet",
        "met_masked",
    )
    list_filter = ("batch__status", "year", "met_masked")
    search_fields = ("=bassin_code", "=metier_code")


@admin.register(ChomageZeFact)
class ChomageZeFactAdmin(FactAdmin):
    list_display = ("batch_link", "zone_emploi_code", "period", "rate")
    list_filter = ("batch__status", "year", "quarter")
    search_fields = ("=zone_emploi_code", "=period")


@admin.register(DefmFact)
class DefmFactAdmin(FactAdmin):
    list_display = (
        "batch_link", "level", "code", "month", "category", "job_seekers", "masked", "ambiguous",
    )  # fmt: skip
    list_filter = ("batch__status", "level", "masked", "ambiguous")
    search_fields = ("=code",)


@admin.register(DefmSecteurFact)
class DefmSecteurFactAdmin(FactAdmin):
    list_display = (
        "batch_link", "bassin_code", "bassin_known", "naf_section", "sector_label", "job_seekers",
    )  # fmt: skip
    list_filter = ("batch__status", "bassin_known", "naf_section")
    search_fields = ("=bassin_code",)


@admin.register(TensionFact)
class TensionFactAdmin(FactAdmin):
    list_display = (
        "batch_link",
        "year",
        "rome_code",
        "bassin_code",
        "bassin_known",
        "tension",
        "job_offers",
        "job_seekers_abc",
        "missing_indicators",
    )
    list_filter = ("batch__status", "year", "tension", "bassin_known")
    search_fields = ("=rome_code", "=bassin_code")


@admin.register(IndicatorFact)
class IndicatorFactAdmin(FactAdmin):
    list_display = (
        "batch_link", "level", "code", "period", "indicator", "value", "unit", "masked", "source",
    )  # fmt: skip
    list_filter = ("batch__status", "level", "masked")
    search_fields = ("=code", "=indicator")
