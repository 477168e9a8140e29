"""Writes of the catalogue: loading the illustrative catalogue, importing a CSV / XLSX file, and
recording the local supply of a basin. All or nothing, with French errors saying what and where.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from catalogue.models import (
    CHOICES,
    Concept,
    LocalOffer,
    Modality,
    Pillar,
    Purpose,
    Sector,
    TargetPublic,
    TrainingPath,
    normalise_codes,
)
from catalogue.resource_widgets import csv_dataset
from catalogue.resources import TrainingPathResource
from catalogue.selectors.catalogue import code_referential, occupation_code_errors
from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, User
from diagnostics.selectors.access import basin_manageable_for

FIXTURE_PATH = Path(settings.BASE_DIR) / "fixtures" / "catalogue_illustratif.json"


class CatalogueError(ApplicationError):
    code = "catalogue_error"


# --- Import of a CSV / XLSX file --------------------------------------------------------------


@dataclass(frozen=True)
class LineError:
    """An error of the file: its line (1 = header), its column (blank for the whole line) and
    the message."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" if self.line else "fichier"
        return f"{where}{f', colonne {self.column}' if self.column else ''} : {self.message}"


@dataclass
class CatalogueImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[LineError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


ATTRIBUTE_COLUMNS = {
    "code": "code",
    "title": "intitule",
    "sector": "filiere",
    "certification_type": "type",
    "rncp_code": "code_rncp_rs",
    "level": "niveau",
    "duration_hours": "duree_heures",
    "modalities": "modalites",
    "purposes": "finalites",
    "rolling_entries": "entrees_permanentes",
    "pillars": "piliers",
    "publics": "publics",
    "concepts": "concepts",
    "cpf_eligible": "cpf",
    "prerequisites": "prerequis",
    "description": "presentation",
    "bmo_codes": "metiers_bmo",
    "rome_codes": "codes_rome",
    "status": "statut",
    "illustrative": "illustratif",
}


def import_result_errors(result: Any) -> list[LineError]:
    """Line-level errors of an import-export `Result` (numbered as file lines, header = line 1,
    by `FileLineResult`)."""
    if result.base_errors:
        # A file-level error (missing columns…): the line errors would only be its echoes.
        return [LineError(0, "", str(error.error)) for error in result.base_errors]
    errors: list[LineError] = []
    for number, row_errors in result.row_errors():
        for error in row_errors:
            errors.append(LineError(number, "", str(error.error)))
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = ATTRIBUTE_COLUMNS.get(attribute, "" if attribute == "__all__" else attribute)
            for message in messages:
                errors.append(LineError(invalid.number, column, str(message)))
    # The same format error may come from the import and from the model's clean(): once.
    return sorted(dict.fromkeys(errors), key=lambda e: (e.line, e.column))


def catalogue_import(
    *, content: bytes | str, file_format: str, dry_run: bool = False
) -> CatalogueImportReport:
    """Import paths from a CSV (UTF-8, `,` or `;`) or XLSX file laid out like the export.

    Every line is validated; if any is refused nothing is written and the report lists the
    errors by line and column. Raises CatalogueError for an unreadable file.
    """
    file_format = file_format.lower().lstrip(".")
    try:
        if file_format == "csv":
            dataset = csv_dataset(content)
        elif file_format == "xlsx":
            raw = content if isinstance(content, bytes) else content.encode()
            dataset = tablib.Dataset().load(raw, format="xlsx")
        else:
            raise CatalogueError(f"Format non pris en charge : « {file_format} » (csv ou xlsx).")
    except CatalogueError:
        raise
    except Exception as exc:
        raise CatalogueError(f"Fichier illisible ({file_format}) : {exc}") from exc
    resource = TrainingPathResource()
    result = resource.import_data(
        dataset, dry_run=dry_run, raise_errors=False, use_transactions=True
    )
    report = CatalogueImportReport(
        rows=result.total_rows,
        errors=import_result_errors(result),
        notes=list(code_referential().notes),
    )
    if report.ok:
        report.created = result.totals.get("new", 0)
        report.updated = result.totals.get("update", 0)
    return report


def catalogue_export(*, file_format: str = "csv") -> bytes:
    """The whole catalogue in the import layout (CSV UTF-8 or XLSX)."""
    dataset = TrainingPathResource().export()
    if file_format == "xlsx":
        return dataset.export("xlsx")
    return dataset.export("csv").encode("utf-8")


# --- The illustrative catalogue ---------------------------------------------------------------


@dataclass
class FixtureReport:
    sectors: int = 0
    paths: int = 0
    created: int = 0
    updated: int = 0  # changed since the previous load (unchanged paths are not saved)
    notes: list[str] = field(default_factory=list)


def _m2m(model: Any, codes: list[str], *, what: str, where: str, errors: list[str]) -> list[Any]:
    found = {obj.code: obj for obj in model.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        errors.append(f"{where} : {what} inconnu(s) : {', '.join(unknown)}.")
    return [found[c] for c in codes if c in found]


def catalogue_choices_ensure() -> None:
    """Create the fixed lists (modalities, pillars, publics, concepts) that are missing; the
    labels and order edited in the admin are kept."""
    models: dict[str, Any] = {
        "Modality": Modality,
        "Purpose": Purpose,
        "Pillar": Pillar,
        "TargetPublic": TargetPublic,
        "Concept": Concept,
    }
    for name, items in CHOICES.items():
        model = models[name]
        existing = set(model.objects.values_list("code", flat=True))
        model.objects.bulk_create(
            [
                model(code=code, label=label, order=order)
                for order, (code, label) in enumerate(items, start=1)
                if code not in existing
            ]
        )


def _unchanged(path: TrainingPath, values: dict[str, Any], links: dict[str, list[Any]]) -> bool:
    if any(getattr(path, key) != value for key, value in values.items()):
        return False
    return all(
        set(getattr(path, name).values_list("code", flat=True)) == {o.code for o in objects}
        for name, objects in links.items()
    )


@transaction.atomic
def catalogue_load_fixture(*, path: Path | None = None) -> FixtureReport:
    """Load (or bring back) the illustrative catalogue of `fixtures/catalogue_illustratif.json`.

    Idempotent: sectors and paths are matched by code and updated; paths that are not in the
    file are left alone. Codes are checked against the imported referentials (format only when
    they are not loaded). Any error: nothing is written, the error names the path.
    """
    source = path or FIXTURE_PATH
    try:
        data = json.loads(Path(source).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogueError(f"Catalogue illustratif illisible ({source}) : {exc}") from exc
    illustrative = bool(data.get("illustrative", True))
    catalogue_choices_ensure()
    report = FixtureReport()
    sectors: dict[str, Sector] = {}
    for order, item in enumerate(data.get("sectors", []), start=1):
        sector_values = {
            "name": item["name"],
            "description": item.get("description", ""),
            "order": item.get("order", order),
            "illustrative": illustrative,
        }
        sector = Sector.objects.filter(code=item["code"]).first()
        if sector is None:
            sector = Sector.objects.create(code=item["code"], **sector_values)
        elif any(getattr(sector, k) != v for k, v in sector_values.items()):
            # Saved only when something changed: a re-run adds nothing to the history.
            for key, value in sector_values.items():
                setattr(sector, key, value)
            sector.save()
        sectors[sector.code] = sector
        report.sectors += 1

    referential = code_referential()
    report.notes = list(referential.notes)
    errors: list[str] = []
    for item in data.get("paths", []):
        where = f"Parcours {item.get('code', '?')} « {item.get('title', '?')} »"
        sector = (
            sectors.get(item.get("sector", ""))
            or Sector.objects.filter(code=item.get("sector", "")).first()
        )
        if sector is None:
            errors.append(f"{where} : filière inconnue « {item.get('sector')} ».")
            continue
        bmo, rome = normalise_codes(item.get("bmo", [])), normalise_codes(item.get("rome", []))
        for messages in occupation_code_errors(
            bmo_codes=bmo, rome_codes=rome, referential=referential
        ).values():
            errors.extend(f"{where} : {m}" for m in messages)
        values: dict[str, Any] = {
            "title": item["title"],
            "sector_id": sector.pk,
            "certification_type": item["type"],
            "rncp_code": item.get("rncp", ""),
            "level": item.get("level"),
            "duration_hours": item["hours"],
            "cpf_eligible": bool(item.get("cpf", True)),
            "rolling_entries": bool(item.get("rolling", False)),
            "prerequisites": item.get("prerequisites", ""),
            "description": item.get("description", ""),
            "bmo_codes": bmo,
            "rome_codes": rome,
            "status": item.get("status", TrainingPath.Status.ACTIVE),
            "illustrative": illustrative,
        }
        links = {
            "modalities": _m2m(
                Modality, item["modalities"], what="modalité", where=where, errors=errors
            ),
            "purposes": _m2m(
                Purpose, item.get("purposes", []), what="finalité", where=where, errors=errors
            ),
            "pillars": _m2m(
                Pillar, item.get("pillars", []), what="pilier", where=where, errors=errors
            ),
            "publics": _m2m(
                TargetPublic, item.get("publics", []), what="public", where=where, errors=errors
            ),
            "concepts": _m2m(
                Concept, item.get("concepts", []), what="concept", where=where, errors=errors
            ),
        }
        path_obj = TrainingPath.objects.filter(code=item["code"]).first()
        created = path_obj is None
        report.paths += 1
        if path_obj is not None and _unchanged(path_obj, values, links):
            continue  # a re-run adds nothing to the history
        path_obj = path_obj or TrainingPath(code=item["code"])
        for key, value in values.items():
            setattr(path_obj, key, value)
        try:
            path_obj.full_clean()
        except ValidationError as exc:
            errors.extend(f"{where} : {m}" for m in exc.messages)
            continue
        path_obj.save()
        for name, objects in links.items():
            getattr(path_obj, name).set(objects)
        report.created += int(created)
        report.updated += int(not created)
    if errors:
        raise CatalogueError(
            "Catalogue illustratif refusé, rien n'a été écrit : " + " ; ".join(errors),
            extra={"errors": errors},
        )
    return report


def catalogue_demo_load(*, say: Callable[[str], None]) -> None:
    """The catalogue's step of `manage.py demo` (registered in CatalogueConfig.ready())."""
    loaded = catalogue_load_fixture()
    say(f"catalogue illustratif : {loaded.paths} parcours dans {loaded.sectors} filières")


# --- Local supply -----------------------------------------------------------------------------


def _manageable_basin(*, basin_id: int, user: User) -> Basin:
    basin = basin_manageable_for(user).filter(pk=basin_id).first()
    if basin is None:
        raise CatalogueError(
            "Bassin introuvable ou hors de vos régions : vous ne pouvez pas modifier son offre "
            "locale.",
            code="basin_not_found",
        )
    return basin


def local_offer_create(
    *,
    basin_id: int,
    user: User,
    provider: str,
    places_per_year: int,
    path: TrainingPath | None = None,
    title: str = "",
    is_cnam: bool = False,
    bmo_codes: Any = (),
    rome_codes: Any = (),
    source: str = "",
) -> LocalOffer:
    """Record a training delivered in or near a basin the user manages.

    Raises CatalogueError (basin out of reach) or ValidationError (fields, codes unknown to the
    referentials), nothing written."""
    basin = _manageable_basin(basin_id=basin_id, user=user)
    offer = LocalOffer(
        basin=basin,
        path=path,
        title=(title or "").strip(),
        provider=(provider or "").strip(),
        is_cnam=is_cnam,
        bmo_codes=normalise_codes(bmo_codes),
        rome_codes=normalise_codes(rome_codes),
        places_per_year=places_per_year,
        source=(source or "").strip(),
        created_by=user,
    )
    offer.full_clean()
    errors = occupation_code_errors(
        bmo_codes=offer.bmo_codes, rome_codes=offer.rome_codes, referential=code_referential()
    )
    if errors:
        raise ValidationError(errors)
    offer.save()
    return offer


def local_offer_delete(*, offer_id: int, basin_id: int, user: User) -> None:
    basin = _manageable_basin(basin_id=basin_id, user=user)
    deleted, _ = LocalOffer.objects.filter(pk=offer_id, basin=basin).delete()
    if not deleted:
        raise CatalogueError("Offre locale introuvable pour ce bassin.", code="offer_not_found")
