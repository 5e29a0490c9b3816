"""What progress draws into the pages of the floors below (lessons.slots): the learner bar, the
progress block, the course path and outline marks, the catalogue cards' progress and /progress/.

Most are a reader's own parts (`{% personal %}`), given plain ids: the objects are looked up
again here (courses.lookups: once per content version for learners).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from courses.lookups import NumberedOutline, lesson_with_position, numbered_outline
from lessons import slots
from lessons.caching.shells import reader_versions_add
from progress import cache_names, summaries


def _lesson(request: HttpRequest, lesson_id: int) -> dict[str, Any] | None:
    found = lesson_with_position(request.user, lesson_id)
    if found is None:
        return None
    lesson, position = found
    return {"lesson": lesson, "position": position}


def _outline(request: HttpRequest, course_id: int, **_values: Any) -> dict[str, Any]:
    """The course's numbered outline, read once per request and course (each outline item of a
    course page asks for its own state)."""
    outlines: dict[int, NumberedOutline] = request.__dict__.setdefault("_stream_outlines", {})
    if course_id not in outlines:
        outlines[course_id] = numbered_outline(request.user, course_id)
    return {"numbered_lessons": outlines[course_id]}


def _course_card(request: HttpRequest, course: Any) -> dict[str, Any]:
    """How many lessons of the catalogue's course the learner did: one query for all cards."""
    counts = request.__dict__.get("_stream_course_done")
    if counts is None:
        counts = request._stream_course_done = summaries.course_done_counts(  # type: ignore[attr-defined]
            request.user, None
        )
    return {"done": counts.get(course.id, 0)}


def register() -> None:
    """Called from ProgressConfig.ready()."""
    reader_versions_add(cache_names.learner)
    slots.register("learner-bar", "progress/parts/learner_bar.html")
    slots.register("resume-offer", "progress/parts/resume_offer.html", _lesson)
    slots.register("lesson-progress", "progress/parts/lesson_progress.html", _lesson)
    slots.register("course-path", "progress/parts/course_path.html", _outline)
    slots.register("outline-state", "progress/parts/outline_state.html", _outline)
    slots.register("progress-profile", "progress/parts/profile.html")
    slots.register("course-card-progress", "progress/parts/course_card_progress.html", _course_card)
    slots.register("catalogue-data", "progress/parts/catalogue_data.html")
