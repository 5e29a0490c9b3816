"""How a lesson's knowledge checks do, for instructors: figures about many learners, never one.

Counted from first attempts (CheckAttempt.objects.firsts()): the try that shows what a learner
understood before the check told them, and the one that counts for XP. Only first attempts at
the check as it is worded now (the attempt's fingerprint is the check's): after a question or
its options change, an option's index may name another text, so the figures start again.

A figure built from fewer than MIN_LEARNERS learners is withheld (`None` here, "fewer than 5"
where it is shown): with so few, an instructor who knows who took the lesson could tell who
answered what. `disclosed()` is the one place that decides it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, F

from courses.models import Check, Course, Lesson
from practice.models import CheckAttempt

MIN_LEARNERS = 5
# A wrong option chosen by this share of learners (in percent) or more may be misleading.
MISLEADING_PERCENT = 30
# What the figures need of a check (a course's list leaves the rest of its lessons unread).
CHECK_FIELDS = ("id", "lesson", "number", "question", "multiple", "options", "fingerprint")


def disclosed(learners: int) -> bool:
    """Whether figures built from `learners` learners may be shown: the under-5 rule, once."""
    return learners >= MIN_LEARNERS


def percent_of(part: int, whole: int) -> int:
    """`part` as a whole percentage of `whole`, halves rounded up (integers only, so 2.5 % is
    3 % everywhere, never 2 % from float or banker's rounding)."""
    return (200 * part + whole) // (2 * whole)


@dataclass(frozen=True)
class OptionFigures:
    """How often one wrong option was chosen in first attempts."""

    number: int  # 1, 2, … as the options are written
    text: str
    learners: int | None  # who chose it; None: withheld (fewer than MIN_LEARNERS answered)
    percent: int | None  # of the learners who answered the check

    @property
    def misleading(self) -> bool:
        return self.percent is not None and self.percent >= MISLEADING_PERCENT


@dataclass(frozen=True)
class CheckFigures:
    """One check's figures; every count and percentage is None when they are withheld."""

    check_id: int
    lesson_id: int
    number: int
    question: str
    multiple: bool
    learners: int | None  # who answered (their first attempt, at the current wording)
    right_learners: int | None  # of them, right on the first try
    right_percent: int | None
    wrong_options: tuple[OptionFigures, ...]

    @property
    def withheld(self) -> bool:
        return self.learners is None


@dataclass(frozen=True)
class LessonFigures:
    """A lesson's checks' figures, as a course's list shows them."""

    lesson_id: int
    title: str
    checks: tuple[CheckFigures, ...]


def lesson_figures(lesson: Lesson) -> list[CheckFigures]:
    """The figures of a lesson's checks, in their order: two queries, whatever the number of
    checks or learners."""
    return checks_figures(list(Check.objects.filter(lesson=lesson).order_by("number")))


def course_figures(course: Course) -> list[LessonFigures]:
    """The figures of every check of a course's lessons, lesson by lesson in the course's
    order (lessons without checks left out): two queries."""
    checks = list(
        Check.objects.filter(lesson__course=course)
        .select_related("lesson")
        .only(*CHECK_FIELDS, "lesson__id", "lesson__title", "lesson__order")
        .order_by("lesson__order", "lesson__id", "number")
    )
    by_lesson: dict[int, list[CheckFigures]] = defaultdict(list)
    for figures in checks_figures(checks):
        by_lesson[figures.lesson_id].append(figures)
    lessons = {check.lesson_id: check.lesson for check in checks}  # in the course's order
    return [
        LessonFigures(lesson_id=pk, title=lesson.title, checks=tuple(by_lesson[pk]))
        for pk, lesson in lessons.items()
    ]


def checks_figures(checks: Sequence[Check]) -> list[CheckFigures]:
    """The figures of `checks`, in the order given: one query.

    The database counts first attempts per check and per set of options chosen (a handful of
    rows per check however many learners answered); each wrong option's count is then the sum
    over the sets that hold it (a "choose all" check's learner may choose several)."""
    if not checks:
        return []
    tallies = (
        CheckAttempt.objects.firsts()
        .filter(
            knowledge_check_id__in=[check.pk for check in checks],
            fingerprint=F("knowledge_check__fingerprint"),
        )
        .order_by()
        .values("knowledge_check_id", "chosen", "correct")
        .annotate(learners=Count("id"))
    )
    learners: Counter[int] = Counter()
    right: Counter[int] = Counter()
    chosen: Counter[tuple[int, int]] = Counter()  # (check id, option index): learners
    for row in tallies:
        check_id, count = row["knowledge_check_id"], row["learners"]
        learners[check_id] += count
        if row["correct"]:
            right[check_id] += count
        for index in set(row["chosen"]):
            chosen[check_id, index] += count
    return [_check_figures(check, learners[check.pk], right[check.pk], chosen) for check in checks]


def _check_figures(
    check: Check, learners: int, right: int, chosen: Counter[tuple[int, int]]
) -> CheckFigures:
    shown = disclosed(learners)
    wrong_options = tuple(
        OptionFigures(
            number=index + 1,
            text=option["text"],
            learners=chosen[check.pk, index] if shown else None,
            percent=percent_of(chosen[check.pk, index], learners) if shown else None,
        )
        for index, option in enumerate(check.options)
        if not option.get("correct")
    )
    return CheckFigures(
        check_id=check.pk,
        lesson_id=check.lesson_id,
        number=check.number,
        question=check.question,
        multiple=check.multiple,
        learners=learners if shown else None,
        right_learners=right if shown else None,
        right_percent=percent_of(right, learners) if shown else None,
        wrong_options=wrong_options,
    )
