"""What learners see of their progress: the learner bar and the profile page.

Reads only. Every function here runs a fixed number of queries whatever the learner's history,
so the bar can sit on every lesson page (tests assert the budget): one for a signed-in learner's
bar, none for an anonymous reader's once the totals are cached for the content version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    Aggregate,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language

from accounts.services import learner_time_zone
from courses.models import Course, Lesson, published_q
from lessons import versions
from lessons.pagecache import content_version, per_content_version
from progress import rules
from progress.models import Achievement, Completion, EarnedAchievement, XPEntry
from progress.services import level_steps


@dataclass(frozen=True)
class Totals:
    """What every learner's bar is measured against, the same for all: kept per content version
    and language (lessons.pagecache), so a bar costs no query for them."""

    levels: list[rules.LevelStep]  # named in the language they were built in
    lessons: int  # published lessons
    achievements: int  # active achievements


@dataclass(frozen=True)
class Bar:
    """The figures of the learner bar (zero for a reader who is not signed in)."""

    standing: rules.LevelStanding
    lessons_done: int
    lessons_total: int
    achievements_earned: int
    achievements_total: int

    @classmethod
    def starting(cls, totals: Totals) -> Bar:
        """Where everyone starts: the figures an anonymous reader's page is sent with."""
        return cls(
            standing=rules.level_standing(0, totals.levels),
            lessons_done=0,
            lessons_total=totals.lessons,
            achievements_earned=0,
            achievements_total=totals.achievements,
        )

    @property
    def percent_complete(self) -> int:
        if not self.lessons_total:
            return 0
        return self.lessons_done * 100 // self.lessons_total


@dataclass(frozen=True)
class Catalogue:
    """What the browser needs to compute an anonymous learner's bar from localStorage."""

    levels: list[rules.LevelStep]
    lessons: list[dict]  # published lessons: id, course, xp
    achievements: list[dict]  # active achievements: rule, threshold, xp

    def as_json(self) -> dict:
        return {
            "levels": [{"number": s.number, "xp": s.xp, "name": s.name} for s in self.levels],
            "lessons": {
                str(x["id"]): {"course": x["course_id"], "xp": x["xp"]} for x in self.lessons
            },
            "achievements": self.achievements,
        }


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def bar_totals() -> Totals:
    """The totals in the active language, built once per content version."""
    return per_content_version(f"progress:totals:{_language()}", _totals_build)


def _totals_build() -> Totals:
    return Totals(
        levels=level_steps(),
        lessons=Lesson.objects.published().count(),
        achievements=Achievement.objects.filter(is_active=True).count(),
    )


def learner_bar(user) -> Bar:
    """A signed-in learner's figures: one query for theirs, and the shared totals (cached)."""
    totals = bar_totals()
    if not user.is_authenticated:
        return Bar.starting(totals)
    mine = _learner_figures(user)
    return Bar(
        rules.level_standing(mine["xp"], totals.levels),
        mine["done"],
        totals.lessons,
        mine["earned"],
        totals.achievements,
    )


def _count_of(rows: QuerySet, aggregate: Aggregate) -> Coalesce:
    """One learner's `aggregate` over `rows` (filtered on OuterRef("pk")), 0 when there are none."""
    per_user = rows.order_by().values("user").annotate(value=aggregate).values("value")
    return Coalesce(Subquery(per_user), 0, output_field=IntegerField())


def _learner_figures(user) -> dict[str, int]:
    """XP, completed published lessons and earned active achievements: from the cache, kept per
    learner version (bumped by every completion, XP entry and achievement of theirs: see
    progress.receivers) and content version (what is published and active), else one query."""
    key = f"progress:figures:{user.pk}:{versions.current(f'learner:{user.pk}')}:{content_version()}"
    figures = cache.get(key)
    if figures is None:
        figures = _learner_figures_query(user)
        cache.set(key, figures, timeout=versions.VERSION_TIMEOUT)
    return figures


def _learner_figures_query(user) -> dict[str, int]:
    learner = OuterRef("pk")
    return (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(
            xp=_count_of(XPEntry.objects.filter(user=learner), Sum("amount")),
            done=_count_of(
                Completion.objects.filter(user=learner).of_published_lessons(), Count("id")
            ),
            earned=_count_of(
                EarnedAchievement.objects.filter(user=learner, achievement__is_active=True),
                Count("id"),
            ),
        )
        .get()
    )


def catalogue_json(language: str) -> bytes:
    """The catalogue as the browser fetches it, built once per content version and language."""

    def build() -> bytes:
        with translation.override(language):
            return json.dumps(bar_catalogue().as_json(), ensure_ascii=False).encode()

    return per_content_version(f"progress:catalogue:{language}", build)


def catalogue_url() -> str:
    """Where this page's readers fetch the catalogue: a new address for every content version,
    so browsers may keep each one for good."""
    return reverse(
        "progress:catalogue", kwargs={"version": content_version(), "language": _language()}
    )


def bar_catalogue() -> Catalogue:
    return Catalogue(
        levels=level_steps(),
        lessons=list(Lesson.objects.published().values("id", "course_id", "xp")),
        achievements=list(
            Achievement.objects.filter(is_active=True).values("rule", "threshold", "xp")
        ),
    )


def completion_dates(user, lesson_ids) -> dict[int, datetime]:
    """{lesson id: completed_at} for those of these lessons the learner has completed (empty
    for a reader who is not signed in)."""
    if not user.is_authenticated:
        return {}
    completed = Completion.objects.filter(user=user, lesson_id__in=list(lesson_ids))
    return {
        lesson_id: rules.within_calendar(at)
        for lesson_id, at in completed.values_list("lesson_id", "completed_at")
    }


@dataclass
class CourseProgress:
    course: Course
    done: int
    total: int
    next_lesson: Lesson | None

    @property
    def percent(self) -> int:
        return self.done * 100 // self.total if self.total else 0


@dataclass
class HistoryLine:
    at: datetime
    amount: int
    lesson: Lesson | None
    achievement: Achievement | None
    source: str


@dataclass
class Profile:
    bar: Bar
    history: list[HistoryLine]
    earned: list[tuple[Achievement, datetime]]
    locked: list[Achievement]
    courses: list[CourseProgress]
    continue_with: Lesson | None
    current_streak: int
    longest_streak: int


def learner_profile(user) -> Profile:
    """Everything /progress/ shows, in a fixed number of queries: per-course figures are counted
    by the database (one row per course), so a catalogue of thousands of lessons costs no more
    than one of ten."""
    bar = learner_bar(user)
    completions = Completion.objects.filter(user=user)
    completed = {
        lesson_id: (at, course_id)
        for lesson_id, at, course_id in completions.of_published_lessons().values_list(
            "lesson_id", "completed_at", "lesson__course_id"
        )
    }
    witnessed = [at for (at,) in completions.witnessed().values_list("completed_at")]
    history = [
        HistoryLine(
            rules.within_calendar(e.created_at), e.amount, e.lesson, e.achievement, e.source
        )
        for e in XPEntry.objects.filter(user=user).select_related("lesson__course", "achievement")
    ]
    earned_at = {
        achievement_id: rules.within_calendar(at)
        for achievement_id, at in EarnedAchievement.objects.filter(user=user).values_list(
            "achievement_id", "earned_at"
        )
    }
    achievements = list(Achievement.objects.filter(is_active=True))
    courses = _course_progress(user)
    tz = learner_time_zone(user)
    days = rules.completion_days(witnessed, tz)
    today = timezone.localtime(timezone.now(), tz).date()
    return Profile(
        bar=bar,
        history=history,
        earned=sorted(
            ((a, earned_at[a.id]) for a in achievements if a.id in earned_at),
            key=lambda pair: pair[1],
            reverse=True,
        ),
        locked=[a for a in achievements if a.id not in earned_at],
        courses=courses,
        continue_with=_continue_with(completed, courses),
        current_streak=rules.current_streak(days, today),
        longest_streak=rules.longest_streak(days),
    )


def _course_progress(user) -> list[CourseProgress]:
    """Each published course with lessons: how many the learner has done, and the first lesson
    (in course order) they have not. Two queries, whatever the number of lessons."""
    mine = Completion.objects.filter(user=user, lesson=OuterRef("pk"))
    first_unread = (
        Lesson.objects.published()
        .filter(course=OuterRef("pk"))
        .exclude(Exists(mine))
        .order_by("order", "id")
        .values("id")[:1]
    )
    published = published_q("lessons__")
    rows = list(
        Course.objects.published()
        .annotate(
            total=Count("lessons", filter=published),
            done=Coalesce(
                Subquery(
                    Completion.objects.filter(user=user, lesson__course=OuterRef("pk"))
                    .of_published_lessons()
                    .order_by()
                    .values("lesson__course")
                    .annotate(n=Count("id"))
                    .values("n")
                ),
                0,
            ),
            next_id=Subquery(first_unread),
        )
        .filter(total__gt=0)
        .only("id", "slug", "title", "order")
        .order_by("order", "title")
    )
    next_lessons = Lesson.objects.filter(id__in=[c.next_id for c in rows if c.next_id]).only(
        "id", "slug", "title", "order", "xp", "course_id"
    )
    by_id = {lesson.id: lesson for lesson in next_lessons}
    progress = []
    for course in rows:
        following = by_id.get(course.next_id)
        if following is not None:
            following.course = course  # the row already fetched: no query per link
        progress.append(CourseProgress(course, course.done, course.total, following))
    return progress


def _continue_with(completed: dict, courses: list[CourseProgress]) -> Lesson | None:
    """The next lesson of the course the learner last worked in, else the first unread one."""
    if completed:
        _, last_course_id = max(completed.values())
        for progress in courses:
            if progress.course.id == last_course_id and progress.next_lesson:
                return progress.next_lesson
    return next((c.next_lesson for c in courses if c.next_lesson), None)
