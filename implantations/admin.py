"""Admin of the programme's reference settings: existing Cnam sites and the programme bounds.

National admins and catalogue admins maintain them (role-based, see `diagnostics.admin`).
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from diagnostics.admin.roles import ReadOnlyAdminMixin, RoleAdminMixin
from diagnostics.models import CnamSite, ProgrammeSettings, Role
from implantations.analytics import criteria, profile
from implantations.models import (
    BasinPartnership,
    BusinessScenario,
    Contribution,
    EmployerLetter,
    HostStructure,
    ProgrammeTarget,
    ProgrammeTargetChange,
    Recommendation,
    ScoringProfile,
)
from implantations.services.recommendation import programme_reference_changed

SETTINGS_ROLES = (Role.NATIONAL_ADMIN, Role.CATALOGUE_ADMIN)


class RefreshBasinsOnChangeMixin:
    """Eligibility of every basin depends on these rows: refresh the basins after a change."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        programme_reference_changed()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)  # type: ignore[misc]
        programme_reference_changed()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)  # type: ignore[misc]
        programme_reference_changed()


@admin.register(CnamSite)
class CnamSiteAdmin(RefreshBasinsOnChangeMixin, RoleAdminMixin, admin.ModelAdmin):
    admin_roles = SETTINGS_ROLES
    list_display = ("name", "kind", "commune", "latitude", "longitude", "active")
    list_filter = ("kind", "active")
    list_select_related = ("commune",)
    search_fields = ("name", "commune__name", "=commune__code")
    autocomplete_fields = ("commune",)


@admin.register(ProgrammeSettings)
class ProgrammeSettingsAdmin(RefreshBasinsOnChangeMixin, RoleAdminMixin, admin.ModelAdmin):
    """A single row: no second one, no deletion; the list goes straight to the form."""

    admin_roles = SETTINGS_ROLES
    list_display = (
        "__str__",
        "basin_population_min",
        "basin_population_max",
        "main_town_population_min",
        "main_town_population_max",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request) and not ProgrammeSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        current = ProgrammeSettings.current()
        return HttpResponseRedirect(
            reverse("admin:diagnostics_programmesettings_change", args=[current.pk])
        )


# --- Scoring profiles, recommendations, basin assets ------------------------------------------


def weight_field_name(criterion: str, concept: str) -> str:
    return f"w__{criterion}__{concept}"


class ScoringProfileForm(forms.ModelForm):
    """The weights as one number field per criterion and concept; the rest of the parameters
    (normalisations, imported indicator codes, sensitivity) as JSON. Validated as a whole by
    `profile.profile_errors`."""

    parameters = forms.JSONField(
        label="Autres paramètres (normalisations, indicateurs, sensibilité)",
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "style": "font-family: monospace"}),
        help_text="Les poids saisis ci-dessus remplacent ceux de ce JSON. Voir docs/adr/"
        "0008-recommendation-scoring.md.",
    )

    class Meta:
        model = ScoringProfile
        fields = ["name", "change_note", "parameters"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        params = (
            self.instance.parameters
            if self.instance and self.instance.pk and self.instance.parameters
            else profile.DEFAULT_PROFILE
        )
        if not self.instance.pk:
            self.initial.setdefault("parameters", params)
        for criterion in criteria.CRITERION_CODES:
            weights = ((params.get("criteria") or {}).get(criterion) or {}).get("weights") or {}
            for concept in criteria.CONCEPTS:
                self.fields[weight_field_name(criterion, concept)].initial = weights.get(concept)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        params = data.get("parameters")
        if not isinstance(params, dict):
            return data
        params = profile.profile_with_weights(params, {}) if params.get("criteria") else params
        stored = params.setdefault("criteria", {})
        for criterion in criteria.CRITERION_CODES:
            entry = stored.setdefault(criterion, {})
            weights = entry.setdefault("weights", {})
            for concept in criteria.CONCEPTS:
                value = data.get(weight_field_name(criterion, concept))
                if value is not None:
                    weights[concept] = float(value)
        problems = profile.profile_errors(params)
        if problems:
            raise forms.ValidationError([forms.ValidationError(p) for p in problems])
        data["parameters"] = params
        self.instance.parameters = params
        if self.instance.pk and not (data.get("change_note") or "").strip():
            self.add_error(
                "change_note", "Dites ce qui change et pourquoi : la modification crée une version."
            )
        return data


# One declared field per weight (declared, so that the admin's generated form keeps them); the
# first of each row carries the criterion's name.
for _criterion in criteria.CRITERIA:
    for _i, _concept in enumerate(criteria.CONCEPTS):
        _field = forms.FloatField(
            label=(
                f"{_criterion.short_label} — {criteria.CONCEPT_LABELS[_concept]}"
                if _i == 0
                else criteria.CONCEPT_LABELS[_concept]
            ),
            min_value=0,
            required=True,
            widget=forms.NumberInput(attrs={"step": "any", "style": "width: 6em"}),
        )
        ScoringProfileForm.declared_fields[weight_field_name(_criterion.code, _concept)] = _field
        ScoringProfileForm.base_fields[weight_field_name(_criterion.code, _concept)] = _field


@admin.register(ScoringProfile)
class ScoringProfileAdmin(RoleAdminMixin, admin.ModelAdmin):
    """A change is saved as a new version (the versions in use never change); the profile in
    force is the latest version."""

    admin_roles = SETTINGS_ROLES
    form = ScoringProfileForm
    list_display = (
        "version",
        "name",
        "in_force",
        "recommendations_count",
        "created_at",
        "created_by",
    )
    readonly_fields = ("version", "created_by", "created_at", "weights_table")
    ordering = ("-version",)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets: list[Any] = [
            (None, {"fields": ("version", "name", "change_note", "created_by", "created_at")}),
            ("Poids en vigueur (points par concept)", {"fields": ("weights_table",)}),
        ]
        for pillar, label in criteria.PILLARS.items():
            rows = [
                tuple(weight_field_name(c.code, k) for k in criteria.CONCEPTS)
                for c in criteria.CRITERIA
                if c.pillar == pillar
            ]
            fieldsets.append((f"Poids — {label}", {"fields": rows}))
        fieldsets.append(("Autres paramètres", {"fields": ("parameters",)}))
        return fieldsets

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        # The weight fields are not model fields: build the form from Meta.fields.
        kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description="en vigueur", boolean=True)
    def in_force(self, obj: ScoringProfile) -> bool:
        current = ScoringProfile.current()
        return current is not None and current.pk == obj.pk

    @admin.display(description="recommandations")
    def recommendations_count(self, obj: ScoringProfile) -> int:
        return obj.recommendations.count()

    @admin.display(description="poids")
    def weights_table(self, obj: ScoringProfile) -> str:
        if not obj or not obj.parameters:
            return "—"
        weights = profile.profile_weights(obj.parameters)
        head = "".join(f"<th>{criteria.CONCEPT_LABELS[k]}</th>" for k in criteria.CONCEPTS)
        rows = []
        for c in criteria.CRITERIA:
            values = weights.loc[c.code, list(criteria.CONCEPTS)].to_numpy(dtype=float)
            cells = "".join(f"<td style='text-align:right'>{v:g}</td>" for v in values)
            rows.append(f"<tr><td>{c.label}</td>{cells}</tr>")
        totals = "".join(
            f"<th style='text-align:right'>{weights[k].sum():g}</th>" for k in criteria.CONCEPTS
        )
        return format_html(
            "<table><thead><tr><th>Critère</th>{}</tr></thead><tbody>{}</tbody>"
            "<tfoot><tr><th>Total</th>{}</tr></tfoot></table>",
            mark_safe(head),  # noqa: S308 — labels are constants of the code
            mark_safe("".join(rows)),  # noqa: S308
            mark_safe(totals),  # noqa: S308
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Never edit a version in place: a change becomes the next version.
        latest = ScoringProfile.objects.order_by("-version").values_list("version", flat=True)
        if change:
            obj.pk = None
            obj.id = None
            obj._state.adding = True
        obj.version = (latest.first() or 0) + 1
        obj.created_by = request.user
        obj.save()
        if change:
            messages.info(
                request,
                f"La modification est enregistrée comme version {obj.version} ; les versions "
                "précédentes restent inchangées.",
            )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.recommendations.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Recommendation)
class RecommendationAdmin(RoleAdminMixin, admin.ModelAdmin):
    admin_roles = (Role.NATIONAL_ADMIN,)
    view_roles = (Role.CATALOGUE_ADMIN,)
    list_display = ("id", "basin", "concept", "label", "robustness", "profile", "created_at")
    list_filter = ("concept", "label", "profile")
    search_fields = ("basin__name",)
    list_select_related = ("basin", "profile")
    readonly_fields = [f.name for f in Recommendation._meta.fields] + ["batches"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HostStructure)
class HostStructureAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "basin", "commune", "distance_km", "confirmed", "origin")
    list_filter = ("kind", "confirmed", "origin")
    search_fields = ("name", "basin__name", "=uai")
    list_select_related = ("basin", "commune")
    autocomplete_fields = ("commune",)
    raw_id_fields = ("basin",)


@admin.register(BasinPartnership)
class BasinPartnershipAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("basin", "epci_commitment", "town_lends_premises", "inventory_done")
    list_select_related = ("basin",)
    raw_id_fields = ("basin",)


@admin.register(EmployerLetter)
class EmployerLetterAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("employer", "sector", "learners", "basin", "received_on")
    search_fields = ("employer", "basin__name")
    list_select_related = ("basin",)
    raw_id_fields = ("basin",)


@admin.register(BusinessScenario)
class BusinessScenarioAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("name", "concept", "basin", "created_at", "created_by")
    list_filter = ("concept",)
    list_select_related = ("basin", "created_by")
    raw_id_fields = ("basin", "recommendation")


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Contributions from the territory, read-only: the delegates decide on the basin's
    contributions page (version check, recommendation before / after); the history shows who
    changed what and when."""

    list_display = ("title", "kind", "basin", "status", "proposed_by", "proposed_at")
    list_filter = ("kind", "status")
    search_fields = ("title", "basin__name")
    list_select_related = ("basin", "proposed_by")


@admin.register(ProgrammeTarget)
class ProgrammeTargetAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: targets change on the « Objectifs du programme » page, which keeps the history."""

    list_display = ("year", "region", "concept", "sites_planned", "sites_open", "updated_at")
    list_filter = ("year", "concept")


@admin.register(ProgrammeTargetChange)
class ProgrammeTargetChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("changed_at", "changed_by", "action", "year", "region", "concept", "field",
                    "old_value", "new_value")  # fmt: skip
    list_filter = ("action", "year")
