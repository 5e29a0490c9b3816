"""Writes of the discussion that touch several rows: posting a comment and notifying, flags and
moderation, bug report triage, notifications and their emails.

Events for other apps (comments.signals) go out only once the change is committed, and cannot
undo or block it: a receiver that fails is logged. Emails are tasks (comments.tasks), queued with
the change and sent outside the request; a failed send is recorded and tried again later.
"""

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
from django.db.models import Model, QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

from comments import emails, signals, tasks
from comments.models import (
    BugReport,
    Comment,
    CommentFlag,
    EmailStatus,
    FlagResolution,
    Moderation,
    Notification,
    NotificationKind,
    ReportStatus,
    ThreadSubscription,
)
from courses.models import Lesson
from lessons import versions

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "comments.unsubscribe"


# --- Comments ----------------------------------------------------------------------------------


def _send_after_commit(signal: Signal, *, sender: type, user: AbstractBaseUser, key: str) -> None:
    transaction.on_commit(partial(signal.send, sender=sender, user=user, key=key), robust=True)


def _threads_changed(lesson_ids: Iterable[int]) -> None:
    """Once the change commits, bump these lessons' versions (lessons.versions): cached copies of
    their pages and threads are stale, and the next reader gets a fresh one. Called by every
    write that changes what a thread shows, since most moderation writes are queryset updates,
    which send no signal."""
    names = sorted({f"lesson:{lesson_id}" for lesson_id in lesson_ids})
    if names:
        transaction.on_commit(partial(versions.bump, *names), robust=True)


def _threads_changed_for(comment_ids: list[int]) -> None:
    lesson_ids = Comment.objects.filter(id__in=comment_ids).order_by().values_list("lesson_id")
    _threads_changed(lesson_id for (lesson_id,) in lesson_ids.distinct())


def _stands(comment: Comment) -> bool:
    """Whether a comment counts toward achievements: neither deleted by its author nor hidden
    by moderators. Hidden by flags only (awaiting review), it still counts: nobody judged it."""
    return not comment.is_removed and comment.moderation != Moderation.HIDDEN


def _progress_tell(comment: Comment, *, counts: bool) -> None:
    """Tell progress, after commit, that what `comment` earned counts again or no longer does.

    A comment counts for its author while it stands; a reply counts for the author of the
    comment it answers while both stand. So this covers the comment's author, its parent's
    author, and its own author again for the replies others wrote to it. Withdrawing what was
    never counted, or counting twice, changes nothing: progress keys events by comment.
    """
    posted = signals.comment_posted if counts else signals.comment_withdrawn
    replied = signals.reply_received if counts else signals.reply_withdrawn
    author = comment.author
    if author is not None:
        _send_after_commit(posted, sender=Comment, user=author, key=f"comment:{comment.pk}")
    parent = comment.parent
    if (
        parent is not None
        and parent.author is not None
        and parent.author_id != comment.author_id
        and (not counts or _stands(parent))
    ):
        _send_after_commit(replied, sender=Comment, user=parent.author, key=f"comment:{comment.pk}")
    if author is None:
        return
    for reply in comment.replies.all():
        if reply.author_id in (None, author.pk) or (counts and not _stands(reply)):
            continue
        _send_after_commit(replied, sender=Comment, user=author, key=f"comment:{reply.pk}")


def _with_what_progress_needs(comments: QuerySet) -> QuerySet:
    return comments.select_related("author", "parent__author").prefetch_related("replies")


def replies_wanted(*, user: AbstractBaseUser, lesson: Lesson) -> bool:
    """Whether the learner hears about replies on this lesson's thread (yes, unless turned off)."""
    return not ThreadSubscription.objects.filter(user=user, lesson=lesson, is_active=False).exists()


def comment_post(
    *, author: AbstractBaseUser, lesson: Lesson, body: str, parent: Comment | None = None
) -> Comment:
    """Post a comment (or a reply), notify the parent's author, and tell progress."""
    if parent is not None and parent.lesson_id != lesson.pk:
        raise ValueError("a reply belongs to its parent's lesson")
    with transaction.atomic():
        comment = Comment.objects.create(lesson=lesson, author=author, parent=parent, body=body)
        _threads_changed([lesson.pk])
        _send_after_commit(
            signals.comment_posted, sender=Comment, user=author, key=f"comment:{comment.pk}"
        )
        replied_to = parent.author if parent is not None else None
        if replied_to is not None and replied_to.pk != author.pk:
            _send_after_commit(
                signals.reply_received,
                sender=Comment,
                user=replied_to,
                key=f"comment:{comment.pk}",
            )
            if replies_wanted(user=replied_to, lesson=lesson):
                _notify(recipient=replied_to, kind=NotificationKind.REPLY, comment=comment)
    return comment


def comment_edit(*, comment: Comment, body: str) -> Comment:
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    _threads_changed([comment.lesson_id])
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment) -> None:
    """The author takes their comment back: the text goes, the place in the thread stays, and
    what it earned goes too (so posting and deleting earns nothing)."""
    # As stored now, whatever the caller's copy says: moderators may have hidden it meanwhile.
    comment.refresh_from_db(fields=["is_removed", "moderation"])
    stood = _stands(comment)
    comment.is_removed = True
    comment.body = ""
    comment.save(update_fields=["is_removed", "body"])
    _threads_changed([comment.lesson_id])
    # Nothing left to read behind these.
    Notification.objects.filter(comment=comment).delete()
    if stood:
        _progress_tell(comment, counts=False)


def thread_subscription_set(*, user: AbstractBaseUser, lesson: Lesson, active: bool) -> None:
    ThreadSubscription.objects.update_or_create(
        user=user, lesson=lesson, defaults={"is_active": active}
    )


# --- Flags and moderation ----------------------------------------------------------------------


def comment_flag(*, comment: Comment, user: AbstractBaseUser, reason: str, note: str = "") -> bool:
    """Flag a comment once per learner; enough pending flags hide it until staff review it.

    Returns False when the learner had already flagged it.
    """
    with transaction.atomic():
        _flag, created = CommentFlag.objects.get_or_create(
            comment=comment, user=user, defaults={"reason": reason, "note": note}
        )
        if created:
            _hide_if_flagged_enough(comment)
    return created


def _flags_that_hide(comment: Comment) -> int:
    """Pending flags that count toward hiding (CommentFlagQuerySet.counting_toward_hiding);
    the others still put the comment in the moderation queue."""
    return CommentFlag.objects.filter(comment=comment).pending().counting_toward_hiding().count()


def _hide_if_flagged_enough(comment: Comment) -> None:
    if _flags_that_hide(comment) >= settings.COMMENTS_FLAGS_TO_HIDE:
        if Comment.objects.filter(pk=comment.pk, moderation=Moderation.VISIBLE).update(
            moderation=Moderation.AWAITING_REVIEW
        ):
            _threads_changed([comment.lesson_id])


@transaction.atomic
def flag_withdraw(*, flag: CommentFlag) -> None:
    """A learner takes back their own flag while staff have not reviewed it."""
    comment = flag.comment
    flag.delete()
    if _flags_that_hide(comment) < settings.COMMENTS_FLAGS_TO_HIDE:
        if Comment.objects.filter(pk=comment.pk, moderation=Moderation.AWAITING_REVIEW).update(
            moderation=Moderation.VISIBLE
        ):
            _threads_changed([comment.lesson_id])


def _ids(rows: Iterable[Model] | QuerySet) -> list[int]:
    if isinstance(rows, QuerySet):
        return list(rows.values_list("id", flat=True))
    return [row.pk for row in rows]


def _flags_resolve(ids: list[int], resolution: str) -> None:
    CommentFlag.objects.filter(comment_id__in=ids, resolution=FlagResolution.PENDING).update(
        resolution=resolution, resolved_at=timezone.now()
    )


@transaction.atomic
def comments_hide(*, comments: Iterable[Comment] | QuerySet) -> int:
    """Staff hide comments; the flags on them were right, and what they earned is withdrawn."""
    ids = _ids(comments)
    _flags_resolve(ids, FlagResolution.UPHELD)
    standing = [comment.pk for comment in Comment.objects.filter(id__in=ids) if _stands(comment)]
    count = Comment.objects.filter(id__in=ids).update(moderation=Moderation.HIDDEN)
    _threads_changed_for(ids)
    for comment in _with_what_progress_needs(Comment.objects.filter(id__in=standing)):
        _progress_tell(comment, counts=False)
    return count


@transaction.atomic
def comments_restore(*, comments: Iterable[Comment] | QuerySet) -> int:
    """Staff show hidden comments again; pending flags on them are dismissed, and what the
    comments staff had hidden earned counts again."""
    ids = _ids(comments)
    _flags_resolve(ids, FlagResolution.DISMISSED)
    hidden = list(
        Comment.objects.filter(id__in=ids, moderation=Moderation.HIDDEN).values_list(
            "pk", flat=True
        )
    )
    count = Comment.objects.filter(id__in=ids).update(moderation=Moderation.VISIBLE)
    _threads_changed_for(ids)
    # Read after the update, so that a reply restored with its parent counts for both.
    for comment in _with_what_progress_needs(Comment.objects.filter(id__in=hidden)):
        if _stands(comment):
            _progress_tell(comment, counts=True)
    return count


def comment_moderation_set(*, comment: Comment, moderation: str) -> None:
    """Staff set one comment's moderation state (the comment's page in admin)."""
    if moderation == Moderation.HIDDEN:
        comments_hide(comments=[comment])
    elif moderation == Moderation.VISIBLE:
        comments_restore(comments=[comment])
    else:
        Comment.objects.filter(pk=comment.pk).update(moderation=moderation)
        _threads_changed([comment.lesson_id])
    comment.moderation = moderation


@transaction.atomic
def flags_dismiss(*, comments: Iterable[Comment] | QuerySet) -> int:
    """Staff find the flags unfounded: they are closed, and comments they hid come back.

    A comment staff hid themselves stays hidden (restore it to show it).
    """
    ids = _ids(comments)
    _flags_resolve(ids, FlagResolution.DISMISSED)
    if Comment.objects.filter(id__in=ids, moderation=Moderation.AWAITING_REVIEW).update(
        moderation=Moderation.VISIBLE
    ):
        _threads_changed_for(ids)
    return len(ids)


# --- Bug reports -------------------------------------------------------------------------------


def report_file(
    *,
    lesson: Lesson,
    reporter: AbstractBaseUser | None,
    category: str,
    description: str,
    passage: str = "",
    contact_email: str = "",
    page_url: str = "",
    user_agent: str = "",
) -> BugReport:
    return BugReport.objects.create(
        lesson=lesson,
        reporter=reporter if reporter is not None and reporter.is_authenticated else None,
        # A signed-in reporter is reached through their account, not a typed address.
        contact_email="" if reporter is not None and reporter.is_authenticated else contact_email,
        category=category,
        description=description,
        passage=passage,
        page_url=page_url[:500],
        user_agent=user_agent[:300],
    )


def report_status_set(*, report: BugReport, status: str) -> bool:
    """Move a report to `status`. Confirming tells progress; fixing tells the reporter.

    Returns False when the report already had that status (nothing happens then).
    """
    if report.status == status:
        return False
    with transaction.atomic():
        report.status = status
        report.save(update_fields=["status", "updated_at"])
        reporter = report.reporter
        if reporter is not None and status == ReportStatus.CONFIRMED:
            _send_after_commit(
                signals.report_confirmed, sender=BugReport, user=reporter, key=f"report:{report.pk}"
            )
        if reporter is not None and status == ReportStatus.FIXED:
            _notify(recipient=reporter, kind=NotificationKind.REPORT_FIXED, report=report)
    return True


def reports_status_set(*, reports: Iterable[BugReport], status: str) -> int:
    with transaction.atomic():
        return sum(report_status_set(report=report, status=status) for report in reports)


# --- Notifications -----------------------------------------------------------------------------


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


def _notify(*, recipient: AbstractBaseUser, kind: str, **subject: Any) -> None:
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


def notifications_email_again(*, notifications: Iterable[Notification] | QuerySet) -> int:
    """Staff send again the emails that failed, or still wait (their worker died mid-way, say):
    each is queued now with a fresh set of tries. Sent or skipped ones are left alone, and a
    second task for one still queued does no harm: it is sent once."""
    with transaction.atomic():
        waiting = Notification.objects.filter(
            id__in=_ids(notifications), email_status__in=[EmailStatus.QUEUED, EmailStatus.FAILED]
        )
        ids = list(waiting.values_list("id", flat=True))
        waiting.update(email_status=EmailStatus.QUEUED, email_attempts=0)
        for notification_id in ids:
            _enqueue(tasks.notification_email_task, notification_id=notification_id)
    return len(ids)


def notifications_mark_read(*, user: AbstractBaseUser, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user).unread()
    if ids is not None:
        unread = unread.filter(id__in=list(ids))
    return unread.update(read_at=timezone.now())


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
