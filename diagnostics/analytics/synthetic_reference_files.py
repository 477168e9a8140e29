"""The synthetic reference files: the lycées of the education directory and the ROME codes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.analytics.synthetic_file_common import DEMO_FILES_SEED, DEMO_LABEL, require_frame

# The official annuaire layout: its 69 columns, in order.
ANNUAIRE_COLUMNS = (
    "Identifiant_de_l_etablissement", "Nom_etablissement", "Type_etablissement",
    "Statut_public_prive", "Adresse_1", "Adresse_2", "Adresse_3", "Code postal", "Code_commune",
    "Nom_commune", "Code_departement", "Code_academie", "Code_region", "Ecole_maternelle",
    "Ecole_elementaire", "Voie_generale", "Voie_technologique", "Voie_professionnelle",
    "Telephone", "Fax", "Web", "Mail", "Restauration", "Hebergement", "ULIS", "Apprentissage",
    "Segpa", "Section_arts", "Section_cinema", "Section_theatre", "Section_sport",
    "Section_internationale", "Section_europeenne", "Lycee_Agricole", "Lycee_militaire",
    "Lycee_des_metiers", "Post_BAC", "Appartenance_Education_Prioritaire", "GRETA",
    "SIREN_SIRET", "Nombre_d_eleves", "Fiche_onisep", "position", "Type_contrat_prive",
    "Libelle_departement", "Libelle_academie", "Libelle_region", "coordonnee_X", "coordonnee_Y",
    "epsg", "nom_circonscription", "latitude", "longitude", "precision_localisation",
    "date_ouverture", "date_maj_ligne", "etat", "ministere_tutelle",
    "etablissement_multi_lignes", "rpi_concentre", "rpi_disperse", "code_nature",
    "libelle_nature", "Code_type_contrat_prive", "PIAL", "etablissement_mere",
    "type_rattachement_etablissement_mere", "code_bassin_formation", "libelle_bassin_formation",
)  # fmt: skip


def lycees_frame(
    frames: dict[str, pd.DataFrame], *, seed: int = DEMO_FILES_SEED, town_min: int = 4_000
) -> pd.DataFrame:
    """The annuaire in its official layout: in each commune of `town_min` inhabitants or more,
    one lycée per ~12,000 inhabitants (at least one), alternately vocational, general and
    technological, and polyvalent; plus one école and one collège per town, which the importer
    leaves out. Coordinates near the commune's centre."""
    communes = require_frame(
        frames,
        "communes",
        [c.CODE, c.NAME, c.POPULATION, c.DEPARTEMENT_CODE, c.REGION_CODE, c.LATITUDE, c.LONGITUDE],
    )
    departements = require_frame(frames, "departements", [c.CODE, c.NAME]).set_index(c.CODE)[c.NAME]
    regions = require_frame(frames, "regions", [c.CODE, c.NAME]).set_index(c.CODE)[c.NAME]
    rng = np.random.default_rng(seed + 4)
    towns = communes[communes[c.POPULATION] >= town_min].sort_values(
        [c.POPULATION, c.CODE], ascending=[False, True]
    )
    kinds = (
        ("LYCEE PROFESSIONNEL", "Lycée professionnel", "0", "0", "1"),
        ("LYCEE D ENSEIGNEMENT GENERAL ET TECHNOLOGIQUE", "Lycée général et technologique",
         "1", "1", "0"),
        ("LYCEE POLYVALENT", "Lycée polyvalent", "1", "1", "1"),
        ("LYCEE D ENSEIGNEMENT GENERAL", "Lycée général", "1", "0", "0"),
    )  # fmt: skip
    counter: dict[str, int] = {}
    rows: list[dict[str, object]] = []

    def uai(dep: str) -> str:
        counter[dep] = counter.get(dep, 0) + 1
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        n = counter[dep]
        return f"0{dep.zfill(2)}{n:04d}{letters[n % len(letters)]}"

    turn = 0
    for town in towns.itertuples(index=False):
        code, name = str(getattr(town, c.CODE)), str(getattr(town, c.NAME))
        dep, region = str(getattr(town, c.DEPARTEMENT_CODE)), str(getattr(town, c.REGION_CODE))
        lat0, lon0 = float(getattr(town, c.LATITUDE)), float(getattr(town, c.LONGITUDE))
        population = int(getattr(town, c.POPULATION))
        establishments: list[tuple[str, str, tuple[str, ...] | None]] = [
            ("Ecole", f"École primaire publique de {name}", None),
            ("Collège", f"Collège de {name}", None),
        ]
        for _ in range(max(1, population // 12_000)):
            chosen = kinds[turn % len(kinds)]
            turn += 1
            establishments.append(("Lycée", f"{chosen[1]} de {name}", chosen))
        for type_, label, kind in establishments:
            lat = lat0 + float(rng.normal(0, 0.004))
            lon = lon0 + float(rng.normal(0, 0.006))
            row: dict[str, object] = dict.fromkeys(ANNUAIRE_COLUMNS, "")
            row.update(
                {
                    "Identifiant_de_l_etablissement": uai(dep),
                    "Nom_etablissement": label,
                    "Type_etablissement": type_,
                    "Statut_public_prive": "Public",
                    "Adresse_1": f"{int(rng.integers(1, 80))} rue de l'École",
                    "Adresse_3": f"{code} {name.upper()}",
                    "Code postal": code,
                    "Code_commune": code,
                    "Nom_commune": name,
                    "Code_departement": dep.zfill(3),
                    "Code_academie": "99",
                    "Code_region": region,
                    "Nombre_d_eleves": str(int(rng.integers(250, 1400))),
                    "position": f"{lat}, {lon}",
                    "Libelle_departement": str(departements[dep]),
                    "Libelle_academie": f"Académie de démonstration ({DEMO_LABEL})",
                    "Libelle_region": str(regions[region]),
                    "epsg": "EPSG:4326",
                    "latitude": f"{lat}",
                    "longitude": f"{lon}",
                    "precision_localisation": "Numéro de rue",
                    "date_ouverture": "1970-09-01",
                    "date_maj_ligne": "2025-06-01",
                    "etat": "OUVERT",
                    "ministere_tutelle": "MINISTERE DE L'EDUCATION NATIONALE",
                    "etablissement_multi_lignes": "0",
                }
            )
            if kind is not None:
                nature, _, general, techno, pro = kind
                row.update(
                    {
                        "Voie_generale": general,
                        "Voie_technologique": techno,
                        "Voie_professionnelle": pro,
                        "Lycee_des_metiers": pro,
                        "Lycee_Agricole": "0",
                        "Post_BAC": techno,
                        "libelle_nature": nature,
                    }
                )
            else:
                row["libelle_nature"] = (
                    "ECOLE DE NIVEAU ELEMENTAIRE" if type_ == "Ecole" else "COLLEGE"
                )
            rows.append(row)
    return pd.DataFrame(rows, columns=list(ANNUAIRE_COLUMNS))


def lycees_file(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, sep=";").encode("utf-8-sig")


def rome_file(codes: Sequence[str]) -> bytes:
    """The ROME codes referential (`unix_referentiel_code_rome` layout), restricted to `codes`,
    each its own main fiche; the labels say they are placeholders, not ROME's."""
    rows = [
        {
            "code_rome": code,
            "code_fiche_metier": str(index + 1),
            "code_ogr": str(900_000 + index),
            "libelle_rome": f"Fiche ROME {code} (intitulé non repris : {DEMO_LABEL})",
            "transition_eco": "",
            "transition_num": "",
            "transition_demo": "",
            "emploi_reglemente": "",
            "emploi_cadre": "",
            "code_rome_parent": code,
        }
        for index, code in enumerate(sorted(set(codes)))
    ]
    return pd.DataFrame(rows).to_csv(index=False, quoting=1).encode("utf-8")
