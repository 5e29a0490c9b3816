"""A learner's practice in their data export (accounts: "export my data")."""

from __future__ import annotations

from practice.models import CheckAttempt, ExerciseAnswer


def learner_data(*, user) -> dict:
    attempts = CheckAttempt.objects.filter(user=user).select_related(
        "knowledge_check__lesson__course"
    )
    answers = ExerciseAnswer.objects.filter(user=user).select_related("lesson__course")
    return {
        "check_attempts": [
            {
                "lesson": attempt.knowledge_check.lesson.get_absolute_url(),
                "question": attempt.knowledge_check.question,
                "chosen": [
                    attempt.knowledge_check.options[i]["text"]
                    for i in attempt.chosen
                    if i < len(attempt.knowledge_check.options)
                ],
                "correct": attempt.correct,
                "first_attempt": attempt.first,
                "source": attempt.source,
                "answered_at": attempt.created_at.isoformat(),
            }
            for attempt in attempts
        ],
        "exercise_answers": [
            {
                "lesson": answer.lesson.get_absolute_url(),
                "text": answer.text,
                "updated_at": answer.updated_at.isoformat(),
                "submitted_at": answer.submitted_at.isoformat() if answer.submitted_at else None,
                "done_at": answer.done_at.isoformat() if answer.done_at else None,
                "versions": [
                    {"text": version.text, "submitted_at": version.submitted_at.isoformat()}
                    for version in answer.versions.all()
                ],
            }
            for answer in answers.prefetch_related("versions")
        ],
    }
