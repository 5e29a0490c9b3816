"""Notifications and their emails: one per subject, each email a task (comments.tasks) queued
with the change and sent outside the request; a failed send is recorded and tried again later,
and a retry never sends twice. Also the signed unsubscribe links those emails carry."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

from comments import cache_names, emails, tasks
from comments.models import EmailStatus, Notification
from courses.models import Lesson
from lessons.caching import versions

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "comments.unsubscribe"


def _enqueue(task: Task, **kwargs: Any) -> None:
    """Queue `task` with the change being made.

    The database queue takes it in this same transaction: the task commits with the rows it is
    about or rolls back with them, and a database that fails between the two cannot lose it.
    Any other backend is handed it once the transaction commits, so that it never acts on rows
    that might still roll back (the immediate backend runs it there and then).
    """
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, **kwargs), robust=True)


def notification_create(*, recipient: AbstractBaseUser, kind: str, **subject: Any) -> None:
    """An in-app notification once per subject, and its email queued (sent if wanted)."""
    notification, created = Notification.objects.get_or_create(
        recipient=recipient, kind=kind, **subject
    )
    if created:
        _enqueue(tasks.notification_email_task, notification_id=notification.pk)


def notification_email_send(*, notification_id: int) -> str | None:
    """Email a notification to a learner who opted in, once: the work of its task.

    The notification's row stays locked while the email is built and sent, and only a QUEUED
    one is sent, then marked SENT: a task that runs twice, or two workers at once, send one
    email. A failure is recorded on the row (email_attempts, email_error) and the task queued
    again after the next of EMAIL_RETRY_MINUTES; after the last try, or at once with a backend
    that cannot run a task later, the email is FAILED and logged as an error, and staff see it
    in admin and can send it again (notifications_email_again).

    Returns the email status afterwards (QUEUED: to be tried again), None when the notification
    is gone (deleted with its comment before its turn came).
    """
    with transaction.atomic():
        # Only the notification's row is locked (`of`): holding the comment or the learner would
        # hold up their edits and sign-ins while the mail server answers, and PostgreSQL refuses
        # FOR UPDATE on the nullable side of an outer join. Not skip_locked: a task that skipped
        # a row someone else holds (a learner marking it read, a worker whose send then fails)
        # would drop its email; waiting costs at most one EMAIL_TIMEOUT.
        notification = (
            Notification.objects.for_list()
            .select_related("recipient__learner_profile")
            .select_for_update(of=("self",))
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return None
        if notification.email_status != EmailStatus.QUEUED:
            return notification.email_status
        attempt = notification.email_attempts + 1
        try:
            # A savepoint: whatever fails in here, this transaction can still record it.
            with transaction.atomic():
                message = emails.notification_message(notification)
                if message is not None:
                    message.send()
        except Exception as error:
            return _notification_email_failed(notification, attempt=attempt, error=error)
        if message is None:
            notification.email_status = EmailStatus.SKIPPED
        else:
            notification.email_status = EmailStatus.SENT
            notification.emailed_at = timezone.now()
            notification.email_attempts = attempt
        notification.save(update_fields=["email_status", "emailed_at", "email_attempts"])
    return notification.email_status


def _notification_email_failed(
    notification: Notification, *, attempt: int, error: Exception
) -> str:
    delays = settings.EMAIL_RETRY_MINUTES
    task = tasks.notification_email_task
    # The immediate backend cannot run a task later, and trying again at once would only keep
    # the request waiting on a mail server that just failed.
    tries = len(delays) + 1 if task.get_backend().supports_defer else 1
    notification.email_attempts = attempt
    notification.email_error = f"{type(error).__name__}: {error}"
    if attempt < tries:
        retry_at = timezone.now() + timedelta(minutes=delays[attempt - 1])
        _enqueue(task.using(run_after=retry_at), notification_id=notification.pk)
        logger.warning(
            "Could not email notification %s (try %d of %d), trying again at %s: %s",
            notification.pk,
            attempt,
            tries,
            retry_at.isoformat(),
            notification.email_error,
        )
    else:
        notification.email_status = EmailStatus.FAILED
        logger.error(
            "Could not email notification %s (try %d of %d), giving up: %s",
            notification.pk,
            attempt,
            tries,
            notification.email_error,
            exc_info=error,
        )
    notification.save(update_fields=["email_status", "email_attempts", "email_error"])
    return notification.email_status


def notifications_email_again(*, notifications: QuerySet) -> int:
    """Staff send again the emails that failed, or still wait (their worker died mid-way, say):
    each is queued now with a fresh set of tries. Sent or skipped ones are left alone, and a
    second task for one still queued does no harm: it is sent once."""
    with transaction.atomic():
        waiting = notifications.filter(email_status__in=[EmailStatus.QUEUED, EmailStatus.FAILED])
        ids = list(waiting.values_list("id", flat=True))
        waiting.update(email_status=EmailStatus.QUEUED, email_attempts=0)
        for notification_id in ids:
            _enqueue(tasks.notification_email_task, notification_id=notification_id)
    return len(ids)


def notifications_mark_read(*, user: AbstractBaseUser, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user).unread()
    if ids is not None:
        unread = unread.filter(id__in=list(ids))
    marked = unread.update(read_at=timezone.now())  # an update: no signal, so bump here
    versions.changed(cache_names.notifications(user.pk))
    return marked


def unsubscribe_token(*, user: AbstractBaseUser, lesson: Lesson | None = None) -> str:
    return signing.dumps({"u": user.pk, "l": lesson.pk if lesson else None}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token_read(token: str) -> tuple[int, int | None]:
    """(user id, lesson id or None) from a token; raises signing.BadSignature if forged/expired."""
    data = signing.loads(
        token, salt=UNSUBSCRIBE_SALT, max_age=settings.COMMENTS_UNSUBSCRIBE_DAYS * 24 * 3600
    )
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise signing.BadSignature("unexpected token contents")
    lesson_id = data.get("l")
    return data["u"], lesson_id if isinstance(lesson_id, int) else None
