"""Forms of the partners pages (issue 18): filters of the list, an organisation and its
contacts. Shapes only: the rules are in `diagnostics.services.partners`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory

from diagnostics.models import Organisation
from diagnostics.models.limits import NOTE_MAX_LENGTH

DSFR_INPUT = {"class": "fr-input"}
DSFR_SELECT = {"class": "fr-select"}


class PartnerFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[("", "Tous les types"), *Organisation.Kind.choices],
        widget=forms.Select(attrs=DSFR_SELECT),
    )
    region = forms.ChoiceField(
        label="Région", required=False, widget=forms.Select(attrs=DSFR_SELECT)
    )
    q = forms.CharField(
        label="Nom, commune ou contact",
        required=False,
        max_length=100,
        widget=forms.TextInput(DSFR_INPUT),
    )

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            ("", "Toutes"),
            ("national", "Partenaires nationaux"),
            *regions,
        ]


class OrganisationForm(forms.Form):
    name = forms.CharField(label="Nom", max_length=200, widget=forms.TextInput(DSFR_INPUT))
    kind = forms.ChoiceField(
        label="Type", choices=Organisation.Kind.choices, widget=forms.Select(attrs=DSFR_SELECT)
    )
    region = forms.ChoiceField(
        label="Région", required=False, widget=forms.Select(attrs=DSFR_SELECT)
    )
    commune_code = forms.CharField(
        label="Commune (code INSEE)",
        max_length=5,
        required=False,
        help_text="Où se trouve la structure : elle compte alors parmi les partenaires des "
        "bassins qui contiennent cette commune (lycée partenaire, lieu partagé).",
        widget=forms.TextInput(DSFR_INPUT),
    )
    address = forms.CharField(
        label="Adresse", max_length=300, required=False, widget=forms.TextInput(DSFR_INPUT)
    )
    website = forms.CharField(
        label="Site internet", max_length=200, required=False, widget=forms.TextInput(DSFR_INPUT)
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"class": "fr-input", "rows": 3}),
    )

    def __init__(
        self, *args: Any, regions: list[tuple[str, str]], national: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "— partenaire national —")] if national else []
        self.fields["region"].choices = [*choices, *regions]  # type: ignore[attr-defined]
        self.fields["region"].required = not national


class ContactForm(forms.Form):
    name = forms.CharField(
        label="Nom", max_length=200, required=False, widget=forms.TextInput(DSFR_INPUT)
    )
    role = forms.CharField(
        label="Fonction", max_length=200, required=False, widget=forms.TextInput(DSFR_INPUT)
    )
    email = forms.CharField(
        label="Adresse électronique",
        max_length=254,
        required=False,
        widget=forms.TextInput({**DSFR_INPUT, "type": "email", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label="Téléphone",
        max_length=30,
        required=False,
        widget=forms.TextInput({**DSFR_INPUT, "type": "tel", "autocomplete": "off"}),
    )


# absolute_max: no more forms built than allowed, whatever TOTAL_FORMS says (see
# implantations/forms/projects.py).
ContactFormSet = formset_factory(
    ContactForm, extra=2, max_num=20, absolute_max=20, validate_max=True
)
