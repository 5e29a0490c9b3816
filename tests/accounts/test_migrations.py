"""The profile moved from progress to accounts: a database migrated forward keeps every row."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import LearnerProfile

LAST_WITH_PROFILE_IN_PROGRESS = (
    "progress",
    "0002_achievement_level_completion_earnedachievement_and_more",
)


def migrate_to(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def migrate_forward() -> None:
    migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def database_as_deployed_before_the_move(transactional_db):
    """Migrations unapplied back to where progress held LearnerProfile; forward again after."""
    executor = migrate_to([("accounts", None)])
    yield executor.loader.project_state([LAST_WITH_PROFILE_IN_PROGRESS]).apps
    migrate_forward()


def test_profiles_survive_the_move_to_accounts(database_as_deployed_before_the_move):
    old = database_as_deployed_before_the_move
    users = old.get_model("auth", "User").objects
    profiles = old.get_model("progress", "LearnerProfile").objects
    kept = {}
    for number, (name, language, zone) in enumerate(
        [("Mina", "ko", "Asia/Seoul"), ("Jun", "", "Europe/Berlin"), ("Ana", "en", "UTC")]
    ):
        user = users.create(username=f"u{number}", email=f"u{number}@example.com")
        profile = profiles.create(
            user=user,
            display_name=name,
            language=language,
            time_zone=zone,
            email_notifications=number % 2 == 0,
        )
        kept[profile.pk] = (user.pk, name, language, zone, number % 2 == 0)

    migrate_forward()

    moved = {
        p.pk: (p.user_id, p.display_name, p.language, p.time_zone, p.email_notifications)
        for p in LearnerProfile.objects.all()
    }
    assert moved == kept
    assert ContentType.objects.filter(app_label="accounts", model="learnerprofile").exists()
    assert not ContentType.objects.filter(app_label="progress", model="learnerprofile").exists()
    # The new rows get ids after the old ones: the table kept its sequence.
    user = users.create(username="new", email="new@example.com")
    assert LearnerProfile.objects.create(user_id=user.pk, display_name="New").pk > max(kept)
