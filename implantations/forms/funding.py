"""Forms of a project's business model (issue 18): funding lines by funder, a CPF top-up
scenario, the project's services (input only: `implantations.services.funding` checks the
whole and writes)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from diagnostics.forms.dsfr import dsfr_widgets
from implantations.analytics import funding as fd
from implantations.analytics.site_services import TIME_UNITS, Service
from implantations.models import Funder

YEAR_CHOICES = [(y, f"année {y}") for y in fd.YEARS]


class DsfrForm(forms.Form):
    """Gives each widget its DSFR class (fr-input, fr-select)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._dsfr()

    def _dsfr(self) -> None:
        dsfr_widgets(self)


def _year_field(label: str, initial: int) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YEAR_CHOICES,
        coerce=int,
        initial=initial,
        error_messages={
            "invalid_choice": "Année hors de l'horizon du modèle économique (années 0 à 5)."
        },
    )


def _money(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        localize=True,
        help_text=help_text,
        error_messages={
            "min_value": "Montant négatif refusé : indiquez un montant en euros, positif ou nul.",
            "invalid": "Montant non numérique : indiquez un nombre d'euros.",
            "required": "Indiquez un montant en euros.",
            "max_digits": "Montant trop grand.",
            "max_decimal_places": "Deux décimales au plus (centimes).",
        },
    )


class FundingLineForm(DsfrForm):
    funder = forms.ChoiceField(
        label="Financeur",
        choices=Funder.choices,
        error_messages={"invalid_choice": "Financeur inconnu : choisissez-en un de la liste."},
    )
    funder_name = forms.CharField(label="Nom (facultatif)", max_length=200, required=False)
    annual_amount = _money("Montant par an (€)")
    first_year = _year_field("Première année", 1)
    last_year = _year_field("Dernière année", 3)
    conditions = forms.CharField(
        label="Conditions",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_annual_amount(self) -> Decimal:
        value: Decimal = self.cleaned_data["annual_amount"]
        if value <= 0:
            raise forms.ValidationError("Le montant annuel doit être strictement positif (€).")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_year"), data.get("last_year")
        if first is not None and last is not None and first > last:
            self.add_error(
                "last_year", f"La dernière année ({last}) précède la première ({first})."
            )
        return data


class BaseFundingFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict[str, Any]]:
        """The filled rows (a row left entirely blank is ignored)."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


FundingFormSet = forms.formset_factory(
    FundingLineForm,
    formset=BaseFundingFormSet,
    extra=2,
    can_delete=True,
    max_num=40,
    absolute_max=40,  # no more forms built than allowed, whatever TOTAL_FORMS says
)


class TopUpForm(DsfrForm):
    name = forms.CharField(label="Nom du scénario", max_length=120, required=False)
    authority = forms.CharField(
        label="Collectivité qui abonde",
        max_length=200,
        required=False,
        help_text="Ex. : Communauté d'agglomération, Région.",
    )
    rate_percent = forms.DecimalField(
        label="Taux d'abondement (% du reste à charge)",
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        localize=True,
        error_messages={
            "min_value": "Taux négatif refusé : entre 0 et 100 %%.",
            "max_value": "Taux au-delà de 100 %% refusé : entre 0 et 100 %%.",
            "invalid": "Taux non numérique : un pourcentage entre 0 et 100.",
            "required": "Indiquez le taux d'abondement (en pourcentage).",
        },
    )
    ceiling = _money("Plafond par apprenant (€)")
    learners = forms.IntegerField(
        label="Apprenants abondés par an",
        min_value=0,
        max_value=100_000,
        error_messages={
            "min_value": "Nombre négatif refusé.",
            "invalid": "Nombre entier d'apprenants attendu.",
            "required": "Indiquez le nombre d'apprenants abondés par an.",
        },
    )
    path_price = _money(
        "Prix moyen du parcours (€)",
        help_text="Reste à charge = prix − droits CPF moyens de l'apprenant (hypothèse du modèle).",
    )
    retained = forms.BooleanField(label="Retenir ce scénario pour le projet", required=False)

    def topup(self) -> fd.CpfTopUp:
        data = self.cleaned_data
        return fd.CpfTopUp(
            rate=float(data["rate_percent"]) / 100,
            ceiling=float(data["ceiling"]),
            learners=int(data["learners"]),
            path_price=float(data["path_price"]),
        )


SERVICE_FIELDS = ("staff_time", "time_unit", "direct_cost", "revenue", "reach", "conversion")


class ServicesForm(DsfrForm):
    """Six fields per service of the concept, named « <code>__<field> »."""

    def __init__(self, *args: Any, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = services
        for s in services:
            p = f"{s.code}__"
            self.fields[p + "staff_time"] = forms.DecimalField(
                label="Temps de personnel",
                min_value=Decimal(0),
                max_digits=8,
                decimal_places=2,
                localize=True,
                initial=s.staff_time,
                error_messages={"min_value": "Temps négatif refusé."},
            )
            self.fields[p + "time_unit"] = forms.ChoiceField(
                label="Unité", choices=list(TIME_UNITS.items()), initial=s.time_unit
            )
            self.fields[p + "direct_cost"] = _money("Coûts directs par an (€)")
            self.fields[p + "direct_cost"].initial = s.direct_cost
            self.fields[p + "revenue"] = _money("Recettes par an (€)")
            self.fields[p + "revenue"].initial = s.revenue
            self.fields[p + "reach"] = forms.IntegerField(
                label="Personnes reçues par an",
                min_value=0,
                initial=int(round(s.reach)),
                error_messages={"min_value": "Nombre négatif refusé."},
            )
            self.fields[p + "conversion"] = forms.DecimalField(
                label="Conversion en apprenants (%)",
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=5,
                decimal_places=1,
                localize=True,
                initial=round(s.conversion * 100, 1),
                error_messages={
                    "min_value": "Taux négatif refusé : entre 0 et 100 %%.",
                    "max_value": "Taux au-delà de 100 %% refusé.",
                },
            )
        self._dsfr()

    def rows(self) -> list[dict[str, Any]]:
        """One entry per service: the service and its bound fields, for the template."""
        return [
            {"service": s, "fields": [self[f"{s.code}__{name}"] for name in SERVICE_FIELDS]}
            for s in self.services
        ]

    def values(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for s in self.services:
            p = f"{s.code}__"
            out[s.code] = {
                "staff_time": float(self.cleaned_data[p + "staff_time"]),
                "time_unit": self.cleaned_data[p + "time_unit"],
                "direct_cost": float(self.cleaned_data[p + "direct_cost"]),
                "revenue": float(self.cleaned_data[p + "revenue"]),
                "reach": float(self.cleaned_data[p + "reach"]),
                "conversion": float(self.cleaned_data[p + "conversion"]) / 100,
            }
        return out
