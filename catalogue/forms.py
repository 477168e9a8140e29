"""Forms of the catalogue pages: the local supply of a basin."""

from typing import Any

from django import forms

from catalogue.models import TrainingPath, normalise_codes


class LocalOfferForm(forms.Form):
    path = forms.ModelChoiceField(
        label="Parcours du catalogue",
        queryset=TrainingPath.objects.filter(status=TrainingPath.Status.ACTIVE).order_by(
            "sector__order", "title"
        ),
        required=False,
        empty_label="— Formation hors catalogue —",
        help_text="Ou laissez vide et saisissez un intitulé et ses métiers.",
    )
    title = forms.CharField(label="Intitulé (hors catalogue)", max_length=200, required=False)
    provider = forms.CharField(label="Organisme", max_length=200)
    is_cnam = forms.BooleanField(label="Délivrée par le Cnam", required=False)
    places_per_year = forms.IntegerField(label="Places par an", min_value=1, max_value=100_000)
    bmo_codes = forms.CharField(
        label="Métiers BMO",
        required=False,
        help_text="Codes séparés par « | » (ex. L1X60). Par défaut : ceux du parcours.",
    )
    rome_codes = forms.CharField(
        label="Codes ROME",
        required=False,
        help_text="Codes séparés par « | » (ex. M1203). Par défaut : ceux du parcours.",
    )
    source = forms.CharField(
        label="Source",
        max_length=200,
        required=False,
        help_text="D'où vient l'information (site de l'organisme, Carif-Oref, réunion…).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            css = "fr-select" if isinstance(widget, forms.Select) else "fr-input"
            widget.attrs.setdefault("class", css)

    def clean_bmo_codes(self) -> list[str]:
        return normalise_codes(self.cleaned_data.get("bmo_codes"))

    def clean_rome_codes(self) -> list[str]:
        return normalise_codes(self.cleaned_data.get("rome_codes"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("path") and not (cleaned.get("title") or "").strip():
            self.add_error("title", "Choisissez un parcours du catalogue ou saisissez un intitulé.")
        return cleaned
