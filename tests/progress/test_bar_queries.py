"""The learner bar costs one query for a signed-in learner, and achievements are evaluated only
for the rules an event can change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from progress.services import event_record, lesson_complete
from progress.summaries import bar_totals, learner_bar

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("completed", [0, 1, 8])
def test_a_signed_in_bar_costs_at_most_two_queries(
    learner, lessons, completed, django_assert_max_num_queries
):
    for lesson in lessons[:completed]:
        lesson_complete(user=learner, lesson=lesson)
    bar_totals()  # shared by every learner, once per content version
    with django_assert_max_num_queries(2):
        bar = learner_bar(learner)
    assert bar.lessons_done == completed
    assert bar.lessons_total == len(lessons)
    assert bar.achievements_total == 16
    expected_xp = sum(lesson.xp for lesson in lessons[:completed])
    assert bar.standing.xp >= expected_xp  # and achievement XP on top


def test_the_bar_counts_only_published_lessons_and_active_achievements(learner, lessons):
    for lesson in lessons[:2]:
        lesson_complete(user=learner, lesson=lesson)
    lessons[0].status = "draft"
    lessons[0].save()  # a content change: the totals are built again
    bar = learner_bar(learner)
    assert (bar.lessons_done, bar.lessons_total) == (1, len(lessons) - 1)
    assert bar.achievements_earned == 1  # first-steps


def test_an_anonymous_bar_costs_nothing_once_the_totals_are_cached(
    lessons, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser

    bar_totals()
    with django_assert_num_queries(0):
        bar = learner_bar(AnonymousUser())
    assert (bar.standing.current.name, bar.lessons_total) == ("Spark", len(lessons))


def sql_of(block) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        block()
    return [q["sql"] for q in captured.captured_queries]


def test_a_comment_event_does_not_look_at_completions_lessons_or_streaks(
    learner, lessons, django_assert_max_num_queries
):
    lesson_complete(user=learner, lesson=lessons[0])
    # The first comment earns first-word and its XP, so the level rules are looked at too.
    queries = sql_of(lambda: event_record(user=learner, kind="comments_posted", key="comment:1"))
    # The second earns nothing: the event, the comment rules still to earn, the comment count.
    with django_assert_max_num_queries(8):
        queries += sql_of(
            lambda: event_record(user=learner, kind="comments_posted", key="comment:2")
        )
    assert not [sql for sql in queries if "progress_completion" in sql]
    assert not [sql for sql in queries if "courses_lesson" in sql]


def test_a_completion_does_not_count_comment_events(learner, lessons):
    queries = sql_of(lambda: lesson_complete(user=learner, lesson=lessons[0]))
    assert not [sql for sql in queries if "progress_learnerevent" in sql]


def test_a_comment_earning_xp_can_still_lift_the_level(learner, lessons):
    """first-word and friends give XP: the level achievements are looked at after them."""
    from progress.models import Achievement, EarnedAchievement

    comment_rules = Achievement.objects.filter(rule="comments_posted", threshold=1)
    assert comment_rules.exists()
    for lesson in lessons[:3]:
        lesson_complete(user=learner, lesson=lesson)
    before = learner_bar(learner).standing
    outcome = event_record(user=learner, kind="comments_posted", key="comment:1")
    earned = {a.rule for a in outcome.achievements}
    assert "comments_posted" in earned
    after = learner_bar(learner).standing
    assert after.xp > before.xp
    if after.current.number > before.current.number:
        assert EarnedAchievement.objects.filter(
            user=learner, achievement__rule="level_reached"
        ).exists()
