import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("OPEN_DATA_DIR_TESTS", ROOT.parent / "shared" / "data"))


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def open_data_dir() -> Path:
    """The official open data (../shared/data). Skipped when absent on a user's clone; under
    CI=true its absence is a failure."""
    if not (SHARED_DATA / "README.md").exists():
        message = f"données ouvertes absentes : {SHARED_DATA} (voir README, « Données réelles »)"
        if _on_ci():
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA
