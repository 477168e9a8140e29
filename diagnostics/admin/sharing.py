"""Admin of the shared diagnostic (issue 13): partner organisations (mairie, EPCI, Mission
locale, France Travail agency, Région, lycée, consular chamber), which partner accounts belong
to; shared versions read-only (they are written by the delegates' pages and never edited)."""

from django.contrib import admin

from diagnostics.admin.roles import ReadOnlyAdminMixin, RoleAdminMixin
from diagnostics.models import Organisation, OrganisationContact, SharedVersion, ShareRecipient


class OrganisationContactInline(admin.TabularInline):
    model = OrganisationContact
    fields = ("name", "role", "email", "phone")
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "region", "commune")
    list_filter = ("kind", "region")
    list_select_related = ("region", "commune")
    search_fields = ("name", "contacts__name")
    raw_id_fields = ("commune",)
    inlines = (OrganisationContactInline,)


class ShareRecipientInline(admin.TabularInline):
    model = ShareRecipient
    fields = ("user", "created_at", "read_at", "revoked_at", "revoked_by")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(SharedVersion)
class SharedVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "basin", "run", "shared_by", "created_at")
    list_select_related = ("basin", "run", "shared_by")
    search_fields = ("basin__name",)
    exclude = ("key_figures", "gap", "recommendation")
    inlines = (ShareRecipientInline,)
