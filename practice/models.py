"""What learners do with a lesson: answers to its knowledge checks and its exercise."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lessons.text import validate_no_controls

# How long an exercise answer may be: a page or two of notes or a table, not a book.
ANSWER_MAX_LENGTH = 20_000


class AttemptSource(models.TextChoices):
    SERVER = "server", _("answered here")
    BROWSER = "browser", _("answered before signing in")


class CheckAttemptQuerySet(models.QuerySet):
    def firsts(self) -> CheckAttemptQuerySet:
        """Each learner's first attempt at each check: the one that counts."""
        return self.filter(first=True)

    def of_lesson(self, lesson_id: int) -> CheckAttemptQuerySet:
        return self.filter(knowledge_check__lesson_id=lesson_id)


class CheckAttempt(models.Model):
    """One answer to a knowledge check, graded by the server. Every attempt is kept; the first
    is what counts (for XP, achievements and the instructors' figures)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_attempts"
    )
    # ("check" would hide Model.check(), Django's system checks.)
    knowledge_check = models.ForeignKey(
        "courses.Check", on_delete=models.CASCADE, related_name="attempts"
    )
    # The indexes of the options chosen, ascending.
    chosen = models.JSONField(default=list)
    correct = models.BooleanField()
    first = models.BooleanField(default=False)
    # The check's fingerprint when answered: an answer to an older wording stays what it was.
    fingerprint = models.CharField(max_length=16, blank=True)
    source = models.CharField(
        max_length=10, choices=AttemptSource.choices, default=AttemptSource.SERVER
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CheckAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # A race of identical posts still makes one first attempt (and one XP award).
            models.UniqueConstraint(
                fields=["user", "knowledge_check"],
                condition=Q(first=True),
                name="one_first_attempt",
            )
        ]
        indexes = [models.Index(fields=["knowledge_check", "first"], name="attempt_check_first")]

    def __str__(self) -> str:
        verdict = "right" if self.correct else "wrong"
        return f"{self.user_id} → check {self.knowledge_check_id}: {verdict}"


class ExerciseAnswerQuerySet(models.QuerySet):
    def submitted(self) -> ExerciseAnswerQuerySet:
        return self.filter(submitted_at__isnull=False)


class ExerciseAnswer(models.Model):
    """A learner's answer to a lesson's exercise: a private draft, saved as they type, until
    they submit it (each submission kept as a version); then they may mark it done."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_answers"
    )
    lesson = models.ForeignKey(
        "courses.Lesson", on_delete=models.CASCADE, related_name="exercise_answers"
    )
    text = models.TextField(
        _("answer"), blank=True, max_length=ANSWER_MAX_LENGTH, validators=[validate_no_controls]
    )
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # The comment it was shared as, if the learner chose to (comments keeps the comment).
    shared_comment_id = models.BigIntegerField(null=True, blank=True)

    objects = ExerciseAnswerQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="one_answer_per_exercise")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on lesson {self.lesson_id}"


class ExerciseAnswerVersion(models.Model):
    """What the learner submitted, each time: earlier versions are kept when they revise."""

    answer = models.ForeignKey(ExerciseAnswer, on_delete=models.CASCADE, related_name="versions")
    text = models.TextField(max_length=ANSWER_MAX_LENGTH)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.answer_id} at {self.submitted_at:%Y-%m-%d %H:%M}"
