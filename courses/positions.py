"""Where a lesson stands in its course: the one rule behind "Lesson 03 of 10", the previous and
next links, the numbers of the course outline and the "No." column of the admin's lesson list.

The lessons of a course that learners can see now are numbered 1, 2, … by `order`, then by id
(LessonQuerySet.in_sequence). Any other lesson (a draft, a scheduled one) has no number; its
previous and next are the numbered lessons on either side of its order.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from courses.models import Lesson


@dataclass(frozen=True)
class Position:
    number: int | None  # None: learners cannot see the lesson now, so it has no place yet
    total: int  # the lessons of the course that learners can see now
    previous: Lesson | None
    next: Lesson | None


def lesson_positions(lessons: Sequence[Lesson], *, published: Iterable[Lesson]) -> list[Position]:
    """The position of each of `lessons` among `published`, the lessons of their courses that
    learners can see now (LessonQuerySet.published, or those with Lesson.is_published).

    Each of `lessons` is placed by its own fields rather than by its row in `published`, so that
    an unsaved change (the admin's preview) shows the place the lesson will take when saved.
    """
    by_course: dict[int, list[Lesson]] = defaultdict(list)
    for sibling in sorted(published, key=_sequence_key):
        by_course[sibling.course_id].append(sibling)
    return [_position(lesson, by_course[lesson.course_id]) for lesson in lessons]


def outline_positions(outline: Sequence[Lesson]) -> list[Position]:
    """The positions of a course outline's lessons, without a query: the outline holds every
    lesson of its course that learners can see now (and, for staff, others)."""
    return lesson_positions(
        outline, published=[lesson for lesson in outline if lesson.is_published]
    )


def _sequence_key(lesson: Lesson) -> tuple[int, float]:
    # An unsaved lesson comes after the saved ones of the same order, as it will once saved.
    return (lesson.order, lesson.pk if lesson.pk is not None else math.inf)


def _position(lesson: Lesson, siblings: list[Lesson]) -> Position:
    key = _sequence_key(lesson)
    others = [s for s in siblings if lesson.pk is None or s.pk != lesson.pk]
    before = [s for s in others if _sequence_key(s) < key]
    after = [s for s in others if _sequence_key(s) > key]
    placed = lesson.is_published
    return Position(
        number=len(before) + 1 if placed else None,
        total=len(others) + placed,
        previous=before[-1] if before else None,
        next=after[0] if after else None,
    )
