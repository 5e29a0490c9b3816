"""Lessons and outlines by id, as the parts of pages drawn per reader need them.

A reader's own parts (lessons.caching.shells) are kept with plain values only (a lesson's id, a
course's id), so the apps that draw them look the objects up again here. What learners see
changes only with the content version, so for them each is read once per version and process
(lessons.caching.pages.per_content_version); staff see drafts, and rows as they are now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from courses.models import Lesson
from courses.positions import Position, outline_positions
from lessons.caching import versions
from lessons.caching.pages import per_content_version

NumberedOutline = list[tuple[int | None, Lesson]]
T = TypeVar("T")


def as_seen_by(user, name: str, read: Callable[[], T]) -> T:
    """`read()` as `user` sees it: for learners once per content version (and process); for
    staff, who see drafts and the rows as they are now, once per request."""
    if user.is_staff:
        return versions.remembered(f"staff:{name}", read)
    return per_content_version(name, read)


def lesson_id(course_slug: str, lesson_slug: str) -> int | None:
    """The id of the lesson at this address, published or not (read once per content version:
    slugs change only with the content)."""
    return per_content_version(
        f"courses:lesson-id:{course_slug}/{lesson_slug}",
        lambda: (
            Lesson.objects.filter(course__slug=course_slug, slug=lesson_slug)
            .values_list("id", flat=True)
            .first()
        ),
    )


def lesson_with_position(user, lesson_id: int) -> tuple[Lesson, Position] | None:
    """The lesson `user` may see, with its course, tags and position; None if they may not."""

    def read() -> tuple[Lesson, Position] | None:
        lesson = (
            Lesson.objects.visible_to(user)
            .select_related("course")
            .prefetch_related("tags")
            .filter(pk=lesson_id)
            .first()
        )
        return None if lesson is None else (lesson, lesson.position())

    return as_seen_by(user, f"courses:lesson:{lesson_id}", read)


def numbered_outline(user, course_id: int) -> NumberedOutline:
    """The course's lessons `user` may see, in order, each with its number (None: a draft)."""

    def read() -> NumberedOutline:
        outline = list(
            Lesson.objects.visible_to(user)
            .filter(course_id=course_id)
            .select_related("course")
            .outline()
            .in_sequence()
        )
        numbers = [position.number for position in outline_positions(outline)]
        return list(zip(numbers, outline, strict=True))

    return as_seen_by(user, f"courses:outline:{course_id}", read)
