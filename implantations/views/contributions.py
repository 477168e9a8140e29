"""Contributions from the territory (issue 13): a partner account proposes basin assets, the
basin's delegate reviews them (accept, edit, decline) and sees the recommendation before and
after side by side. Another region's basin or contribution is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from diagnostics.errors import ApplicationError
from diagnostics.exports import table_csv
from diagnostics.models import Role, User
from diagnostics.params import id_or_none
from diagnostics.permissions import BASIN_MANAGERS, BASIN_READERS, role_required
from diagnostics.selectors.access import basin_is_manageable, basin_list_for, basin_manageable_for
from implantations.forms.assets import tri_state_initial
from implantations.forms.sharing import ContributionForm
from implantations.models import Contribution
from implantations.selectors import sharing as selectors
from implantations.services import contributions as services


def _readable_basin(request: HttpRequest, pk: int) -> Any:
    user: User = request.user  # type: ignore[assignment]
    return get_object_or_404(basin_list_for(user).select_related("region"), pk=pk)


def _review(contribution: Contribution) -> dict[str, Any]:
    before = contribution.recommendation_before
    after = contribution.recommendation_after
    doc_before = before.document if before else None
    doc_after = after.document if after else None
    before_view = selectors.recommendation_view(doc_before)
    after_view = selectors.recommendation_view(doc_after)
    return {
        "c": contribution,
        "history": selectors.contribution_history(contribution),
        "pair": [("Avant", before_view), ("Après", after_view)],
        "lifts": selectors.constraint_lifts(doc_before, doc_after, [contribution]),
        "form": ContributionForm(
            initial={
                "kind": contribution.kind,
                "title": contribution.title,
                "partner_kind": contribution.partner_kind,
                "surface_m2": contribution.surface_m2,
                "available_from": contribution.available_from,
                "premises_can_grow": tri_state_initial(contribution.premises_can_grow),
                "headcount": contribution.headcount,
                "sector": contribution.sector,
                "amount_eur": contribution.amount_eur,
                "details": contribution.details,
                "source": contribution.source,
                "contact": contribution.contact,
            },
            prefix=f"c{contribution.pk}",
        ),
    }


@role_required(*BASIN_READERS)
@require_GET
def contribution_list(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    basin = _readable_basin(request, pk)
    can_manage = basin_is_manageable(user, basin.pk)
    contributions = list(
        selectors.contribution_list_for(user, basin).select_related(
            "recommendation_before", "recommendation_after"
        )
    )
    return render(
        request,
        "implantations/contributions.html",
        {
            "basin": basin,
            "can_manage": can_manage,
            "can_propose": user.role == Role.MAYOR_VIEWER,
            "pending": [
                _review(c) for c in contributions if c.status == Contribution.Status.PENDING
            ],
            "decided": [
                _review(c) for c in contributions if c.status != Contribution.Status.PENDING
            ],
        },
    )


@role_required(Role.MAYOR_VIEWER)
@require_http_methods(["GET", "POST"])
def contribution_create(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    basin = _readable_basin(request, pk)
    version_id = id_or_none(request.GET.get("version") or request.POST.get("version"))
    form = ContributionForm(request.POST or None, initial={"kind": request.GET.get("type", "")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                contribution = services.contribution_propose(
                    basin=basin, user=user, data=form.to_input(), shared_version_id=version_id
                )
            except ApplicationError as exc:
                field = (exc.extra or {}).get("field")
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    f"Merci : « {contribution.title} » est transmise à la délégation régionale, "
                    "qui l'acceptera, la corrigera ou la refusera.",
                )
                return redirect(
                    reverse("contribution-list", args=[basin.pk])
                    + f"#contribution-{contribution.pk}"
                )
        status = 400
    return render(
        request,
        "implantations/contribution_form.html",
        {"basin": basin, "form": form, "version_id": version_id},
        status=status,
    )


@role_required(*BASIN_MANAGERS)
@require_POST
def contribution_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """`decision` = accepter | refuser | modifier, with the `version` the page showed."""
    user: User = request.user  # type: ignore[assignment]
    contribution = get_object_or_404(
        Contribution.objects.filter(basin__in=basin_manageable_for(user)).select_related("basin"),
        pk=pk,
    )
    basin = contribution.basin
    decision = request.POST.get("decision", "")
    expected = id_or_none(request.POST.get("version"))
    target = reverse("contribution-list", args=[basin.pk]) + f"#contribution-{contribution.pk}"
    if expected is None:
        messages.error(request, "Version de la contribution manquante : rechargez la page.")
        return redirect(target)
    try:
        if decision in ("accepter", "refuser"):
            done = services.contribution_decide(
                contribution_id=contribution.pk,
                basin=basin,
                user=user,
                expected_version=expected,
                accept=decision == "accepter",
                note=request.POST.get("note", ""),
            )
            messages.success(
                request,
                f"« {done.title} » est {done.get_status_display()}"
                + (
                    " : la recommandation est recalculée (avant / après ci-dessous)."
                    if done.status == Contribution.Status.ACCEPTED
                    else "."
                ),
            )
        elif decision == "modifier":
            form = ContributionForm(request.POST, prefix=f"c{contribution.pk}")
            if not form.is_valid():
                errors = "; ".join(
                    f"{form.fields[f].label if f in form.fields else f} : {' '.join(e)}"
                    for f, e in form.errors.items()
                )
                messages.error(request, f"Contribution non modifiée : {errors}")
                return redirect(target)
            services.contribution_edit(
                contribution_id=contribution.pk,
                basin=basin,
                user=user,
                expected_version=expected,
                data=form.to_input(),
            )
            messages.success(request, "La contribution est corrigée.")
        else:
            messages.error(request, f"Décision inconnue : « {decision} ».")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(target)


@role_required(*BASIN_READERS)
@require_GET
def contribution_export(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    basin = _readable_basin(request, pk)
    rows = []
    for c in selectors.contribution_list_for(user, basin):
        who = c.proposed_by
        rows.append(
            [
                c.pk,
                c.get_kind_display(),
                c.title,
                c.get_partner_kind_display() if c.partner_kind else "",
                c.surface_m2,
                c.available_from.isoformat() if c.available_from else "",
                c.headcount,
                c.sector,
                c.amount_eur,
                c.details,
                c.source,
                c.contact,
                (who.get_full_name() or who.get_username()) if who else "",
                who.organisation_label if who else "",
                c.proposed_at.isoformat(timespec="minutes"),
                c.get_status_display(),
            ]
        )
    payload = {
        "title": f"Contributions du territoire — {basin.name}",
        "columns": [
            "id", "kind", "title", "partner_kind", "surface_m2", "available_from", "headcount",
            "sector", "amount_eur", "details", "source", "contact", "proposed_by",
            "organisation", "proposed_at", "status",
        ],
        "labels": [
            "N°", "Type", "Intitulé", "Partenaire", "Surface (m²)", "Disponible le", "Effectif",
            "Secteur", "Montant (€)", "Précisions", "Source", "Contact", "Proposée par",
            "Organisation", "Proposée le", "Statut",
        ],
        "rows": rows,
    }  # fmt: skip
    response = HttpResponse(table_csv(payload), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contributions-bassin-{basin.pk}.csv"'
    return response
