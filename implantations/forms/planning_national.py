"""Parameters of the national planning page (GET): the regional planning's form without the
region, with the zoning and whether registered basins are candidates too."""

from __future__ import annotations

from typing import Any

from django import forms

from diagnostics.selectors.national import ZONING_LABELS
from implantations.forms.projects import DSFR_INPUT, DSFR_SELECT, PlanningForm

CANDIDATES_ALL = "tous"
CANDIDATES_REFERENCE = "reference"
CANDIDATE_CHOICES = [
    (CANDIDATES_ALL, "Bassins de référence et bassins enregistrés"),
    (CANDIDATES_REFERENCE, "Bassins de référence seulement"),
]
NATIONAL_MAX_SITES = 200


class NationalPlanningForm(PlanningForm):
    region = None  # type: ignore[assignment]
    source = None  # type: ignore[assignment]
    zoning = forms.ChoiceField(
        label="Zonage",
        choices=list(ZONING_LABELS.items()),
        initial="zone_emploi",
        widget=forms.Select(attrs=DSFR_SELECT),
        error_messages={
            "invalid_choice": "Zonage inconnu : choisissez zones d'emploi, bassins BMO ou EPCI."
        },
    )
    candidates = forms.ChoiceField(
        label="Candidats",
        choices=CANDIDATE_CHOICES,
        initial=CANDIDATES_ALL,
        widget=forms.Select(attrs=DSFR_SELECT),
    )
    n = forms.IntegerField(
        label="Nombre de sites",
        min_value=1,
        max_value=NATIONAL_MAX_SITES,
        initial=10,
        widget=forms.NumberInput(DSFR_INPUT),
    )
    field_order = ["zoning", "candidates", "n", "budget", "min_km"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        forms.Form.__init__(self, *args, **kwargs)
        if self.is_bound:
            # « 262 525 » copied from a page (narrow no-break space) reads like « 262 525 ».
            self.data = {
                key: value.replace("\u202f", "") if isinstance(value, str) else value
                for key, value in self.data.items()
            }
