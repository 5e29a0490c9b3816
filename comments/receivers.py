"""What comments hears from the floors below it; each receiver calls one function."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from comments import exports, services
from comments.cache_names import notifications, outdated_reports
from comments.models import BugReport, Comment, ReportCategory
from courses.cache_names import lesson_page
from lessons.caching import versions


def learner_data(sender, *, user, **kwargs) -> dict:
    return exports.learner_data(user=user)


def _threads_of_author_changed(user_id: int) -> None:
    """How a learner's comments look changed (name, team badge, account gone): once that
    commits, bump the version of every lesson they commented on, so cached threads are redrawn.
    One query, and only on these rare saves."""
    lesson_ids = (
        Comment.objects.filter(author_id=user_id).order_by().values_list("lesson_id").distinct()
    )
    names = [lesson_page(lesson_id) for (lesson_id,) in lesson_ids]
    if names:
        transaction.on_commit(partial(versions.bump, *names), robust=True)


def profile_saved(sender, *, instance, created: bool, update_fields=None, **kwargs) -> None:
    # The display name is what threads show of a profile; a new profile has no comments yet.
    if not created and (update_fields is None or "display_name" in update_fields):
        _threads_of_author_changed(instance.user_id)


def profile_deleting(sender, *, instance, **kwargs) -> None:
    # Before the deletion: afterwards the comments no longer point at their author.
    _threads_of_author_changed(instance.user_id)


def user_saved(sender, *, instance, created: bool, update_fields=None, **kwargs) -> None:
    # Staff wear a "Stream team" badge in threads; signing in only saves last_login.
    if not created and (update_fields is None or "is_staff" in update_fields):
        _threads_of_author_changed(instance.pk)


def comment_deleted(sender, *, instance, **kwargs) -> None:
    # Deleted outright (admin, or with its lesson), not through the services.
    transaction.on_commit(partial(versions.bump, lesson_page(instance.lesson_id)), robust=True)


def notification_changed(sender, *, instance, **kwargs) -> None:
    versions.changed(notifications(instance.recipient_id))


def report_deleted(sender, *, instance: BugReport, **kwargs) -> None:
    # An open "outdated" report deleted outright: the lesson page's note may have to go.
    if instance.category == ReportCategory.OUTDATED and instance.is_open:
        names = (lesson_page(instance.lesson_id), outdated_reports(instance.lesson_id))
        transaction.on_commit(partial(versions.bump, *names), robust=True)


def lesson_reviewed(sender, *, lesson, reviewed, **kwargs) -> int:
    return services.outdated_reports_fix(lesson=lesson, reviewed=reviewed)
