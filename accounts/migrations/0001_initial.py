# LearnerProfile moves here from progress without touching a row: this migration only tells
# Django's state that accounts now owns the existing table (progress 0003 lets go of it), and
# 0002 renames the table to accounts' own name.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("progress", "0002_achievement_level_completion_earnedachievement_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LearnerProfile",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("display_name", models.CharField(help_text="Shown beside your comments. Your email address is never shown.", max_length=40, verbose_name="display name")),
                        ("language", models.CharField(blank=True, choices=[("en", "English"), ("ko", "한국어")], help_text="Leave empty to follow your browser.", max_length=8, verbose_name="language")),
                        ("time_zone", models.CharField(default="Asia/Seoul", help_text="Your streak counts days in this time zone.", max_length=64, verbose_name="time zone")),
                        ("email_notifications", models.BooleanField(default=False, verbose_name="email me when someone replies to my comments")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="learner_profile", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "learner profile",
                        "db_table": "progress_learnerprofile",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
