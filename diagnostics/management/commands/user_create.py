import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from diagnostics.errors import ApplicationError
from diagnostics.models import Role
from diagnostics.services.accounts import user_create
from diagnostics.services.tokens import api_token_create, scopes_allowed_for


class Command(BaseCommand):
    help = (
        "Crée un compte : rôle, régions suivies, mot de passe validé (12 caractères au moins, "
        "pas un mot de passe courant). Exemple : user_create --username marie --role "
        "delegue_regional --region 53 --password-from-env MOT_DE_PASSE"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True, help="identifiant de connexion")
        parser.add_argument("--role", required=True, choices=Role.values, help="rôle du compte")
        parser.add_argument(
            "--region",
            action="append",
            default=[],
            dest="regions",
            metavar="CODE",
            help="code INSEE d'une région suivie (répétable ; délégués régionaux et clients API)",
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--organisation", default="")
        secret = parser.add_mutually_exclusive_group()
        secret.add_argument(
            "--password",
            help="mot de passe (visible dans l'historique : préférez --password-from-env)",
        )
        secret.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="nom de la variable d'environnement du mot de passe",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password: str | None = options["password"]
        if options["password_from_env"]:
            var = options["password_from_env"]
            password = os.environ.get(var)
            if not password:
                raise CommandError(f"La variable d'environnement {var} est absente ou vide.")
        try:
            user = user_create(
                username=options["username"],
                role=options["role"],
                regions=options["regions"],
                email=options["email"],
                password=password,
                first_name=options["first_name"],
                last_name=options["last_name"],
                organisation=options["organisation"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

        regions = ", ".join(str(region) for region in user.regions.all()) or "aucune"
        self.stdout.write(
            self.style.SUCCESS(f"Compte « {user.username} » créé : {user.get_role_display()}.")
        )
        self.stdout.write(f"  régions suivies : {regions}")
        self.stdout.write(f"  accès à l'administration : {'oui' if user.is_staff else 'non'}")
        if not user.has_usable_password():
            self.stdout.write("  pas de mot de passe : à définir dans l'administration.")
        if user.role == Role.API_CLIENT:
            created = api_token_create(
                user=user, name="jeton initial", scopes=scopes_allowed_for(user)
            )
            expires = created.token.expires_at
            self.stdout.write(
                f"  jeton d'API « jeton initial » ({', '.join(created.token.scopes)}, "
                f"expire le {timezone.localtime(expires):%d/%m/%Y}) : {created.key}"
                if expires
                else f"  jeton d'API : {created.key}"
            )
            self.stdout.write(
                "  affiché une seule fois (stocké haché) ; usage : en-tête HTTP "
                "« Authorization: Token <jeton> » ; page « Jetons d'API » pour en gérer d'autres"
            )
