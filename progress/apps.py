from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "progress"
    verbose_name = _("Learners and progress")

    def ready(self) -> None:
        from progress import parts

        parts.register()  # what progress draws into the pages below it (lessons.slots)
        from accounts.models import LearnerProfile
        from accounts.signals import learner_data_requested
        from comments import signals as comment_signals
        from courses.signals import content_exporting, content_loading, lesson_readers
        from progress import receivers
        from progress.models import Completion, EarnedAchievement, XPEntry

        # The comments app announces what happened; progress decides what it earns.
        comment_signals.comment_posted.connect(
            receivers.record_comment_posted, dispatch_uid="progress-comment-posted"
        )
        comment_signals.reply_received.connect(
            receivers.record_reply_received, dispatch_uid="progress-reply-received"
        )
        comment_signals.comment_withdrawn.connect(
            receivers.withdraw_comment_posted, dispatch_uid="progress-comment-withdrawn"
        )
        comment_signals.reply_withdrawn.connect(
            receivers.withdraw_reply_received, dispatch_uid="progress-reply-withdrawn"
        )
        comment_signals.report_confirmed.connect(
            receivers.record_report_confirmed, dispatch_uid="progress-report-confirmed"
        )
        content_loading.connect(receivers.load_rules, dispatch_uid="progress-rules")
        content_exporting.connect(receivers.export_rules, dispatch_uid="progress-rules-export")
        learner_data_requested.connect(receivers.learner_data, dispatch_uid="progress-data")
        for model in (Completion, EarnedAchievement, XPEntry):
            for signal in (post_save, post_delete):
                signal.connect(
                    receivers.learner_figures_changed,
                    sender=model,
                    dispatch_uid=f"progress-figures-{model.__name__}-{signal is post_save}",
                )
        lesson_readers.connect(receivers.lesson_readers, dispatch_uid="progress-lesson-readers")
        for signal in (post_save, post_delete):
            signal.connect(
                receivers.leaderboard_membership_changed,
                sender=LearnerProfile,
                dispatch_uid=f"progress-leaderboard-members-{signal is post_save}",
            )
