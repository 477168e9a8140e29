"""Forms of a project's follow-up (issue 18): one year entered by the delegate, and the CSV
import. The rules are checked by `implantations.services.followup` (one place for the form, the
file and the API); the form only parses whole numbers."""

from __future__ import annotations

from typing import Any

from django import forms

from implantations.analytics import evaluation as ev

DSFR_INPUT = {"class": "fr-input"}
DSFR_SELECT = {"class": "fr-select"}
NUMBER = {"class": "fr-input", "inputmode": "numeric"}
INTEGER_ERRORS = {"invalid": "Nombre entier attendu."}

COUNT_HELP = {
    ev.ENROLLED: "Personnes inscrites dans l'année (elles deviennent l'effectif réel de l'année).",
    ev.COMPLETED: "Au plus le nombre d'inscrits.",
    ev.CERTIFIED: "Diplôme, titre ou certification obtenus ; au plus les parcours achevés.",
}


class FollowupForm(forms.Form):
    """One year: the learners, their situation at six months (at most the completers), the
    actual revenues and costs (whole euros) and the explanation of each line's variance."""

    # Chosen by the page's year links (the plan shown beside the amounts is that year's).
    year = forms.TypedChoiceField(
        label="Année du projet",
        coerce=int,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Année hors du projet ou pas encore commencée."},
    )
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=2000,
        widget=forms.Textarea({**DSFR_INPUT, "rows": 2}),
    )

    def __init__(self, *args: Any, years: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = years  # type: ignore[attr-defined]
        for name in ev.COUNT_FIELDS:
            self.fields[name] = forms.IntegerField(
                label=ev.FIELD_LABELS[name].capitalize(),
                required=name == ev.ENROLLED,
                help_text=COUNT_HELP.get(name, ""),
                error_messages={
                    **INTEGER_ERRORS,
                    "required": "Indiquez le nombre d'inscrits (0 si aucun).",
                },
                widget=forms.NumberInput(NUMBER),
            )
        for line, label in ev.LINES.items():
            self.fields[line] = forms.IntegerField(
                label=f"{label} (€)",
                required=False,
                error_messages={"invalid": "Montant en euros entiers attendu."},
                widget=forms.NumberInput(NUMBER),
            )
            self.fields[ev.explanation_field(line)] = forms.CharField(
                label=f"Explication de l'écart — {label}",
                required=False,
                max_length=2000,
                widget=forms.Textarea({**DSFR_INPUT, "rows": 2}),
            )

    def count_fields(self) -> list[Any]:
        return [self[name] for name in ev.LEARNER_FIELDS]

    def outcome_fields(self) -> list[Any]:
        return [self[name] for name in ev.OUTCOME_FIELDS]

    def line_rows(self, plan: dict[str, float] | None) -> list[dict[str, Any]]:
        return [
            {
                "line": line,
                "label": label,
                "kind": "recette" if line in ev.REVENUE_LINES else "coût",
                "planned": (plan or {}).get(line),
                "field": self[line],
                "explanation": self[ev.explanation_field(line)],
            }
            for line, label in ev.LINES.items()
        ]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = [
            *ev.COUNT_FIELDS,
            *ev.FINANCE_FIELDS,
            *(ev.explanation_field(line) for line in ev.FINANCE_FIELDS),
        ]
        return {name: data.get(name) for name in names}


class FollowupImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier CSV du suivi",
        help_text="Le modèle CSV téléchargeable ci-dessus : une ligne par année (colonne « annee »).",
        error_messages={"required": "Choisissez le fichier CSV à importer."},
        widget=forms.ClearableFileInput({"class": "fr-upload", "accept": ".csv,text/csv"}),
    )
