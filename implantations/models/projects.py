"""Implantation projects: a delegate turns a recommendation into an implantation of the programme
in a basin, then follows it — status from study to self-financing, planned against actual
learners, partners and governance.

Who sees a project follows its basin (`diagnostics.selectors.access`): the delegates of the
basin's region and national admins manage it; a mayor's office with the basin shared reads it.
Status changes go through `implantations.services.projects.project_status_change`, which keeps
the history (`ProjectStatusChange`): forward one step at a time, or back with a reason.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from diagnostics.models.limits import NOTE_MAX_LENGTH


class Concept(models.TextChoices):
    """The three implantation concepts of « Au cœur des territoires »."""

    TURNKEY = "turnkey", "Clef en main"
    FAB_ID = "fab_id", "Fab ID (tiers-lieu)"
    PROGRESSIVE = "progressive", "Progressif"


class ProjectStatus(models.TextChoices):
    """The stages of an implantation, in order."""

    STUDY = "etude", "Étude"
    CONVENTION = "convention", "Convention"
    OPENING = "ouverture", "Ouverture"
    SELF_FINANCED = "auto_portage", "Auto-portage"


STATUS_ORDER: tuple[str, ...] = tuple(ProjectStatus.values)
# The project's field holding the date each stage was reached.
STATUS_DATE_FIELDS: dict[str, str] = {
    ProjectStatus.STUDY: "study_started_on",
    ProjectStatus.CONVENTION: "convention_signed_on",
    ProjectStatus.OPENING: "opened_on",
    ProjectStatus.SELF_FINANCED: "self_financed_on",
}
PROJECT_YEARS = range(0, 6)  # year 0 (set-up) to year 5


class ImplantationProject(models.Model):
    """An implantation of the programme in a basin, from its study to its self-financing.

    `concept` may differ from the recommended one (`recommended_concept`, copied from the
    recommendation when the project is created): `concept_reason` then says why. The date of
    each stage reached is kept on the project; `status_changes` is the full history.
    """

    basin = models.ForeignKey(
        "diagnostics.Basin",
        verbose_name="bassin",
        on_delete=models.PROTECT,
        related_name="implantation_projects",
    )
    name = models.CharField("nom du projet", max_length=200)
    concept = models.CharField("concept retenu", max_length=16, choices=Concept.choices)
    recommended_concept = models.CharField(
        "concept recommandé", max_length=16, choices=Concept.choices, blank=True
    )
    recommendation = models.ForeignKey(
        "implantations.Recommendation",
        verbose_name="recommandation d'origine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
    )
    concept_reason = models.TextField(
        "raison du choix",
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        help_text="Obligatoire quand le concept retenu diffère du concept recommandé.",
    )
    host_structure = models.CharField("structure d'accueil", max_length=200, blank=True)
    host_details = models.TextField(
        "locaux et moyens apportés", max_length=NOTE_MAX_LENGTH, blank=True
    )
    governance_name = models.CharField(
        "instance de gouvernance", max_length=200, default="Comité de pilotage"
    )
    governance_epcis = models.ManyToManyField(
        "diagnostics.Epci", verbose_name="EPCI associés", blank=True, related_name="+"
    )
    start_year = models.PositiveSmallIntegerField(
        "année 0 (année civile)", help_text="Année civile de l'année 0 (mise en place)."
    )
    status = models.CharField(
        "statut",
        max_length=16,
        choices=ProjectStatus.choices,
        default=ProjectStatus.STUDY,
        db_index=True,
    )
    study_started_on = models.DateField("étude lancée le")
    convention_signed_on = models.DateField("convention signée le", null=True, blank=True)
    opened_on = models.DateField("ouvert le", null=True, blank=True)
    self_financed_on = models.DateField("auto-porté depuis le", null=True, blank=True)
    notes = models.TextField("notes", max_length=NOTE_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "projet d'implantation"
        verbose_name_plural = "projets d'implantation"
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recommended_concept="")
                | Q(concept=models.F("recommended_concept"))
                | ~Q(concept_reason=""),
                name="project_concept_change_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def status_index(self) -> int:
        return STATUS_ORDER.index(self.status)

    @property
    def concept_differs(self) -> bool:
        return bool(self.recommended_concept) and self.recommended_concept != self.concept

    def status_date(self, status: str) -> object:
        return getattr(self, STATUS_DATE_FIELDS[status])


class ProjectStatusChange(models.Model):
    """One status change of a project: from, to, the date it took effect, who, and why (a
    reason is required to go back)."""

    project = models.ForeignKey(
        ImplantationProject, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        "statut précédent", max_length=16, choices=ProjectStatus.choices, blank=True
    )
    to_status = models.CharField("nouveau statut", max_length=16, choices=ProjectStatus.choices)
    effective_on = models.DateField("date d'effet")
    reason = models.TextField("raison", max_length=NOTE_MAX_LENGTH, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        verbose_name = "changement de statut"
        verbose_name_plural = "changements de statut"
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.project} : {self.from_status or '—'} → {self.to_status}"

    @property
    def is_backward(self) -> bool:
        return bool(self.from_status) and STATUS_ORDER.index(self.to_status) < STATUS_ORDER.index(
            self.from_status
        )


class ProjectYear(models.Model):
    """Planned and actual learners of a project's year (0 = set-up year, to 5). `actual` is
    NULL until it is known."""

    project = models.ForeignKey(ImplantationProject, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField("année", validators=[MaxValueValidator(5)])
    planned_learners = models.PositiveIntegerField("apprenants prévus", default=0)
    actual_learners = models.PositiveIntegerField("apprenants réels", null=True, blank=True)
    comment = models.CharField("commentaire", max_length=300, blank=True)

    class Meta:
        verbose_name = "année du projet"
        verbose_name_plural = "années du projet"
        ordering = ["project", "year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="project_year_unique"),
            models.CheckConstraint(condition=Q(year__lte=5), name="project_year_0_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.project} — année {self.year}"

    @property
    def gap(self) -> int | None:
        if self.actual_learners is None:
            return None
        return self.actual_learners - self.planned_learners


class ProjectPartner(models.Model):
    """A partner of a project: who, what kind, and what they commit to."""

    class Kind(models.TextChoices):
        EPCI = "epci", "EPCI / intercommunalité"
        TOWN = "commune", "Commune"
        REGION = "region", "Région"
        LYCEE = "lycee", "Lycée"
        EMPLOYMENT = "emploi", "France Travail / Mission locale"
        EMPLOYER = "employeur", "Employeur"
        CHAMBER = "chambre", "Chambre consulaire"
        OTHER = "autre", "Autre"

    project = models.ForeignKey(
        ImplantationProject, on_delete=models.CASCADE, related_name="partners"
    )
    name = models.CharField("partenaire", max_length=200)
    kind = models.CharField("type", max_length=16, choices=Kind.choices, default=Kind.OTHER)
    commitment = models.CharField("engagement", max_length=300, blank=True)
    organisation = models.ForeignKey(
        "diagnostics.Organisation",
        verbose_name="partenaire référencé",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_partners",
        help_text="L'organisation de la liste des partenaires (type, contacts), quand elle y est.",
    )

    class Meta:
        verbose_name = "partenaire"
        ordering = ["project", "name"]

    def __str__(self) -> str:
        return self.name


class GovernanceMember(models.Model):
    """A member of a project's governance body (comité de pilotage)."""

    project = models.ForeignKey(
        ImplantationProject, on_delete=models.CASCADE, related_name="governance_members"
    )
    name = models.CharField("nom", max_length=200)
    organisation = models.CharField("organisation", max_length=200, blank=True)
    function = models.CharField("fonction", max_length=200, blank=True)

    class Meta:
        verbose_name = "membre de la gouvernance"
        verbose_name_plural = "membres de la gouvernance"
        ordering = ["project", "name"]

    def __str__(self) -> str:
        return self.name
