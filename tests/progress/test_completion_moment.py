"""The completion moment: "Mark complete" answers in place (JSON for progress.js) or, without
JavaScript, by sending the learner back to the progress block with the same words in it."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from progress.services import lesson_complete

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def complete_url(lesson) -> str:
    return reverse("progress:complete", args=[lesson.id])


def progress_block(html: str) -> str:
    match = re.search(r'<section class="progress-block" id="progress".*?</section>', html, re.S)
    assert match, "the page has no progress block"
    return match.group(0)


def test_asking_for_json_answers_with_the_new_block_the_moment_and_the_bar(signed_in, lessons):
    first, second = lessons[0], lessons[1]
    response = signed_in.post(complete_url(first), **JSON)
    assert response.status_code == 200
    answer = response.json()
    assert answer["completed"] is True
    assert answer["xp_awarded"] == first.xp + 10  # the lesson and "First steps"
    assert answer["achievements"] == ["first-steps"]
    # The button promised the lesson's XP; the moment says it and explains the bonus.
    assert f"Lesson complete: +{first.xp} XP." in answer["moment_html"]
    assert "Achievement unlocked: <strong>First steps</strong> · +10 XP" in answer["moment_html"]
    assert "🔥 1-day streak — today counts ✓" in answer["moment_html"]
    assert "Completed on" in answer["state_html"]
    assert f"Next lesson: {second.title}" in answer["state_html"]
    assert f'href="{second.get_absolute_url()}"' in answer["state_html"]
    assert answer["bar"]["xp"] == first.xp + 10
    assert answer["bar"]["lessons"] == 1
    assert answer["bar"]["achievements"] == 1
    # Announced once, in place: the next page does not repeat it.
    page = signed_in.get(first.get_absolute_url()).content.decode()
    assert "Lesson complete" not in page and "Achievement unlocked" not in page


def test_completing_again_in_place_says_so_and_awards_nothing(signed_in, learner, lessons):
    lesson_complete(user=learner, lesson=lessons[0])
    answer = signed_in.post(complete_url(lessons[0]), **JSON).json()
    assert answer["completed"] is False and answer["xp_awarded"] == 0
    assert "You had already completed this lesson." in answer["moment_html"]


def test_the_in_place_post_still_needs_the_csrf_token(learner, lessons):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    assert browser.post(complete_url(lessons[0]), **JSON).status_code == 403


def test_without_javascript_the_post_lands_on_the_block_with_the_same_words(signed_in, lessons):
    first = lessons[0]
    response = signed_in.post(complete_url(first))  # a browser's form prefers HTML
    assert response.status_code == 302
    assert response["Location"] == f"{first.get_absolute_url()}#progress"
    html = signed_in.get(response["Location"]).content.decode()
    block = progress_block(html)
    assert f"Lesson complete: +{first.xp} XP." in block
    assert "Achievement unlocked: <strong>First steps</strong> · +10 XP" in block
    assert "1-day streak — today counts ✓" in block
    assert f"Next lesson: {lessons[1].title}" in block
    # Said once, beside the button, not again at the top of the page.
    assert html.count("Lesson complete:") == 1


def test_the_last_lesson_says_the_course_is_finished_only_when_it_is(signed_in, learner, lessons):
    course = [lesson for lesson in lessons if lesson.course_id == lessons[0].course_id]
    last = course[-1]
    answer = signed_in.post(complete_url(last), **JSON).json()
    assert "See the lessons still to do" in answer["state_html"]
    assert "Course finished" not in answer["state_html"]
    for lesson in course[:-1]:
        lesson_complete(user=learner, lesson=lesson)
    block = progress_block(signed_in.get(last.get_absolute_url()).content.decode())
    assert "Course finished" in block
    assert f'href="{reverse("courses:catalogue")}"' in block  # what to do next
    assert "Review this course" in block


def test_an_anonymous_block_carries_what_the_browser_needs_and_no_reader_of_its_own(
    client, lessons
):
    html = client.get(lessons[0].get_absolute_url()).content.decode()
    block = progress_block(html)
    # The words of the moment, for progress.js to fill in from local progress.
    assert 'data-msg-complete="Lesson complete: +{xp} XP."' in block
    assert 'data-msg-streak="🔥 {days}-day streak — today counts ✓"' in block
    assert 'role="status" data-moment' in block
    # The next lesson is the same for every reader: drawn now, shown once completed.
    assert f"Next lesson: {lessons[1].title}" in block
    assert re.search(r"<div data-completed hidden>", block)


def test_the_learner_bar_says_how_far_to_the_next_level_once(client, lessons):
    html = client.get(lessons[0].get_absolute_url()).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert "0/200 XP to next level" in text
    assert "XP to go" not in text
