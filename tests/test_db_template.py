"""The test database of every worker is the migrated one, whether this worker migrated it or
cloned the run's template (tests/db_template.py): no migration left to apply, the rows of the
data migrations and of the `post_migrate` handlers present."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from implantations.models import ScoringProfile

pytestmark = pytest.mark.django_db


def test_the_test_database_is_fully_migrated() -> None:
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()

    assert executor.migration_plan(leaves) == []
    applied = executor.loader.applied_migrations
    assert set(leaves) <= set(applied)
    # A data migration's row (implantations 0004) and post_migrate's content types/permissions.
    assert ScoringProfile.objects.exists()
    assert ContentType.objects.filter(app_label="diagnostics", model="basin").exists()
    assert Permission.objects.filter(codename="view_basin").exists()
