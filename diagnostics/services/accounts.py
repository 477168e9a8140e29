"""Accounts: create users with a role, their regions and the staff flag (API tokens: services.tokens)."""

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from diagnostics.errors import ApplicationError
from diagnostics.models import Region, Role, User

# Roles that use the Django admin: national admins (everything) and catalogue admins (catalogue
# and reference settings).
STAFF_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.CATALOGUE_ADMIN})
# Roles whose scope is a set of regions.
REGIONAL_ROLES = frozenset({Role.REGIONAL_DELEGATE, Role.API_CLIENT})


def staff_for_role(role: str) -> bool:
    """Whether a user of this role gets `is_staff` (access to the Django admin)."""
    return role in STAFF_ROLES


def user_apply_role_flags(user: User) -> None:
    """Set the admin flags that follow from the role (not saved): national admins are superusers
    and staff, catalogue admins staff, the other roles neither."""
    user.is_staff = staff_for_role(user.role)
    user.is_superuser = user.role == Role.NATIONAL_ADMIN


def user_check_role_regions(*, role: str, region_codes: Iterable[str]) -> None:
    """Refuse regions for a role that does not follow any, and a delegate without a region."""
    codes = sorted(region_codes)
    if codes and role not in REGIONAL_ROLES:
        raise ApplicationError(
            f"Le rôle « {Role(role).label} » ne suit pas de régions : retirez les régions "
            f"indiquées ({', '.join(codes)}).",
            code="regions_not_allowed",
        )
    if role == Role.REGIONAL_DELEGATE and not codes:
        raise ApplicationError(
            "Un délégué régional suit au moins une région : indiquez son code INSEE "
            "(par exemple 53 pour la Bretagne).",
            code="region_required",
        )


def user_create(
    *,
    username: str,
    role: str,
    regions: Iterable[str] = (),
    email: str = "",
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    organisation: str = "",
) -> User:
    """Create a user of the platform, all or nothing.

    `regions` are INSEE region codes: required (one or more) for a regional delegate, allowed for
    an API client, refused for the other roles. The password goes through the validators of
    AUTH_PASSWORD_VALIDATORS (12+ characters, not a common password…); without one, the account
    gets an unusable password (an API client that only uses its token, or a password to be set in
    the admin). National admins become superusers and staff, catalogue admins staff. Tokens
    are created apart (`services.tokens.api_token_create`, shown once).

    Raises `ApplicationError` with a French message saying what is wrong.
    """
    username = (username or "").strip()
    if not username:
        raise ApplicationError("Le nom d'utilisateur est obligatoire.", code="username_required")
    if role not in Role.values:
        allowed = ", ".join(Role.values)
        raise ApplicationError(
            f"Rôle inconnu : « {role} ». Rôles possibles : {allowed}.", code="unknown_role"
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(
            f"Le nom d'utilisateur « {username} » est déjà pris.", code="username_taken"
        )

    codes = sorted({code.strip() for code in regions if code and code.strip()})
    user_check_role_regions(role=role, region_codes=codes)
    found = list(Region.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {region.code for region in found})
    if unknown:
        raise ApplicationError(
            f"Région(s) inconnue(s) : {', '.join(unknown)}. Chargez d'abord les territoires "
            "(load_territories) ou vérifiez les codes INSEE.",
            code="unknown_region",
            extra={"regions": unknown},
        )

    user = User(
        username=username,
        role=role,
        email=email.strip(),
        first_name=first_name,
        last_name=last_name,
        organisation=organisation,
    )
    user_apply_role_flags(user)
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ApplicationError(
                "Mot de passe refusé : " + " ".join(exc.messages), code="invalid_password"
            ) from exc
        user.set_password(password)

    with transaction.atomic():
        user.save()
        if found:
            user.regions.set(found)
    return user
