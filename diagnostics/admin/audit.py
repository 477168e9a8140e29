"""Admin of the security audit log (`diagnostics.services.audit`): national admins read it,
nobody edits it."""

from django.contrib import admin

from diagnostics.admin.roles import ReadOnlyAdminMixin
from diagnostics.models import AuditEvent

# --- Security audit log (diagnostics.services.audit): national admins read it, nobody edits ----


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "username", "action", "target_label", "target_type", "ip_address")
    list_filter = ("action", "at")
    search_fields = ("username", "target_label", "target_id", "ip_address")
    date_hierarchy = "at"
    list_select_related = ("actor",)
