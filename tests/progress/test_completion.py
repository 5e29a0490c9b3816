"""Completing lessons: XP once, achievements from the rules files, announcements, events."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from comments import signals as comment_signals
from courses.models import Lesson, Status
from progress.models import Completion, EarnedAchievement, XPEntry
from progress.services import lesson_complete
from progress.summaries import learner_bar

pytestmark = pytest.mark.django_db


def complete_url(lesson: Lesson) -> str:
    return reverse("progress:complete", args=[lesson.id])


def earned(user) -> set[str]:
    return set(
        EarnedAchievement.objects.filter(user=user).values_list("achievement__slug", flat=True)
    )


def test_completing_a_lesson_awards_its_xp_and_the_first_achievement(signed_in, learner, lessons):
    lesson = lessons[0]
    response = signed_in.post(complete_url(lesson))
    assert response.status_code == 302
    assert response["Location"] == f"{lesson.get_absolute_url()}#progress"
    assert Completion.objects.filter(user=learner, lesson=lesson).count() == 1
    ledger = dict(XPEntry.objects.filter(user=learner).values_list("source", "amount"))
    assert ledger == {f"lesson:{lesson.id}": lesson.xp, "achievement:first-steps": 10}
    assert earned(learner) == {"first-steps"}


def test_completing_twice_awards_xp_once(signed_in, learner, lessons):
    signed_in.post(complete_url(lessons[0]))
    response = signed_in.post(complete_url(lessons[0]), follow=True)
    assert "You had already completed this lesson." in response.content.decode()
    assert XPEntry.objects.filter(user=learner).count() == 2  # the lesson and first-steps
    assert learner_bar(learner).standing.xp == lessons[0].xp + 10


def test_the_next_page_announces_the_achievement_once(signed_in, lessons):
    response = signed_in.post(complete_url(lessons[0]), follow=True)
    page = response.content.decode()
    # The lesson's XP, as its button promised, and the achievement's bonus beside it.
    assert f"Lesson complete: +{lessons[0].xp} XP." in page
    assert "Achievement unlocked: <strong>First steps</strong> · +10 XP" in page
    again = signed_in.get(lessons[0].get_absolute_url()).content.decode()
    assert "Achievement unlocked" not in again
    assert "Completed on" in again


def test_announcements_follow_the_language(signed_in, lessons):
    # The POST that earns an achievement composes its announcement, in the reader's language.
    signed_in.post(complete_url(lessons[0]), HTTP_ACCEPT_LANGUAGE="ko")
    page = signed_in.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "첫걸음" in page


def test_anonymous_readers_are_sent_to_sign_in_and_nothing_is_stored(client, lessons):
    response = client.post(complete_url(lessons[0]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Completion.objects.exists()


def test_draft_lessons_cannot_be_completed(signed_in, learner, lessons):
    draft = Lesson.objects.filter(status=Status.DRAFT).first()
    assert draft is not None
    assert signed_in.post(complete_url(draft)).status_code == 404
    assert signed_in.get(complete_url(lessons[0])).status_code == 405
    assert not Completion.objects.filter(user=learner).exists()


def test_a_whole_course_earns_the_course_achievement(learner, lessons):
    short = [lesson for lesson in lessons if lesson.course.slug == "prompt-craft"]
    for lesson in short:
        lesson_complete(user=learner, lesson=lesson)
    assert {"first-steps", "warming-up", "course-finisher"} <= earned(learner)
    assert "double-major" not in earned(learner)


def test_every_lesson_earns_completionist_and_levels_follow_the_xp(learner, lessons):
    for lesson in lessons:
        lesson_complete(user=learner, lesson=lesson)
    got = earned(learner)
    assert {"completionist", "double-major", "steady-reader", "kindled", "ablaze"} <= got
    bar = learner_bar(learner)
    assert bar.lessons_done == bar.lessons_total == len(lessons)
    assert bar.percent_complete == 100
    total = sum(XPEntry.objects.filter(user=learner).values_list("amount", flat=True))
    assert bar.standing.xp == total
    assert bar.standing.current.number >= 3  # 'ablaze' is level 3, earned from this XP


def test_completions_on_consecutive_days_earn_the_streak(learner, lessons):
    start = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)  # noon in Seoul
    for day in range(2):
        lesson_complete(user=learner, lesson=lessons[day], at=start + timedelta(days=day))
    assert "two-in-a-row" in earned(learner)
    assert "week-streak" not in earned(learner)


def test_the_streak_uses_the_learners_time_zone(learner, lessons):
    learner.learner_profile.time_zone = "America/New_York"
    learner.learner_profile.save()
    # 23:59 and 00:01 in Seoul, but both mid-morning of the same day in New York.
    lesson_complete(user=learner, lesson=lessons[0], at=datetime(2026, 11, 1, 14, 59, tzinfo=UTC))
    lesson_complete(user=learner, lesson=lessons[1], at=datetime(2026, 11, 1, 15, 1, tzinfo=UTC))
    assert "two-in-a-row" not in earned(learner)


def test_comment_events_earn_their_achievements_once(learner, lessons):
    for _ in range(2):  # the same event delivered twice counts once
        comment_signals.comment_posted.send(sender=None, user=learner, key="comment:1")
    comment_signals.reply_received.send(sender=None, user=learner, key="comment:2")
    comment_signals.report_confirmed.send(sender=None, user=learner, key="report:1")
    assert earned(learner) == {"first-word", "conversation-starter", "bug-hunter"}
    assert XPEntry.objects.filter(user=learner, source="achievement:first-word").count() == 1


def test_ten_comments_earn_regular_voice(learner, sample_content):
    for n in range(9):
        comment_signals.comment_posted.send(sender=None, user=learner, key=f"comment:{n}")
    assert "regular-voice" not in earned(learner)
    comment_signals.comment_posted.send(sender=None, user=learner, key="comment:9")
    assert "regular-voice" in earned(learner)


def test_unpublished_lessons_leave_the_bar_but_keep_their_history(learner, lessons):
    lesson_complete(user=learner, lesson=lessons[0])
    Lesson.objects.filter(pk=lessons[0].pk).update(status=Status.ARCHIVED)
    bar = learner_bar(learner)
    assert bar.lessons_done == 0
    assert bar.lessons_total == len(lessons) - 1
    assert Completion.objects.filter(user=learner).count() == 1
