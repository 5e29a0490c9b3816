"""Learning progress: XP, levels, achievements and completion as they arrive."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from courses.models import published_q


def in_current_language(obj: models.Model, field: str) -> str:
    """Pick `<field>_ko` or `<field>_en` by the active language (content files carry both)."""
    language = (get_language() or "en").split("-")[0]
    return getattr(obj, f"{field}_ko" if language == "ko" else f"{field}_en")


class Level(models.Model):
    """One step of the level curve, loaded from content/levels.yaml."""

    number = models.PositiveSmallIntegerField(unique=True)
    name_en = models.CharField(max_length=40)
    name_ko = models.CharField(max_length=40)
    xp_required = models.PositiveIntegerField(unique=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name_en}"

    @property
    def name(self) -> str:
        return in_current_language(self, "name")


class Rule(models.TextChoices):
    """The vocabulary achievements are written in (content/README.md documents it)."""

    LESSONS_COMPLETED = "lessons_completed", _("lessons completed")
    COURSES_COMPLETED = "courses_completed", _("whole courses completed")
    ALL_LESSONS = "all_lessons", _("every published lesson completed")
    STREAK_DAYS = "streak_days", _("days in a row")
    LEVEL_REACHED = "level_reached", _("level reached")
    COMMENTS_POSTED = "comments_posted", _("comments posted")
    REPLIES_RECEIVED = "replies_received", _("replies received")
    REPORTS_CONFIRMED = "reports_confirmed", _("bug reports confirmed")
    CHECKS_RIGHT_FIRST_TRY = "checks_right_first_try", _("knowledge checks right on the first try")
    EXERCISES_DONE = "exercises_done", _("exercises done")


class Achievement(models.Model):
    """An achievement and the rule that earns it, loaded from content/achievements.yaml."""

    slug = models.SlugField(max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    icon = models.CharField(max_length=16)
    name_en = models.CharField(max_length=80)
    name_ko = models.CharField(max_length=80)
    description_en = models.CharField(max_length=200)
    description_ko = models.CharField(max_length=200)
    rule = models.CharField(max_length=30, choices=Rule.choices)
    threshold = models.PositiveIntegerField(default=1)
    xp = models.PositiveIntegerField("XP", default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        return in_current_language(self, "name")

    @property
    def description(self) -> str:
        return in_current_language(self, "description")


class CompletionQuerySet(models.QuerySet):
    def of_published_lessons(self) -> CompletionQuerySet:
        return self.filter(published_q("lesson__"), lesson__course__status="published")

    def witnessed(self) -> CompletionQuerySet:
        """Completions whose time the server saw itself: the only ones streaks count."""
        return self.filter(source=CompletionSource.SERVER)

    def readers_per_lesson(self) -> Coalesce:
        """An annotation for a Lesson queryset: the learners who completed each lesson (one
        completion per learner and lesson, so a count of rows)."""
        counts = (
            self.filter(lesson=OuterRef("pk"))
            .order_by()
            .values("lesson")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(counts, output_field=models.IntegerField()), 0)


class CompletionSource(models.TextChoices):
    # "Mark complete" while signed in: the time is the server's clock.
    SERVER = "server", _("completed while signed in")
    # Handed over from a browser's local history on sign-in: the time is the browser's word.
    BROWSER = "browser", _("synced from this browser")


class Completion(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions"
    )
    lesson = models.ForeignKey("courses.Lesson", on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField()
    source = models.CharField(
        max_length=10, choices=CompletionSource.choices, default=CompletionSource.SERVER
    )

    objects = CompletionQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="one_completion_per_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} completed {self.lesson_id}"


class XPEntry(models.Model):
    """The XP ledger: every award once, enforced by the database, never by a client."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xp_entries"
    )
    # What earned it, e.g. "lesson:12" or "achievement:first-steps"; unique per learner.
    source = models.CharField(max_length=100)
    amount = models.PositiveIntegerField()
    lesson = models.ForeignKey(
        "courses.Lesson", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    achievement = models.ForeignKey(
        Achievement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "XP entry"
        verbose_name_plural = "XP ledger"
        # The weekly leaderboard sums a week of the ledger for everyone.
        indexes = [models.Index(fields=["created_at"], name="xp_entry_created_at")]
        constraints = [
            models.UniqueConstraint(fields=["user", "source"], name="one_xp_award_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.amount} XP for {self.source}"


class EarnedAchievement(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="achievements"
    )
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="+")
    earned_at = models.DateTimeField(default=timezone.now)
    # Shown once, on the next page the learner opens.
    announced = models.BooleanField(default=False)

    class Meta:
        ordering = ["-earned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "achievement"], name="one_award_per_achievement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} earned {self.achievement_id}"


class LearnerEvent(models.Model):
    """Things other apps tell progress about (a comment posted, a reply received, …).

    Keyed by what happened, so an event delivered twice still counts once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_events"
    )
    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="one_event_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.key}"


class ReadingPosition(models.Model):
    """Where a signed-in learner stopped reading a lesson, anchored to its content.

    A heading id and the index of the block within that heading's section (not a scroll offset),
    so the place survives small edits and a different screen; a heading that is gone means the
    reader starts at the top again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_positions"
    )
    lesson = models.ForeignKey("courses.Lesson", on_delete=models.CASCADE, related_name="+")
    # Empty: before the lesson's first heading.
    heading_id = models.CharField(max_length=200, blank=True)
    paragraph = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson"], name="one_reading_position_per_lesson"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.lesson_id}#{self.heading_id}.{self.paragraph}"
