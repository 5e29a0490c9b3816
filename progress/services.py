"""Writes about learners that touch several rows: completing lessons and awarding XP and
achievements, merging a browser's progress, and loading the rules."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from accounts.services import learner_time_zone
from courses.content import ContentError, ContentProblem
from courses.models import Lesson
from progress import rules
from progress.models import (
    Achievement,
    Completion,
    CompletionSource,
    EarnedAchievement,
    LearnerEvent,
    Level,
    Rule,
    XPEntry,
)
from progress.rules_files import ACHIEVEMENTS_FILE, LEVELS_FILE, parse_achievements, parse_levels

# --- Completing lessons, XP and achievements -------------------------------------------------


@dataclass
class Outcome:
    """What one action earned, for announcing it."""

    completed: list[Lesson] = field(default_factory=list)
    xp_awarded: int = 0
    achievements: list[Achievement] = field(default_factory=list)


def _xp_award(*, user, source: str, amount: int, at: datetime, **what) -> int:
    _entry, created = XPEntry.objects.get_or_create(
        user=user, source=source, defaults={"amount": amount, "created_at": at, **what}
    )
    return amount if created else 0


def _completion_record(
    *,
    user,
    lesson: Lesson,
    at: datetime,
    outcome: Outcome,
    source: str = CompletionSource.SERVER,
) -> None:
    _completion, created = Completion.objects.get_or_create(
        user=user, lesson=lesson, defaults={"completed_at": at, "source": source}
    )
    if created:
        outcome.completed.append(lesson)
        outcome.xp_awarded += _xp_award(
            user=user, source=f"lesson:{lesson.pk}", amount=lesson.xp, at=at, lesson=lesson
        )


def lesson_complete(*, user, lesson: Lesson, at: datetime | None = None) -> Outcome:
    """Complete a published lesson: its XP once, and whatever achievements that earns.

    Safe to call any number of times, from any number of requests at once: the unique
    constraints on completions, the XP ledger and earned achievements make repeats no-ops.
    """
    outcome = Outcome()
    with transaction.atomic():
        _completion_record(user=user, lesson=lesson, at=at or timezone.now(), outcome=outcome)
        if outcome.completed:
            _achievements_award(user=user, outcome=outcome, rules_of=COMPLETION_RULES)
    return outcome


def progress_merge(*, user, completions: dict[int, datetime]) -> Outcome:
    """Merge completions kept in an anonymous learner's browser into their account.

    Every lesson must be published now (else UnknownLessonsError, and nothing is stored). XP
    and achievements are computed here from the lessons, never taken from the browser. The
    browser's times are its word only: each is kept no earlier than the lesson was on the site,
    and such completions count for XP, lessons and courses but not for streaks (content/
    README.md, "What a browser's history counts for").
    """
    outcome = Outcome()
    lessons = Lesson.objects.published().in_bulk(list(completions))
    unknown = sorted(set(completions) - lessons.keys())
    if unknown:
        raise rules.UnknownLessonsError(unknown)
    with transaction.atomic():
        for lesson_id, at in sorted(completions.items(), key=lambda item: item[1]):
            lesson = lessons[lesson_id]
            _completion_record(
                user=user,
                lesson=lesson,
                at=max(at, _on_site_since(lesson)),
                outcome=outcome,
                source=CompletionSource.BROWSER,
            )
        if outcome.completed:
            _achievements_award(user=user, outcome=outcome, rules_of=COMPLETION_RULES)
    return outcome


def _on_site_since(lesson: Lesson) -> datetime:
    """The earliest moment anyone could have read the lesson on this site."""
    return max(lesson.created_at, lesson.publish_at or lesson.created_at)


def event_record(*, user, kind: str, key: str) -> Outcome:
    """Another app tells progress that something happened (see progress.receivers)."""
    outcome = Outcome()
    with transaction.atomic():
        _event, created = LearnerEvent.objects.get_or_create(user=user, kind=kind, key=key)
        if created:
            _achievements_award(user=user, outcome=outcome, rules_of={kind})
    return outcome


def event_award(
    *, user, kind: str, key: str, xp: int, at: datetime | None = None, lesson: Lesson | None = None
) -> Outcome:
    """Another app's event that earns XP (a knowledge check right on the first try, an
    exercise done): counted once per key, its XP once (source "<kind>:<key>"), and the
    achievements of its kind and of levels. Safe under any number of identical calls at once:
    the event's and the ledger's unique constraints decide."""
    outcome = Outcome()
    with transaction.atomic():
        _event, created = LearnerEvent.objects.get_or_create(user=user, kind=kind, key=key)
        if created:
            outcome.xp_awarded += _xp_award(
                user=user, source=f"{kind}:{key}", amount=xp, at=at or timezone.now(), lesson=lesson
            )
            _achievements_award(user=user, outcome=outcome, rules_of={kind, Rule.LEVEL_REACHED})
    return outcome


def event_withdraw(*, user, kind: str, key: str) -> list[Achievement]:
    """Another app takes back what it told progress (a comment deleted or hidden by
    moderators): the event stops counting, and achievements it made possible are revoked with
    their XP. Returns the achievements revoked; withdrawing an unknown event changes nothing.
    """
    with transaction.atomic():
        withdrawn, _by_model = LearnerEvent.objects.filter(user=user, kind=kind, key=key).delete()
        if not withdrawn:
            return []
        return _achievements_revoke(user=user, rule=kind)


# What each kind of event can change, and so the only rules worth evaluating after it. A
# completion moves lessons, courses, streaks and (by its XP) the level; another app's event only
# its own count. Achievement XP can lift the level in any case (_achievements_award adds it).
COMPLETION_RULES = frozenset(
    {
        Rule.LESSONS_COMPLETED,
        Rule.COURSES_COMPLETED,
        Rule.ALL_LESSONS,
        Rule.STREAK_DAYS,
        Rule.LEVEL_REACHED,
    }
)
_COMPLETION_COUNTS = frozenset({Rule.LESSONS_COMPLETED, Rule.COURSES_COMPLETED, Rule.ALL_LESSONS})
_COURSE_COUNTS = frozenset({Rule.COURSES_COMPLETED, Rule.ALL_LESSONS})


def learner_numbers(user, rules_of: Collection[str] | None = None) -> rules.LearnerNumbers:
    """What achievement rules look at; with `rules_of`, only what those rules need (the other
    numbers stay 0 and must not be read)."""
    needed = set(Rule.values if rules_of is None else rules_of)
    numbers = rules.LearnerNumbers()
    if needed & _COMPLETION_COUNTS:
        completed = set(Completion.objects.filter(user=user).values_list("lesson_id", flat=True))
        numbers.lessons_completed = len(completed)
        if needed & _COURSE_COUNTS:
            published = list(Lesson.objects.published().values_list("id", "course_id"))
            by_course: dict[int, set[int]] = {}
            for lesson_id, course_id in published:
                by_course.setdefault(course_id, set()).add(lesson_id)
            numbers.courses_completed = sum(1 for ids in by_course.values() if ids <= completed)
            numbers.published_lessons = len(published)
            numbers.published_lessons_completed = sum(
                1 for lesson_id, _ in published if lesson_id in completed
            )
    if Rule.STREAK_DAYS in needed:
        witnessed = Completion.objects.filter(user=user).witnessed().values_list("completed_at")
        days = rules.completion_days((at for (at,) in witnessed), learner_time_zone(user))
        numbers.longest_streak = rules.longest_streak(days)
    if Rule.LEVEL_REACHED in needed:
        xp = XPEntry.objects.filter(user=user).aggregate(total=Sum("amount"))["total"] or 0
        numbers.level = rules.level_standing(xp, level_steps()).current.number
    events = needed - COMPLETION_RULES
    if events:
        numbers.events = dict(
            LearnerEvent.objects.filter(user=user, kind__in=events)
            .values("kind")
            .annotate(n=Count("id"))
            .values_list("kind", "n")
        )
    return numbers


def _achievements_award(*, user, outcome: Outcome, rules_of: Collection[str]) -> None:
    """Award the active achievements of `rules_of` (what the event can have changed) that the
    learner now qualifies for, and then those the XP they carry makes due."""
    watched = set(rules_of)
    for _round in range(rules.MAX_AWARD_ROUNDS):
        earned = EarnedAchievement.objects.filter(user=user).values("achievement_id")
        candidates = list(
            Achievement.objects.filter(is_active=True, rule__in=watched).exclude(id__in=earned)
        )
        if not candidates:
            return
        numbers = learner_numbers(user, {a.rule for a in candidates})
        due = [a for a in candidates if rules.qualifies(a.rule, a.threshold, numbers)]
        if not due:
            return
        now = timezone.now()
        xp_awarded = 0
        for achievement in due:
            _award, created = EarnedAchievement.objects.get_or_create(
                user=user, achievement=achievement, defaults={"earned_at": now}
            )
            if created:
                outcome.achievements.append(achievement)
                if achievement.xp:
                    xp_awarded += _xp_award(
                        user=user,
                        source=f"achievement:{achievement.slug}",
                        amount=achievement.xp,
                        at=now,
                        achievement=achievement,
                    )
        outcome.xp_awarded += xp_awarded
        if not xp_awarded:
            return  # nothing else moved: no rule watched here can have become due
        watched = {Rule.LEVEL_REACHED}


def _achievements_revoke(*, user, rule: str) -> list[Achievement]:
    """Revoke the learner's achievements of `rule` that their numbers no longer earn, with
    their XP, and then the level achievements that XP had carried them to.

    Only what the withdrawn event can have earned is looked at: an achievement that lapsed for
    another reason (a new lesson in a course they had finished, a changed level curve) stays.
    """
    revoked: list[Achievement] = []
    watched = {rule}
    level_before = learner_numbers(user, {Rule.LEVEL_REACHED}).level
    for _round in range(rules.MAX_AWARD_ROUNDS):
        numbers = learner_numbers(user, watched)
        lapsed = [
            earned
            for earned in EarnedAchievement.objects.filter(
                user=user, achievement__rule__in=watched
            ).select_related("achievement")
            if not rules.qualifies(earned.achievement.rule, earned.achievement.threshold, numbers)
            # A level achievement goes only if the XP taken back here dropped the level below it.
            and (
                earned.achievement.rule != Rule.LEVEL_REACHED
                or earned.achievement.threshold <= level_before
            )
        ]
        if not lapsed:
            break
        achievements = [earned.achievement for earned in lapsed]
        EarnedAchievement.objects.filter(id__in=[earned.id for earned in lapsed]).delete()
        xp_taken, _by_model = XPEntry.objects.filter(
            user=user, source__in=[f"achievement:{a.slug}" for a in achievements]
        ).delete()
        revoked += achievements
        if xp_taken:
            watched.add(Rule.LEVEL_REACHED)
    return revoked


def announcements_take(*, user) -> list[Achievement]:
    """Achievements earned and not yet announced, marked as announced: for a POST to announce
    (progress.views, through django.contrib.messages), never for a page being shown."""
    pending = list(
        EarnedAchievement.objects.filter(user=user, announced=False).select_related("achievement")
    )
    if pending:
        EarnedAchievement.objects.filter(id__in=[p.id for p in pending]).update(announced=True)
    return [p.achievement for p in pending]


def level_steps() -> list[rules.LevelStep]:
    return [
        rules.LevelStep(number=level.number, xp=level.xp_required, name=level.name)
        for level in Level.objects.all()
    ]


# --- Loading the rules from content/ ---------------------------------------------------------


@dataclass
class RulesReport:
    levels: str = "not in this folder, kept as they were"
    achievements: str = "not in this folder, kept as they were"


def rules_load(*, root: Path) -> RulesReport:
    """Check content/levels.yaml and content/achievements.yaml, then load them, or nothing."""
    report = RulesReport()
    problems: list[ContentProblem] = []
    levels = achievements = None
    if (root / LEVELS_FILE).is_file():
        levels, found = parse_levels(root / LEVELS_FILE, LEVELS_FILE)
        problems += found
    if (root / ACHIEVEMENTS_FILE).is_file():
        achievements, found = parse_achievements(root / ACHIEVEMENTS_FILE, ACHIEVEMENTS_FILE)
        problems += found
    if problems:
        raise ContentError(problems)
    with transaction.atomic():
        if levels is not None:
            report.levels = _levels_write(levels)
        if achievements is not None:
            report.achievements = _achievements_write(achievements)
    return report


def _levels_write(rows) -> str:
    wanted = [(r.number, r.xp, r.name_en, r.name_ko) for r in rows]
    current = list(Level.objects.values_list("number", "xp_required", "name_en", "name_ko"))
    if wanted == current:
        return f"{len(rows)} unchanged"
    # Levels are referenced by nothing, so the curve is simply replaced.
    Level.objects.all().delete()
    Level.objects.bulk_create(
        Level(number=r.number, xp_required=r.xp, name_en=r.name_en, name_ko=r.name_ko) for r in rows
    )
    return f"{len(rows)} loaded (the curve changed)"


ACHIEVEMENT_FIELDS = (
    "order", "icon", "name_en", "name_ko", "description_en", "description_ko", "rule",
    "threshold", "xp",
)  # fmt: skip


def _achievements_write(rows) -> str:
    existing = {a.slug: a for a in Achievement.objects.all()}
    created = updated = unchanged = 0
    for row in rows:
        achievement = existing.get(row.slug) or Achievement(slug=row.slug)
        values = {name: getattr(row, name) for name in ACHIEVEMENT_FIELDS}
        same = (
            achievement.pk
            and achievement.is_active
            and all(getattr(achievement, name) == value for name, value in values.items())
        )
        if same:
            unchanged += 1
            continue
        for name, value in values.items():
            setattr(achievement, name, value)
        achievement.is_active = True
        created, updated = (created + 1, updated) if not achievement.pk else (created, updated + 1)
        achievement.save()
    # Earned achievements point at these rows: retire the ones no longer in the file.
    retired = (
        Achievement.objects.exclude(slug__in=[r.slug for r in rows])
        .filter(is_active=True)
        .update(is_active=False)
    )
    return f"{created} created, {updated} updated, {unchanged} unchanged, {retired} retired"
