"""The demo accounts: one per role (`DEMO_ACCOUNTS`), reset to their demo role, regions and
password on every run; the API client's named token (shown once, stored hashed, kept when it
exists); a few audit entries as examples.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from diagnostics.models import Region, Role, User
from diagnostics.services.accounts import user_apply_role_flags, user_create

DEMO_PASSWORD = "territoires-demo-2026"


@dataclass(frozen=True)
class DemoAccountSpec:
    username: str
    role: Role
    first_name: str
    last_name: str
    organisation: str


DEMO_ACCOUNTS = (
    DemoAccountSpec(
        "demo-admin", Role.NATIONAL_ADMIN, "Nadia", "Admin", "Cnam — direction nationale"
    ),
    DemoAccountSpec(
        "demo-delegue", Role.REGIONAL_DELEGATE, "Denis", "Délégué", "Cnam — centre régional"
    ),
    DemoAccountSpec(
        "demo-catalogue", Role.CATALOGUE_ADMIN, "Camille", "Catalogue", "Cnam — offre de formation"
    ),
    DemoAccountSpec("demo-mairie", Role.MAYOR_VIEWER, "Marie", "Maire", "Mairie (démo)"),
    DemoAccountSpec("demo-api", Role.API_CLIENT, "", "", "Observatoire régional (démo)"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    role_label: str
    regions: list[str]
    created: bool


def _demo_password_hash() -> str:
    """One hash of the demo password for all demo accounts: hashing is deliberately slow (about
    half a second each), and the accounts share the published password anyway. The hash already
    stored is reused when it still matches, so a re-run hashes once at most."""
    stored = (
        User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
        .order_by("username")
        .values_list("password", flat=True)
    )
    for encoded in dict.fromkeys(stored):
        if encoded and check_password(DEMO_PASSWORD, encoded):
            return encoded
    return make_password(DEMO_PASSWORD)


DEMO_TOKEN_NAME = "Tableau de bord de l'observatoire"


def _demo_token_ensure(user: User) -> str:
    """demo-api's named, scoped token: created once (its secret returned, for the command to
    print), then kept; a revoked or expired one is replaced."""
    from diagnostics.models import ApiToken, Scope
    from diagnostics.services.tokens import api_token_create

    active = [t for t in ApiToken.objects.filter(user=user, name=DEMO_TOKEN_NAME) if t.is_active]
    if active:
        return ""
    ApiToken.objects.filter(user=user, name=DEMO_TOKEN_NAME, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return api_token_create(
        user=user,
        name=DEMO_TOKEN_NAME,
        scopes=[Scope.INDICATORS_READ],
        expires_in_days=365,
    ).key


def demo_accounts_ensure(*, regions: list[str]) -> tuple[list[DemoAccount], str]:
    """The five demo accounts, created with `user_create` or reset to their demo role, regions
    and password. Returns them and the API client's new token (« "" » when its active named
    token already exists: the secret is shown once, at creation, and stored hashed)."""
    accounts: list[DemoAccount] = []
    token = ""
    encoded = _demo_password_hash()
    for spec in DEMO_ACCOUNTS:
        followed = regions if spec.role in (Role.REGIONAL_DELEGATE, Role.API_CLIENT) else []
        user = User.objects.filter(username=spec.username).first()
        created = user is None
        with transaction.atomic():
            if user is None:
                user = user_create(
                    username=spec.username,
                    role=spec.role,
                    regions=followed,
                    password=None,  # set below from the shared hash, once validated
                    first_name=spec.first_name,
                    last_name=spec.last_name,
                    organisation=spec.organisation,
                    email=f"{spec.username}@territoires.invalid",
                )
            else:
                user.role = spec.role
                user.is_active = True
                user_apply_role_flags(user)
                user.regions.set(Region.objects.filter(code__in=followed))
            validate_password(DEMO_PASSWORD, user)
            user.password = encoded
            user.save()
        if spec.role == Role.API_CLIENT:
            token = _demo_token_ensure(user)
        accounts.append(
            DemoAccount(
                username=spec.username,
                role=str(spec.role),
                role_label=str(spec.role.label),
                regions=sorted(followed),
                created=created,
            )
        )
    return accounts, token


def demo_audit_examples_ensure() -> None:
    """A few plausible entries in the security audit log (once): the delegate's logins and a
    password-spraying attempt from a documentation address (RFC 5737), locked out."""
    from diagnostics.models import AuditAction, AuditEvent
    from diagnostics.services.audit import audit_record

    if AuditEvent.objects.filter(action=AuditAction.LOCKOUT).exists():
        return
    delegate = User.objects.get(username="demo-delegue")
    admin = User.objects.get(username="demo-admin")
    audit_record(action=AuditAction.LOGIN, actor=admin, ip_address="192.0.2.10")
    audit_record(action=AuditAction.LOGIN, actor=delegate, ip_address="192.0.2.24")
    for name in ("admin", "direction", "demo-delegue", "contact", "mairie"):
        audit_record(action=AuditAction.LOGIN_FAILED, username=name, ip_address="203.0.113.66")
    audit_record(action=AuditAction.LOCKOUT, username="mairie", ip_address="203.0.113.66")
    audit_record(action=AuditAction.LOGOUT, actor=delegate, ip_address="192.0.2.24")
