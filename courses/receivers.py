"""What courses does when its content changes: cached pages and fragments built from it go.

Every course, lesson or tag change bumps "content" (every page shows the catalogue's figures,
outlines or the learner bar's totals), and a lesson's change also "lesson:<id>" (its page and
what is cached per lesson). Writes that bypass signals (queryset .update() in the loader) bump
explicitly through `content_changed`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from courses.cache_names import lesson_page
from courses.models import Course, Lesson, Status, Tag
from lessons.caching import versions


def content_changed(*, lesson_ids: Iterable[int] = ()) -> None:
    """Bump the versions of the content (and of these lessons), now and once committed."""
    versions.changed(versions.CONTENT, *(lesson_page(lesson_id) for lesson_id in lesson_ids))


def course_saved_or_deleted(sender, instance: Course, **kwargs) -> None:
    content_changed()


def lesson_saved_or_deleted(sender, instance: Lesson, **kwargs) -> None:
    content_changed(lesson_ids=[instance.pk])


def tag_saved_or_deleted(sender, instance: Tag, **kwargs) -> None:
    content_changed()


def lesson_tags_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    # lesson.tags.add(…) names the lesson; tag.lessons.add(…) names the lessons in pk_set (None
    # for tag.lessons.clear(), which the content bump covers).
    lesson_ids = (pk_set or ()) if reverse else [instance.pk]
    content_changed(lesson_ids=lesson_ids)


def scheduled_publish_moments(sender, **kwargs) -> list[datetime]:
    """When published lessons with a future publish date appear (lessons.caching.pages asks)."""
    return list(
        Lesson.objects.filter(
            status=Status.PUBLISHED,
            course__status=Status.PUBLISHED,
            publish_at__gt=timezone.now(),
        ).values_list("publish_at", flat=True)
    )
