"""Reads for the reference-data page: how many territories are loaded, and how the last loads went."""

from dataclasses import dataclass
from pathlib import PurePath

from django.db.models import OuterRef, QuerySet, Subquery

from diagnostics.models import (
    BassinBmo,
    Commune,
    CommuneCodeChange,
    Departement,
    Epci,
    Region,
    TerritoryLoad,
    ZoneEmploi,
)


@dataclass(frozen=True)
class TerritoryCounts:
    regions: int
    departements: int
    communes: int
    communes_with_population: int
    communes_with_geometry: int
    zones_emploi: int
    zones_emploi_with_geometry: int
    bassins_bmo: int
    epci: int
    code_changes: int

    @property
    def zones_emploi_without_geometry(self) -> int:
        return self.zones_emploi - self.zones_emploi_with_geometry

    @property
    def is_empty(self) -> bool:
        return self.communes == 0 and self.regions == 0


def territory_counts() -> TerritoryCounts:
    """Counts of the territorial reference tables (one query per table, all indexed counts)."""
    return TerritoryCounts(
        regions=Region.objects.count(),
        departements=Departement.objects.count(),
        communes=Commune.objects.count(),
        communes_with_population=Commune.objects.filter(population__isnull=False).count(),
        communes_with_geometry=Commune.objects.filter(bbox_min_lon__isnull=False).count(),
        zones_emploi=ZoneEmploi.objects.count(),
        zones_emploi_with_geometry=ZoneEmploi.objects.filter(bbox_min_lon__isnull=False).count(),
        bassins_bmo=BassinBmo.objects.count(),
        epci=Epci.objects.count(),
        code_changes=CommuneCodeChange.objects.count(),
    )


def territory_load_latest_list() -> QuerySet[TerritoryLoad]:
    """The latest `TerritoryLoad` of each dataset, by dataset name."""
    latest = (
        TerritoryLoad.objects.filter(dataset=OuterRef("dataset"))
        .order_by("-started_at", "-pk")
        .values("pk")[:1]
    )
    return TerritoryLoad.objects.filter(pk=Subquery(latest)).order_by("dataset")


# French names of the datasets `load_territories` records.
DATASET_LABELS = {
    "regions": "Régions",
    "departements": "Départements",
    "epci": "EPCI",
    "zones_emploi": "Zones d'emploi",
    "bassins_bmo": "Bassins BMO",
    "communes": "Communes",
    "code_changes": "Changements de code commune",
    "commune_cells": "Contours approchés des communes",
}


def territory_dataset_label(dataset: str) -> str:
    return DATASET_LABELS.get(dataset, dataset)


# French labels of the keys `load_territories` writes in `TerritoryLoad.details`; unknown keys
# are shown as they are.
DETAIL_LABELS = {
    "created": "créés",
    "updated": "mis à jour",
    "unchanged": "inchangés",
    "with_geometry": "avec contour",
    "repaired": "contours réparés",
    "repaired_codes": "codes réparés",
    "zones_with_polygon": "zones avec polygone",
    "candidates": "communes candidates",
    "with_cell": "avec contour approché",
    "without_cell": "sans contour approché",
    "without_cell_codes": "codes sans contour",
    "simplify_degrees": "simplification (°)",
    "unknown_regions": "régions inconnues",
    "unknown_references": "références inconnues",
    "remapped": "codes remplacés (fusions de communes)",
    "unknown": "codes inconnus",
    "missing_files": "fichiers absents",
    "missing_columns": "colonnes manquantes",
    "polygons_without_zone": "polygones sans zone",
    "file_kind": "format",
    "error": "erreur",
    "code_changes": "changements de code",
    "rows_read": "lignes lues",
    "direct": "directs",
    "ignored": "ignorés",
    "conflicts": "conflits",
    "unknown_codes": "exemples de codes inconnus",
    "zones_emploi_codes": "codes de zone d'emploi",
    "bassins_bmo_codes": "codes de bassin BMO",
    "epci_codes": "codes EPCI",
    "without_population": "sans population",
    "without_latitude": "sans coordonnées",
    "without_zone_emploi_code": "sans zone d'emploi",
    "without_bassin_bmo_code": "sans bassin BMO",
    "without_epci_code": "sans EPCI",
    "bmo_files": "fichiers BMO lus",
    "bmo_only_bassins": "bassins issus des fichiers BMO (sans communes connues)",
}
# Shown elsewhere on the page (the file column) or too technical for it.
DETAIL_HIDDEN = frozenset({"files", "sha256"})
MAX_LISTED = 8


def _detail_value(value: object) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u00a0")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, list | tuple):
        shown = ", ".join(_detail_value(v) for v in value[:MAX_LISTED])
        return shown + (f"… ({len(value)})" if len(value) > MAX_LISTED else "")
    if isinstance(value, dict):
        if "count" in value:
            codes = value.get("codes") or []
            return _detail_value(value["count"]) + (f" ({_detail_value(codes)})" if codes else "")
        return ", ".join(
            f"{DETAIL_LABELS.get(k, k)} {_detail_value(v)}"
            for k, v in value.items()
            if v not in ([], {}, None, "")
        )
    return str(value)


def territory_load_detail_items(details: dict[str, object]) -> list[tuple[str, str]]:
    """`TerritoryLoad.details` as (French label, text) pairs, empty values left out."""
    return [
        (DETAIL_LABELS.get(key, key), _detail_value(value))
        for key, value in details.items()
        if key not in DETAIL_HIDDEN and value not in ([], {}, None, "")
    ]


@dataclass(frozen=True)
class TerritoryLoadRow:
    """A line of the « derniers chargements » table."""

    load: TerritoryLoad
    label: str
    file_name: str
    details: list[tuple[str, str]]


def territory_load_rows() -> list[TerritoryLoadRow]:
    """The latest load of each dataset, ready to show: French name, file name, details."""
    return [
        TerritoryLoadRow(
            load=load,
            label=territory_dataset_label(load.dataset),
            file_name=PurePath(load.source_file).name if load.source_file else "",
            details=territory_load_detail_items(load.details or {}),
        )
        for load in territory_load_latest_list()
    ]
