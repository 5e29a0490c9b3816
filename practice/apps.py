from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticeConfig(AppConfig):
    """Knowledge checks answered and exercises written: what learners do with a lesson.

    The floor above progress: it tells progress what earns XP and achievements, and fills the
    lesson page, the learner bar and /progress/ through their slots (lessons.slots)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "practice"
    verbose_name = _("Practice")
    # Instructors see how checks do and read the exercise answers learners submit.
    instructor_permissions = ["view_checkattempt", "view_exerciseanswer"]

    def ready(self) -> None:
        from accounts.signals import learner_data_requested
        from practice import parts, receivers

        parts.register()  # what practice draws into the pages below it (lessons.slots)
        learner_data_requested.connect(receivers.learner_data, dispatch_uid="practice-data")
