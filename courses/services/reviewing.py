"""Marking lessons reviewed: someone checked that they are still right."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from courses.models import Lesson, LessonRevision
from courses.revisions import lesson_snapshot, revision_record
from courses.signals import lesson_reviewed


def lesson_reviewed_announce(*, lesson: Lesson, reviewed: date, user: AbstractBaseUser) -> None:
    """Tell the apps above that `lesson` was checked on `reviewed` (comments closes the
    "outdated" reports it answers). Sent inside the caller's transaction, so what receivers
    change lands with the review or not at all."""
    lesson_reviewed.send(sender=Lesson, lesson=lesson, reviewed=reviewed, user=user)


def lessons_mark_reviewed(
    *, lessons: models.QuerySet, user: AbstractBaseUser, on: date | None = None
) -> int:
    """Instructors checked these lessons `on` that day (today): each one's `reviewed` date moves
    there, as an edit with a revision, and the review is announced. A lesson already marked that
    day is announced again (reports filed since are answered too) but not saved again."""
    on = on or timezone.localdate()
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for lesson in lessons.select_related("course").prefetch_related("tags"):
            if lesson.reviewed != on:
                before = lesson_snapshot(lesson)
                lesson.reviewed = on
                lesson.edited_at, lesson.edited_by = now, user
                lesson.save()
                revision_record(
                    lesson=lesson, kind=LessonRevision.Kind.EDITED, author=user, before=before
                )
            lesson_reviewed_announce(lesson=lesson, reviewed=on, user=user)
            count += 1
    return count
