"""The form of the « Jetons d'API » page: shapes only; the rules are in services.tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm

from diagnostics.models import Scope

EXPIRY_CHOICES = [("30", "30 jours"), ("90", "90 jours"), ("180", "180 jours"), ("365", "1 an")]


class ApiTokenForm(DsfrBaseForm):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="Pour le reconnaître : l'outil ou la personne qui l'utilise.",
    )
    scopes = forms.MultipleChoiceField(
        label="Portées",
        widget=forms.CheckboxSelectMultiple,
        help_text="Ce que le jeton permet ; jamais plus que votre rôle.",
    )
    expires_in_days = forms.TypedChoiceField(
        label="Validité", choices=EXPIRY_CHOICES, coerce=int, initial="90"
    )

    def __init__(self, *args: Any, allowed_scopes: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [
            (value, f"{value} — {label}")
            for value, label in Scope.choices
            if value in allowed_scopes
        ]
        self.fields["scopes"].initial = [Scope.INDICATORS_READ]
