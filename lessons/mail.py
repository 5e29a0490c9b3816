"""Email when nothing is set up to send it.

With DEBUG off and neither EMAIL_HOST nor EMAIL_BACKEND set, lessons/settings.py chooses by
EMAIL_WITHOUT_BACKEND: "queue" (the default) makes UnconfiguredEmailBackend the email backend,
"refuse" stops the start. Django's console backend, the usual fallback, would print every
sign-in, confirmation and password-reset email into the server's log, links included, and they
work for whoever reads them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)

UNCONFIGURED_EMAIL_BACKEND = "lessons.mail.UnconfiguredEmailBackend"


class EmailNotConfiguredError(Exception):
    """No way to send email is set up: the email was not sent, and may be tried again."""


class UnconfiguredEmailBackend(BaseEmailBackend):
    """Sends nothing and prints nothing: each send fails with EmailNotConfiguredError.

    Every email is a task (accounts.adapter, comments.tasks), and a failed send is left to the
    task's own retries: with TASKS_BACKEND=database the email waits in the queue and is tried
    again after each of EMAIL_RETRY_MINUTES, so it goes out if EMAIL_HOST is set (and the worker
    restarted) before the last try. The error names no address, subject or link: whatever logs
    it leaks nothing.
    """

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages or self.fail_silently:
            return 0
        raise EmailNotConfiguredError("email is not set up (EMAIL_HOST is not set): none is sent")


def unconfigured_warning(*, tasks_can_wait: bool) -> str:
    if tasks_can_wait:
        kept = (
            "emails are not sent but wait in the task queue, tried again after each of "
            "EMAIL_RETRY_MINUTES"
        )
    else:
        kept = (
            "emails are not sent, nor kept (TASKS_BACKEND=database would keep them in the "
            "queue to be tried again)"
        )
    return (
        f"Email is not set up (DEBUG is off, EMAIL_HOST is not set): {kept}; set EMAIL_HOST to "
        "send them, or EMAIL_WITHOUT_BACKEND=refuse to refuse to start without it."
    )


def warn_when_unconfigured() -> None:
    """One line as each process starts (the app server, the worker, a command), once Django has
    configured logging (LessonsConfig.ready): its emails will not go out."""
    if settings.EMAIL_BACKEND != UNCONFIGURED_EMAIL_BACKEND:
        return
    from django_tasks import default_task_backend

    logger.warning(unconfigured_warning(tasks_can_wait=default_task_backend.supports_defer))
