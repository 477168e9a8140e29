"""The prospective section of a diagnostic run (issue 17): saturated métiers, bridges to the
métiers in tension, replacement needs, projections with their interval, key sectors.

Called by the run's document assembly after the engine (like `tensions_published`): reads the
engine's tables (unemployment, job seekers, BMO by year / family / métier), the tension frame,
the population estimates by age and the job seekers by sector, and returns the document key
`prospective` and the frames of its tables (`prospective_*`). Every rule and threshold is a run
parameter (`PROSPECTIVE_DEFAULTS`, cleaned by `diagnostic_params_clean`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from diagnostics.analytics import bridges as br
from diagnostics.analytics import columns as c
from diagnostics.analytics import projections as pj
from diagnostics.analytics import replacement as rp
from diagnostics.analytics import saturation as sat
from diagnostics.analytics import sectors as se
from diagnostics.analytics.common import format_number
from diagnostics.analytics.crosswalk import Crosswalk, basin_crosswalk
from diagnostics.analytics.payload import table_payload
from diagnostics.selectors import prospective as selectors
from diagnostics.selectors import tensions as tension_selectors
from diagnostics.selectors.memo import memoised

# Run parameters of the section (name → default), with their French labels.
PROSPECTIVE_DEFAULTS: dict[str, Any] = {
    "saturation_min_ratio": sat.SATURATION_MIN_RATIO,
    "saturation_max_tension": sat.SATURATION_MAX_TENSION,
    "saturation_min_job_seekers": sat.SATURATION_MIN_JOB_SEEKERS,
    "bridge_min_tension": br.BRIDGE_MIN_TENSION,
    "projection_horizon": pj.PROJECTION_HORIZON,
    "projection_min_points": pj.PROJECTION_MIN_POINTS,
    "prospective_min_bassin_share": 0.1,
}
PROSPECTIVE_LABELS = {
    "saturation_min_ratio": "nombre minimal de demandeurs par offre d'un métier saturé",
    "saturation_max_tension": "tension publiée maximale d'un métier saturé (1 à 5)",
    "saturation_min_job_seekers": "nombre minimal de demandeurs d'un métier saturé",
    "bridge_min_tension": "tension publiée minimale d'un métier en tension (passerelles, 1 à 5)",
    "projection_horizon": "nombre de périodes projetées",
    "projection_min_points": "nombre minimal de points d'une série projetée",
    "prospective_min_bassin_share": (
        "part minimale de la population du bassin dans un bassin BMO pour en lire les tensions"
    ),
}
# Bounds checked by the parameters' cleaning: (minimum, maximum or None).
PROSPECTIVE_BOUNDS: dict[str, tuple[float, float | None]] = {
    "saturation_min_ratio": (0.0, None),
    "saturation_max_tension": (1, 5),
    "saturation_min_job_seekers": (0, None),
    "bridge_min_tension": (1, 5),
    "projection_horizon": (1, 5),
    "projection_min_points": (pj.PROJECTION_MIN_TRAIN + pj.PROJECTION_MIN_BACKTESTS, None),
    "prospective_min_bassin_share": (0.0, 1.0),
}

TABLE_TITLES = {
    "prospective_saturated": "Métiers saturés (demandeurs nettement plus nombreux que les offres)",
    "prospective_bridges": "Passerelles : métiers saturés proches d'un métier en tension",
    "prospective_bridge_targets": "Métiers en tension et demandeurs des métiers saturés proches",
    "prospective_replacement": "Besoins de remplacement : part des 55-64 ans parmi les 20-64 ans",
    "prospective_projections": "Projections et intervalles de prévision à 80 %",
    "prospective_backtest": "Erreur des projections passées (rétro-prévision)",
    "prospective_families": "Évolution des projets de recrutement par famille de métiers",
    "prospective_sectors": "Demandeurs d'emploi par secteur du dernier employeur",
}
TABLE_LABELS = {
    "first_period": "Première campagne",
    "last_period": "Dernière campagne",
    "start_masked_cells": "Cellules secrètes (première campagne)",
    "end_masked_cells": "Cellules secrètes (dernière campagne)",
    c.PROJECTS: "Projets BMO du bassin (métier FAP 2009)",
    c.DIFFICULTY_RATE: "Taux de difficulté BMO",
}

REPLACEMENT_MEANING = (
    "Ce que cela signifie : une part élevée et croissante des 55-64 ans annonce de nombreux "
    "départs à la retraite dans les dix ans, donc des postes à pourvoir même sans croissance "
    "de l'emploi (besoins de recrutement = créations + remplacements). Le rapport des 20-29 ans "
    "aux 55-64 ans dit combien de jeunes entrent dans la vie active pour une personne proche de "
    "la sortie."
)
REPLACEMENT_NOT_MEANING = (
    "Ce que cela ne signifie pas : ce n'est ni un nombre de postes vacants (tout départ n'est "
    "pas remplacé, ni dans le même métier ni au même endroit), ni une répartition par métier. "
    "Au niveau du bassin, c'est une estimation : la structure par âge de chaque département "
    "est attribuée aux communes du bassin au prorata de leur population ; elle ne dit rien "
    "d'une ville plus jeune ou plus âgée que son département."
)
PROJECTION_METHOD = (
    "Projection par lissage exponentiel à tendance amortie (méthode de Holt amortie, ADR 0015) : "
    "le niveau et la tendance sont mis à jour à chaque période, la tendance s'amortit à mesure "
    "que l'horizon s'éloigne ; les paramètres sont choisis sur la série elle-même. "
    "L'incertitude vient de la rétro-prévision : le modèle est réestimé à chaque date passée "
    "et projeté ; les erreurs de ces projections passées donnent l'erreur affichée et "
    "l'intervalle de prévision à 80 % (10e et 90e centiles des erreurs à chaque horizon). "
    "La prévision naïve (« rien ne change ») sert de référence. Une projection prolonge les "
    "tendances passées : elle ne prévoit ni une crise, ni une fermeture, ni une ouverture de "
    "site."
)


def table_payloads(frames: Mapping[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    """The stored tables (`analytics.payload.table_payload` shape), with their French titles."""
    out = {}
    for name, frame in frames.items():
        payload = table_payload(name, frame)
        payload["title"] = TABLE_TITLES.get(name, name)
        payload["labels"] = [
            TABLE_LABELS.get(column, label)
            for column, label in zip(payload["columns"], payload["labels"], strict=True)
        ]
        out[name] = payload
    return out


@dataclass
class ProspectiveSection:
    document: dict[str, Any] = field(default_factory=dict)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)


def _param(params: Mapping[str, Any], name: str) -> Any:
    value = params.get(name)
    return PROSPECTIVE_DEFAULTS[name] if value is None else value


def _num(value: Any, decimals: int = 2) -> float | None:
    if value is None or pd.isna(value):
        return None
    return round(float(value), decimals)


def _saturated_items(frame: pd.DataFrame, top: int) -> list[dict[str, Any]]:
    return [
        {
            "bassin_bmo": str(r[c.BASSIN_BMO_CODE]),
            "rome": str(r[c.ROME_CODE]),
            "label": r[c.ROME_LABEL] or None,
            "domain": r[c.DOMAIN_CODE],
            "tension": None if pd.isna(r[c.PUBLISHED_TENSION]) else int(r[c.PUBLISHED_TENSION]),
            "offers": _num(r[c.OFFERS], 1),
            "job_seekers": _num(r[c.JOB_SEEKERS_ABC], 1),
            "job_seekers_per_offer": _num(r[c.SEEKERS_PER_OFFER], 2),
            "surplus": _num(r[c.SURPLUS], 1),
            "bmo_year": None if pd.isna(r[c.BMO_YEAR]) else int(r[c.BMO_YEAR]),
            "bmo_projects": _num(r[c.PROJECTS], 0),
            "bmo_difficulty_rate": _num(r[c.DIFFICULTY_RATE], 4),
        }
        for r in frame.head(top).to_dict("records")
    ]


def _saturation(
    tension: pd.DataFrame | None,
    *,
    bassins: Sequence[str],
    bassin_population: int,
    bmo_metiers: pd.DataFrame | None,
    tension_batches: Sequence[int],
    params: Mapping[str, Any],
    top: int,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, pd.DataFrame]]:
    rule = sat.saturation_rule(
        min_ratio=float(_param(params, "saturation_min_ratio")),
        max_tension=int(_param(params, "saturation_max_tension")),
        min_job_seekers=int(_param(params, "saturation_min_job_seekers")),
    )
    min_tension = int(_param(params, "bridge_min_tension"))
    bridge_rule = br.bridge_rule(min_tension=min_tension)
    saturated_doc: dict[str, Any] = {"available": False, "rule": rule, "items": [], "message": ""}
    bridges_doc: dict[str, Any] = {
        "available": False,
        "rule": bridge_rule,
        "targets": [],
        "message": "",
    }
    frames: dict[str, pd.DataFrame] = {}
    if tension is None or tension.empty:
        message = (
            "Aucun indicateur de tension importé (Dares, France Travail, par métier ROME et bassin "
            "BMO) : ni métiers saturés ni passerelles."
        )
        saturated_doc["message"] = bridges_doc["message"] = message
        return saturated_doc, bridges_doc, frames
    # The rows of the basin's bassins (located once per chunk of a national batch): every
    # step below reads only these.
    local = tension_selectors.tension_rows(tension, bassins)
    found = sat.saturated_metiers(
        local,
        bassins=bassins,
        min_ratio=float(_param(params, "saturation_min_ratio")),
        max_tension=int(_param(params, "saturation_max_tension")),
        min_job_seekers=int(_param(params, "saturation_min_job_seekers")),
    )
    if local.empty:
        message = "Aucun indicateur de tension publié pour les bassins BMO du bassin."
        saturated_doc["message"] = bridges_doc["message"] = message
        return saturated_doc, bridges_doc, frames
    year = int(local[c.YEAR].max())
    referential = selectors.rome_referential_frame()
    named = sat.with_referential(found, referential)
    metiers = (
        bmo_metiers
        if bmo_metiers is not None
        else pd.DataFrame({c.YEAR: [], "metier_code": [], c.PROJECTS: []})
    )
    enriched = sat.with_bmo(
        named, rome_fap=selectors.rome_fap_pairs(batch_ids=tension_batches), bmo_metiers=metiers
    )
    frames["prospective_saturated"] = enriched[sat.SATURATED_COLUMNS]
    seekers = float(pd.to_numeric(enriched[c.JOB_SEEKERS_ABC]).fillna(0).sum())
    saturated_doc.update(
        available=True,
        year=year,
        bassins=list(bassins),
        count=len(enriched),
        job_seekers=round(seekers, 1),
        offers=round(float(pd.to_numeric(enriched[c.OFFERS]).fillna(0).sum()), 1),
        bmo_known=int(enriched[c.PROJECTS].notna().sum()),
        items=_saturated_items(enriched, top),
        bmo_note=(
            "Projets BMO : ceux du métier FAP 2009 que le fichier des tensions 2019 associe au "
            "code ROME, dans la dernière campagne BMO publiant ce code (2023 : les campagnes "
            "suivantes utilisent la FAP 2021, sans table de passage officielle) ; inconnus "
            "sinon, jamais 0."
        ),
    )
    if enriched.empty:
        saturated_doc["message"] = (
            "Aucun métier saturé selon la règle dans les bassins BMO du bassin."
        )

    targets = br.tension_targets(local, bassins=bassins, year=year, min_tension=min_tension)
    pairs = br.bridges(named, targets, referential=referential)
    per_target = br.bridge_targets(targets, pairs, referential=referential)
    frames["prospective_bridges"] = pairs
    frames["prospective_bridge_targets"] = per_target
    bridged = br.bridged_job_seekers(pairs)
    shared = selectors.shared_titles_count()
    no_domain = sorted(named.loc[named[c.DOMAIN_CODE].isna(), c.ROME_CODE].astype(str).unique())
    without = per_target[per_target[c.BRIDGES] == 0]
    # The rows of each target's bridges (one grouping, in the pairs' order), not one filter of
    # every pair per target.
    positions = (
        pairs.groupby([c.TARGET_ROME_CODE, c.BASSIN_BMO_CODE], sort=False).indices
        if len(pairs)
        else {}
    )
    bridges_doc.update(
        available=True,
        year=year,
        min_tension=min_tension,
        targets_count=len(per_target),
        targets_with_bridge=int((per_target[c.BRIDGES] > 0).sum()),
        bridged_job_seekers=round(bridged, 1),
        bridged_saturated=int(pairs[[c.BASSIN_BMO_CODE, c.ROME_CODE]].drop_duplicates().shape[0]),
        bridged_per_1000=round(bridged * 1000 / bassin_population, 2)
        if bassin_population
        else None,
        bassin_population=bassin_population,
        shared_titles=shared,
        saturated_without_domain=no_domain,
        targets=[
            {
                "bassin_bmo": str(r[c.BASSIN_BMO_CODE]),
                "rome": str(r[c.TARGET_ROME_CODE]),
                "label": r[c.TARGET_ROME_LABEL] or None,
                "domain": r[c.DOMAIN_CODE],
                "tension": None if pd.isna(r[c.TARGET_TENSION]) else int(r[c.TARGET_TENSION]),
                "bridges": int(r[c.BRIDGES]),
                "job_seekers_concerned": _num(r[c.JOB_SEEKERS_CONCERNED], 1),
                "from": [
                    {
                        "rome": str(p[c.ROME_CODE]),
                        "label": p[c.ROME_LABEL] or None,
                        "job_seekers": _num(p[c.JOB_SEEKERS_ABC], 1),
                    }
                    for p in pairs.iloc[
                        positions.get((r[c.TARGET_ROME_CODE], r[c.BASSIN_BMO_CODE]), [])
                    ].to_dict("records")
                ],
            }
            for r in per_target[per_target[c.BRIDGES] > 0].head(top).to_dict("records")
        ],
        targets_without_bridge=[str(code) for code in without[c.TARGET_ROME_CODE].head(30)],
    )
    gaps = []
    if shared == 0:
        gaps.append(
            "aucune appellation du référentiel ROME importé n'est rattachée à deux métiers : "
            "les appellations ne peuvent pas rapprocher deux métiers"
        )
    if no_domain:
        gaps.append(
            "métiers saturés absents du référentiel ROME (sans domaine, aucune passerelle) : "
            + ", ".join(no_domain)
        )
    if len(without):
        gaps.append(
            f"{format_number(len(without))} métier(s) en tension sans aucun métier saturé du même "
            "domaine : les données ne permettent pas de passerelle vers eux"
        )
    bridges_doc["data_limits"] = gaps
    if pairs.empty:
        bridges_doc["message"] = (
            "Aucune passerelle : aucun métier saturé du bassin n'appartient au domaine "
            "professionnel d'un métier en tension."
        )
    return saturated_doc, bridges_doc, frames


def _replacement(
    *,
    batch_ids: Sequence[int],
    crosswalk: pd.DataFrame,
    codes: Sequence[str],
    region_code: str | None,
    sources: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    doc: dict[str, Any] = {
        "available": False,
        "estimated": True,
        "meaning": REPLACEMENT_MEANING,
        "not_meaning": REPLACEMENT_NOT_MEANING,
        "summary": [],
        "message": "",
    }
    if not batch_ids:
        doc["message"] = (
            "Estimations de population par âge (Insee) non importées : un administrateur "
            "importe le fichier « estim-pop-dep-sexe-aq » (type « population_age ») puis relance "
            "le diagnostic."
        )
        return doc, {}
    in_basin = crosswalk[crosswalk[c.COMMUNE_CODE].astype(str).isin(set(codes))]
    departements = set(in_basin[c.DEPARTEMENT_CODE].dropna().astype(str))
    scope = crosswalk[crosswalk[c.DEPARTEMENT_CODE].astype(str).isin(departements)]
    shares = rp.departement_shares(scope, codes=codes)
    population_age = selectors.population_age_frame(batch_ids=batch_ids)
    region_departements = selectors.region_departements(region_code)
    # The region's and France's rows are the same for every basin of the region: computed once
    # per chunk of a national batch (`selectors.memo`), then joined to the basin's.
    references = memoised(
        ("replacement_references", tuple(sorted(batch_ids)), region_code),
        lambda: rp.replacement_frame(
            population_age, shares={}, region_departements=region_departements
        ),
    )
    # With the references given, only the basin's départements are read.
    frame = rp.replacement_frame(
        selectors.population_age_rows(batch_ids=batch_ids, departements=shares),
        shares=shares,
        region_departements=[],
        references=references,
    )
    summary = rp.replacement_summary(frame)
    source = sources.get("population_age") or {}
    doc.update(
        available=bool(summary),
        summary=summary,
        departements={code: round(share, 4) for code, share in shares.items()},
        method=(
            "Population de 20 à 64 ans et de 55 à 64 ans, toutes personnes, au 1er janvier "
            "(estimations Insee par département et tranche d'âge quinquennale). Bassin : somme "
            "des départements pondérés par la part de leur population légale qui vit dans le "
            "bassin (« estimé ») ; région et France : somme de leurs départements (la France du "
            "fichier est la métropole jusqu'en 1989, avec les départements d'outre-mer ensuite et "
            "Mayotte à partir de 2014 : rupture de champ en 1990 et en 2014). Une année où "
            "une tranche d'un département manque (non estimée ou contradictoire dans le fichier) "
            "n'est pas calculée pour les territoires qui le contiennent."
        ),
        vintage=source.get("vintage", ""),
    )
    if not summary:
        doc["message"] = "Aucune estimation de population par âge pour les départements du bassin."
    return doc, {"prospective_replacement": frame}


def _projections(
    tables: Mapping[str, pd.DataFrame], *, params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    horizon = int(_param(params, "projection_horizon"))
    min_points = int(_param(params, "projection_min_points"))
    specs: list[tuple[str, str, str, pd.DataFrame | None, str, str, int]] = []
    unemployment = tables.get("unemployment")
    specs.append(
        ("unemployment", "Taux de chômage (%)", "trimestre",
         None if unemployment is None else unemployment[[c.PERIOD, c.RATE]].rename(columns={c.RATE: c.VALUE}),
         "%", "Taux de chômage trimestriel", 1)
    )  # fmt: skip
    seekers = tables.get("job_seekers")
    quarterly = (
        pj.quarterly_means(seekers, period=c.PERIOD, value=c.VALUE)
        if seekers is not None and len(seekers)
        else None
    )
    specs.append(
        ("job_seekers", "Demandeurs d'emploi A, B, C (moyenne trimestrielle)", "trimestre", quarterly,
         "demandeurs", "Demandeurs d'emploi (moyenne du trimestre)", 0)
    )  # fmt: skip
    bmo_years = tables.get("bmo_years")
    bmo = (
        None
        if bmo_years is None or not len(bmo_years)
        else pd.DataFrame(
            {c.PERIOD: bmo_years[c.YEAR].astype(int).astype(str), c.VALUE: bmo_years[c.PROJECTS]}
        )
    )
    specs.append(
        ("bmo_projects", "Projets de recrutement BMO", "campagne", bmo, "projets",
         "Projets de recrutement par campagne", 0)
    )  # fmt: skip
    series_docs = []
    tables_out: list[pd.DataFrame] = []
    backtests: list[pd.DataFrame] = []
    for key, label, step, frame, unit, _title, decimals in specs:
        if frame is None:
            series_docs.append(
                {"series": key, "label": label, "available": False, "reason": "Série absente (données non importées).",
                 "step": step, "decimals": decimals, "projection": [], "backtest": []}
            )  # fmt: skip
            continue
        result = pj.project_series(
            frame, series=key, label=label, period=c.PERIOD, value=c.VALUE, unit=unit,
            horizon=horizon, min_points=min_points,
        )  # fmt: skip
        info = dict(result.info, step=step, decimals=decimals)
        series_docs.append(info)
        if result.info["available"]:
            tables_out.append(result.table)
            backtests.append(result.backtest)
    frames = {
        "prospective_projections": pd.concat(tables_out, ignore_index=True)
        if tables_out
        else pd.DataFrame({col: [] for col in pj.PROJECTION_COLUMNS}),
        "prospective_backtest": pd.concat(backtests, ignore_index=True)
        if backtests
        else pd.DataFrame({col: [] for col in pj.BACKTEST_COLUMNS}),
    }
    return {"method": PROJECTION_METHOD, "interval": pj.INTERVAL, "series": series_docs}, frames


def _sectors(
    tables: Mapping[str, pd.DataFrame],
    *,
    bassins: Sequence[str],
    batch_ids: Sequence[int],
    estimated: bool,
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    frames: dict[str, pd.DataFrame] = {}
    doc: dict[str, Any] = {"families": {"available": False}, "naf": {"available": False}}
    families = tables.get("bmo_families")
    if families is not None and len(families):
        changes = se.family_changes(families)
        frames["prospective_families"] = changes
        doc["families"] = {
            "available": not changes.empty,
            "estimated": estimated,
            "first": None if changes.empty else str(changes["first_period"].iloc[0]),
            "last": None if changes.empty else str(changes["last_period"].iloc[0]),
            **se.movers(changes),
            "message": ""
            if len(changes)
            else "Moins de deux campagnes BMO : pas d'évolution par famille.",
            "note": (
                "Projets publiés seulement (les cellules secrètes restent inconnues) ; les familles "
                "sont celles de l'enquête, stables d'une campagne à l'autre alors que les codes "
                "métier passent de la FAP 2009 à la FAP 2021."
            ),
        }
    if batch_ids:
        frame = selectors.sector_job_seekers_frame(batch_ids=batch_ids)
        # France's figures are the same for every basin of a chunk (`selectors.memo`).
        reference = memoised(
            ("sector_reference", tuple(sorted(batch_ids)), id(frame)),
            lambda: se.sector_reference(frame),
        )
        sectors = se.sector_job_seekers(frame, bassins=bassins, reference=reference)
        frames["prospective_sectors"] = sectors
        vintages = sorted({str(v) for v in sectors[c.VINTAGE]}) if len(sectors) else []
        doc["naf"] = {
            "available": not sectors.empty,
            "vintages": vintages,
            "top": [
                {
                    "section": str(r[c.NAF_SECTION]),
                    "label": r[c.SECTOR_LABEL] or "Activité inconnue",
                    "job_seekers": _num(r[c.VALUE], 0),
                    "share": _num(r[c.SHARE], 4),
                    "france_share": _num(r[c.REFERENCE_SHARE], 4),
                }
                for r in sectors[sectors[c.VINTAGE] == vintages[-1]].head(5).to_dict("records")
            ]
            if vintages
            else [],
            "message": (
                "Un seul millésime importé : la répartition est un instantané, aucune évolution "
                "n'en est tirée."
                if len(vintages) == 1
                else (
                    ""
                    if vintages
                    else "Aucun demandeur par secteur pour les bassins BMO du bassin."
                )
            ),
        }
    else:
        doc["naf"]["message"] = "Demandeurs d'emploi par bassin et secteur non importés."
    return doc, frames


def _bassins_used(zones: pd.DataFrame, *, min_share: float) -> list[str]:
    """The bassins BMO holding at least `min_share` of the basin's population (their published
    figures describe the basin's labour market; a bassin the basin barely touches would not),
    the largest one at least."""
    ordered = zones.sort_values(
        [c.BASIN_SHARE, c.ZONE_CODE], ascending=[False, True], kind="mergesort"
    )
    used = [
        str(z)
        for z, share in zip(ordered[c.ZONE_CODE], ordered[c.BASIN_SHARE], strict=True)
        if float(share) >= min_share
    ]
    if not used and len(ordered):
        used = [str(ordered[c.ZONE_CODE].iloc[0])]
    return sorted(used)


def prospective_section(
    *,
    tables: Mapping[str, pd.DataFrame],
    tension: pd.DataFrame | None,
    crosswalk: pd.DataFrame,
    codes: Sequence[str],
    region_code: str | None,
    batch_ids: Mapping[str, Sequence[int]],
    params: Mapping[str, Any],
    sources: Mapping[str, Any] | None = None,
    top: int = 15,
    walk: Crosswalk | None = None,
) -> ProspectiveSection:
    """Document key `prospective` and the `prospective_*` frames.

    `tables`: the engine's frames (`unemployment`, `job_seekers`, `bmo_years`, `bmo_families`,
    `bmo_metiers`); `tension`: the run's tension frame (None: not imported); `crosswalk`: the
    commune crosswalk (all of France); `batch_ids`: kind → the run's batch ids (`tensions`,
    `population_age`, `defm_secteur`); `params`: the run's parameters; `walk`: the basin's
    crosswalk on the bassins BMO when already computed (the run's context), else computed here."""
    if walk is None:
        walk = basin_crosswalk(crosswalk, basin_communes=list(codes), zoning="bassin_bmo")
    bassins = _bassins_used(
        walk.zones, min_share=float(_param(params, "prospective_min_bassin_share"))
    )
    populations = selectors.bassin_populations(crosswalk, [str(z) for z in walk.zones[c.ZONE_CODE]])
    out = ProspectiveSection()
    saturated, bridges, frames = _saturation(
        tension,
        bassins=bassins,
        bassin_population=sum(populations.get(code, 0) for code in bassins),
        bmo_metiers=tables.get("bmo_metiers"),
        tension_batches=list(batch_ids.get("tensions") or []),
        params=params,
        top=top,
    )
    out.frames.update(frames)
    replacement, frames = _replacement(
        batch_ids=list(batch_ids.get("population_age") or []),
        crosswalk=crosswalk,
        codes=codes,
        region_code=region_code,
        sources=sources or {},
    )
    out.frames.update(frames)
    projections, frames = _projections(tables, params=params)
    out.frames.update(frames)
    sectors, frames = _sectors(
        tables,
        bassins=bassins,
        batch_ids=list(batch_ids.get("defm_secteur") or []),
        estimated=not walk.exact,
    )
    out.frames.update(frames)
    out.document = {
        "prospective": {
            "bassins": [
                {
                    "code": str(row[c.ZONE_CODE]),
                    "population": populations.get(str(row[c.ZONE_CODE])),
                    "basin_share": round(float(row[c.BASIN_SHARE]), 4),
                    "zone_share": round(float(row[c.ZONE_SHARE]), 4),
                    "used": str(row[c.ZONE_CODE]) in bassins,
                }
                for row in walk.zones.to_dict("records")
            ],
            "whole_bassins": walk.exact,
            "saturated": saturated,
            "bridges": bridges,
            "replacement": replacement,
            "projections": projections,
            "sectors": sectors,
            "parameters": {name: _param(params, name) for name in PROSPECTIVE_DEFAULTS},
        }
    }
    return out
