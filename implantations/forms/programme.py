"""The form of the programme targets' editor (issue 18): shapes only; the rules (open within
launched, known region and concept, national admins only) are in
`implantations.services.programme`."""

from __future__ import annotations

from typing import Any

from django import forms

from implantations.models import Concept
from implantations.models.programme import TARGET_YEAR_MAX, TARGET_YEAR_MIN

DSFR_INPUT = {"class": "fr-input"}
DSFR_SELECT = {"class": "fr-select"}


class TargetForm(forms.Form):
    year = forms.IntegerField(
        label="Année (fin d'année)",
        min_value=TARGET_YEAR_MIN,
        max_value=TARGET_YEAR_MAX,
        widget=forms.NumberInput(DSFR_INPUT),
    )
    region = forms.ChoiceField(
        label="Région", required=False, widget=forms.Select(attrs=DSFR_SELECT)
    )
    concept = forms.ChoiceField(
        label="Concept",
        required=False,
        choices=[("", "Tous les concepts"), *Concept.choices],
        widget=forms.Select(attrs=DSFR_SELECT),
    )
    sites_planned = forms.IntegerField(
        label="Projets lancés (cumul)",
        min_value=0,
        max_value=10_000,
        help_text="Projets dont l'étude a commencé, à la fin de l'année.",
        widget=forms.NumberInput(DSFR_INPUT),
    )
    sites_open = forms.IntegerField(
        label="Sites ouverts (cumul)",
        min_value=0,
        max_value=10_000,
        help_text="Sites ouverts ou auto-portés à la fin de l'année.",
        widget=forms.NumberInput(DSFR_INPUT),
    )
    note = forms.CharField(
        label="Source ou remarque",
        required=False,
        max_length=300,
        widget=forms.TextInput(DSFR_INPUT),
    )

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Tout le programme"), *regions]  # type: ignore[attr-defined]
