"""/progress/: earned achievements first, then how far each locked one is, and the streak."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from progress.services import lesson_complete

pytestmark = pytest.mark.django_db


def achievements(html: str) -> list[str]:
    """Each achievement's item, as text, in page order."""
    items = re.findall(r'<li class="achievement achievement--(\w+)">(.*?)</li>', html, re.S)
    return [
        f"{state}: " + re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)) for state, body in items
    ]


def test_locked_achievements_show_how_far_the_learner_is(signed_in, learner, lessons):
    for lesson in lessons[:2]:
        lesson_complete(user=learner, lesson=lesson)
    shown = achievements(signed_in.get(reverse("progress:profile")).content.decode())
    assert shown[0].startswith("earned: ") and "First steps" in shown[0]
    assert all(item.startswith("locked: ") for item in shown[1:])
    warming = next(item for item in shown if "Warming up" in item)
    assert "2/3 lessons" in warming
    week = next(item for item in shown if "Week streak" in item)
    assert re.search(r"\b1/7 days in a row", week)
    # The nearest to earning comes first among the locked ones.
    assert shown.index(warming) == 1


def test_the_streak_says_whether_today_counts(signed_in, learner, lessons):
    page = signed_in.get(reverse("progress:profile")).content.decode()
    assert "Complete a lesson today to start a streak." in page
    lesson_complete(user=learner, lesson=lessons[0], at=datetime(2020, 1, 1, 1, tzinfo=UTC))
    lesson_complete(user=learner, lesson=lessons[1])
    page = signed_in.get(reverse("progress:profile")).content.decode()
    assert "🔥 1-day streak — today counts ✓" in page


def test_dates_do_not_wrap(signed_in, learner, lessons):
    lesson_complete(user=learner, lesson=lessons[0], at=datetime(2026, 11, 3, 1, tzinfo=UTC))
    page = signed_in.get(reverse("progress:profile"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert re.search(r'<span class="date">[^<]+</span>', page)  # when each was earned
    assert '<td class="date">2026-11-3 10:00</td>' in page
