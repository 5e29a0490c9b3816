"""What learners see of their progress on every page: the learner bar, a lesson's progress
block and a course's path (the /progress/ page is progress.profiles).

Reads only. Every function here runs a fixed number of queries whatever the learner's history,
so the bar can sit on every lesson page (tests assert the budget): two for a signed-in learner's
bar (none while their figures are cached), none for an anonymous reader's once the totals are
cached for the content version.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Aggregate,
    Count,
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
from courses.models import Lesson
from lessons.caching import store as cache
from lessons.caching import versions
from lessons.caching.pages import content_version, per_content_version
from progress import rules
from progress.cache_names import learner
from progress.models import Achievement, Completion, EarnedAchievement, XPEntry
from progress.services import level_steps


@dataclass(frozen=True)
class Totals:
    """What every learner's bar is measured against, the same for all: kept per content version
    and language (lessons.caching.pages), so a bar costs no query for them."""

    levels: list[rules.LevelStep]  # named in the language they were built in
    lessons: int  # published lessons
    achievements: int  # active achievements


@dataclass(frozen=True)
class Streak:
    """Days in a row with a completion the server saw, up to today (rules.current_streak), and
    whether today is already one of them."""

    days: int
    today_counts: bool


@dataclass(frozen=True)
class Bar:
    """The figures of the learner bar (zero for a reader who is not signed in)."""

    standing: rules.LevelStanding
    lessons_done: int
    lessons_total: int
    achievements_earned: int
    achievements_total: int
    streak: Streak

    @classmethod
    def starting(cls, totals: Totals) -> Bar:
        """Where everyone starts: the figures an anonymous reader's page is sent with."""
        return cls(
            standing=rules.level_standing(0, totals.levels),
            lessons_done=0,
            lessons_total=totals.lessons,
            achievements_earned=0,
            achievements_total=totals.achievements,
            streak=Streak(0, False),
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
    """A signed-in learner's figures: two queries for theirs, and the shared totals (cached)."""
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
        Streak(**mine["streak"]),
    )


def _count_of(rows: QuerySet, aggregate: Aggregate) -> Coalesce:
    """One learner's `aggregate` over `rows` (filtered on OuterRef("pk")), 0 when there are none."""
    per_user = rows.order_by().values("user").annotate(value=aggregate).values("value")
    return Coalesce(Subquery(per_user), 0, output_field=IntegerField())


def _learner_figures(user) -> dict:
    """XP, completed published lessons, earned active achievements and the current streak: from
    the cache, kept per learner version (bumped by every completion, XP entry and achievement of
    theirs: see progress.receivers) and content version (what is published and active), else
    two queries. A streak also changes at midnight where the learner lives, so their zone and
    today's date there are part of the key: the first page of a new day counts it again."""
    tz = learner_time_zone(user)
    today = timezone.localtime(timezone.now(), tz).date()
    key = (
        f"progress:figures:{user.pk}:{versions.current(learner(user.pk))}:"
        f"{content_version()}:{tz.key}:{today.isoformat()}"
    )
    figures = cache.get(key)
    if figures is None:
        streak = learner_streak(user, today=today)  # kept as plain data, like every entry
        figures = {
            **_learner_figures_query(user),
            "streak": {"days": streak.days, "today_counts": streak.today_counts},
        }
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


def catalogue_url(*, version: str | None = None) -> str:
    """Where this page's readers fetch the catalogue: a new address for every content version,
    so browsers may keep each one for good (any other `version` redirects there)."""
    return reverse(
        "progress:catalogue",
        kwargs={"version": version or content_version(), "language": _language()},
    )


def bar_catalogue() -> Catalogue:
    return Catalogue(
        levels=level_steps(),
        lessons=list(Lesson.objects.published().values("id", "course_id", "xp")),
        # Name and icon too: the browser announces what a completion earned (progress.js).
        achievements=[
            {"rule": a.rule, "threshold": a.threshold, "xp": a.xp, "name": a.name, "icon": a.icon}
            for a in Achievement.objects.filter(is_active=True)
        ],
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


def learner_streak(user, *, today: date | None = None) -> Streak:
    """The learner's current streak, in their time zone (one query)."""
    witnessed = Completion.objects.filter(user=user).witnessed().values_list("completed_at")
    return streak_of([at for (at,) in witnessed], user, today=today)


def streak_of(moments: list[datetime], user, *, today: date | None = None) -> Streak:
    """`today`: the learner's date, when the caller already has it (the cache key holds it)."""
    tz = learner_time_zone(user)
    days = rules.completion_days(moments, tz)
    today = today or timezone.localtime(timezone.now(), tz).date()
    return Streak(rules.current_streak(days, today), bool(days) and days[-1] == today)


def course_done_counts(user, course_ids: Iterable[int] | None) -> dict[int, int]:
    """{course id: published lessons the learner completed} for these courses (None: all of
    them), in one query; empty for a reader who is not signed in."""
    if not user.is_authenticated:
        return {}
    completions = Completion.objects.filter(user=user)
    if course_ids is not None:
        completions = completions.filter(lesson__course_id__in=list(course_ids))
    return dict(
        completions.of_published_lessons()
        .order_by()
        .values("lesson__course_id")
        .annotate(done=Count("id"))
        .values_list("lesson__course_id", "done")
    )


def bar_figures(bar: Bar) -> dict[str, int | str | bool]:
    """The bar's figures by the names its template gives them (data-bar), for progress.js to
    draw after a completion without a page load."""
    standing = bar.standing
    return {
        "level": standing.current.number,
        "level-name": standing.current.name,
        "xp": standing.xp,
        "lessons": bar.lessons_done,
        "achievements": bar.achievements_earned,
        "into-level": standing.xp_into_level,
        "level-span": standing.xp_for_level or 0,
        "percent": bar.percent_complete,
        "meter": standing.percent_of_level,
        "top": standing.next is None,
        "streak": bar.streak.days,
        "streak-today": bar.streak.today_counts,
    }


@dataclass(frozen=True)
class LessonState:
    """The progress block of a lesson page: done or not, and where to go next."""

    lesson: Lesson
    signed_in: bool
    completed_at: datetime | None
    next_lesson: Lesson | None
    # Signed in, on a course's last lesson and done: whether every lesson of it is done.
    course_finished: bool


def lesson_state(*, user, lesson: Lesson, position=None) -> dict:
    """The context of progress/_lesson_state.html: one query for a signed-in learner's
    completion, one more on a course's last lesson once done (is the whole course?)."""
    position = position or lesson.position()
    completed_at = (
        completion_dates(user, [lesson.id]).get(lesson.id) if lesson.is_published else None
    )
    finished = False
    if completed_at and position.next is None:
        done = (
            Completion.objects.filter(user=user, lesson__course_id=lesson.course_id)
            .of_published_lessons()
            .count()
        )
        finished = done >= position.total
    return {
        "state": LessonState(
            lesson=lesson,
            signed_in=user.is_authenticated,
            completed_at=completed_at,
            next_lesson=position.next,
            course_finished=finished,
        )
    }


@dataclass(frozen=True)
class CoursePath:
    """A learner's way through one course: what is done, the lesson to read next, and so the
    one thing the course page offers ("start", "continue" or "review")."""

    completed: frozenset[int]  # lesson ids
    done: int
    total: int
    current: tuple[int, Lesson] | None  # (its number, the lesson): the first not done yet
    first: Lesson | None

    @property
    def percent(self) -> int:
        return self.done * 100 // self.total if self.total else 0

    @property
    def action(self) -> str:
        if not self.total:
            return ""
        if not self.done:
            return "start"
        return "continue" if self.current else "review"


def course_path(user, numbered_lessons: list[tuple[int | None, Lesson]]) -> CoursePath:
    """`numbered_lessons` as the course page numbers its outline (drafts without a number, which
    do not count); one query for a signed-in learner, none for anyone else."""
    published = [(number, lesson) for number, lesson in numbered_lessons if number]
    completed = frozenset(completion_dates(user, [lesson.id for _, lesson in published]))
    current = next(
        ((number, lesson) for number, lesson in published if lesson.id not in completed), None
    )
    return CoursePath(
        completed=completed,
        done=sum(1 for _, lesson in published if lesson.id in completed),
        total=len(published),
        current=current,
        first=published[0][1] if published else None,
    )
