"""Writes of the discussion that touch several rows: posting a comment and notifying, flags and
moderation and bug report triage (notifications and their emails: comments.notifications).

Events for other apps (comments.signals) go out only once the change is committed, and cannot
undo or block it: a receiver that fails is logged. Emails are tasks (comments.tasks), queued with
the change and sent outside the request; a failed send is recorded and tried again later.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Model, QuerySet
from django.dispatch import Signal
from django.utils import timezone

from comments import signals
from comments.cache_names import outdated_reports
from comments.models import (
    BugReport,
    Comment,
    CommentFlag,
    FlagResolution,
    Moderation,
    Notification,
    NotificationKind,
    ReportCategory,
    ReportStatus,
    ThreadSubscription,
)
from comments.notifications import notification_create
from courses.cache_names import lesson_page
from courses.models import Lesson
from lessons.caching import versions

logger = logging.getLogger(__name__)


# --- Comments ----------------------------------------------------------------------------------


def _send_after_commit(signal: Signal, *, sender: type, user: AbstractBaseUser, key: str) -> None:
    transaction.on_commit(partial(signal.send, sender=sender, user=user, key=key), robust=True)


def _threads_changed(lesson_ids: Iterable[int]) -> None:
    """Bump these lessons' versions now and once the change commits (versions.changed): cached
    copies of their pages and threads are stale, and the next reader gets a fresh one. Called by
    every write that changes what a thread shows, since most moderation writes are queryset
    updates, which send no signal."""
    names = sorted({lesson_page(lesson_id) for lesson_id in lesson_ids})
    if names:
        versions.changed(*names)


def _outdated_reports_changed(lesson_id: int) -> None:
    """Once the change commits, the lesson's open "outdated" reports are not what they were: its
    page's note (comments.templatetags.freshness) and the cached pages showing it are stale."""
    versions.changed(lesson_page(lesson_id), outdated_reports(lesson_id))


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
    """Whether the learner hears about replies on this lesson's thread: their own choice if they
    made one (the 🔔 toggle, an unsubscribe link), else whether they took part in it (started a
    thread or replied). Reading a thread subscribes nobody and writes nothing."""
    choice = (
        ThreadSubscription.objects.filter(user=user, lesson=lesson)
        .values_list("is_active", flat=True)
        .first()
    )
    if choice is not None:
        return choice
    return Comment.objects.filter(author=user, lesson=lesson).exists()


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
                notification_create(
                    recipient=replied_to, kind=NotificationKind.REPLY, comment=comment
                )
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
    pending = CommentFlag.objects.filter(comment_id__in=ids, resolution=FlagResolution.PENDING)
    # Each flagger's pages say "You flagged this" while it is pending (lessons.caching.shells keeps
    # those parts per reader): theirs are stale once the review commits.
    names = [versions.reader(user_id) for user_id in pending.values_list("user_id", flat=True)]
    pending.update(resolution=resolution, resolved_at=timezone.now())
    if names:
        versions.changed(*sorted(set(names)))


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
    report = BugReport.objects.create(
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
    if category == ReportCategory.OUTDATED:
        _outdated_reports_changed(lesson.pk)
    return report


def report_status_set(*, report: BugReport, status: str) -> bool:
    """Move a report to `status`. Confirming tells progress; fixing tells the reporter.

    Returns False when the report already had that status (nothing happens then).
    """
    if report.status == status:
        return False
    with transaction.atomic():
        was_open = report.is_open
        report.status = status
        report.save(update_fields=["status", "updated_at"])
        if report.category == ReportCategory.OUTDATED and was_open != report.is_open:
            _outdated_reports_changed(report.lesson_id)
        reporter = report.reporter
        if reporter is not None and status == ReportStatus.CONFIRMED:
            _send_after_commit(
                signals.report_confirmed, sender=BugReport, user=reporter, key=f"report:{report.pk}"
            )
        if reporter is not None and status == ReportStatus.FIXED:
            notification_create(
                recipient=reporter, kind=NotificationKind.REPORT_FIXED, report=report
            )
    return True


def reports_status_set(*, reports: Iterable[BugReport], status: str) -> int:
    with transaction.atomic():
        return sum(report_status_set(report=report, status=status) for report in reports)


def outdated_reports_fix(*, lesson: Lesson, reviewed: date) -> int:
    """Someone checked `lesson` on `reviewed`: its open "outdated" reports filed up to that day
    are fixed, and their reporters told as for any fixed report. Reports filed after the day
    may be about something the check did not see, so they stay open."""
    reports = (
        BugReport.objects.open()
        .outdated()
        .filter(lesson=lesson, created_at__date__lte=reviewed)
        .select_related("reporter")
    )
    return reports_status_set(reports=reports, status=ReportStatus.FIXED)
