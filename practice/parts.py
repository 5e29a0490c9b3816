"""What practice draws into the pages of the floors below (lessons.slots): each knowledge check
in its lesson, the exercise's answer box, the checks answered in the learner bar and the course
outline, and the learner's checks and notebook on /progress/.

The checks and the answer box are a reader's own parts (`{% personal %}`): the form is the same
for everyone, the result under it is the reader's (their last attempt, signed in; for a reader
who is not signed in, the answer they just sent without JavaScript, else their browser's).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from courses.lookups import lesson_with_position
from lessons import slots
from lessons.caching.pages import messages_waiting
from practice import reads
from practice.grading import grade
from practice.views import RESULT_TAG


def _check(request: HttpRequest, lesson_id: int, number: int) -> dict[str, Any] | None:
    check = reads.lesson_checks(request.user, lesson_id).get(number)
    if check is None:
        return None
    result = None
    if request.user.is_authenticated:
        attempt = reads.last_attempts(request, lesson_id).get(check.pk)
        if attempt is not None:
            result = grade(check.options, attempt.chosen).as_data()
    elif messages_waiting(request):
        result = _sent_without_script(request, check)
    return {"check": check, "result": result}


def _sent_without_script(request: HttpRequest, check) -> dict[str, Any] | None:
    """The answer a reader who is not signed in just posted without JavaScript (the message
    practice.views left for the page it sends them back to)."""
    for message in messages.get_messages(request):
        tags = message.extra_tags.split()
        if RESULT_TAG in tags and f"check-{check.pk}" in tags:
            chosen = [int(tag[6:]) for tag in tags if tag.startswith("chose-")]
            return grade(check.options, chosen).as_data()
    return None


def _exercise(request: HttpRequest, lesson_id: int) -> dict[str, Any] | None:
    found = lesson_with_position(request.user, lesson_id)
    if found is None or not found[0].exercise_html:
        return None
    answer = reads.exercise_answer(request.user, lesson_id)
    submissions = answer.versions.count() if answer is not None and answer.submitted_at else 0
    return {"lesson": found[0], "answer": answer, "submissions": submissions}


def _bar_stats(request: HttpRequest) -> dict[str, Any] | None:
    total = reads.checks_total()
    if not total:
        return None
    answered = reads.checks_answered(request.user) if request.user.is_authenticated else 0
    return {"checks_answered": answered, "checks_total": total}


def _outline_lesson(request: HttpRequest, course_id: int, lesson_id: int) -> dict[str, Any] | None:
    counts = reads.course_check_counts(request, course_id)
    total = counts["totals"].get(lesson_id, 0)
    if not total:
        return None
    return {"answered": counts["answered"].get(lesson_id, 0), "total": total}


def _progress_sections(request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.is_authenticated:
        return None
    return {
        "lessons_checked": reads.checks_per_lesson(request.user),
        "notebook": reads.notebook(request.user),
    }


def register() -> None:
    """Called from PracticeConfig.ready()."""
    slots.register("lesson-check", "practice/parts/check.html", _check)
    slots.register("exercise-answer", "practice/parts/exercise.html", _exercise)
    slots.register("learner-bar-stats", "practice/parts/bar_stats.html", _bar_stats)
    slots.register("outline-lesson", "practice/parts/outline_lesson.html", _outline_lesson)
    slots.register("progress-sections", "practice/parts/progress_sections.html", _progress_sections)
    slots.register("body-signed-in", "practice/parts/body_data.html")
