"""Syncing an anonymous reader's browser progress into their account on sign-in."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Lesson, Status
from progress.models import Completion, XPEntry
from progress.summaries import learner_bar

pytestmark = pytest.mark.django_db
MERGE = reverse("progress:merge")


def post(client, data, **extra):
    body = data if isinstance(data, bytes) else json.dumps(data)
    return client.post(MERGE, body, content_type="application/json", **extra)


NOW = timezone.now()


def item(lesson_id: int, days_ago: int = 1) -> dict:
    return {"lesson": lesson_id, "completed_at": (NOW - timedelta(days=days_ago)).isoformat()}


def test_local_completions_join_the_account_with_server_computed_xp(signed_in, learner, lessons):
    Lesson.objects.update(created_at=NOW - timedelta(days=30))
    response = post(signed_in, {"completions": [item(lessons[0].id, 2), item(lessons[1].id, 1)]})
    assert response.status_code == 200
    answer = response.json()
    assert answer["merged"] == 2
    # A browser's times are its word only: they earn no streak (content/README.md).
    assert set(answer["achievements"]) == {"first-steps"}
    completed = Completion.objects.filter(user=learner).order_by("completed_at")
    assert [c.lesson_id for c in completed] == [lessons[0].id, lessons[1].id]
    assert {c.source for c in completed} == {"browser"}
    # The local completion time is kept for the history.
    assert completed[1].completed_at - completed[0].completed_at == timedelta(days=1)
    assert learner_bar(learner).standing.xp == lessons[0].xp + lessons[1].xp + 10


def test_forged_figures_are_ignored(signed_in, learner, lessons):
    forged = {
        "completions": [{**item(lessons[0].id), "xp": 100000}],
        "xp": 999999,
        "level": 10,
        "achievements": ["completionist"],
    }
    assert post(signed_in, forged).status_code == 200
    assert learner_bar(learner).standing.xp == lessons[0].xp + 10
    assert learner_bar(learner).achievements_earned == 1


def test_merging_again_or_after_completing_on_the_server_changes_nothing(
    signed_in, learner, lessons
):
    signed_in.post(reverse("progress:complete", args=[lessons[0].id]))
    before = list(XPEntry.objects.filter(user=learner).values_list("source", "amount"))
    response = post(signed_in, {"completions": [item(lessons[0].id)]})
    assert response.json()["merged"] == 0
    assert list(XPEntry.objects.filter(user=learner).values_list("source", "amount")) == before


def test_unknown_and_unpublished_lessons_are_refused_and_nothing_is_stored(
    signed_in, learner, lessons
):
    draft = Lesson.objects.filter(status=Status.DRAFT).first()
    response = post(signed_in, {"completions": [item(draft.id), item(999999), item(lessons[0].id)]})
    assert response.status_code == 400
    assert sorted(response.json()["unknown_lessons"]) == sorted([draft.id, 999999])
    assert str(draft.id) in response.json()["error"]
    assert not Completion.objects.filter(user=learner).exists()


@pytest.mark.parametrize(
    "body",
    [
        b"{broken",
        {"completions": "all of them"},
        {"completions": [{"lesson": "one", "completed_at": "2026-01-01T00:00:00Z"}]},
        {"completions": [{"lesson": 1, "completed_at": "2999-01-01T00:00:00Z"}]},
        {
            "completions": [
                {"lesson": n, "completed_at": "2026-01-01T00:00:00Z"} for n in range(1, 2000)
            ]
        },
    ],
    ids=["malformed", "not-a-list", "bad-id", "future", "oversized"],
)
def test_bad_payloads_get_400_with_a_message_and_store_nothing(signed_in, learner, lessons, body):
    if isinstance(body, dict) and body["completions"] and isinstance(body["completions"], list):
        # A valid lesson in the same payload must not be stored either.
        body["completions"].append(item(lessons[0].id))
    response = post(signed_in, body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Completion.objects.filter(user=learner).exists()
    assert not XPEntry.objects.filter(user=learner).exists()


def test_anonymous_merge_is_refused(client, lessons):
    response = post(client, {"completions": [item(lessons[0].id)]})
    assert response.status_code == 401
    assert not Completion.objects.exists()


def test_merge_needs_the_csrf_token(learner, lessons):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    assert post(strict, {"completions": [item(lessons[0].id)]}).status_code == 403
    assert not Completion.objects.exists()
