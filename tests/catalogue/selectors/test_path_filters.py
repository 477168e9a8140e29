"""The catalogue's filters on purposes, RNCP / RS code and rolling entries (issue 18), on
hand-made paths."""

import pytest

from catalogue.selectors.catalogue import filter_choices, path_list
from tests.factories.catalogue import make_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def paths():
    return {
        "web": make_path(
            code="NUM-02",
            title="Développeur web",
            purposes=["reconversion", "bootcamp"],
            rolling_entries=True,
            rncp_code="RNCP37674",
            level=5,
        ),
        "accounting": make_path(
            code="CPT-01",
            title="Comptable assistant",
            purposes=["professionnalisation", "vae"],
            rncp_code="RS5111",
            level=4,
        ),
        "clea": make_path(code="INC-02", title="CléA", purposes=["remise_niveau"], level=3),
        "master": make_path(code="GES-09", title="Master management", level=7),
    }


def titles(**filters: str) -> list[str]:
    return sorted(p.title for p in path_list(**filters))  # type: ignore[arg-type]


def test_filter_by_purpose(paths) -> None:
    assert titles(purpose="reconversion") == ["Développeur web"]
    assert titles(purpose="vae") == ["Comptable assistant"]
    assert titles(purpose="remise_niveau") == ["CléA"]
    assert titles(purpose="montee_competences") == []


def test_filter_by_rncp_code_and_rolling_entries(paths) -> None:
    assert titles(rncp="avec") == ["Comptable assistant", "Développeur web"]
    assert titles(rncp="sans") == ["CléA", "Master management"]
    assert titles(rolling="oui") == ["Développeur web"]
    assert titles(rolling="non") == ["CléA", "Comptable assistant", "Master management"]
    # Unknown values filter nothing.
    assert len(titles(rncp="peut-être", rolling="x")) == 4


def test_filters_combine_and_levels_run_from_infra_bac_to_bac_plus_5(paths) -> None:
    assert titles(purpose="reconversion", rncp="avec", level="5") == ["Développeur web"]
    assert titles(purpose="reconversion", level="4") == []
    assert titles(level="3") == ["CléA"]
    assert titles(level="7") == ["Master management"]
    levels = [code for code, _ in filter_choices().levels]
    assert levels == ["3", "4", "5", "6", "7", "sans"]
    assert [code for code, _ in filter_choices().purposes] == [
        "professionnalisation",
        "montee_competences",
        "remise_niveau",
        "reconversion",
        "vae",
        "bootcamp",
    ]
