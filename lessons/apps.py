from django.apps import AppConfig


class LessonsConfig(AppConfig):
    """The project package as an app: its system checks, and the request id of log lines."""

    name = "lessons"
    verbose_name = "Stream"

    def ready(self) -> None:
        from django.core import checks
        from django.core.signals import request_finished, request_started

        from lessons import log
        from lessons.checks import email_not_printed

        checks.register(email_not_printed, checks.Tags.security)
        request_started.connect(log.request_began, dispatch_uid="lessons-request-id-began")
        request_finished.connect(log.request_ended, dispatch_uid="lessons-request-id-ended")
