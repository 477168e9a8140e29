"""Replacement needs, projections and key sectors of a basin (parts of the prospective section,
issue 17; assembled by `services.prospective`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.analytics import projections as pj
from diagnostics.analytics import replacement as rp
from diagnostics.analytics import sectors as se
from diagnostics.analytics.row_index import rows_in
from diagnostics.selectors import prospective as selectors
from diagnostics.selectors.memo import memo_row_index, memoised
from diagnostics.services.prospective_params import param, rounded

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


def replacement_part(
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
    in_basin = rows_in(
        crosswalk, c.COMMUNE_CODE, codes, index=memo_row_index(crosswalk, c.COMMUNE_CODE)
    )
    departements = set(in_basin[c.DEPARTEMENT_CODE].dropna().astype(str))
    scope = rows_in(
        crosswalk,
        c.DEPARTEMENT_CODE,
        departements,
        index=memo_row_index(crosswalk, c.DEPARTEMENT_CODE),
    )
    shares = rp.departement_shares(scope, codes=codes)
    region_departements = selectors.region_departements(region_code)
    # The region's and France's rows are the same for every basin of the region: computed once
    # per process (`selectors.prospective.replacement_references`), then joined to the basin's.
    references = selectors.replacement_references(
        batch_ids=batch_ids, region_departements=region_departements
    )
    # The basin's rows: weighted sums of its départements' age groups (computed once per
    # process for every département), joined to the references.
    frame = rp.replacement_frame(
        None,
        shares=shares,
        region_departements=[],
        references=references,
        bands=selectors.population_age_bands(batch_ids=batch_ids),
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


def projections_part(
    tables: Mapping[str, pd.DataFrame], *, params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    horizon = int(param(params, "projection_horizon"))
    min_points = int(param(params, "projection_min_points"))
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


def sectors_part(
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
        # France's figures are the same for every basin: once per process and data version
        # (`selectors.memo`; the frame is that of these batches, cached per process too).
        reference = memoised(
            ("sector_reference", tuple(sorted(batch_ids))),
            lambda: se.sector_reference(frame),
            versioned=True,
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
                    "job_seekers": rounded(r[c.VALUE], 0),
                    "share": rounded(r[c.SHARE], 4),
                    "france_share": rounded(r[c.REFERENCE_SHARE], 4),
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
