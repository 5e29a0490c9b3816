from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Learners' accounts")

    def ready(self) -> None:
        from accounts import parts

        parts.register()  # what accounts draws into the pages below it (lessons.slots)
        from allauth.account.signals import user_logged_in
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from accounts import receivers
        from accounts.models import LearnerProfile

        post_save.connect(
            receivers.create_profile, sender=get_user_model(), dispatch_uid="accounts-profile"
        )
        user_logged_in.connect(receivers.restore_language, dispatch_uid="accounts-language")
        for model in (get_user_model(), LearnerProfile):
            post_save.connect(
                receivers.reader_changed, sender=model, dispatch_uid="accounts-reader"
            )
