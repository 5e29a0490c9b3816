"""What learners do with a lesson, as writes: answering checks, writing an exercise answer.

XP and achievements are progress' (progress.services.event_award): a check right on the
first try earns CHECK_XP once, an exercise marked done EXERCISE_XP once, whatever the number
of identical requests at once (the database's unique constraints decide).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comments.forms import CommentForm
from comments.services import comment_post
from courses.models import Check, Lesson
from lessons.ratelimits import rate_limit_hit
from practice.grading import Grade, chosen_parse, grade
from practice.models import AttemptSource, CheckAttempt, ExerciseAnswer, ExerciseAnswerVersion
from progress.models import Rule
from progress.services import Outcome, event_award

CHECK_XP = 5
EXERCISE_XP = 15


class ExerciseStateError(ValueError):
    """The action does not fit where the answer is (done before it was submitted…)."""


class SharingRefusedError(ValueError):
    """The comment rules refuse the answer as a comment (too long, too fast…)."""

    def __init__(self, message: str, *, limited: bool = False):
        super().__init__(message)
        self.limited = limited


@dataclass(frozen=True)
class Answered:
    grade: Grade
    first: bool  # this was the learner's first attempt, the one that counts
    outcome: Outcome


def check_answer(
    *,
    user: AbstractBaseUser,
    check: Check,
    chosen: Sequence[int],
    at: datetime | None = None,
    source: str = AttemptSource.SERVER,
) -> Answered:
    """Grade and keep one attempt. The first attempt counts; right, it earns the check's XP."""
    graded = grade(check.options, chosen)
    at = at or timezone.now()
    attempt = CheckAttempt(
        user=user,
        knowledge_check=check,
        chosen=list(graded.chosen),
        correct=graded.correct,
        fingerprint=check.fingerprint,
        source=source,
        created_at=at,
    )
    first = False
    with transaction.atomic():
        if not CheckAttempt.objects.filter(user=user, knowledge_check=check, first=True).exists():
            try:
                with transaction.atomic():
                    attempt.first = True
                    attempt.save()
                first = True
            except IntegrityError:  # another request's first attempt won the race
                attempt.pk, attempt.first = None, False
        if not first:
            attempt.save()
        outcome = Outcome()
        if first and graded.correct:
            outcome = event_award(
                user=user,
                kind=Rule.CHECKS_RIGHT_FIRST_TRY,
                key=str(check.pk),
                xp=CHECK_XP,
                at=at,
                lesson=check.lesson,
            )
    return Answered(graded, first, outcome)


def answers_merge(*, user: AbstractBaseUser, answers: Iterable[dict]) -> int:
    """Answers an anonymous reader gave in this browser, handed over at sign-in, oldest first.

    Graded here from what was chosen, never from the browser's "right"; each is kept as an
    attempt from the browser, the first one counting as for any attempt (so a check the learner
    already answered signed in keeps that first attempt). Checks that are gone, or answers a
    check cannot take, are skipped. Returns how many were kept."""
    kept = 0
    items = sorted(answers, key=lambda item: item["at"])
    checks = Check.objects.in_bulk({item["check"] for item in items})
    for item in items:
        check = checks.get(item["check"])
        if check is None or not check.lesson.is_published:
            continue
        try:
            chosen = chosen_parse(
                item["chosen"], options=len(check.options), multiple=check.multiple
            )
        except ValueError:
            continue
        check_answer(
            user=user, check=check, chosen=chosen, at=item["at"], source=AttemptSource.BROWSER
        )
        kept += 1
    return kept


# --- Exercises -----------------------------------------------------------------------------------


def exercise_draft_save(*, user: AbstractBaseUser, lesson: Lesson, text: str) -> ExerciseAnswer:
    """Keep what the learner is writing (private; saved as they type)."""
    answer, _created = ExerciseAnswer.objects.update_or_create(
        user=user, lesson=lesson, defaults={"text": text, "updated_at": timezone.now()}
    )
    return answer


def exercise_submit(*, user: AbstractBaseUser, lesson: Lesson, text: str) -> ExerciseAnswer:
    """Submit the answer (still private): kept as a new version; the model answer shows now."""
    now = timezone.now()
    with transaction.atomic():
        answer, _created = ExerciseAnswer.objects.select_for_update().update_or_create(
            user=user,
            lesson=lesson,
            defaults={"text": text, "updated_at": now, "submitted_at": now},
        )
        ExerciseAnswerVersion.objects.create(answer=answer, text=text, submitted_at=now)
    return answer


def exercise_done(*, user: AbstractBaseUser, lesson: Lesson) -> Outcome:
    """Mark a submitted answer done: the exercise's XP, once."""
    now = timezone.now()
    updated = ExerciseAnswer.objects.filter(
        user=user, lesson=lesson, submitted_at__isnull=False, done_at__isnull=True
    ).update(done_at=now)
    if (
        not updated
        and not ExerciseAnswer.objects.filter(
            user=user, lesson=lesson, done_at__isnull=False
        ).exists()
    ):
        raise ExerciseStateError(_("Submit your answer before marking the exercise done."))
    return event_award(
        user=user, kind=Rule.EXERCISES_DONE, key=str(lesson.pk), xp=EXERCISE_XP, at=now,
        lesson=lesson,
    )  # fmt: skip


def exercise_share(*, user: AbstractBaseUser, lesson: Lesson):
    """Post the submitted answer as the learner's comment on the lesson, through the comment
    rules: the comment form's checks (length, visible text), the posting rate limit, and
    comments.services (sanitising, moderation, notifications). Once per answer; None when it
    was shared already."""
    with transaction.atomic():
        answer = (
            ExerciseAnswer.objects.select_for_update()
            .filter(user=user, lesson=lesson, submitted_at__isnull=False)
            .first()
        )
        if answer is None:
            raise ExerciseStateError(_("Submit your answer before sharing it."))
        if answer.shared_comment_id is not None:
            return None
        form = CommentForm({"body": answer.text})
        if not form.is_valid():
            raise SharingRefusedError(" ".join(form.errors.get("body", [])))
        limit = settings.COMMENTS_RATE_LIMIT
        if rate_limit_hit(scope="comment", who=f"user:{user.pk}", rate=limit):
            raise SharingRefusedError(
                _("You are posting faster than Stream allows. Please wait a minute."),
                limited=True,
            )
        comment = comment_post(author=user, lesson=lesson, body=form.cleaned_data["body"])
        answer.shared_comment_id = comment.pk
        answer.save(update_fields=["shared_comment_id"])
    return comment


def drafts_merge(*, user: AbstractBaseUser, drafts: Iterable[dict]) -> int:
    """Exercise drafts an anonymous reader wrote in this browser, handed over at sign-in: kept
    where the learner has no answer of their own on the server yet (theirs is never
    overwritten). Returns how many were kept."""
    drafts = list(drafts)
    kept = 0
    lessons = Lesson.objects.published().in_bulk({item["lesson"] for item in drafts})
    for item in drafts:
        lesson = lessons.get(item["lesson"])
        if lesson is None or not lesson.exercise_html:
            continue
        _answer, created = ExerciseAnswer.objects.get_or_create(
            user=user, lesson=lesson, defaults={"text": item["text"], "updated_at": item["at"]}
        )
        kept += created
    return kept
