"""What the practice parts of a page read: a lesson's checks (once per content version), the
reader's last attempt at each and their exercise answer (one query each per page)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import HttpRequest

from courses.lookups import as_seen_by
from courses.models import Check, Lesson
from lessons.caching import store as cache
from lessons.caching import versions
from lessons.caching.pages import content_version, per_content_version
from practice.models import CheckAttempt, ExerciseAnswer


def lesson_checks(user, lesson_id: int) -> dict[int, Check]:
    """{number: check} of a lesson: for learners once per content version in this process."""

    def read() -> dict[int, Check]:
        return {check.number: check for check in Check.objects.filter(lesson_id=lesson_id)}

    return as_seen_by(user, f"practice:checks:{lesson_id}", read)


def checks_total() -> int:
    """Checks of published lessons, the same for everyone: once per content version."""
    return per_content_version(
        "practice:checks-total",
        lambda: Check.objects.filter(lesson__in=_published_lessons()).count(),
    )


def _published_lessons():
    return Lesson.objects.published()


def last_attempts(request: HttpRequest, lesson_id: int) -> dict[int, CheckAttempt]:
    """{check id: the reader's latest attempt} on a lesson, read once per request."""
    memo = request.__dict__.setdefault("_practice_attempts", {})
    if lesson_id not in memo:
        latest: dict[int, CheckAttempt] = {}
        if request.user.is_authenticated:
            for attempt in CheckAttempt.objects.filter(
                user=request.user, knowledge_check__lesson_id=lesson_id
            ).order_by("created_at", "id"):
                latest[attempt.knowledge_check_id] = attempt
        memo[lesson_id] = latest
    return memo[lesson_id]


def checks_answered(user) -> int:
    """How many checks of published lessons the learner has answered: one query, then kept
    until they send anything (their reader version) or the content changes."""
    key = (
        f"practice:answered:{user.pk}:{versions.current(versions.reader(user.pk))}:"
        f"{content_version()}"
    )
    answered = cache.get(key)
    if answered is None:
        answered = (
            CheckAttempt.objects.firsts()
            .filter(user=user, knowledge_check__lesson__in=_published_lessons())
            .count()
        )
        cache.set(key, answered, timeout=versions.VERSION_TIMEOUT)
    return answered


def exercise_answer(user, lesson_id: int) -> ExerciseAnswer | None:
    if not user.is_authenticated:
        return None
    return ExerciseAnswer.objects.filter(user=user, lesson_id=lesson_id).first()


def course_check_counts(request: HttpRequest, course_id: int) -> dict[str, dict[int, int]]:
    """{"totals": {lesson id: checks}, "answered": {lesson id: checks the reader answered}} for
    a course's outline: the totals once per content version, the reader's in one query."""
    memo = request.__dict__.setdefault("_practice_course_counts", {})
    if course_id not in memo:
        totals = per_content_version(
            f"practice:course-checks:{course_id}",
            lambda: dict(
                Check.objects.filter(lesson__course_id=course_id)
                .values("lesson_id")
                .annotate(n=Count("id"))
                .values_list("lesson_id", "n")
            ),
        )
        answered: dict[int, int] = {}
        if request.user.is_authenticated:
            answered = dict(
                CheckAttempt.objects.firsts()
                .filter(user=request.user, knowledge_check__lesson__course_id=course_id)
                .values("knowledge_check__lesson_id")
                .annotate(n=Count("id"))
                .values_list("knowledge_check__lesson_id", "n")
            )
        memo[course_id] = {"totals": totals, "answered": answered}
    return memo[course_id]


@dataclass(frozen=True)
class LessonChecks:
    lesson: Lesson
    total: int
    answered: int
    right_first_try: int


def checks_per_lesson(user) -> list[LessonChecks]:
    """The published lessons with checks the learner answered, with their first-try results
    (two queries)."""
    firsts = (
        CheckAttempt.objects.firsts()
        .filter(user=user, knowledge_check__lesson__in=_published_lessons())
        .values("knowledge_check__lesson_id")
        .annotate(answered=Count("id"), right=Count("id", filter=Q(correct=True)))
    )
    mine = {row["knowledge_check__lesson_id"]: row for row in firsts}
    if not mine:
        return []
    lessons = (
        Lesson.objects.filter(pk__in=mine)
        .select_related("course")
        .annotate(checks_total=Count("checks"))
        .order_by("course__order", "order")
    )
    return [
        LessonChecks(
            lesson, lesson.checks_total, mine[lesson.pk]["answered"], mine[lesson.pk]["right"]
        )
        for lesson in lessons
    ]


def notebook(user) -> list[ExerciseAnswer]:
    """Every exercise answer the learner wrote, newest first, with its lesson (one query)."""
    return list(
        ExerciseAnswer.objects.filter(user=user)
        .exclude(text="")
        .select_related("lesson__course")
        .order_by("-updated_at", "-id")
    )
