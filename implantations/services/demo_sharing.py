"""The shared diagnostic in the demo (issue 13): on the first synthetic basin, `demo-mairie`
(tied to the town's mairie) receives a version of the latest diagnostic with the delegate's
message, a comment thread (the mayor asks, the delegate answers) and a pending contribution
(an employer's commitment) for the delegate to review. Idempotent: each piece is created once.
"""

from __future__ import annotations

from diagnostics.models import Basin, Organisation, SharedVersion, User
from diagnostics.selectors.diagnostics import diagnostic_latest_done
from diagnostics.services.comments import share_comment_create
from implantations.models import Contribution
from implantations.services.contributions import ContributionInput, contribution_propose
from implantations.services.sharing import shared_version_create

MAYOR = "demo-mairie"
MESSAGE = (
    "Bonjour, voici le diagnostic de votre bassin d'emploi, tel qu'il sera présenté au comité "
    "de pilotage. Dites-nous, section par section, ce qui vous semble juste ou à compléter, et "
    "proposez les atouts que les données nationales ne voient pas (locaux, partenaires, "
    "employeurs prêts à s'engager)."
)


def demo_sharing_ensure(basin: Basin, delegate: User) -> str:
    """The demo's shared version of `basin` (see the module docstring); its id as text, or ""
    when the basin has no finished diagnostic or the mayor's account is missing."""
    mayor = User.objects.filter(username=MAYOR).first()
    run = diagnostic_latest_done(basin.pk)
    if mayor is None or run is None:
        return ""
    town = basin.main_town.name if basin.main_town else basin.name
    if mayor.partner_organisation_id is None:
        mayor.partner_organisation, _ = Organisation.objects.get_or_create(
            name=f"Mairie de {town}", kind=Organisation.Kind.MAIRIE
        )
        mayor.save(update_fields=["partner_organisation"])
    version = SharedVersion.objects.filter(run=run).order_by("pk").first()
    if version is None or not version.grants.filter(user=mayor).exists():
        version = shared_version_create(run=run, user=delegate, recipients=[MAYOR], message=MESSAGE)
    if not version.comments.exists():
        question = share_comment_create(
            version_id=version.pk,
            user=mayor,
            section="recrutements",
            body="Les besoins en logistique nous semblent sous-estimés : deux plateformes ouvrent "
            "en zone d'activités l'an prochain. Est-ce pris en compte ?",
        )
        share_comment_create(
            version_id=version.pk,
            user=delegate,
            section="recrutements",
            parent_id=question.pk,
            body="Pas encore : le BMO publié date de la dernière campagne. Pouvez-vous nous "
            "transmettre les annonces des deux plateformes ? Nous les ajouterons comme "
            "engagements d'employeurs.",
        )
    if not Contribution.objects.filter(basin=basin, proposed_by=mayor).exists():
        contribution_propose(
            basin=basin,
            user=mayor,
            shared_version_id=version.pk,
            data=ContributionInput(
                kind=Contribution.Kind.EMPLOYER,
                title="Plateforme logistique du Val (entreprise fictive)",
                headcount=6,
                sector="Logistique",
                details="Six recrutements de préparateurs et chefs d'équipe, formation en "
                "alternance souhaitée.",
                source="Courrier du directeur de site à la mairie (démo)",
                contact="Service développement économique de la mairie (démo)",
            ),
        )
    return str(version.pk)
