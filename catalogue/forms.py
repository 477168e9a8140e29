"""Forms of the catalogue: the local supply of a basin (pages), a sector and a training path
(the admin and the API's `catalogue:write` share them: the same validation)."""

from typing import Any

from django import forms

from catalogue.models import Sector, TrainingPath, normalise_codes
from catalogue.selectors.catalogue import code_referential, occupation_code_errors
from diagnostics.forms.dsfr import dsfr_widgets


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
        dsfr_widgets(self)

    def clean_bmo_codes(self) -> list[str]:
        return normalise_codes(self.cleaned_data.get("bmo_codes"))

    def clean_rome_codes(self) -> list[str]:
        return normalise_codes(self.cleaned_data.get("rome_codes"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("path") and not (cleaned.get("title") or "").strip():
            self.add_error("title", "Choisissez un parcours du catalogue ou saisissez un intitulé.")
        return cleaned


class CodeListField(forms.CharField):
    """A list of codes typed as `A|B|C` (or separated by commas or spaces)."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return " | ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return normalise_codes(super().to_python(value))


class TrainingPathForm(forms.ModelForm):
    bmo_codes = CodeListField(
        label="Métiers BMO (FAP 2021)",
        required=False,
        widget=forms.TextInput(attrs={"size": 70}),
        help_text="Codes métier BMO séparés par « | », ex. L1X60 | L1Z60 (2023).",
    )
    rome_codes = CodeListField(
        label="Codes ROME 4.0",
        required=False,
        widget=forms.TextInput(attrs={"size": 70}),
        help_text="Codes ROME séparés par « | », ex. M1203 | M1608.",
    )

    class Meta:
        model = TrainingPath
        fields = (
            "code", "title", "sector", "status", "illustrative", "certification_type",
            "rncp_code", "level", "duration_hours", "purposes", "rolling_entries", "modalities",
            "pillars", "concepts", "cpf_eligible", "publics", "prerequisites", "description", "bmo_codes", "rome_codes",
        )  # fmt: skip
        widgets = {
            "title": forms.TextInput(attrs={"size": 80}),
            "modalities": forms.CheckboxSelectMultiple,
            "purposes": forms.CheckboxSelectMultiple,
            "pillars": forms.CheckboxSelectMultiple,
            "publics": forms.CheckboxSelectMultiple,
            "concepts": forms.CheckboxSelectMultiple,
            "prerequisites": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "description": forms.Textarea(attrs={"rows": 3, "cols": 80}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        errors = occupation_code_errors(
            bmo_codes=cleaned.get("bmo_codes") or [],
            rome_codes=cleaned.get("rome_codes") or [],
            referential=code_referential(),
        )
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name, message)
        return cleaned


class SectorForm(forms.ModelForm):
    class Meta:
        model = Sector
        fields = ("code", "name", "description", "order", "illustrative")
