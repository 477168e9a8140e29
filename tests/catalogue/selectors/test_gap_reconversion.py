"""The gap of a run with the prospective section: reconversion-oriented paths are raised
(catalogue.selectors.gap.gap_for_run with catalogue.analytics.reconversion)."""

from __future__ import annotations

import pytest

from catalogue.selectors.gap import gap_for_run
from tests.factories.catalogue import bmo_row, make_basin, make_done_run, make_path, table

pytestmark = pytest.mark.django_db

TARGET_COLUMNS = [
    "bassin_bmo_code", "target_rome_code", "target_rome_label", "domain_code", "domain_label",
    "target_tension", "target_offers", "bridges", "job_seekers_concerned",
]  # fmt: skip


def test_reconversion_path_is_raised_and_says_why() -> None:
    basin = make_basin()
    aimed = make_path(
        code="AIDE", rome_codes=["K1302"], bmo_codes=["T2X60"], publics=["demandeurs_emploi"]
    )
    other = make_path(code="AUTRE", rome_codes=["K1302"], bmo_codes=["T2X61"], publics=["salaries"])
    run = make_done_run(
        basin, bmo_rows=[bmo_row(2025, "T2X60", 100, 60), bmo_row(2025, "T2X61", 100, 60)]
    )
    plain = {line["path_code"]: line for line in gap_for_run(run).records}
    assert "reconversion" not in plain["AIDE"]  # a run without the prospective section

    tables = dict(run.tables or {})
    tables["prospective_bridge_targets"] = table(
        TARGET_COLUMNS,
        [["4418", "K1302", "Assistant de vie", "K13", "Aide", 5, 120.0, 1, 263.0]],
    )
    type(run).objects.filter(pk=run.pk).update(tables=tables)  # a done run is immutable
    run.refresh_from_db()
    report = gap_for_run(run)
    lines = {line["path_code"]: line for line in report.records}

    # Same demand for both paths: only the one aimed at job seekers is raised (× 1.2).
    assert lines["AIDE"]["reconversion"] is True and lines["AUTRE"]["reconversion"] is False
    # 83.33 × 1.2 = 100.0 (the cap; the stored plain score is rounded to 83.3).
    assert lines["AIDE"]["score"] == pytest.approx(
        min(100.0, plain["AIDE"]["score"] * 1.2), abs=0.1
    )
    assert lines["AUTRE"]["score"] == pytest.approx(plain["AUTRE"]["score"])
    assert lines["AIDE"]["rank"] == 1
    assert "Orienté reconversion" in lines["AIDE"]["explanation"]
    assert "finalité" in report.result.method
    assert aimed.pk and other.pk
