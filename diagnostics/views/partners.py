"""The partners pages (issue 18): the typed list of partner organisations with their contacts
(filters: type, region, search), creation and edition. National admins and regional delegates
only (contacts are personal data); another region's partner is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from diagnostics.exports import table_csv
from diagnostics.forms.partners import ContactFormSet, OrganisationForm, PartnerFilterForm
from diagnostics.models import Organisation, Region, User
from diagnostics.permissions import BASIN_MANAGERS, role_required
from diagnostics.selectors import partners as sel
from diagnostics.services.partners import (
    ContactInput,
    OrganisationInput,
    PartnerError,
    organisation_save,
)


def _regions(user: User) -> list[tuple[str, str]]:
    regions = Region.objects.all() if user.is_national_admin else user.regions.all()
    return [(r.code, r.name) for r in regions.order_by("name")]


def _filters(request: HttpRequest, user: User) -> tuple[PartnerFilterForm, dict[str, Any]]:
    """The list's filter form (bound when the query has any) and its non-empty values (none
    when the form is invalid: the caller answers 400)."""
    form = PartnerFilterForm(request.GET or None, regions=_regions(user))
    if form.is_bound and form.is_valid():
        return form, {k: v for k, v in form.cleaned_data.items() if v}
    return form, {}


@role_required(*BASIN_MANAGERS)
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form, filters = _filters(request, user)
    status = 400 if form.is_bound and not form.is_valid() else 200
    organisations = list(sel.organisation_filter(sel.organisation_list_for(user), **filters))
    manageable = set(sel.organisation_manageable_for(user).values_list("pk", flat=True))
    return render(
        request,
        "diagnostics/partner_list.html",
        {
            "form": form,
            "organisations": organisations,
            "manageable": manageable,
            "filtered": bool(filters),
            "kinds": Organisation.Kind.choices,
        },
        status=status,
    )


PARTNER_EXPORT_LABELS = [
    "Partenaire",
    "Type",
    "Région",
    "Commune",
    "Code commune",
    "Adresse",
    "Site internet",
    "Contact",
    "Fonction",
    "Adresse électronique",
    "Téléphone",
]


def _export_rows(organisations: list[Organisation]) -> list[list[Any]]:
    """One row per contact; a partner without a contact keeps one row with empty contact cells."""
    rows: list[list[Any]] = []
    for o in organisations:
        head = [
            o.name,
            o.get_kind_display(),
            o.region.name if o.region else "national",
            o.commune.name if o.commune else "",
            o.commune.code if o.commune else "",
            o.address,
            o.website,
        ]
        contacts = list(o.contacts.all())
        if not contacts:
            rows.append([*head, "", "", "", ""])
        for c in contacts:
            rows.append([*head, c.name, c.role, c.email, c.phone])
    return rows


@role_required(*BASIN_MANAGERS)
@require_GET
def partner_export(request: HttpRequest) -> HttpResponse:
    """The partners the list shows (same scope and filters) as CSV, one row per contact."""
    user: User = request.user  # type: ignore[assignment]
    form, filters = _filters(request, user)
    if form.is_bound and not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label if name in form.fields else name} : "
            + " ".join(str(e) for e in errors)
            for name, errors in form.errors.items()
        )
        return HttpResponse(
            f"Export refusé, filtre invalide — {problems}",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    organisations = list(sel.organisation_filter(sel.organisation_list_for(user), **filters))
    payload = {
        "title": "Partenaires du programme",
        "labels": PARTNER_EXPORT_LABELS,
        "rows": _export_rows(organisations),
    }
    response = HttpResponse(table_csv(payload), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="partenaires.csv"'
    return response


def _inputs(form: OrganisationForm, contacts: Any) -> OrganisationInput:
    data = form.cleaned_data
    return OrganisationInput(
        name=data["name"],
        kind=data["kind"],
        region=data["region"] or "",
        commune_code=data["commune_code"] or "",
        address=data["address"] or "",
        website=data["website"] or "",
        notes=data["notes"] or "",
        contacts=[
            ContactInput(
                name=f.cleaned_data.get("name") or "",
                role=f.cleaned_data.get("role") or "",
                email=f.cleaned_data.get("email") or "",
                phone=f.cleaned_data.get("phone") or "",
            )
            for f in contacts.forms
            if f.cleaned_data and any(f.cleaned_data.values())
        ],
    )


def _form_page(request: HttpRequest, organisation: Organisation | None) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    regions = _regions(user)
    national = user.is_national_admin
    if request.method == "POST":
        form = OrganisationForm(request.POST, regions=regions, national=national)
        contacts = ContactFormSet(request.POST, prefix="contacts")
        if form.is_valid() and contacts.is_valid():
            try:
                saved = organisation_save(
                    data=_inputs(form, contacts), user=user, organisation=organisation
                )
            except PartnerError as exc:
                field = exc.field
                if field == "contacts":
                    form.add_error(None, exc.message)
                else:
                    form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Partenaire « {saved.name} » enregistré.")
                return redirect("partner-list")
        status = 400
    else:
        initial: dict[str, Any] = {}
        contact_rows: list[dict[str, str]] = []
        if organisation is not None:
            initial = {
                "name": organisation.name,
                "kind": organisation.kind,
                "region": organisation.region_id or "",
                "commune_code": organisation.commune_id or "",
                "address": organisation.address,
                "website": organisation.website,
                "notes": organisation.notes,
            }
            contact_rows = [
                {"name": c.name, "role": c.role, "email": c.email, "phone": c.phone}
                for c in organisation.contacts.all()
            ]
        elif len(regions) == 1 and not national:
            initial = {"region": regions[0][0]}
        form = OrganisationForm(initial=initial, regions=regions, national=national)
        contacts = ContactFormSet(initial=contact_rows, prefix="contacts")
        status = 200
    return render(
        request,
        "diagnostics/partner_form.html",
        {"form": form, "contacts": contacts, "organisation": organisation},
        status=status,
    )


@role_required(*BASIN_MANAGERS)
@require_http_methods(["GET", "POST"])
def partner_create(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@role_required(*BASIN_MANAGERS)
@require_http_methods(["GET", "POST"])
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    organisation = get_object_or_404(sel.organisation_manageable_for(user), pk=pk)
    return _form_page(request, organisation)
