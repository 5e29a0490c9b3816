from django.apps import AppConfig


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    # What instructors may do here (courses.services.instructor_group_sync gathers it): triage
    # bug reports and moderate comments.
    instructor_permissions = [
        "view_comment", "change_comment",
        "view_flaggedcomment", "change_flaggedcomment",
        "view_commentflag", "change_commentflag",
        "view_bugreport", "change_bugreport",
        "view_lessonreportsummary",
    ]  # fmt: skip

    def ready(self) -> None:
        from accounts.signals import learner_data_requested
        from comments import receivers

        learner_data_requested.connect(receivers.learner_data, dispatch_uid="comments-data")
