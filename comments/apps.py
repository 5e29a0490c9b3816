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
        "view_lessonreportsummary", "view_lessonfreshness",
    ]  # fmt: skip

    def ready(self) -> None:
        from comments import parts

        parts.register()  # what comments draws into the pages below it (lessons.slots)
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save, pre_delete

        from accounts.models import LearnerProfile
        from accounts.signals import learner_data_requested
        from comments import receivers
        from comments.models import BugReport, Comment, Notification
        from courses.signals import lesson_reviewed

        learner_data_requested.connect(receivers.learner_data, dispatch_uid="comments-data")
        # Cached threads show authors' names and badges: redraw them when those change.
        post_save.connect(
            receivers.profile_saved, sender=LearnerProfile, dispatch_uid="comments-thread-name"
        )
        pre_delete.connect(
            receivers.profile_deleting, sender=LearnerProfile, dispatch_uid="comments-thread-gone"
        )
        post_save.connect(
            receivers.user_saved, sender=get_user_model(), dispatch_uid="comments-thread-staff"
        )
        post_delete.connect(
            receivers.comment_deleted, sender=Comment, dispatch_uid="comments-thread-deleted"
        )
        # The bell's unread count is cached per learner: recount when their notifications change.
        for signal in (post_save, post_delete):
            signal.connect(
                receivers.notification_changed,
                sender=Notification,
                dispatch_uid=f"comments-bell-{signal is post_save}",
            )
        post_delete.connect(
            receivers.report_deleted, sender=BugReport, dispatch_uid="comments-report-deleted"
        )
        # A lesson checked by an instructor answers its readers' "outdated" reports.
        lesson_reviewed.connect(receivers.lesson_reviewed, dispatch_uid="comments-lesson-reviewed")
