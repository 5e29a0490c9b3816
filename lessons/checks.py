"""System checks for settings that are each fine alone and wrong together."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


def email_not_printed(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Outside DEBUG, email is sent, not printed into the server's log.

    Sign-in, password-reset, confirmation and unsubscribe emails carry links that work for
    whoever holds them; in a log they are readable by everyone who can read the log.
    lessons/settings.py already refuses to load so (lessons.mail); this check still catches
    settings changed after they load (another settings module, override_settings).
    """
    if settings.DEBUG or settings.EMAIL_BACKEND != CONSOLE_EMAIL_BACKEND:
        return []
    if getattr(settings, "EMAIL_CONSOLE_ALLOWED", False):
        return []
    return [
        Error(
            "Emails would be printed to the log, secret links included (DEBUG is off and "
            "EMAIL_HOST is not set).",
            hint="Set EMAIL_HOST (and EMAIL_HOST_USER, EMAIL_HOST_PASSWORD) to send them; where "
            "printing them is acceptable (a test machine), set EMAIL_CONSOLE_ALLOWED=true.",
            id="lessons.E001",
        )
    ]
