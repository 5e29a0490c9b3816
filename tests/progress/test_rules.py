"""The rules of progress as plain functions: levels, streaks, achievements, the merge payload."""

import json
import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest

from progress import rules
from progress.models import Rule

CURVE = [
    rules.LevelStep(0, 0, "Spark"),
    rules.LevelStep(1, 200, "Kindling"),
    rules.LevelStep(2, 450, "Ember"),
]
SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("xp", "level", "into", "span", "to_go"),
    [
        (0, 0, 0, 200, 200),
        (199, 0, 199, 200, 1),
        (200, 1, 0, 250, 250),
        (449, 1, 249, 250, 1),
        (450, 2, 0, None, 0),
        (9999, 2, 9549, None, 0),
    ],
)
def test_levels_change_exactly_at_their_thresholds(xp, level, into, span, to_go):
    standing = rules.level_standing(xp, CURVE)
    assert standing.current.number == level
    assert standing.xp_into_level == into
    assert standing.xp_for_level == span
    assert standing.xp_to_go == to_go


def test_level_order_in_the_file_does_not_matter():
    assert rules.level_standing(300, list(reversed(CURVE))).current.name == "Kindling"


def test_top_level_shows_full_progress():
    assert rules.level_standing(500, CURVE).percent_of_level == 100
    assert rules.level_standing(100, CURVE).percent_of_level == 50


def test_streak_counts_consecutive_days_and_breaks_on_a_gap():
    days = [date(2026, 11, d) for d in (1, 2, 3, 5, 6)]
    assert rules.longest_streak(days) == 3
    assert rules.current_streak(days, today=date(2026, 11, 6)) == 2
    # Still alive the day after (the learner has until midnight), gone the day after that.
    assert rules.current_streak(days, today=date(2026, 11, 7)) == 2
    assert rules.current_streak(days, today=date(2026, 11, 8)) == 0
    assert rules.longest_streak([]) == 0


def test_two_completions_either_side_of_midnight_make_a_two_day_streak():
    before = datetime(2026, 11, 23, 14, 59, tzinfo=UTC)  # 23:59 in Seoul
    after = datetime(2026, 11, 23, 15, 1, tzinfo=UTC)  # 00:01 the next day in Seoul
    assert rules.longest_streak(rules.completion_days([before, after], SEOUL)) == 2


def test_the_same_moments_are_one_day_in_another_time_zone():
    before = datetime(2026, 11, 23, 14, 59, tzinfo=UTC)  # 09:59 in New York
    after = datetime(2026, 11, 23, 15, 1, tzinfo=UTC)  # 10:01 in New York
    assert rules.completion_days([before, after], NEW_YORK) == [date(2026, 11, 23)]
    assert rules.longest_streak(rules.completion_days([before, after], NEW_YORK)) == 1


def test_many_completions_on_one_day_count_once():
    moments = [datetime(2026, 11, 23, h, tzinfo=UTC) for h in (1, 2, 3)]
    assert rules.completion_days(moments, SEOUL) == [date(2026, 11, 23)]


@pytest.mark.parametrize(
    ("rule", "threshold", "numbers", "earned"),
    [
        (Rule.LESSONS_COMPLETED, 3, {"lessons_completed": 2}, False),
        (Rule.LESSONS_COMPLETED, 3, {"lessons_completed": 3}, True),
        (Rule.COURSES_COMPLETED, 1, {"courses_completed": 0}, False),
        (Rule.COURSES_COMPLETED, 1, {"courses_completed": 1}, True),
        (Rule.ALL_LESSONS, 1, {"published_lessons": 5, "published_lessons_completed": 4}, False),
        (Rule.ALL_LESSONS, 1, {"published_lessons": 5, "published_lessons_completed": 5}, True),
        (Rule.ALL_LESSONS, 1, {"published_lessons": 0, "published_lessons_completed": 0}, False),
        (Rule.STREAK_DAYS, 7, {"longest_streak": 6}, False),
        (Rule.STREAK_DAYS, 7, {"longest_streak": 7}, True),
        (Rule.LEVEL_REACHED, 3, {"level": 2}, False),
        (Rule.LEVEL_REACHED, 3, {"level": 3}, True),
        (Rule.COMMENTS_POSTED, 1, {"events": {}}, False),
        (Rule.COMMENTS_POSTED, 1, {"events": {"comments_posted": 1}}, True),
        (Rule.REPLIES_RECEIVED, 1, {"events": {"comments_posted": 5}}, False),
        (Rule.REPLIES_RECEIVED, 1, {"events": {"replies_received": 1}}, True),
        (Rule.REPORTS_CONFIRMED, 1, {"events": {"reports_confirmed": 1}}, True),
    ],
)
def test_each_achievement_rule(rule, threshold, numbers, earned):
    assert rules.qualifies(rule, threshold, rules.LearnerNumbers(**numbers)) is earned


def payload(*items, **extra) -> bytes:
    return json.dumps({"completions": list(items), **extra}).encode()


def test_a_valid_payload_gives_each_lessons_time_in_utc():
    early, late = "2026-11-20T09:00:00+09:00", "2026-11-21T09:00:00+09:00"
    parsed = rules.parse_merge_payload(
        payload({"lesson": 3, "completed_at": early}, {"lesson": 4, "completed_at": late}),
        now=NOW,
    )
    assert parsed == {
        3: datetime(2026, 11, 20, 0, 0, tzinfo=UTC),
        4: datetime(2026, 11, 21, 0, 0, tzinfo=UTC),
    }


def test_figures_the_browser_claims_are_ignored():
    body = payload(
        {"lesson": 3, "completed_at": "2026-11-20T09:00:00Z", "xp": 100000},
        xp=999999,
        level=10,
        achievements=["completionist"],
    )
    assert rules.parse_merge_payload(body, now=NOW) == {3: datetime(2026, 11, 20, 9, tzinfo=UTC)}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[]", '"completions" list'),
        (b'{"completions": {"3": "2026-11-20T09:00:00Z"}}', '"completions" list'),
        (payload("lesson 3"), "completions[0] must be an object"),
        (payload({"lesson": "3", "completed_at": "2026-11-20T09:00:00Z"}), "completions[0].lesson"),
        (
            payload({"lesson": True, "completed_at": "2026-11-20T09:00:00Z"}),
            "completions[0].lesson",
        ),
        (payload({"lesson": -1, "completed_at": "2026-11-20T09:00:00Z"}), "completions[0].lesson"),
        (payload({"lesson": 3, "completed_at": "yesterday"}), "completions[0].completed_at"),
        (payload({"lesson": 3, "completed_at": "2026-11-20T09:00:00"}), "with a time zone"),
        (payload({"lesson": 3, "completed_at": "2026-11-25T12:00:00Z"}), "in the future"),
    ],
)
def test_malformed_payloads_are_refused_with_a_clear_message(body, message):
    with pytest.raises(
        rules.MergePayloadError, match=message.replace("[", r"\[").replace("]", r"\]")
    ):
        rules.parse_merge_payload(body, now=NOW)


def test_oversized_payloads_are_refused():
    many = [{"lesson": n, "completed_at": "2026-11-20T09:00:00Z"} for n in range(1, 1500)]
    with pytest.raises(rules.MergePayloadError, match="too large"):
        rules.parse_merge_payload(payload(*many), now=NOW)
    with pytest.raises(rules.MergePayloadError, match="Too many completions"):
        rules.parse_merge_payload(payload(*many[:1001]), now=NOW, max_bytes=10**6)


def test_a_clock_a_few_minutes_fast_is_forgiven():
    soon = (NOW + timedelta(minutes=2)).isoformat()
    assert rules.parse_merge_payload(payload({"lesson": 1, "completed_at": soon}), now=NOW) == {
        1: NOW
    }
