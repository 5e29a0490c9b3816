"""The rules of progress as plain functions: no database, so each is tested on its own.

Levels from XP, streaks from completion days, which achievements a learner's numbers earn,
the figures an anonymous learner's browser computes from its own history (static/js/
progress-rules.js is the browser's copy; tests/progress/rule_cases.json holds both to the same
answers), and what that browser may send when it syncs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from progress.models import Rule

# An anonymous learner's sync: at most this many completions, in at most this many bytes.
MERGE_MAX_COMPLETIONS = 1000
MERGE_MAX_BYTES = 64 * 1024
# Browsers' clocks drift; a completion this far "in the future" is still accepted as now.
CLOCK_SKEW = timedelta(minutes=5)
# Achievement XP can lift a level, which can earn a level achievement: a few rounds settle
# it; the bound only guards against a rules file that loops. The browser uses the same bound.
MAX_AWARD_ROUNDS = 5
# Comments, replies and bug reports need an account: a browser's history can earn only these.
LOCAL_RULES = frozenset(
    rule.value
    for rule in (
        Rule.LESSONS_COMPLETED,
        Rule.COURSES_COMPLETED,
        Rule.ALL_LESSONS,
        Rule.STREAK_DAYS,
        Rule.LEVEL_REACHED,
    )
)


@dataclass(frozen=True)
class LevelStep:
    number: int
    xp: int
    name: str


@dataclass(frozen=True)
class LevelStanding:
    current: LevelStep
    next: LevelStep | None
    xp: int

    @property
    def xp_into_level(self) -> int:
        return self.xp - self.current.xp

    @property
    def xp_for_level(self) -> int | None:
        """XP between this level and the next (None at the top level)."""
        return self.next.xp - self.current.xp if self.next else None

    @property
    def xp_to_go(self) -> int:
        return max(self.next.xp - self.xp, 0) if self.next else 0

    @property
    def percent_of_level(self) -> int:
        if not self.next:
            return 100
        return min(100, self.xp_into_level * 100 // self.xp_for_level)


FALLBACK_LEVEL = LevelStep(number=0, xp=0, name="Spark")


def level_standing(xp: int, levels: Sequence[LevelStep]) -> LevelStanding:
    """Where `xp` stands on the curve: the highest level reached and the one after it."""
    steps = sorted(levels, key=lambda step: step.xp) or [FALLBACK_LEVEL]
    current, following = steps[0], None
    for index, step in enumerate(steps):
        if xp >= step.xp:
            current = step
            following = steps[index + 1] if index + 1 < len(steps) else None
    return LevelStanding(current=current, next=following, xp=xp)


def completion_days(moments: Iterable[datetime], tz) -> list[date]:
    """The distinct calendar days, in the learner's time zone, on which they completed lessons."""
    return sorted({timezone.localtime(within_calendar(moment), tz).date() for moment in moments})


def longest_streak(days: Sequence[date]) -> int:
    longest = run = 0
    previous: date | None = None
    for day in days:
        run = run + 1 if previous and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    return longest


def current_streak(days: Sequence[date], today: date) -> int:
    """Days in a row up to today; a streak still counts today if it reached yesterday."""
    if not days or today - days[-1] > timedelta(days=1):
        return 0
    run = 1
    for index in range(len(days) - 1, 0, -1):
        if days[index] - days[index - 1] != timedelta(days=1):
            break
        run += 1
    return run


@dataclass
class LearnerNumbers:
    """What achievement rules look at."""

    lessons_completed: int = 0
    courses_completed: int = 0
    published_lessons: int = 0
    published_lessons_completed: int = 0
    longest_streak: int = 0
    level: int = 0
    events: dict[str, int] = field(default_factory=dict)


def qualifies(rule: str, threshold: int, numbers: LearnerNumbers) -> bool:
    match rule:
        case Rule.LESSONS_COMPLETED:
            return numbers.lessons_completed >= threshold
        case Rule.COURSES_COMPLETED:
            return numbers.courses_completed >= threshold
        case Rule.ALL_LESSONS:
            return 0 < numbers.published_lessons == numbers.published_lessons_completed
        case Rule.STREAK_DAYS:
            return numbers.longest_streak >= threshold
        case Rule.LEVEL_REACHED:
            return numbers.level >= threshold
        case (
            Rule.COMMENTS_POSTED
            | Rule.REPLIES_RECEIVED
            | Rule.REPORTS_CONFIRMED
            | Rule.CHECKS_RIGHT_FIRST_TRY
            | Rule.EXERCISES_DONE
        ):
            return numbers.events.get(rule, 0) >= threshold
    return False


@dataclass(frozen=True)
class Figures:
    """An anonymous learner's bar, as their browser computes it from local progress."""

    xp: int
    level: int
    done: int
    total: int
    achievements: tuple[int, ...]  # indexes into the catalogue's achievements, ascending
    longest_streak: int
    current_streak: int


def figures(
    completions: Mapping[int, datetime],
    catalogue: Mapping[str, Any],
    tz: tzinfo,
    today: date,
) -> Figures:
    """What static/js/progress-rules.js `figures` computes, for checking the two agree.

    `catalogue` is progress.summaries.Catalogue.as_json(); lessons missing from it (unpublished
    since, or never there) count for nothing, as the browser knows no XP for them.
    """
    lessons: Mapping[str, Mapping[str, int]] = catalogue["lessons"]
    levels = [LevelStep(step["number"], step["xp"], step["name"]) for step in catalogue["levels"]]
    achievements: Sequence[Mapping[str, Any]] = catalogue["achievements"]
    done = {
        str(lesson_id): at for lesson_id, at in completions.items() if str(lesson_id) in lessons
    }
    by_course: dict[int, set[str]] = {}
    for lesson_id, lesson in lessons.items():
        by_course.setdefault(lesson["course"], set()).add(lesson_id)
    days = completion_days(done.values(), tz)
    lesson_xp = sum(lessons[lesson_id]["xp"] for lesson_id in done)
    numbers = LearnerNumbers(
        lessons_completed=len(done),
        courses_completed=sum(1 for ids in by_course.values() if ids <= done.keys()),
        published_lessons=len(lessons),
        published_lessons_completed=len(done),
        longest_streak=longest_streak(days),
    )
    earned: list[int] = []
    bonus = 0
    for _round in range(MAX_AWARD_ROUNDS):
        numbers = replace(numbers, level=level_standing(lesson_xp + bonus, levels).current.number)
        due = [
            index
            for index, achievement in enumerate(achievements)
            if index not in earned
            and achievement["rule"] in LOCAL_RULES
            and qualifies(achievement["rule"], achievement["threshold"], numbers)
        ]
        if not due:
            break
        earned.extend(due)
        bonus += sum(achievements[index]["xp"] for index in due)
    xp = lesson_xp + bonus
    return Figures(
        xp=xp,
        level=level_standing(xp, levels).current.number,
        done=len(done),
        total=len(lessons),
        achievements=tuple(sorted(earned)),
        longest_streak=numbers.longest_streak,
        current_streak=current_streak(days, today),
    )


class MergePayloadError(ValueError):
    """The browser sent something that is not a valid list of completions."""


class UnknownLessonsError(MergePayloadError):
    """Lessons the browser lists that are not published (any more): the browser should drop
    them from its local history and sync again."""

    def __init__(self, lesson_ids: list[int]):
        self.lesson_ids = lesson_ids
        shown = ", ".join(str(lesson_id) for lesson_id in lesson_ids[:20])
        more = f" and {len(lesson_ids) - 20} more" if len(lesson_ids) > 20 else ""
        super().__init__(f"No published lesson has the id {shown}{more}.")


# Lesson ids are BigAutoField: anything larger cannot name a lesson (and would overflow a query).
MAX_LESSON_ID = 2**63 - 1
# Python's datetime covers years 1–9999; a moment near either end cannot be moved to every time
# zone. Stored moments are clamped into this range before they are shown or counted in days.
EARLIEST = datetime(2, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, tzinfo=UTC)


def within_calendar(moment: datetime) -> datetime:
    """`moment`, moved inside the range every time zone can show (see EARLIEST and LATEST)."""
    return min(max(moment, EARLIEST), LATEST)


def parse_merge_payload(
    body: bytes, *, now: datetime, max_bytes: int = MERGE_MAX_BYTES
) -> dict[int, datetime]:
    """Validate what an anonymous learner's browser sends when they sign in.

    Accepts {"completions": [{"lesson": <id>, "completed_at": "<ISO 8601>"}, …]} and nothing
    else of weight: XP, levels or achievements in the payload are ignored, the server computes
    them. Returns {lesson id: completed_at}, no later than `now`. Anything else — broken or
    deeply nested JSON, wrong types, ids or dates out of range, a lesson listed twice — raises
    MergePayloadError with a message that says what and where.
    """
    if len(body) > max_bytes:
        raise MergePayloadError(f"Payload too large: at most {max_bytes} bytes.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MergePayloadError(f"Payload is not valid JSON: {exc}.") from None
    except RecursionError:
        raise MergePayloadError("Payload is nested too deeply.") from None
    if not isinstance(data, dict) or not isinstance(data.get("completions"), list):
        raise MergePayloadError('Payload must be an object with a "completions" list.')
    items = data["completions"]
    if len(items) > MERGE_MAX_COMPLETIONS:
        raise MergePayloadError(f"Too many completions: at most {MERGE_MAX_COMPLETIONS}.")
    completions: dict[int, datetime] = {}
    for index, item in enumerate(items):
        where = f"completions[{index}]"
        if not isinstance(item, dict):
            raise MergePayloadError(f"{where} must be an object.")
        lesson = _merge_lesson_id(item.get("lesson"), where)
        if lesson in completions:
            raise MergePayloadError(f"{where}.lesson: lesson {lesson} is listed twice.")
        completions[lesson] = min(_merge_moment(item.get("completed_at"), where, now), now)
    return completions


def _merge_lesson_id(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LESSON_ID:
        raise MergePayloadError(f"{where}.lesson must be a lesson id (a positive integer).")
    return value


def _merge_moment(value: Any, where: str, now: datetime) -> datetime:
    expected = f"{where}.completed_at must be an ISO 8601 date and time with a time zone"
    if not isinstance(value, str) or len(value) > 40:
        raise MergePayloadError(f"{expected}.")
    try:
        moment = parse_datetime(value)
    except ValueError:  # well formed, but no such day, hour or offset (e.g. 2026-02-30)
        raise MergePayloadError(f"{expected}; {value!r} is not a real date and time.") from None
    if moment is None or timezone.is_naive(moment):
        raise MergePayloadError(f"{expected}.")
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+14:00 is before year 1 in UTC
        raise MergePayloadError(f"{where}.completed_at is out of range.") from None
    if moment > now + CLOCK_SKEW:
        raise MergePayloadError(f"{where}.completed_at is in the future.")
    return moment
