from django.apps import AppConfig


class LessonsConfig(AppConfig):
    """The project package as an app: its system checks, the request id of log lines, and a
    word at start when email cannot be sent."""

    name = "lessons"
    verbose_name = "Stream"

    def ready(self) -> None:
        from django.core import checks
        from django.core.signals import request_finished, request_started

        from lessons import log, mail
        from lessons.checks import email_not_printed

        checks.register(email_not_printed, checks.Tags.security)
        request_started.connect(log.request_began, dispatch_uid="lessons-request-id-began")
        request_finished.connect(log.request_ended, dispatch_uid="lessons-request-id-ended")
        mail.warn_when_unconfigured()
