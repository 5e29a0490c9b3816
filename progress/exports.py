"""What the progress app holds about a learner, for "Export my data" (accounts.signals)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from progress.models import Completion, EarnedAchievement, ReadingPosition, XPEntry


def learner_data(*, user: AbstractBaseUser) -> dict[str, list[dict[str, Any]]]:
    return {
        "completions": [
            {
                "course": c.lesson.course.slug,
                "lesson": c.lesson.slug,
                "completed_at": c.completed_at.isoformat(),
            }
            for c in Completion.objects.filter(user=user)
            .select_related("lesson__course")
            .order_by("completed_at")
        ],
        "xp_ledger": [
            {"source": e.source, "amount": e.amount, "awarded_at": e.created_at.isoformat()}
            for e in XPEntry.objects.filter(user=user).order_by("created_at", "id")
        ],
        "achievements": [
            {"achievement": e.achievement.slug, "earned_at": e.earned_at.isoformat()}
            for e in EarnedAchievement.objects.filter(user=user)
            .select_related("achievement")
            .order_by("earned_at")
        ],
        "reading_positions": [
            {
                "course": p.lesson.course.slug,
                "lesson": p.lesson.slug,
                "heading": p.heading_id,
                "paragraph": p.paragraph,
                "updated_at": p.updated_at.isoformat(),
            }
            for p in ReadingPosition.objects.filter(user=user)
            .select_related("lesson__course")
            .order_by("updated_at")
        ],
    }
