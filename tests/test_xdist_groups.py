"""`--dist loadgroup` really groups: a test of the real-data group carries the `@realdata`
suffix that pytest-xdist schedules by (tests/conftest.py puts it back where pytest 9 reads
it). Without it, each worker would build the real-data database again."""

import pytest

from tests.realdata_db import REALDATA_GROUP


@REALDATA_GROUP
def test_a_grouped_test_is_scheduled_with_its_group(request: pytest.FixtureRequest) -> None:
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("seulement sous `pytest -n N --dist loadgroup` (make test, .ci/run)")

    assert request.node.nodeid.endswith(
        "::test_a_grouped_test_is_scheduled_with_its_group@realdata"
    )
