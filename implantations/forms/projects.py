"""Forms of the implantation projects and of the regional planning page. They only read and
check the input; the rules (reason for a different concept, status transitions, learners) are
in `implantations.services.projects` and `implantations.services.planning`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory

from diagnostics.models import Basin, Epci
from diagnostics.models.limits import NOTE_MAX_LENGTH
from implantations.analytics import planning_fit as pfit
from implantations.analytics.funding import MAX_PEOPLE
from implantations.models import Concept, ProjectPartner, ProjectStatus
from implantations.models.projects import PROJECT_YEARS

DSFR_INPUT = {"class": "fr-input"}
DSFR_SELECT = {"class": "fr-select"}
# Decimal numbers typed the French way (« 0,3 », « 40 »): a text input, the form localized.
DSFR_DECIMAL = {"class": "fr-input", "inputmode": "decimal"}


class ProjectForm(forms.Form):
    """Description of a project. `basin` is only asked at creation."""

    basin = forms.ModelChoiceField(
        label="Bassin",
        queryset=Basin.objects.none(),
        widget=forms.Select(attrs=DSFR_SELECT),
        empty_label="— choisir un bassin —",
    )
    name = forms.CharField(
        label="Nom du projet", max_length=200, widget=forms.TextInput(DSFR_INPUT)
    )
    concept = forms.ChoiceField(
        label="Concept retenu", choices=Concept.choices, widget=forms.RadioSelect
    )
    concept_reason = forms.CharField(
        label="Raison du choix",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text="Obligatoire si le concept retenu diffère du concept recommandé.",
        widget=forms.Textarea(attrs={"class": "fr-input", "rows": 3}),
    )
    host_structure = forms.CharField(
        label="Structure d'accueil",
        required=False,
        max_length=200,
        help_text="Lycée, tiers-lieu, campus, pôle d'entreprises…",
        widget=forms.TextInput(DSFR_INPUT),
    )
    host_details = forms.CharField(
        label="Locaux et moyens apportés",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"class": "fr-input", "rows": 3}),
    )
    governance_name = forms.CharField(
        label="Instance de gouvernance",
        max_length=200,
        initial="Comité de pilotage",
        widget=forms.TextInput(DSFR_INPUT),
    )
    governance_epcis = forms.ModelMultipleChoiceField(
        label="EPCI associés à la gouvernance",
        queryset=Epci.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_year = forms.IntegerField(
        label="Année 0 (année civile de mise en place)",
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(DSFR_INPUT),
    )
    study_started_on = forms.DateField(
        label="Étude lancée le",
        widget=forms.DateInput(attrs={**DSFR_INPUT, "type": "date"}, format="%Y-%m-%d"),
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"class": "fr-input", "rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        basins: Any = None,
        epcis: Any = None,
        creating: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            basin_field = self.fields["basin"]
            assert isinstance(basin_field, forms.ModelChoiceField)
            basin_field.queryset = basins if basins is not None else Basin.objects.none()
        else:
            del self.fields["basin"]
            del self.fields["study_started_on"]
        epci_field = self.fields["governance_epcis"]
        assert isinstance(epci_field, forms.ModelMultipleChoiceField)
        epci_field.queryset = epcis if epcis is not None else Epci.objects.none()


class PartnerForm(forms.Form):
    name = forms.CharField(
        label="Partenaire", max_length=200, required=False, widget=forms.TextInput(DSFR_INPUT)
    )
    kind = forms.ChoiceField(
        label="Type",
        choices=ProjectPartner.Kind.choices,
        initial=ProjectPartner.Kind.OTHER,
        widget=forms.Select(attrs=DSFR_SELECT),
    )
    commitment = forms.CharField(
        label="Engagement", max_length=300, required=False, widget=forms.TextInput(DSFR_INPUT)
    )
    organisation = forms.ChoiceField(
        label="Partenaire référencé",
        required=False,
        help_text="Dans la liste des partenaires (type, contacts) ; le nom peut rester vide.",
        widget=forms.Select(attrs=DSFR_SELECT),
    )

    def __init__(
        self, *args: Any, organisations: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [  # type: ignore[attr-defined]
            ("", "— aucun —"),
            *(organisations or []),
        ]


class MemberForm(forms.Form):
    name = forms.CharField(
        label="Nom", max_length=200, required=False, widget=forms.TextInput(DSFR_INPUT)
    )
    organisation = forms.CharField(
        label="Organisation", max_length=200, required=False, widget=forms.TextInput(DSFR_INPUT)
    )
    function = forms.CharField(
        label="Fonction", max_length=200, required=False, widget=forms.TextInput(DSFR_INPUT)
    )


# absolute_max: Django reads up to max_num + 1,000 forms from the posted TOTAL_FORMS by default;
# a posted count of 999,999 built and rendered a thousand empty lines (12–40 s, fuzzing).
PartnerFormSet = formset_factory(
    PartnerForm, extra=2, max_num=30, absolute_max=30, validate_max=True
)
MemberFormSet = formset_factory(MemberForm, extra=2, max_num=30, absolute_max=30, validate_max=True)


class ProjectStatusForm(forms.Form):
    to_status = forms.ChoiceField(
        label="Nouvelle étape",
        choices=ProjectStatus.choices,
        widget=forms.Select(attrs=DSFR_SELECT),
    )
    effective_on = forms.DateField(
        label="Date d'effet",
        widget=forms.DateInput(attrs={**DSFR_INPUT, "type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label="Raison",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text="Obligatoire pour revenir à une étape précédente.",
        widget=forms.Textarea(attrs={"class": "fr-input", "rows": 2}),
    )


class LearnersForm(forms.Form):
    """Planned and actual learners of years 0 to 5 (fields planned_N, actual_N, comment_N)."""

    def __init__(self, *args: Any, start_year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_year = start_year
        for year in PROJECT_YEARS:
            label = f"année {year} ({start_year + year})"
            self.fields[f"planned_{year}"] = forms.IntegerField(
                label=f"Prévus, {label}",
                min_value=0,
                max_value=MAX_PEOPLE,
                widget=forms.NumberInput(attrs={**DSFR_INPUT, "min": 0}),
            )
            self.fields[f"actual_{year}"] = forms.IntegerField(
                label=f"Réels, {label}",
                min_value=0,
                max_value=MAX_PEOPLE,
                required=False,
                widget=forms.NumberInput(attrs={**DSFR_INPUT, "min": 0}),
            )
            self.fields[f"comment_{year}"] = forms.CharField(
                label=f"Commentaire, {label}",
                max_length=300,
                required=False,
                widget=forms.TextInput(DSFR_INPUT),
            )

    def rows(self) -> list[dict[str, Any]]:
        """One dict per year: year, calendar year and the three bound fields."""
        return [
            {
                "year": year,
                "calendar_year": self.start_year + year,
                "planned": self[f"planned_{year}"],
                "actual": self[f"actual_{year}"],
                "comment": self[f"comment_{year}"],
            }
            for year in PROJECT_YEARS
        ]


SOURCE_CHOICES = [
    ("zone_emploi", "Zones d'emploi"),
    ("bassin_bmo", "Bassins BMO"),
    ("registered", "Bassins enregistrés"),
]


def _optional_decimal(label: str) -> forms.FloatField:
    """An optional amount or weight (≥ 0), typed the French way."""
    return forms.FloatField(
        label=label, min_value=0, required=False, localize=True,
        widget=forms.TextInput(attrs=DSFR_DECIMAL),
    )  # fmt: skip


class PlanningForm(forms.Form):
    """Parameters of the regional planning page (GET)."""

    region = forms.ChoiceField(
        label="Région",
        widget=forms.Select(attrs=DSFR_SELECT),
        error_messages={
            "required": "Choisissez une région : la planification se calcule région par région.",
            "invalid_choice": "Région inconnue ou hors de votre périmètre : choisissez-en une "
            "dans la liste.",
        },
    )
    source = forms.ChoiceField(
        label="Candidats",
        choices=SOURCE_CHOICES,
        initial="zone_emploi",
        widget=forms.Select(attrs=DSFR_SELECT),
    )
    n = forms.IntegerField(
        label="Nombre de sites",
        min_value=1,
        max_value=50,
        initial=5,
        widget=forms.NumberInput(DSFR_INPUT),
    )
    budget = forms.FloatField(
        label="Budget (€)",
        required=False,
        min_value=0,
        help_text="Aide publique totale disponible ; vide : sans limite.",
        localize=True,
        widget=forms.TextInput(attrs=DSFR_DECIMAL),
    )
    min_km = forms.FloatField(
        label="Distance minimale (km)",
        help_text="entre deux sites",
        min_value=0,
        max_value=500,
        initial=40,
        localize=True,
        widget=forms.TextInput(attrs=DSFR_DECIMAL),
    )
    cost_turnkey = _optional_decimal("Coût d'un site clef en main (€)")
    cost_fab_id = _optional_decimal("Coût d'un site Fab ID (€)")
    cost_progressive = _optional_decimal("Coût d'un site progressif (€)")
    w_eligibility = _optional_decimal("Poids de l'éligibilité")
    w_need = _optional_decimal("Poids du besoin")
    w_access = _optional_decimal("Poids de l'éloignement")

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # « 262 525 » copied from a page (narrow no-break space) reads like « 262 525 ».
            self.data = {
                key: value.replace("\u202f", "") if isinstance(value, str) else value
                for key, value in self.data.items()
            }
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ChoiceField)
        region_field.choices = regions

    def fit_weights(self) -> pfit.FitWeights:
        """The weights typed in (valid form), the default for each one left empty."""
        data, defaults = self.cleaned_data, pfit.FitWeights()
        return pfit.FitWeights(
            eligibility=data["w_eligibility"]
            if data["w_eligibility"] is not None
            else defaults.eligibility,
            need=data["w_need"] if data["w_need"] is not None else defaults.need,
            access=data["w_access"] if data["w_access"] is not None else defaults.access,
        )

    def site_costs(self) -> dict[str, float]:
        """{concept: cost of one site} for the costs typed in (valid form)."""
        return {
            concept: self.cleaned_data[f"cost_{concept}"]
            for concept in ("turnkey", "fab_id", "progressive")
            if self.cleaned_data.get(f"cost_{concept}") is not None
        }
