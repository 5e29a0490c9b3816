# The profile now belongs to accounts (accounts 0001 takes over the same table): forget it here
# without dropping anything.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("progress", "0002_achievement_level_completion_earnedachievement_and_more"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="LearnerProfile")],
            database_operations=[],
        ),
    ]
