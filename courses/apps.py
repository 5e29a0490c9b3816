from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class CoursesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "courses"
    # Instructors edit courses, lessons and tags, but never delete them (archive instead: progress
    # and comments point at lessons); lesson history comes with change_lesson. Every app declares
    # its own models' permissions like this; courses.services.instructor_group_sync gathers them.
    instructor_permissions = [
        "view_course", "add_course", "change_course",
        "view_lesson", "add_lesson", "change_lesson",
        "view_tag", "add_tag", "change_tag",
    ]  # fmt: skip

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

    from courses.services import instructor_group_sync, instructor_permissions

    for label in instructor_permissions():
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)
    instructor_group_sync()
