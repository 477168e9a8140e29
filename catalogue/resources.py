"""CSV / XLSX import and export of the catalogue (django-import-export), used by the admin and
by `catalogue.services.catalogue.catalogue_import`.

One line per path, French column headers; multi-valued cells are codes separated by « | »
(`presentiel|distance`, `L1X60|L1Z60`). A file is validated line by line (formats, known
sector and list values, occupation codes against the imported ROME and FAP referentials, codes
and titles unique in the file and in the catalogue) and written only if no line has an error:
the import runs in one transaction rolled back on any error, validation errors included.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from import_export.results import Result

from catalogue.models import (
    Concept,
    Modality,
    Pillar,
    Purpose,
    Sector,
    TargetPublic,
    TrainingPath,
    normalise_codes,
)
from catalogue.resource_widgets import (
    ChoiceWidget,
    CodeListWidget,
    FileLineResult,
    FrenchBooleanWidget,
    PositiveIntegerWidget,
    SectorWidget,
    StrictManyToManyWidget,
    cell_text,
)
from catalogue.selectors.catalogue import CodeReferential, code_referential, occupation_code_errors

# Column (French header) → model attribute. The first column identifies the path.
PATH_COLUMNS = {
    "code": "code",
    "intitule": "title",
    "filiere": "sector",
    "type": "certification_type",
    "code_rncp_rs": "rncp_code",
    "niveau": "level",
    "duree_heures": "duration_hours",
    "modalites": "modalities",
    "finalites": "purposes",
    "entrees_permanentes": "rolling_entries",
    "piliers": "pillars",
    "publics": "publics",
    "concepts": "concepts",
    "cpf": "cpf_eligible",
    "prerequis": "prerequisites",
    "presentation": "description",
    "metiers_bmo": "bmo_codes",
    "codes_rome": "rome_codes",
    "statut": "status",
    "illustratif": "illustrative",
}
REQUIRED_COLUMNS = ("code", "intitule", "filiere", "type", "duree_heures", "modalites")


class TrainingPathResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name="code", widget=widgets.CharWidget())
    title = fields.Field(attribute="title", column_name="intitule", widget=widgets.CharWidget())
    sector = fields.Field(
        attribute="sector", column_name="filiere", widget=SectorWidget(Sector, field="code")
    )
    certification_type = fields.Field(
        attribute="certification_type",
        column_name="type",
        widget=ChoiceWidget(TrainingPath.CertificationType.choices),
    )
    rncp_code = fields.Field(
        attribute="rncp_code", column_name="code_rncp_rs", widget=widgets.CharWidget()
    )
    level = fields.Field(
        attribute="level", column_name="niveau", widget=PositiveIntegerWidget(required=False)
    )
    duration_hours = fields.Field(
        attribute="duration_hours", column_name="duree_heures", widget=PositiveIntegerWidget()
    )
    modalities = fields.Field(
        attribute="modalities",
        column_name="modalites",
        widget=StrictManyToManyWidget(Modality, required=True, what="modalité"),
    )
    purposes = fields.Field(
        attribute="purposes",
        column_name="finalites",
        widget=StrictManyToManyWidget(Purpose, what="finalité"),
    )
    rolling_entries = fields.Field(
        attribute="rolling_entries",
        column_name="entrees_permanentes",
        widget=FrenchBooleanWidget(),
    )
    pillars = fields.Field(
        attribute="pillars",
        column_name="piliers",
        widget=StrictManyToManyWidget(Pillar, what="pilier"),
    )
    publics = fields.Field(
        attribute="publics",
        column_name="publics",
        widget=StrictManyToManyWidget(TargetPublic, what="public"),
    )
    concepts = fields.Field(
        attribute="concepts",
        column_name="concepts",
        widget=StrictManyToManyWidget(Concept, what="concept"),
    )
    cpf_eligible = fields.Field(
        attribute="cpf_eligible", column_name="cpf", widget=FrenchBooleanWidget()
    )
    prerequisites = fields.Field(
        attribute="prerequisites", column_name="prerequis", widget=widgets.CharWidget()
    )
    description = fields.Field(
        attribute="description", column_name="presentation", widget=widgets.CharWidget()
    )
    bmo_codes = fields.Field(
        attribute="bmo_codes", column_name="metiers_bmo", widget=CodeListWidget()
    )
    rome_codes = fields.Field(
        attribute="rome_codes", column_name="codes_rome", widget=CodeListWidget()
    )
    status = fields.Field(
        attribute="status",
        column_name="statut",
        widget=ChoiceWidget(TrainingPath.Status.choices),
    )
    illustrative = fields.Field(
        attribute="illustrative", column_name="illustratif", widget=FrenchBooleanWidget()
    )

    class Meta:
        model = TrainingPath
        fields = tuple(PATH_COLUMNS.values())
        import_id_fields = ("code",)
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = False
        report_skipped = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._referential: CodeReferential | None = None
        self._seen_codes: dict[str, int] = {}
        self._seen_titles: dict[str, int] = {}

    def get_result_class(self) -> type[Result]:
        return FileLineResult

    def get_queryset(self) -> Any:
        return (
            TrainingPath.objects.select_related("sector")
            .prefetch_related("modalities", "purposes", "pillars", "publics", "concepts")
            .order_by("code")
        )

    def import_data(self, dataset: Any, *args: Any, **kwargs: Any) -> Any:
        # Nothing written when any line is refused, validation errors included.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, *args, **kwargs)

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        headers = [str(h or "").strip().lower() for h in (dataset.headers or [])]
        dataset.headers = headers
        missing = [c for c in REQUIRED_COLUMNS if c not in headers]
        if missing:
            raise ValueError(
                f"Colonne(s) obligatoire(s) absente(s) : {', '.join(missing)}. Colonnes "
                f"attendues : {', '.join(PATH_COLUMNS)}."
            )
        self._referential = code_referential()
        self._seen_codes = {}
        self._seen_titles = {}

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        number = int(kwargs.get("row_number") or 0)
        code = cell_text(row.get("code")).upper()
        title = " ".join(cell_text(row.get("intitule")).split()).casefold()
        if code:
            row["code"] = code
            if code in self._seen_codes:
                raise ValueError(
                    f"Code « {code} » en double dans le fichier (déjà à la ligne "
                    f"{self._seen_codes[code] + 1})."
                )
            self._seen_codes[code] = number
        if title:
            if title in self._seen_titles:
                raise ValueError(
                    f"Intitulé « {cell_text(row.get('intitule'))} » en double dans le fichier (déjà "
                    f"à la ligne {self._seen_titles[title] + 1})."
                )
            self._seen_titles[title] = number

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        # Many-to-many values are saved after the row: check them now, with the others.
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row, **kwargs)
                except ValueError as exc:
                    errors[field.attribute] = [str(exc)]
        referential = self._referential or code_referential()
        for name, messages in occupation_code_errors(
            bmo_codes=normalise_codes(instance.bmo_codes),
            rome_codes=normalise_codes(instance.rome_codes),
            referential=referential,
        ).items():
            errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def get_export_headers(self, selected_fields: Any = None) -> list[str]:
        return [f.column_name for f in self.get_export_fields(selected_fields)]


class SectorResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name="code", widget=widgets.CharWidget())
    name = fields.Field(attribute="name", column_name="nom", widget=widgets.CharWidget())
    description = fields.Field(
        attribute="description", column_name="description", widget=widgets.CharWidget()
    )
    order = fields.Field(
        attribute="order", column_name="ordre", widget=PositiveIntegerWidget(required=False)
    )
    illustrative = fields.Field(
        attribute="illustrative", column_name="illustratif", widget=FrenchBooleanWidget()
    )

    class Meta:
        model = Sector
        fields = ("code", "name", "description", "order", "illustrative")
        import_id_fields = ("code",)
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = False

    def import_data(self, dataset: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, *args, **kwargs)

    def get_result_class(self) -> type[Result]:
        return FileLineResult

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        row["code"] = cell_text(row.get("code")).upper()
        if "ordre" in row and not cell_text(row.get("ordre")):
            row["ordre"] = "0"
