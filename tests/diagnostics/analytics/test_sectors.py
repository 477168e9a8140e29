"""Key sectors (diagnostics.analytics.sectors): BMO families and job seekers by NAF section."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostics.analytics import columns as c
from diagnostics.analytics import sectors as se


def by_family() -> pd.DataFrame:
    rows = [
        (2023, "V", "Vente", 618, 2),
        (2023, "S", "Social", 377, 0),
        (2023, "T", "Techniciens", 82, 1),
        (2024, "V", "Vente", 700, 0),
        (2025, "V", "Vente", 479, 1),
        (2025, "S", "Social", 185, 0),
        (2025, "I", "Industrie", 124, 0),
    ]
    return pd.DataFrame(
        rows, columns=[c.YEAR, c.FAMILY_CODE, c.FAMILY_LABEL, c.PROJECTS, c.MASKED_CELLS]
    )


def test_family_changes_first_to_last_campaign():
    out = se.family_changes(by_family())
    # I: 0 → 124 (+124, % unknown); T: 82 → 0 (−82); V: 618 → 479 (−139); S: 377 → 185 (−192).
    assert out[c.FAMILY_CODE].tolist() == ["I", "T", "V", "S"]
    assert out[c.CHANGE].tolist() == [124.0, -82.0, -139.0, -192.0]
    assert pd.isna(out[c.PERCENT_CHANGE].iloc[0])
    assert out[c.PERCENT_CHANGE].iloc[3] == pytest.approx(-192 / 377 * 100)
    assert out["start_masked_cells"].tolist() == [0, 1, 2, 0]
    moves = se.movers(out, n=2)
    assert [m["code"] for m in moves["growing"]] == ["I"]
    assert [m["code"] for m in moves["shrinking"]] == ["S", "V"]


def test_family_changes_needs_two_campaigns():
    assert se.family_changes(by_family()[by_family()[c.YEAR] == 2023]).empty


def test_sector_job_seekers_shares_beside_france():
    frame = pd.DataFrame(
        {
            c.BASSIN_BMO_CODE: ["4418", "4418", "9999", "9999"],
            c.VINTAGE: ["2022"] * 4,
            c.NAF_SECTION: ["F", "G", "F", "G"],
            c.SECTOR_LABEL: ["Construction", "Commerce", "Construction", "Commerce"],
            c.VALUE: [30, 90, 70, 10],
        }
    )
    out = se.sector_job_seekers(frame, bassins=["4418"])
    assert out[c.NAF_SECTION].tolist() == ["G", "F"]
    assert out[c.SHARE].tolist() == pytest.approx([0.75, 0.25])
    # France: F = 100 / 200, G = 100 / 200.
    assert out[c.REFERENCE_SHARE].tolist() == pytest.approx([0.5, 0.5])


def test_sector_job_seekers_unknown_values_two_bassins_and_vintages():
    # Two bassins of the basin summed by vintage and section; a masked value (None) is skipped,
    # and a section whose every value is masked stays unknown (sorted last in its vintage);
    # a section France has but the basin lacks is not listed.
    frame = pd.DataFrame(
        {
            c.BASSIN_BMO_CODE: ["A", "B", "A", "B", "A", "B", "A", "B", "Z"],
            c.VINTAGE: ["2021", "2021", "2021", "2021", "2021", "2021", "2022", "2022", "2021"],
            c.NAF_SECTION: ["F", "F", "G", "G", "Q", "Q", "F", "F", "C"],
            c.SECTOR_LABEL: ["Construction"] * 2
            + ["Commerce"] * 2
            + ["Santé"] * 2
            + ["Construction"] * 2
            + ["Industrie"],
            c.VALUE: [10, None, 20, 50, None, None, 40, 60, 900],
        }
    )
    reference = se.sector_reference(frame)
    out = se.sector_job_seekers(frame, bassins=["B", "A"], reference=reference)
    assert list(zip(out[c.VINTAGE], out[c.NAF_SECTION], strict=True)) == [
        ("2021", "G"),
        ("2021", "F"),
        ("2021", "Q"),
        ("2022", "F"),
    ]
    assert out[c.VALUE].tolist()[:2] == [70.0, 10.0]
    assert pd.isna(out[c.VALUE].iloc[2]) and pd.isna(out[c.SHARE].iloc[2])
    # 2021: 70 + 10 = 80 known job seekers; France 2021: 10 + 70 + 900 = 980.
    assert out[c.SHARE].tolist()[:2] == pytest.approx([70 / 80, 10 / 80])
    assert out[c.REFERENCE_SHARE].tolist()[:2] == pytest.approx([70 / 980, 10 / 980])
    assert out[c.SHARE].iloc[3] == 1.0
    assert out[c.SECTOR_LABEL].tolist() == ["Commerce", "Construction", "Santé", "Construction"]
    # The same without the shared reference (a lone run).
    pd.testing.assert_frame_equal(se.sector_job_seekers(frame, bassins=["A", "B"]), out)
    assert se.sector_job_seekers(frame, bassins=["nowhere"], reference=reference).empty
