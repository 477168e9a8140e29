"""The inputs of a recommendation (`recommendation_inputs`): the latest done diagnostic run of the
basin (demand and public criteria, with the vintages of its import batches), the catalogue gap of
that run, the imported indicators and lycées in force, the basin's recorded assets and partners
(`assets.host_summary`), the nearest Cnam site and the basin's population; their snapshot and its hash
identify a recommendation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db.models import Q
from django.utils import timezone

from diagnostics.analytics.geometry import nearest_point
from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, CnamSite, DiagnosticRun, ImportBatch, IndicatorFact, Lycee
from diagnostics.selectors.diagnostic_frames import crosswalk_frame
from diagnostics.selectors.diagnostics import diagnostic_latest_done
from diagnostics.selectors.facts import lycees_current_frame
from diagnostics.selectors.partners import basin_organisations
from implantations.analytics import (
    constraints,
    criteria,
    criterion_inputs,
    raw_values,
    score_columns,
    scores,
    scoring,
)
from implantations.models import HostStructure, ScoringProfile
from implantations.selectors.assets import (
    basin_commune_codes,
    basin_partnership_get,
    distance_to_main_town,
    employer_letter_list,
    host_structure_list,
    host_summary,
    main_town_point,
    tri_flag,
)


def scoring_profile_current() -> ScoringProfile | None:
    return ScoringProfile.current()


@dataclass
class RecommendationInputs:
    """What a recommendation is computed from (see the module docstring)."""

    basin: Basin
    profile: ScoringProfile
    raw: pd.DataFrame  # score_columns.RAW_COLUMNS
    hosts: constraints.HostSummary
    run: DiagnosticRun | None
    batches: list[ImportBatch]
    sources: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def snapshot(self) -> dict[str, Any]:
        """JSON-safe inputs (stored with the recommendation and hashed into its key)."""
        raw = []
        for row in self.raw.to_dict("records"):
            value = row[score_columns.RAW]
            raw.append(
                {
                    "criterion": row[score_columns.CRITERION],
                    "raw": None if pd.isna(value) else round(float(value), 6),
                    "source": row[score_columns.SOURCE],
                    "vintage": row[score_columns.VINTAGE],
                    "note": row[score_columns.NOTE],
                    "estimated": bool(row[score_columns.ESTIMATED]),
                    "variant": row[score_columns.VARIANT],
                }
            )
        return {
            "basin": {
                "id": self.basin.pk,
                "name": self.basin.name,
                "population": self.basin.population,
            },
            "profile_version": self.profile.version,
            "diagnostic_run": self.run.pk if self.run else None,
            "batches": sorted(b.pk for b in self.batches),
            "raw": raw,
            "hosts": {
                "lycee_partners": list(self.hosts.lycee_partners),
                "shared_places": list(self.hosts.shared_places),
                "economic_hosts": [list(h) for h in self.hosts.economic_hosts],
                "town_lends_premises": self.hosts.town_lends_premises,
            },
        }

    def input_key(self) -> str:
        payload = json.dumps(
            {"engine": scoring.ENGINE_VERSION, **self.snapshot()},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def _vintages(batches: list[ImportBatch]) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for batch in batches:
        label = batch.vintage or batch.period or f"import n° {batch.pk}"
        out.setdefault(batch.kind, [])
        if label not in out[batch.kind]:
            out[batch.kind].append(label)
    return {kind: ", ".join(sorted(values)) for kind, values in out.items()}


def _source_entry(kind: str, batch: ImportBatch) -> dict[str, Any]:
    return {
        "source": kind,
        "label": criteria.SOURCES.get(kind, batch.get_kind_display()),
        "batch": batch.pk,
        "file_name": batch.file_name,
        "vintage": batch.vintage,
        "period": batch.period,
        "imported_at": batch.finished_at.isoformat() if batch.finished_at else None,
    }


def _gap_values(run: DiagnosticRun, top: int) -> tuple[dict[str, dict[str, Any]], str]:
    """The catalogue criterion from the run's gap; (values, note when missing)."""
    from catalogue.analytics import columns as g
    from catalogue.selectors.gap import gap_for_run

    try:
        report = gap_for_run(run)
    except (ApplicationError, ValueError, KeyError) as exc:
        # The gap cannot be computed from this run: the criterion is missing, with the reason.
        message = getattr(exc, "message", None) or str(exc)
        return {}, f"écart du catalogue non calculable : {message}"
    lines = report.result.lines
    ranked = lines[lines[g.RANK].notna()]
    if ranked.empty:
        return {}, "aucun parcours du catalogue classé pour ce bassin"
    usable = ranked[~ranked[g.FLAGGED].astype(bool)].sort_values(g.RANK)
    values = raw_values.gap_raw_value(
        [float(s) for s in usable[g.SCORE]],
        top=top,
        ranked=len(ranked),
        vintage=f"diagnostic n° {run.pk}",
    )
    return (
        values,
        "" if values else "aucun parcours classé hors « la formation n'est pas le levier »",
    )


def _indicator_values(
    basin: Basin, profile: dict[str, Any], communes: pd.DataFrame
) -> tuple[dict[str, dict[str, Any]], list[ImportBatch]]:
    wanted = {
        code: list(profile["criteria"][code].get("indicators") or [])
        for code in criteria.CRITERION_CODES
        if criteria.CRITERIA_BY_CODE[code].source == "indicator"
    }
    all_codes = sorted({i for codes in wanted.values() for i in codes})
    if not all_codes or communes.empty:
        return {}, []
    geo = Q()
    for level, column in raw_values.INDICATOR_LEVELS:
        codes = sorted({str(c) for c in communes[column].dropna()})
        if level == "bassin_bmo":
            codes = sorted({*codes, *(c.zfill(4) for c in codes)})
        if codes:
            geo |= Q(level=level, code__in=codes)
    qs = IndicatorFact.objects.current().filter(geo, indicator__in=all_codes)
    facts = pd.DataFrame.from_records(
        qs.values_list("level", "code", "period", "indicator", "value", "batch__vintage"),
        columns=raw_values.INDICATOR_FACT_COLUMNS,
    )
    batch_ids = set(qs.values_list("batch_id", flat=True).distinct())
    out: dict[str, dict[str, Any]] = {}
    for criterion, codes in wanted.items():
        found = raw_values.basin_indicator(facts, communes, indicators=codes)
        if found is None:
            out[criterion] = {
                "raw": None,
                "source": "indicator",
                # The accepted codes are in docs/imports.md: no raw code on the page.
                "note": "indicateur non importé (CSV générique)",
            }
            continue
        out.update(
            raw_values.indicator_raw_value(
                criterion,
                variant=found["variant"],
                value=found["value"],
                period=found["period"],
                level=found["level"],
                coverage=found["coverage"],
                vintage=found["vintage"],
            )
        )
    batches = list(ImportBatch.objects.filter(pk__in=batch_ids).order_by("pk"))
    return out, batches


def _lycee_values(
    basin: Basin, codes: list[str], hosts: list[HostStructure]
) -> tuple[dict[str, Any], list[ImportBatch]]:
    """Arguments of `raw_values.asset_raw_values` about lycées, and the annuaire batches read."""
    frame = lycees_current_frame(commune_codes=codes)
    annuaire_in_force = Lycee.objects.current().exists()
    batches = list(
        ImportBatch.objects.filter(
            kind="lycees", status=ImportBatch.Status.DONE, lycees__commune_code__in=codes
        )
        .distinct()
        .order_by("pk")
    )
    # One entry per UAI: the annuaire's row, overridden by the delegate's host where it exists
    # (flags declared on a lycée whose annuaire row does not publish them).
    lycees: dict[str, dict[str, Any]] = {}
    for row in frame.to_dict("records"):
        lat = None if pd.isna(row["latitude"]) else float(row["latitude"])
        lon = None if pd.isna(row["longitude"]) else float(row["longitude"])
        lycees[row["uai"]] = {
            "name": row["name"],
            "pro": tri_flag(row["voie_professionnelle"]),
            "techno": tri_flag(row["voie_technologique"]),
            "distance": distance_to_main_town(basin, lat, lon),
            "confirmed": False,
        }
    for host in hosts:
        if host.kind != HostStructure.Kind.LYCEE:
            continue
        key = host.uai or f"host-{host.pk}"
        entry = lycees.setdefault(
            key, {"name": host.name, "pro": None, "techno": None, "distance": host.distance_km}
        )
        if host.voie_professionnelle is not None:
            entry["pro"] = host.voie_professionnelle
        if host.voie_technologique is not None:
            entry["techno"] = host.voie_technologique
        if entry.get("distance") is None:
            entry["distance"] = host.distance_km
        entry["confirmed"] = host.confirmed
    vocational = [e for e in lycees.values() if e["pro"] or e["techno"]]
    unknown = [e for e in lycees.values() if e["pro"] is None and e["techno"] is None]
    located = [e for e in vocational if e["distance"] is not None]
    partners = [e for e in located if e.get("confirmed")]
    nearest = min(partners or located, key=lambda e: e["distance"], default=None)
    return (
        {
            "lycees_known": annuaire_in_force or bool(lycees),
            "vocational_lycees": len(vocational),
            "lycees_unknown_flags": len(unknown),
            "nearest_lycee_km": nearest["distance"] if nearest else None,
            "nearest_lycee_name": (
                f"{nearest['name']}{' (partenaire confirmé)' if nearest.get('confirmed') else ''}"
                if nearest
                else ""
            ),
            "lycees_vintage": ", ".join(sorted({b.vintage for b in batches if b.vintage})),
        },
        batches,
    )


def _nearest_site(basin: Basin) -> tuple[tuple[str, float] | None, bool]:
    """(name, km) of the nearest active Cnam site from the main town, and whether any is known."""
    point = main_town_point(basin)
    sites = list(CnamSite.objects.filter(active=True).values_list("name", "latitude", "longitude"))
    if point is not None and sites:
        found = nearest_point(point[0], point[1], sites)
        if found is not None:
            name, km = found
            return (name, km), True
    return None, bool(sites)


def recommendation_inputs(
    basin: Basin, *, profile: ScoringProfile | None = None
) -> RecommendationInputs:
    """Gather the raw values, the confirmed hosts, the data vintages and the sources of a
    basin's recommendation (nothing is written)."""
    profile = profile or ScoringProfile.current()
    if profile is None:
        raise ValueError("Aucun profil de notation : appliquez les migrations (version 1).")
    params = profile.parameters
    basin = Basin.objects.select_related("main_town").get(pk=basin.pk)
    codes = basin_commune_codes(basin)
    values: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    batches: list[ImportBatch] = []
    sources: list[dict[str, Any]] = []

    run = diagnostic_latest_done(basin.pk)
    if run is None:
        notes.append(
            "Aucun diagnostic terminé pour ce bassin : les critères de demande et de publics "
            "sont manquants. Lancez le diagnostic depuis la page du bassin."
        )
    else:
        run_batches = list(run.batches.order_by("kind", "vintage", "pk"))
        batches.extend(run_batches)
        sources.extend(_source_entry(b.kind, b) for b in run_batches)
        values.update(
            raw_values.diagnostic_raw_values(
                run.results, population=basin.population or None, vintages=_vintages(run_batches)
            )
        )
        gap, gap_note = _gap_values(run, int(params.get("top_paths", 5)))
        values.update(gap)
        if gap_note:
            values["catalogue_gap"] = {"raw": None, "source": "catalogue", "note": gap_note}

    communes = crosswalk_frame(codes=codes)
    indicator_values, indicator_batches = _indicator_values(basin, params, communes)
    values.update(indicator_values)
    batches.extend(indicator_batches)
    sources.extend(_source_entry("indicator", b) for b in indicator_batches)

    hosts = host_structure_list(basin)
    partnership = basin_partnership_get(basin)
    letters = employer_letter_list(basin)
    lycee_args, lycee_batches = _lycee_values(basin, codes, hosts)
    batches.extend(lycee_batches)
    sources.extend(_source_entry("lycees", b) for b in lycee_batches)
    confirmed = [h for h in hosts if h.confirmed]
    epci = partnership.epci_commitment if partnership else ""
    values.update(
        raw_values.asset_raw_values(
            **lycee_args,
            shared_places=sum(1 for h in confirmed if h.is_shared_place),
            economic_hosts=sum(1 for h in confirmed if h.is_economic_host),
            inventory_done=bool(partnership and partnership.inventory_done),
            epci_level=criterion_inputs.EPCI_LEVELS.get(epci) if epci else None,
            letters=(
                len(letters) if letters or (partnership and partnership.letters_recorded) else None
            ),
            premises_lent=partnership.town_lends_premises if partnership else None,
            partners_updated=(
                f"saisi le {timezone.localtime(partnership.updated_at):%d/%m/%Y}"
                if partnership
                else ""
            ),
        )
    )
    nearest_site, sites_known = _nearest_site(basin)
    values.update(
        raw_values.referential_raw_values(
            nearest_site=nearest_site,
            stored_site_km=basin.nearest_site_km,
            sites_known=sites_known,
            population=basin.population,
            population_vintages=sorted(
                {str(v) for v in basin.communes.values_list("population_vintage", flat=True) if v}
            ),
            communes=len(codes),
        )
    )
    unique_batches = list({b.pk: b for b in batches}.values())
    return RecommendationInputs(
        basin=basin,
        profile=profile,
        raw=scores.raw_frame(values),
        hosts=host_summary(hosts, partnership, basin_organisations(basin)),
        run=run,
        batches=unique_batches,
        sources=sources,
        notes=notes,
    )
