"""Forms of the basin assets page and of the business-model page (input only: the services
check and write)."""

from __future__ import annotations

from typing import Any

from django import forms

from implantations.analytics.business_model_assumptions import Assumption, default_assumptions
from implantations.analytics.funding import MAX_PEOPLE
from implantations.models import BasinPartnership, HostStructure

TRI_STATE = [("", "non renseigné"), ("oui", "oui"), ("non", "non")]


def tri_state(value: str | None) -> bool | None:
    return {"oui": True, "non": False}.get(value or "")


def tri_state_initial(value: bool | None) -> str:
    return "" if value is None else "oui" if value else "non"


class HostStructureForm(forms.Form):
    kind = forms.ChoiceField(label="Type de structure", choices=HostStructure.Kind.choices)
    name = forms.CharField(label="Nom", max_length=200)
    commune_code = forms.CharField(
        label="Commune (code INSEE)",
        max_length=5,
        required=False,
        help_text="Sa position sert au calcul de la distance à la ville principale.",
    )
    latitude = forms.FloatField(label="Latitude", required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label="Longitude", required=False, min_value=-180, max_value=180)
    voie_professionnelle = forms.BooleanField(label="Voie professionnelle", required=False)
    voie_technologique = forms.BooleanField(label="Voie technologique", required=False)
    premises_can_grow = forms.ChoiceField(
        label="Locaux extensibles en années 2 et 3",
        choices=TRI_STATE,
        required=False,
    )
    confirmed = forms.BooleanField(
        label="Partenaire confirmé (la structure peut accueillir le Cnam)",
        required=False,
        initial=True,
    )
    notes = forms.CharField(label="Remarques", max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", "Indiquez la latitude et la longitude, ou aucune.")
        if data.get("kind") == HostStructure.Kind.LYCEE and not (
            data.get("voie_professionnelle") or data.get("voie_technologique")
        ):
            self.add_error(
                "voie_professionnelle",
                "Cochez la voie professionnelle ou technologique du lycée (seuls ces lycées "
                "peuvent porter le concept clef en main).",
            )
        return data


class PartnershipForm(forms.Form):
    epci_commitment = forms.ChoiceField(
        label="Engagement de l'EPCI",
        choices=BasinPartnership.EpciCommitment.choices,
        required=False,
    )
    town_lends_premises = forms.ChoiceField(
        label="La commune prête des locaux", choices=TRI_STATE, required=False
    )
    premises_note = forms.CharField(label="Locaux : précisions", max_length=300, required=False)
    inventory_done = forms.BooleanField(
        label="Inventaire des structures d'accueil terminé",
        required=False,
        help_text="Un type de structure absent de la liste comptera alors pour 0 au lieu de "
        "« non renseigné ».",
    )
    letters_recorded = forms.BooleanField(
        label="Lettres d'intention recensées",
        required=False,
        help_text="Sans lettre, le critère comptera alors 0 au lieu de « non renseigné ».",
    )


class EmployerLetterForm(forms.Form):
    employer = forms.CharField(label="Employeur", max_length=200)
    sector = forms.CharField(label="Secteur", max_length=120, required=False)
    learners = forms.IntegerField(
        label="Apprenants ou recrutements annoncés",
        required=False,
        min_value=0,
        max_value=MAX_PEOPLE,
    )
    received_on = forms.DateField(
        label="Reçue le",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _format(value: float, decimals: int) -> str:
    if float(value).is_integer() and decimals <= 2:
        return str(int(value))
    return f"{float(value):.{max(decimals, 2)}f}".rstrip("0").rstrip(".").replace(".", ",")


def assumption_text(assumption: Assumption) -> str:
    value = assumption.value
    if isinstance(value, tuple):
        return " ; ".join(_format(v, assumption.decimals) for v in value)
    return _format(float(value), assumption.decimals)


class BusinessModelForm(forms.Form):
    """One text field per assumption of the concept (a number, or six numbers « ; »-separated
    for years 0 to 5; decimal comma accepted). Values are checked by the analytics."""

    def __init__(self, *args: Any, concept: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assumptions = default_assumptions(concept)
        for code, assumption in self.assumptions.items():
            help_text = assumption.source_label
            if assumption.per_year:
                help_text = "années 0 à 5, séparées par « ; » — " + help_text
            unit = "" if assumption.unit in ("", "part") else f" ({assumption.unit})"
            self.fields[code] = forms.CharField(
                label=f"{assumption.label}{unit}",
                required=False,
                initial=assumption_text(assumption),
                help_text=help_text,
                max_length=120,
            )

    def overrides(self) -> dict[str, str]:
        """The values typed (not blank), by assumption code."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return {code: value for code, value in data.items() if value not in (None, "")}


class ScenarioNameForm(forms.Form):
    scenario_name = forms.CharField(label="Nom du scénario", max_length=120)
