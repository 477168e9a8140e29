"""Saturated métiers and bridges (diagnostics.analytics.saturation, .bridges): hand-made frames,
every expected value worked out in the comments."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostics.analytics import bridges as br
from diagnostics.analytics import columns as c
from diagnostics.analytics import saturation as sat

NA = pd.NA


def tension_frame() -> pd.DataFrame:
    rows = [
        # year, bassin, rome, offers, seekers, tension
        (2019, "4418", "K1303", 1.0, 500.0, 1),  # older vintage: ignored (2021 is the last)
        (2021, "4418", "K1303", 25.0, 263.0, 1),  # ratio 10.52, surplus 238 → saturated
        (2021, "4418", "D1507", 37.0, 152.0, 1),  # ratio 4.11, surplus 115 → saturated
        (2021, "4418", "J1301", 44.0, 58.0, 2),  # ratio 1.32 < 2 → not saturated
        (2021, "4418", "K2104", 0.0, 30.0, 2),  # no offer, 30 seekers → saturated (ratio NA)
        (2021, "4418", "G1605", 5.0, 19.0, 1),  # 19 seekers < 20 → not saturated
        (2021, "4418", "H2102", 10.0, 60.0, 3),  # tension 3 > 2 → not saturated
        (2021, "4418", "K1302", 120.0, 59.0, 5),  # in tension, domain K13
        (2021, "4418", "K1304", 150.0, 100.0, 4),  # in tension, domain K13
        (2021, "4418", "D1502", 80.0, 10.0, 4),  # in tension, domain D15
        (2021, "4418", "N1101", 150.0, 100.0, 5),  # in tension, domain N11: no saturated near
        (2021, "4418", "D1214", 10.0, 99.0, 3),  # tension 3: neither saturated nor a target
        (2021, "9999", "K1303", 1.0, 900.0, 1),  # another bassin: never read
        (2021, "9999", "K1302", 100.0, 1.0, 5),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            c.YEAR,
            c.BASSIN_BMO_CODE,
            c.ROME_CODE,
            c.OFFERS,
            c.JOB_SEEKERS_ABC,
            c.PUBLISHED_TENSION,
        ],
    )
    for column in (c.OFFERS, c.JOB_SEEKERS_ABC, c.PUBLISHED_TENSION):
        frame[column] = frame[column].astype("Float64")
    return frame


def referential() -> pd.DataFrame:
    rows = [
        ("K1303", "Assistance auprès d'enfants", "K13", "Aide à la personne"),
        ("K1302", "Assistance auprès d'adultes", "K13", "Aide à la personne"),
        ("K1304", "Services domestiques", "K13", "Aide à la personne"),
        ("D1507", "Mise en rayon libre-service", "D15", "Grande distribution"),
        (
            "D1502",
            "Management/gestion de rayon produits alimentaires",
            "D15",
            "Grande distribution",
        ),
        ("N1101", "Conduite d'engins de déplacement des charges", "N11", "Magasinage"),
    ]  # K2104 is deliberately absent: no domain, no bridge
    return pd.DataFrame(rows, columns=c.ROME_REFERENTIAL_COLUMNS)


def test_saturated_metiers_rule_and_ranking():
    out = sat.saturated_metiers(tension_frame(), bassins=["4418"])
    assert out[c.ROME_CODE].tolist() == ["K1303", "D1507", "K2104"]  # surplus 238, 115, 30
    assert out[c.SURPLUS].tolist() == [238.0, 115.0, 30.0]
    assert out[c.SEEKERS_PER_OFFER].iloc[0] == pytest.approx(263 / 25)
    assert pd.isna(out[c.SEEKERS_PER_OFFER].iloc[2])  # no offer: ratio unknown, still saturated
    assert set(out[c.YEAR]) == {2021}
    assert out[c.PUBLISHED_TENSION].tolist() == [1, 1, 2]


def test_saturated_metiers_thresholds_are_parameters():
    # Ratio 4.2 leaves D1507 (4.11) out; 1 offer minimum of seekers 100 leaves K2104 (30) out.
    out = sat.saturated_metiers(
        tension_frame(), bassins=["4418"], min_ratio=4.2, min_job_seekers=100
    )
    assert out[c.ROME_CODE].tolist() == ["K1303"]
    # max_tension 3 lets H2102 (ratio 6, surplus 50) and D1214 (9.9, surplus 89) in.
    out = sat.saturated_metiers(tension_frame(), bassins=["4418"], max_tension=3)
    assert out[c.ROME_CODE].tolist() == ["K1303", "D1507", "D1214", "H2102", "K2104"]


def test_saturated_metiers_unknown_bassin_is_empty():
    assert sat.saturated_metiers(tension_frame(), bassins=["0000"]).empty


def test_with_bmo_uses_the_last_campaign_of_the_fap2009_code():
    saturated = sat.saturated_metiers(tension_frame(), bassins=["4418"])
    bmo = pd.DataFrame(
        {
            c.YEAR: [2023, 2023, 2024],
            "metier_code": ["T2Z60", "V5Z81", "T2Z60"],
            c.PROJECTS: [40.0, 12.0, 55.0],
            c.DIFFICULTY_RATE: [0.5, 0.25, 0.6],
        }
    )
    out = sat.with_bmo(saturated, rome_fap={"K1303": "T2Z60", "D1507": "V5Z81"}, bmo_metiers=bmo)
    assert out[c.FAP2009_CODE].tolist() == ["T2Z60", "V5Z81", None]
    assert out[c.BMO_YEAR].tolist()[:2] == [2024, 2023]
    assert out[c.PROJECTS].tolist()[:2] == [55.0, 12.0]
    assert out[c.DIFFICULTY_RATE].tolist()[:2] == [0.6, 0.25]
    assert pd.isna(out[c.PROJECTS].iloc[2])  # no pairing: unknown, never 0


def test_bridges_same_domain_same_bassin():
    saturated = sat.with_referential(
        sat.saturated_metiers(tension_frame(), bassins=["4418"]), referential()
    )
    targets = br.tension_targets(tension_frame(), bassins=["4418"], year=2021, min_tension=4)
    assert sorted(targets[c.TARGET_ROME_CODE]) == ["D1502", "K1302", "K1304", "N1101"]
    pairs = br.bridges(saturated, targets, referential=referential())
    # K1303 (K13) → K1302 (tension 5) and K1304 (4); D1507 (D15) → D1502 (4); K2104: no domain.
    assert list(zip(pairs[c.ROME_CODE], pairs[c.TARGET_ROME_CODE], strict=True)) == [
        ("K1303", "K1302"),
        ("D1507", "D1502"),
        ("K1303", "K1304"),
    ]
    per_target = br.bridge_targets(targets, pairs, referential=referential())
    assert per_target[c.TARGET_ROME_CODE].tolist() == ["K1302", "K1304", "D1502", "N1101"]
    assert per_target[c.JOB_SEEKERS_CONCERNED].tolist() == [263.0, 263.0, 152.0, 0.0]
    assert per_target[c.BRIDGES].tolist() == [1, 1, 1, 0]  # N1101: the data supports no bridge
    # K1303 bridges to two métiers but its 263 job seekers count once: 263 + 152 = 415.
    assert br.bridged_job_seekers(pairs) == 415.0


def test_bridges_higher_tension_threshold():
    saturated = sat.with_referential(
        sat.saturated_metiers(tension_frame(), bassins=["4418"]), referential()
    )
    targets = br.tension_targets(tension_frame(), bassins=["4418"], year=2021, min_tension=5)
    pairs = br.bridges(saturated, targets, referential=referential())
    assert pairs[c.TARGET_ROME_CODE].tolist() == ["K1302"]
    assert br.bridged_job_seekers(pairs) == 263.0


def test_shared_titles_counts_titles_under_two_codes():
    titles = pd.DataFrame(
        {
            c.ROME_CODE: ["K1303", "K1302", "K1302", "D1507"],
            "label": ["Nounou", "Nounou", "Aide", "Aide"],
        }
    )
    assert br.shared_titles(titles) == 2
    assert br.shared_titles(titles.iloc[:1]) == 0
