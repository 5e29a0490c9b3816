"""The /progress/ page: level and history, achievements earned and how far towards the rest,
each course's progress, and where to continue.

Reads only, in a fixed number of queries whatever the learner's history or the catalogue's size.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from accounts.services import learner_time_zone
from courses.models import Course, Lesson
from lessons.caching.pages import per_content_version
from progress import rules
from progress.models import Achievement, Completion, EarnedAchievement, Rule, XPEntry
from progress.services import learner_numbers
from progress.summaries import Bar, learner_bar, streak_of


@dataclass(frozen=True)
class AchievementProgress:
    """How far a learner is towards a locked achievement: `current` of `target`, in the unit
    of its rule (lessons, courses, days in a row, level, comments…)."""

    achievement: Achievement
    current: int
    target: int

    @property
    def percent(self) -> int:
        return min(100, self.current * 100 // self.target) if self.target else 0


def _achievement_progress(
    achievement: Achievement, numbers: rules.LearnerNumbers
) -> AchievementProgress:
    current, target = {
        Rule.LESSONS_COMPLETED: (numbers.lessons_completed, achievement.threshold),
        Rule.COURSES_COMPLETED: (numbers.courses_completed, achievement.threshold),
        Rule.ALL_LESSONS: (numbers.published_lessons_completed, numbers.published_lessons),
        Rule.STREAK_DAYS: (numbers.longest_streak, achievement.threshold),
        Rule.LEVEL_REACHED: (numbers.level, achievement.threshold),
    }.get(achievement.rule, (numbers.events.get(achievement.rule, 0), achievement.threshold))
    return AchievementProgress(achievement, min(current, target), target)


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
    locked: list[AchievementProgress]  # nearest to earning first
    courses: list[CourseProgress]
    continue_with: Lesson | None
    current_streak: int
    longest_streak: int
    streak_today: bool  # today is already one of the current streak's days


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
    courses = _course_progress(user, completed)
    tz = learner_time_zone(user)
    days = rules.completion_days(witnessed, tz)
    streak = streak_of(witnessed, user)
    still_locked = [a for a in achievements if a.id not in earned_at]
    # Only what the locked ones look at: counting finished courses reads every published lesson.
    numbers = learner_numbers(user, rules_of={a.rule for a in still_locked})
    locked = [_achievement_progress(a, numbers) for a in still_locked]
    return Profile(
        bar=bar,
        history=history,
        earned=sorted(
            ((a, earned_at[a.id]) for a in achievements if a.id in earned_at),
            key=lambda pair: pair[1],
            reverse=True,
        ),
        locked=sorted(locked, key=lambda item: -item.percent),
        courses=courses,
        continue_with=_continue_with(completed, courses),
        current_streak=streak.days,
        longest_streak=rules.longest_streak(days),
        streak_today=streak.today_counts,
    )


def _course_progress(user, completed: dict[int, tuple[datetime, int]]) -> list[CourseProgress]:
    """Each published course with lessons: how many the learner has done (counted from
    `completed`: {lesson id: (when, course id)}), and the first lesson, in course order, they
    have not. The courses, their totals and first lessons are kept per content version; only
    courses the learner has started but not finished cost a query (one, for them all)."""
    outline = per_content_version("progress:course-outline", _course_outline_build)
    done = Counter(course_id for _at, course_id in completed.values())
    started = [course.id for course, total, _first in outline if 0 < done[course.id] < total]
    following: dict[int, Lesson] = {}
    if started:
        unread = (
            Lesson.objects.published()
            .filter(course_id__in=started)
            .exclude(id__in=list(completed))
            .only("id", "slug", "title", "order", "xp", "course_id")
            .order_by("course_id", "order", "id")
        )
        for lesson in unread:
            following.setdefault(lesson.course_id, lesson)
    progress = []
    for course, total, first in outline:
        next_lesson = first if not done[course.id] else following.get(course.id)
        if next_lesson is not None:
            next_lesson.course = course  # the row already at hand: no query per link
        progress.append(CourseProgress(course, done[course.id], total, next_lesson))
    return progress


def _course_outline_build() -> list[tuple[Course, int, Lesson]]:
    """(course, published lessons, first published lesson) for every course that has some."""
    lessons = (
        Lesson.objects.published()
        .only("id", "slug", "title", "order", "xp", "course_id")
        .order_by("course_id", "order", "id")
    )
    totals: Counter[int] = Counter()
    first: dict[int, Lesson] = {}
    for lesson in lessons:
        totals[lesson.course_id] += 1
        first.setdefault(lesson.course_id, lesson)
    courses = Course.objects.published().only("id", "slug", "title", "order")
    return [
        (course, totals[course.id], first[course.id])
        for course in courses.order_by("order", "title")
        if totals[course.id]
    ]


def _continue_with(completed: dict, courses: list[CourseProgress]) -> Lesson | None:
    """The next lesson of the course the learner last worked in, else the first unread one."""
    if completed:
        _, last_course_id = max(completed.values())
        for progress in courses:
            if progress.course.id == last_course_id and progress.next_lesson:
                return progress.next_lesson
    return next((c.next_lesson for c in courses if c.next_lesson), None)
