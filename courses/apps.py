from django.apps import AppConfig, apps
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


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
        from courses import receivers
        from courses.models import Course, Lesson, Tag
        from lessons.caching.pages import content_changes_scheduled

        # Cached pages and fragments are keyed on the content's versions (lessons.caching.versions).
        for signal in (post_save, post_delete):
            name = "saved" if signal is post_save else "deleted"
            signal.connect(
                receivers.course_saved_or_deleted,
                sender=Course,
                dispatch_uid=f"courses.course_{name}.versions",
            )
            signal.connect(
                receivers.lesson_saved_or_deleted,
                sender=Lesson,
                dispatch_uid=f"courses.lesson_{name}.versions",
            )
            signal.connect(
                receivers.tag_saved_or_deleted,
                sender=Tag,
                dispatch_uid=f"courses.tag_{name}.versions",
            )
        m2m_changed.connect(
            receivers.lesson_tags_changed,
            sender=Lesson.tags.through,
            dispatch_uid="courses.lesson_tags_changed.versions",
        )
        content_changes_scheduled.connect(
            receivers.scheduled_publish_moments, dispatch_uid="courses.scheduled_publishing"
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
