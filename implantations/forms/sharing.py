"""Forms of the shared diagnostic: sharing a version, commenting, proposing and reviewing a
contribution, opening a read-only link. Shapes only: the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm

from diagnostics.selectors.sharing import COMMENT_SECTIONS
from implantations.forms.assets import TRI_STATE, tri_state
from implantations.models import Contribution
from implantations.services.contributions import ContributionInput


class ShareVersionForm(DsfrBaseForm):
    run = forms.TypedChoiceField(label="Diagnostic à partager", coerce=int, choices=[])
    recipients = forms.CharField(
        label="Destinataires",
        help_text="Identifiants ou adresses électroniques de comptes de mairie, d'EPCI ou de "
        "partenaire, un par ligne ou séparés par des virgules.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    message = forms.CharField(
        label="Message",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce qui a changé, ce que vous attendez d'eux (commentaires, atouts…).",
    )

    def __init__(self, *args: Any, runs: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["run"].choices = runs  # type: ignore[attr-defined]


class CommentForm(DsfrBaseForm):
    section = forms.ChoiceField(label="Section", choices=COMMENT_SECTIONS)
    body = forms.CharField(
        label="Commentaire", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ShareLinkForm(DsfrBaseForm):
    days = forms.IntegerField(label="Valable (jours)", min_value=1, max_value=90, initial=30)
    label = forms.CharField(
        label="Pour qui", max_length=200, required=False, help_text="ex. conseil municipal"
    )


class ContributionForm(DsfrBaseForm):
    kind = forms.ChoiceField(label="Ce que vous proposez", choices=Contribution.Kind.choices)
    title = forms.CharField(
        label="Intitulé",
        max_length=200,
        help_text="ex. « Salle de l'ancienne poste, 2 rue Haute » ou « Mission locale du Val ».",
    )
    partner_kind = forms.ChoiceField(
        label="Type de partenaire (si partenaire)",
        choices=[("", "—"), *Contribution.PARTNER_KINDS],
        required=False,
    )
    surface_m2 = forms.IntegerField(label="Surface (m², si locaux)", required=False)
    available_from = forms.DateField(
        label="Disponibles à partir du (si locaux)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    premises_can_grow = forms.ChoiceField(
        label="Locaux extensibles en années 2 et 3", choices=TRI_STATE, required=False
    )
    headcount = forms.IntegerField(
        label="Apprenants ou recrutements annoncés (si employeur)", required=False
    )
    sector = forms.CharField(label="Secteur (si employeur)", max_length=120, required=False)
    amount_eur = forms.IntegerField(label="Montant en euros (si cofinancement)", required=False)
    details = forms.CharField(
        label="Précisions",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    source = forms.CharField(
        label="Source",
        max_length=300,
        help_text="D'où vient l'information : délibération, courrier, convention…",
    )
    contact = forms.CharField(
        label="Contact",
        max_length=300,
        help_text="Qui joindre pour la vérifier : nom, téléphone ou courriel.",
    )

    def to_input(self) -> ContributionInput:
        d = self.cleaned_data
        return ContributionInput(
            kind=d["kind"],
            title=d["title"],
            source=d["source"],
            contact=d["contact"],
            partner_kind=d.get("partner_kind") or "",
            surface_m2=d.get("surface_m2"),
            available_from=d.get("available_from"),
            premises_can_grow=tri_state(d.get("premises_can_grow")),
            headcount=d.get("headcount"),
            sector=d.get("sector") or "",
            amount_eur=d.get("amount_eur"),
            details=d.get("details") or "",
        )
