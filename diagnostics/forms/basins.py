"""Forms of the diagnostics pages. They parse and check shapes only; the rules live in the
services (which raise ApplicationError, shown back on the right field)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm

from diagnostics.models import BasinSource

_CODE_SEPARATORS = re.compile(r"[\s,;]+")
MAX_SOURCE_CODES = 2000

# Kind of territory searched for each way of building a basin (territory-search `kind`).
SEARCH_KIND_BY_SOURCE = {
    BasinSource.ZONE_EMPLOI: "zone_emploi",
    BasinSource.BASSIN_BMO: "bassin_bmo",
    BasinSource.EPCI: "epci",
    BasinSource.COMMUNES: "commune",
}


def split_codes(text: str) -> list[str]:
    """Codes typed or pasted by a user, separated by commas, semicolons, spaces or new lines;
    duplicates dropped, order kept."""
    return list(dict.fromkeys(c for c in _CODE_SEPARATORS.split(text or "") if c))


class BasinForm(DsfrBaseForm):
    """Registration of a basin. `action` is « preview » (the name may still be empty) or
    « save »."""

    source_kind = forms.ChoiceField(
        label="Construire le bassin à partir",
        choices=[
            (BasinSource.ZONE_EMPLOI, "d'une zone d'emploi INSEE 2020"),
            (BasinSource.BASSIN_BMO, "d'un bassin BMO France Travail"),
            (BasinSource.EPCI, "d'un ou plusieurs EPCI"),
            (BasinSource.COMMUNES, "d'une liste de communes"),
        ],
        initial=BasinSource.ZONE_EMPLOI,
        widget=forms.RadioSelect,
    )
    source_codes = forms.CharField(
        label="Codes",
        help_text=(
            "Code de la zone d'emploi (ex. 4404), du bassin BMO (ex. 4418), SIREN des EPCI ou "
            "codes INSEE des communes, séparés par des virgules ou des espaces."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "autocomplete": "off"}),
    )
    name = forms.CharField(
        label="Nom du bassin",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    main_town = forms.CharField(
        label="Ville principale (facultatif)",
        help_text="Code INSEE ; par défaut, la commune la plus peuplée du bassin.",
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, action: str = "preview", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action

    def clean_source_codes(self) -> list[str]:
        codes = split_codes(self.cleaned_data.get("source_codes", ""))
        if not codes:
            raise forms.ValidationError("Indiquez au moins un code.")
        if len(codes) > MAX_SOURCE_CODES:
            raise forms.ValidationError(
                f"Trop de codes ({len(codes)}) : {MAX_SOURCE_CODES} au plus."
            )
        return codes

    def clean_main_town(self) -> str:
        return (self.cleaned_data.get("main_town") or "").strip()

    def clean_name(self) -> str:
        name = " ".join((self.cleaned_data.get("name") or "").split())
        if self.action == "save" and not name:
            raise forms.ValidationError("Donnez un nom au bassin pour l'enregistrer.")
        return name

    @property
    def search_kind(self) -> str:
        kind = self.data.get("source_kind") if self.is_bound else self.initial.get("source_kind")
        try:
            return SEARCH_KIND_BY_SOURCE[BasinSource(kind or BasinSource.ZONE_EMPLOI)]
        except ValueError:
            return "zone_emploi"


class BasinShareForm(DsfrBaseForm):
    user = forms.CharField(
        label="Identifiant ou adresse électronique",
        help_text="Compte « Mairie / EPCI » de la plateforme.",
        max_length=254,
    )
