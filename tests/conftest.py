import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("OPEN_DATA_DIR_TESTS", ROOT.parent / "shared" / "data"))


def pytest_configure(config: pytest.Config) -> None:
    """A fast password hasher for the whole run: PBKDF2's 1,000,000 iterations cost ≈ 0.3 s per
    user created or logged in. The tests check passwords through `check_password`, never the
    algorithm (the production setting is untouched)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


@pytest.fixture(autouse=True)
def _api_throttle_reset() -> None:
    """The API throttles count in the default cache: each test starts with empty buckets."""
    from django.core.cache import cache

    cache.clear()
