"""Every Alembic revision goes up, down and up again, and the models match the migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from bot.migrate import alembic_config, downgrade, upgrade
from tests.conftest import POSTGRES_URL


@pytest.fixture
def migration_url(tmp_path: Path) -> str:
    return POSTGRES_URL or f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"


def test_every_revision_up_down_up(migration_url: str) -> None:
    revisions = list(
        ScriptDirectory.from_config(alembic_config(migration_url)).walk_revisions("base", "heads")
    )
    assert revisions, "no migrations found"
    for revision in reversed(revisions):  # oldest first
        upgrade(migration_url, revision.revision)
        downgrade(migration_url, revision.down_revision or "base")
        upgrade(migration_url, revision.revision)
    downgrade(migration_url, "base")
    upgrade(migration_url, "head")


def test_models_match_migrations(migration_url: str) -> None:
    upgrade(migration_url, "head")
    try:
        command.check(alembic_config(migration_url))
    except CommandError as error:  # pragma: no cover - the message is the useful part
        pytest.fail(f"models and migrations differ; write a migration: {error}")
