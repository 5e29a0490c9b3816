from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "progress"
    verbose_name = _("Learners and progress")

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from comments import signals as comment_signals
        from progress import receivers

        post_save.connect(
            receivers.create_profile, sender=get_user_model(), dispatch_uid="progress-profile"
        )
        user_logged_in.connect(receivers.restore_language, dispatch_uid="progress-language")
        # The comments app announces what happened; progress decides what it earns.
        comment_signals.comment_posted.connect(
            receivers.record_comment_posted, dispatch_uid="progress-comment-posted"
        )
        comment_signals.reply_received.connect(
            receivers.record_reply_received, dispatch_uid="progress-reply-received"
        )
        comment_signals.report_confirmed.connect(
            receivers.record_report_confirmed, dispatch_uid="progress-report-confirmed"
        )
