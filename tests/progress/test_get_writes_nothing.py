"""Showing a page writes nothing: achievements are announced by the POST that earns them,
carried to the next page by django.contrib.messages (a cookie), never marked seen by a GET."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from progress.models import EarnedAchievement
from progress.services import event_record, lesson_complete

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes_of(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [
        q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)
    ]


def page_urls(lessons) -> list[str]:
    return [
        "/",
        lessons[0].course.get_absolute_url(),
        lessons[0].get_absolute_url(),
        reverse("courses:tag-detail", kwargs={"tag_slug": lessons[0].tags.first().slug}),
        reverse("progress:profile"),
        reverse("accounts:settings"),
        reverse("comments:notifications"),
    ]


def test_a_signed_in_get_of_any_page_writes_nothing(signed_in, learner, lessons):
    lesson_complete(user=learner, lesson=lessons[0])  # earned, not yet announced
    event_record(user=learner, kind="comments_posted", key="comment:1")
    assert EarnedAchievement.objects.filter(user=learner, announced=False).exists()
    for url in page_urls(lessons):
        assert writes_of(signed_in, url) == [], url
    # Nothing was marked as announced by showing pages.
    assert EarnedAchievement.objects.filter(user=learner, announced=False).exists()


def test_the_completing_post_announces_once_and_the_page_showing_it_writes_nothing(
    signed_in, learner, lessons
):
    signed_in.post(reverse("progress:complete", args=[lessons[0].id]))
    assert not EarnedAchievement.objects.filter(user=learner, announced=False).exists()
    url = lessons[0].get_absolute_url()
    with CaptureQueriesContext(connection) as captured:
        page = signed_in.get(url).content.decode()
    assert "Achievement unlocked: <strong>First steps</strong>" in page
    assert 'href="/progress/#achievements"' in page
    writes = [q["sql"] for q in captured.captured_queries if q["sql"].startswith(WRITES)]
    assert writes == []
    assert "Achievement unlocked" not in signed_in.get(url).content.decode()


def test_achievements_earned_elsewhere_are_announced_with_the_next_completion(
    signed_in, learner, lessons
):
    # A comment earns nothing in these rules; a reply received by someone else's action could.
    lesson_complete(user=learner, lesson=lessons[0])  # first-steps, earned outside a request
    signed_in.post(reverse("progress:complete", args=[lessons[1].id]))
    page = signed_in.get(lessons[1].get_absolute_url()).content.decode()
    assert "Achievement unlocked: <strong>First steps</strong>" in page


def test_a_sync_announces_on_the_page_the_browser_reloads(signed_in, learner, lessons):
    payload = {"completions": [{"lesson": lessons[0].id, "completed_at": "2026-01-05T10:00:00Z"}]}
    response = signed_in.post(reverse("progress:merge"), payload, content_type="application/json")
    assert response.json()["achievements"] == ["first-steps"]
    page = signed_in.get(lessons[0].get_absolute_url()).content.decode()
    assert "Achievement unlocked: <strong>First steps</strong>" in page
