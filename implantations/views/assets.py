"""A basin's assets for the recommendation (`/bassins/<pk>/atouts/`): host structures, lycées
prefilled from the open data, the partnership and the employers' letters. Readers of the basin
(mayors with a share included) see them; only the basin's managers write. Another region's
basin is a 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from diagnostics.errors import ApplicationError
from diagnostics.models import User
from diagnostics.params import int_param
from diagnostics.permissions import BASIN_READERS, role_required
from diagnostics.selectors.access import basin_is_manageable
from diagnostics.views.home import shared_redirect
from implantations.forms.assets import (
    EmployerLetterForm,
    HostStructureForm,
    PartnershipForm,
    tri_state,
    tri_state_initial,
)
from implantations.models import HostStructure
from implantations.selectors.assets import (
    basin_partnership_get,
    employer_letter_list,
    host_structure_list,
    lycee_candidates,
)
from implantations.services.assets import (
    basin_lycees_prefill,
    basin_partnership_save,
    employer_letter_create,
    employer_letter_delete,
    host_structure_create,
    host_structure_delete,
    host_structure_update,
)
from implantations.views.recommendation import readable_basin

ASSET_ACTIONS = (
    "add_host",
    "prefill",
    "confirm",
    "unconfirm",
    "declare_paths",
    "growth",
    "delete_host",
    "partners",
    "add_letter",
    "delete_letter",
)


@role_required(*BASIN_READERS)
@require_http_methods(["GET", "POST"])
def basin_assets(request: HttpRequest, pk: int) -> HttpResponse:
    """The basin's host structures and partners; POST (`action`) for its managers."""
    user: User = request.user  # type: ignore[assignment]
    basin = readable_basin(request, pk)
    if user.is_mayor_viewer and request.method == "GET":  # reads its shared versions
        return shared_redirect(request, basin.pk)
    can_manage = basin_is_manageable(user, basin.pk)
    host_form = HostStructureForm()
    letter_form = EmployerLetterForm()
    partnership = basin_partnership_get(basin)
    partner_form = PartnershipForm(
        initial={
            "epci_commitment": partnership.epci_commitment if partnership else "",
            "town_lends_premises": tri_state_initial(
                partnership.town_lends_premises if partnership else None
            ),
            "premises_note": partnership.premises_note if partnership else "",
            "inventory_done": partnership.inventory_done if partnership else False,
            "letters_recorded": partnership.letters_recorded if partnership else False,
        }
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(
                "Seuls les délégués de la région du bassin modifient ses atouts."
            )
        action = request.POST.get("action", "")
        redirect_to = redirect("basin-assets", pk=basin.pk)
        try:
            if action not in ASSET_ACTIONS:
                messages.error(request, "Action inconnue : rien n'a été modifié.")
                return redirect_to
            if action == "add_host":
                host_form = HostStructureForm(request.POST)
                if host_form.is_valid():
                    data = host_form.cleaned_data
                    host = host_structure_create(
                        basin=basin,
                        user=user,
                        kind=data["kind"],
                        name=data["name"],
                        commune_code=data["commune_code"] or None,
                        latitude=data["latitude"],
                        longitude=data["longitude"],
                        voie_professionnelle=data["voie_professionnelle"] or None,
                        voie_technologique=data["voie_technologique"] or None,
                        premises_can_grow=tri_state(data["premises_can_grow"]),
                        confirmed=data["confirmed"],
                        notes=data["notes"],
                    )
                    messages.success(request, f"« {host.name} » est ajouté aux atouts du bassin.")
                    return redirect_to
            elif action == "prefill":
                created = basin_lycees_prefill(basin=basin, user=user)
                if created:
                    messages.success(
                        request,
                        f"{len(created)} lycée{'s' if len(created) > 1 else ''} de l'annuaire "
                        f"ajouté{'s' if len(created) > 1 else ''}, à confirmer.",
                    )
                else:
                    messages.info(
                        request,
                        "Aucun lycée professionnel ou technologique de l'annuaire importé n'est "
                        "à ajouter pour ce bassin.",
                    )
                return redirect_to
            elif action in ("confirm", "unconfirm", "declare_paths", "growth", "delete_host"):
                host_id = int_param(request.POST, "host_id")
                if host_id is None:
                    messages.error(request, "Structure introuvable.")
                    return redirect_to
                if action == "delete_host":
                    name = host_structure_delete(basin=basin, user=user, host_id=host_id)
                    messages.success(request, f"« {name} » est retiré des atouts du bassin.")
                elif action == "declare_paths":
                    host = host_structure_update(
                        basin=basin,
                        user=user,
                        host_id=host_id,
                        set_flags=True,
                        voie_professionnelle=request.POST.get("voie_professionnelle") == "oui",
                        voie_technologique=request.POST.get("voie_technologique") == "oui",
                        confirmed=request.POST.get("confirm") == "oui" or None,
                    )
                    messages.success(request, f"Voies de « {host.name} » enregistrées.")
                elif action == "growth":
                    host = host_structure_update(
                        basin=basin,
                        user=user,
                        host_id=host_id,
                        set_growth=True,
                        premises_can_grow=tri_state(request.POST.get("premises_can_grow")),
                    )
                    messages.success(request, f"Locaux de « {host.name} » enregistrés.")
                else:
                    host = host_structure_update(
                        basin=basin, user=user, host_id=host_id, confirmed=action == "confirm"
                    )
                    messages.success(
                        request,
                        f"« {host.name} » "
                        + (
                            "est confirmé comme partenaire."
                            if host.confirmed
                            else "n'est plus confirmé."
                        ),
                    )
                return redirect_to
            elif action == "partners":
                partner_form = PartnershipForm(request.POST)
                if partner_form.is_valid():
                    data = partner_form.cleaned_data
                    basin_partnership_save(
                        basin=basin,
                        user=user,
                        epci_commitment=data["epci_commitment"] or "",
                        town_lends_premises=tri_state(data["town_lends_premises"]),
                        premises_note=data["premises_note"],
                        inventory_done=data["inventory_done"],
                        letters_recorded=data["letters_recorded"],
                    )
                    messages.success(request, "Partenariats enregistrés.")
                    return redirect_to
            elif action == "add_letter":
                letter_form = EmployerLetterForm(request.POST)
                if letter_form.is_valid():
                    data = letter_form.cleaned_data
                    letter = employer_letter_create(
                        basin=basin,
                        user=user,
                        employer=data["employer"],
                        sector=data["sector"],
                        learners=data["learners"],
                        received_on=data["received_on"],
                    )
                    messages.success(request, f"Lettre de « {letter.employer} » enregistrée.")
                    return redirect_to
            elif action == "delete_letter":
                letter_id = int_param(request.POST, "letter_id")
                if letter_id is None:
                    messages.error(request, "Lettre introuvable.")
                    return redirect_to
                name = employer_letter_delete(basin=basin, user=user, letter_id=letter_id)
                messages.success(request, f"Lettre de « {name} » retirée.")
                return redirect_to
        except ApplicationError as exc:
            form = {"add_host": host_form, "partners": partner_form, "add_letter": letter_form}.get(
                action
            )
            field = exc.field
            if form is not None and form.is_bound:
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.error(request, exc.message)
                return redirect_to
    hosts = host_structure_list(basin)
    return render(
        request,
        "implantations/assets.html",
        {
            "basin": basin,
            "can_manage": can_manage,
            "hosts": hosts,
            "lycee_hosts": [h for h in hosts if h.kind == HostStructure.Kind.LYCEE],
            "shared_hosts": [h for h in hosts if h.is_shared_place],
            "economic_hosts": [h for h in hosts if h.is_economic_host],
            "candidates": lycee_candidates(basin) if can_manage else [],
            "partnership": partnership,
            "letters": employer_letter_list(basin),
            "host_form": host_form,
            "partner_form": partner_form,
            "letter_form": letter_form,
            "open_form": request.POST.get("action", "") if request.method == "POST" else "",
        },
    )
