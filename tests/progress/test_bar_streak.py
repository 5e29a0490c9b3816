"""The learner bar's streak: days in a row, and whether today already counts, where the learner
lives; kept in the bar's cache, which a completion and a new day in their zone both move on."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from progress.models import Completion, CompletionSource
from progress.services import lesson_complete

pytestmark = pytest.mark.django_db

# 03:00 in UTC is still the evening before in New York (22:00, Nov. 24).
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def clock(monkeypatch):
    """The server's clock, set to NOW and moved on by `clock.advance(hours=…)`."""

    class Clock:
        now = NOW

        def advance(self, **delta):
            self.now += timedelta(**delta)

    fixed = Clock()
    monkeypatch.setattr(timezone, "now", lambda: fixed.now)
    return fixed


@pytest.fixture
def in_new_york(learner):
    learner.learner_profile.time_zone = "America/New_York"
    learner.learner_profile.save()
    return learner


def bar(client, lesson) -> str:
    """The learner bar as a reader hears it: tags dropped, whitespace collapsed."""
    html = client.get(lesson.get_absolute_url()).content.decode()
    section = re.search(r"<section class=\"learner-bar.*?</section>", html, flags=re.S).group()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", section))


def chip_is_lit(client, lesson) -> bool:
    html = client.get(lesson.get_absolute_url()).content.decode()
    return "learner-bar__streak--today" in html


def test_a_learner_without_completions_is_invited_to_start_a_streak(
    clock, signed_in, in_new_york, lessons
):
    words = bar(signed_in, lessons[0])
    assert "🔥 0 0-day streak" in words  # the chip: the figure, then its words for screen readers
    assert "Complete a lesson today to start a streak." in words
    assert not chip_is_lit(signed_in, lessons[0])


def test_a_completion_today_counts_in_the_cached_bar_at_once(
    clock, signed_in, in_new_york, lessons
):
    assert "start a streak" in bar(signed_in, lessons[-1])  # cached for this learner now
    lesson_complete(user=in_new_york, lesson=lessons[0])
    words = bar(signed_in, lessons[-1])
    assert "🔥 1 1-day streak" in words
    assert "🔥 1-day streak — today counts ✓" in words
    assert chip_is_lit(signed_in, lessons[-1])


def test_yesterday_in_the_learners_zone_keeps_the_streak_until_midnight_there(
    clock, signed_in, in_new_york, lessons
):
    # Nov. 23 and Nov. 24 in New York; the second is Nov. 25 in UTC, where
    # the streak would have broken by then.
    for lesson, at in (
        (lessons[0], datetime(2026, 11, 23, 15, tzinfo=UTC)),
        (lessons[1], datetime(2026, 11, 25, 2, tzinfo=UTC)),
    ):
        lesson_complete(user=in_new_york, lesson=lesson, at=at)
    clock.advance(hours=24)  # Nov. 25, 22:00 in New York: nothing done today yet
    words = bar(signed_in, lessons[-1])
    assert "🔥 2 2-day streak" in words
    assert "🔥 2-day streak — complete a lesson today to keep it" in words
    assert not chip_is_lit(signed_in, lessons[-1])
    clock.advance(hours=3)  # past midnight in New York, the cached bar notwithstanding
    words = bar(signed_in, lessons[-1])
    assert "🔥 0 0-day streak" in words
    assert "Complete a lesson today to start a streak." in words


def test_only_completions_the_server_saw_make_the_bars_streak(
    clock, signed_in, in_new_york, lessons
):
    # Completions merged from a browser's history count for XP, not for streaks.
    lesson_complete(user=in_new_york, lesson=lessons[0], at=NOW - timedelta(hours=1))
    Completion.objects.filter(user=in_new_york).update(source=CompletionSource.BROWSER)
    assert "start a streak" in bar(signed_in, lessons[-1])


def test_completing_in_place_sends_the_bars_new_streak(clock, signed_in, in_new_york, lessons):
    answer = signed_in.post(reverse("progress:complete", args=[lessons[0].id]), **JSON).json()
    assert answer["bar"]["streak"] == 1
    assert answer["bar"]["streak-today"] is True
