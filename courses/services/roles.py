"""The Instructor group and its permissions."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group, Permission

INSTRUCTOR_GROUP = "Instructor"


def instructor_permissions() -> dict[str, list[str]]:
    """{app label: codenames} of what instructors may do, as each installed app declares it
    (an `instructor_permissions` list on its AppConfig, naming its own models' permissions)."""
    return {
        config.label: list(config.instructor_permissions)
        for config in apps.get_app_configs()
        if getattr(config, "instructor_permissions", None)
    }


def instructor_group_sync() -> Group:
    """Create the Instructor group, or set its permissions back to exactly what the apps declare.

    Safe to run any number of times; permissions of models that do not exist yet are skipped,
    so run it again (`manage.py setup_roles`, or any `migrate`) after adding models.
    """
    wanted = Permission.objects.none()
    for app_label, codenames in instructor_permissions().items():
        wanted |= Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
    group, _ = Group.objects.get_or_create(name=INSTRUCTOR_GROUP)
    group.permissions.set(wanted)
    return group
