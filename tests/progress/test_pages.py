"""What learners see: the learner bar, the progress block, the outline and the profile page."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from lessons.caching import versions
from progress.services import lesson_complete

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_anonymous_bar_starts_at_spark_with_the_seed_figures(client, lessons):
    page = text(client.get(lessons[0].get_absolute_url()))
    total = len(lessons)
    for figure in (
        "Level 0 Spark",
        "0 XP",
        f"0/{total} lessons",
        "0/16 achievements",
        "0/200 XP to next level",
        "0% complete",
        "Progress is local-only — sign in to sync across devices.",
    ):
        assert figure in page


def test_every_anonymous_reader_gets_the_same_html(client, lessons):
    first, second = client, Client()
    # The second reader has a session and language cookie from earlier visits.
    second.post(reverse("accounts:language"), {"language": "en", "next": "/"})
    second.get("/")
    url = lessons[2].get_absolute_url()
    assert first.get(url).content == second.get(url).content
    course = lessons[2].course.get_absolute_url()
    assert first.get(course).content == second.get(course).content


def test_without_javascript_the_control_invites_sign_in(client, lessons):
    html = client.get(lessons[0].get_absolute_url()).content.decode()
    # The local "Mark complete" button is hidden until the script shows it.
    assert re.search(r"<div data-local-control hidden>", html)
    login = reverse("account_login")
    assert f'href="{login}?next={lessons[0].get_absolute_url()}%23progress"' in html


def test_signed_in_bar_shows_the_servers_figures(signed_in, learner, lessons):
    for lesson in lessons[:4]:
        lesson_complete(user=learner, lesson=lesson)
    # 4 lessons: 200 XP, plus first-steps (10) and warming-up (20): level 1 at 230 XP.
    page = text(signed_in.get(lessons[5].get_absolute_url()))
    total = len(lessons)
    for figure in (
        "Level 1 Kindling",
        "230 XP",
        f"4/{total} lessons",
        "3/16 achievements",  # first-steps, warming-up and kindled (level 1)
        "30/250 XP to next level",
        f"{4 * 100 // total}% complete",
        "Mark complete · +50 XP",
    ):
        assert figure in page
    assert "local-only" not in page


def test_completed_lessons_are_marked_in_the_outline_and_on_the_page(signed_in, learner, lessons):
    lesson_complete(user=learner, lesson=lessons[1], at=datetime(2026, 11, 3, 1, tzinfo=UTC))
    outline = signed_in.get(lessons[1].course.get_absolute_url()).content.decode()
    done = re.findall(
        r'class="outline__item[^"]*outline__item--done[^"]*" data-lesson-id="(\d+)"', outline
    )
    assert done == [str(lessons[1].id)]
    page = text(signed_in.get(lessons[1].get_absolute_url()))
    assert "Completed on Nov. 3, 2026" in page
    assert "Mark complete" not in page


@pytest.mark.parametrize("completed", [0, 12])
def test_the_bar_costs_the_same_queries_whatever_the_history(
    signed_in, learner, lessons, completed, django_assert_num_queries
):
    for lesson in lessons[:completed]:
        lesson_complete(user=learner, lesson=lesson)
    url = lessons[-1].get_absolute_url()
    signed_in.get(url)  # the bar's totals, figures and the bell's count are cached here
    # As after anything the learner sends: their own parts of the page are drawn again.
    versions.bump(versions.reader(learner.pk))
    # Session, user and profile for the header (3), this lesson's completion (1), the
    # discussion (1), the reader's place in the lesson for "Continue where you left off" (1),
    # their answers to the lesson's checks (1), their exercise answer (1) and, for the bar, how
    # many checks they have answered (1, kept until they send something). The lesson with
    # its course, tags, position and checks, the bar's figures and the unread count come from
    # the cache until the content, the learner's progress or their notifications change.
    with django_assert_num_queries(9):
        assert signed_in.get(url).status_code == 200
    # Nothing changed since: the shell and their parts come from the cache (lessons.caching.shells).
    with django_assert_num_queries(2):  # the session and the user
        assert signed_in.get(url).status_code == 200


def test_a_signed_in_learner_sees_a_lesson_edit_on_the_very_next_request(signed_in, lessons):
    lesson = lessons[0]
    assert lesson.title in text(signed_in.get(lesson.get_absolute_url()))
    lesson.title = "A title just changed in admin"
    lesson.save()
    assert "A title just changed in admin" in text(signed_in.get(lesson.get_absolute_url()))


def test_the_cached_bar_changes_with_the_very_next_completion(signed_in, learner, lessons):
    url, total = lessons[-1].get_absolute_url(), len(lessons)
    assert f"0/{total} lessons" in text(signed_in.get(url))  # now cached for this learner
    lesson_complete(user=learner, lesson=lessons[0])
    page = text(signed_in.get(url))
    assert f"1/{total} lessons" in page
    assert re.search(r"\b1/\d+ achievements", page)  # First steps, earned with it


def test_profile_shows_level_history_achievements_courses_and_where_to_continue(
    signed_in, learner, lessons
):
    lesson_complete(user=learner, lesson=lessons[0])
    lesson_complete(user=learner, lesson=lessons[1])
    page = text(signed_in.get(reverse("progress:profile")))
    assert "Level 0 Spark" in page
    assert f"Completed “{lessons[0].title}”" in page
    assert "Achievement: First steps" in page
    assert "First steps" in page and "Complete your first lesson." in page
    assert "Week streak" in page and "locked" in page  # still to earn, with how
    assert "2/10 lessons · 20%" in page
    assert f"Continue where you left off {lessons[2].course.title} {lessons[2].title}" in page
    assert "🔥 1-day streak — today counts ✓" in page


def test_profile_dates_and_names_follow_korean(signed_in, learner, lessons):
    lesson_complete(user=learner, lesson=lessons[0], at=datetime(2026, 11, 3, 1, tzinfo=UTC))
    page = text(signed_in.get(reverse("progress:profile"), HTTP_ACCEPT_LANGUAGE="ko"))
    assert "레벨 0 불씨" in page
    assert "첫걸음" in page
    assert "2026-11-3 10:00" in page  # Korean short date and time, in Asia/Seoul
    lesson_page = text(signed_in.get(lessons[0].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ko"))
    assert "2026년 11월 3일에 완료" in lesson_page
    assert "레슨 1/" in lesson_page and "다음 레벨까지 60/200 XP" in lesson_page


def test_profile_needs_sign_in(client):
    response = client.get(reverse("progress:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
