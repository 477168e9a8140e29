"""Upload form of the dataset imports. It checks the shape of the request only (a file is there,
its size, its extension); reading and validating the file is the import service's job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from dsfr.forms import DsfrBaseForm

ACCEPTED_EXTENSIONS = (".xlsx", ".csv")
AUTO = ""
OPTION_PREFIX = "option_"


def _short(label: str) -> str:
    """« BMO — besoins en main-d'œuvre (France Travail) » → « BMO »."""
    return label.split(" — ")[0].split(" (")[0]


class ImportUploadForm(DsfrBaseForm):
    file = forms.FileField(
        label="Fichier",
        help_text="Le fichier tel que publié : classeur Excel (.xlsx) ou CSV.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
    )
    kind = forms.ChoiceField(
        label="Type de données",
        required=False,
        help_text="Par défaut, le type est reconnu dans le fichier (feuilles, colonnes).",
    )
    vintage = forms.CharField(
        label="Millésime",
        required=False,
        max_length=100,
        help_text="Facultatif : lu dans le fichier quand c'est possible (ex. 2025, 2023-T3).",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(
        self,
        *args: Any,
        kinds: list[tuple[str, str]],
        allow_auto: bool = True,
        options: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = list(kinds)
        if allow_auto:
            choices.insert(0, (AUTO, "Détection automatique"))
        self.fields["kind"].choices = choices
        self.fields["kind"].required = not allow_auto
        # One checkbox per importer option (the same key may serve several kinds).
        labels = dict(kinds)
        by_key: dict[str, list[tuple[str, str]]] = {}
        for kind, key, label in options:
            if kind in labels:
                by_key.setdefault(key, []).append((kind, label))
        for key, uses in by_key.items():
            kinds_text = ", ".join(_short(labels[k]) for k, _ in uses)
            self.fields[f"{OPTION_PREFIX}{key}"] = forms.BooleanField(
                label=f"{kinds_text} : {uses[0][1]}", required=False
            )

    @property
    def option_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith(OPTION_PREFIX)]

    def chosen_options(self) -> dict[str, bool]:
        """Options ticked, as the import service expects them ({key: True})."""
        return {
            name.removeprefix(OPTION_PREFIX): True
            for name in self.fields
            if name.startswith(OPTION_PREFIX) and self.cleaned_data.get(name)
        }

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in ACCEPTED_EXTENSIONS:
            raise forms.ValidationError(
                f"Extension « {suffix or '(aucune)'} » non prise en charge : "
                "formats acceptés .xlsx et .csv."
            )
        limit_mb = settings.IMPORT_MAX_FILE_MB
        if upload.size > limit_mb * 1024 * 1024:
            raise forms.ValidationError(
                f"Le fichier fait {upload.size / 1024 / 1024:.1f} Mo, au-delà de la limite de "
                f"{limit_mb} Mo."
            )
        if upload.size == 0:
            raise forms.ValidationError("Le fichier est vide.")
        return upload
