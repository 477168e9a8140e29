"""Contacts of the partner organisations (issue 18): who to call at a Mission locale, an OPCO,
a lycée… These are personal data (name, role, e-mail, telephone): listed in the GDPR register of
docs/security.md, shown only to national admins and the delegates of the organisation's region,
deleted with their organisation."""

from __future__ import annotations

from django.db import models

from .sharing import Organisation


class OrganisationContact(models.Model):
    """A person to contact at a partner organisation."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name="organisation",
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField("nom", max_length=200)
    role = models.CharField("fonction", max_length=200, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "contact"
        verbose_name_plural = "contacts"
        ordering = ["organisation", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.name})"
