from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class CoursesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "courses"

    def ready(self) -> None:
        post_migrate.connect(
            _instructor_group_after_migrate, sender=self, dispatch_uid="courses.instructor_group"
        )


def _instructor_group_after_migrate(sender, using, verbosity=1, **kwargs) -> None:
    """Keep the Instructor group in step after every migrate (and after a test database flush).

    Django creates an app's permissions in its own post_migrate step; those of the apps the group
    draws on are created here first, so the order of INSTALLED_APPS does not matter.
    """
    from django.contrib.auth.management import create_permissions

    from courses.services import INSTRUCTOR_PERMISSIONS, instructor_group_sync

    installed = {config.label: config for config in apps.get_app_configs()}
    for label in INSTRUCTOR_PERMISSIONS:
        if label in installed:
            create_permissions(installed[label], verbosity=0, using=using)
    instructor_group_sync()
