"""The merge endpoint under attack: every malformed body is a 400 with a message, never a 500;
times are clamped to what is possible; a browser's history earns no streak."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Lesson
from progress.models import Completion, EarnedAchievement, XPEntry
from progress.profiles import learner_profile

pytestmark = pytest.mark.django_db
MERGE = reverse("progress:merge")
NOW = timezone.now()


def post(client, body):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(MERGE, raw, content_type="application/json")


def one(lesson=1, at="2026-11-20T09:00:00Z") -> dict:
    return {"completions": [{"lesson": lesson, "completed_at": at}]}


def nested(depth: int) -> bytes:
    return b'{"completions": ' + b"[" * depth + b"]" * depth + b"}"


MALFORMED = {
    "id-beyond-bigint": one(lesson=2**63),
    "id-far-beyond-bigint": one(lesson=10**30),
    "id-zero": one(lesson=0),
    "id-negative": one(lesson=-5),
    "id-float": one(lesson=1.0),
    "id-string": one(lesson="1"),
    "id-null": one(lesson=None),
    "id-list": one(lesson=[1]),
    "id-bool": one(lesson=True),
    "date-feb-30": one(at="2026-02-30T10:00:00Z"),
    "date-hour-25": one(at="2026-11-20T25:00:00Z"),
    "date-month-13": one(at="2026-13-01T10:00:00Z"),
    "offset-25-hours": one(at="2026-11-20T10:00:00+25:00"),
    "before-year-1-in-utc": one(at="0001-01-01T00:00:00+14:00"),
    "far-future": one(at="9999-12-31T23:59:59-14:00"),
    "next-year": one(at=(NOW + timedelta(days=365)).isoformat()),
    "date-number": one(at=1732406400),
    "date-empty": one(at=""),
    "date-null": one(at=None),
    "date-naive": one(at="2026-11-20T09:00:00"),
    "date-only": one(at="2026-11-20"),
    "date-huge-string": one(at="2026-11-20T09:00:00Z" + " " * 5000),
    "date-object": one(at={"year": 2026}),
    "duplicate-lesson": {
        "completions": [
            {"lesson": 1, "completed_at": "2026-11-20T09:00:00Z"},
            {"lesson": 1, "completed_at": "2026-11-21T09:00:00Z"},
        ]
    },
    "completions-null": {"completions": None},
    "completions-object": {"completions": {"1": "2026-11-20T09:00:00Z"}},
    "completions-string": {"completions": "all"},
    "item-list": {"completions": [[1, "2026-11-20T09:00:00Z"]]},
    "item-null": {"completions": [None]},
    "top-level-list": [one()],
    "top-level-number": 42,
    "deeply-nested-list": nested(20_000),
    "deeply-nested-top": b"[" * 30_000 + b"]" * 30_000,
    "not-utf8": b'{"completions": [\xff]}',
    "empty-body": b"",
    "not-json": b"completions=1",
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_bodies_get_400_with_a_message_and_store_nothing(signed_in, learner, body):
    response = post(signed_in, body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Completion.objects.filter(user=learner).exists()
    assert not XPEntry.objects.filter(user=learner).exists()


def test_a_time_before_the_lesson_was_on_the_site_is_moved_to_when_it_was(
    signed_in, learner, lessons
):
    arrived = NOW - timedelta(days=3)
    Lesson.objects.filter(pk=lessons[0].pk).update(created_at=NOW - timedelta(days=90))
    Lesson.objects.filter(pk=lessons[0].pk).update(publish_at=arrived)
    Lesson.objects.filter(pk=lessons[1].pk).update(created_at=arrived)
    body = {
        "completions": [
            {"lesson": lessons[0].id, "completed_at": "2001-01-01T00:00:00Z"},
            {"lesson": lessons[1].id, "completed_at": "0002-06-01T00:00:00+00:00"},
        ]
    }
    assert post(signed_in, body).status_code == 200
    times = dict(Completion.objects.filter(user=learner).values_list("lesson_id", "completed_at"))
    assert times == {lessons[0].id: arrived, lessons[1].id: arrived}


def test_a_time_a_few_minutes_ahead_is_taken_as_now(signed_in, learner, lessons):
    Lesson.objects.update(created_at=NOW - timedelta(days=30))
    ahead = (timezone.now() + timedelta(minutes=3)).isoformat()
    assert post(signed_in, one(lesson=lessons[0].id, at=ahead)).status_code == 200
    completed_at = Completion.objects.get(user=learner).completed_at
    assert completed_at <= timezone.now()


def test_a_forged_week_of_history_earns_no_streak(signed_in, learner, lessons):
    Lesson.objects.update(created_at=NOW - timedelta(days=60))
    week = [
        {"lesson": lesson.id, "completed_at": (NOW - timedelta(days=day)).isoformat()}
        for day, lesson in zip(range(7, 0, -1), lessons, strict=False)
    ]
    assert len(week) == 7
    answer = post(signed_in, {"completions": week}).json()
    assert answer["merged"] == 7
    earned = set(
        EarnedAchievement.objects.filter(user=learner).values_list("achievement__slug", flat=True)
    )
    assert "two-in-a-row" not in earned and "week-streak" not in earned
    assert "first-steps" in earned  # lesson counts do count
    profile = learner_profile(learner)
    assert (profile.current_streak, profile.longest_streak) == (0, 0)


def test_a_day_the_server_saw_counts_for_the_streak_after_a_merge(signed_in, learner, lessons):
    Lesson.objects.update(created_at=NOW - timedelta(days=60))
    post(signed_in, one(lesson=lessons[0].id, at=(NOW - timedelta(days=1)).isoformat()))
    signed_in.post(reverse("progress:complete", args=[lessons[1].id]))
    profile = learner_profile(learner)
    assert (profile.current_streak, profile.longest_streak) == (1, 1)


def test_merges_are_rate_limited(signed_in, learner, lessons, settings):
    settings.PROGRESS_MERGE_RATE_LIMIT = "3/60"
    Lesson.objects.update(created_at=NOW - timedelta(days=30))
    for lesson in lessons[:3]:
        assert post(signed_in, one(lesson=lesson.id, at=NOW.isoformat())).status_code == 200
    response = post(signed_in, one(lesson=lessons[3].id, at=NOW.isoformat()))
    assert response.status_code == 429
    assert response.json()["error"]
    assert Completion.objects.filter(user=learner).count() == 3
