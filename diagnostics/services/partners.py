"""Writes of the typed partners (issue 18): create or change an organisation and replace its
contacts, in one transaction. A delegate manages the partners of their regions; national
partners (no region) are managed by national admins. Errors are `PartnerError` (French, naming
the field): nothing is written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction

from diagnostics.errors import ApplicationError
from diagnostics.models import Commune, Organisation, OrganisationContact, Region, User

PHONE = re.compile(r"^\+?[0-9 .()-]{6,30}$")


class PartnerError(ApplicationError):
    """A partner that cannot be saved (`extra["field"]` names the field)."""


@dataclass(frozen=True)
class ContactInput:
    name: str
    role: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class OrganisationInput:
    name: str
    kind: str
    region: str = ""  # "" = national partner
    commune_code: str = ""
    address: str = ""
    website: str = ""
    notes: str = ""
    contacts: list[ContactInput] = field(default_factory=list)


def _clean(data: OrganisationInput, user: User) -> tuple[Region | None, Commune | None]:
    if not data.name.strip():
        raise PartnerError("Nom : obligatoire.", extra={"field": "name"})
    if data.kind not in Organisation.Kind.values:
        raise PartnerError(f"Type inconnu : {data.kind}.", extra={"field": "kind"})
    region = None
    if data.region:
        region = Region.objects.filter(code=data.region).first()
        if region is None:
            raise PartnerError(f"Région inconnue : {data.region}.", extra={"field": "region"})
    if not user.is_national_admin:
        if region is None:
            raise PartnerError(
                "Région : obligatoire (les partenaires nationaux sont gérés par "
                "l'administration nationale).",
                extra={"field": "region"},
            )
        if not user.regions.filter(code=region.code).exists():
            raise PartnerError(
                f"Région : {region.name} n'est pas une de vos régions.", extra={"field": "region"}
            )
    commune = None
    if data.commune_code:
        commune = Commune.objects.filter(code=data.commune_code.strip()).first()
        if commune is None:
            raise PartnerError(
                f"Commune : code INSEE inconnu ({data.commune_code}).",
                extra={"field": "commune_code"},
            )
        if region is not None and commune.region_id and commune.region_id != region.code:
            raise PartnerError(
                f"Commune : {commune.name} n'est pas dans la région {region.name}.",
                extra={"field": "commune_code"},
            )
    if data.website:
        try:
            URLValidator(schemes=["http", "https"])(data.website)
        except ValidationError:
            raise PartnerError(
                "Site internet : une adresse en http:// ou https://.", extra={"field": "website"}
            ) from None
    for index, contact in enumerate(data.contacts, start=1):
        if not contact.name.strip():
            raise PartnerError(
                f"Contact n° {index} : nom obligatoire.", extra={"field": "contacts"}
            )
        if contact.email:
            try:
                validate_email(contact.email)
            except ValidationError:
                raise PartnerError(
                    f"Contact n° {index} : adresse électronique invalide ({contact.email}).",
                    extra={"field": "contacts"},
                ) from None
        if contact.phone and not PHONE.match(contact.phone):
            raise PartnerError(
                f"Contact n° {index} : téléphone invalide ({contact.phone}) — chiffres, "
                "espaces, points, tirets, + en tête.",
                extra={"field": "contacts"},
            )
    return region, commune


def organisation_save(
    *, data: OrganisationInput, user: User, organisation: Organisation | None = None
) -> Organisation:
    """Create (`organisation` None) or change an organisation and replace its contacts. The
    caller passes an organisation the user may manage (`organisation_manageable_for`)."""
    if not (user.is_national_admin or user.is_regional_delegate):
        raise PartnerError("Votre rôle ne permet pas de gérer les partenaires.")
    region, commune = _clean(data, user)
    values = {
        "name": data.name.strip(),
        "kind": data.kind,
        "region": region,
        "commune": commune,
        "address": data.address.strip(),
        "website": data.website.strip(),
        "notes": data.notes.strip(),
    }
    try:
        with transaction.atomic():
            if organisation is None:
                organisation = Organisation.objects.create(**values)
            else:
                for key, value in values.items():
                    setattr(organisation, key, value)
                organisation.save()
            organisation.contacts.all().delete()
            OrganisationContact.objects.bulk_create(
                OrganisationContact(
                    organisation=organisation,
                    name=c.name.strip(),
                    role=c.role.strip(),
                    email=c.email.strip(),
                    phone=c.phone.strip(),
                )
                for c in data.contacts
            )
    except IntegrityError:
        raise PartnerError(
            f"Nom : un partenaire « {values['name']} » de ce type existe déjà.",
            extra={"field": "name"},
        ) from None
    return organisation
