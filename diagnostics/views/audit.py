"""The security audit log page: national admins only, filterable, paginated. A filter that
does not parse (date, address, action) is a 400 naming the field, in French."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from diagnostics.models import AuditAction, Role
from diagnostics.params import page_param
from diagnostics.permissions import role_required
from diagnostics.selectors.audit import audit_event_list

EVENTS_PER_PAGE = 50
FILTERS = ("action", "utilisateur", "adresse", "du", "au", "page")


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Toutes les actions"), *AuditAction.choices]
    )
    utilisateur = forms.CharField(label="Identifiant contient", required=False, max_length=150)
    adresse = forms.GenericIPAddressField(label="Adresse IP", required=False)
    du = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            raise forms.ValidationError("La date de début est après la date de fin.")
        return data


@role_required(Role.NATIONAL_ADMIN)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    unknown = sorted(set(request.GET) - set(FILTERS))
    form = AuditFilterForm(request.GET or None)
    if unknown or (request.GET and not form.is_valid()):
        errors = [f"Paramètre inconnu : « {key} »." for key in unknown]
        if form.is_bound and not form.is_valid():
            for field, messages in form.errors.items():
                label = form.fields[field].label if field in form.fields else "Filtres"
                errors += [f"{label} : {message}" for message in messages]
        return render(
            request,
            "diagnostics/audit_log.html",
            {"form": form, "errors": errors, "page": None, "events": []},
            status=400,
        )
    data = form.cleaned_data if form.is_bound else {}
    events = audit_event_list(
        action=data.get("action") or "",
        username=data.get("utilisateur") or "",
        ip_address=data.get("adresse") or "",
        date_from=data.get("du"),
        date_to=data.get("au"),
    )
    page = Paginator(events, EVENTS_PER_PAGE).get_page(page_param(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "diagnostics/audit_log.html",
        {
            "form": form,
            "errors": [],
            "page": page,
            "events": page.object_list,
            "query": query.urlencode(),
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
    )
