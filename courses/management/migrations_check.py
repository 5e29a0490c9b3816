"""Saying plainly that the database is not ready, rather than a traceback from the first query."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def require_migrated_database(using: str = DEFAULT_DB_ALIAS) -> None:
    """Raise CommandError when the database has no tables yet, or misses some migrations."""
    executor = MigrationExecutor(connections[using])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not pending:
        return
    if not executor.loader.applied_migrations:
        raise CommandError("the database has no tables yet: run `manage.py migrate` first")
    first, _backwards = pending[0]
    raise CommandError(
        f"the database is not up to date ({len(pending)} migrations not applied, starting with "
        f"{first.app_label}.{first.name}): run `manage.py migrate` first"
    )
