"""Factories for the catalogue: sectors, paths (with their many-to-many lists by code), local
offers, and a done diagnostic run carrying the tables the gap reads."""

from __future__ import annotations

from typing import Any, cast

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from catalogue.models import (
    Concept,
    LocalOffer,
    Modality,
    Pillar,
    Purpose,
    Sector,
    TargetPublic,
    TrainingPath,
)
from diagnostics.models import Basin, BasinSource, Commune, DiagnosticRun, Region
from tests.factories.diagnostics import CommuneFactory, DepartementFactory, RegionFactory


class SectorFactory(DjangoModelFactory[Sector]):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n:02d}")
    name = factory.Sequence(lambda n: f"Filière {n}")
    order = factory.Sequence(lambda n: n)


def _set_codes(model: Any, manager: Any, codes: Any) -> None:
    if codes is None:
        return
    manager.set(model.objects.filter(code__in=list(codes)))


class TrainingPathFactory(DjangoModelFactory[TrainingPath]):
    """A path; many-to-many lists are given as codes: modalities=["presentiel"]."""

    class Meta:
        model = TrainingPath
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"P-{n:03d}")
    title = factory.Sequence(lambda n: f"Parcours {n}")
    sector = factory.SubFactory(SectorFactory)
    certification_type = TrainingPath.CertificationType.RNCP_TITLE
    level = 5
    duration_hours = 600
    cpf_eligible = True
    bmo_codes = factory.LazyFunction(list)
    rome_codes = factory.LazyFunction(list)

    @factory.post_generation
    def modalities(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            _set_codes(Modality, self.modalities, extracted or ["presentiel"])

    @factory.post_generation
    def purposes(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            _set_codes(Purpose, self.purposes, extracted)

    @factory.post_generation
    def pillars(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            _set_codes(Pillar, self.pillars, extracted)

    @factory.post_generation
    def publics(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            _set_codes(TargetPublic, self.publics, extracted)

    @factory.post_generation
    def concepts(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            _set_codes(Concept, self.concepts, extracted)


def make_path(**kwargs: Any) -> TrainingPath:
    return cast(TrainingPath, TrainingPathFactory(**kwargs))


def make_basin(
    name: str = "Bassin de Chaumont",
    *,
    region: Region | None = None,
    communes: list[Commune] | None = None,
) -> Basin:
    """A basin of given communes (default: one commune of 42,000 inhabitants), geometry left
    aside (the catalogue does not use it)."""
    region = region or cast(Region, RegionFactory(code="44", name="Grand Est"))
    if communes is None:
        departement = DepartementFactory(code="52", region=region)
        communes = [
            cast(
                Commune,
                CommuneFactory(
                    code="52121",
                    name="Chaumont",
                    departement=departement,
                    region=region,
                    population=42_000,
                ),
            )
        ]
    basin = Basin.objects.create(
        name=name,
        region=region,
        source_kind=BasinSource.COMMUNES,
        source_codes=[c.code for c in communes],
        main_town=communes[0],
        population=sum(c.population or 0 for c in communes),
        communes_count=len(communes),
        geometry_status="none",
    )
    basin.communes.set(communes)
    basin.regions.set([region])
    return basin


def table(columns: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    """A run table as the diagnostic service stores it."""
    return {"title": "", "columns": columns, "labels": columns, "rows": rows}


BMO_METIER_COLUMNS = [
    "year", "metier_code", "metier_label", "family_code", "family_label", "cells",
    "published_cells", "masked_cells", "projects", "difficult", "difficulty_base",
    "difficulty_masked_cells", "difficulty_rate", "seasonal", "seasonal_base",
    "seasonal_masked_cells", "seasonal_rate",
]  # fmt: skip


def bmo_row(
    year: int,
    code: str,
    projects: int | None,
    difficult: int | None,
    seasonal: int | None = 0,
    masked: int = 0,
) -> list[Any]:
    rate = difficult / projects if projects and difficult is not None else None
    seasonal_rate = seasonal / projects if projects and seasonal is not None else None
    return [
        year, code, f"Métier {code}", code[0], "Famille", 1, 1 - masked, masked, projects,
        difficult, projects, 0, rate, seasonal, projects, 0, seasonal_rate,
    ]  # fmt: skip


def make_done_run(
    basin: Basin,
    *,
    bmo_rows: list[list[Any]] | None = None,
    tension_metiers: list[list[Any]] | None = None,
    tension_dares: list[list[Any]] | None = None,
    estimated: bool = False,
    data_key: str | None = None,
) -> DiagnosticRun:
    """A done run of `basin` whose tables hold the given rows.

    `tension_metiers` rows: [metier_code, in_tension, durable]; `tension_dares` rows: [year,
    rome_code, job_seekers_abc, published_tension, working_conditions, non_durable_employment].
    """
    tables: dict[str, Any] = {}
    if bmo_rows is not None:
        tables["bmo_metiers"] = table(BMO_METIER_COLUMNS, bmo_rows)
    if tension_metiers is not None:
        tables["tension_metiers"] = table(["metier_code", "in_tension", "durable"], tension_metiers)
    if tension_dares is not None:
        tables["tension_dares"] = table(
            [
                "year",
                "rome_code",
                "job_seekers_abc",
                "published_tension",
                "working_conditions",
                "non_durable_employment",
            ],  # fmt: skip
            tension_dares,
        )
    now = timezone.now()
    return DiagnosticRun.objects.create(
        basin=basin,
        engine_version="1.0",
        data_key=data_key or f"{basin.pk:064d}",
        status=DiagnosticRun.Status.DONE,
        progress_percent=100,
        started_at=now,
        finished_at=now,
        results={"basin": {"id": basin.pk, "name": basin.name}, "bmo": {"estimated": estimated}},
        tables=tables,
    )


def make_offer(basin: Basin, **kwargs: Any) -> LocalOffer:
    kwargs.setdefault("provider", "Greta")
    kwargs.setdefault("places_per_year", 10)
    return LocalOffer.objects.create(basin=basin, **kwargs)
