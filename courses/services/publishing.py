"""Publishing and unpublishing lessons from admin."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from courses.models import LessonRevision, Status
from courses.revisions import lesson_snapshot, revision_record


def lessons_set_status(*, lessons: models.QuerySet, status: str, user) -> int:
    """Publish (now) or unpublish lessons from admin; each change is an edit with a revision."""
    changed = 0
    now = timezone.now()
    with transaction.atomic():
        for lesson in lessons.select_related("course").prefetch_related("tags"):
            scheduled = status == Status.PUBLISHED and lesson.is_scheduled
            if lesson.status == status and not scheduled:
                continue
            before = lesson_snapshot(lesson)
            lesson.status = status
            if scheduled:
                lesson.publish_at = None  # "publish" means now, not at the scheduled time
            lesson.edited_at, lesson.edited_by = now, user
            lesson.save()
            revision_record(
                lesson=lesson, kind=LessonRevision.Kind.EDITED, author=user, before=before
            )
            changed += 1
    return changed
