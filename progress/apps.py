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

        from progress import receivers

        post_save.connect(
            receivers.create_profile, sender=get_user_model(), dispatch_uid="progress-profile"
        )
        user_logged_in.connect(receivers.restore_language, dispatch_uid="progress-language")
